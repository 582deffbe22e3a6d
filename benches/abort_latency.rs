//! Abort latency of the Rust API against the loopback floor.
//!
//! * baseline: round trip of a 100-byte message between two plain tokio sockets on loopback
//!   (echo peer on its own thread);
//! * abort → wire: `PaymentService::abort` called → the AbortRequest's bytes arrive at a raw TCP
//!   terminal (its own thread, blocking read, timestamp on arrival) while a payment is held there;
//! * abort end-to-end: the same call → `on_payment_administration_success`, the terminal answering
//!   the abort (and the aborted payment) at once.
//!
//! The engine runs as an app runs it: OPI-NL dual socket, a state directory (RequestID counter and
//! in-flight journal on disk). Baseline and abort samples are interleaved round by round, so both
//! see the same machine load. Targets: abort → wire p99 ≤ 1.5 × baseline p50; end-to-end p99 ≤ 3 ×.
//!
//! `cargo bench --bench abort_latency` runs criterion and then the percentile summary;
//! `MAPI_BENCH_MODE=summary` only the summary (what scripts/bench.sh runs), `=baseline` only the
//! baseline (taken right before the JVM measurement), `MAPI_BENCH_SAMPLES=N` rounds (default 3000).

#[path = "common/mod.rs"]
mod common;

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use mapi::client::{
    AdministrationResult, Delegate, Engine, Payment, PaymentResult, PaymentService, SdkError,
    TerminalService,
};

use common::{LoopbackPair, TerminalEvent};

const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug)]
enum Final {
    Payment(String),
    AbortSuccess(Instant),
    AbortFailed(String),
}

/// Sends each final callback, timestamped inside the callback (on the engine thread).
struct Finals(mpsc::Sender<Final>);

impl Delegate for Finals {
    fn on_payment_success(&self, r: &PaymentResult) {
        let _ = self.0.send(Final::Payment(r.result.to_string()));
    }
    fn on_payment_error(&self, r: &PaymentResult) {
        let _ = self.0.send(Final::Payment(r.result.to_string()));
    }
    fn on_payment_administration_success(&self, _: &AdministrationResult) {
        let _ = self.0.send(Final::AbortSuccess(Instant::now()));
    }
    fn on_error(&self, e: &SdkError) {
        let _ = self.0.send(Final::AbortFailed(e.to_string()));
    }
}

struct AbortRig {
    _engine: Engine,
    payments: PaymentService,
    admin: TerminalService,
    terminal: mapi::client::Terminal,
    pause: Duration,
    terminal_events: mpsc::Receiver<TerminalEvent>,
    finals: mpsc::Receiver<Final>,
    delegate: Arc<dyn Delegate>,
    amount: mapi::message::Amount,
}

impl AbortRig {
    fn new() -> AbortRig {
        let (address, terminal_events) = common::raw_terminal();
        let engine = Engine::new().expect("engine");
        let mut terminal = common::terminal_at(address, "BENCH1");
        // MAPI_BENCH_STATE=0 runs without a state directory (no fsync anywhere), for diagnosis.
        if std::env::var("MAPI_BENCH_STATE").as_deref() != Ok("0") {
            terminal = terminal.with_state_dir(common::state_dir("abort"));
        }
        // Start the session (channel-1 listener) before measuring.
        engine
            .listen_address(&terminal, WAIT)
            .expect("session starts");
        let (tx, finals) = mpsc::channel();
        AbortRig {
            payments: PaymentService::with_engine(&engine),
            admin: TerminalService::with_engine(&engine),
            _engine: engine,
            pause: Duration::from_micros(common::env_usize("MAPI_BENCH_PAUSE_US", 1000) as u64),
            terminal,
            terminal_events,
            finals,
            delegate: Arc::new(Finals(tx)),
            amount: "12.50".parse().expect("amount"),
        }
    }

