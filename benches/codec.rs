//! Parse + serialise of the two messages a payment's answer brings: a DeviceRequest carrying a
//! 40-line receipt and the CardServiceResponse. The bytes are `benches/data/*.xml`, the same files
//! the JVM comparison (`android/bench`, Simple XML 2.7 and javax.xml DOM) reads.
//!
//! One operation = `Message::parse(bytes)` (decode, canonicalise, serde) followed by
//! `Message::to_xml()`. `cargo bench --bench codec` runs criterion and then a summary measured the
//! same way as the JVM side (warm-up, then the median of batches timed in thread CPU time), printed as
//! `MAPI-RESULT` lines; `MAPI_BENCH_MODE=summary` runs only the summary.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use mapi::message::Message;

const RESPONSE: &[u8] = include_bytes!("data/card_service_response.xml");
const RECEIPT: &[u8] = include_bytes!("data/device_request_receipt_40.xml");

fn parse_and_serialize(bytes: &[u8]) -> usize {
    let message = Message::parse(bytes).expect("fixture parses");
    message.to_xml().expect("fixture serialises").len()
}

/// The floor of any quick-xml based design: read every event of the bytes and write it back
/// with quick-xml's writer, building no model at all (no canonicalising pass, no serde, no
/// allocation per value). Measured to tell how much of the codec's time is the library stack.
fn quick_xml_events_floor(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).expect("UTF-8 fixture");
    let mut reader = quick_xml::Reader::from_str(text);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(bytes.len()));
    loop {
        match reader.read_event().expect("well-formed") {
            quick_xml::events::Event::Eof => break,
            event => writer.write_event(event).expect("written"),
        }
    }
    writer.into_inner().len()
}

fn check_fixtures() {
    for (name, bytes) in [("response", RESPONSE), ("receipt", RECEIPT)] {
        let first = Message::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = Message::parse(first.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(
            first, again,
            "{name}: parse → serialise → parse is identity"
        );
    }
    match Message::parse(RECEIPT).unwrap() {
        Message::DeviceRequest(request) => assert_eq!(request.outputs[0].lines.len(), 40),
        other => panic!("receipt fixture is {}", other.root_name()),
    }
}

fn criterion_part() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut group = c.benchmark_group("codec");
    for (name, bytes) in [
        ("card_service_response", RESPONSE),
        ("device_request_40_lines", RECEIPT),
    ] {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| Message::parse(black_box(bytes)).unwrap())
        });
        let message = Message::parse(bytes).unwrap();
        group.bench_function(format!("serialize/{name}"), |b| {
            b.iter(|| black_box(&message).to_xml().unwrap())
        });
        group.bench_function(format!("parse+serialize/{name}"), |b| {
            b.iter(|| parse_and_serialize(black_box(bytes)))
        });
    }
    group.throughput(Throughput::Bytes((RESPONSE.len() + RECEIPT.len()) as u64));
    group.bench_function("parse+serialize/both", |b| {
        b.iter(|| {
            parse_and_serialize(black_box(RECEIPT)) + parse_and_serialize(black_box(RESPONSE))
        })
    });
    group.finish();
    c.final_summary();
}

/// CPU time of the calling thread, in ns: unlike wall time it does not count the time this
/// thread waited for a core, so a loaded 2-core machine still gives comparable numbers (the JVM
/// side uses the same clock through `ThreadMXBean.getCurrentThreadCpuTime`).
fn thread_cpu_ns() -> u64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3; // Linux
    let mut time = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec (two 64-bit fields on 64-bit Linux) into `time`.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64
}

/// Median CPU ns per call of `op` over `batches` batches of ~20 ms, after `warm_up` of calls.
fn median_ns(mut op: impl FnMut() -> usize, warm_up: Duration, batches: usize) -> f64 {
    let started = Instant::now();
    let cpu_started = thread_cpu_ns();
    let mut calls_in_warm_up = 0u64;
    while started.elapsed() < warm_up {
        black_box(op());
        calls_in_warm_up += 1;
    }
    let per_call = (thread_cpu_ns() - cpu_started) as f64 / calls_in_warm_up.max(1) as f64;
    let batch = ((20e6 / per_call) as u64).max(1);
    let mut samples: Vec<f64> = (0..batches)
        .map(|_| {
            let start = thread_cpu_ns();
            for _ in 0..batch {
                black_box(op());
            }
            (thread_cpu_ns() - start) as f64 / batch as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn summary_part() {
    let warm_up = Duration::from_secs(2);
    let batches = common::env_usize("MAPI_BENCH_BATCHES", 50);
    let response = median_ns(
        || parse_and_serialize(black_box(RESPONSE)),
        warm_up,
        batches,
    );
    let receipt = median_ns(|| parse_and_serialize(black_box(RECEIPT)), warm_up, batches);
    let both = median_ns(
        || parse_and_serialize(black_box(RECEIPT)) + parse_and_serialize(black_box(RESPONSE)),
        warm_up,
        batches,
    );
    let floor = median_ns(
        || quick_xml_events_floor(black_box(RECEIPT)) + quick_xml_events_floor(black_box(RESPONSE)),
        warm_up,
        batches,
    );
    println!(
        "codec floor (quick-xml events read + written back, no model): both {:.1} µs",
        floor / 1e3
    );
    common::report("codec.rust_floor.both_ns", format!("{floor:.0}"));
    println!(
        "codec (Rust, parse+serialize, thread CPU time, median of {batches} batches): CardServiceResponse {:.1} µs, DeviceRequest(40 lines) {:.1} µs, both {:.1} µs",
        response / 1e3,
        receipt / 1e3,
        both / 1e3
    );
    common::report("codec.rust.response_ns", format!("{response:.0}"));
    common::report("codec.rust.receipt_ns", format!("{receipt:.0}"));
    common::report("codec.rust.both_ns", format!("{both:.0}"));
}

fn main() {
    check_fixtures();
    if common::test_mode() {
        println!("codec: fixtures round-trip; test mode OK");
        return;
    }
    let mode = common::mode();
    if mode == "profile" {
        // A fixed amount of work for `valgrind --tool=callgrind` (instruction counts, not time).
        let iterations = common::env_usize("MAPI_BENCH_ITERS", 200);
        let mut total = 0;
        for _ in 0..iterations {
            total +=
                parse_and_serialize(black_box(RECEIPT)) + parse_and_serialize(black_box(RESPONSE));
        }
        println!("codec: {iterations} iterations, {total} bytes written");
        return;
    }
    if mode.is_empty() || mode == "criterion" {
        criterion_part();
    }
    if mode.is_empty() || mode == "summary" {
        summary_part();
    }
}
