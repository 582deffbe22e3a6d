//! The loop of one terminal's task on the engine thread (its state is in `task`): it builds the
//! transport, allocates RequestIDs, and writes the in-flight journal before a request can leave.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::mpsc;

use super::abort_tickets::{LaneEntry, TaskIds};
use super::delegate::Delegate;
use super::durability::RequestIdStore;
use super::journal::{now_ms, EntryState, Journal, JournalEntry, JOURNAL_VERSION};
use super::operation::{self, Operation, PaymentKind};
use super::recovery_state::{retry_due, Gate};
use super::task::{call, local_error, Flow, FlowKind, TerminalMsg, TerminalTask};
use super::terminal::Terminal;
use super::validation;
use crate::dialect::SocketMode;
use crate::error::MapiError;
use crate::message::RequestId;
use crate::session::{AbortCommand, Event, Session, SessionConfig};
use crate::transport::{Endpoint, TapSlot, Transport};

/// Runs one terminal until the engine drops its sender.
pub(crate) async fn run(
    terminal: Terminal,
    mut rx: mpsc::UnboundedReceiver<TerminalMsg>,
    self_tx: mpsc::UnboundedSender<TerminalMsg>,
    recovery_delegate: Option<Arc<dyn Delegate>>,
    tap: Arc<TapSlot>,
    lane: Arc<LaneEntry>,
) {
    let (ids, journal) = open_state(&terminal);
    let mut task = TerminalTask {
        journal,
        terminal,
        transport: None,
        ids,
        flows: HashMap::new(),
        self_tx,
        tap,
        lane,
        recovery_delegate,
        retry: None,
    };
    task.recover_at_start().await;
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Some(msg) => task.handle(msg).await,
                None => break,
            },
            event = next_event(&mut task.transport) => task.dispatch(event),
            () = retry_due(task.retry.as_ref()) => task.retry_now().await,
        }
    }
}

async fn next_event(transport: &mut Option<Transport>) -> Event {
    match transport {
        Some(transport) => transport.next_event().await,
        None => std::future::pending().await,
    }
}

/// Opens the RequestID counter and the in-flight journal of `terminal`'s state directory. The
/// counter is the directory's one shared counter, so ids never repeat across its terminals.
fn open_state(terminal: &Terminal) -> (TaskIds, Journal) {
    let state_dir = terminal.state_dir.as_deref();
    let max = terminal.dialect.max_request_id();
    let ids = match state_dir {
        Some(dir) => RequestIdStore::open_shared(dir, max).map_err(|e| e.to_string()),
        None => {
            log::warn!(
                "no state directory for terminal {}: RequestIDs and the in-flight journal do not survive a restart",
                terminal.ip_address
            );
            RequestIdStore::open(None, "", max)
                .map(|store| Arc::new(Mutex::new(store)))
                .map_err(|e| e.to_string())
        }
    };
    (
        TaskIds(ids),
        Journal::new(state_dir, &terminal.key().file_stem()),
    )
}

impl TerminalTask {
    /// Apps pass their terminal settings with every call; a change applies from the next request.
    /// The network side is rebuilt only when nothing runs, so a running payment never loses its connection.
    fn reconfigure(&mut self, terminal: Terminal) {
        if terminal == self.terminal {
            return;
        }
        // Asking for a card token is a property of the next request, not of the connection: it
        // must not cost the open connection (TokenService's pre-authorisation sets it per call).
        // So are the wire profile and the shift number: they change how the next request (or
        // abort) is spelled, which the running session takes at once.
        let same_connection = Terminal {
            request_token: self.terminal.request_token,
            wire_profile: self.terminal.wire_profile,
            shift_number: self.terminal.shift_number,
            ..terminal.clone()
        } == self.terminal;
        if terminal.wire_profile != self.terminal.wire_profile {
            if let Some(transport) = self.transport.as_mut() {
                transport.set_wire_profile(terminal.wire_profile);
            }
            self.bind_fired_aborts();
        }
        if same_connection {
            self.terminal.request_token = terminal.request_token;
            self.terminal.wire_profile = terminal.wire_profile;
            self.terminal.shift_number = terminal.shift_number;
            return;
        }
        if terminal.state_dir != self.terminal.state_dir && self.flows.is_empty() {
            (self.ids, self.journal) = open_state(&terminal);
        }
        if self.flows.is_empty() {
            self.transport = None;
        }
        self.terminal = terminal;
    }

