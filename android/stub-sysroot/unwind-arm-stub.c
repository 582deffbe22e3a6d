/*
 * libunwind.a of the stub sysroot for armv7 only: the `unwinding` crate has no ARM EHABI unwinder,
 * so on this ABI the stub link gets these placeholders. They fail the way an unwinder without
 * unwind tables would: _Unwind_RaiseException reports a failure, and Rust's std then aborts the
 * process ("failed to initiate panic"). An armv7 libmapi.so linked this way is therefore only a
 * link check; android/build-native.sh keeps it out of the packaged jniLibs. Linked with the NDK
 * (ANDROID_NDK_HOME), armv7 gets LLVM's real libunwind and is packaged.
 */
#include <stddef.h>
#include <stdint.h>

enum { URC_END_OF_STACK = 5, URC_FAILURE = 9 };
enum { UVRSR_NOT_IMPLEMENTED = 1 };

void abort(void);

int _Unwind_RaiseException(void *exception) { (void)exception; return URC_FAILURE; }
void _Unwind_Resume(void *exception) { (void)exception; abort(); }
void _Unwind_DeleteException(void *exception) { (void)exception; }
int _Unwind_Backtrace(void *trace, void *arg) { (void)trace; (void)arg; return URC_END_OF_STACK; }
int __gnu_unwind_frame(void *exception, void *context) { (void)exception; (void)context; return URC_FAILURE; }

int _Unwind_VRS_Get(void *context, int regclass, uint32_t regno, int representation, void *value) {
    (void)context; (void)regclass; (void)regno; (void)representation; (void)value;
    return UVRSR_NOT_IMPLEMENTED;
}

int _Unwind_VRS_Set(void *context, int regclass, uint32_t regno, int representation, void *value) {
    (void)context; (void)regclass; (void)regno; (void)representation; (void)value;
    return UVRSR_NOT_IMPLEMENTED;
}

void *_Unwind_GetLanguageSpecificData(void *context) { (void)context; return NULL; }
uintptr_t _Unwind_GetRegionStart(void *context) { (void)context; return 0; }
uintptr_t _Unwind_GetTextRelBase(void *context) { (void)context; return 0; }
uintptr_t _Unwind_GetDataRelBase(void *context) { (void)context; return 0; }
