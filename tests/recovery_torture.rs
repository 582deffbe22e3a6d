//! Crash-and-answer torture: the `pay` CLI is killed with SIGKILL at many points of payments,
//! aborts and recoveries, while the terminal answers recovery at random with what public OPI-NL
//! integrations show CCV terminals answer (Success, Failure, Busy, DeviceUnavailable, TimedOut,
//! PrintLastTicket, dotted and foreign RequestIDs). An operator (this test, reading the terminal's
//! truth as a person reads the reprinted ticket or the terminal's journal) resolves what only a
//! person can. At the end:
//! - 0 payments lost: every request the journal ever held, and every payment the terminal
//!   received, was reported by the SDK or resolved by the operator; nothing is left pending;
//! - 0 outcomes misreported: every outcome the SDK reported is what the terminal decided for
//!   that request;
//! - 0 repeated RequestIDs across every run of the state directory.
//!
//! `MAPI_TORTURE_KILLS` sets how many kills to reach (default 1000); `MAPI_TORTURE_SEED` the seed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mapi::message::OverallResult;
use mapi::simulator::{
    RecoveryAnswer, RunStep, Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle,
};
use mapi::{Dialect, SocketMode};
use serde_json::Value;

#[path = "support/pay.rs"]
mod pay;
use pay::pay_binary;

/// A failure guard only: every wait below ends long before it when the code is right.
const GUARD: Duration = Duration::from_secs(20);

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

enum Signal {
    Event(SimEvent),
    Line(String),
    Eof,
}

#[derive(Clone, Copy, Debug)]
enum KillAt {
    Never,
    AtOnce,
    /// After the pay process printed this many lines.
    Lines(usize),
    RequestReceived,
    AwaitingCard,
    AbortReceived,
    PaymentFinished,
    RepeatAnswered,
}

/// Everything the terminal decided, from its events.
#[derive(Default)]
struct Truth {
    /// Request → what the terminal decided (a payment's result, or Busy when it refused to start it).
    decided: HashMap<String, OverallResult>,
    /// Every RequestID the terminal received on channel 0, in order, duplicates kept.
    received: Vec<String>,
    /// Payments the terminal received.
    payments: BTreeSet<String>,
}

