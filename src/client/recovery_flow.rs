//! Recovery as the terminal's task runs it: RepeatLastMessage about the journal's unsettled
//! entries, CCV's reprint path on `PrintLastTicket`, bounded automatic retries, the gate that keeps
//! a new payment from starting while an earlier one is unsettled, and the operator's resolution.
//!
//! The one rule (see [`super::recovery`]): only the terminal's answer about *this* request settles
//! it. Whatever else happens, the entry stays in the journal and the app hears "pending" with the
//! reason — never a guessed outcome.
//!
//! ```text
//!   payment sent ──answer──────────────────────────────▶ settled (entry removed)
//!        │ crash / connection lost / timeout
//!        ▼
//!   unsettled ──RepeatLastMessage──┬─ answer about it, final ──▶ settled, `recovered`
//!        ▲                          ├─ Busy / no header / other request ──▶ pending, retry later
//!        └──────── backoff ─────────┤
//!                                   └─ PrintLastTicket ──TicketReprint──▶ needs operator
//! ```

use std::sync::Arc;

use super::delegate::{Delegate, PaymentResult, PendingPayment, SdkError};
use super::dispatch::deliver_payment;
use super::journal::{EntryState, JournalEntry, Stored};
use super::operation::{self, Administration, Operation};
use super::recovery::{describe, judge, pending_of, summary, Verdict};
use super::recovery_state::{Gate, RecoveryRun, Retry, Stage};
use super::task::{call, Flow, FlowKind, TerminalMsg, TerminalTask};
use crate::error::MapiError;
use crate::message::Response;
use crate::message::{OverallResult, RequestId};
use crate::session::Outcome;

/// Automatic attempts after an answer that settled nothing, before recovery waits to be asked.
const MAX_AUTOMATIC_ATTEMPTS: u32 = 8;

impl TerminalTask {
    /// Whether a new payment may start now.
    pub(super) fn unsettled_gate(&self, after_recovery: bool) -> Gate {
        let stored = match self.journal.list() {
            Ok(stored) => stored,
            Err(error) => {
                return Gate::Refuse(SdkError {
                    mapi_error: Some(MapiError::PaymentPendingRecovery),
                    result: None,
                    request_id: None,
                    recovery_needed: true,
                    detail: format!("{error}; the journal of unsettled payments cannot be read, so nothing was sent"),
                })
            }
        };
        let Some(newest) = stored.last() else {
            return Gate::Open;
        };
        let recoverable = stored.iter().any(|s| {
            matches!(s, Stored::Entry { entry, .. } if entry.state != EntryState::NeedsOperator)
        });
        if recoverable && self.recovery_delegate.is_some() && !after_recovery {
            return Gate::RecoverFirst;
        }
        let pending = pending_of(newest);
        Gate::Refuse(SdkError {
            mapi_error: Some(MapiError::PaymentPendingRecovery),
            result: None,
            request_id: pending.request_id.clone(),
            recovery_needed: true,
            detail: format!(
                "payment {} on this terminal is not settled ({}); nothing was sent. Recover it (recover_payment) or, once its outcome is known, resolve it (resolve_pending)",
                pending.key, pending.reason
            ),
        })
    }

    /// At the task's start: with automatic recovery, settle what the last run left.
    pub(super) async fn recover_at_start(&mut self) {
        let stored = match self.journal.list() {
            Ok(stored) => stored,
            Err(error) => {
                log::error!("{error}");
                if let Some(delegate) = self.recovery_delegate.clone() {
                    let error = SdkError {
                        mapi_error: Some(MapiError::RecoveryPending),
                        result: None,
                        request_id: None,
                        recovery_needed: true,
                        detail: error.to_string(),
                    };
                    call("on_error", || delegate.on_error(&error));
                }
                return;
            }
        };
        if stored.is_empty() {
            return;
        }
        for s in &stored {
            log::warn!(
                "unsettled from an earlier run: {}",
                pending_of(s).reason.as_str()
            );
        }
        let Some(delegate) = self.recovery_delegate.clone() else {
            return;
        };
        let recoverable = stored.iter().any(|s| {
            matches!(s, Stored::Entry { entry, .. } if entry.state != EntryState::NeedsOperator)
        });
        if recoverable {
            self.start_recovery(true, None).await;
        } else {
            for s in &stored {
                let pending = pending_of(s);
                call("on_recovery_pending", || {
                    delegate.on_recovery_pending(&pending)
                });
            }
        }
    }

