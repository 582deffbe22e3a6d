//! The terminal simulator driven over real loopback TCP by a minimal raw POS written here (std
//! sockets + the frame codec), so every assertion is about bytes on the wire: frames the driver
//! received, frames the simulator recorded. Synchronisation is by Hold gates, simulator events and
//! blocking reads; timeouts exist only as failure guards.
#![cfg(feature = "simulator")]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use mapi::message::abort::{abort_request, abort_service_request, AbortDisplay};
use mapi::message::codec::{FrameDecoder, FrameError};
use mapi::message::*;
use mapi::simulator::*;
use mapi::{Dialect, SocketMode};

/// Failure guard for every blocking wait; never reached when the simulator behaves.
const GUARD: Duration = Duration::from_secs(10);
const WORKSTATION: &str = "POS1";

// ---- the minimal raw POS ------------------------------------------------------------------

/// One POS-side connection (channel 0, or an accepted channel-1 connection).
struct PosConnection {
    stream: TcpStream,
    decoder: FrameDecoder,
    /// Device requests that arrived on this connection (single socket), in order.
    device_requests: Vec<DeviceRequest>,
    /// The cashier's answer to an Input (signature) device request.
    confirm: bool,
}

impl PosConnection {
    fn connect(address: SocketAddr) -> Self {
        Self::wrap(TcpStream::connect(address).expect("connect to the simulator"))
    }

    fn wrap(stream: TcpStream) -> Self {
        stream.set_read_timeout(Some(GUARD)).expect("read timeout");
        PosConnection {
            stream,
            decoder: FrameDecoder::new(),
            device_requests: Vec::new(),
            confirm: true,
        }
    }

    fn send(&mut self, message: &Message) {
        let frame = message.to_frame().expect("serialise");
        self.stream.write_all(&frame).expect("write");
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// The next frame's payload, `Ok(None)` at end of stream.
    fn next_payload(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            if let Some(payload) = self.decoder.next_frame()? {
                return Ok(Some(payload));
            }
            let mut buffer = [0u8; 4096];
            let count = match self.stream.read(&mut buffer) {
                Ok(count) => count,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => 0,
                Err(e) => panic!("no frame within {GUARD:?}: {e}"),
            };
            if count == 0 {
                return Ok(None);
            }
            self.decoder.push(&buffer[..count]);
        }
    }

    fn next_message(&mut self) -> Message {
        let payload = self
            .next_payload()
            .expect("framing")
            .expect("frame, not EOF");
        Message::parse(&payload).expect("parsable message")
    }

    /// The next message that is not a device request; device requests (single socket) are
    /// recorded and answered on the way, as a POS does.
    fn next_response(&mut self) -> Message {
        loop {
            match self.next_message() {
                Message::DeviceRequest(request) => {
                    let answer = answer_device_request(&request, self.confirm);
                    self.device_requests.push(request);
                    self.send(&Message::DeviceResponse(answer));
                }
                other => return other,
            }
        }
    }

    /// Reads one device request (single socket) and answers it.
    fn answer_device_request(&mut self) -> DeviceRequest {
        match self.next_message() {
            Message::DeviceRequest(request) => {
                let answer = answer_device_request(&request, self.confirm);
                self.device_requests.push(request.clone());
                self.send(&Message::DeviceResponse(answer));
                request
            }
            other => panic!("expected a device request, got {}", other.summary()),
        }
    }

    fn expect_eof(&mut self) {
        assert_eq!(
            self.next_payload(),
            Ok(None),
            "expected the terminal to close"
        );
    }
}

fn answer_device_request(request: &DeviceRequest, confirm: bool) -> DeviceResponse {
    let mut answer = DeviceResponse::answering(request, OverallResult::Success);
    answer.input = request.input.as_ref().map(|input| InputResult {
        target: input.target.clone(),
        result: OverallResult::Success,
        value: Some(InputValue {
            boolean: Some(confirm),
            string: None,
        }),
    });
    answer
}

/// The POS's channel-1 listener: answers every DeviceRequest with Success and records it.
struct PosChannel1 {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<DeviceRequest>>>,
}

impl PosChannel1 {
    fn spawn(confirm: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind channel 1");
        let address = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut connection = PosConnection::wrap(stream);
                while let Ok(Some(payload)) = connection.next_payload() {
                    if let Ok(Message::DeviceRequest(request)) = Message::parse(&payload) {
                        recorded.lock().unwrap().push(request.clone());
                        let answer = answer_device_request(&request, confirm);
                        connection.send(&Message::DeviceResponse(answer));
                    }
                }
            }
        });
        PosChannel1 { address, requests }
    }

    fn requests(&self) -> Vec<DeviceRequest> {
        self.requests.lock().unwrap().clone()
    }
}

