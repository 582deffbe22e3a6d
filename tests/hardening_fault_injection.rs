//! The payment and the abort through every network fault at every message boundary: a real TCP
//! proxy between the engine and the simulated terminal delays, splits into 1-byte writes,
//! coalesces, truncates, drops the connection inside a frame, duplicates, resets or swallows one
//! frame. Whatever happens, every call ends in exactly one callback; either the payment's outcome
//! is definitive and the journal is cleared, or the outcome asks for recovery, the journal entry
//! is there, and `recover_payment` settles it with what the terminal really decided; no answer is
//! ever attributed to the wrong request.

mod hardening_support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use hardening_support::proxy::{Cut, Direction, Fault, FaultKind};
use hardening_support::recorder::{Callback, Recorder, WAIT};
use hardening_support::{decided, sale, Pos};
use mapi::client::{PaymentService, TerminalService};
use mapi::message::{OverallResult, RequestId};
use mapi::simulator::{RunStep, Script, SimEvent};
use mapi::{Dialect, MapiError, SocketMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// A payment the terminal approves, with display, receipts and e-journal.
    Payment,
    /// A payment aborted (on its own connection) while the terminal waits for the card.
    Abort,
    /// The same, with the abort on a connection of its own (OPI-NL `abortOnNewConnection`).
    AbortOnNewConnection,
}

impl Scenario {
    fn aborts(self) -> bool {
        self != Scenario::Payment
    }

    /// The proxy connection the faults go to: the payment's, or the abort's own.
    fn faulted_connection(self) -> usize {
        match self {
            Scenario::AbortOnNewConnection => 1,
            _ => 0,
        }
    }
}

fn script(scenario: Scenario) -> Script {
    match scenario {
        Scenario::Payment => Script::success(),
        Scenario::Abort | Scenario::AbortOnNewConnection => Script::abort_window(),
    }
}

/// What one run showed, for the summary of a failing matrix.
struct Run {
    settled: OverallResult,
    recovered: bool,
    abort: Option<Callback>,
}

fn payment_id(callback: &Callback) -> RequestId {
    match callback {
        Callback::PaymentSuccess(r) | Callback::PaymentError(r) => r.request_id.clone(),
        Callback::Error(e) => e
            .request_id
            .clone()
            .expect("a payment error names its request"),
        other => panic!("not a payment outcome: {other:?}"),
    }
}

