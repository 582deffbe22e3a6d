//! Soak: payment + abort cycles against the terminal simulator (abort-window scenario: the abort is
//! accepted and the payment ends Aborted), through the Rust API on the global engine. Compares the
//! process's RSS, threads and open file descriptors at cycle 1,000 with the end, and checks every
//! call ended exactly once. Targets: RSS within ±5 %, counts equal.
//!
//! The simulator runs in a child process, so this process's memory is the SDK's (plus this
//! harness). The state directory is on /dev/shm when it exists: this run is about leaks, not the
//! disk's fsync latency (the abort_latency bench keeps a real disk).
//! `MAPI_SOAK_CYCLES` (default 100,000), `MAPI_SOAK_CHECKPOINT` (default 1,000).

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi::client::{
    AdministrationResult, Delegate, Engine, Payment, PaymentResult, PaymentService, SdkError,
};

struct Outcomes(mpsc::Sender<String>);

impl Delegate for Outcomes {
    fn on_payment_success(&self, r: &PaymentResult) {
        let _ = self.0.send(format!("payment {}", r.result));
    }
    fn on_payment_error(&self, r: &PaymentResult) {
        let _ = self.0.send(format!("payment {}", r.result));
    }
    fn on_payment_administration_success(&self, r: &AdministrationResult) {
        let _ = self.0.send(format!("abort {}", r.result));
    }
    fn on_error(&self, e: &SdkError) {
        let _ = self.0.send(format!(
            "error {}",
            e.mapi_error
                .map(|m| m.to_string())
                .or(e.result.as_ref().map(|r| r.to_string()))
                .unwrap_or_default()
        ));
    }
}

struct Snapshot {
    rss_kib: u64,
    threads: usize,
    fds: usize,
}

/// The process once the last cycle's stragglers are gone: a channel-1 connection the simulator
/// is still closing holds a descriptor for a moment, so the smallest of a few readings 20 ms apart
/// counts (a leak never shrinks).
fn snapshot() -> Snapshot {
    let read = || Snapshot {
        rss_kib: common::rss_kib(),
        threads: common::threads().len(),
        fds: std::fs::read_dir("/proc/self/fd")
            .map(|d| d.count())
            .unwrap_or(0),
    };
    let mut best = read();
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(20));
        let now = read();
        best = Snapshot {
            rss_kib: best.rss_kib.min(now.rss_kib),
            threads: best.threads.min(now.threads),
            fds: best.fds.min(now.fds),
        };
    }
    best
}

fn main() {
    if common::run_simulator_child_if_asked() {
        return;
    }
    let cycles = if common::test_mode() {
        50
    } else {
        common::env_usize("MAPI_SOAK_CYCLES", 100_000)
    };
    let checkpoint = common::env_usize("MAPI_SOAK_CHECKPOINT", 1_000).min(cycles);
    let state_root = std::path::Path::new("/dev/shm");
    let state = if state_root.is_dir() {
        let dir = state_root.join(format!("mapi-bench-soak-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("state dir");
        dir
    } else {
        common::state_dir("soak")
    };

    let mut simulator = common::SimulatorChild::spawn("abort-window");
    let terminal = common::terminal_at(simulator.address, "SOAK1").with_state_dir(&state);
    let payments = PaymentService::new();
    let listen = Engine::global()
        .listen_address(&terminal, Duration::from_secs(10))
        .expect("session starts")
        .expect("dual socket listens");
    simulator.set_pos_address(listen);

    let (tx, rx) = mpsc::channel();
    let delegate: Arc<dyn Delegate> = Arc::new(Outcomes(tx));
    let amount: mapi::message::Amount = "12.50".parse().unwrap();
    let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
    let mut at_checkpoint = None;
    let started = Instant::now();
    let mut last_report = Instant::now();
    for cycle in 1..=cycles {
        payments.payment(&terminal, Payment::sale(amount, "EUR"), delegate.clone());
        payments.abort(&terminal, delegate.clone());
        for _ in 0..2 {
            let outcome = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("cycle {cycle}: a final callback is missing"));
            *outcomes.entry(outcome).or_default() += 1;
        }
        if cycle == checkpoint {
            at_checkpoint = Some((snapshot(), started.elapsed()));
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            let s = Snapshot {
                rss_kib: common::rss_kib(),
                threads: common::threads().len(),
                fds: std::fs::read_dir("/proc/self/fd")
                    .map(|d| d.count())
                    .unwrap_or(0),
            };
            println!(
                "soak: cycle {cycle}/{cycles}, {:.0} cycles/s, RSS {} KiB, {} threads, {} fds",
                cycle as f64 / started.elapsed().as_secs_f64(),
                s.rss_kib,
                s.threads,
                s.fds
            );
        }
    }
    let elapsed = started.elapsed();
    let end = snapshot();
    let (mid, _) = at_checkpoint.expect("checkpoint reached");
    let finals: u64 = outcomes.values().sum();
    let rss_delta = (end.rss_kib as f64 - mid.rss_kib as f64) / mid.rss_kib as f64 * 100.0;
    println!(
        "soak: {cycles} payment+abort cycles in {:.1} s ({:.0} cycles/s); outcomes {outcomes:?}",
        elapsed.as_secs_f64(),
        cycles as f64 / elapsed.as_secs_f64()
    );
    println!(
        "soak: at cycle {checkpoint}: RSS {} KiB, {} threads, {} fds; at cycle {cycles}: RSS {} KiB ({rss_delta:+.2} %), {} threads, {} fds",
        mid.rss_kib, mid.threads, mid.fds, end.rss_kib, end.threads, end.fds
    );
    assert_eq!(
        finals,
        2 * cycles as u64,
        "exactly one final callback per call"
    );
    common::report("soak.cycles", cycles);
    common::report("soak.checkpoint", checkpoint);
    common::report("soak.seconds", format!("{:.1}", elapsed.as_secs_f64()));
    common::report(
        "soak.cycles_per_s",
        format!("{:.0}", cycles as f64 / elapsed.as_secs_f64()),
    );
    common::report("soak.rss_mid_kib", mid.rss_kib);
    common::report("soak.rss_end_kib", end.rss_kib);
    common::report("soak.rss_delta_pct", format!("{rss_delta:.2}"));
    common::report("soak.threads_mid", mid.threads);
    common::report("soak.threads_end", end.threads);
    common::report("soak.fds_mid", mid.fds);
    common::report("soak.fds_end", end.fds);
    common::report("soak.finals", finals);
    common::report(
        "soak.outcomes",
        outcomes
            .iter()
            .map(|(k, v)| format!("{}={v}", k.replace(' ', "_")))
            .collect::<Vec<_>>()
            .join(","),
    );
    let _ = std::fs::remove_dir_all(&state);
}
