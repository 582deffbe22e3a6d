//! The OPI frame decoder against a reference reading of the stream, for arbitrary bounds and
//! arbitrary read splits; memory stays within the frame bound whatever the length prefix says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapi_fuzz::checks::check_frame_decoder;
use mapi_fuzz::meter::Meter;

#[global_allocator]
static METER: Meter = Meter::new();

fuzz_target!(|data: &[u8]| {
    let before = METER.reset();
    check_frame_decoder(data);
    // The bound is at most 4 KiB here: a few partial frames, copies of the input and the
    // harness's list of reads (two slice references per input byte at worst), never anything
    // sized by a length prefix (which reaches 4 GiB).
    let used = METER.peak() - before;
    let limit = 64 * 1024 + 128 * data.len();
    assert!(
        used <= limit,
        "{used} bytes for a {}-byte input",
        data.len()
    );
});
