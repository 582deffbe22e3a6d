//! The abort family end to end: Rust client ↔ real TCP simulator on loopback, every dialect and
//! socket mode. Tests synchronise on simulator events and callbacks, never on sleeps.

mod support;

use mapi::client::{Payment, PaymentService, TokenService};
use mapi::message::abort::{is_silent, AbortDisplay};
use mapi::message::{CardRequestType, Message, OverallResult};
use mapi::simulator::{Channel, RunStep, Script, SimEvent, Stage};
use mapi::{Dialect, MapiError, SocketMode};
use support::recorder::abort_outcomes;
use support::{Callback, Recorder, Rig, SETUPS, WAIT};

fn sale() -> Payment {
    Payment::sale("12.50".parse().unwrap(), "EUR")
}

/// The simulator's preset of that name (the same presets the CLI and the JVM tests use).
fn preset(name: &str) -> Script {
    Script::from_name(name).expect("known simulator preset")
}

/// AbortRequests the simulator received, with the channel they came on.
fn aborts_on_wire(rig: &Rig) -> Vec<(Channel, mapi::message::CardServiceRequest)> {
    rig.simulator
        .received()
        .into_iter()
        .filter_map(|frame| match frame.message {
            Ok(Message::CardServiceRequest(r))
                if r.request_type == CardRequestType::AbortRequest =>
            {
                Some((frame.channel, r))
            }
            _ => None,
        })
        .collect()
}

fn payment_channel(rig: &Rig) -> Channel {
    rig.simulator
        .received()
        .into_iter()
        .find(|f| matches!(&f.message, Ok(Message::CardServiceRequest(r)) if r.request_type == CardRequestType::CardPayment))
        .map(|f| f.channel)
        .expect("payment on the wire")
}

#[test]
fn f1a_abort_during_card_entry_is_accepted_and_payment_ends_aborted() {
    for (dialect, mode) in SETUPS {
        let rig = Rig::new(dialect, mode, Script::abort_window());
        let payment = Recorder::new();
        let abort = Recorder::new();
        let service = PaymentService::with_engine(&rig.engine);
        rig.pay_until_card_is_awaited(&service, &payment);
        service.abort(&rig.terminal, abort.clone());

        match abort.wait_final() {
            Callback::AdministrationSuccess(result) => {
                assert_eq!(result.result, OverallResult::Success)
            }
            other => panic!("{dialect:?}/{mode:?}: abort should succeed, got {other:?}"),
        }
        match payment.wait_final() {
            Callback::PaymentError(result) => assert_eq!(result.result, OverallResult::Aborted),
            other => panic!("{dialect:?}/{mode:?}: payment should end aborted, got {other:?}"),
        }
        let wire = aborts_on_wire(&rig);
        assert_eq!(wire.len(), 1);
        assert_eq!(
            wire[0].0,
            payment_channel(&rig),
            "same connection as the payment"
        );
        assert!(
            payment.display_lines().iter().any(|l| l == "Aborted"),
            "normal abort shows Aborted"
        );
        assert_eq!(payment.finals().len(), 1);
        assert_eq!(abort.finals().len(), 1);
    }
}

