//! Payments, failures and recovery end to end: Rust client ↔ real TCP simulator on loopback.

mod support;

use mapi::client::{Payment, PaymentService, TerminalService, Timeouts};
use mapi::message::{Message, OverallResult};
use mapi::simulator::{Fault, FaultPoint, GarbageKind, RunStep, Script, SimEvent, Stage};
use mapi::{Dialect, MapiError, SocketMode};
use support::{state_dir, Callback, Recorder, Rig, SETUPS, WAIT};

fn sale(amount: &str) -> Payment {
    Payment::sale(amount.parse().unwrap(), "EUR")
}

fn short_timeouts(dialect: Dialect) -> Timeouts {
    // 120 s becomes 1.2 s: the behaviour under test is the timeout, not its length.
    Timeouts::for_dialect(dialect).scaled(0.01)
}

#[test]
fn c1a_payment_succeeds_with_display_receipts_and_ejournal() {
    for (dialect, mode) in SETUPS {
        let rig = Rig::new(dialect, mode, Script::success());
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("12.50"),
            payment.clone(),
        );
        let case = format!("{dialect:?}/{mode:?}");
        match payment.wait_final() {
            Callback::PaymentSuccess(result) => {
                assert_eq!(result.result, OverallResult::Success, "{case}");
                assert_eq!(result.amount.unwrap().to_string(), "12.50");
                assert_eq!(result.currency.as_deref(), Some("EUR"));
                assert!(result.response.is_some());
            }
            other => panic!("{case}: {other:?}"),
        }
        let calls = payment.calls();
        let final_at = calls.iter().position(Callback::is_final).unwrap();
        let before_final = &calls[..final_at];
        assert!(
            before_final
                .iter()
                .any(|c| matches!(c, Callback::Display(_))),
            "{case}: display before the result"
        );
        assert!(
            before_final
                .iter()
                .any(|c| matches!(c, Callback::MerchantReceipt(_))),
            "{case}"
        );
        assert!(
            before_final
                .iter()
                .any(|c| matches!(c, Callback::CustomerReceipt(_))),
            "{case}"
        );
        assert!(
            before_final
                .iter()
                .any(|c| matches!(c, Callback::EJournal(_))),
            "{case}"
        );
        // The request on the wire carries the exact amount and our workstation.
        let request = rig
            .simulator
            .received_messages()
            .into_iter()
            .find_map(|m| match m {
                Message::CardServiceRequest(r) => Some(r),
                _ => None,
            })
            .unwrap();
        assert_eq!(request.total_amount.unwrap().value.to_string(), "12.50");
        assert_eq!(request.workstation_id, "POS1");
        assert!(request.request_id.as_str().len() <= 9);
    }
}