/// Runs `scenario` with `fault` (or none) and checks every invariant; returns what happened.
fn run(scenario: Scenario, mode: SocketMode, fault: Option<Fault>) -> (Run, Pos) {
    let faults: Vec<Fault> = fault.clone().into_iter().collect();
    let pos = Pos::new("faults", Dialect::OpiNl, mode, script(scenario), faults);
    let payment = Recorder::new();
    let abort = Recorder::new();
    let service = PaymentService::with_engine(&pos.engine);
    service.payment(&pos.terminal, sale(), payment.clone());
    if scenario.aborts() {
        // Abort while the terminal waits for the card — or as soon as the fault ended the
        // payment's connection, whichever the fault allows.
        pos.simulator
            .wait_for(
                |e| {
                    matches!(
                        e,
                        SimEvent::StageReached {
                            step: RunStep::AwaitingCard,
                            ..
                        } | SimEvent::Channel0Closed { .. }
                            | SimEvent::PaymentFinished { .. }
                    )
                },
                WAIT,
            )
            .expect("the payment reached the terminal or its connection ended");
        if scenario == Scenario::AbortOnNewConnection {
            service.abort_on_new_connection(&pos.terminal, abort.clone());
        } else {
            service.abort(&pos.terminal, abort.clone());
        }
    }
    let outcome = payment.wait_final();
    let abort_outcome = scenario.aborts().then(|| abort.wait_final());
    pos.settle();
    assert_eq!(payment.finals().len(), 1, "one payment outcome");
    if scenario.aborts() {
        assert_eq!(abort.finals().len(), 1, "one abort outcome");
    }
    if fault.is_some() {
        assert!(pos.proxy.fault_applied(), "the fault never struck");
    }

    let id = payment_id(&outcome);
    let journal = pos.journal();
    let (settled, recovered) = match &outcome {
        Callback::PaymentSuccess(result) | Callback::PaymentError(result) => {
            let response = result.response.as_ref().expect("a terminal answer");
            assert_eq!(response.request_id(), &id, "answer attributed to {id}");
            assert!(!result.recovered);
            assert_eq!(journal, None, "a definitive outcome clears the journal");
            assert_eq!(
                decided(&pos.simulator, &id),
                Some(result.result.clone()),
                "the app was told what the terminal decided"
            );
            (result.result.clone(), false)
        }
        Callback::Error(error) if error.recovery_needed => {
            let entry = journal.expect("an unsettled payment keeps its journal entry");
            assert_eq!(entry["request_id"], id.as_str());
            let recovery = Recorder::new();
            TerminalService::with_engine(&pos.engine)
                .recover_payment(&pos.terminal, recovery.clone());
            let result = match recovery.wait_final() {
                Callback::PaymentSuccess(r) | Callback::PaymentError(r) => r,
                Callback::Error(pending)
                    if pending.mapi_error == Some(MapiError::RecoveryPending) =>
                {
                    // The terminal's last answer is not about this payment: it never saw it. Nothing
                    // is guessed: the entry stays until the terminal tells or an operator resolves it.
                    assert_eq!(decided(&pos.simulator, &id), None, "{pending:?}");
                    pos.settle();
                    assert_eq!(recovery.finals().len(), 1);
                    assert!(pos.journal().is_some(), "a pending payment keeps its entry");
                    let resolved = TerminalService::with_engine(&pos.engine)
                        .resolve_pending(
                            &pos.terminal,
                            id.as_str(),
                            "test: never reached the terminal",
                        )
                        .expect("resolved");
                    assert!(resolved.is_some());
                    assert_eq!(pos.journal(), None);
                    return (
                        Run {
                            settled: OverallResult::Failure,
                            recovered: true,
                            abort: abort_outcome,
                        },
                        pos,
                    );
                }
                other => panic!("recovery over a healthy connection must settle: {other:?}"),
            };
            pos.settle();
            assert_eq!(recovery.finals().len(), 1);
            assert!(result.recovered);
            assert_eq!(result.request_id, id, "the journal's payment was recovered");
            assert_eq!(
                result.amount.map(|a| a.to_string()).as_deref(),
                Some("12.50")
            );
            let truth = decided(&pos.simulator, &id)
                .expect("a settled recovery is about a payment the terminal decided");
            assert_eq!(
                result.result, truth,
                "recovery reports the terminal's decision"
            );
            assert!(result.response.is_some());
            assert_eq!(pos.journal(), None, "recovery clears the journal");
            (result.result, true)
        }
        Callback::Error(error) => {
            // Known not to have left: nothing to recover, nothing decided.
            assert_eq!(journal, None);
            assert_eq!(decided(&pos.simulator, &id), None, "{error:?}");
            (OverallResult::Failure, false)
        }
        other => panic!("{other:?}"),
    };

    if let Some(abort_outcome) = &abort_outcome {
        match abort_outcome {
            Callback::AdministrationSuccess(result) => {
                assert_eq!(result.response.request_id(), &result.request_id);
                assert_eq!(result.response.request_type(), "AbortRequest");
                let accepted = pos.simulator.event_log().iter().any(|e| {
                    matches!(e, SimEvent::AbortAnswered { request_id, accepted: true }
                        if *request_id == result.request_id)
                });
                assert!(accepted, "an accepted abort was accepted by the terminal");
                assert_eq!(settled, OverallResult::Aborted, "an accepted abort aborts");
            }
            Callback::Error(error) => {
                assert!(!error.recovery_needed, "an abort never needs recovery");
                if error.result == Some(OverallResult::Failure) {
                    let refused = pos.simulator.event_log().iter().any(|e| {
                        matches!(e, SimEvent::AbortAnswered { request_id, accepted: false }
                            if Some(request_id) == error.request_id.as_ref())
                    });
                    assert!(refused, "a refusal came from the terminal");
                }
            }
            other => panic!("abort ended with {other:?}"),
        }
    }
    (
        Run {
            settled,
            recovered,
            abort: abort_outcome,
        },
        pos,
    )
}

/// The frames of the healthy flow on the payment's connection, per direction.
fn baseline(scenario: Scenario, mode: SocketMode) -> (usize, usize) {
    let (healthy, pos) = run(scenario, mode, None);
    let expected = match scenario {
        Scenario::Payment => OverallResult::Success,
        Scenario::Abort | Scenario::AbortOnNewConnection => OverallResult::Aborted,
    };
    assert_eq!(healthy.settled, expected);
    assert!(!healthy.recovered);
    let frames = pos.proxy.frames();
    let count = |direction| {
        frames
            .iter()
            .filter(|f| f.connection == scenario.faulted_connection() && f.direction == direction)
            .count()
    };
    (count(Direction::ToTerminal), count(Direction::ToPos))
}

