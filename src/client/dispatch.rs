//! Session events → delegate callbacks: display and receipt text to the running flow's delegate,
//! questions through [`InputAsk`], and each command's outcome exactly once, with the in-flight
//! journal cleared only after that outcome was delivered.

use std::sync::Arc;

use super::delegate::{
    AdministrationResult, Delegate, InputAsk, PaymentReceipt, PaymentResult, SdkError,
};
use super::task::{call, local_error, Flow, FlowKind, TerminalMsg, TerminalTask};
use crate::error::MapiError;
use crate::message::masking::mask_card_data;
use crate::message::RequestId;
use crate::message::Response;
use crate::message::{DeviceTarget, OverallResult, ServiceRequestType, TextLine};
use crate::session::{Event, FlowError, InputAnswer, Outcome, DELIVERY_BOX};

impl TerminalTask {
    pub(super) fn dispatch(&mut self, event: Event) {
        // An abort fired from the app's thread is bound before any event can be its outcome.
        self.bind_fired_aborts();
        match event {
            Event::Output { target, lines, .. } => self.dispatch_output(&target, &lines),
            Event::InputRequested {
                ticket,
                prompt,
                command,
                ..
            } => {
                let Some(flow) = self
                    .flows
                    .values()
                    .find(|f| !matches!(f.kind, FlowKind::Abort))
                else {
                    log::warn!("terminal asked a question with no request running; answering no");
                    if let Some(transport) = self.transport.as_mut() {
                        let _ = transport.answer_input(ticket, InputAnswer::Confirm(false));
                    }
                    return;
                };
                let delivery = command == DELIVERY_BOX;
                if delivery {
                    // The terminal gives up after about 30 s: answer "not delivered" before it,
                    // so the payment ends cleanly. A later answer of the app finds no question.
                    let tx = self.self_tx.clone();
                    let bound = self.terminal.timeouts.delivery_box_answer;
                    tokio::spawn(async move {
                        tokio::time::sleep(bound).await;
                        let _ = tx.send(TerminalMsg::AnswerInput(
                            ticket,
                            InputAnswer::Confirm(false),
                        ));
                    });
                }
                let identification = prompt
                    .iter()
                    .any(|l| l.text.to_ascii_lowercase().contains("ident"));
                let tx = self.self_tx.clone();
                let ask = InputAsk {
                    prompt,
                    command,
                    ticket,
                    reply: Some(Arc::new(move |ticket, answer| {
                        let _ = tx.send(TerminalMsg::AnswerInput(ticket, answer));
                    })),
                };
                let delegate = flow.delegate.clone();
                if delivery {
                    call("on_deliver_goods_or_services", || {
                        delegate.on_deliver_goods_or_services(ask)
                    });
                } else if identification {
                    call("ask_customer_identification", || {
                        delegate.ask_customer_identification(ask)
                    });
                } else {
                    call("ask_customer_signature", || {
                        delegate.ask_customer_signature(ask)
                    });
                }
            }
            Event::InputCancelled { ticket } => {
                log::info!("terminal withdrew question {}", ticket.0)
            }
            Event::Finished {
                command, outcome, ..
            } => match self.flows.remove(&command) {
                Some(flow) => self.finish(flow, outcome),
                None => log::error!("outcome for unknown command {}", command.0),
            },
            // The transport arms an abort for it as soon as the request has left.
            Event::RequestSent { .. } | Event::Diagnostic(_) => {}
        }
    }

