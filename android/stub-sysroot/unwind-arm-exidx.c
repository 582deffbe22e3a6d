/*
 * The one part of the armv7 unwinder that is this project's own; the rest is libgcc's ARM EHABI
 * unwinder taken from Debian's armhf cross package (see arm-unwinder.sh).
 *
 * libgcc finds the exception index table of a return address through __gnu_Unwind_Find_exidx,
 * a weak reference that glibc satisfies. Whether bionic's libc.so exports that name is not
 * something a library linked without the NDK should bet on: with the reference unresolved,
 * libgcc would fall back to __exidx_start/__exidx_end, the table of libmapi.so alone, and a
 * frame of any other object (a JNI trampoline, libc) would end the search. So it is defined
 * here, on dl_iterate_phdr (exported by bionic on arm from API 21; minSdk is 23), the way LLVM's
 * libunwind finds the table on Android from API 21: the loaded object with a PT_LOAD segment
 * that covers the address, then its PT_ARM_EXIDX segment.
 *
 * Freestanding, because there are no Android libc headers without the NDK: the ELF32 program
 * header and the leading fields of struct dl_phdr_info (the same in bionic and glibc) are
 * spelled out below.
 */
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t p_type;
    uint32_t p_offset;
    uint32_t p_vaddr;
    uint32_t p_paddr;
    uint32_t p_filesz;
    uint32_t p_memsz;
    uint32_t p_flags;
    uint32_t p_align;
} elf32_phdr;

struct dl_phdr_info {
    uint32_t dlpi_addr;
    const char *dlpi_name;
    const elf32_phdr *dlpi_phdr;
    uint16_t dlpi_phnum;
};

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *info, size_t size, void *data), void *data);

enum { PT_LOAD = 1, PT_ARM_EXIDX = 0x70000001 };
/* An index table entry: two words (function offset, unwind data or pointer to it). */
enum { EXIDX_ENTRY_SIZE = 8 };

struct lookup {
    uint32_t pc;
    uint32_t table;
    int entries;
};

static int find_in_object(struct dl_phdr_info *info, size_t size, void *data) {
    struct lookup *lookup = data;
    const elf32_phdr *exidx = NULL;
    int covers = 0;
    (void)size;
    for (uint16_t i = 0; i < info->dlpi_phnum; i++) {
        const elf32_phdr *ph = &info->dlpi_phdr[i];
        uint32_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && lookup->pc >= start && lookup->pc - start < ph->p_memsz) {
            covers = 1;
        } else if (ph->p_type == PT_ARM_EXIDX) {
            exidx = ph;
        }
    }
    if (!covers) {
        return 0;
    }
    /* The covering object ends the walk even without a table: no other object can describe pc. */
    if (exidx != NULL) {
        lookup->table = info->dlpi_addr + exidx->p_vaddr;
        lookup->entries = (int)(exidx->p_memsz / EXIDX_ENTRY_SIZE);
    }
    return 1;
}

/* Returns the table's address and stores its entry count; 0 when no table covers pc, which
 * libgcc reports as _URC_FAILURE (the end of what can be unwound). */
uint32_t __gnu_Unwind_Find_exidx(uint32_t pc, int *entries) {
    struct lookup lookup = {pc, 0, 0};
    dl_iterate_phdr(find_in_object, &lookup);
    *entries = lookup.entries;
    return lookup.table;
}
