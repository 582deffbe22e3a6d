//! A global allocator that counts live bytes and their peak, so a fuzz target can assert that one
//! input never makes the engine hold more memory than its bounds allow (a 4 GB length prefix must
//! not become a 4 GB buffer, a trickle of partial frames must not grow without end).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Wraps the system allocator; install it with `#[global_allocator]` in a fuzz target.
pub struct Meter {
    live: AtomicUsize,
    peak: AtomicUsize,
}

impl Meter {
    /// A meter at zero.
    pub const fn new() -> Meter {
        Meter {
            live: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Starts a measurement: the peak restarts from what is live now, which is returned.
    pub fn reset(&self) -> usize {
        let live = self.live.load(Ordering::SeqCst);
        self.peak.store(live, Ordering::SeqCst);
        live
    }

    /// The most bytes live at once since the last [`Meter::reset`].
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    fn grew(&self, size: usize) {
        let live = self.live.fetch_add(size, Ordering::SeqCst) + size;
        self.peak.fetch_max(live, Ordering::SeqCst);
    }

    fn shrank(&self, size: usize) {
        self.live.fetch_sub(size, Ordering::SeqCst);
    }
}

impl Default for Meter {
    fn default() -> Self {
        Meter::new()
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the meter only counts.
unsafe impl GlobalAlloc for Meter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = System.alloc(layout);
        if !pointer.is_null() {
            self.grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = System.alloc_zeroed(layout);
        if !pointer.is_null() {
            self.grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout);
        self.shrank(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = System.realloc(pointer, layout, new_size);
        if !moved.is_null() {
            self.grew(new_size);
            self.shrank(layout.size());
        }
        moved
    }
}
