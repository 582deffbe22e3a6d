//! Prints one line per observed fact; check-unwinder.sh compares them with what must happen.

use std::panic;
use std::sync::atomic::{AtomicUsize, Ordering};

static DROPPED_WHILE_UNWINDING: AtomicUsize = AtomicUsize::new(0);

struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            DROPPED_WHILE_UNWINDING.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[inline(never)]
fn deep(depth: u32) -> u32 {
    let _guard = Guard;
    if depth == 0 {
        panic!("unwinder check");
    }
    deep(depth - 1) + 1
}

fn main() {
    panic::set_hook(Box::new(|_| {})); // keep the output to the facts below
    let mut caught = 0;
    for _ in 0..3 {
        if panic::catch_unwind(|| deep(5)).is_err() {
            caught += 1;
        }
    }
    println!("caught {caught}");
    println!("dropped {}", DROPPED_WHILE_UNWINDING.load(Ordering::SeqCst));
}
