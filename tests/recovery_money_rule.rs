//! The money rule under a terminal that answers recovery the way public CCV integrations show
//! terminals answer: only the terminal's answer about *this* request settles it; nothing
//! unsettled is deleted or overwritten; RequestIDs never repeat in a state directory.
//! (Issue findings 1–3; each test fails on the code before the fix.)

mod support;

use mapi::client::{Engine, PaymentService, PendingState, Terminal, TerminalService, Timeouts};
use mapi::message::{Message, OverallResult, RequestId};
use mapi::simulator::{RecoveryAnswer, Script, SimEvent, Simulator, SimulatorConfig};
use mapi::{Dialect, MapiError, SocketMode};
use support::{state_dir, Callback, Recorder, Rig, WAIT};

fn sale(amount: &str) -> mapi::client::Payment {
    mapi::client::Payment::sale(amount.parse().unwrap(), "EUR")
}

/// Every inflight journal file's request_id in `dir`.
fn journaled(dir: &std::path::Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("inflight-") && name.ends_with(".json")
        })
        .filter_map(|e| {
            let value: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()?;
            value["request_id"].as_str().map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids
}

/// A payment the terminal approved but whose answer the POS lost (the terminal closed the
/// connection after authorising): its entry stays. Returns its RequestID.
fn approved_but_lost(rig: &Rig) -> RequestId {
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("42.00"), payment.clone());
    let id = match payment.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::TerminalConnectionLost));
            error.request_id.expect("its id")
        }
        other => panic!("{other:?}"),
    };
    rig.simulator
        .wait_for(
            |e| {
                matches!(
                    e,
                    SimEvent::PaymentFinished {
                        result: OverallResult::Success,
                        ..
                    }
                )
            },
            WAIT,
        )
        .expect("the terminal approved it");
    id
}

fn with_recovery_answers(answers: Vec<RecoveryAnswer>) -> Script {
    Script {
        recovery_answers: answers,
        ..Script::close_after_authorisation()
    }
}

fn is_outcome(callback: &Callback) -> bool {
    matches!(
        callback,
        Callback::PaymentSuccess(_) | Callback::PaymentError(_)
    )
}

#[test]
fn finding1_a_busy_or_foreign_answer_is_not_reported_as_not_paid_and_the_entry_stays() {
    let non_answers = [
        RecoveryAnswer::Bare(OverallResult::Busy),
        RecoveryAnswer::Bare(OverallResult::DeviceUnavailable),
        RecoveryAnswer::Bare(OverallResult::TimedOut),
        RecoveryAnswer::Bare(OverallResult::Failure),
        RecoveryAnswer::RepeatForeign("777".to_owned()),
    ];
    for answer in non_answers {
        let dir = state_dir("finding1");
        let rig = Rig::with_state(
            Dialect::OpiNl,
            SocketMode::DualSocket,
            with_recovery_answers(vec![answer.clone()]),
            &dir,
        );
        let id = approved_but_lost(&rig);
        let recovery = Recorder::new();
        TerminalService::with_engine(&rig.engine).recover_payment(&rig.terminal, recovery.clone());
        match recovery.wait_final() {
            Callback::Error(error) => {
                assert_eq!(
                    error.mapi_error,
                    Some(MapiError::RecoveryPending),
                    "{answer:?}"
                );
                assert_eq!(error.request_id.as_ref(), Some(&id));
                assert!(error.recovery_needed);
            }
            other => panic!("{answer:?} was reported as an outcome: {other:?}"),
        }
        assert!(!recovery.calls().iter().any(is_outcome), "{answer:?}");
        rig.settle();
        assert_eq!(
            journaled(&dir),
            [id.to_string()],
            "{answer:?}: the evidence stays"
        );

        // Asked again, the terminal repeats its answer about the payment: now it is settled.
        let again = Recorder::new();
        TerminalService::with_engine(&rig.engine).recover_payment(&rig.terminal, again.clone());
        match again.wait_final() {
            Callback::PaymentSuccess(result) => {
                assert!(result.recovered);
                assert_eq!(result.request_id, id);
            }
            other => panic!("{answer:?}: {other:?}"),
        }
        rig.settle();
        assert!(journaled(&dir).is_empty());
    }
}

