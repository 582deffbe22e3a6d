//! What recovery keeps between events (see `recovery_flow` for how it runs): a recovery flow's
//! state, the automatic retry, and what a new payment meets. Types only, so the terminal's task
//! can hold them without depending on the code that drives them.

use std::sync::Arc;

use super::delegate::{Delegate, SdkError};
use super::journal::JournalEntry;
use super::operation::Operation;

/// What a recovery flow is about and where it stands.
pub(crate) struct RecoveryRun {
    /// The journal's readable entries of this terminal when the flow started, oldest first.
    pub(super) candidates: Vec<JournalEntry>,
    /// Started by the engine (automatic recovery), not by the app.
    pub(super) automatic: bool,
    /// A payment that waits for this recovery.
    pub(super) then: Option<(Operation, Arc<dyn Delegate>)>,
    pub(super) stage: Stage,
    /// Receipt lines of the reprint (masked), kept as evidence.
    pub(super) receipt: Vec<String>,
}

pub(super) enum Stage {
    Repeat,
    /// The TicketReprint after a PrintLastTicket about `index` (the newest entry when `None`).
    Reprint {
        index: Option<usize>,
    },
}

impl RecoveryRun {
    /// Whether the reprint (whose receipt is evidence) is running.
    pub(super) fn is_reprinting(&self) -> bool {
        matches!(self.stage, Stage::Reprint { .. })
    }
}

/// Automatic attempts since the last settled answer, and when the next one is due.
pub(crate) struct Retry {
    pub(super) at: Option<tokio::time::Instant>,
    pub(super) attempt: u32,
}

/// Resolves when an automatic attempt is due; never without one.
pub(crate) async fn retry_due(retry: Option<&Retry>) {
    match retry.and_then(|r| r.at) {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// What a new payment meets on a terminal.
pub(crate) enum Gate {
    /// Nothing unsettled.
    Open,
    /// Refused before sending, with this error.
    Refuse(SdkError),
    /// Recover the unsettled entry first, then run it.
    RecoverFirst,
}
