//! One terminal's state on the engine thread, the messages it takes, and the flows it answers.
//! The task's behaviour lives beside it: `driver` (its loop and operations), `dispatch` (session
//! events to delegates), `recovery_flow` (RepeatLastMessage and the journal).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::abort_tickets::{LaneEntry, TaskIds};
use super::delegate::{Delegate, SdkError};
use super::journal::Journal;
use super::operation::Operation;
use super::recovery_state::{RecoveryRun, Retry};
use super::terminal::Terminal;
use crate::error::MapiError;
use crate::message::{Amount, RequestId};
use crate::session::{CommandId, InputAnswer, InputTicket};
use crate::transport::{TapSlot, Transport};

/// Messages to one terminal's task.
pub(crate) enum TerminalMsg {
    Run {
        terminal: Terminal,
        operation: Operation,
        delegate: Arc<dyn Delegate>,
    },
    AnswerInput(InputTicket, InputAnswer),
    ListenAddress(
        Terminal,
        std::sync::mpsc::Sender<Result<Option<SocketAddr>, String>>,
    ),
    /// A payment that waited for an automatic recovery; runs now, or is refused if that
    /// recovery settled nothing (it is never the cause of a second recovery).
    RunAfterRecovery {
        operation: Operation,
        delegate: Arc<dyn Delegate>,
    },
    /// An operator settles a pending entry by hand; the answer says what was resolved.
    ResolvePending {
        terminal: Terminal,
        key: String,
        reason: String,
        reply: std::sync::mpsc::Sender<Result<Option<super::PendingPayment>, String>>,
    },
}

pub(super) enum FlowKind {
    Payment {
        amount: Amount,
        currency: String,
        /// A reservation or capture: a terminal that answers NotSupported lacks the
        /// authorise-and-capture flow (`AUTH_AND_CAP_FLOW_NOT_SUPPORTED`).
        auth_and_capture: bool,
    },
    /// A card read (detection, validation): answered like a payment, but no money moves.
    CardInquiry,
    Abort,
    Administration,
    /// RepeatLastMessage (and, on PrintLastTicket, the TicketReprint after it) about the
    /// journal's unsettled entries.
    Recovery(Box<RecoveryRun>),
}

/// A command the app is waiting on, and where its callbacks go.
pub(super) struct Flow {
    pub(super) kind: FlowKind,
    pub(super) delegate: Arc<dyn Delegate>,
    pub(super) request_id: RequestId,
    /// Its in-flight journal entry was written (cleared once the outcome is settled).
    pub(super) journaled: bool,
}

/// One terminal's state on the engine thread.
pub(super) struct TerminalTask {
    pub(super) terminal: Terminal,
    pub(super) transport: Option<Transport>,
    pub(super) ids: TaskIds,
    pub(super) journal: Journal,
    /// Where the outcomes of automatic recovery go; `None`: recovery runs only when asked.
    pub(super) recovery_delegate: Option<Arc<dyn Delegate>>,
    /// The next automatic recovery attempt, after an answer that settled nothing.
    pub(super) retry: Option<Retry>,
    pub(super) flows: HashMap<CommandId, Flow>,
    pub(super) self_tx: mpsc::UnboundedSender<TerminalMsg>,
    /// The engine's wire-trace switch, handed to every transport this task builds.
    pub(super) tap: Arc<TapSlot>,
    /// Where an abort of the running request waits, armed by the transport, for the app's thread
    /// to fire it, and the delegates of those fired.
    pub(super) lane: Arc<LaneEntry>,
}

impl Drop for TerminalTask {
    /// A task that ends with flows pending (a panic in the engine, or the engine shutting down)
    /// still answers each of them once: the app must never wait forever for a callback.
    fn drop(&mut self) {
        // The lane is emptied before any delegate hears of the end: an app that reacts to the
        // error with an abort must find no armed abort of this dead task (its write would go out
        // with nobody left to record it) and reach the engine, which answers it.
        self.bind_fired_aborts();
        let lane_waiting = self.drain_lane();
        for (_, flow) in self.flows.drain() {
            let error = SdkError {
                mapi_error: Some(MapiError::TerminalConnectionLost),
                result: None,
                request_id: Some(flow.request_id),
                recovery_needed: flow.journaled,
                detail: "the payment engine stopped while this request ran (internal error); its outcome is unknown — recover it".to_owned(),
            };
            call("on_error", || flow.delegate.on_error(&error));
        }
        if let Some((request_id, delegate)) = lane_waiting {
            let error = local_error(
                Some(MapiError::TerminalConnectionLost),
                Some(request_id),
                "the payment engine stopped while this abort ran (internal error); recover the payment to learn its outcome".to_owned(),
            );
            call("on_error", || delegate.on_error(&error));
        }
    }
}

/// Runs a delegate callback; a panic in app code is logged, never allowed to stop the engine.
pub(super) fn call(what: &str, f: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        log::error!("the app's {what} callback panicked; the SDK carries on");
    }
}

pub(super) fn local_error(
    error: Option<MapiError>,
    request_id: Option<RequestId>,
    detail: String,
) -> SdkError {
    SdkError {
        mapi_error: error,
        result: None,
        request_id,
        recovery_needed: false,
        detail,
    }
}
