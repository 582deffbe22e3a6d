//! The state of the simulated terminal shared by its tasks: open channel-0 connections, the one
//! running payment and its phase, the last response (for RepeatLastMessage), the gates, the
//! single-socket device waiters and the shutdown signal.
//!
//! The phase of the running payment is the abort rule of the seed page: an abort is accepted only
//! while the phase is still `BeforeAuthorisation`, and both the abort handler and the run change
//! the phase under the same lock, so an abort and an authorisation can never both win.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};

use super::events::{lock, ConnectionId, Recorder, SimEvent};
use super::gates::Gates;
use super::responses;
use super::script::{Script, Stage};
use super::waiters::DeviceWaiters;
use crate::dialect::{Dialect, SocketMode};
use crate::message::abort::AbortDisplay;
use crate::message::{CardServiceRequest, Message, OverallResult, RequestId, TextLine};

/// What a channel-0 connection task is asked to do by the other tasks.
#[derive(Debug)]
pub(crate) enum ConnCommand {
    /// Write these bytes (a whole frame, or deliberate garbage); `summary` names them in events.
    Write { bytes: Vec<u8>, summary: String },
    /// Close the connection (a scripted fault).
    Close,
}

/// An accepted AbortRequest on its way to the running payment, which answers it.
#[derive(Debug, Clone)]
pub(crate) struct AbortOrder {
    /// The AbortRequest as received (CardServiceRequest or ServiceRequest form), boxed because
    /// the order travels through channels and enums that should stay small.
    pub request: Box<Message>,
    /// Where its answer goes.
    pub conn: ConnectionId,
    pub display: AbortDisplay,
}

/// Signals to the running payment.
#[derive(Debug)]
pub(crate) enum RunControl {
    Abort(AbortOrder),
    /// A RepeatLastMessage waits: skip the remaining gates.
    Finish,
    /// The payment's channel-0 connection closed.
    ConnectionLost,
}

/// What became of an AbortRequest offered to the running payment.
pub(crate) enum AbortOutcome {
    /// `ignore_aborts`: no answer at all.
    Ignored,
    /// The run will answer it.
    Accepted,
    /// Nothing to abort or too late: the caller answers Failure.
    Refused(AbortOrder),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    BeforeAuthorisation,
    Aborting,
    Authorised,
}

struct Running {
    request_id: RequestId,
    conn: ConnectionId,
    phase: Phase,
    control: mpsc::UnboundedSender<RunControl>,
    finished: watch::Sender<bool>,
    script: Script,
}

#[derive(Default)]
struct TerminalState {
    last_conn: ConnectionId,
    connections: HashMap<ConnectionId, mpsc::UnboundedSender<ConnCommand>>,
    running: Option<Running>,
    last_response: Option<Message>,
    /// The last customer receipt printed, for TicketReprint (L1A/L1B).
    last_receipt: Option<Vec<TextLine>>,
    /// The last period-closing report, for a ticket reprint of the period closing.
    last_closing_report: Option<Vec<TextLine>>,
    stan: u32,
    /// RepeatLastMessages answered so far (indexes `Script::recovery_answers`).
    repeats: usize,
}

/// Everything a new payment run needs, handed out by [`Shared::begin_run`].
pub(crate) struct RunStart {
    pub request: CardServiceRequest,
    pub conn: ConnectionId,
    pub script: Script,
    pub control: mpsc::UnboundedReceiver<RunControl>,
    pub stan: String,
}

pub(crate) struct Shared {
    pub dialect: Dialect,
    pub socket_mode: SocketMode,
    pub terminal_id: String,
    pub address: SocketAddr,
    pub recorder: Recorder,
    pos_address: Mutex<Option<SocketAddr>>,
    script: Mutex<Script>,
    state: Mutex<TerminalState>,
    pub gates: Gates,
    pub devices: DeviceWaiters,
    shutdown: watch::Sender<bool>,
}

impl Shared {
    pub(crate) fn new(config: super::SimulatorConfig, address: SocketAddr) -> Shared {
        Shared {
            dialect: config.dialect,
            socket_mode: config.socket_mode,
            terminal_id: config.terminal_id,
            address,
            recorder: Recorder::new(),
            pos_address: Mutex::new(config.pos_address),
            script: Mutex::new(config.script),
            state: Mutex::new(TerminalState::default()),
            gates: Gates::new(),
            devices: DeviceWaiters::default(),
            shutdown: watch::channel(false).0,
        }
    }

    pub(crate) fn event(&self, event: SimEvent) {
        self.recorder.event(event);
    }

    pub(crate) fn pos_address(&self) -> Option<SocketAddr> {
        *lock(&self.pos_address)
    }

