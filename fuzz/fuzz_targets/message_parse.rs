//! `Message::parse` on arbitrary bytes: no panic, and parse → serialise → parse is identity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapi_fuzz::checks::check_message;
use mapi_fuzz::meter::Meter;

#[global_allocator]
static METER: Meter = Meter::new();

fuzz_target!(|data: &[u8]| {
    let before = METER.reset();
    check_message(data);
    // Parsing works on a few copies of the text; a DTD or entity expansion would blow past this.
    let used = METER.peak() - before;
    let limit = 1024 * 1024 + 64 * data.len();
    assert!(
        used <= limit,
        "{used} bytes for a {}-byte input",
        data.len()
    );
});