    pub(super) async fn ensure_transport(&mut self) -> Result<&mut Transport, String> {
        if self.transport.is_none() {
            let terminal = &self.terminal;
            let address = tokio::net::lookup_host((terminal.ip_address.as_str(), terminal.port))
                .await
                .ok()
                .and_then(|mut addresses| addresses.next())
                .ok_or_else(|| {
                    format!(
                        "'{}' is not a reachable terminal address",
                        terminal.ip_address
                    )
                })?;
            let mut config = SessionConfig::new(terminal.dialect, &terminal.workstation_id);
            config.application_sender = Some(terminal.application_sender.clone());
            config.connect_timeout = terminal.timeouts.connect;
            config.abort_timeout = terminal.timeouts.abort;
            config.request_timeout = terminal.timeouts.request;
            config.wire_profile = terminal.wire_profile;
            let endpoint = Endpoint {
                terminal: address,
                listen: match terminal.socket_mode {
                    SocketMode::DualSocket => Some(SocketAddr::new(
                        terminal.listen_ip,
                        terminal.compatibility_port,
                    )),
                    SocketMode::SingleSocket => None,
                },
                connect_timeout: terminal.timeouts.connect + Duration::from_millis(100),
                inbound_idle_timeout: terminal.timeouts.device_connection_idle,
                max_inbound_connections: 8,
            };
            let mut transport = Transport::start_with_limits(
                Session::new(config),
                endpoint,
                terminal.transport_limits.clone(),
            )
            .await
            .map_err(|e| e.to_string())?;
            transport.set_wire_tap(Arc::clone(&self.tap));
            let ids = Box::new(self.ids.clone());
            self.transport = Some(transport.with_abort_lane(Arc::clone(&self.lane.lane), ids));
        }
        self.transport
            .as_mut()
            .ok_or_else(|| "transport unavailable".to_owned())
    }

    /// The next RequestID. Requests other than aborts reserve the next block ahead of need, so an
    /// abort never waits for the disk.
    pub(super) fn allocate_id(&mut self, reserve_ahead: bool) -> Result<RequestId, String> {
        let mut store = self.ids.store()?;
        if reserve_ahead {
            store.allocate_reserving_ahead().map_err(|e| e.to_string())
        } else {
            store.allocate().map_err(|e| e.to_string())
        }
    }

    /// Takes the RequestID the app chose for a payment (validated before): the counter moves past
    /// it so that the engine's own ids (aborts, recoveries) never repeat it.
    fn adopt_app_id(&mut self, id: RequestId) -> Result<RequestId, String> {
        self.ids
            .store()?
            .skip_past(&id)
            .map_err(|e| e.to_string())?;
        Ok(id)
    }

    async fn handle(&mut self, msg: TerminalMsg) {
        match msg {
            TerminalMsg::Run {
                terminal,
                operation,
                delegate,
            } => {
                self.reconfigure(terminal);
                self.run_operation(operation, delegate).await
            }
            TerminalMsg::AnswerInput(ticket, answer) => {
                if let Some(transport) = self.transport.as_mut() {
                    if let Err(error) = transport.answer_input(ticket, answer) {
                        log::warn!("{error}");
                    }
                }
                self.bind_fired_aborts();
            }
            TerminalMsg::ListenAddress(terminal, reply) => {
                self.reconfigure(terminal);
                let address = self.ensure_transport().await.map(|t| t.listen_address());
                let _ = reply.send(address);
            }
            TerminalMsg::RunAfterRecovery {
                operation,
                delegate,
            } => self.run_checked(operation, delegate, true).await,
            TerminalMsg::ResolvePending {
                terminal,
                key,
                reason,
                reply,
            } => {
                self.reconfigure(terminal);
                let _ = reply.send(self.resolve_pending(&key, &reason));
            }
        }
    }

    pub(super) async fn run_operation(
        &mut self,
        operation: Operation,
        delegate: Arc<dyn Delegate>,
    ) {
        self.run_checked(operation, delegate, false).await
    }

