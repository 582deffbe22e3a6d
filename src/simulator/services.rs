//! Service requests (and the ticket reprint): login, status, closings, the transaction overview,
//! reprints, activation, configuration, card circuits and the Mifare card read. Those that print
//! run in their own task, because a printout is a device request the POS must answer first.

use std::sync::Arc;

use super::device;
use super::events::{ConnectionId, SimEvent};
use super::receipt;
use super::responses::{self, Facts};
use super::script::MifareCard;
use super::terminal::Shared;
use crate::message::{
    CardServiceRequest, DeviceTarget, Message, OverallResult, PrivateData, ServiceRequest,
    ServiceRequestType, TextLine,
};

/// Answers a service request; what needs a printout first is spawned.
pub(crate) fn answer_service(shared: &Arc<Shared>, conn: ConnectionId, request: ServiceRequest) {
    let result = service_result(shared, &request);
    let printout = match (&request.request_type, result == OverallResult::Success) {
        (ServiceRequestType::TransactionOverview, true) => {
            Some(report(shared, "TRANSACTION OVERVIEW"))
        }
        (ServiceRequestType::TicketReprint, _) => match shared.last_closing_report() {
            Some(lines) => {
                let mut copy = receipt::display_lines(&["*** DUPLICATE ***"]);
                copy.extend(lines);
                Some(copy)
            }
            // Nothing to reprint: no period was closed yet.
            None => return finish(shared, conn, &request, OverallResult::Failure),
        },
        (ServiceRequestType::ReconciliationWithClosure, true) => {
            // Kept, not printed: a reprint of the period closing prints it.
            shared.store_closing_report(&report(shared, "PERIOD CLOSING"));
            None
        }
        _ => None,
    };
    match printout {
        None => finish(shared, conn, &request, result),
        Some(lines) => {
            let task = Arc::clone(shared);
            shared.spawn(async move {
                let output = device::output(&task, &request, DeviceTarget::Printer, lines);
                let printed = device::exchange(Arc::clone(&task), conn, output).await;
                let result = if printed.is_some() {
                    result
                } else {
                    OverallResult::Failure
                };
                finish(&task, conn, &request, result);
            });
        }
    }
}

fn service_result(shared: &Shared, request: &ServiceRequest) -> OverallResult {
    let closing = matches!(
        request.request_type,
        ServiceRequestType::Reconciliation
            | ServiceRequestType::ReconciliationWithClosure
            | ServiceRequestType::Initialisation
            | ServiceRequestType::TransactionOverview
    );
    if matches!(request.request_type, ServiceRequestType::Other(_)) {
        return OverallResult::NotSupported;
    }
    if closing && shared.is_running() {
        // A terminal cannot close its period in the middle of a payment.
        return OverallResult::Busy;
    }
    if request.request_type == ServiceRequestType::CardRead {
        return match &shared.script().mifare {
            MifareCard::Present(_) => shared.script().service_result,
            MifareCard::Unknown => OverallResult::UnknownCard,
            MifareCard::Absent => OverallResult::TimedOut,
        };
    }
    shared.script().service_result
}

fn report(shared: &Shared, title: &str) -> Vec<TextLine> {
    receipt::totals_report(title, &shared.terminal_id, &responses::timestamp_now())
}

fn finish(shared: &Shared, conn: ConnectionId, request: &ServiceRequest, result: OverallResult) {
    let facts = Facts {
        terminal_id: &shared.terminal_id,
        stan: None,
        timestamp: responses::timestamp_now(),
    };
    let mut response = responses::service_response(request, result.clone(), &facts);
    if let (ServiceRequestType::CardRead, MifareCard::Present(uid)) =
        (&request.request_type, &shared.script().mifare)
    {
        if result == OverallResult::Success {
            response.private_data = Some(PrivateData {
                card_uid: Some(uid.clone()),
                ..PrivateData::default()
            });
        }
    }
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
pub(crate) async fn reprint_ticket(
    shared: Arc<Shared>,
    conn: ConnectionId,
    request: CardServiceRequest,
) {
    let stored = shared.last_receipt();
    let mut result = shared.script().service_result;
    match stored {
        Some(lines) => {
            let mut copy = receipt::display_lines(&["*** DUPLICATE ***"]);
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
