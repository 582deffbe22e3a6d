//! One payment run, from request to response: "Present card" on the cashier display, the
//! card-presented gate (abort accepted: F1A), authorisation, receipts, the optional signature
//! question, the completion gate (abort refused: F1B), the response with the scripted faults.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::device;
use super::events::{ConnectionId, RunStep, SimEvent};
use super::receipt::{self, Copy, ReceiptFacts};
use super::responses::{self, Facts};
use super::script::{Fault, FaultPoint, GarbageKind, Gate, OnDisconnect, Script, Stage};
use super::terminal::{AbortOrder, RunControl, RunStart, Shared};
use crate::message::abort::AbortDisplay;
use crate::message::codec::encode_frame;
use crate::message::{
    CardServiceRequest, CardServiceResponse, DeviceRequest, DeviceTarget, Message, OverallResult,
};

/// Why the run left the path to authorisation.
enum Interrupted {
    Abort(AbortOrder),
    Disconnected,
    /// The POS said the goods were not delivered, or did not say in time.
    NotDelivered,
}

struct Run {
    shared: Arc<Shared>,
    request: CardServiceRequest,
    conn: ConnectionId,
    script: Script,
    control: mpsc::UnboundedReceiver<RunControl>,
    stan: String,
    /// A RepeatLastMessage is waiting: skip the remaining gates.
    finish_now: bool,
    /// The terminal closed the connection itself (a fault): nothing more is written on it.
    closed_by_us: bool,
}

/// Runs one payment to its end; spawned by the dispatcher for each accepted payment-like request.
pub(crate) async fn run_payment(shared: Arc<Shared>, start: RunStart) {
    let run = Run {
        shared,
        request: start.request,
        conn: start.conn,
        script: start.script,
        control: start.control,
        stan: start.stan,
        finish_now: false,
        closed_by_us: false,
    };
    run.execute().await;
}

impl Run {
    async fn execute(mut self) {
        self.step(RunStep::RequestReceived);
        self.fault_point(FaultPoint::RequestReceived);
        match self.until_authorised().await {
            Ok(()) => self.complete().await,
            Err(Interrupted::Abort(order)) => self.finish_aborted(Some(order)).await,
            Err(Interrupted::Disconnected | Interrupted::NotDelivered) => {
                self.finish_aborted(None).await
            }
        }
    }

    fn step(&self, step: RunStep) {
        self.shared.event(SimEvent::StageReached {
            request_id: self.request.request_id.clone(),
            step,
        });
    }

    fn fault(&self, description: String) {
        log::info!("simulator: injecting fault: {description}");
        self.shared.event(SimEvent::FaultInjected {
            request_id: self.request.request_id.clone(),
            description,
        });
    }

    fn fault_point(&mut self, point: FaultPoint) {
        if self.script.fault == Some(Fault::CloseAt(point)) && !self.closed_by_us {
            self.fault(format!("close channel 0 at {point:?}"));
            self.shared.close_connection(self.conn);
            self.closed_by_us = true;
        }
    }

    /// Waits for `future` while reacting to the run's control signals. `abortable` before
    /// authorisation only; `gate` lets a RepeatLastMessage cut the wait short (`Ok(None)`).
    async fn interruptible<F: Future>(
        &mut self,
        future: F,
        abortable: bool,
        gate: bool,
    ) -> Result<Option<F::Output>, Interrupted> {
        tokio::pin!(future);
        loop {
            tokio::select! {
                output = &mut future => return Ok(Some(output)),
                control = self.control.recv() => match control {
                    Some(RunControl::Abort(order)) if abortable => {
                        return Err(Interrupted::Abort(order))
                    }
                    // The phase rule makes this unreachable; answer it rather than lose it.
                    Some(RunControl::Abort(order)) => self.shared.refuse_abort(order),
                    Some(RunControl::Finish) => {
                        self.finish_now = true;
                        if gate {
                            return Ok(None);
                        }
                    }
                    Some(RunControl::ConnectionLost) => {
                        if abortable && self.script.on_disconnect == OnDisconnect::Abort {
                            return Err(Interrupted::Disconnected);
                        }
                    }
                    None => return Ok(Some(future.await)),
                },
            }
        }
    }