    /// Runs `operation`; a payment on a terminal with an unsettled journal entry is first held
    /// for an automatic recovery (unless `after_recovery`: it already waited for one) or refused.
    async fn run_checked(
        &mut self,
        operation: Operation,
        delegate: Arc<dyn Delegate>,
        after_recovery: bool,
    ) {
        if let Operation::Payment(payment) = &operation {
            if let Err(error) = validation::check_payment(&self.terminal, payment) {
                log::warn!("payment refused before sending: {}", error.detail);
                call("on_error", || delegate.on_error(&error));
                return;
            }
            // While a request runs the session answers FLOW_ALREADY_HAPPENING, as it always has.
            if self.flows.is_empty() {
                match self.unsettled_gate(after_recovery) {
                    Gate::Open => {}
                    Gate::Refuse(error) => {
                        log::warn!("payment refused before sending: {}", error.detail);
                        call("on_error", || delegate.on_error(&error));
                        return;
                    }
                    Gate::RecoverFirst => {
                        self.start_recovery(true, Some((operation, delegate))).await;
                        return;
                    }
                }
            }
        }
        if let Err(detail) = self.ensure_transport().await {
            let error = local_error(Some(MapiError::FailedToConnectToTerminal), None, detail);
            call("on_error", || delegate.on_error(&error));
            return;
        }
        if matches!(operation, Operation::RecoverPayment) {
            self.start_recovery_with(false, None, delegate).await;
            return;
        }
        if matches!(operation, Operation::Abort { .. }) {
            // An abort fired from the app's thread counts first, and an armed one must not go out
            // after this one (one abort at a time); withdrawn first, its RequestID is reused here.
            if let Some(transport) = self.transport.as_mut() {
                transport.withdraw_armed_abort();
            }
            self.bind_fired_aborts();
        }
        let app_id = match &operation {
            Operation::Payment(payment) => payment.request_id.clone(),
            _ => None,
        };
        let chosen = match app_id {
            Some(id) => self.adopt_app_id(id),
            None => self.allocate_id(!matches!(operation, Operation::Abort { .. })),
        };
        let id = match chosen {
            Ok(id) => id,
            Err(detail) => {
                call("on_error", || {
                    delegate.on_error(&local_error(None, None, detail))
                });
                return;
            }
        };
        let (kind, request, journal_entry) = match operation {
            #[cfg(feature = "test-hooks")]
            Operation::InjectPanic => panic!("panic injected by a test"),
            Operation::Abort { via, display } => {
                let command = AbortCommand {
                    request_id: id.clone(),
                    via,
                    display,
                    pos_timestamp: Some(crate::transport::pos_timestamp()),
                };
                let Some(transport) = self.transport.as_mut() else {
                    return;
                };
                let command_id = transport.abort(command);
                self.flows.insert(
                    command_id,
                    Flow {
                        kind: FlowKind::Abort,
                        delegate,
                        request_id: id,
                        journaled: false,
                    },
                );
                return;
            }
            Operation::Payment(payment) => {
                let request = operation::payment_request(&self.terminal, &payment, id.clone());
                let entry = JournalEntry {
                    version: JOURNAL_VERSION,
                    request_id: id.to_string(),
                    request_type: request.request_type().to_owned(),
                    amount: Some(payment.amount.to_string()),
                    currency: Some(payment.currency.clone()),
                    terminal: format!("{}:{}", self.terminal.ip_address, self.terminal.port),
                    workstation_id: self.terminal.workstation_id.clone(),
                    started_at_ms: now_ms(),
                    state: EntryState::InFlight,
                    attempts: 0,
                    reason: None,
                    evidence: Vec::new(),
                };
                let auth_and_capture = matches!(
                    payment.kind,
                    PaymentKind::Reservation | PaymentKind::Capture { .. }
                );
                let kind = FlowKind::Payment {
                    amount: payment.amount,
                    currency: payment.currency,
                    auth_and_capture,
                };
                (kind, request, Some(entry))
            }
            Operation::CardInquiry(what) => (
                FlowKind::CardInquiry,
                operation::card_inquiry_request(&self.terminal, what, id.clone()),
                None,
            ),
            Operation::Administration(what) => (
                FlowKind::Administration,
                operation::administration_request(&self.terminal, what, id.clone()),
                None,
            ),
            // Handled above, before an id is taken.
            Operation::RecoverPayment => return,
        };
        let Some(transport) = self.transport.as_mut() else {
            return;
        };
        // The journal is written (and fsynced) before the session can queue a byte; a request that
        // the session will refuse (another one runs) must not overwrite the running one's entry.
        let mut journaled = false;
        if let Some(entry) = journal_entry.filter(|_| transport.running_request().is_none()) {
            if let Err(error) = self.journal.record(&entry) {
                let detail = format!("{error}; the payment was not started");
                call("on_error", || {
                    delegate.on_error(&local_error(None, Some(id), detail))
                });
                return;
            }
            journaled = true;
        }
        let command_id = transport.start_request(request);
        self.flows.insert(
            command_id,
            Flow {
                kind,
                delegate,
                request_id: id,
                journaled,
            },
        );
    }
}