    /// The retry timer fired.
    pub(super) async fn retry_now(&mut self) {
        let base = self.terminal.timeouts.recovery_retry;
        let Some(retry) = self.retry.as_mut() else {
            return;
        };
        if !self.flows.is_empty() {
            // Something runs (not a payment: the gate holds those); try again after it.
            retry.at = Some(tokio::time::Instant::now() + base);
            return;
        }
        retry.at = None;
        self.start_recovery(true, None).await;
    }

    /// Automatic recovery, reported to the recovery delegate.
    pub(super) async fn start_recovery(
        &mut self,
        automatic: bool,
        then: Option<(Operation, Arc<dyn Delegate>)>,
    ) {
        let Some(delegate) = self.recovery_delegate.clone() else {
            if let Some((_, waiting)) = then {
                if let Gate::Refuse(error) = self.unsettled_gate(true) {
                    call("on_error", || waiting.on_error(&error));
                }
            }
            return;
        };
        self.start_recovery_with(automatic, then, delegate).await
    }

    /// Sends RepeatLastMessage about the journal's entries; the outcome reaches `delegate` once.
    pub(super) async fn start_recovery_with(
        &mut self,
        automatic: bool,
        then: Option<(Operation, Arc<dyn Delegate>)>,
        delegate: Arc<dyn Delegate>,
    ) {
        let stored = match self.journal.list() {
            Ok(stored) => stored,
            Err(error) => {
                let error = SdkError {
                    mapi_error: Some(MapiError::RecoveryPending),
                    result: None,
                    request_id: None,
                    recovery_needed: true,
                    detail: error.to_string(),
                };
                call("on_error", || delegate.on_error(&error));
                self.release_waiting(then);
                return;
            }
        };
        let candidates: Vec<JournalEntry> = stored
            .iter()
            .filter_map(|s| match s {
                Stored::Entry { entry, .. }
                    if !automatic || entry.state != EntryState::NeedsOperator =>
                {
                    Some(entry.clone())
                }
                _ => None,
            })
            .collect();
        if candidates.is_empty() {
            if let Some(corrupt) = stored.first() {
                // Only unreadable (or operator-bound) entries: nothing to ask the terminal about.
                let pending = pending_of(corrupt);
                call("on_recovery_pending", || {
                    delegate.on_recovery_pending(&pending)
                });
                self.release_waiting(then);
                return;
            }
        }
        let run = RecoveryRun {
            candidates,
            automatic,
            then,
            stage: Stage::Repeat,
            receipt: Vec::new(),
        };
        self.send_recovery_request(run, delegate).await;
    }

    async fn send_recovery_request(&mut self, run: RecoveryRun, delegate: Arc<dyn Delegate>) {
        if let Err(detail) = self.ensure_transport().await {
            self.unsettled(
                run,
                delegate,
                &format!("the terminal could not be reached ({detail})"),
            );
            return;
        }
        let running = self
            .transport
            .as_mut()
            .and_then(|t| t.running_request().cloned());
        if let Some(running) = running {
            let error = SdkError {
                mapi_error: Some(MapiError::FlowAlreadyHappening),
                result: None,
                request_id: Some(running),
                recovery_needed: false,
                detail: "a request runs on this terminal; recover after it ended".to_owned(),
            };
            call("on_error", || delegate.on_error(&error));
            self.release_waiting(run.then);
            return;
        }
        self.start_request_of(run, delegate);
    }

    /// Starts the request of `run`'s stage on the open transport.
    fn start_request_of(&mut self, run: RecoveryRun, delegate: Arc<dyn Delegate>) {
        let id = match self.allocate_id(true) {
            Ok(id) => id,
            Err(detail) => {
                self.unsettled(run, delegate, &detail);
                return;
            }
        };
        let request = match run.stage {
            Stage::Repeat => operation::repeat_last_message_request(&self.terminal, id.clone()),
            Stage::Reprint { .. } => operation::administration_request(
                &self.terminal,
                Administration::TicketReprint,
                id.clone(),
            ),
        };
        let Some(transport) = self.transport.as_mut() else {
            self.unsettled(run, delegate, "the connection to the terminal is gone");
            return;
        };
        let command = transport.start_request(request);
        self.flows.insert(
            command,
            Flow {
                kind: FlowKind::Recovery(Box::new(run)),
                delegate,
                request_id: id,
                journaled: false,
            },
        );
    }