    async fn pass_gate(&mut self, stage: Stage, abortable: bool) -> Result<(), Interrupted> {
        let gate = match stage {
            Stage::CardPresented => self.script.card_presented.clone(),
            Stage::Completion => self.script.completion.clone(),
        };
        if self.finish_now || gate == Gate::Immediate {
            return Ok(());
        }
        let shared = Arc::clone(&self.shared);
        let wait = async move { shared.gates.wait(gate, stage).await };
        self.interruptible(wait, abortable, true).await.map(drop)
    }

    async fn device(
        &mut self,
        request: DeviceRequest,
        abortable: bool,
    ) -> Result<Option<crate::message::DeviceResponse>, Interrupted> {
        let exchange = device::exchange(Arc::clone(&self.shared), self.conn, request);
        Ok(self
            .interruptible(exchange, abortable, false)
            .await?
            .flatten())
    }

    async fn until_authorised(&mut self) -> Result<(), Interrupted> {
        if self.script.device_requests {
            let lines = receipt::present_card(self.request.total_amount.as_ref());
            let display = device::output(
                &self.shared,
                &self.request,
                DeviceTarget::CashierDisplay,
                lines.clone(),
            );
            self.device(display, true).await?;
            if self.script.customer_display {
                let customer = device::output(
                    &self.shared,
                    &self.request,
                    DeviceTarget::CustomerDisplay,
                    lines,
                );
                self.device(customer, true).await?;
            }
        }
        self.step(RunStep::AwaitingCard);
        self.pass_gate(Stage::CardPresented, true).await?;
        if self.script.delivery_box && !self.finish_now {
            self.delivery_box().await?;
        }
        if self.shared.authorise() {
            return Ok(());
        }
        // An abort was accepted after the gate opened but before authorisation: its order is
        // already in the control channel.
        Err(self.next_abort_order().await)
    }

    /// CCV's unattended step: the goods must be out before the money is taken.
    async fn delivery_box(&mut self) -> Result<(), Interrupted> {
        let lines = receipt::display_lines(&["Deliver goods?"]);
        let request = device::output(
            &self.shared,
            &self.request,
            DeviceTarget::DeliveryBox,
            lines,
        );
        let wait = self.script.delivery_box_wait;
        let exchange = device::exchange(Arc::clone(&self.shared), self.conn, request);
        let bounded = async move { tokio::time::timeout(wait, exchange).await.ok().flatten() };
        let answer = self.interruptible(bounded, true, false).await?.flatten();
        let delivered = answer.is_some_and(|response| {
            response.overall_result == OverallResult::Success
                && response
                    .outputs
                    .iter()
                    .all(|output| output.result == OverallResult::Success)
                && response
                    .input
                    .and_then(|input| input.value)
                    .and_then(|value| value.boolean)
                    .unwrap_or(true)
        });
        if delivered {
            Ok(())
        } else {
            log::info!("simulator: goods not delivered; the payment ends Aborted");
            Err(Interrupted::NotDelivered)
        }
    }