#[test]
fn f1b_abort_after_authorisation_is_refused_and_payment_succeeds() {
    for (dialect, mode) in SETUPS {
        let rig = Rig::new(dialect, mode, Script::too_late());
        let payment = Recorder::new();
        let abort = Recorder::new();
        let service = PaymentService::with_engine(&rig.engine);
        service.payment(&rig.terminal, sale(), payment.clone());
        rig.wait_step(RunStep::AwaitingCompletion);
        service.abort(&rig.terminal, abort.clone());
        match abort.wait_final() {
            Callback::Error(error) => {
                assert_eq!(
                    error.result,
                    Some(OverallResult::Failure),
                    "{dialect:?}/{mode:?}"
                );
                assert_eq!(error.mapi_error, None);
            }
            other => panic!("{dialect:?}/{mode:?}: abort should be refused, got {other:?}"),
        }
        rig.simulator.release(Stage::Completion);
        match payment.wait_final() {
            Callback::PaymentSuccess(result) => {
                assert_eq!(result.amount.unwrap().to_string(), "12.50");
                assert!(!result.recovered);
            }
            other => panic!("{dialect:?}/{mode:?}: payment should succeed, got {other:?}"),
        }
        let calls = payment.calls();
        assert!(calls.iter().any(|c| matches!(c, Callback::MerchantReceipt(lines) if lines.iter().any(|l| l.contains("12.50")))));
        assert!(calls
            .iter()
            .any(|c| matches!(c, Callback::CustomerReceipt(_))));
        assert!(calls.iter().any(|c| matches!(c, Callback::EJournal(_))));
        assert_eq!(payment.finals().len(), 1);
    }
}

#[test]
fn f1d_a_thousand_aborts_send_one_abort_request_and_get_one_answer_each() {
    for (dialect, mode) in [SETUPS[0], SETUPS[1]] {
        let rig = Rig::new(dialect, mode, Script::abort_window());
        let payment = Recorder::new();
        let aborts = Recorder::new();
        let service = PaymentService::with_engine(&rig.engine);
        rig.pay_until_card_is_awaited(&service, &payment);
        for _ in 0..1000 {
            service.abort(&rig.terminal, aborts.clone());
        }
        let finals = aborts.wait_finals(1000);
        payment.wait_final();
        let (successes, refused_locally) = abort_outcomes(&finals);
        assert_eq!(successes, 1, "{dialect:?}/{mode:?}");
        assert_eq!(refused_locally, 999);
        assert_eq!(
            aborts_on_wire(&rig).len(),
            1,
            "exactly one AbortRequest reached the terminal"
        );
        // A later flow on the same engine proves no stray callback was still queued for them.
        let status = Recorder::new();
        mapi::client::TerminalService::with_engine(&rig.engine)
            .status(&rig.terminal, status.clone());
        status.wait_final();
        assert_eq!(aborts.finals().len(), 1000);
        assert_eq!(payment.finals().len(), 1);
    }
}

