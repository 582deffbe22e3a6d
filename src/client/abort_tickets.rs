//! The client's side of the abort lane (see `transport::AbortLane`): which delegate waits for
//! which fired abort, and the RequestIDs the transport arms aborts with.
//!
//! An abort on the running request's connection is written from the app's thread when the
//! terminal's transport has one armed. The lane holds no client type: the caller files its
//! delegate under a ticket before firing, and the terminal's task binds the ticket to the session
//! command the transport reports (`TerminalTask::bind_fired_aborts`, in `dispatch`), before it
//! handles any event that could be that command's outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::delegate::Delegate;
use crate::client::durability::RequestIdStore;
use crate::message::abort::AbortDisplay;
use crate::message::{RequestId, WireProfile};
use crate::transport::{AbortLane, AbortTicket, RequestIds};

/// One terminal's lane and the delegates of the aborts fired through it, not yet bound.
#[derive(Default)]
pub(crate) struct LaneEntry {
    pub(super) lane: Arc<AbortLane>,
    waiting: Mutex<HashMap<AbortTicket, Arc<dyn Delegate>>>,
}

impl LaneEntry {
    fn waiting(&self) -> MutexGuard<'_, HashMap<AbortTicket, Arc<dyn Delegate>>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fires the armed abort from the calling thread. `Err` gives the delegate back when the lane
    /// cannot (nothing armed, another wire profile, a failed write): the caller then runs the
    /// abort through the engine. Never blocks on the network and never calls the delegate.
    pub(crate) fn fire(
        &self,
        display: AbortDisplay,
        profile: &WireProfile,
        delegate: Arc<dyn Delegate>,
    ) -> Result<(), Arc<dyn Delegate>> {
        let ticket = self.lane.new_ticket();
        // Filed before the frame leaves: the task may record the abort at once.
        self.waiting().insert(ticket, Arc::clone(&delegate));
        if self.lane.fire(display, profile, ticket) {
            Ok(())
        } else {
            self.waiting().remove(&ticket);
            Err(delegate)
        }
    }

    /// The delegate filed under `ticket`, taken out.
    pub(super) fn take(&self, ticket: AbortTicket) -> Option<Arc<dyn Delegate>> {
        self.waiting().remove(&ticket)
    }
}

/// A terminal's RequestID counter (the state directory's shared store), or why it could not be
/// opened. The task takes its ids from it; the transport arms aborts with a clone of it, without
/// reserving ahead (an abort never waits for the disk), and gives back an id withdrawn unsent.
#[derive(Clone)]
pub(super) struct TaskIds(pub(super) Result<Arc<Mutex<RequestIdStore>>, String>);

impl TaskIds {
    /// The store, locked; the reason it is missing otherwise.
    pub(super) fn store(&self) -> Result<MutexGuard<'_, RequestIdStore>, String> {
        let store = self.0.as_ref().map_err(Clone::clone)?;
        Ok(store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

impl RequestIds for TaskIds {
    fn take(&mut self) -> Result<RequestId, String> {
        self.store()?.allocate().map_err(|e| e.to_string())
    }

    fn give_back(&mut self, id: &RequestId) {
        if let Ok(mut store) = self.store() {
            store.give_back(id);
        }
    }
}