    pub(crate) fn set_pos_address(&self, address: Option<SocketAddr>) {
        *lock(&self.pos_address) = address;
    }

    pub(crate) fn script(&self) -> Script {
        lock(&self.script).clone()
    }

    /// A new script starts its `recovery_answers` from the first.
    pub(crate) fn set_script(&self, script: Script) {
        *lock(&self.script) = script;
        lock(&self.state).repeats = 0;
    }

    /// Remembers the customer receipt just printed, for a later TicketReprint.
    pub(crate) fn store_receipt(&self, lines: &[TextLine]) {
        lock(&self.state).last_receipt = Some(lines.to_vec());
    }

    /// Remembers the report of the period just closed, for a later reprint.
    pub(crate) fn store_closing_report(&self, lines: &[TextLine]) {
        lock(&self.state).last_closing_report = Some(lines.to_vec());
    }

    /// The last period-closing report, if a period was closed.
    pub(crate) fn last_closing_report(&self) -> Option<Vec<TextLine>> {
        lock(&self.state).last_closing_report.clone()
    }

    /// The last customer receipt printed, if any.
    pub(crate) fn last_receipt(&self) -> Option<Vec<TextLine>> {
        lock(&self.state).last_receipt.clone()
    }

    pub(crate) fn last_response(&self) -> Option<Message> {
        lock(&self.state).last_response.clone()
    }

    /// How to answer the RepeatLastMessage that arrives now.
    pub(crate) fn next_recovery_answer(&self) -> super::script::RecoveryAnswer {
        let script = self.script();
        let mut state = lock(&self.state);
        let index = state.repeats;
        state.repeats += 1;
        script
            .recovery_answers
            .get(index)
            .cloned()
            .unwrap_or(super::script::RecoveryAnswer::Repeat)
    }

    // ---- shutdown -------------------------------------------------------------------------

