//! What the terminal does with each frame that arrives on channel 0: payments start a run (or get
//! Busy), AbortRequests in either form go to the running payment, RepeatLastMessage repeats the
//! stored response, service requests are answered, and DeviceResponses (single socket) are routed
//! to the device request they answer. Nothing here blocks the connection's reader: anything that
//! waits runs in its own task.

use std::sync::Arc;

use super::events::{Channel, ConnectionId, ReceivedFrame, SimEvent};
use super::responses;
use super::run;
use super::script::RecoveryAnswer;
use super::services;
use super::strict;
use super::terminal::{AbortOrder, AbortOutcome, Shared};
use crate::message::abort::is_silent;
use crate::message::{
    CardRequestType, CardServiceRequest, Message, OverallResult, ServiceRequestType,
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
    if let Some(profile) = shared.script().wire_profile {
        let running = shared.running_request_id();
        if let Some(result) = strict::refusal(&profile, &message, running.as_ref()) {
            log::info!(
                "simulator: ch0#{conn}: {} refused {result}: not the spelling of the profile played",
                message.summary()
            );
            if let Some(answer) = responses::plain_answer(&message, result) {
                shared.send(conn, &answer);
            }
            return;
        }
    }
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
                task.spawn(services::reprint_ticket(shared, conn, request));
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
            _ => services::answer_service(shared, conn, request),
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
    let auth_and_capture = matches!(
        request.request_type,
        CardRequestType::CardPreAuthorisation | CardRequestType::CardFinancialAdvice
    );
    if auth_and_capture && !shared.script().auth_and_capture {
        let refused = Message::CardServiceRequest(request);
        if let Some(answer) = responses::plain_answer(&refused, OverallResult::NotSupported) {
            shared.send(conn, &answer);
        }
        log::info!("simulator: ch0#{conn}: {request_id} refused: no authorise-and-capture flow");
        return;
    }
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
        AbortOutcome::Refused(order) => shared.refuse_abort(order),
    }
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
        let bare = |result: OverallResult| responses::plain_answer(&request, result);
        let answer = match (shared.next_recovery_answer(), &stored) {
            (RecoveryAnswer::Bare(result), _) => bare(result),
            (_, None) => bare(OverallResult::Failure),
            (RecoveryAnswer::Repeat, Some(stored)) => {
                Some(responses::repeat_answer(stored, &request))
            }
            (RecoveryAnswer::RepeatDotted(device), Some(stored)) => {
                let id = format!("{}.{device}", stored.request_id());
                Some(responses::with_original_id(
                    responses::repeat_answer(stored, &request),
                    &id,
                ))
            }
            (RecoveryAnswer::RepeatForeign(id), Some(stored)) => Some(responses::with_original_id(
                responses::repeat_answer(stored, &request),
                &id,
            )),
        };
        let Some(answer) = answer else {
            return;
        };
        shared.send(conn, &answer);
        shared.event(SimEvent::RepeatAnswered {
            request_id: request.request_id().clone(),
            original: stored.map(|stored| stored.request_id().clone()),
        });
    });
}