    /// One payment held by the terminal, then (after a pause: a person presses "stop" later, and
    /// the payment's own disk writes are over) one abort: (call → wire, call → success callback).
    /// Ends with a status request, so the engine has finished what follows the payment's callback
    /// (the journal is cleared after it) before anything else is measured. Three RequestIDs per
    /// cycle, so the RequestID counter's block reservations fall on every kind of request in turn,
    /// as in an app.
    fn cycle(&mut self) -> (Duration, Duration) {
        self.payments.payment(
            &self.terminal,
            Payment::sale(self.amount, "EUR"),
            self.delegate.clone(),
        );
        match self.terminal_events.recv_timeout(WAIT) {
            Ok(TerminalEvent::PaymentArrived) => {}
            other => panic!("expected the payment at the terminal, got {other:?}"),
        }
        std::thread::sleep(self.pause);
        let start = Instant::now();
        self.payments.abort(&self.terminal, self.delegate.clone());
        let wire = match self.terminal_events.recv_timeout(WAIT) {
            Ok(TerminalEvent::AbortArrived(at)) => at - start,
            other => panic!("expected the AbortRequest at the terminal, got {other:?}"),
        };
        let mut end_to_end = None;
        let mut payment_done = false;
        while end_to_end.is_none() || !payment_done {
            match self.finals.recv_timeout(WAIT) {
                Ok(Final::AbortSuccess(at)) => end_to_end = Some(at - start),
                Ok(Final::Payment(result)) => {
                    assert_eq!(result, "Aborted", "the held payment should end Aborted");
                    payment_done = true;
                }
                Ok(Final::AbortFailed(error)) => panic!("the abort failed: {error}"),
                Err(_) => panic!("an outcome is missing"),
            }
        }
        self.admin.status(&self.terminal, self.delegate.clone());
        match self.finals.recv_timeout(WAIT) {
            Ok(Final::AbortSuccess(_)) => {}
            other => panic!("the status request should succeed, got {other:?}"),
        }
        (wire, end_to_end.unwrap_or_default())
    }
}

fn criterion_part() {
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let mut group = c.benchmark_group("abort_latency");
    let mut pair = LoopbackPair::new();
    group.bench_function("loopback_rtt_100B_tokio", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| pair.round_trip()).sum())
    });
    let mut rig = AbortRig::new();
    group.bench_function("rust_abort_call_to_wire", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| rig.cycle().0).sum())
    });
    group.bench_function("rust_abort_call_to_success_callback", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| rig.cycle().1).sum())
    });
    group.finish();
    c.final_summary();
}

fn summary_part(rounds: usize, baseline_only: bool) {
    let mut pair = LoopbackPair::new();
    let mut rig = (!baseline_only).then(AbortRig::new);
    // Warm-up: connections, caches, the first RequestID block.
    for _ in 0..200.min(rounds) {
        pair.round_trip();
        if let Some(rig) = rig.as_mut() {
            rig.cycle();
        }
    }
    let mut baseline = Vec::with_capacity(rounds);
    let mut wire = Vec::with_capacity(rounds);
    let mut end_to_end = Vec::with_capacity(rounds);
    let started = Instant::now();
    // The same pause before each baseline sample as before each abort: both start from idle threads.
    let pause = Duration::from_micros(common::env_usize("MAPI_BENCH_PAUSE_US", 1000) as u64);
    for _ in 0..rounds {
        std::thread::sleep(pause);
        baseline.push(pair.round_trip());
        if let Some(rig) = rig.as_mut() {
            let (w, e) = rig.cycle();
            wire.push(w);
            end_to_end.push(e);
        }
    }
    println!(
        "abort latency: {rounds} interleaved rounds in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if std::env::var_os("MAPI_BENCH_SHOW_SLOW").is_some() {
        // Which rounds were slow (> 1 ms): a period (e.g. every 64th) points at the SDK, scattered
        // rounds at the machine.
        let slow = |samples: &[Duration]| -> Vec<usize> {
            (0..samples.len())
                .filter(|&i| samples[i] > Duration::from_millis(1))
                .collect()
        };
        println!("slow rounds: baseline {:?}", slow(&baseline));
        println!("slow rounds: abort → wire {:?}", slow(&wire));
    }
    let (base_p50, _) = common::report_latencies("baseline.loopback_rtt", &mut baseline);
    if rig.is_some() {
        let (_, wire_p99) = common::report_latencies("rust.abort_to_wire", &mut wire);
        let (_, e2e_p99) = common::report_latencies("rust.abort_end_to_end", &mut end_to_end);
        println!(
            "ratios to baseline p50: abort→wire p99 {:.2}× (target ≤ 1.5), end-to-end p99 {:.2}× (target ≤ 3)",
            wire_p99 / base_p50,
            e2e_p99 / base_p50
        );
    }
}

fn main() {
    if common::test_mode() {
        // `cargo test --benches`: prove the rig works, measure nothing.
        let mut rig = AbortRig::new();
        for _ in 0..3 {
            rig.cycle();
        }
        LoopbackPair::new().round_trip();
        println!("abort_latency: test mode OK");
        return;
    }
    let mode = common::mode();
    if mode.is_empty() || mode == "criterion" {
        criterion_part();
    }
    let rounds = common::env_usize("MAPI_BENCH_SAMPLES", 3000);
    match mode.as_str() {
        "" | "summary" => summary_part(rounds, false),
        "baseline" => summary_part(rounds, true),
        _ => {}
    }
}