#[test]
fn declined_and_busy_results_reach_on_payment_error() {
    for (script, expected) in [
        (Script::declined(), OverallResult::Failure),
        (Script::busy(), OverallResult::Busy),
    ] {
        let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("1.00"),
            payment.clone(),
        );
        match payment.wait_final() {
            Callback::PaymentError(result) => assert_eq!(result.result, expected),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn q1f_device_unavailable_is_reported_as_the_terminal_result() {
    let rig = Rig::new(
        Dialect::OpiDe,
        SocketMode::SingleSocket,
        Script::device_unavailable(),
    );
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("5.00"), payment.clone());
    match payment.wait_final() {
        Callback::PaymentError(result) => {
            assert_eq!(result.result, OverallResult::DeviceUnavailable)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn q1g_silent_terminal_gives_response_timeout_and_asks_for_recovery() {
    for (dialect, mode) in [SETUPS[0], SETUPS[1]] {
        let rig = Rig::with_timeouts(dialect, mode, Script::silent(), short_timeouts(dialect));
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("5.00"),
            payment.clone(),
        );
        match payment.wait_final() {
            Callback::Error(error) => {
                assert_eq!(
                    error.mapi_error,
                    Some(MapiError::ResponseTimeout),
                    "{dialect:?}"
                );
                assert!(error.recovery_needed);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn failed_to_connect_when_nothing_listens() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::SingleSocket, Script::default());
    let mut terminal = rig.terminal.clone();
    // A port that was just free: bind, note it, release it.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    terminal.port = probe.local_addr().unwrap().port();
    drop(probe);
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&terminal, sale("5.00"), payment.clone());
    match payment.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::FailedToConnectToTerminal));
            assert!(!error.recovery_needed);
            assert!(error.detail.contains("refused"), "{}", error.detail);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn second_payment_while_one_runs_is_flow_already_happening_and_keeps_the_journal() {
    let dir = state_dir("second-payment");
    let rig = Rig::with_state(Dialect::OpiNl, SocketMode::DualSocket, Script::hold(), &dir);
    let first = Recorder::new();
    let second = Recorder::new();
    let service = PaymentService::with_engine(&rig.engine);
    service.payment(&rig.terminal, sale("10.00"), first.clone());
    rig.wait_step(RunStep::AwaitingCard);
    let journal = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("inflight-"))
        .expect("journal written before the payment left")
        .path();
    let recorded = std::fs::read_to_string(&journal).unwrap();
    service.payment(&rig.terminal, sale("20.00"), second.clone());
    match second.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::FlowAlreadyHappening))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        recorded,
        "the running payment's entry is untouched"
    );
    rig.simulator.release(Stage::CardPresented);
    rig.simulator.release(Stage::Completion);
    assert!(matches!(first.wait_final(), Callback::PaymentSuccess(_)));
    rig.settle();
    assert!(
        !journal.exists(),
        "journal cleared once the outcome was delivered"
    );
}

#[test]
fn t1a_connection_lost_after_authorisation_is_recovered_with_repeat_last_message() {
    for (dialect, mode) in [SETUPS[0], SETUPS[1]] {
        let dir = state_dir(&format!("recovery-{}", dialect.name()));
        let rig = Rig::with_state(dialect, mode, Script::close_after_authorisation(), &dir);
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("42.00"),
            payment.clone(),
        );
        let request_id = match payment.wait_final() {
            Callback::Error(error) => {
                assert_eq!(error.mapi_error, Some(MapiError::TerminalConnectionLost));
                assert!(error.recovery_needed);
                error.request_id.unwrap()
            }
            other => panic!("{other:?}"),
        };
        let decided = rig
            .simulator
            .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
            .unwrap();
        let recovery = Recorder::new();
        TerminalService::with_engine(&rig.engine).recover_payment(&rig.terminal, recovery.clone());
        match recovery.wait_final() {
            Callback::PaymentSuccess(result) => {
                assert!(result.recovered);
                assert_eq!(result.request_id, request_id);
                assert_eq!(result.amount.unwrap().to_string(), "42.00");
                assert!(matches!(
                    decided,
                    SimEvent::PaymentFinished {
                        result: OverallResult::Success,
                        ..
                    }
                ));
            }
            other => panic!("{dialect:?}: {other:?}"),
        }
        rig.settle();
        let leftover: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("inflight-"))
            .collect();
        assert!(leftover.is_empty(), "journal cleared after recovery");
    }
}

#[test]
fn garbage_from_the_terminal_never_ends_in_a_wrong_result() {
    for kind in [GarbageKind::WrongRequestId, GarbageKind::UnknownMessage] {
        let rig = Rig::new(
            Dialect::OpiNl,
            SocketMode::DualSocket,
            Script::garbage(kind),
        );
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("3.00"),
            payment.clone(),
        );
        assert!(
            matches!(payment.wait_final(), Callback::PaymentSuccess(_)),
            "{kind:?}: the real answer still counts"
        );
    }
    for kind in [GarbageKind::MalformedXml, GarbageKind::HugeLength] {
        let rig = Rig::with_timeouts(
            Dialect::OpiNl,
            SocketMode::DualSocket,
            Script::garbage(kind),
            short_timeouts(Dialect::OpiNl),
        );
        let payment = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("3.00"),
            payment.clone(),
        );
        match payment.wait_final() {
            Callback::Error(error) => {
                assert!(error.recovery_needed, "{kind:?}");
                assert!(matches!(
                    error.mapi_error,
                    Some(
                        MapiError::ReceivedUnknownMessageFromTerminal
                            | MapiError::TerminalConnectionLost
                    )
                ));
            }
            other => panic!("{kind:?}: {other:?}"),
        }
    }
}