    pub(crate) fn shutdown(&self) {
        if !self.shutdown.send_replace(true) {
            self.event(SimEvent::Shutdown);
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Runs `future` until it ends or the simulator shuts down, whichever comes first.
    pub(crate) async fn until_shutdown<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut stop = self.shutdown.subscribe();
        tokio::select! {
            output = future => Some(output),
            _ = stop.wait_for(|stopped| *stopped) => None,
        }
    }

    /// Spawns a task that ends at shutdown, so `start()` inside a caller's runtime leaves nothing behind.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            shared.until_shutdown(future).await;
        });
    }

    /// Opens a gate once (see [`Gates`]).
    pub(crate) fn release(&self, stage: Stage) {
        self.gates.release(stage);
        self.event(SimEvent::Released { stage });
    }

    // ---- connections ----------------------------------------------------------------------

    pub(crate) fn register_connection(
        &self,
    ) -> (ConnectionId, mpsc::UnboundedReceiver<ConnCommand>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let mut state = lock(&self.state);
        state.last_conn += 1;
        let conn = state.last_conn;
        state.connections.insert(conn, sender);
        (conn, receiver)
    }

    /// Called by the connection task when its socket is gone, whoever closed it.
    pub(crate) fn connection_closed(&self, conn: ConnectionId) {
        {
            let mut state = lock(&self.state);
            state.connections.remove(&conn);
            if let Some(running) = state.running.as_ref().filter(|r| r.conn == conn) {
                let _ = running.control.send(RunControl::ConnectionLost);
            }
        }
        // Wakes single-socket device exchanges on this connection with an error.
        self.devices.forget_connection(conn);
        self.event(SimEvent::Channel0Closed { conn });
    }

    /// Queues raw bytes for a connection; `false` when it is closed.
    pub(crate) fn send_bytes(&self, conn: ConnectionId, bytes: Vec<u8>, summary: String) -> bool {
        let state = lock(&self.state);
        match state.connections.get(&conn) {
            Some(sender) => sender.send(ConnCommand::Write { bytes, summary }).is_ok(),
            None => {
                log::info!("simulator: ch0#{conn} is closed; dropping {summary}");
                false
            }
        }
    }

    /// Queues one message as a frame; `false` when the connection is closed.
    pub(crate) fn send(&self, conn: ConnectionId, message: &Message) -> bool {
        match message.to_frame() {
            Ok(frame) => self.send_bytes(conn, frame, message.summary()),
            Err(error) => {
                log::warn!("simulator: cannot serialise {}: {error}", message.summary());
                false
            }
        }
    }

    /// Closes a connection on purpose (scripted fault).
    pub(crate) fn close_connection(&self, conn: ConnectionId) {
        let sent = lock(&self.state)
            .connections
            .get(&conn)
            .is_some_and(|sender| sender.send(ConnCommand::Close).is_ok());
        if sent {
            self.event(SimEvent::ClosedByTerminal { conn });
        }
    }

    // ---- the running payment --------------------------------------------------------------

    /// Makes `request` the running payment, or `None` when one already runs (→ Busy).
    pub(crate) fn begin_run(
        &self,
        conn: ConnectionId,
        request: CardServiceRequest,
    ) -> Option<RunStart> {
        let script = self.script();
        let mut state = lock(&self.state);
        if state.running.is_some() {
            return None;
        }
        let (control_sender, control) = mpsc::unbounded_channel();
        state.stan = state.stan.wrapping_add(1);
        let stan = responses::format_stan(state.stan);
        state.running = Some(Running {
            request_id: request.request_id.clone(),
            conn,
            phase: Phase::BeforeAuthorisation,
            control: control_sender,
            finished: watch::channel(false).0,
            script: script.clone(),
        });
        Some(RunStart {
            request,
            conn,
            script,
            control,
            stan,
        })
    }

    /// Moves the running payment past authorisation; `false` when an abort got there first.
    pub(crate) fn authorise(&self) -> bool {
        let mut state = lock(&self.state);
        match state.running.as_mut() {
            Some(running) if running.phase == Phase::BeforeAuthorisation => {
                running.phase = Phase::Authorised;
                true
            }
            _ => false,
        }
    }

    /// Marks the running payment as being aborted for a lost connection; `false` when an accepted
    /// AbortRequest is already on its way to the run.
    pub(crate) fn mark_aborting(&self) -> bool {
        let mut state = lock(&self.state);
        match state.running.as_mut() {
            Some(running) if running.phase == Phase::BeforeAuthorisation => {
                running.phase = Phase::Aborting;
                true
            }
            _ => false,
        }
    }

    /// Ends the running payment, storing its response for RepeatLastMessage. Called *before* the
    /// response is written, so a POS that reacts to the response never finds the terminal busy.
    pub(crate) fn end_run(&self, response: &Message) {
        let finished = {
            let mut state = lock(&self.state);
            if responses::is_recoverable(response) {
                state.last_response = Some(response.clone());
            }
            state.running.take()
        };
        self.gates.clear();
        if let Some(running) = finished {
            running.finished.send_replace(true);
        }
    }

    /// Stores a response that did not come from a payment run (a period closing).
    pub(crate) fn store_response(&self, response: &Message) {
        if responses::is_recoverable(response) {
            lock(&self.state).last_response = Some(response.clone());
        }
    }

    /// The RequestID of the payment running now.
    pub(crate) fn running_request_id(&self) -> Option<RequestId> {
        lock(&self.state)
            .running
            .as_ref()
            .map(|r| r.request_id.clone())
    }

    /// Whether a payment runs now.
    pub(crate) fn is_running(&self) -> bool {
        lock(&self.state).running.is_some()
    }

    /// Answers an AbortRequest with Failure: nothing runs, or the payment is past authorisation.
    pub(crate) fn refuse_abort(&self, order: AbortOrder) {
        if let Some(answer) = responses::plain_answer(&order.request, OverallResult::Failure) {
            self.send_abort_answer(order.conn, &answer, false);
        }
    }

    /// Writes an AbortRequest's answer and reports it.
    pub(crate) fn send_abort_answer(&self, conn: ConnectionId, answer: &Message, accepted: bool) {
        self.send(conn, answer);
        self.event(SimEvent::AbortAnswered {
            request_id: answer.request_id().clone(),
            accepted,
        });
    }

    /// Offers an AbortRequest to the running payment (the F1A/F1B decision).
    pub(crate) fn offer_abort(&self, order: AbortOrder) -> AbortOutcome {
        let mut state = lock(&self.state);
        let ignore = match &state.running {
            Some(running) => running.script.ignore_aborts,
            None => lock(&self.script).ignore_aborts,
        };
        if ignore {
            return AbortOutcome::Ignored;
        }
        match state.running.as_mut() {
            Some(running) if running.phase == Phase::BeforeAuthorisation => {
                if running
                    .control
                    .send(RunControl::Abort(order.clone()))
                    .is_ok()
                {
                    running.phase = Phase::Aborting;
                    AbortOutcome::Accepted
                } else {
                    AbortOutcome::Refused(order)
                }
            }
            _ => AbortOutcome::Refused(order),
        }
    }

    /// Asks the running payment to finish now; returns a receiver that turns `true` when it has,
    /// or `None` when nothing runs.
    pub(crate) fn finish_running_now(&self) -> Option<(RequestId, watch::Receiver<bool>)> {
        let state = lock(&self.state);
        let running = state.running.as_ref()?;
        let _ = running.control.send(RunControl::Finish);
        Some((running.request_id.clone(), running.finished.subscribe()))
    }
}
