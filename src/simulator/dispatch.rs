//! What the terminal does with each frame that arrives on channel 0: payments start a run (or get
//! Busy), AbortRequests in either form go to the running payment, RepeatLastMessage repeats the
//! stored response, service requests are answered, and DeviceResponses (single socket) are routed
//! to the device request they answer. Nothing here blocks the connection's reader: anything that
//! waits runs in its own task.

use std::sync::Arc;

use super::device;
use super::events::{Channel, ConnectionId, ReceivedFrame, SimEvent};
use super::responses::{self, Facts};
use super::run;
use super::terminal::{AbortOrder, AbortOutcome, Shared};
use crate::message::abort::is_silent;
use crate::message::{
    CardRequestType, CardServiceRequest, DeviceTarget, Message, OverallResult, ServiceRequest,
    ServiceRequestType,
};

/// Records and handles one channel-0 payload.
pub(crate) fn handle_channel0_payload(shared: &Arc<Shared>, conn: ConnectionId, payload: Vec<u8>) {
    let parsed = Message::parse(&payload);
    shared.recorder.frame(ReceivedFrame {
        channel: Channel::Channel0(conn),
        bytes: payload,
        message: parsed.clone(),
    });
    let message = match parsed {
        Ok(message) => message,
        Err(error) => {
            log::info!("simulator: ch0#{conn}: unparsable frame ignored: {error}");
            return;
        }
    };
    match message {
        Message::CardServiceRequest(request) => match request.request_type {
            CardRequestType::AbortRequest => {
                let silent = is_silent(request.private_data.as_ref());
                abort(shared, conn, Message::CardServiceRequest(request), silent);
            }
            CardRequestType::RepeatLastMessage => {
                repeat_last(shared, conn, Message::CardServiceRequest(request))
            }
            CardRequestType::TicketReprint => {
                let shared = Arc::clone(shared);
                let task = Arc::clone(&shared);
                task.spawn(reprint_ticket(shared, conn, request));
            }
            _ => start_payment(shared, conn, request),
        },
        Message::ServiceRequest(request) => match request.request_type {
            ServiceRequestType::AbortRequest => {
                let silent = is_silent(request.private_data.as_ref());
                abort(shared, conn, Message::ServiceRequest(request), silent);
            }
            ServiceRequestType::RepeatLastMessage => {
                repeat_last(shared, conn, Message::ServiceRequest(request))
            }
            _ => answer_service(shared, conn, &request),
        },
        Message::DeviceResponse(response) => {
            let sequence = response.sequence_id.clone().unwrap_or_default();
            if !shared.devices.route(conn, response) {
                log::info!(
                    "simulator: ch0#{conn}: DeviceResponse (SequenceID {sequence:?}) answers no waiting device request"
                );
            }
        }
        other => log::info!(
            "simulator: ch0#{conn}: ignoring {} (not a request)",
            other.summary()
        ),
    }
}

fn start_payment(shared: &Arc<Shared>, conn: ConnectionId, request: CardServiceRequest) {
    let request_id = request.request_id.clone();
    let busy_answer = Message::CardServiceRequest(request.clone());
    match shared.begin_run(conn, request) {
        Some(start) => {
            log::info!(
                "simulator: ch0#{conn}: {} {request_id} runs",
                start.request.request_type
            );
            let task_shared = Arc::clone(shared);
            shared.spawn(run::run_payment(task_shared, start));
        }
        None => {
            if let Some(answer) = responses::plain_answer(&busy_answer, OverallResult::Busy) {
                shared.send(conn, &answer);
            }
            shared.event(SimEvent::BusyAnswered { request_id });
        }
    }
}

fn abort(
    shared: &Arc<Shared>,
    conn: ConnectionId,
    request: Message,
    display: crate::message::abort::AbortDisplay,
) {
    let request_id = request.request_id().clone();
    shared.event(SimEvent::AbortReceived {
        request_id: request_id.clone(),
        conn,
    });
    let order = AbortOrder {
        request: Box::new(request),
        conn,
        display,
    };
    match shared.offer_abort(order) {
        AbortOutcome::Ignored => shared.event(SimEvent::AbortIgnored { request_id }),
        AbortOutcome::Accepted => log::info!("simulator: abort {request_id} accepted"),
        AbortOutcome::Refused(order) => refuse_abort(shared, order),
    }
}