    /// A recovery flow's request ended.
    pub(super) fn finish_recovery(
        &mut self,
        mut run: RecoveryRun,
        delegate: Arc<dyn Delegate>,
        request_id: RequestId,
        outcome: Outcome,
    ) {
        let response = match outcome {
            Ok(response) => response,
            Err(error) => {
                let reason = format!(
                    "recovery ({}) ended without an answer: {}: {}",
                    request_id, error.error, error.detail
                );
                self.unsettled(run, delegate, &reason);
                return;
            }
        };
        if let Stage::Reprint { index } = run.stage {
            self.after_reprint(run, index, delegate, &response);
            return;
        }
        if run.candidates.is_empty() {
            // Nothing journaled: the app asked what the terminal's last answer was.
            deliver_last_answer(&delegate, request_id, response);
            self.release_waiting(run.then.take());
            return;
        }
        match judge(&response, &run.candidates, &self.terminal.workstation_id) {
            Verdict::Settled { index, result } => {
                let entry = run.candidates[index].clone();
                log::info!("recovered {}: the terminal says {result}", describe(&entry));
                let settled = PaymentResult {
                    result,
                    request_id: RequestId(entry.request_id.clone()),
                    amount: entry.amount.as_deref().and_then(|a| a.parse().ok()),
                    currency: entry.currency.clone(),
                    recovered: true,
                    response: Some(response),
                };
                deliver_payment(&delegate, &settled);
                // Removed only after the outcome was delivered: a crash in the callback recovers again.
                if let Err(error) = self.journal.clear(&entry.request_id) {
                    log::error!("{error}");
                }
                self.retry = None;
                if let Some((operation, waiting)) = run.then.take() {
                    let _ = self.self_tx.send(TerminalMsg::RunAfterRecovery {
                        operation,
                        delegate: waiting,
                    });
                }
            }
            Verdict::PrintLastTicket { index } => {
                let reason = "the terminal answered PrintLastTicket: reprinting its last ticket";
                self.note_all(&run.candidates, reason, &summary(&response));
                // The reprint is one more request of this same recovery flow: one outcome at its end.
                run.stage = Stage::Reprint { index };
                self.start_request_of(run, delegate);
            }
            Verdict::Unsettled(why) => {
                let line = summary(&response);
                self.unsettled_with(run, delegate, &why.to_string(), &line);
            }
        }
    }

    fn after_reprint(
        &mut self,
        run: RecoveryRun,
        index: Option<usize>,
        delegate: Arc<dyn Delegate>,
        response: &Response,
    ) {
        let answered = response.overall_result().clone();
        if answered != OverallResult::Success {
            // CCV's path asks again while the printer is unavailable.
            let reason = format!(
                "the terminal answered PrintLastTicket and its TicketReprint answered {answered}"
            );
            self.unsettled_with(run, delegate, &reason, &summary(response));
            return;
        }
        let target = index.unwrap_or(run.candidates.len().saturating_sub(1));
        let mut pending = None;
        for (i, entry) in run.candidates.iter().enumerate() {
            let mut entry = entry.clone();
            if i == target {
                entry.state = EntryState::NeedsOperator;
                entry.reason = Some(format!(
                    "the terminal answered PrintLastTicket and reprinted its last ticket ({} lines went to the printer callbacks): read the outcome on it, then resolve this payment",
                    run.receipt.len()
                ));
                entry.note(&summary(response));
                for line in &run.receipt {
                    entry.note(&format!("ticket: {line}"));
                }
                if let Err(error) = self.journal.record(&entry) {
                    log::error!("{error}");
                }
                pending = Some(entry);
            }
        }
        let Some(entry) = pending else {
            self.release_waiting(run.then);
            return;
        };
        log::warn!("{}: needs an operator", describe(&entry));
        let view = pending_of(&Stored::Entry {
            entry,
            path: Default::default(),
        });
        call("on_recovery_pending", || {
            delegate.on_recovery_pending(&view)
        });
        self.release_waiting(run.then);
    }

    fn unsettled(&mut self, run: RecoveryRun, delegate: Arc<dyn Delegate>, reason: &str) {
        self.unsettled_with(run, delegate, reason, reason)
    }

    /// Records that an attempt settled nothing, tells the delegate once, and plans the next
    /// automatic attempt.
    fn unsettled_with(
        &mut self,
        run: RecoveryRun,
        delegate: Arc<dyn Delegate>,
        reason: &str,
        evidence: &str,
    ) {
        log::warn!("recovery settled nothing: {reason}");
        let updated = self.note_all(&run.candidates, reason, evidence);
        match updated.last() {
            Some(entry) => {
                let view = pending_of(&Stored::Entry {
                    entry: entry.clone(),
                    path: Default::default(),
                });
                call("on_recovery_pending", || {
                    delegate.on_recovery_pending(&view)
                });
                if run.automatic || self.recovery_delegate.is_some() {
                    self.plan_retry();
                }
            }
            None => {
                let error = SdkError {
                    mapi_error: Some(MapiError::RecoveryPending),
                    result: None,
                    request_id: None,
                    recovery_needed: false,
                    detail: reason.to_owned(),
                };
                call("on_error", || delegate.on_error(&error));
            }
        }
        self.release_waiting(run.then);
    }