impl Truth {
    fn take(&mut self, event: &SimEvent) {
        match event {
            SimEvent::PaymentFinished {
                request_id, result, ..
            } => {
                self.decided.insert(request_id.to_string(), result.clone());
            }
            SimEvent::BusyAnswered { request_id } => {
                self.decided
                    .insert(request_id.to_string(), OverallResult::Busy);
            }
            SimEvent::FrameReceived { summary, .. }
                if summary.starts_with("CardServiceRequest ")
                    || summary.starts_with("ServiceRequest ") =>
            {
                if let Some(id) = summary
                    .split_whitespace()
                    .find_map(|part| part.strip_prefix("RequestID="))
                {
                    self.received.push(id.to_owned());
                    if summary.contains("RequestType=CardPayment ") {
                        self.payments.insert(id.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
}

struct Torture {
    simulator: SimulatorHandle,
    dir: std::path::PathBuf,
    signals: mpsc::Receiver<Signal>,
    sender: mpsc::Sender<Signal>,
    truth: Truth,
    /// Request → outcomes the SDK reported for it (several when a kill fell between the report
    /// and the journal's clearing: delivered again on the next recovery, never differently).
    reported: BTreeMap<String, Vec<OverallResult>>,
    resolved: BTreeMap<String, &'static str>,
    journaled: BTreeSet<String>,
    kills: usize,
    /// Kills that landed, by point ("what" plus where it was killed).
    kills_at: BTreeMap<String, usize>,
    runs: usize,
}

impl Torture {
    fn new(name: &str) -> Torture {
        let simulator = Simulator::spawn(SimulatorConfig::new(
            Dialect::OpiNl,
            SocketMode::SingleSocket,
        ))
        .expect("simulator");
        let (sender, signals) = mpsc::channel();
        let mut events = simulator.events();
        let forward = sender.clone();
        std::thread::spawn(move || loop {
            match events.blocking_recv() {
                Ok(event) => {
                    if forward.send(Signal::Event(event)).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    panic!("the torture lost {n} terminal events")
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        });
        let dir = std::env::temp_dir().join(format!("mapi-torture-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Torture {
            simulator,
            dir,
            signals,
            sender,
            truth: Truth::default(),
            reported: BTreeMap::new(),
            resolved: BTreeMap::new(),
            journaled: BTreeSet::new(),
            kills: 0,
            kills_at: BTreeMap::new(),
            runs: 0,
        }
    }

    fn args(&self) -> Vec<String> {
        [
            "--host",
            "127.0.0.1",
            "--port",
            &self.simulator.address().port().to_string(),
            "--socket-mode",
            "single",
            "--state-dir",
            &self.dir.display().to_string(),
            // Abort and request timeouts short enough that a terminal left waiting ends quickly.
            "--timeout-scale",
            "0.05",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn spawn(&self, extra: &[&str]) -> Child {
        let mut child = Command::new(pay_binary())
            .args(self.args())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pay starts");
        let stdout = child.stdout.take().expect("stdout");
        let lines = self.sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(Signal::Line(line));
            }
            let _ = lines.send(Signal::Eof);
        });
        child
    }

    /// Runs `pay extra`, killing it at `kill`; returns what it printed.
    fn run(&mut self, extra: &[&str], kill: KillAt) -> Vec<Value> {
        self.runs += 1;
        let mut child = self.spawn(extra);
        let mut printed = Vec::new();
        let mut eof = false;
        let mut killed = false;
        if matches!(kill, KillAt::AtOnce) {
            killed = sigkill(&mut child);
        }
        let deadline = Instant::now() + GUARD;
        while !eof {
            let signal = self
                .signals
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("pay {extra:?} neither ended nor reached {kill:?}"));
            let hit = match signal {
                Signal::Eof => {
                    eof = true;
                    false
                }
                Signal::Line(line) => {
                    let value: Value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
                    printed.push(value);
                    matches!(kill, KillAt::Lines(n) if printed.len() == n)
                }
                Signal::Event(event) => {
                    let hit = matches!(
                        (&event, kill),
                        (
                            SimEvent::StageReached {
                                step: RunStep::RequestReceived,
                                ..
                            },
                            KillAt::RequestReceived,
                        ) | (
                            SimEvent::StageReached {
                                step: RunStep::AwaitingCard,
                                ..
                            },
                            KillAt::AwaitingCard,
                        ) | (SimEvent::AbortReceived { .. }, KillAt::AbortReceived)
                            | (SimEvent::PaymentFinished { .. }, KillAt::PaymentFinished)
                            | (SimEvent::RepeatAnswered { .. }, KillAt::RepeatAnswered)
                    );
                    self.truth.take(&event);
                    hit
                }
            };
            if hit && !killed {
                killed = sigkill(&mut child);
            }
        }
        child.wait().expect("reaped");
        if killed {
            self.kills += 1;
            let what = extra
                .iter()
                .find(|a| a.starts_with("--") && **a != "--amount")
                .copied()
                .unwrap_or("payment");
            *self.kills_at.entry(format!("{what} {kill:?}")).or_default() += 1;
        }
        self.note_journal();
        for event in &printed {
            let kind = event["event"].as_str().unwrap_or("");
            if ["payment_success", "payment_error", "recovered"].contains(&kind) {
                let id = event["request_id"].as_str().expect("request id").to_owned();
                let result = OverallResult::from_wire(event["result"].as_str().expect("result"));
                self.reported.entry(id).or_default().push(result);
            }
        }
        printed
    }

    /// Every request the journal holds now joins the set of journaled requests.
    fn note_journal(&mut self) {
        for (id, _) in self.journal() {
            self.journaled.insert(id);
        }
    }

    /// The journal now: (RequestID, state) of each readable entry.
    fn journal(&self) -> Vec<(String, String)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("inflight-") && name.ends_with(".json")
            })
            .map(|e| {
                let value: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap())
                    .unwrap_or_else(|error| panic!("{} is torn: {error}", e.path().display()));
                (
                    value["request_id"].as_str().unwrap().to_owned(),
                    value["state"].as_str().unwrap_or("in_flight").to_owned(),
                )
            })
            .collect()
    }

    /// Events that came after the last run ended (a killed payment finishing on the terminal).
    fn drain(&mut self) {
        while let Ok(signal) = self.signals.try_recv() {
            if let Signal::Event(event) = signal {
                self.truth.take(&event);
            }
        }
    }

    /// The terminal finishes what it still runs (a payment whose POS died waits for nothing).
    fn settle_terminal(&mut self) {
        // A status request queues behind nothing on the terminal; the answer tells it is idle.
        self.run(&["--admin", "status"], KillAt::Never);
        self.drain();
    }

    /// What an operator does: resolve an entry only a person can settle, with the terminal's
    /// truth (the reprinted ticket, or the terminal's journal showing it never got the request).
    fn operator(&mut self) {
        for (id, state) in self.journal() {
            let never_received = !self.truth.received.contains(&id);
            let why = if state == "needs_operator" {
                "read the reprinted ticket"
            } else if never_received && state == "pending" {
                "the terminal's journal does not have it"
            } else {
                continue;
            };
            let printed = self.run(&["--resolve", &id, "--reason", why], KillAt::Never);
            assert_eq!(printed[0]["event"], "resolved", "{printed:?}");
            self.resolved.insert(id, why);
        }
    }
}

fn sigkill(child: &mut Child) -> bool {
    // false when it had already exited: then nothing was interrupted.
    matches!(child.try_wait(), Ok(None)) && child.kill().is_ok()
}

fn random_answers(rng: &mut Rng) -> Vec<RecoveryAnswer> {
    let pick = |rng: &mut Rng| match rng.below(9) {
        0 => RecoveryAnswer::Repeat,
        1 => RecoveryAnswer::RepeatDotted(rng.below(5) as u32),
        2 => RecoveryAnswer::RepeatForeign(format!("{}", 900_000 + rng.below(1000))),
        3 => RecoveryAnswer::Bare(OverallResult::Busy),
        4 => RecoveryAnswer::Bare(OverallResult::DeviceUnavailable),
        5 => RecoveryAnswer::Bare(OverallResult::TimedOut),
        6 => RecoveryAnswer::Bare(OverallResult::Failure),
        7 => RecoveryAnswer::Bare(OverallResult::Success),
        _ => RecoveryAnswer::Bare(OverallResult::PrintLastTicket),
    };
    (0..1 + rng.below(2)).map(|_| pick(rng)).collect()
}

#[test]
fn killed_at_a_thousand_points_no_payment_is_lost_misreported_or_given_a_repeated_id() {
    let target: usize = std::env::var("MAPI_TORTURE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = std::env::var("MAPI_TORTURE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_CC0F_FEE5);
    let mut rng = Rng(seed | 1);
    let mut t = Torture::new("main");
    let started = Instant::now();
    let mut iterations = 0usize;
    while t.kills < target {
        iterations += 1;
        assert!(iterations < target * 6, "too few kills landed: {}", t.kills);
        t.drain();
        let pending = t.journal();
        if !pending.is_empty() {
            // Recover what is pending, the terminal answering at random; sometimes killed.
            if rng.below(4) == 0 {
                t.settle_terminal();
            }
            t.simulator.set_script(Script {
                recovery_answers: random_answers(&mut rng),
                ..Script::success()
            });
            let kill = [
                KillAt::Never,
                KillAt::Never,
                KillAt::AtOnce,
                KillAt::RepeatAnswered,
                KillAt::Lines(1),
            ][rng.below(5)];
            t.run(&["--recover"], kill);
            if rng.below(3) == 0 {
                t.operator();
            }
            continue;
        }
        // Nothing pending: a payment, sometimes with an abort, killed somewhere.
        let (script, extra, kills): (Script, &[&str], &[KillAt]) = match rng.below(4) {
            0 => (
                Script::success(),
                &["--amount", "12.50"],
                &[
                    KillAt::AtOnce,
                    KillAt::RequestReceived,
                    KillAt::PaymentFinished,
                    KillAt::Lines(1),
                    KillAt::Lines(3),
                    KillAt::Never,
                ],
            ),
            1 => (
                Script::declined(),
                &["--amount", "7.00"],
                &[
                    KillAt::RequestReceived,
                    KillAt::PaymentFinished,
                    KillAt::Never,
                ],
            ),
            _ => (
                Script::abort_window(),
                &["--amount", "3.30", "--hammer-abort", "1"],
                &[
                    KillAt::AtOnce,
                    KillAt::AwaitingCard,
                    KillAt::AbortReceived,
                    KillAt::PaymentFinished,
                    KillAt::Lines(2),
                    KillAt::Never,
                ],
            ),
        };
        t.simulator.set_script(script);
        let kill = kills[rng.below(kills.len())];
        t.run(extra, kill);
    }

    // The end of the day: the terminal answers truthfully, the operator does their part, until
    // nothing is pending.
    t.simulator.set_script(Script::success());
    for _ in 0..10 {
        t.settle_terminal();
        if t.journal().is_empty() {
            break;
        }
        t.run(&["--recover"], KillAt::Never);
        t.drain();
        t.operator();
    }
    t.drain();
    let left = t.journal();
    assert!(left.is_empty(), "still pending at the end: {left:?}");

    // 0 misreported: every reported outcome is the terminal's decision for that request.
    let mut misreported = Vec::new();
    for (id, results) in &t.reported {
        for result in results {
            if t.truth.decided.get(id) != Some(result) {
                misreported.push((id.clone(), result.clone(), t.truth.decided.get(id).cloned()));
            }
        }
    }
    // 0 lost: every journaled request and every payment the terminal received was reported or
    // resolved, and every payment was journaled before it could reach the terminal.
    let accounted = |id: &String| t.reported.contains_key(id) || t.resolved.contains_key(id);
    let lost: Vec<&String> = t
        .journaled
        .iter()
        .chain(t.truth.payments.iter())
        .filter(|id| !accounted(id))
        .collect();
    let unjournaled: Vec<&String> = t
        .truth
        .payments
        .iter()
        .filter(|id| !t.journaled.contains(*id) && !t.reported.contains_key(*id))
        .collect();
    // 0 repeated RequestIDs.
    let mut seen = BTreeSet::new();
    let repeated: Vec<&String> = t
        .truth
        .received
        .iter()
        .filter(|id| !seen.insert(id.as_str()))
        .collect();
    let twice = t.reported.values().filter(|r| r.len() > 1).count();
    println!(
        "torture: {} kills in {} runs ({} iterations, seed {seed:#x}) in {:.1} s; {} payments reached the terminal, {} requests journaled, {} outcomes reported ({} reported again after a kill between report and clearing), {} resolved by the operator ({} from a reprinted ticket); misreported {}, lost {}, repeated RequestIDs {}",
        t.kills,
        t.runs,
        iterations,
        started.elapsed().as_secs_f64(),
        t.truth.payments.len(),
        t.journaled.len(),
        t.reported.len(),
        twice,
        t.resolved.len(),
        t.resolved.values().filter(|w| w.contains("ticket")).count(),
        misreported.len(),
        lost.len(),
        repeated.len()
    );
    println!("torture: kills by point: {:?}", t.kills_at);
    assert!(misreported.is_empty(), "misreported: {misreported:?}");
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(
        unjournaled.is_empty(),
        "reached the terminal unjournaled: {unjournaled:?}"
    );
    assert!(repeated.is_empty(), "repeated RequestIDs: {repeated:?}");
    t.simulator.shutdown();
    let _ = std::fs::remove_dir_all(&t.dir);
}
