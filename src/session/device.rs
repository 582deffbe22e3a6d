//! Device requests from the terminal: text for displays, receipts and the e-journal is handed to
//! the app and answered at once; questions for the cashier wait for the app's answer.

use std::time::Instant;

use super::types::{ConnId, Diagnostic, Event, InputTicket, SessionError};
use super::{PendingInput, Session};
use crate::message::{
    DeviceRequest, DeviceRequestType, DeviceResponse, DeviceTarget, InputResult, InputValue,
    Message, OverallResult,
};

/// The cashier's answer to an [`Event::InputRequested`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputAnswer {
    /// Yes/no (signature accepted, identification checked).
    Confirm(bool),
    /// Text input.
    Text(String),
}

/// The `command` of an [`Event::InputRequested`] that asks whether the goods were delivered (a
/// DeliveryBox device request): answer with [`InputAnswer::Confirm`].
pub const DELIVERY_BOX: &str = "DeliveryBox";

/// Whether `request` addresses the DeliveryBox, through an Output or an Input (both are read: the
/// public sources do not show which one CCV's terminals use).
fn is_delivery_box(request: &DeviceRequest) -> bool {
    request
        .outputs
        .iter()
        .any(|output| output.target == DeviceTarget::DeliveryBox)
        || request
            .input
            .as_ref()
            .is_some_and(|input| input.target == DeviceTarget::DeliveryBox)
}

impl Session {
    pub(super) fn handle_device_request(&mut self, conn: ConnId, request: DeviceRequest) {
        if is_delivery_box(&request)
            && matches!(
                request.request_type,
                DeviceRequestType::Output | DeviceRequestType::Input
            )
        {
            // A question, whatever element carries it: the terminal waits for the POS's yes/no.
            self.ask(conn, request, DELIVERY_BOX.to_owned());
            return;
        }
        match request.request_type {
            DeviceRequestType::Output => self.handle_output(conn, request),
            DeviceRequestType::Input => {
                let command = request
                    .input
                    .as_ref()
                    .and_then(|input| input.command.as_ref())
                    .map(|command| command.command.trim().to_owned())
                    .unwrap_or_default();
                self.ask(conn, request, command);
            }
            DeviceRequestType::AbortInput => {
                let withdrawn: Vec<InputTicket> = self
                    .inputs
                    .iter()
                    .filter(|(_, pending)| pending.request.request_id == request.request_id)
                    .map(|(ticket, _)| *ticket)
                    .collect();
                for ticket in withdrawn {
                    self.inputs.remove(&ticket);
                    self.events.push_back(Event::InputCancelled { ticket });
                }
                self.answer_device(
                    conn,
                    DeviceResponse::answering(&request, OverallResult::Success),
                );
            }
            _ => self.answer_device(
                conn,
                DeviceResponse::answering(&request, OverallResult::Success),
            ),
        }
    }

    /// Hands a question to the app and keeps the request until it is answered.
    fn ask(&mut self, conn: ConnId, request: DeviceRequest, command: String) {
        let ticket = InputTicket(self.next_ticket);
        self.next_ticket += 1;
        let prompt = request
            .outputs
            .iter()
            .flat_map(|output| output.lines.iter().cloned())
            .collect();
        self.events.push_back(Event::InputRequested {
            ticket,
            request_id: request.request_id.clone(),
            prompt,
            command,
        });
        self.inputs.insert(ticket, PendingInput { conn, request });
    }

    fn handle_output(&mut self, conn: ConnId, request: DeviceRequest) {
        let mut response = DeviceResponse::answering(&request, OverallResult::Success);
        for (output, result) in request.outputs.iter().zip(response.outputs.iter_mut()) {
            if let DeviceTarget::Other(name) = &output.target {
                self.diagnostic(Diagnostic::UnknownDevice {
                    conn,
                    target: name.clone(),
                });
                result.result = OverallResult::DeviceUnavailable;
                continue;
            }
            self.events.push_back(Event::Output {
                request_id: request.request_id.clone(),
                target: output.target.clone(),
                lines: output.lines.clone(),
            });
        }
        if response
            .outputs
            .iter()
            .any(|output| output.result != OverallResult::Success)
        {
            response.overall_result = OverallResult::PartialFailure;
            if response
                .outputs
                .iter()
                .all(|output| output.result != OverallResult::Success)
            {
                response.overall_result = OverallResult::DeviceUnavailable;
            }
        }
        self.answer_device(conn, response);
    }

    fn answer_device(&mut self, conn: ConnId, mut response: DeviceResponse) {
        if !self.connections.contains_key(&conn) {
            return;
        }
        response.application_sender = self.config.application_sender.clone();
        let message = Message::DeviceResponse(response);
        match message.to_frame() {
            Ok(frame) => self.send(conn, frame, message.summary()),
            Err(error) => log::error!("device response could not be encoded: {error}"),
        }
    }

    /// Answers a cashier question. Fails when the terminal already withdrew it.
    pub fn answer_input(
        &mut self,
        ticket: InputTicket,
        answer: InputAnswer,
        _now: Instant,
    ) -> Result<(), SessionError> {
        let pending = self
            .inputs
            .remove(&ticket)
            .ok_or(SessionError::UnknownInputTicket(ticket.0))?;
        let mut response = DeviceResponse::answering(&pending.request, OverallResult::Success);
        if is_delivery_box(&pending.request) {
            // Delivered: every part of the request succeeded. Not delivered: the DeliveryBox part
            // failed, and so did the request (the terminal then ends the payment without charging).
            let delivered = matches!(answer, InputAnswer::Confirm(true));
            let result = if delivered {
                OverallResult::Success
            } else {
                OverallResult::Failure
            };
            for output in response.outputs.iter_mut() {
                if output.target == DeviceTarget::DeliveryBox {
                    output.result = result.clone();
                }
            }
            if let Some(input) = pending.request.input.as_ref() {
                response.input = Some(InputResult {
                    target: input.target.clone(),
                    result: result.clone(),
                    value: Some(InputValue {
                        boolean: Some(delivered),
                        string: None,
                    }),
                });
            }
            response.overall_result = result;
            self.answer_device(pending.conn, response);
            return Ok(());
        }
        let target = pending
            .request
            .input
            .as_ref()
            .map(|input| input.target.clone())
            .unwrap_or(DeviceTarget::CashierKeyboard);
        let value = match answer {
            InputAnswer::Confirm(yes) => InputValue {
                boolean: Some(yes),
                string: None,
            },
            InputAnswer::Text(text) => InputValue {
                boolean: None,
                string: Some(text),
            },
        };
        response.input = Some(InputResult {
            target,
            result: OverallResult::Success,
            value: Some(value),
        });
        self.answer_device(pending.conn, response);
        Ok(())
    }

    pub(super) fn cancel_inputs_on(&mut self, conn: ConnId) {
        let withdrawn: Vec<InputTicket> = self
            .inputs
            .iter()
            .filter(|(_, pending)| pending.conn == conn)
            .map(|(ticket, _)| *ticket)
            .collect();
        for ticket in withdrawn {
            self.inputs.remove(&ticket);
            self.events.push_back(Event::InputCancelled { ticket });
        }
    }
}