// ---- scenario helpers ---------------------------------------------------------------------

fn start(dialect: Dialect, mode: SocketMode, script: Script) -> SimulatorHandle {
    let mut config = SimulatorConfig::new(dialect, mode);
    config.script = script;
    Simulator::spawn(config).expect("simulator starts")
}

/// A dual-socket NL terminal with a POS channel-1 listener.
fn dual(script: Script, confirm: bool) -> (SimulatorHandle, PosChannel1) {
    let sim = start(Dialect::OpiNl, SocketMode::DualSocket, script);
    let channel1 = PosChannel1::spawn(confirm);
    sim.set_pos_address(channel1.address);
    (sim, channel1)
}

fn payment(id: u64, amount: &str) -> Message {
    let mut request = CardServiceRequest::new(
        CardRequestType::CardPayment,
        WORKSTATION,
        RequestId::from(id),
    );
    request.application_sender = Some("TestPOS".to_owned());
    request.pos_data = Some(PosData {
        pos_timestamp: Some("2024-02-09T09:36:36".to_owned()),
        ..PosData::default()
    });
    request.total_amount = Some(TotalAmount::new(amount.parse().expect("amount"), "EUR"));
    Message::CardServiceRequest(request)
}

fn abort(id: u64, display: AbortDisplay) -> Message {
    let request = abort_request(
        WORKSTATION,
        RequestId::from(id),
        Some("TestPOS"),
        None,
        display,
    );
    Message::CardServiceRequest(request)
}

fn service(request_type: ServiceRequestType, id: u64) -> Message {
    let request = ServiceRequest::new(request_type, WORKSTATION, RequestId::from(id));
    Message::ServiceRequest(request)
}

fn repeat_last(id: u64) -> Message {
    let request = CardServiceRequest::new(
        CardRequestType::RepeatLastMessage,
        WORKSTATION,
        RequestId::from(id),
    );
    Message::CardServiceRequest(request)
}

fn wait(sim: &SimulatorHandle, what: &str, matches: impl FnMut(&SimEvent) -> bool) -> SimEvent {
    sim.wait_for(matches, GUARD).unwrap_or_else(|| {
        let log: Vec<String> = sim.event_log().iter().map(ToString::to_string).collect();
        panic!(
            "no event '{what}' within {GUARD:?}; events:\n{}",
            log.join("\n")
        )
    })
}

fn wait_step(sim: &SimulatorHandle, id: u64, step: RunStep) {
    let id = RequestId::from(id);
    wait(
        sim,
        &format!("{id} {step:?}"),
        |e| matches!(e, SimEvent::StageReached { request_id, step: s } if *request_id == id && *s == step),
    );
}

fn card_response(message: Message) -> CardServiceResponse {
    match message {
        Message::CardServiceResponse(response) => response,
        other => panic!("expected a CardServiceResponse, got {}", other.summary()),
    }
}

fn service_response(message: Message) -> ServiceResponse {
    match message {
        Message::ServiceResponse(response) => response,
        other => panic!("expected a ServiceResponse, got {}", other.summary()),
    }
}

/// Finds a response by RequestID + RequestType, never by position.
fn take(responses: &mut Vec<Message>, id: u64, request_type: &str) -> Message {
    let id = RequestId::from(id);
    let index = responses
        .iter()
        .position(|m| *m.request_id() == id && m.request_type() == request_type)
        .unwrap_or_else(|| panic!("no response {id}/{request_type} among {responses:?}"));
    responses.remove(index)
}

fn targets(requests: &[DeviceRequest]) -> Vec<DeviceTarget> {
    requests
        .iter()
        .map(|r| match &r.input {
            Some(input) => input.target.clone(),
            None => r.outputs[0].target.clone(),
        })
        .collect()
}

fn texts(request: &DeviceRequest) -> Vec<String> {
    request
        .outputs
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| l.text.clone()))
        .collect()
}

fn is_aborted_display(request: &DeviceRequest) -> bool {
    request.outputs.len() == 1
        && request.outputs[0].target == DeviceTarget::CashierDisplay
        && texts(request) == ["Aborted"]
}

fn hold_card() -> Script {
    Script {
        card_presented: Gate::Hold,
        ..Script::default()
    }
}

