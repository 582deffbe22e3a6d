//! Decisions of the sans-IO session that mutation testing (scripts/mutants.sh) showed no other test
//! pinned down: which answer belongs to which command, what a dropped connection ends, when the
//! session counts as idle. Each test asserts an outcome a wrong rule would change; the mutants
//! each one kills are listed in docs/mutation-testing.md. Virtual time, no sockets, no sleeps.

use mapi::message::abort::AbortDisplay;
use mapi::message::abort::AbortVia;
use mapi::message::{
    CardRequestType, CardServiceRequest, CardServiceResponse, DeviceRequest, DeviceRequestType,
    DeviceResponse, DeviceTarget, Input, InputCommand, Message, OriginalHeader, Output,
    OverallResult, RequestId, ServiceRequest, ServiceRequestType, ServiceResponse, TextLine,
};
use mapi::session::{
    CommandId, ConnId, Diagnostic, Event, InputAnswer, InputTicket, Request, DELIVERY_BOX,
};
use mapi::{Dialect, MapiError, SocketMode};

#[path = "support/session_harness.rs"]
mod session_harness;
use session_harness::{card_response, Harness};

/// A payment that has left on its connection.
fn running_payment(h: &mut Harness, id: u64) -> (CommandId, ConnId) {
    let (payment, conn) = h.pay(id);
    h.connect(conn);
    (payment, conn)
}

/// Starts `request` and returns its command and (not yet connected) connection.
fn start(h: &mut Harness, request: Request) -> (CommandId, ConnId) {
    let command = h.session.start(request, h.now);
    h.drain();
    let conn = *h.connects.last().expect("a request opens a connection");
    (command, conn)
}

fn service_response(id: u64, request_type: ServiceRequestType, result: OverallResult) -> Message {
    let request = ServiceRequest::new(request_type, "POS1", id.into());
    Message::ServiceResponse(ServiceResponse::answering(&request, result))
}

fn unmatched_responses(h: &Harness) -> usize {
    h.others
        .iter()
        .filter(|e| matches!(e, Event::Diagnostic(Diagnostic::UnmatchedResponse { .. })))
        .count()
}