#[test]
fn a_dotted_original_request_id_names_the_request_before_the_dot() {
    let dir = state_dir("dotted");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        with_recovery_answers(vec![RecoveryAnswer::RepeatDotted(3)]),
        &dir,
    );
    let id = approved_but_lost(&rig);
    let recovery = Recorder::new();
    TerminalService::with_engine(&rig.engine).recover_payment(&rig.terminal, recovery.clone());
    match recovery.wait_final() {
        Callback::PaymentSuccess(result) => {
            assert!(result.recovered);
            assert_eq!(result.request_id, id);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn print_last_ticket_reprints_and_leaves_the_payment_to_an_operator() {
    let dir = state_dir("print-last-ticket");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        with_recovery_answers(vec![RecoveryAnswer::Bare(OverallResult::PrintLastTicket)]),
        &dir,
    );
    let id = approved_but_lost(&rig);
    let recovery = Recorder::new();
    let service = TerminalService::with_engine(&rig.engine);
    service.recover_payment(&rig.terminal, recovery.clone());
    match recovery.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::RecoveryPending));
            assert!(error.detail.contains("PrintLastTicket"), "{}", error.detail);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        recovery
            .calls()
            .iter()
            .any(|c| matches!(c, Callback::CustomerReceipt(lines) if !lines.is_empty())),
        "the reprinted ticket reached the printer callback: {:?}",
        recovery.calls()
    );
    let sent: Vec<String> = rig
        .simulator
        .received_messages()
        .iter()
        .filter(|m| matches!(m, Message::CardServiceRequest(_)))
        .map(|m| m.request_type().to_owned())
        .collect();
    assert!(
        sent.ends_with(&["RepeatLastMessage".to_owned(), "TicketReprint".to_owned()]),
        "{sent:?}"
    );
    rig.settle();
    let pending = service.pending_payments(&rig.terminal).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state, PendingState::NeedsOperator);
    assert_eq!(pending[0].request_id.as_ref(), Some(&id));
    assert!(pending[0].evidence.iter().any(|l| l.contains("ticket:")));

    // The operator read the ticket: resolved by hand, logged, the terminal free again.
    let resolved = service
        .resolve_pending(&rig.terminal, id.as_str(), "ticket reads APPROVED")
        .unwrap()
        .expect("it was pending");
    assert_eq!(resolved.request_id.as_ref(), Some(&id));
    assert!(journaled(&dir).is_empty());
    let log = std::fs::read_to_string(dir.join("resolved-payments.jsonl")).unwrap();
    assert!(log.contains("ticket reads APPROVED"));
}

#[test]
fn finding2_a_new_payment_never_overwrites_an_unsettled_entry() {
    let dir = state_dir("finding2");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::close_after_authorisation(),
        &dir,
    );
    let first = approved_but_lost(&rig);
    rig.simulator.set_script(Script::success());
    let sent_before = rig.simulator.received_messages().len();
    let second = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("5.00"), second.clone());
    match second.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::PaymentPendingRecovery));
            assert_eq!(
                error.request_id.as_ref(),
                Some(&first),
                "it names the pending one"
            );
        }
        other => panic!("a payment ran over an unsettled one: {other:?}"),
    }
    rig.settle();
    assert_eq!(
        journaled(&dir),
        [first.to_string()],
        "the first entry is intact"
    );
    let payments_sent = rig.simulator.received_messages()[sent_before..]
        .iter()
        .filter(|m| m.request_type() == "CardPayment")
        .count();
    assert_eq!(payments_sent, 0, "nothing was sent for the refused payment");
}

#[test]
fn with_automatic_recovery_a_new_payment_waits_for_the_recovery_then_runs() {
    let dir = state_dir("auto-first");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::close_after_authorisation(),
        &dir,
    );
    let first = approved_but_lost(&rig);
    rig.simulator.set_script(Script::success());
    // A restarted app with automatic recovery on.
    let engine = Engine::new().unwrap();
    let automatic = Recorder::new();
    engine.set_recovery_delegate(Some(automatic.clone()));
    let terminal = rig.terminal.clone();
    if let Some(listen) = engine.listen_address(&terminal, WAIT).unwrap() {
        rig.simulator.set_pos_address(listen);
    }
    let recovered = automatic.wait_final();
    match &recovered {
        Callback::PaymentSuccess(result) => {
            assert!(result.recovered);
            assert_eq!(result.request_id, first);
        }
        other => panic!("{other:?}"),
    }
    let second = Recorder::new();
    PaymentService::with_engine(&engine).payment(&terminal, sale("5.00"), second.clone());
    assert!(matches!(second.wait_final(), Callback::PaymentSuccess(_)));
    let settle = Recorder::new();
    TerminalService::with_engine(&engine).status(&terminal, settle.clone());
    settle.wait_final();
    assert!(journaled(&dir).is_empty());
}

