//! Idle cost of the SDK after init and one payment: the threads it created (by `/proc/self/task`
//! name) and how often they wake up while nothing happens (voluntary + involuntary context
//! switches from `/proc/self/task/<tid>/status`, read before and after an idle window).
//!
//! The app side is what `PaymentService::new()` gives an app (the global engine), an OPI-NL
//! dual-socket terminal with a state directory; the terminal simulator runs in a child process so
//! every new thread of this process is the SDK's. Target: exactly one engine thread, 0 wake-ups/s.
//! `MAPI_IDLE_SECONDS` sets the idle window (default 5).

#[path = "common/mod.rs"]
mod common;

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mapi::client::{Delegate, Engine, Payment, PaymentResult, PaymentService, SdkError};

struct Done(mpsc::Sender<String>);

impl Delegate for Done {
    fn on_payment_success(&self, r: &PaymentResult) {
        let _ = self.0.send(format!("payment {}", r.result));
    }
    fn on_payment_error(&self, r: &PaymentResult) {
        let _ = self.0.send(format!("payment {}", r.result));
    }
    fn on_error(&self, e: &SdkError) {
        let _ = self.0.send(format!("error {e}"));
    }
}

fn main() {
    if common::run_simulator_child_if_asked() {
        return;
    }
    let idle_seconds = if common::test_mode() {
        1
    } else {
        common::env_usize("MAPI_IDLE_SECONDS", 5) as u64
    };
    let before: Vec<u32> = common::threads().into_iter().map(|(tid, _)| tid).collect();
    let rss_before = common::rss_kib();

    let mut simulator = common::SimulatorChild::spawn("success");
    let terminal =
        common::terminal_at(simulator.address, "IDLE1").with_state_dir(common::state_dir("idle"));
    let payments = PaymentService::new(); // the global engine, as an app gets it
    let listen = Engine::global()
        .listen_address(&terminal, Duration::from_secs(10))
        .expect("session starts")
        .expect("dual socket listens");
    simulator.set_pos_address(listen);

    let (tx, rx) = mpsc::channel();
    payments.payment(
        &terminal,
        Payment::sale("12.50".parse().unwrap(), "EUR"),
        Arc::new(Done(tx)),
    );
    let outcome = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the payment ends");
    assert_eq!(outcome, "payment Success", "the payment should succeed");
    // Let the engine finish what follows a callback (journal cleared, channel-1 connections closed).
    std::thread::sleep(Duration::from_millis(500));

    let sdk_threads: Vec<(u32, String)> = common::threads()
        .into_iter()
        .filter(|(tid, _)| !before.contains(tid))
        .collect();
    let start: Vec<(u64, u64)> = sdk_threads
        .iter()
        .map(|(tid, _)| common::context_switches(*tid))
        .collect();
    let window = Instant::now();
    std::thread::sleep(Duration::from_secs(idle_seconds));
    let elapsed = window.elapsed().as_secs_f64();
    let mut total_wakeups = 0u64;
    println!(
        "idle: {} thread(s) created by the SDK after init and one payment:",
        sdk_threads.len()
    );
    for ((tid, name), (vol0, invol0)) in sdk_threads.iter().zip(&start) {
        let (vol1, invol1) = common::context_switches(*tid);
        let wakeups = (vol1 - vol0) + (invol1 - invol0);
        total_wakeups += wakeups;
        println!(
            "  tid {tid} '{name}': {} voluntary + {} involuntary context switches in {elapsed:.1} s",
            vol1 - vol0,
            invol1 - invol0
        );
    }
    let names: Vec<&str> = sdk_threads.iter().map(|(_, n)| n.as_str()).collect();
    let rss_after = common::rss_kib();
    println!(
        "idle: wake-ups {total_wakeups} in {elapsed:.1} s = {:.2}/s; RSS {} KiB before init, {} KiB after init + one payment",
        total_wakeups as f64 / elapsed,
        rss_before,
        rss_after
    );
    common::report("idle.sdk_threads", sdk_threads.len());
    common::report("idle.sdk_thread_names", names.join(","));
    common::report("idle.wakeups", total_wakeups);
    common::report("idle.seconds", format!("{elapsed:.1}"));
    common::report(
        "idle.wakeups_per_s",
        format!("{:.2}", total_wakeups as f64 / elapsed),
    );
    common::report("idle.rss_kib", rss_after);
}