    async fn next_abort_order(&mut self) -> Interrupted {
        loop {
            match self.control.recv().await {
                Some(RunControl::Abort(order)) => return Interrupted::Abort(order),
                Some(RunControl::Finish) => self.finish_now = true,
                Some(RunControl::ConnectionLost) => {}
                None => return Interrupted::Disconnected,
            }
        }
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            terminal_id: &self.shared.terminal_id,
            stan: Some(&self.stan),
            timestamp: responses::timestamp_now(),
        }
    }

    async fn complete(mut self) {
        self.step(RunStep::Authorised);
        self.fault_point(FaultPoint::Authorised);
        let mut result = self.script.result.clone();
        let mut error_text = None;
        let money = responses::prints_receipts(&self.request.request_type);
        let timestamp = responses::timestamp_now();
        if money && self.script.dcc_offer && self.script.device_requests {
            let offer = receipt::dcc_offer(self.request.total_amount.as_ref());
            let request =
                device::output(&self.shared, &self.request, DeviceTarget::DccOffer, offer);
            let _ = self.device(request, false).await;
        }
        if money && self.script.device_requests {
            self.print(DeviceTarget::Printer, Copy::Merchant, &result, &timestamp)
                .await;
        }
        let questions = [
            (
                self.script.ask_signature,
                device::signature_question as fn(&Shared, &CardServiceRequest) -> DeviceRequest,
                "Signature refused",
            ),
            (
                self.script.ask_identification,
                device::identification_question,
                "Identification refused",
            ),
        ];
        for (asked, question, refusal) in questions {
            if !(money && asked && result == OverallResult::Success) {
                continue;
            }
            let answer = self
                .device(question(&self.shared, &self.request), false)
                .await
                .ok()
                .flatten();
            let confirmed = answer
                .and_then(|response| response.input)
                .and_then(|input| input.value)
                .and_then(|value| value.boolean)
                .unwrap_or(false);
            if !confirmed {
                result = OverallResult::Failure;
                error_text = Some(refusal);
            }
        }
        if money && self.script.device_requests {
            self.print(
                DeviceTarget::PrinterReceipt,
                Copy::Customer,
                &result,
                &timestamp,
            )
            .await;
            if self.script.e_receipt {
                self.print(DeviceTarget::EReceipt, Copy::Customer, &result, &timestamp)
                    .await;
            }
            self.print(DeviceTarget::EJournal, Copy::Journal, &result, &timestamp)
                .await;
            if self.script.journal_receipt {
                self.print(
                    DeviceTarget::JournalPrinter,
                    Copy::Journal,
                    &result,
                    &timestamp,
                )
                .await;
            }
        }
        self.step(RunStep::AwaitingCompletion);
        // Not abortable: the only error is an abort, which cannot come through here.
        let _ = self.pass_gate(Stage::Completion, false).await;
        self.step(RunStep::Responding);
        let mut response =
            responses::payment_response(&self.request, result, &self.facts(), error_text);
        let token_asked = self
            .request
            .private_data
            .as_ref()
            .and_then(|private| private.request_token)
            == Some(true);
        if token_asked && response.overall_result == OverallResult::Success {
            response.private_data = Some(crate::message::PrivateData {
                card_token: Some(crate::message::Secret(responses::card_token(&self.stan))),
                ..crate::message::PrivateData::default()
            });
        }
        self.fault_point(FaultPoint::BeforeResponse);
        self.shared
            .end_run(&Message::CardServiceResponse(response.clone()));
        let delivered = self.deliver(&response);
        self.shared.event(SimEvent::PaymentFinished {
            request_id: response.request_id.clone(),
            result: response.overall_result,
            delivered,
        });
    }

    async fn print(
        &mut self,
        target: DeviceTarget,
        copy: Copy,
        result: &OverallResult,
        timestamp: &str,
    ) {
        let approval =
            (*result == OverallResult::Success).then(|| responses::approval_code(&self.stan));
        let facts = ReceiptFacts {
            dialect: self.shared.dialect,
            terminal_id: &self.shared.terminal_id,
            request_type: &self.request.request_type,
            amount: self.request.total_amount.as_ref(),
            stan: &self.stan,
            approval_code: approval.as_deref(),
            result,
            timestamp,
            signature_line: self.script.ask_signature,
        };
        let lines = receipt::receipt(&facts, copy);
        if target == DeviceTarget::PrinterReceipt {
            self.shared.store_receipt(&lines);
        }
        let request = device::output(&self.shared, &self.request, target, lines);
        let _ = self.device(request, false).await;
    }

    /// Writes the response as the script's fault dictates; `true` when the real response was queued.
    fn deliver(&mut self, response: &CardServiceResponse) -> bool {
        if self.closed_by_us {
            return false;
        }
        let message = Message::CardServiceResponse(response.clone());
        let conn = self.conn;
        match self.script.fault.clone() {
            Some(Fault::Silent) => {
                self.fault("never answer the payment".to_owned());
                false
            }
            Some(Fault::Garbage(GarbageKind::MalformedXml)) => {
                self.fault("malformed XML instead of the response".to_owned());
                let garbage = responses::malformed_xml(&response.request_id);
                if let Ok(frame) = encode_frame(&garbage) {
                    self.shared
                        .send_bytes(conn, frame, "malformed XML".to_owned());
                }
                false
            }
            Some(Fault::Garbage(GarbageKind::HugeLength)) => {
                self.fault("response XML without length prefix".to_owned());
                if let Ok(xml) = message.to_xml() {
                    let summary = "unframed XML (reads as a huge length)".to_owned();
                    self.shared.send_bytes(conn, xml.into_bytes(), summary);
                }
                false
            }
            Some(Fault::Garbage(GarbageKind::UnknownMessage)) => {
                self.fault("unknown message before the response".to_owned());
                let garbage = responses::unknown_message(&self.shared.terminal_id);
                if let Ok(frame) = encode_frame(&garbage) {
                    self.shared
                        .send_bytes(conn, frame, "unknown message".to_owned());
                }
                self.shared.send(conn, &message)
            }
            Some(Fault::Garbage(GarbageKind::WrongRequestId)) => {
                self.fault("response with a wrong RequestID before the real one".to_owned());
                let wrong = responses::with_wrong_request_id(response);
                self.shared.send(conn, &Message::CardServiceResponse(wrong));
                self.shared.send(conn, &message)
            }
            _ => self.shared.send(conn, &message),
        }
    }

    /// Ends the payment as Aborted: for an accepted AbortRequest (with the "Aborted" display when it
    /// is a normal abort) or for a lost connection under `OnDisconnect::Abort`.
    async fn finish_aborted(mut self, order: Option<AbortOrder>) {
        let order = match order {
            Some(order) => Some(order),
            None if self.shared.mark_aborting() => None,
            None => match self.next_abort_order().await {
                Interrupted::Abort(order) => Some(order),
                Interrupted::Disconnected | Interrupted::NotDelivered => None,
            },
        };
        if let Some(AbortOrder {
            display: AbortDisplay::Normal,
            ..
        }) = &order
        {
            let lines = receipt::display_lines(&["Aborted"]);
            let display = device::output(
                &self.shared,
                &self.request,
                DeviceTarget::CashierDisplay,
                lines,
            );
            let _ = self.device(display, false).await;
        }
        let response = responses::payment_response(
            &self.request,
            OverallResult::Aborted,
            &self.facts(),
            Some("Aborted by the POS"),
        );
        let payment = Message::CardServiceResponse(response);
        self.shared.end_run(&payment);
        let abort = order.as_ref().and_then(|order| {
            responses::plain_answer(&order.request, OverallResult::Success)
                .map(|answer| (order.conn, answer))
        });
        if self.script.abort_responses_first {
            if let Some((conn, answer)) = &abort {
                self.shared.send_abort_answer(*conn, answer, true);
            }
        }
        let delivered = !self.closed_by_us && self.shared.send(self.conn, &payment);
        if !self.script.abort_responses_first {
            if let Some((conn, answer)) = &abort {
                self.shared.send_abort_answer(*conn, answer, true);
            }
        }
        self.shared.event(SimEvent::PaymentFinished {
            request_id: self.request.request_id.clone(),
            result: OverallResult::Aborted,
            delivered,
        });
    }
}