    fn dispatch_output(&mut self, target: &DeviceTarget, lines: &[TextLine]) {
        // A ticket reprinted for recovery is the evidence of its outcome: keep it (masked).
        for flow in self.flows.values_mut() {
            if let FlowKind::Recovery(run) = &mut flow.kind {
                if run.is_reprinting()
                    && matches!(target, DeviceTarget::Printer | DeviceTarget::PrinterReceipt)
                {
                    run.receipt
                        .extend(lines.iter().map(|l| mask_card_data(&l.text)));
                }
            }
        }
        let request = self
            .flows
            .values()
            .find(|f| !matches!(f.kind, FlowKind::Abort));
        let abort = self
            .flows
            .values()
            .find(|f| matches!(f.kind, FlowKind::Abort));
        let mut recipients: Vec<&Arc<dyn Delegate>> =
            request.map(|f| &f.delegate).into_iter().collect();
        // The abort's delegate sees the cashier display too: a normal abort makes the terminal show "Aborted".
        if let (Some(abort), DeviceTarget::CashierDisplay) = (abort, target) {
            if !recipients.iter().any(|d| Arc::ptr_eq(d, &abort.delegate)) {
                recipients.push(&abort.delegate);
            }
        }
        if recipients.is_empty() {
            log::info!(
                "{target} output with no request running: {} line(s)",
                lines.len()
            );
        }
        let receipt = || PaymentReceipt {
            lines: lines.to_vec(),
        };
        for delegate in recipients {
            match target {
                DeviceTarget::CashierDisplay => call("show_terminal_output_lines", || {
                    delegate.show_terminal_output_lines(lines)
                }),
                DeviceTarget::CustomerDisplay => call("show_on_customer_display", || {
                    delegate.show_on_customer_display(lines)
                }),
                DeviceTarget::Printer => call("print_merchant_receipt_and_signature", || {
                    delegate.print_merchant_receipt_and_signature(&receipt())
                }),
                DeviceTarget::PrinterReceipt => {
                    call("print_customer_receipt_and_signature", || {
                        delegate.print_customer_receipt_and_signature(&receipt())
                    })
                }
                DeviceTarget::EJournal => {
                    let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
                    call("store_ejournal", || {
                        delegate.store_ejournal(&text.join("\n"))
                    });
                }
                DeviceTarget::JournalPrinter => call("print_journal_receipt", || {
                    delegate.print_journal_receipt(&receipt())
                }),
                DeviceTarget::DccOffer => {
                    call("print_dcc_offer", || delegate.print_dcc_offer(&receipt()))
                }
                DeviceTarget::EReceipt => {
                    let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
                    call("e_receipt", || delegate.e_receipt(&text.join("\n")));
                }
                _ => log::info!("output for {target} ignored"),
            }
        }
    }

    fn finish(&mut self, flow: Flow, outcome: Outcome) {
        let delegate = flow.delegate.clone();
        let journal_key = flow.request_id.to_string();
        let mut settled = true;
        match (flow.kind, outcome) {
            (
                FlowKind::Payment {
                    auth_and_capture: true,
                    ..
                },
                Ok(response),
            ) if *response.overall_result() == OverallResult::NotSupported => {
                let error = SdkError {
                    mapi_error: Some(MapiError::AuthAndCapFlowNotSupported),
                    result: Some(OverallResult::NotSupported),
                    request_id: Some(flow.request_id),
                    recovery_needed: false,
                    detail: format!(
                        "the terminal does not support {} (reservation and capture): nothing was charged",
                        response.request_type()
                    ),
                };
                call("on_error", || delegate.on_error(&error));
            }
            (FlowKind::CardInquiry, Ok(response)) => {
                let result = PaymentResult {
                    result: response.overall_result().clone(),
                    request_id: flow.request_id,
                    amount: None,
                    currency: None,
                    recovered: false,
                    response: Some(response),
                };
                deliver_payment(&delegate, &result);
            }
            (
                FlowKind::Payment {
                    amount, currency, ..
                },
                Ok(response),
            ) => {
                let result = PaymentResult {
                    result: response.overall_result().clone(),
                    request_id: flow.request_id,
                    amount: Some(amount),
                    currency: Some(currency),
                    recovered: false,
                    response: Some(response),
                };
                deliver_payment(&delegate, &result);
            }
            (FlowKind::Recovery(run), outcome) => {
                self.finish_recovery(*run, delegate, flow.request_id, outcome);
                return;
            }
            (FlowKind::Abort | FlowKind::Administration, Ok(response)) => {
                if response.is_success() {
                    deliver_data(&delegate, &response);
                    let result = AdministrationResult {
                        result: response.overall_result().clone(),
                        request_id: flow.request_id,
                        response,
                    };
                    call("on_payment_administration_success", || {
                        delegate.on_payment_administration_success(&result)
                    });
                } else {
                    let error = SdkError {
                        mapi_error: None,
                        result: Some(response.overall_result().clone()),
                        request_id: Some(flow.request_id),
                        recovery_needed: false,
                        detail: format!(
                            "the terminal answered {} {}",
                            response.request_type(),
                            response.overall_result()
                        ),
                    };
                    call("on_error", || delegate.on_error(&error));
                }
            }
            (
                kind,
                Err(FlowError {
                    error,
                    request_id,
                    recovery_needed,
                    detail,
                }),
            ) => {
                settled = !recovery_needed;
                let _ = kind;
                let error = SdkError {
                    mapi_error: Some(error),
                    result: None,
                    request_id: request_id.or(Some(flow.request_id.clone())),
                    recovery_needed,
                    detail,
                };
                // Recorded before the app hears: what it does in the callback (list the pending
                // payments, crash) already finds the entry with its reason.
                if flow.journaled && !settled {
                    self.payment_unsettled(&flow.request_id, &error.to_string());
                }
                call("on_error", || delegate.on_error(&error));
            }
        }
        // Cleared only after the outcome was delivered: a crash inside the callback leaves the
        // entry, and the next start recovers the payment instead of losing it.
        if flow.journaled && settled {
            if let Err(error) = self.journal.clear(&journal_key) {
                log::error!("{error}");
            }
        }
    }
}