fn detail_of(h: &Harness, command: CommandId) -> String {
    match h.only_outcome(command) {
        Err(error) => error.detail.clone(),
        Ok(response) => panic!("expected an error, got {response:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Which answer belongs to the running request (handle_response)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_answer_with_the_requests_id_but_another_request_type_is_not_its_answer() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 100);
    // Same RequestID, same root, wrong RequestType: a refund's answer settles no payment.
    h.receive(
        conn,
        &card_response(100, CardRequestType::PaymentRefund, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    assert_eq!(unmatched_responses(&h), 1);
    h.receive(
        conn,
        &card_response(100, CardRequestType::CardPayment, OverallResult::Failure),
    );
    assert_eq!(h.result_of(payment), OverallResult::Failure);
}

#[test]
fn an_answer_under_the_other_root_is_not_the_answer_even_with_the_same_type() {
    // TicketReprint exists as a card request (last ticket) and a service request (period
    // closing ticket): the root tells them apart.
    let mut h = Harness::new(Dialect::OpiNl);
    let request = CardServiceRequest::new(CardRequestType::TicketReprint, "POS1", 110.into());
    let (reprint, conn) = start(&mut h, Request::Card(request));
    h.connect(conn);
    h.receive(
        conn,
        &service_response(
            110,
            ServiceRequestType::TicketReprint,
            OverallResult::Success,
        ),
    );
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    h.receive(
        conn,
        &card_response(110, CardRequestType::TicketReprint, OverallResult::Success),
    );
    assert_eq!(h.result_of(reprint), OverallResult::Success);

    // And the other way round: a service request is not answered by a card response.
    let mut h = Harness::new(Dialect::OpiNl);
    let request = ServiceRequest::new(ServiceRequestType::TicketReprint, "POS1", 111.into());
    let (closing_ticket, conn) = start(&mut h, Request::Service(request));
    h.connect(conn);
    h.receive(
        conn,
        &card_response(111, CardRequestType::TicketReprint, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    h.receive(
        conn,
        &service_response(
            111,
            ServiceRequestType::TicketReprint,
            OverallResult::Failure,
        ),
    );
    assert_eq!(h.result_of(closing_ticket), OverallResult::Failure);
}

#[test]
fn a_repeat_last_message_is_answered_under_the_original_requests_type_and_root() {
    // The terminal repeats its last answer as it was: a CardServiceResponse of type CardPayment,
    // carrying the RepeatLastMessage's RequestID and the original in OriginalHeader.
    let mut h = Harness::new(Dialect::OpiNl);
    let request = CardServiceRequest::new(CardRequestType::RepeatLastMessage, "POS1", 120.into());
    let (recovery, conn) = start(&mut h, Request::Card(request));
    h.connect(conn);
    let original = CardServiceRequest::new(CardRequestType::CardPayment, "POS1", 120.into());
    let mut repeated = CardServiceResponse::answering(&original, OverallResult::Success);
    repeated.original_header = Some(OriginalHeader {
        request_type: Some("CardPayment".to_owned()),
        request_id: Some(RequestId::from(119)),
        ..Default::default()
    });
    h.receive(conn, &Message::CardServiceResponse(repeated));
    assert_eq!(h.result_of(recovery), OverallResult::Success);

    // Under the other root too (a service request repeated for a card RepeatLastMessage).
    let mut h = Harness::new(Dialect::OpiNl);
    let request = CardServiceRequest::new(CardRequestType::RepeatLastMessage, "POS1", 121.into());
    let (recovery, conn) = start(&mut h, Request::Card(request));
    h.connect(conn);
    h.receive(
        conn,
        &service_response(
            121,
            ServiceRequestType::ReconciliationWithClosure,
            OverallResult::Success,
        ),
    );
    assert_eq!(h.result_of(recovery), OverallResult::Success);

    // The RequestID still has to be the RepeatLastMessage's own.
    let mut h = Harness::new(Dialect::OpiNl);
    let request = CardServiceRequest::new(CardRequestType::RepeatLastMessage, "POS1", 122.into());
    let (recovery, conn) = start(&mut h, Request::Card(request));
    h.connect(conn);
    h.receive(
        conn,
        &card_response(119, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(!h.outcomes.contains_key(&recovery));
}

#[test]
fn nothing_answers_a_request_that_has_not_left_yet() {
    // The request waits for its connection; bytes reported on that connection before it is up
    // cannot be the terminal's answer to a request it never received.
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(130);
    h.receive(
        conn,
        &card_response(130, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    h.connect(conn);
    assert_eq!(h.sent.len(), 1, "the payment still goes out");
    h.receive(
        conn,
        &card_response(130, CardRequestType::CardPayment, OverallResult::Failure),
    );
    assert_eq!(h.result_of(payment), OverallResult::Failure);
}

// ---------------------------------------------------------------------------------------------
// Which answer belongs to the running abort
// ---------------------------------------------------------------------------------------------

#[test]
fn a_late_answer_to_an_earlier_abort_does_not_end_the_current_one() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 200);
    let first = h.abort(201, AbortVia::SameConnection, AbortDisplay::Normal);
    h.advance(Dialect::OpiNl.default_abort_timeout());
    assert_eq!(h.error_of(first), MapiError::ResponseTimeout);
    let second = h.abort(202, AbortVia::SameConnection, AbortDisplay::Normal);
    // The terminal finally refuses the first abort: that says nothing about the second.
    h.receive(
        conn,
        &card_response(201, CardRequestType::AbortRequest, OverallResult::Failure),
    );
    assert!(!h.outcomes.contains_key(&second), "{:?}", h.outcomes);
    assert_eq!(unmatched_responses(&h), 1);
    h.receive(
        conn,
        &card_response(202, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(second), OverallResult::Success);
    assert!(!h.outcomes.contains_key(&payment));
}

#[test]
fn an_abort_is_not_answered_before_it_has_gone_out() {
    // abortOnNewConnection: the AbortRequest waits for its own connection. An answer with its id
    // reported there before the connection is up cannot be the terminal's answer to it.
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, _conn) = running_payment(&mut h, 210);
    let abort = h.abort(211, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.receive(
        abort_conn,
        &card_response(211, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    h.connect(abort_conn);
    assert_eq!(h.aborts_on_wire().len(), 1, "the abort still goes out");
    h.receive(
        abort_conn,
        &card_response(211, CardRequestType::AbortRequest, OverallResult::Failure),
    );
    assert_eq!(h.result_of(abort), OverallResult::Failure);
    assert!(!h.outcomes.contains_key(&payment));
}

// ---------------------------------------------------------------------------------------------
// What a connection that is gone ends (connection_gone)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_abort_waiting_for_its_request_ends_when_the_request_cannot_connect() {
    for via in [AbortVia::SameConnection, AbortVia::NewConnection] {
        let mut h = Harness::new(Dialect::OpiNl);
        let (payment, conn) = h.pay(300);
        let abort = h.abort(301, via, AbortDisplay::Normal);
        h.session
            .handle_connect_failed(conn, "connection refused", h.now);
        h.drain();
        assert_eq!(h.error_of(payment), MapiError::FailedToConnectToTerminal);
        match h.only_outcome(abort) {
            Err(error) => {
                assert_eq!(error.error, MapiError::FailedToConnectToTerminal, "{via:?}");
                assert!(!error.recovery_needed, "{via:?}: nothing was sent");
            }
            other => panic!("{via:?}: {other:?}"),
        }
        assert!(h.sent.is_empty(), "{via:?}: {:?}", h.sent);
        assert!(h.session.is_idle(), "{via:?}");
    }
}

#[test]
fn an_abort_on_its_own_connection_outlives_the_requests_connection() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 310);
    let abort = h.abort(311, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.connect(abort_conn);
    h.session.handle_closed(conn, "connection reset", h.now);
    h.drain();
    match h.only_outcome(payment) {
        Err(error) => {
            assert_eq!(error.error, MapiError::TerminalConnectionLost);
            assert!(error.recovery_needed);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !h.outcomes.contains_key(&abort),
        "the abort still waits for its answer on its own connection"
    );
    h.receive(
        abort_conn,
        &card_response(311, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert!(h.session.is_idle());
}

#[test]
fn the_abort_connection_dropping_ends_the_abort_at_once_and_not_the_payment() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 320);
    let abort = h.abort(321, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.connect(abort_conn);
    h.session
        .handle_closed(abort_conn, "connection reset", h.now);
    h.drain();
    match h.only_outcome(abort) {
        Err(error) => {
            assert_eq!(error.error, MapiError::TerminalConnectionLost);
            assert!(!error.recovery_needed, "an abort moves no money");
            assert!(error.detail.starts_with("abort connection ended"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!h.outcomes.contains_key(&payment));
    assert!(
        !h.closes.contains(&conn),
        "the payment keeps its connection"
    );
    h.receive(
        conn,
        &card_response(320, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
}

#[test]
fn a_same_connection_abort_ends_with_its_request_when_that_connection_drops() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 330);
    let abort = h.abort(331, AbortVia::SameConnection, AbortDisplay::Normal);
    h.session.handle_closed(conn, "connection reset", h.now);
    h.drain();
    assert_eq!(h.error_of(payment), MapiError::TerminalConnectionLost);
    assert_eq!(h.error_of(abort), MapiError::TerminalConnectionLost);
    // The support log says why: the request's connection, not an abort connection of its own.
    assert!(
        detail_of(&h, abort).starts_with("the request's connection ended"),
        "{}",
        detail_of(&h, abort)
    );
}

#[test]
fn a_channel_1_connection_closing_ends_nothing() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 340);
    let abort = h.abort(341, AbortVia::SameConnection, AbortDisplay::Normal);
    let inbound = h.session.handle_inbound(h.now);
    h.session.handle_closed(inbound, "receipt delivered", h.now);
    h.drain();
    assert!(h.outcomes.is_empty(), "{:?}", h.outcomes);
    h.receive(
        conn,
        &card_response(341, CardRequestType::AbortRequest, OverallResult::Success),
    );
    h.receive(
        conn,
        &card_response(340, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
}

#[test]
fn an_abort_left_from_an_earlier_request_is_not_sent_again_for_the_next_one() {
    // The first payment's connection dropped while its abortOnNewConnection waited for an answer;
    // the app starts the next payment. Nothing may abort that one on the old abort's behalf.
    let mut h = Harness::new(Dialect::OpiNl);
    let (_first, conn) = running_payment(&mut h, 350);
    let abort = h.abort(351, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.connect(abort_conn);
    h.session.handle_closed(conn, "connection reset", h.now);
    h.drain();
    let (second, second_conn) = running_payment(&mut h, 352);
    assert_eq!(h.connects.len(), 3, "no new connection for the old abort");
    assert_eq!(
        h.aborts_on_wire().len(),
        1,
        "the AbortRequest went out once"
    );
    h.receive(
        abort_conn,
        &card_response(351, CardRequestType::AbortRequest, OverallResult::Failure),
    );
    assert_eq!(h.result_of(abort), OverallResult::Failure);
    h.receive(
        second_conn,
        &card_response(352, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(second), OverallResult::Success);
}

// ---------------------------------------------------------------------------------------------
// What a request's timeout ends (handle_timeout)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_abort_waiting_for_its_request_ends_when_the_request_never_connects() {
    for via in [AbortVia::SameConnection, AbortVia::NewConnection] {
        let mut h = Harness::new(Dialect::OpiNl);
        let (payment, _conn) = h.pay(500);
        let abort = h.abort(501, via, AbortDisplay::Normal);
        h.advance(h.session.config().connect_timeout);
        assert_eq!(h.error_of(payment), MapiError::FailedToConnectToTerminal);
        match h.only_outcome(abort) {
            Err(error) => {
                assert_eq!(error.error, MapiError::FailedToConnectToTerminal, "{via:?}");
                assert!(!error.recovery_needed, "{via:?}");
            }
            other => panic!("{via:?}: {other:?}"),
        }
        assert!(h.session.is_idle(), "{via:?}");
    }
}

#[test]
fn an_abort_on_its_own_connection_outlives_its_requests_timeout() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 510);
    let request_timeout = h.session.config().request_timeout;
    // The merchant presses stop a second before the payment would time out.
    h.advance(request_timeout - std::time::Duration::from_secs(1));
    let abort = h.abort(511, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.connect(abort_conn);
    h.advance(std::time::Duration::from_secs(1));
    assert_eq!(h.error_of(payment), MapiError::ResponseTimeout);
    assert!(h.closes.contains(&conn));
    assert!(
        !h.outcomes.contains_key(&abort),
        "the abort still waits on its own connection"
    );
    h.receive(
        abort_conn,
        &card_response(511, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert!(h.session.is_idle());
}

#[test]
fn a_same_connection_abort_ends_with_its_request_at_the_requests_timeout() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, _conn) = running_payment(&mut h, 520);
    let request_timeout = h.session.config().request_timeout;
    h.advance(request_timeout - std::time::Duration::from_secs(1));
    let abort = h.abort(521, AbortVia::SameConnection, AbortDisplay::Normal);
    h.advance(std::time::Duration::from_secs(1));
    assert_eq!(h.error_of(payment), MapiError::ResponseTimeout);
    assert_eq!(
        h.error_of(abort),
        MapiError::ResponseTimeout,
        "ended with its request, not left to its own deadline"
    );
    assert!(h.session.is_idle());
}

// ---------------------------------------------------------------------------------------------
// Armed aborts: a generation names one arming
// ---------------------------------------------------------------------------------------------

#[test]
fn an_earlier_armings_generation_does_not_reach_the_current_arming() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 600);
    let first = h.session.arm_abort(601.into(), None).expect("armable");
    assert_eq!(
        h.session.disarm_abort(first.generation),
        Some(RequestId::from(601))
    );
    let second = h
        .session
        .arm_abort(602.into(), None)
        .expect("armable again");
    assert_ne!(first.generation, second.generation);
    assert!(!h.session.armed_abort_is_current(first.generation));
    assert_eq!(h.session.disarm_abort(first.generation), None);
    assert!(h
        .session
        .armed_abort_fired(first.generation, AbortDisplay::Normal, h.now)
        .is_none());
    // The current arming is untouched and still fires as itself.
    assert!(h.session.armed_abort_is_current(second.generation));
    let fired = h
        .session
        .armed_abort_fired(second.generation, AbortDisplay::Normal, h.now)
        .expect("the current arming fires");
    h.drain();
    assert_eq!(fired.conn, conn);
    h.receive(
        conn,
        &card_response(602, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(fired.command), OverallResult::Success);
    assert!(!h.outcomes.contains_key(&payment));
}

// ---------------------------------------------------------------------------------------------
// When the session is idle
// ---------------------------------------------------------------------------------------------

fn device_request(
    id: u64,
    request_type: DeviceRequestType,
    outputs: Vec<Output>,
    input: Option<Input>,
) -> Message {
    Message::DeviceRequest(DeviceRequest {
        namespace: Default::default(),
        request_type,
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

fn output(target: DeviceTarget, text: &str) -> Output {
    Output {
        target,
        lines: vec![TextLine::new(text)],
    }
}

/// "Signature OK?" on the cashier display, a yes/no on the cashier keyboard.
fn question(id: u64) -> Message {
    device_request(
        id,
        DeviceRequestType::Input,
        vec![output(DeviceTarget::CashierDisplay, "Signature OK?")],
        Some(Input {
            target: DeviceTarget::CashierKeyboard,
            command: Some(InputCommand {
                command: "GetConfirmation".into(),
                ..Default::default()
            }),
        }),
    )
}

/// The tickets of the questions asked so far, oldest first.
fn tickets(h: &Harness) -> Vec<(InputTicket, String)> {
    h.others
        .iter()
        .filter_map(|e| match e {
            Event::InputRequested {
                ticket, command, ..
            } => Some((*ticket, command.clone())),
            _ => None,
        })
        .collect()
}

/// The DeviceResponses the POS wrote, with their connections.
fn device_responses(h: &Harness) -> Vec<(ConnId, DeviceResponse)> {
    h.sent
        .iter()
        .filter_map(|(conn, m)| match m {
            Message::DeviceResponse(r) => Some((*conn, r.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_session_is_idle_only_when_no_request_abort_or_question_is_pending() {
    let mut h = Harness::new(Dialect::OpiNl);
    assert!(h.session.is_idle(), "nothing started");
    let (payment, conn) = h.pay(400);
    assert!(!h.session.is_idle(), "a request waits for its connection");
    h.connect(conn);
    assert!(!h.session.is_idle(), "a request runs");
    let abort = h.abort(401, AbortVia::SameConnection, AbortDisplay::Normal);
    h.receive(
        conn,
        &card_response(400, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
    assert!(!h.session.is_idle(), "the abort still waits for its answer");
    h.receive(
        conn,
        &card_response(401, CardRequestType::AbortRequest, OverallResult::Success),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert!(h.session.is_idle());

    // A cashier question asked on channel 1 outlives the request it came with.
    let (payment, conn) = running_payment(&mut h, 402);
    let inbound = h.session.handle_inbound(h.now);
    h.receive(inbound, &question(402));
    let (ticket, _) = tickets(&h)[0].clone();
    h.receive(
        conn,
        &card_response(402, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
    assert!(!h.session.is_idle(), "the cashier has not answered yet");
    h.session
        .answer_input(ticket, InputAnswer::Confirm(true), h.now)
        .unwrap();
    assert!(h.session.is_idle());
}

// ---------------------------------------------------------------------------------------------
// Device requests: questions, answers, where they are accepted
// ---------------------------------------------------------------------------------------------

#[test]
fn two_questions_at_once_are_two_tickets_each_answered_on_its_own_request() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 700);
    let (first_conn, second_conn) = (
        h.session.handle_inbound(h.now),
        h.session.handle_inbound(h.now),
    );
    h.receive(first_conn, &question(701));
    h.receive(second_conn, &question(702));
    let asked = tickets(&h);
    assert_eq!(asked.len(), 2);
    assert_ne!(asked[0].0, asked[1].0, "one ticket per question");
    h.session
        .answer_input(asked[1].0, InputAnswer::Confirm(true), h.now)
        .unwrap();
    h.session
        .answer_input(asked[0].0, InputAnswer::Confirm(false), h.now)
        .unwrap();
    h.drain();
    let answers: Vec<(ConnId, RequestId, Option<bool>)> = device_responses(&h)
        .into_iter()
        .map(|(conn, r)| {
            let yes = r.input.and_then(|i| i.value).and_then(|v| v.boolean);
            (conn, r.request_id, yes)
        })
        .collect();
    assert_eq!(
        answers,
        vec![
            (second_conn, RequestId::from(702), Some(true)),
            (first_conn, RequestId::from(701), Some(false)),
        ]
    );
}

#[test]
fn abort_input_withdraws_only_the_questions_of_its_request() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 710);
    let (first_conn, second_conn) = (
        h.session.handle_inbound(h.now),
        h.session.handle_inbound(h.now),
    );
    h.receive(first_conn, &question(711));
    h.receive(second_conn, &question(712));
    let asked = tickets(&h);
    h.receive(
        first_conn,
        &device_request(711, DeviceRequestType::AbortInput, Vec::new(), None),
    );
    let cancelled: Vec<InputTicket> = h
        .others
        .iter()
        .filter_map(|e| match e {
            Event::InputCancelled { ticket } => Some(*ticket),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled, vec![asked[0].0]);
    assert!(h
        .session
        .answer_input(asked[0].0, InputAnswer::Confirm(true), h.now)
        .is_err());
    assert!(h
        .session
        .answer_input(asked[1].0, InputAnswer::Confirm(true), h.now)
        .is_ok());
}

#[test]
fn output_only_to_devices_the_pos_lacks_is_answered_device_unavailable() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 720);
    let inbound = h.session.handle_inbound(h.now);
    let fax = output(DeviceTarget::Other("Fax".into()), "x");
    let telex = output(DeviceTarget::Other("Telex".into()), "y");
    h.receive(
        inbound,
        &device_request(720, DeviceRequestType::Output, vec![fax, telex], None),
    );
    let (conn, answer) = device_responses(&h).pop().expect("answered");
    assert_eq!(conn, inbound);
    assert_eq!(answer.overall_result, OverallResult::DeviceUnavailable);
}

#[test]
fn goods_not_delivered_fail_the_delivery_box_part_and_the_request_only() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 730);
    let inbound = h.session.handle_inbound(h.now);
    let outputs = vec![
        output(DeviceTarget::CashierDisplay, "Vending"),
        output(DeviceTarget::DeliveryBox, "Deliver goods?"),
    ];
    h.receive(
        inbound,
        &device_request(730, DeviceRequestType::Output, outputs, None),
    );
    let asked = tickets(&h);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].1, DELIVERY_BOX);
    assert!(
        device_responses(&h).is_empty(),
        "the terminal waits for the app"
    );
    h.session
        .answer_input(asked[0].0, InputAnswer::Confirm(false), h.now)
        .unwrap();
    h.drain();
    let (_, answer) = device_responses(&h).pop().expect("answered");
    assert_eq!(answer.overall_result, OverallResult::Failure);
    let results: Vec<(DeviceTarget, OverallResult)> = answer
        .outputs
        .iter()
        .map(|o| (o.target.clone(), o.result.clone()))
        .collect();
    assert_eq!(
        results,
        vec![
            (DeviceTarget::CashierDisplay, OverallResult::Success),
            (DeviceTarget::DeliveryBox, OverallResult::Failure),
        ]
    );
}

#[test]
fn a_delivery_box_asked_through_an_input_is_a_delivery_question() {
    for delivered in [true, false] {
        let mut h = Harness::new(Dialect::OpiNl);
        running_payment(&mut h, 740);
        let inbound = h.session.handle_inbound(h.now);
        let input = Input {
            target: DeviceTarget::DeliveryBox,
            command: None,
        };
        h.receive(
            inbound,
            &device_request(740, DeviceRequestType::Input, Vec::new(), Some(input)),
        );
        let asked = tickets(&h);
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].1, DELIVERY_BOX, "not a signature question");
        h.session
            .answer_input(asked[0].0, InputAnswer::Confirm(delivered), h.now)
            .unwrap();
        h.drain();
        let (_, answer) = device_responses(&h).pop().expect("answered");
        let expected = if delivered {
            OverallResult::Success
        } else {
            OverallResult::Failure
        };
        assert_eq!(answer.overall_result, expected);
        let input = answer.input.expect("the input is answered");
        assert_eq!(input.target, DeviceTarget::DeliveryBox);
        assert_eq!(input.result, expected);
        assert_eq!(input.value.and_then(|v| v.boolean), Some(delivered));
    }
}

#[test]
fn single_socket_device_requests_count_on_the_abort_connection_too() {
    let mut h = Harness::new(Dialect::OpiNl);
    h.session.set_socket_mode(SocketMode::SingleSocket);
    let (_payment, conn) = running_payment(&mut h, 750);
    h.abort(751, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = h.connects[1];
    h.connect(abort_conn);
    // The terminal shows "Aborted" on the abort's own connection.
    let aborted = output(DeviceTarget::CashierDisplay, "Aborted");
    h.receive(
        abort_conn,
        &device_request(751, DeviceRequestType::Output, vec![aborted.clone()], None),
    );
    let lines = |h: &Harness| {
        h.others
            .iter()
            .filter(|e| matches!(e, Event::Output { .. }))
            .count()
    };
    assert_eq!(lines(&h), 1, "the abort's display reaches the app");
    let answered: Vec<ConnId> = device_responses(&h).into_iter().map(|(c, _)| c).collect();
    assert_eq!(answered, vec![abort_conn]);
    // And on the request's own connection, as always in single socket.
    h.receive(
        conn,
        &device_request(750, DeviceRequestType::Output, vec![aborted], None),
    );
    assert_eq!(lines(&h), 2);
}

#[test]
fn dual_socket_device_requests_count_only_on_channel_1() {
    let mut h = Harness::new(Dialect::OpiNl);
    h.session.set_socket_mode(SocketMode::DualSocket);
    let (_payment, conn) = running_payment(&mut h, 760);
    let display = output(DeviceTarget::CashierDisplay, "Present card");
    h.receive(
        conn,
        &device_request(760, DeviceRequestType::Output, vec![display.clone()], None),
    );
    assert!(
        !h.others.iter().any(|e| matches!(e, Event::Output { .. })),
        "a device request on channel 0 in dual socket is not the terminal's"
    );
    assert!(device_responses(&h).is_empty());
    let inbound = h.session.handle_inbound(h.now);
    h.receive(
        inbound,
        &device_request(760, DeviceRequestType::Output, vec![display], None),
    );
    assert!(h.others.iter().any(|e| matches!(e, Event::Output { .. })));
}
