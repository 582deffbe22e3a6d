//! The sans-IO session fed arbitrary interleavings of commands, connection events, frames and
//! clock steps (see `check_session` for the properties and the input format).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapi_fuzz::checks::check_session;
use mapi_fuzz::meter::Meter;

#[global_allocator]
static METER: Meter = Meter::new();

fuzz_target!(|data: &[u8]| {
    let before = METER.reset();
    check_session(data);
    // Each connection holds at most one partial frame (bound ≤ 8.5 KiB here, doubled for Vec
    // growth); everything else is proportional to the input, never to a length on the wire.
    let used = METER.peak() - before;
    let limit = 2 * 1024 * 1024 + 1024 * data.len();
    assert!(
        used <= limit,
        "{used} bytes for a {}-byte input",
        data.len()
    );
});