/// The data callbacks an administrative answer carries, before its success callback (as CCV's SDK
/// calls `configData` / `cardUID` before `onPaymentAdministrationSuccess`).
fn deliver_data(delegate: &Arc<dyn Delegate>, response: &Response) {
    let Response::Service(service) = response else {
        return;
    };
    let Some(private) = service.private_data.as_ref() else {
        return;
    };
    match service.request_type {
        ServiceRequestType::GetConfig => {
            call("config_data", || delegate.config_data(&private.config))
        }
        ServiceRequestType::CardRead => {
            if let Some(uid) = private.card_uid.as_deref() {
                call("card_uid", || delegate.card_uid(uid));
            }
        }
        _ => {}
    }
}

/// The outcome callback a settled payment (or recovered one) calls, by its result.
pub(super) fn deliver_payment(delegate: &Arc<dyn Delegate>, result: &PaymentResult) {
    if result.result == OverallResult::Success {
        call("on_payment_success", || delegate.on_payment_success(result));
    } else {
        call("on_payment_error", || delegate.on_payment_error(result));
    }
}

impl TerminalTask {
    /// Binds the aborts fired from the app's thread that the transport recorded to their
    /// delegates. Runs before any event is handled and before the task starts an abort itself.
    pub(super) fn bind_fired_aborts(&mut self) {
        let Some(transport) = self.transport.as_mut() else {
            return;
        };
        for recorded in transport.take_fired_aborts() {
            let Some(delegate) = self.lane.take(recorded.ticket) else {
                log::error!(
                    "abort {} was recorded but nobody waits for it",
                    recorded.request_id
                );
                continue;
            };
            match recorded.command {
                Some(command) => {
                    self.flows.insert(
                        command,
                        Flow {
                            kind: FlowKind::Abort,
                            delegate,
                            request_id: recorded.request_id,
                            journaled: false,
                        },
                    );
                }
                None => {
                    let error = local_error(
                        Some(MapiError::NotAFlowHappening),
                        Some(recorded.request_id),
                        "the abort went out but its request was no longer known; recover the payment to learn its outcome".to_owned(),
                    );
                    call("on_error", || delegate.on_error(&error));
                }
            }
        }
    }

    /// The delegate of an abort fired and never recorded (the task is ending), with its id.
    pub(super) fn drain_lane(&mut self) -> Option<(RequestId, Arc<dyn Delegate>)> {
        let (ticket, request_id) = self.lane.lane.drain()?;
        self.lane
            .take(ticket)
            .map(|delegate| (request_id, delegate))
    }
}