#[test]
fn u1b_signature_question_is_answered_through_the_delegate() {
    for (answer, expected) in [
        (true, OverallResult::Success),
        (false, OverallResult::Failure),
    ] {
        let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::signature());
        let payment = Recorder::answering_signature(answer);
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("80.00"),
            payment.clone(),
        );
        let outcome = payment.wait_final();
        let result = match outcome {
            Callback::PaymentSuccess(r) | Callback::PaymentError(r) => r.result,
            other => panic!("{other:?}"),
        };
        assert_eq!(result, expected, "signature answered {answer}");
        assert!(payment
            .calls()
            .iter()
            .any(|c| matches!(c, Callback::SignatureAsked(_))));
    }
}

#[test]
fn status_login_and_period_closing_succeed() {
    let rig = Rig::new(Dialect::OpiDe, SocketMode::SingleSocket, Script::default());
    let service = TerminalService::with_engine(&rig.engine);
    let status = Recorder::new();
    service.status(&rig.terminal, status.clone());
    assert!(matches!(
        status.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let login = Recorder::new();
    service.login(&rig.terminal, login.clone());
    assert!(matches!(
        login.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let closing = Recorder::new();
    service.period_closing(&rig.terminal, closing.clone());
    assert!(matches!(
        closing.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let types: Vec<String> = rig
        .simulator
        .received_messages()
        .iter()
        .map(|m| m.request_type().to_owned())
        .collect();
    assert_eq!(types, ["Diagnosis", "Login", "ReconciliationWithClosure"]);
}

#[test]
fn close_right_after_the_request_is_connection_lost_with_recovery() {
    let script = Script::with_fault(Fault::CloseAt(FaultPoint::RequestReceived));
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("7.00"), payment.clone());
    match payment.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::TerminalConnectionLost));
            assert!(error.recovery_needed);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn t1a_automatic_recovery_at_start_reports_to_the_recovery_delegate() {
    let dir = state_dir("auto-recovery");
    let first = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::close_after_authorisation(),
        &dir,
    );
    let payment = Recorder::new();
    PaymentService::with_engine(&first.engine).payment(
        &first.terminal,
        sale("9.99"),
        payment.clone(),
    );
    let lost = match payment.wait_final() {
        Callback::Error(error) => error.request_id.unwrap(),
        other => panic!("{other:?}"),
    };
    first
        .simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .unwrap();
    // The app restarts: a new engine, same state directory and terminal, a recovery delegate.
    let restarted = mapi::client::Engine::new().unwrap();
    let recovery = Recorder::new();
    restarted.set_recovery_delegate(Some(recovery.clone()));
    let status = Recorder::new();
    TerminalService::with_engine(&restarted).status(&first.terminal, status.clone());
    match recovery.wait_final() {
        Callback::PaymentSuccess(result) => {
            assert!(result.recovered);
            assert_eq!(result.request_id, lost);
            assert_eq!(result.amount.unwrap().to_string(), "9.99");
        }
        other => panic!("{other:?}"),
    }
    // The status asked during recovery is answered too (refused while recovery runs, or served after).
    status.wait_final();
}

#[test]
fn corrupt_journal_at_start_is_reported_and_kept() {
    let dir = state_dir("corrupt-journal");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::SingleSocket,
        Script::default(),
        &dir,
    );
    let journal = dir.join(format!("inflight-{}.json", rig.terminal.key().file_stem()));
    std::fs::write(&journal, b"{\"version\":1,\"request_id\":\"12").unwrap();
    let restarted = mapi::client::Engine::new().unwrap();
    let recovery = Recorder::new();
    restarted.set_recovery_delegate(Some(recovery.clone()));
    let status = Recorder::new();
    TerminalService::with_engine(&restarted).status(&rig.terminal, status.clone());
    match recovery.wait_final() {
        Callback::Error(error) => assert!(error.detail.contains("corrupt"), "{}", error.detail),
        other => panic!("{other:?}"),
    }
    status.wait_final();
    assert!(
        journal.exists(),
        "a corrupt journal is never silently dropped"
    );
}

#[test]
fn u1a_u1c_identification_and_signature_questions_reach_their_delegate_methods() {
    for (scenario, signature, identification) in [
        ("identification", false, true),
        ("signature-and-identification", true, true),
    ] {
        for answer in [true, false] {
            let rig = Rig::new(
                Dialect::OpiNl,
                SocketMode::DualSocket,
                Script::from_name(scenario).unwrap(),
            );
            let payment = Recorder::answering_signature(answer);
            PaymentService::with_engine(&rig.engine).payment(
                &rig.terminal,
                sale("80.00"),
                payment.clone(),
            );
            let result = match payment.wait_final() {
                Callback::PaymentSuccess(r) | Callback::PaymentError(r) => r.result,
                other => panic!("{other:?}"),
            };
            let expected = if answer {
                OverallResult::Success
            } else {
                OverallResult::Failure
            };
            assert_eq!(result, expected, "{scenario} answered {answer}");
            let calls = payment.calls();
            let asked_identification = calls.iter().any(|c| matches!(c, Callback::IdentificationAsked(p) if p.iter().any(|l| l.contains("identification"))));
            let asked_signature = calls
                .iter()
                .any(|c| matches!(c, Callback::SignatureAsked(_)));
            // A refused signature ends the run before the identification question.
            assert_eq!(
                asked_identification,
                identification && (answer || !signature),
                "{scenario} {answer}"
            );
            assert_eq!(asked_signature, signature, "{scenario} {answer}");
        }
    }
}

#[test]
fn c1g_customer_display_text_reaches_show_on_customer_display() {
    let rig = Rig::new(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::from_name("customer-display").unwrap(),
    );
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("12.50"), payment.clone());
    assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
    let shown: Vec<String> = payment
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Callback::CustomerDisplay(lines) => Some(lines),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(shown.iter().any(|l| l.contains("12.50")), "{shown:?}");
}

#[test]
fn a_panic_in_the_engine_ends_pending_flows_with_one_error_and_the_terminal_keeps_working() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::SingleSocket, Script::hold());
    let held = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("3.00"), held.clone());
    rig.wait_step(RunStep::AwaitingCard);
    rig.engine.run(
        &rig.terminal,
        mapi::client::Operation::InjectPanic,
        Recorder::new(),
    );
    let held_id = match held.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::TerminalConnectionLost));
            assert!(
                error.recovery_needed,
                "the payment had left: its outcome is unknown"
            );
            error.request_id.unwrap()
        }
        other => panic!("{other:?}"),
    };
    rig.simulator.set_script(Script::success());
    rig.simulator.release(Stage::CardPresented);
    rig.simulator.release(Stage::Completion);
    // The terminal finishes the orphaned payment before it takes the next one (else: Busy).
    rig.simulator
        .wait_for(
            |e| matches!(e, SimEvent::PaymentFinished { request_id, .. } if *request_id == held_id),
            WAIT,
        )
        .expect("the terminal finished the held payment");
    let next = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale("4.00"), next.clone());
    assert!(
        matches!(next.wait_final(), Callback::PaymentSuccess(_)),
        "a fresh task serves the terminal"
    );
}