fn kinds(direction: Direction) -> Vec<FaultKind> {
    let mut kinds = vec![
        FaultKind::Delay(Duration::from_millis(100)),
        FaultKind::SplitBytes,
        FaultKind::Coalesce,
        FaultKind::Truncate,
        FaultKind::DropAt(Cut::BeforeFrame),
        FaultKind::DropAt(Cut::InPrefix),
        FaultKind::DropAt(Cut::InPayload),
        FaultKind::Reset,
        FaultKind::Blackhole,
    ];
    if direction == Direction::ToPos {
        // A terminal may repeat a message; TCP never duplicates what the POS writes.
        kinds.push(FaultKind::Duplicate);
    }
    kinds
}

/// Faults that only slow or reshape the stream: the outcome must be the healthy one.
fn harmless(kind: &FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::Delay(_) | FaultKind::SplitBytes | FaultKind::Coalesce | FaultKind::Duplicate
    )
}

/// Every fault kind at every frame of one direction; all failures are reported together.
fn matrix(scenario: Scenario, mode: SocketMode, direction: Direction) {
    let (to_terminal, to_pos) = baseline(scenario, mode);
    assert!(to_terminal >= 1 && to_pos >= 1);
    let frames = match direction {
        Direction::ToTerminal => to_terminal,
        Direction::ToPos => to_pos,
    };
    let mut failures = Vec::new();
    let mut runs = 0;
    for frame in 0..frames {
        for kind in kinds(direction) {
            let fault = Fault {
                connection: scenario.faulted_connection(),
                direction,
                frame,
                kind: kind.clone(),
            };
            let label = format!("{scenario:?} {mode:?} {direction:?} frame {frame}: {kind:?}");
            runs += 1;
            let result = catch_unwind(AssertUnwindSafe(|| {
                let (run, _pos) = run(scenario, mode, Some(fault));
                eprintln!(
                    "{label}: {:?}{}{}",
                    run.settled,
                    if run.recovered { " (recovered)" } else { "" },
                    match &run.abort {
                        Some(Callback::AdministrationSuccess(_)) => ", abort accepted",
                        Some(_) => ", abort not accepted",
                        None => "",
                    }
                );
                if harmless(&kind) {
                    match scenario {
                        Scenario::Payment => {
                            assert_eq!(run.settled, OverallResult::Success);
                            assert!(!run.recovered);
                        }
                        Scenario::Abort | Scenario::AbortOnNewConnection => {
                            assert_eq!(run.settled, OverallResult::Aborted);
                            assert!(
                                matches!(run.abort, Some(Callback::AdministrationSuccess(_))),
                                "{:?}",
                                run.abort
                            );
                        }
                    }
                }
            }));
            if let Err(panic) = result {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{label}: {message}"));
            }
        }
    }
    assert!(runs >= frames * 9);
    assert!(
        failures.is_empty(),
        "{} of {runs} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn payment_survives_every_fault_on_every_frame_to_the_terminal() {
    matrix(
        Scenario::Payment,
        SocketMode::SingleSocket,
        Direction::ToTerminal,
    );
}

#[test]
fn payment_survives_every_fault_on_every_frame_to_the_pos() {
    matrix(
        Scenario::Payment,
        SocketMode::SingleSocket,
        Direction::ToPos,
    );
}

#[test]
fn abort_survives_every_fault_on_every_frame_to_the_terminal() {
    matrix(
        Scenario::Abort,
        SocketMode::SingleSocket,
        Direction::ToTerminal,
    );
}

#[test]
fn abort_survives_every_fault_on_every_frame_to_the_pos() {
    matrix(Scenario::Abort, SocketMode::SingleSocket, Direction::ToPos);
}

#[test]
fn dual_socket_payment_and_abort_survive_every_fault_on_channel_0() {
    for scenario in [Scenario::Payment, Scenario::Abort] {
        for direction in [Direction::ToTerminal, Direction::ToPos] {
            matrix(scenario, SocketMode::DualSocket, direction);
        }
    }
}

#[test]
fn abort_on_a_new_connection_survives_every_fault_on_that_connection() {
    for direction in [Direction::ToTerminal, Direction::ToPos] {
        matrix(
            Scenario::AbortOnNewConnection,
            SocketMode::SingleSocket,
            direction,
        );
    }
}