// ---- payments -----------------------------------------------------------------------------

#[test]
fn c1a_payment_dual_socket_nl_sends_display_receipts_and_journal_on_channel_1() {
    let (sim, channel1) = dual(Script::success(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(101, "12.50"));
    let response = card_response(pos.next_response());

    assert_eq!(response.overall_result, OverallResult::Success);
    assert_eq!(response.request_id, RequestId::from(101));
    assert_eq!(response.request_type, CardRequestType::CardPayment);
    assert_eq!(response.workstation_id, WORKSTATION);
    let terminal = response.terminal.expect("Terminal");
    assert_eq!(terminal.terminal_id.as_deref(), Some(sim.terminal_id()));
    assert_eq!(
        terminal.stan.as_deref(),
        Some("000001"),
        "STAN keeps leading zeros"
    );
    let tender = response.tender.expect("Tender");
    assert_eq!(
        tender.total_amount.expect("TotalAmount").value.to_string(),
        "12.50"
    );
    let authorisation = tender.authorisation.expect("Authorisation");
    assert_eq!(
        authorisation.card_pan.expect("CardPAN").expose(),
        "541333******4444"
    );
    assert_eq!(
        authorisation.approval_code.as_deref().map(str::len),
        Some(6)
    );
    assert!(authorisation.card_circuit.is_some() && authorisation.timestamp.is_some());

    let requests = channel1.requests();
    use DeviceTarget::*;
    assert_eq!(
        targets(&requests),
        [CashierDisplay, Printer, PrinterReceipt, EJournal]
    );
    assert!(texts(&requests[0]).contains(&"Present card".to_owned()));
    let merchant = texts(&requests[1]);
    assert!(merchant.iter().any(|l| l.contains("12.50")), "{merchant:?}");
    assert!(
        merchant.iter().any(|l| l.starts_with("  ")),
        "receipt columns keep leading spaces"
    );
    let mut sequence = 0u64;
    for request in &requests {
        assert_eq!(request.request_type, DeviceRequestType::Output);
        assert_eq!(request.request_id, RequestId::from(101));
        assert_eq!(request.workstation_id, WORKSTATION);
        assert_eq!(request.terminal_id.as_deref(), Some(sim.terminal_id()));
        assert_eq!(request.application_sender.as_deref(), Some("CCV-Simulator"));
        let next: u64 = request
            .sequence_id
            .as_deref()
            .expect("SequenceID")
            .parse()
            .unwrap();
        assert!(next > sequence, "SequenceID increments");
        sequence = next;
    }
    assert!(
        pos.device_requests.is_empty(),
        "dual socket: nothing on channel 0"
    );

    let recorded = sim.received();
    assert!(matches!(recorded[0].channel, Channel::Channel0(1)));
    assert_eq!(
        recorded[0].message.as_ref().ok(),
        Some(&payment(101, "12.50"))
    );
    let channel1_answers = recorded
        .iter()
        .filter(|f| f.channel == Channel::Channel1)
        .filter(|f| matches!(f.message, Ok(Message::DeviceResponse(_))))
        .count();
    assert_eq!(channel1_answers, 4);
}

#[test]
fn single_socket_de_interleaves_device_requests_and_other_requests_on_channel_0() {
    let sim = start(Dialect::OpiDe, SocketMode::SingleSocket, hold_card());
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(201, "7.95"));
    // The "Present card" display arrives first, on channel 0 itself.
    let display = pos.answer_device_request();
    assert_eq!(display.request_id, RequestId::from(201));
    assert!(texts(&display).contains(&"Present card".to_owned()));
    wait_step(&sim, 201, RunStep::AwaitingCard);
    // Another request on the same socket while the payment runs is answered in between.
    pos.send(&service(ServiceRequestType::Diagnosis, 202));
    let diagnosis = service_response(pos.next_response());
    assert_eq!(diagnosis.request_id, RequestId::from(202));
    assert_eq!(diagnosis.overall_result, OverallResult::Success);

    sim.release(Stage::CardPresented);
    let response = card_response(pos.next_response());
    assert_eq!(response.request_id, RequestId::from(201));
    assert_eq!(response.overall_result, OverallResult::Success);
    use DeviceTarget::*;
    assert_eq!(
        targets(&pos.device_requests),
        [CashierDisplay, Printer, PrinterReceipt, EJournal]
    );
    let answers_on_channel0 = sim
        .received()
        .iter()
        .filter(|f| f.channel == Channel::Channel0(1))
        .filter(|f| matches!(f.message, Ok(Message::DeviceResponse(_))))
        .count();
    assert_eq!(answers_on_channel0, 4);
}