/// Answers an AbortRequest with Failure: nothing runs, or the payment is past authorisation.
pub(crate) fn refuse_abort(shared: &Shared, order: AbortOrder) {
    if let Some(answer) = responses::plain_answer(&order.request, OverallResult::Failure) {
        send_abort_answer(shared, order.conn, &answer, false);
    }
}

/// Writes an AbortRequest's answer and reports it.
pub(crate) fn send_abort_answer(
    shared: &Shared,
    conn: ConnectionId,
    answer: &Message,
    accepted: bool,
) {
    shared.send(conn, answer);
    shared.event(SimEvent::AbortAnswered {
        request_id: answer.request_id().clone(),
        accepted,
    });
}

/// RepeatLastMessage: finish a running payment first (skipping its gates), then repeat the stored
/// response, so the POS learns the true outcome of the payment it lost track of.
fn repeat_last(shared: &Arc<Shared>, conn: ConnectionId, request: Message) {
    let task_shared = Arc::clone(shared);
    shared.spawn(async move {
        let shared = task_shared;
        while let Some((running, mut finished)) = shared.finish_running_now() {
            log::info!("simulator: RepeatLastMessage waits for {running} to finish");
            if finished.wait_for(|done| *done).await.is_err() {
                break;
            }
        }
        let stored = shared.last_response();
        let answer = match &stored {
            Some(stored) => responses::repeat_answer(stored, &request),
            None => match responses::plain_answer(&request, OverallResult::Failure) {
                Some(answer) => answer,
                None => return,
            },
        };
        shared.send(conn, &answer);
        shared.event(SimEvent::RepeatAnswered {
            request_id: request.request_id().clone(),
            original: stored.map(|stored| stored.request_id().clone()),
        });
    });
}

fn answer_service(shared: &Shared, conn: ConnectionId, request: &ServiceRequest) {
    let closing = matches!(
        request.request_type,
        ServiceRequestType::Reconciliation
            | ServiceRequestType::ReconciliationWithClosure
            | ServiceRequestType::Initialisation
    );
    let known = !matches!(request.request_type, ServiceRequestType::Other(_));
    let result = if !known {
        OverallResult::NotSupported
    } else if closing && shared.is_running() {
        // A terminal cannot close its period in the middle of a payment.
        OverallResult::Busy
    } else {
        shared.script().service_result
    };
    let facts = Facts {
        terminal_id: &shared.terminal_id,
        stan: None,
        timestamp: responses::timestamp_now(),
    };
    let response = responses::service_response(request, result.clone(), &facts);
    let message = Message::ServiceResponse(response);
    shared.store_response(&message);
    shared.send(conn, &message);
    shared.event(SimEvent::ServiceAnswered {
        request_id: request.request_id.clone(),
        request_type: request.request_type.to_string(),
        result,
    });
}

/// TicketReprint (L1A/L1B): prints the last customer receipt again, marked as a copy, through the
/// usual device request, then answers; Failure when nothing was printed yet.
async fn reprint_ticket(shared: Arc<Shared>, conn: ConnectionId, request: CardServiceRequest) {
    let stored = shared.last_receipt();
    let mut result = shared.script().service_result;
    match stored {
        Some(lines) => {
            let mut copy = super::receipt::display_lines(&["*** DUPLICATE ***"]);
            copy.extend(lines);
            let output = device::output(&shared, &request, DeviceTarget::PrinterReceipt, copy);
            if device::exchange(Arc::clone(&shared), conn, output)
                .await
                .is_none()
            {
                result = OverallResult::Failure;
            }
        }
        None => result = OverallResult::Failure,
    }
    let facts = Facts {
        terminal_id: &shared.terminal_id,
        stan: None,
        timestamp: responses::timestamp_now(),
    };
    let mut response = responses::payment_response(&request, result, &facts, None);
    response.tender = None;
    shared.send(conn, &Message::CardServiceResponse(response));
}