#[test]
fn automatic_recovery_retries_with_backoff_until_the_terminal_answers_about_the_payment() {
    let dir = state_dir("auto-retry");
    let timeouts = Timeouts {
        recovery_retry: std::time::Duration::from_millis(20),
        ..Timeouts::for_dialect(Dialect::OpiNl)
    };
    let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::SingleSocket);
    config.script = with_recovery_answers(vec![
        RecoveryAnswer::Bare(OverallResult::Busy),
        RecoveryAnswer::Bare(OverallResult::DeviceUnavailable),
    ]);
    let simulator = Simulator::spawn(config).unwrap();
    let engine = Engine::new().unwrap();
    let automatic = Recorder::new();
    engine.set_recovery_delegate(Some(automatic.clone()));
    let terminal = Terminal::new("127.0.0.1", Dialect::OpiNl)
        .with_port(simulator.address().port())
        .with_socket_mode(SocketMode::SingleSocket)
        .with_timeouts(timeouts)
        .with_state_dir(&dir);
    let payment = Recorder::new();
    PaymentService::with_engine(&engine).payment(&terminal, sale("9.99"), payment.clone());
    let id = match payment.wait_final() {
        Callback::Error(error) => error.request_id.unwrap(),
        other => panic!("{other:?}"),
    };
    let finals = automatic.wait_finals(3);
    assert!(
        matches!(&finals[..2], [Callback::Error(a), Callback::Error(b)]
            if a.mapi_error == Some(MapiError::RecoveryPending) && b.mapi_error == Some(MapiError::RecoveryPending)),
        "{finals:?}"
    );
    match &finals[2] {
        Callback::PaymentSuccess(result) => {
            assert!(result.recovered);
            assert_eq!(result.request_id, id);
        }
        other => panic!("{other:?}"),
    }
    let repeats = simulator
        .received_messages()
        .iter()
        .filter(|m| m.request_type() == "RepeatLastMessage")
        .count();
    assert_eq!(repeats, 3);
    simulator.shutdown();
}

/// RequestIDs every simulator received.
fn ids_received(simulator: &mapi::simulator::SimulatorHandle) -> Vec<String> {
    simulator
        .received_messages()
        .iter()
        .filter(|m| {
            matches!(
                m,
                Message::CardServiceRequest(_) | Message::ServiceRequest(_)
            )
        })
        .map(|m| m.request_id().to_string())
        .collect()
}

#[test]
fn finding3_request_ids_are_unique_per_state_directory_across_terminals_and_restarts() {
    let dir = state_dir("finding3");
    let simulators: Vec<_> = (0..2)
        .map(|_| {
            Simulator::spawn(SimulatorConfig::new(
                Dialect::OpiNl,
                SocketMode::SingleSocket,
            ))
            .unwrap()
        })
        .collect();
    let terminals: Vec<Terminal> = simulators
        .iter()
        .map(|s| {
            Terminal::new("127.0.0.1", Dialect::OpiNl)
                .with_port(s.address().port())
                .with_socket_mode(SocketMode::SingleSocket)
                .with_state_dir(&dir)
        })
        .collect();
    for _restart in 0..3 {
        let engine = Engine::new().unwrap();
        // An app brings both terminals up first (each opens its state), then pays on them.
        for terminal in &terminals {
            engine.listen_address(terminal, WAIT).unwrap();
        }
        for _ in 0..3 {
            for terminal in &terminals {
                let payment = Recorder::new();
                PaymentService::with_engine(&engine).payment(
                    terminal,
                    sale("1.00"),
                    payment.clone(),
                );
                assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
            }
        }
        drop(engine);
    }
    let mut all: Vec<String> = simulators.iter().flat_map(ids_received).collect();
    let count = all.len();
    assert_eq!(count, 18);
    all.sort();
    all.dedup();
    assert_eq!(
        all.len(),
        count,
        "a RequestID was issued twice in one state directory"
    );
    for s in &simulators {
        s.shutdown();
    }
}