#[test]
fn second_payment_while_one_runs_is_answered_busy() {
    let (sim, _channel1) = dual(hold_card(), true);
    let mut first = PosConnection::connect(sim.address());
    first.send(&payment(301, "1.00"));
    wait_step(&sim, 301, RunStep::AwaitingCard);
    let mut second = PosConnection::connect(sim.address());
    second.send(&payment(302, "2.00"));
    let busy = card_response(second.next_response());
    assert_eq!(
        (busy.request_id.as_str(), busy.overall_result),
        ("302", OverallResult::Busy)
    );
    sim.release(Stage::CardPresented);
    let done = card_response(first.next_response());
    assert_eq!(
        (done.request_id.as_str(), done.overall_result),
        ("301", OverallResult::Success)
    );
}

#[test]
fn scripted_results_declined_and_device_unavailable() {
    let (sim, channel1) = dual(Script::declined(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(311, "3.00"));
    let declined = card_response(pos.next_response());
    assert_eq!(declined.overall_result, OverallResult::Failure);
    let authorisation = declined
        .tender
        .and_then(|t| t.authorisation)
        .expect("Authorisation");
    assert_eq!(
        authorisation.approval_code, None,
        "a declined payment has no approval code"
    );
    assert_eq!(
        channel1.requests().len(),
        4,
        "declined payments still print receipts"
    );

    sim.set_script(Script::device_unavailable());
    pos.send(&payment(312, "3.00"));
    let unavailable = card_response(pos.next_response());
    assert_eq!(unavailable.overall_result, OverallResult::DeviceUnavailable);
    assert!(unavailable.tender.is_none());
    assert_eq!(channel1.requests().len(), 4, "no device requests for Q1F");
}

#[test]
fn u1b_signature_question_refused_declines_and_confirmed_approves() {
    let (sim, channel1) = dual(Script::signature(), false);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(321, "50.00"));
    assert_eq!(
        card_response(pos.next_response()).overall_result,
        OverallResult::Failure
    );
    let requests = channel1.requests();
    let question = requests
        .iter()
        .find(|r| r.input.is_some())
        .expect("Input request");
    assert_eq!(question.request_type, DeviceRequestType::Input);
    let input = question.input.as_ref().unwrap();
    assert_eq!(input.target, DeviceTarget::CashierKeyboard);
    assert_eq!(
        input.command.as_ref().map(|c| c.command.as_str()),
        Some("GetConfirmation")
    );
    assert_eq!(texts(question), ["Signature OK?"]);

    let (sim, _channel1) = dual(Script::signature(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(322, "50.00"));
    assert_eq!(
        card_response(pos.next_response()).overall_result,
        OverallResult::Success
    );
}

// ---- aborts -------------------------------------------------------------------------------

#[test]
fn f1a_abort_on_same_connection_is_accepted_with_aborted_display() {
    let (sim, channel1) = dual(hold_card(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(401, "12.50"));
    wait_step(&sim, 401, RunStep::AwaitingCard);
    pos.send(&abort(402, AbortDisplay::Normal));
    let mut responses = vec![pos.next_response(), pos.next_response()];
    let paid = card_response(take(&mut responses, 401, "CardPayment"));
    let aborted = card_response(take(&mut responses, 402, "AbortRequest"));
    assert_eq!(paid.overall_result, OverallResult::Aborted);
    assert!(paid.tender.is_none());
    assert_eq!(aborted.overall_result, OverallResult::Success);

    let requests = channel1.requests();
    let last = requests.last().expect("device requests");
    assert!(
        is_aborted_display(last),
        "normal abort shows 'Aborted': {last:?}"
    );
    assert_eq!(
        last.request_id,
        RequestId::from(401),
        "carries the running RequestID"
    );
    assert!(
        !targets(&requests).contains(&DeviceTarget::Printer),
        "no receipt after abort"
    );
    let id = RequestId::from(402);
    wait(&sim, "abort accepted", |e| {
        *e == SimEvent::AbortAnswered {
            request_id: id.clone(),
            accepted: true,
        }
    });
}

#[test]
fn f1a_abort_on_new_connection_is_accepted_and_answered_there() {
    let (sim, channel1) = dual(hold_card(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(411, "12.50"));
    wait_step(&sim, 411, RunStep::AwaitingCard);
    let mut abort_connection = PosConnection::connect(sim.address());
    abort_connection.send(&abort(412, AbortDisplay::Normal));
    let aborted = card_response(abort_connection.next_response());
    assert_eq!(
        (aborted.request_id.as_str(), aborted.overall_result),
        ("412", OverallResult::Success)
    );
    let paid = card_response(pos.next_response());
    assert_eq!(
        (paid.request_id.as_str(), paid.overall_result),
        ("411", OverallResult::Aborted)
    );
    assert!(is_aborted_display(channel1.requests().last().unwrap()));
    let abort_frame = sim
        .received()
        .into_iter()
        .find(|f| matches!(&f.message, Ok(m) if m.request_type() == "AbortRequest"))
        .expect("abort recorded");
    assert_eq!(abort_frame.channel, Channel::Channel0(2));
}

#[test]
fn silent_abort_sends_no_aborted_display() {
    let (sim, channel1) = dual(hold_card(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(421, "12.50"));
    wait_step(&sim, 421, RunStep::AwaitingCard);
    pos.send(&abort(422, AbortDisplay::Silent));
    let mut responses = vec![pos.next_response(), pos.next_response()];
    assert_eq!(
        card_response(take(&mut responses, 421, "CardPayment")).overall_result,
        OverallResult::Aborted
    );
    assert_eq!(
        card_response(take(&mut responses, 422, "AbortRequest")).overall_result,
        OverallResult::Success
    );
    let requests = channel1.requests();
    assert_eq!(
        targets(&requests),
        [DeviceTarget::CashierDisplay],
        "only 'Present card'"
    );
    assert!(!requests.iter().any(is_aborted_display));
}

#[test]
fn service_request_form_abort_reusing_request_id_is_accepted_in_single_socket() {
    let sim = start(Dialect::OpiDe, SocketMode::SingleSocket, hold_card());
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(431, "9.99"));
    pos.answer_device_request(); // "Present card"
    wait_step(&sim, 431, RunStep::AwaitingCard);
    let abort = abort_service_request(WORKSTATION, RequestId::from(431), AbortDisplay::Normal);
    pos.send(&Message::ServiceRequest(abort));
    let mut responses = vec![pos.next_response(), pos.next_response()];
    let paid = card_response(take(&mut responses, 431, "CardPayment"));
    let aborted = service_response(take(&mut responses, 431, "AbortRequest"));
    assert_eq!(paid.overall_result, OverallResult::Aborted);
    assert_eq!(aborted.overall_result, OverallResult::Success);
    let last = pos
        .device_requests
        .last()
        .expect("device requests on channel 0");
    assert!(is_aborted_display(last), "{last:?}");
}

#[test]
fn f1b_abort_after_authorisation_is_refused_and_payment_completes() {
    let script = Script {
        completion: Gate::Hold,
        ..Script::default()
    };
    let (sim, channel1) = dual(script, true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(441, "12.50"));
    wait_step(&sim, 441, RunStep::AwaitingCompletion);
    pos.send(&abort(442, AbortDisplay::Normal));
    let refused = card_response(pos.next_response());
    assert_eq!(
        (refused.request_id.as_str(), refused.overall_result),
        ("442", OverallResult::Failure)
    );
    sim.release(Stage::Completion);
    let paid = card_response(pos.next_response());
    assert_eq!(
        (paid.request_id.as_str(), paid.overall_result),
        ("441", OverallResult::Success)
    );
    assert!(!channel1.requests().iter().any(is_aborted_display));
}

#[test]
fn abort_with_nothing_running_is_answered_failure() {
    let (sim, channel1) = dual(Script::success(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&abort(451, AbortDisplay::Normal));
    let refused = card_response(pos.next_response());
    assert_eq!(refused.request_type, CardRequestType::AbortRequest);
    assert_eq!(refused.overall_result, OverallResult::Failure);
    assert!(channel1.requests().is_empty());
    assert!(
        sim.last_response().is_none(),
        "an abort answer is not repeatable"
    );
}

#[test]
fn abort_responses_first_sends_the_abort_answer_before_the_payment_answer() {
    let script = Script {
        abort_responses_first: true,
        ..hold_card()
    };
    let (sim, _channel1) = dual(script, true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(461, "12.50"));
    wait_step(&sim, 461, RunStep::AwaitingCard);
    pos.send(&abort(462, AbortDisplay::Normal));
    let first = card_response(pos.next_response());
    let second = card_response(pos.next_response());
    assert_eq!(
        (first.request_id.as_str(), first.overall_result),
        ("462", OverallResult::Success)
    );
    assert_eq!(
        (second.request_id.as_str(), second.overall_result),
        ("461", OverallResult::Aborted)
    );
}

#[test]
fn ignore_aborts_leaves_the_abort_unanswered_and_the_payment_unaffected() {
    let script = Script {
        ignore_aborts: true,
        ..hold_card()
    };
    let (sim, _channel1) = dual(script, true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(471, "12.50"));
    wait_step(&sim, 471, RunStep::AwaitingCard);
    pos.send(&abort(472, AbortDisplay::Normal));
    let id = RequestId::from(472);
    wait(&sim, "abort ignored", |e| {
        *e == SimEvent::AbortIgnored {
            request_id: id.clone(),
        }
    });
    sim.release(Stage::CardPresented);
    // An answer to the abort would have been queued before the release; the first frame is the payment's.
    let paid = card_response(pos.next_response());
    assert_eq!(
        (paid.request_id.as_str(), paid.overall_result),
        ("471", OverallResult::Success)
    );
}

// ---- recovery -----------------------------------------------------------------------------

#[test]
fn t1a_repeat_last_message_after_a_disconnect_returns_the_payment_with_original_header() {
    let (sim, _channel1) = dual(hold_card(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(501, "12.50"));
    wait_step(&sim, 501, RunStep::AwaitingCard);
    drop(pos); // the POS crashes mid-payment
    wait(&sim, "ch0#1 closed", |e| {
        *e == SimEvent::Channel0Closed { conn: 1 }
    });

    let mut recovery = PosConnection::connect(sim.address());
    recovery.send(&repeat_last(502)); // finishes the held payment first
    let repeated = card_response(recovery.next_response());
    assert_eq!(repeated.request_id, RequestId::from(502));
    assert_eq!(repeated.request_type, CardRequestType::RepeatLastMessage);
    assert_eq!(repeated.overall_result, OverallResult::Success);
    let original = repeated.original_header.expect("OriginalHeader");
    assert_eq!(original.request_id, Some(RequestId::from(501)));
    assert_eq!(original.request_type.as_deref(), Some("CardPayment"));
    assert_eq!(original.workstation_id.as_deref(), Some(WORKSTATION));
    assert_eq!(original.overall_result, Some(OverallResult::Success));
    assert!(repeated.tender.is_some(), "the body is repeated");
    let id = RequestId::from(501);
    wait(
        &sim,
        "501 finished undelivered",
        |e| matches!(e, SimEvent::PaymentFinished { request_id, delivered: false, .. } if *request_id == id),
    );

    // Asked as a ServiceRequest, a payment's result still comes as a CardServiceResponse.
    recovery.send(&service(ServiceRequestType::RepeatLastMessage, 503));
    let again = card_response(recovery.next_response());
    assert_eq!(again.request_id, RequestId::from(503));
    assert_eq!(
        again.original_header.and_then(|h| h.request_id),
        Some(RequestId::from(501))
    );
}

#[test]
fn repeat_last_message_with_nothing_stored_is_failure_in_the_asked_root() {
    let (sim, _channel1) = dual(Script::success(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&service(ServiceRequestType::Login, 510)); // a login is not repeatable
    service_response(pos.next_response());
    pos.send(&service(ServiceRequestType::RepeatLastMessage, 511));
    let answer = service_response(pos.next_response());
    assert_eq!(answer.request_type, ServiceRequestType::RepeatLastMessage);
    assert_eq!(answer.overall_result, OverallResult::Failure);
}

#[test]
fn h2a_lost_connection_with_on_disconnect_abort_stores_an_aborted_payment() {
    let script = Script {
        on_disconnect: OnDisconnect::Abort,
        ..hold_card()
    };
    let (sim, _channel1) = dual(script, true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(521, "12.50"));
    wait_step(&sim, 521, RunStep::AwaitingCard);
    drop(pos);
    let id = RequestId::from(521);
    wait(
        &sim,
        "521 aborted",
        |e| matches!(e, SimEvent::PaymentFinished { request_id, result: OverallResult::Aborted, .. } if *request_id == id),
    );
    let stored = sim.last_response().expect("stored");
    assert_eq!(stored.request_id(), &id);
    assert_eq!(card_response(stored).overall_result, OverallResult::Aborted);
}

// ---- faults -------------------------------------------------------------------------------

#[test]
fn q1g_silent_terminal_never_answers_the_payment() {
    let (sim, _channel1) = dual(Script::silent(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(601, "12.50"));
    let id = RequestId::from(601);
    wait(
        &sim,
        "601 finished",
        |e| matches!(e, SimEvent::PaymentFinished { request_id, delivered: false, .. } if *request_id == id),
    );
    pos.send(&service(ServiceRequestType::Diagnosis, 602));
    let next = service_response(pos.next_response());
    assert_eq!(
        next.request_id,
        RequestId::from(602),
        "no payment response came before it"
    );
    pos.send(&repeat_last(603));
    let recovered = card_response(pos.next_response());
    assert_eq!(
        recovered.original_header.and_then(|h| h.request_id),
        Some(id)
    );
}

#[test]
fn close_after_request_drops_channel_0_and_the_payment_still_completes() {
    let (sim, _channel1) = dual(Script::close_after_request(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(611, "12.50"));
    pos.expect_eof();
    let id = RequestId::from(611);
    wait(
        &sim,
        "611 finished",
        |e| matches!(e, SimEvent::PaymentFinished { request_id, result: OverallResult::Success, delivered: false } if *request_id == id),
    );
    assert!(sim
        .event_log()
        .contains(&SimEvent::ClosedByTerminal { conn: 1 }));
}

#[test]
fn close_after_authorisation_then_recovery_finds_the_payment() {
    let (sim, channel1) = dual(Script::close_after_authorisation(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(621, "12.50"));
    pos.expect_eof();
    let id = RequestId::from(621);
    wait(
        &sim,
        "621 finished",
        |e| matches!(e, SimEvent::PaymentFinished { request_id, .. } if *request_id == id),
    );
    assert!(
        targets(&channel1.requests()).contains(&DeviceTarget::Printer),
        "authorised: receipts"
    );
    let mut recovery = PosConnection::connect(sim.address());
    recovery.send(&repeat_last(622));
    let repeated = card_response(recovery.next_response());
    assert_eq!(repeated.overall_result, OverallResult::Success);
    assert_eq!(
        repeated.original_header.and_then(|h| h.request_id),
        Some(id)
    );
}

#[test]
fn close_before_response_drops_channel_0_instead_of_answering() {
    let (sim, _channel1) = dual(Script::close_before_response(), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(631, "12.50"));
    pos.expect_eof();
    assert_eq!(
        sim.last_response().map(|m| m.request_id().clone()),
        Some(RequestId::from(631))
    );
}

#[test]
fn garbage_malformed_xml_replaces_the_response() {
    let (sim, _channel1) = dual(Script::garbage(GarbageKind::MalformedXml), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(641, "12.50"));
    let payload = pos.next_payload().unwrap().expect("a frame");
    assert!(matches!(
        Message::parse(&payload),
        Err(ParseError::Malformed { .. })
    ));
    pos.send(&repeat_last(642));
    let repeated = card_response(pos.next_response());
    assert_eq!(
        repeated.original_header.and_then(|h| h.request_id),
        Some(RequestId::from(641))
    );
}

#[test]
fn garbage_huge_length_is_unframed_xml() {
    let (sim, _channel1) = dual(Script::garbage(GarbageKind::HugeLength), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(651, "12.50"));
    match pos.next_payload() {
        Err(FrameError::TooLong { len, .. }) => assert_eq!(len, 0x3C3F_786D, "'<?xm' as a length"),
        other => panic!("expected an oversize length, got {other:?}"),
    }
}

#[test]
fn garbage_unknown_message_comes_before_the_real_response() {
    let (sim, _channel1) = dual(Script::garbage(GarbageKind::UnknownMessage), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(661, "12.50"));
    let payload = pos.next_payload().unwrap().expect("a frame");
    assert!(matches!(
        Message::parse(&payload),
        Err(ParseError::UnknownRoot(_))
    ));
    let response = card_response(pos.next_response());
    assert_eq!(
        (response.request_id.as_str(), response.overall_result),
        ("661", OverallResult::Success)
    );
}

#[test]
fn garbage_wrong_request_id_comes_before_the_real_response() {
    let (sim, _channel1) = dual(Script::garbage(GarbageKind::WrongRequestId), true);
    let mut pos = PosConnection::connect(sim.address());
    pos.send(&payment(671, "12.50"));
    let stray = card_response(pos.next_response());
    assert_ne!(stray.request_id, RequestId::from(671));
    let real = card_response(pos.next_response());
    assert_eq!(real.request_id, RequestId::from(671));
}

// ---- service requests and recording -------------------------------------------------------

#[test]
fn login_diagnosis_and_reconciliation_are_answered_with_terminal_info() {
    let (sim, _channel1) = dual(Script::success(), true);
    let mut pos = PosConnection::connect(sim.address());
    for (id, kind) in [
        (701, ServiceRequestType::Login),
        (702, ServiceRequestType::Diagnosis),
        (703, ServiceRequestType::Reconciliation),
        (704, ServiceRequestType::ReconciliationWithClosure),
        (705, ServiceRequestType::Logoff),
    ] {
        pos.send(&service(kind.clone(), id));
        let response = service_response(pos.next_response());
        assert_eq!(response.request_id, RequestId::from(id));
        assert_eq!(response.request_type, kind);
        assert_eq!(response.overall_result, OverallResult::Success);
        let terminal = response.terminal.expect("Terminal");
        assert_eq!(terminal.terminal_id.as_deref(), Some(sim.terminal_id()));
        if matches!(
            kind,
            ServiceRequestType::Reconciliation | ServiceRequestType::ReconciliationWithClosure
        ) {
            let totals = response.reconciliation.expect("Reconciliation").totals;
            assert!(totals.len() >= 2 && totals.iter().all(|t| t.card_circuit.is_some()));
        }
    }
    sim.set_script(Script {
        service_result: OverallResult::LoggedOut,
        ..Script::default()
    });
    pos.send(&service(ServiceRequestType::Diagnosis, 706));
    assert_eq!(
        service_response(pos.next_response()).overall_result,
        OverallResult::LoggedOut
    );
}

#[test]
fn received_frames_are_recorded_raw_with_parse_results_and_bad_framing_closes() {
    let sim = start(Dialect::OpiNl, SocketMode::DualSocket, Script::success());
    let mut pos = PosConnection::connect(sim.address());
    let broken = b"<CardServiceRequest RequestType=\"CardPayment\"";
    let mut frame = (broken.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(broken);
    pos.send_raw(&frame);
    pos.send(&service(ServiceRequestType::Login, 801));
    service_response(pos.next_response());
    let recorded = sim.received();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].channel, Channel::Channel0(1));
    assert_eq!(recorded[0].bytes, broken);
    assert!(recorded[0].message.is_err());
    assert_eq!(
        sim.received_messages(),
        vec![service(ServiceRequestType::Login, 801)]
    );

    // Bare XML without a length prefix reads as ~1 GB: refused, connection closed.
    pos.send_raw(b"<?xml version=\"1.0\"?><ServiceRequest/>");
    pos.expect_eof();
    wait(&sim, "framing error", |e| {
        matches!(e, SimEvent::FramingError { .. })
    });
}

#[test]
fn shutdown_closes_connections_and_stops_listening() {
    let sim = start(Dialect::OpiDe, SocketMode::SingleSocket, Script::success());
    let address = sim.address();
    let mut pos = PosConnection::connect(address);
    wait(&sim, "connected", |e| {
        *e == SimEvent::Channel0Connected { conn: 1 }
    });
    sim.shutdown();
    pos.expect_eof();
    assert!(sim.is_shut_down());
    // The listener goes with the runtime; poll (as a guard, not as synchronisation) until refused.
    let deadline = Instant::now() + GUARD;
    while TcpStream::connect(address).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after shutdown");
        thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test]
async fn start_inside_a_tokio_runtime_reports_events_to_async_subscribers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = Simulator::start(SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket))
        .await
        .expect("start");
    let mut events = sim.events();
    let mut stream = tokio::net::TcpStream::connect(sim.address()).await.unwrap();
    let login = service(ServiceRequestType::Login, 901);
    stream.write_all(&login.to_frame().unwrap()).await.unwrap();
    let mut decoder = FrameDecoder::new();
    let payload = loop {
        if let Some(payload) = decoder.next_frame().unwrap() {
            break payload;
        }
        let mut buffer = [0u8; 4096];
        let count = tokio::time::timeout(GUARD, stream.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(count > 0, "closed before answering");
        decoder.push(&buffer[..count]);
    };
    let response = service_response(Message::parse(&payload).unwrap());
    assert_eq!(response.overall_result, OverallResult::Success);
    let answered = tokio::time::timeout(GUARD, async {
        loop {
            if let Ok(SimEvent::ServiceAnswered { request_id, .. }) = events.recv().await {
                return request_id;
            }
        }
    })
    .await
    .expect("ServiceAnswered event");
    assert_eq!(answered, RequestId::from(901));
    sim.shutdown();
}