#[test]
fn abort_on_new_connection_travels_on_its_own_connection() {
    let rig = Rig::new(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::abort_window(),
    );
    let payment = Recorder::new();
    let abort = Recorder::new();
    let service = PaymentService::with_engine(&rig.engine);
    rig.pay_until_card_is_awaited(&service, &payment);
    service.abort_on_new_connection(&rig.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(
        matches!(payment.wait_final(), Callback::PaymentError(r) if r.result == OverallResult::Aborted)
    );
    let wire = aborts_on_wire(&rig);
    assert_eq!(wire.len(), 1);
    assert_ne!(
        wire[0].0,
        payment_channel(&rig),
        "abort used a new connection"
    );
}

#[test]
fn token_normal_abort_shows_aborted_and_silent_abort_shows_nothing() {
    for (dialect, mode) in SETUPS {
        for silent in [false, true] {
            for new_connection in [false, true] {
                let rig = Rig::new(dialect, mode, Script::abort_window());
                let payment = Recorder::new();
                let abort = Recorder::new();
                PaymentService::with_engine(&rig.engine).payment(
                    &rig.terminal,
                    sale(),
                    payment.clone(),
                );
                rig.wait_step(RunStep::AwaitingCard);
                let tokens = TokenService::with_engine(&rig.engine);
                if new_connection {
                    tokens.abort_on_new_connection(silent, &rig.terminal, abort.clone());
                } else {
                    tokens.abort(silent, &rig.terminal, abort.clone());
                }
                let case =
                    format!("{dialect:?}/{mode:?} silent={silent} new_connection={new_connection}");
                assert!(
                    matches!(abort.wait_final(), Callback::AdministrationSuccess(_)),
                    "{case}"
                );
                payment.wait_final();
                let wire = aborts_on_wire(&rig);
                assert_eq!(wire.len(), 1, "{case}");
                let expected = if silent {
                    AbortDisplay::Silent
                } else {
                    AbortDisplay::Normal
                };
                assert_eq!(
                    is_silent(wire[0].1.private_data.as_ref()),
                    expected,
                    "{case}"
                );
                let shown = abort.display_lines().iter().any(|l| l == "Aborted");
                assert_eq!(shown, !silent, "{case}: abort delegate display");
                let shown = payment.display_lines().iter().any(|l| l == "Aborted");
                assert_eq!(shown, !silent, "{case}: payment delegate display");
            }
        }
    }
}

#[test]
fn abort_with_nothing_running_is_not_a_flow_happening_and_sends_nothing() {
    for (dialect, mode) in SETUPS {
        let rig = Rig::new(dialect, mode, Script::default());
        let abort = Recorder::new();
        PaymentService::with_engine(&rig.engine).abort(&rig.terminal, abort.clone());
        match abort.wait_final() {
            Callback::Error(error) => {
                assert_eq!(error.mapi_error, Some(MapiError::NotAFlowHappening))
            }
            other => panic!("{other:?}"),
        }
        let token = Recorder::new();
        TokenService::with_engine(&rig.engine).abort_on_new_connection(
            true,
            &rig.terminal,
            token.clone(),
        );
        assert!(
            matches!(token.wait_final(), Callback::Error(e) if e.mapi_error == Some(MapiError::NotAFlowHappening))
        );
        assert!(
            rig.simulator.received().is_empty(),
            "nothing reached the terminal"
        );
    }
}

#[test]
fn abort_answered_in_reverse_order_is_matched_by_request_id() {
    let script = preset("abort-responses-first");
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
    let payment = Recorder::new();
    let abort = Recorder::new();
    let service = PaymentService::with_engine(&rig.engine);
    rig.pay_until_card_is_awaited(&service, &payment);
    service.abort(&rig.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(
        matches!(payment.wait_final(), Callback::PaymentError(r) if r.result == OverallResult::Aborted)
    );
}

#[test]
fn abort_the_terminal_ignores_times_out_and_the_payment_goes_on() {
    let script = preset("ignore-aborts");
    let timeouts = mapi::client::Timeouts::for_dialect(Dialect::OpiNl).scaled(0.05);
    let rig = Rig::with_timeouts(Dialect::OpiNl, SocketMode::DualSocket, script, timeouts);
    let payment = Recorder::new();
    let abort = Recorder::new();
    let service = PaymentService::with_engine(&rig.engine);
    rig.pay_until_card_is_awaited(&service, &payment);
    service.abort(&rig.terminal, abort.clone());
    assert!(
        matches!(abort.wait_final(), Callback::Error(e) if e.mapi_error == Some(MapiError::ResponseTimeout))
    );
    assert!(payment.finals().is_empty(), "payment still runs");
    rig.simulator.release(Stage::CardPresented);
    assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
}

#[test]
fn a_second_abort_while_the_first_waits_is_secondary_flow() {
    let script = preset("ignore-aborts");
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
    let payment = Recorder::new();
    let first = Recorder::new();
    let second = Recorder::new();
    let service = PaymentService::with_engine(&rig.engine);
    rig.pay_until_card_is_awaited(&service, &payment);
    service.abort(&rig.terminal, first.clone());
    rig.simulator
        .wait_for(|e| matches!(e, SimEvent::AbortIgnored { .. }), WAIT)
        .expect("first abort reached the terminal");
    service.abort_on_new_connection(&rig.terminal, second.clone());
    assert!(
        matches!(second.wait_final(), Callback::Error(e) if e.mapi_error == Some(MapiError::SecondaryFlowAlreadyHappening))
    );
    assert!(first.finals().is_empty());
    assert_eq!(aborts_on_wire(&rig).len(), 1);
    rig.simulator.release(Stage::CardPresented);
    payment.wait_final();
}