    /// Marks every candidate pending with `reason` (keeping NeedsOperator) and saves it.
    fn note_all(
        &mut self,
        candidates: &[JournalEntry],
        reason: &str,
        evidence: &str,
    ) -> Vec<JournalEntry> {
        let mut updated = Vec::new();
        for entry in candidates {
            let mut entry = entry.clone();
            if entry.state != EntryState::NeedsOperator {
                entry.state = EntryState::Pending;
                entry.reason = Some(reason.to_owned());
            }
            entry.attempts += 1;
            entry.note(evidence);
            if let Err(error) = self.journal.record(&entry) {
                log::error!("{error}");
            }
            updated.push(entry);
        }
        updated
    }

    /// A payment ended without a settling answer: its entry says why, and automatic recovery
    /// (when on) takes over.
    pub(super) fn payment_unsettled(&mut self, request_id: &RequestId, reason: &str) {
        if let Ok(stored) = self.journal.list() {
            for s in stored {
                if let Stored::Entry { mut entry, .. } = s {
                    if entry.request_id == request_id.as_str() {
                        entry.state = EntryState::Pending;
                        entry.reason = Some(reason.to_owned());
                        entry.note(reason);
                        if let Err(error) = self.journal.record(&entry) {
                            log::error!("{error}");
                        }
                    }
                }
            }
        }
        if self.recovery_delegate.is_some() {
            self.plan_retry();
        }
    }

    fn plan_retry(&mut self) {
        let attempt = self.retry.as_ref().map_or(0, |r| r.attempt) + 1;
        if attempt > MAX_AUTOMATIC_ATTEMPTS {
            log::warn!(
                "automatic recovery stops after {MAX_AUTOMATIC_ATTEMPTS} attempts; recover or resolve by hand"
            );
            self.retry = Some(Retry { at: None, attempt });
            return;
        }
        let factor = 1u32 << (attempt - 1).min(4);
        self.retry = Some(Retry {
            at: Some(tokio::time::Instant::now() + self.terminal.timeouts.recovery_retry * factor),
            attempt,
        });
    }

    /// A payment that waited for a recovery runs now (it is refused there if something is still
    /// unsettled).
    fn release_waiting(&mut self, then: Option<(Operation, Arc<dyn Delegate>)>) {
        if let Some((operation, delegate)) = then {
            let _ = self.self_tx.send(TerminalMsg::RunAfterRecovery {
                operation,
                delegate,
            });
        }
    }

    /// An operator settles `key` by hand; refused while a request about it runs.
    pub(super) fn resolve_pending(
        &mut self,
        key: &str,
        reason: &str,
    ) -> Result<Option<PendingPayment>, String> {
        let busy = self.flows.values().any(|flow| match &flow.kind {
            FlowKind::Recovery(run) => run.candidates.iter().any(|c| c.request_id == key),
            _ => flow.journaled && flow.request_id.as_str() == key,
        });
        if busy {
            return Err(format!(
                "request {key} is running or being recovered now; resolve it after that ended"
            ));
        }
        let resolved = self
            .journal
            .resolve(key, reason)
            .map_err(|e| e.to_string())?;
        if let Some(stored) = &resolved {
            log::warn!("operator resolved pending payment {key}: {reason}");
            let _ = stored;
            if matches!(self.journal.list(), Ok(list) if list.is_empty()) {
                self.retry = None;
            }
        }
        Ok(resolved.as_ref().map(pending_of))
    }
}

/// RepeatLastMessage with nothing journaled: the terminal's last answer, as CCV's
/// `repeatLastMessage` reports it.
fn deliver_last_answer(delegate: &Arc<dyn Delegate>, request_id: RequestId, response: Response) {
    let Some(original) = response
        .original_header()
        .and_then(|h| h.request_id.clone())
    else {
        let error = SdkError {
            mapi_error: None,
            result: Some(response.overall_result().clone()),
            request_id: Some(request_id),
            recovery_needed: false,
            detail: format!(
                "the terminal answered RepeatLastMessage {} without naming a request: it has no last answer to repeat now",
                response.overall_result()
            ),
        };
        call("on_error", || delegate.on_error(&error));
        return;
    };
    let result = PaymentResult {
        result: response.overall_result().clone(),
        request_id: original,
        amount: None,
        currency: None,
        recovered: true,
        response: Some(response),
    };
    deliver_payment(delegate, &result);
}
