//! The sans-IO session driven by a scripted terminal and a virtual clock: no sockets, no sleeps.

use std::time::Duration;

use mapi::message::abort::AbortVia;
use mapi::message::abort::{is_silent, AbortDisplay};
use mapi::message::codec::encode_frame;
use mapi::message::{
    CardRequestType, CardServiceRequest, DeviceRequest, DeviceRequestType, DeviceTarget, Input,
    InputCommand, Message, Output, OverallResult, RequestId, TextLine,
};
use mapi::session::{CommandId, Diagnostic, Event, InputAnswer, Request};
use mapi::{Dialect, MapiError};
use proptest::prelude::*;

#[path = "support/session_harness.rs"]
mod session_harness;
use session_harness::{card_response, Harness};

#[test]
fn f1a_abort_on_same_connection_is_accepted_and_payment_ends_aborted() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(100);
    h.connect(conn);
    let abort = h.abort(101, AbortVia::SameConnection, AbortDisplay::Normal);
    let aborts = h.aborts_on_wire();
    assert_eq!(aborts.len(), 1);
    assert_eq!(
        aborts[0].0, conn,
        "abort travels on the payment's connection"
    );
    assert_eq!(
        aborts[0].1.request_id,
        RequestId::from(101),
        "abort has its own RequestID"
    );
    assert_eq!(
        is_silent(aborts[0].1.private_data.as_ref()),
        AbortDisplay::Normal
    );
    assert!(h.outcomes.is_empty());

    h.receive(
        conn,
        &card_response(100, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    h.receive(
        conn,
        &card_response(101, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert_eq!(
        h.closes,
        vec![conn],
        "connection closed once both answers arrived"
    );
    assert!(h.session.is_idle());
}

#[test]
fn f1b_abort_after_authorisation_is_refused_and_payment_completes() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(200);
    h.connect(conn);
    let abort = h.abort(201, AbortVia::SameConnection, AbortDisplay::Normal);
    h.receive(
        conn,
        &card_response(201, CardRequestType::AbortRequest, OverallResult::Failure),
    );
    assert_eq!(h.result_of(abort), OverallResult::Failure);
    assert!(
        !h.outcomes.contains_key(&payment),
        "payment still runs after a refused abort"
    );
    h.receive(
        conn,
        &card_response(200, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
}

#[test]
fn f1d_a_thousand_aborts_put_one_abort_request_on_the_wire_and_answer_each_once() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(300);
    h.connect(conn);
    let commands: Vec<CommandId> = (0..1000)
        .map(|i| h.abort(1000 + i, AbortVia::SameConnection, AbortDisplay::Normal))
        .collect();
    assert_eq!(
        h.aborts_on_wire().len(),
        1,
        "exactly one AbortRequest in flight"
    );
    for command in &commands[1..] {
        assert_eq!(
            h.error_of(*command),
            MapiError::SecondaryFlowAlreadyHappening
        );
    }
    h.receive(
        conn,
        &card_response(1000, CardRequestType::AbortRequest, OverallResult::Success),
    );
    h.receive(
        conn,
        &card_response(300, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(commands[0]), OverallResult::Success);
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
    let total: usize = h.outcomes.values().map(Vec::len).sum();
    assert_eq!(total, 1001, "one outcome per command, no more");
}

#[test]
fn abort_with_nothing_running_is_answered_locally_and_sends_nothing() {
    let mut h = Harness::new(Dialect::OpiNl);
    let abort = h.abort(1, AbortVia::SameConnection, AbortDisplay::Normal);
    assert_eq!(h.error_of(abort), MapiError::NotAFlowHappening);
    let abort = h.abort(2, AbortVia::NewConnection, AbortDisplay::Silent);
    assert_eq!(h.error_of(abort), MapiError::NotAFlowHappening);
    assert!(h.sent.is_empty() && h.connects.is_empty());
}

#[test]
fn abort_times_out_after_six_seconds_on_nl_and_five_on_de() {
    for (dialect, seconds) in [(Dialect::OpiNl, 6), (Dialect::OpiDe, 5)] {
        let mut h = Harness::new(dialect);
        let (payment, conn) = h.pay(10);
        h.connect(conn);
        let abort = h.abort(11, AbortVia::SameConnection, AbortDisplay::Normal);
        h.advance(Duration::from_secs(seconds) - Duration::from_millis(1));
        assert!(!h.outcomes.contains_key(&abort), "{dialect:?}: not yet");
        h.advance(Duration::from_millis(1));
        assert_eq!(h.error_of(abort), MapiError::ResponseTimeout);
        assert!(
            !h.outcomes.contains_key(&payment),
            "the payment keeps running"
        );
        assert!(h.closes.is_empty(), "the payment's connection stays open");
        // A second abort is possible again once the first ended.
        h.abort(12, AbortVia::SameConnection, AbortDisplay::Normal);
        assert_eq!(h.aborts_on_wire().len(), 2);
    }
}

#[test]
fn payment_times_out_after_120_seconds_and_needs_recovery() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(20);
    h.connect(conn);
    h.advance(Duration::from_secs(119));
    assert!(h.outcomes.is_empty());
    h.advance(Duration::from_secs(1));
    match h.only_outcome(payment) {
        Err(error) => {
            assert_eq!(error.error, MapiError::ResponseTimeout);
            assert!(error.recovery_needed);
            assert_eq!(error.request_id, Some(RequestId::from(20)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.closes, vec![conn]);
}

#[test]
fn de_payment_timeout_is_130_seconds() {
    let mut h = Harness::new(Dialect::OpiDe);
    let (payment, conn) = h.pay(21);
    h.connect(conn);
    h.advance(Duration::from_secs(129));
    assert!(h.outcomes.is_empty());
    h.advance(Duration::from_secs(1));
    assert_eq!(h.error_of(payment), MapiError::ResponseTimeout);
}

#[test]
fn connection_drop_during_payment_ends_in_connection_lost_marked_for_recovery() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(30);
    h.connect(conn);
    let abort = h.abort(31, AbortVia::SameConnection, AbortDisplay::Normal);
    h.session
        .handle_closed(conn, "connection reset by peer", h.now);
    h.drain();
    match h.only_outcome(payment) {
        Err(error) => {
            assert_eq!(error.error, MapiError::TerminalConnectionLost);
            assert!(error.recovery_needed, "money may have moved");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.error_of(abort), MapiError::TerminalConnectionLost);
    assert!(h.session.is_idle());
}

#[test]
fn connect_failure_ends_the_payment_without_recovery() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(40);
    h.session
        .handle_connect_failed(conn, "connection refused", h.now);
    h.drain();
    match h.only_outcome(payment) {
        Err(error) => {
            assert_eq!(error.error, MapiError::FailedToConnectToTerminal);
            assert!(!error.recovery_needed, "nothing was sent");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn connect_timeout_is_failed_to_connect() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, _conn) = h.pay(41);
    h.advance(Duration::from_secs(5));
    assert_eq!(h.error_of(payment), MapiError::FailedToConnectToTerminal);
}

#[test]
fn responses_in_reverse_order_are_matched_by_request_id_and_type() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(50);
    h.connect(conn);
    let abort = h.abort(51, AbortVia::SameConnection, AbortDisplay::Normal);
    // Same RequestID as the abort but the payment's type: must not be taken for either.
    h.receive(
        conn,
        &card_response(51, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty());
    h.receive(
        conn,
        &card_response(51, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert!(h.closes.is_empty(), "payment still needs the connection");
    h.receive(
        conn,
        &card_response(50, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
}

#[test]
fn a_response_with_an_unknown_request_id_is_ignored_and_reported() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(60);
    h.connect(conn);
    h.receive(
        conn,
        &card_response(999, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty());
    assert!(h.others.iter().any(|e| matches!(
        e,
        Event::Diagnostic(Diagnostic::UnmatchedResponse { summary, .. }) if summary.contains("RequestID=999")
    )));
    h.receive(
        conn,
        &card_response(60, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
}

#[test]
fn abort_on_new_connection_uses_a_second_connection() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(70);
    h.connect(conn);
    let abort = h.abort(71, AbortVia::NewConnection, AbortDisplay::Silent);
    assert_eq!(h.connects.len(), 2);
    let abort_conn = h.connects[1];
    assert_ne!(abort_conn, conn);
    assert!(
        h.aborts_on_wire().is_empty(),
        "nothing is sent before the connection is up"
    );
    h.connect(abort_conn);
    let aborts = h.aborts_on_wire();
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].0, abort_conn);
    assert_eq!(
        is_silent(aborts[0].1.private_data.as_ref()),
        AbortDisplay::Silent
    );
    h.receive(
        abort_conn,
        &card_response(71, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert_eq!(h.closes, vec![abort_conn]);
    h.receive(
        conn,
        &card_response(70, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
    assert_eq!(h.closes, vec![abort_conn, conn]);
}

#[test]
fn abort_before_the_request_left_is_sent_right_after_it() {
    for via in [AbortVia::SameConnection, AbortVia::NewConnection] {
        let mut h = Harness::new(Dialect::OpiNl);
        let (_payment, conn) = h.pay(80);
        let _abort = h.abort(81, via, AbortDisplay::Normal);
        assert!(h.sent.is_empty());
        assert_eq!(
            h.connects.len(),
            1,
            "{via:?}: no abort connection before the request left"
        );
        h.connect(conn);
        if via == AbortVia::NewConnection {
            assert_eq!(h.connects.len(), 2);
            h.connect(h.connects[1]);
        }
        let order: Vec<RequestId> = h.sent.iter().map(|(_, m)| m.request_id().clone()).collect();
        assert_eq!(
            order,
            vec![RequestId::from(80), RequestId::from(81)],
            "{via:?}"
        );
    }
}

#[test]
fn second_request_while_one_runs_is_flow_already_happening() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (_payment, conn) = h.pay(90);
    h.connect(conn);
    let request = CardServiceRequest::new(CardRequestType::CardPayment, "POS1", 91.into());
    let second = h.session.start(Request::Card(request), h.now);
    h.drain();
    assert_eq!(h.error_of(second), MapiError::FlowAlreadyHappening);
    assert_eq!(h.connects.len(), 1);
}

#[test]
fn response_split_into_single_bytes_is_reassembled() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(95);
    h.connect(conn);
    let frame = card_response(95, CardRequestType::CardPayment, OverallResult::Success)
        .to_frame()
        .unwrap();
    for byte in &frame[..frame.len() - 1] {
        h.session
            .handle_data(conn, std::slice::from_ref(byte), h.now);
        h.drain();
        assert!(h.outcomes.is_empty());
    }
    h.session
        .handle_data(conn, &frame[frame.len() - 1..], h.now);
    h.drain();
    assert_eq!(h.result_of(payment), OverallResult::Success);
}

#[test]
fn oversize_frame_closes_the_connection_and_asks_for_recovery() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(96);
    h.connect(conn);
    h.session.handle_data(conn, b"<?xml version", h.now);
    h.drain();
    assert!(h.closes.contains(&conn));
    match h.only_outcome(payment) {
        Err(error) => {
            assert_eq!(error.error, MapiError::TerminalConnectionLost);
            assert!(error.recovery_needed);
        }
        other => panic!("{other:?}"),
    }
    assert!(h
        .others
        .iter()
        .any(|e| matches!(e, Event::Diagnostic(Diagnostic::FramingError { .. }))));
}

#[test]
fn garbage_then_silence_is_reported_as_unknown_message() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(97);
    h.connect(conn);
    h.session
        .handle_data(conn, &encode_frame(b"<CardServiceResponse").unwrap(), h.now);
    h.drain();
    assert!(
        h.outcomes.is_empty(),
        "a bad frame alone does not end the payment"
    );
    h.advance(Duration::from_secs(120));
    assert_eq!(
        h.error_of(payment),
        MapiError::ReceivedUnknownMessageFromTerminal
    );
}

fn device_request(id: u64, outputs: Vec<Output>, input: Option<Input>) -> Message {
    Message::DeviceRequest(DeviceRequest {
        namespace: Default::default(),
        request_type: if input.is_some() {
            DeviceRequestType::Input
        } else {
            DeviceRequestType::Output
        },
        application_sender: Some("Terminal".into()),
        workstation_id: "POS1".into(),
        terminal_id: Some("T1".into()),
        request_id: id.into(),
        sequence_id: Some("1".into()),
        pop_id: None,
        outputs,
        input,
    })
}

#[test]
fn device_output_becomes_an_event_and_is_answered_on_its_connection() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (_payment, conn) = h.pay(110);
    h.connect(conn);
    let inbound = h.session.handle_inbound(h.now);
    let receipt = Output {
        target: DeviceTarget::PrinterReceipt,
        lines: vec![TextLine::new("   TOTAL EUR 12.50")],
    };
    let unknown = Output {
        target: DeviceTarget::Other("Fax".into()),
        lines: vec![TextLine::new("x")],
    };
    h.receive(inbound, &device_request(110, vec![receipt, unknown], None));
    assert!(h.others.iter().any(|e| matches!(
        e,
        Event::Output { target: DeviceTarget::PrinterReceipt, lines, .. } if lines[0].text == "   TOTAL EUR 12.50"
    )));
    let (answer_conn, answer) = h.sent.last().unwrap();
    assert_eq!(*answer_conn, inbound);
    match answer {
        Message::DeviceResponse(r) => {
            assert_eq!(r.request_id, RequestId::from(110));
            assert_eq!(r.sequence_id.as_deref(), Some("1"));
            assert_eq!(r.overall_result, OverallResult::PartialFailure);
            assert_eq!(r.outputs[0].result, OverallResult::Success);
            assert_eq!(r.outputs[1].result, OverallResult::DeviceUnavailable);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cashier_question_waits_for_the_app_answer() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (_payment, conn) = h.pay(120);
    h.connect(conn);
    let sent_before = h.sent.len();
    let input = Input {
        target: DeviceTarget::CashierKeyboard,
        command: Some(InputCommand {
            command: "GetConfirmation".into(),
            ..Default::default()
        }),
    };
    let prompt = Output {
        target: DeviceTarget::CashierDisplay,
        lines: vec![TextLine::new("Signature OK?")],
    };
    h.receive(conn, &device_request(120, vec![prompt], Some(input)));
    assert_eq!(
        h.sent.len(),
        sent_before,
        "no answer before the cashier decides"
    );
    let ticket = h
        .others
        .iter()
        .find_map(|e| match e {
            Event::InputRequested {
                ticket,
                command,
                prompt,
                ..
            } => {
                assert_eq!(command, "GetConfirmation");
                assert_eq!(prompt[0].text, "Signature OK?");
                Some(*ticket)
            }
            _ => None,
        })
        .expect("question reaches the app");
    h.session
        .answer_input(ticket, InputAnswer::Confirm(true), h.now)
        .unwrap();
    h.drain();
    match &h.sent.last().unwrap().1 {
        Message::DeviceResponse(r) => {
            let input = r.input.as_ref().unwrap();
            assert_eq!(input.value.as_ref().unwrap().boolean, Some(true));
        }
        other => panic!("{other:?}"),
    }
    assert!(h
        .session
        .answer_input(ticket, InputAnswer::Confirm(false), h.now)
        .is_err());
}

/// Random interleavings of commands, answers, drops and time: every command ends exactly once.
#[derive(Debug, Clone)]
enum Step {
    Pay,
    Abort(bool, bool),
    ConnectAll,
    AnswerPayment(bool),
    AnswerAbort(bool),
    DropFirst,
    Advance(u64),
    Garbage,
    /// The transport arms an abort for the running request (`transport::AbortLane`).
    ArmAbort,
    /// … and the app's thread fires it (silent or not), or the client withdraws it.
    FireArmed(bool),
    DisarmArmed,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Pay),
        (any::<bool>(), any::<bool>()).prop_map(|(a, b)| Step::Abort(a, b)),
        Just(Step::ConnectAll),
        any::<bool>().prop_map(Step::AnswerPayment),
        any::<bool>().prop_map(Step::AnswerAbort),
        Just(Step::DropFirst),
        (0u64..200_000).prop_map(Step::Advance),
        Just(Step::Garbage),
        Just(Step::ArmAbort),
        any::<bool>().prop_map(Step::FireArmed),
        Just(Step::DisarmArmed),
    ]
}

proptest! {
    #[test]
    fn every_command_ends_exactly_once(steps in proptest::collection::vec(step(), 1..60)) {
        let mut h = Harness::new(Dialect::OpiNl);
        let mut issued = Vec::new();
        let mut next_id = 1u64;
        let mut open = Vec::new();
        let mut armed = None;
        for step in steps {
            match step {
                Step::Pay => {
                    let request = CardServiceRequest::new(CardRequestType::CardPayment, "POS1", next_id.into());
                    issued.push(h.session.start(Request::Card(request), h.now));
                    next_id += 1;
                }
                Step::Abort(new_conn, silent) => {
                    let via = if new_conn { AbortVia::NewConnection } else { AbortVia::SameConnection };
                    let display = if silent { AbortDisplay::Silent } else { AbortDisplay::Normal };
                    issued.push(h.abort(next_id, via, display));
                    next_id += 1;
                }
                Step::ConnectAll => {
                    for conn in h.connects.clone() {
                        if !open.contains(&conn) {
                            open.push(conn);
                            h.connect(conn);
                        }
                    }
                }
                Step::AnswerPayment(ok) | Step::AnswerAbort(ok) => {
                    let abort = matches!(step, Step::AnswerAbort(_));
                    let last = h.sent.iter().rev().find(|(_, m)| {
                        (m.request_type() == "AbortRequest") == abort
                    }).cloned();
                    if let Some((conn, m)) = last {
                        let kind = if abort { CardRequestType::AbortRequest } else { CardRequestType::CardPayment };
                        let result = if ok { OverallResult::Success } else { OverallResult::Failure };
                        let id: u64 = m.request_id().as_str().parse().unwrap();
                        h.receive(conn, &card_response(id, kind, result));
                    }
                }
                Step::DropFirst => {
                    if let Some(conn) = open.first().copied() {
                        h.session.handle_closed(conn, "dropped", h.now);
                        h.drain();
                        open.remove(0);
                    }
                }
                Step::Advance(ms) => h.advance(Duration::from_millis(ms)),
                Step::Garbage => {
                    if let Some(conn) = open.last().copied() {
                        h.session.handle_data(conn, &[0, 0, 0, 3, b'<', b'x', b'>'], h.now);
                        h.drain();
                    }
                }
                Step::ArmAbort => {
                    if let Some(new) = h.session.arm_abort(next_id.into(), None) {
                        prop_assert!(armed.is_none(), "one arming at a time");
                        armed = Some(new);
                        next_id += 1;
                    }
                }
                Step::FireArmed(silent) => {
                    if let Some(a) = armed.take() {
                        let display = if silent { AbortDisplay::Silent } else { AbortDisplay::Normal };
                        let fired = h.session.armed_abort_fired(a.generation, display, h.now);
                        let fired = fired.expect("an arming neither fired nor withdrawn is known");
                        let message = Message::parse(&fired.frame[4..]).expect("valid OPI");
                        h.sent.push((fired.conn, message));
                        issued.push(fired.command);
                    }
                }
                Step::DisarmArmed => {
                    if let Some(a) = armed.take() {
                        prop_assert_eq!(h.session.disarm_abort(a.generation), Some(a.request_id));
                    }
                }
            }
            h.drain();
            for outcomes in h.outcomes.values() {
                prop_assert_eq!(outcomes.len(), 1);
            }
        }
        // Let every deadline pass: nothing may be left hanging.
        h.advance(Duration::from_secs(3600));
        for command in &issued {
            prop_assert_eq!(h.outcomes.get(command).map(Vec::len), Some(1), "command {:?}", command);
        }
        prop_assert!(h.session.is_idle());
        prop_assert_eq!(h.outcomes.len(), issued.len());
    }
}
