//! `libunwind.a` of the stub Android sysroot (see `android/build-native.sh`): the `unwinding`
//! crate's DWARF unwinder, exported under the `_Unwind_*` names that Rust's std expects from the
//! NDK's LLVM libunwind. The NDK path of the build does not use this crate.
#![no_std]

// Linked for its `#[no_mangle]` `_Unwind_*` functions; nothing is called from here.
extern crate unwinding;

unsafe extern "C" {
    fn abort() -> !;
}

/// A fault in the unwinder itself (a corrupt unwind table) cannot be reported anywhere useful:
/// end the process the way the NDK's libunwind would.
#[panic_handler]
fn on_unwinder_fault(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: bionic's abort(3) takes no arguments and never returns.
    unsafe { abort() }
}
