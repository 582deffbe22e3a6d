//! The sans-IO state machine of one terminal: at most one running request and at most one abort,
//! responses matched by RequestID + RequestType (never by arrival order), device requests turned
//! into app events, timers as deadlines. It never touches a socket, a clock or a thread: the driver
//! feeds it bytes and `now`, and drains [`Session::poll_action`] and [`Session::poll_event`].
//!
//! Invariant the tests hammer on: every command (request or abort) ends in exactly one
//! [`Event::Finished`].

mod abort;
mod device;
mod timeouts;
pub use device::{InputAnswer, DELIVERY_BOX};
mod types;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

pub use types::{
    AbortCommand, Action, ArmedAbort, CommandId, CommandKind, ConnId, Diagnostic, Event,
    FiredAbort, FlowError, InputTicket, Outcome, Request, SessionConfig, SessionError,
};

use crate::dialect::SocketMode;
use crate::error::MapiError;
use crate::message::abort::AbortVia;
use crate::message::codec::FrameDecoder;
use crate::message::{Message, RequestId, Response};
use types::deadline;

const ABORT_REQUEST_TYPE: &str = "AbortRequest";
const REPEAT_LAST_MESSAGE: &str = "RepeatLastMessage";

#[derive(Debug)]
struct Connection {
    decoder: FrameDecoder,
    open: bool,
    /// Opened by the terminal (channel 1), not by the POS (channel 0).
    inbound: bool,
}

/// The running request.
#[derive(Debug)]
struct RequestFlow {
    command: CommandId,
    request_id: RequestId,
    request_type: String,
    expects_card_response: bool,
    conn: ConnId,
    /// The frame, until the connection is up.
    unsent: Option<(Vec<u8>, String)>,
    deadline: Instant,
    /// A frame on its connection could not be parsed: a timeout then says so.
    saw_unknown_message: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum AbortPhase {
    /// The request itself has not left yet; the abort follows it (sending it first would let the
    /// terminal refuse the abort and then start the payment).
    WaitingForRequest,
    Connecting,
    AwaitingResponse,
}

#[derive(Debug)]
struct AbortFlow {
    command: CommandId,
    request_id: RequestId,
    via: AbortVia,
    conn: Option<ConnId>,
    frame: Vec<u8>,
    summary: String,
    phase: AbortPhase,
    deadline: Option<Instant>,
}

/// An abort prepared for the running request but not sent (see [`ArmedAbort`]).
#[derive(Debug)]
struct ArmedState {
    generation: u64,
    /// The request it aborts: firing after that request ended makes the abort too late.
    for_command: CommandId,
    conn: ConnId,
    /// The abort's own RequestID (given back when it is disarmed unsent).
    request_id: RequestId,
    /// The RequestID on the wire, which its answer is matched by (the running request's under
    /// the `running` wire profile).
    wire_id: RequestId,
    normal: (Vec<u8>, String),
    silent: (Vec<u8>, String),
}

#[derive(Debug)]
struct PendingInput {
    conn: ConnId,
    request: crate::message::DeviceRequest,
}

/// One terminal's protocol state. See the module docs.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    connections: BTreeMap<ConnId, Connection>,
    request: Option<RequestFlow>,
    abort: Option<AbortFlow>,
    armed: Option<ArmedState>,
    inputs: HashMap<InputTicket, PendingInput>,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
    next_conn: u64,
    next_command: u64,
    next_ticket: u64,
    next_arming: u64,
    /// Single socket: device requests come on the running request's channel-0 connection.
    device_requests_on_channel_0: bool,
}

impl Session {
    /// A session with nothing running.
    pub fn new(config: SessionConfig) -> Self {
        Session {
            config,
            connections: BTreeMap::new(),
            request: None,
            abort: None,
            armed: None,
            inputs: HashMap::new(),
            actions: VecDeque::new(),
            events: VecDeque::new(),
            next_conn: 1,
            next_command: 1,
            next_ticket: 1,
            next_arming: 1,
            device_requests_on_channel_0: true,
        }
    }

    /// Where the terminal's device requests are accepted: in dual-socket mode only on channel-1
    /// connections, in single-socket mode (the default) also on the running request's (or
    /// abort's) channel-0 connection. Anything elsewhere is ignored with a diagnostic.
    pub fn set_socket_mode(&mut self, mode: SocketMode) {
        self.device_requests_on_channel_0 = mode == SocketMode::SingleSocket;
    }

    /// Spells the next abort (armed or not) with `profile`. An abort armed before keeps its old
    /// frames: the client withdraws it first.
    pub fn set_wire_profile(&mut self, profile: crate::message::WireProfile) {
        self.config.wire_profile = profile;
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The RequestID of the running request, if any.
    pub fn running_request(&self) -> Option<&RequestId> {
        self.request.as_ref().map(|flow| &flow.request_id)
    }

    /// True when no request, abort or cashier question is pending.
    pub fn is_idle(&self) -> bool {
        self.request.is_none() && self.abort.is_none() && self.inputs.is_empty()
    }

    fn new_command(&mut self) -> CommandId {
        let id = CommandId(self.next_command);
        self.next_command += 1;
        id
    }

    fn new_outbound(&mut self) -> ConnId {
        let id = ConnId(self.next_conn);
        self.next_conn += 1;
        self.connections.insert(
            id,
            Connection {
                decoder: FrameDecoder::with_max_frame_len(self.config.max_frame_len),
                open: false,
                inbound: false,
            },
        );
        self.actions.push_back(Action::Connect(id));
        id
    }

    fn finish(&mut self, command: CommandId, kind: CommandKind, outcome: Outcome) {
        match &outcome {
            Ok(response) => log::info!(
                "{kind:?} {} finished: {} {}",
                command.0,
                response.request_type(),
                response.overall_result()
            ),
            // Refusals of a misplaced command are routine (a merchant hammering "stop"): no warning.
            Err(error)
                if !error.recovery_needed
                    && matches!(
                        error.error,
                        MapiError::NotAFlowHappening
                            | MapiError::SecondaryFlowAlreadyHappening
                            | MapiError::FlowAlreadyHappening
                    ) =>
            {
                log::debug!(
                    "{kind:?} {} refused: {} ({})",
                    command.0,
                    error.error,
                    error.detail
                )
            }
            Err(error) => log::warn!(
                "{kind:?} {} failed: {} ({})",
                command.0,
                error.error,
                error.detail
            ),
        }
        self.events.push_back(Event::Finished {
            command,
            kind,
            outcome,
        });
    }

    fn fail(
        &mut self,
        command: CommandId,
        kind: CommandKind,
        error: MapiError,
        request_id: Option<RequestId>,
        recovery_needed: bool,
        detail: String,
    ) {
        self.finish(
            command,
            kind,
            Err(FlowError {
                error,
                request_id,
                recovery_needed,
                detail,
            }),
        );
    }

    /// Ends a command that sent nothing (or whose request is known not to have run).
    fn refuse(
        &mut self,
        command: CommandId,
        kind: CommandKind,
        error: MapiError,
        request_id: RequestId,
        detail: String,
    ) {
        self.fail(command, kind, error, Some(request_id), false, detail);
    }

    fn close(&mut self, conn: ConnId) {
        if self.connections.remove(&conn).is_some() {
            self.actions.push_back(Action::Close(conn));
        }
        self.cancel_inputs_on(conn);
    }

    fn send(&mut self, conn: ConnId, bytes: Vec<u8>, summary: String) {
        log::debug!("conn {} → {summary}", conn.0);
        self.actions.push_back(Action::Send {
            conn,
            bytes,
            summary,
        });
    }

    /// Starts a request. Its outcome arrives as one [`Event::Finished`] with the returned id.
    pub fn start(&mut self, request: Request, now: Instant) -> CommandId {
        let command = self.new_command();
        let request_id = request.request_id().clone();
        if let Some(running) = &self.request {
            let detail = format!(
                "request {} is still running; wait for its result or abort it",
                running.request_id
            );
            self.refuse(
                command,
                CommandKind::Request,
                MapiError::FlowAlreadyHappening,
                request_id,
                detail,
            );
            return command;
        }
        let (message, expects_card_response) = match request {
            Request::Card(r) => (Message::CardServiceRequest(r), true),
            Request::Service(r) => (Message::ServiceRequest(r), false),
        };
        let frame = match message.to_frame() {
            Ok(frame) => frame,
            Err(error) => {
                // Only a request larger than 4 GiB can get here; nothing was sent.
                let detail = format!("the request could not be encoded: {error}");
                self.refuse(
                    command,
                    CommandKind::Request,
                    MapiError::FailedToConnectToTerminal,
                    request_id,
                    detail,
                );
                return command;
            }
        };
        let conn = self.new_outbound();
        self.request = Some(RequestFlow {
            command,
            request_id,
            request_type: message.request_type().to_owned(),
            expects_card_response,
            conn,
            unsent: Some((frame, message.summary())),
            deadline: deadline(now, self.config.connect_timeout),
            saw_unknown_message: false,
        });
        command
    }

    /// A `Connect` action succeeded.
    pub fn handle_connected(&mut self, conn: ConnId, now: Instant) {
        match self.connections.get_mut(&conn) {
            Some(connection) => connection.open = true,
            None => return,
        }
        let request_timeout = self.config.request_timeout;
        let mut request_left = false;
        if let Some(request) = self.request.as_mut().filter(|r| r.conn == conn) {
            if let Some((frame, summary)) = request.unsent.take() {
                request.deadline = deadline(now, request_timeout);
                let command = request.command;
                self.send(conn, frame, summary);
                self.events.push_back(Event::RequestSent { command });
                request_left = true;
            }
        }
        if request_left {
            self.dispatch_abort(now);
        }
        let abort_timeout = self.config.abort_timeout;
        if let Some(abort) = self
            .abort
            .as_mut()
            .filter(|a| a.conn == Some(conn) && a.phase == AbortPhase::Connecting)
        {
            abort.phase = AbortPhase::AwaitingResponse;
            abort.deadline = Some(deadline(now, abort_timeout));
            let (frame, summary) = (abort.frame.clone(), abort.summary.clone());
            self.send(conn, frame, summary);
        }
    }

    /// A `Connect` action failed.
    pub fn handle_connect_failed(&mut self, conn: ConnId, reason: &str, _now: Instant) {
        self.connections.remove(&conn);
        self.connection_gone(conn, MapiError::FailedToConnectToTerminal, reason);
    }

    /// The peer closed the connection, or reading/writing it failed.
    pub fn handle_closed(&mut self, conn: ConnId, reason: &str, _now: Instant) {
        if self.connections.remove(&conn).is_none() {
            return;
        }
        self.cancel_inputs_on(conn);
        self.connection_gone(conn, MapiError::TerminalConnectionLost, reason);
    }

    /// Ends the flows that lived on a connection that is gone.
    fn connection_gone(&mut self, conn: ConnId, error: MapiError, reason: &str) {
        if let Some(request) = self.request.take_if(|flow| flow.conn == conn) {
            let sent = request.unsent.is_none();
            let (error, recovery_needed) = if sent {
                (MapiError::TerminalConnectionLost, true)
            } else {
                (MapiError::FailedToConnectToTerminal, false)
            };
            let detail = format!("connection to the terminal ended: {reason}");
            self.fail(
                request.command,
                CommandKind::Request,
                error,
                Some(request.request_id.clone()),
                recovery_needed,
                detail,
            );
            if let Some(abort) = self
                .abort
                .take_if(|a| a.phase == AbortPhase::WaitingForRequest || a.conn == Some(conn))
            {
                let detail = format!(
                    "the request's connection ended before the abort was answered: {reason}"
                );
                self.fail(
                    abort.command,
                    CommandKind::Abort,
                    error,
                    Some(abort.request_id),
                    false,
                    detail,
                );
            }
        }
        if let Some(abort) = self.abort.take_if(|a| a.conn == Some(conn)) {
            let detail = format!("abort connection ended: {reason}");
            self.fail(
                abort.command,
                CommandKind::Abort,
                error,
                Some(abort.request_id),
                false,
                detail,
            );
        }
    }

    /// A channel-1 connection from the terminal was accepted; returns its id for `handle_data`.
    pub fn handle_inbound(&mut self, _now: Instant) -> ConnId {
        let id = ConnId(self.next_conn);
        self.next_conn += 1;
        self.connections.insert(
            id,
            Connection {
                decoder: FrameDecoder::with_max_frame_len(self.config.max_frame_len),
                open: true,
                inbound: true,
            },
        );
        id
    }

    /// Bytes arrived on a connection, in any split.
    pub fn handle_data(&mut self, conn: ConnId, bytes: &[u8], now: Instant) {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return;
        };
        connection.decoder.push(bytes);
        loop {
            let Some(connection) = self.connections.get_mut(&conn) else {
                return;
            };
            match connection.decoder.next_frame() {
                Ok(Some(payload)) => self.handle_payload(conn, &payload, now),
                Ok(None) => return,
                Err(error) => {
                    let error = error.to_string();
                    self.diagnostic(Diagnostic::FramingError {
                        conn,
                        error: error.clone(),
                    });
                    self.close(conn);
                    self.connection_gone(conn, MapiError::TerminalConnectionLost, &error);
                    return;
                }
            }
        }
    }

    fn diagnostic(&mut self, diagnostic: Diagnostic) {
        log::warn!("{diagnostic:?}");
        self.events.push_back(Event::Diagnostic(diagnostic));
    }

    fn handle_payload(&mut self, conn: ConnId, payload: &[u8], now: Instant) {
        let message = match Message::parse(payload) {
            Ok(message) => message,
            Err(error) => {
                if let Some(request) = self.request.as_mut().filter(|r| r.conn == conn) {
                    request.saw_unknown_message = true;
                }
                self.diagnostic(Diagnostic::UnparsableMessage {
                    conn,
                    error: error.to_string(),
                });
                return;
            }
        };
        log::debug!("conn {} ← {}", conn.0, message.summary());
        match message {
            Message::CardServiceResponse(r) => self.handle_response(conn, Response::Card(r), now),
            Message::ServiceResponse(r) => self.handle_response(conn, Response::Service(r), now),
            Message::DeviceRequest(r) if self.device_request_belongs_on(conn) => {
                self.handle_device_request(conn, r)
            }
            other => self.diagnostic(Diagnostic::UnexpectedMessage {
                conn,
                summary: other.summary(),
            }),
        }
    }

    /// A device request is the terminal's own request: on a channel-1 connection, or in
    /// single-socket mode on the connection of the flow it belongs to.
    fn device_request_belongs_on(&self, conn: ConnId) -> bool {
        let inbound = self.connections.get(&conn).is_some_and(|c| c.inbound);
        inbound
            || (self.device_requests_on_channel_0
                && (self.request.as_ref().is_some_and(|r| r.conn == conn)
                    || self.abort.as_ref().is_some_and(|a| a.conn == Some(conn))))
    }

    /// Answers count only on the connection their request went out on: a response arriving
    /// anywhere else (on channel 1, or on another channel-0 connection) is not an outcome.
    fn handle_response(&mut self, conn: ConnId, response: Response, _now: Instant) {
        let matches_request = self.request.as_ref().is_some_and(|flow| {
            flow.unsent.is_none()
                && flow.conn == conn
                && *response.request_id() == flow.request_id
                && (flow.request_type == REPEAT_LAST_MESSAGE
                    // A RepeatLastMessage answer may come under either root and the original's type.
                    || (response.request_type() == flow.request_type
                        && matches!(response, Response::Card(_)) == flow.expects_card_response))
        });
        if matches_request {
            if let Some(flow) = self.request.take() {
                self.finish(flow.command, CommandKind::Request, Ok(response));
                let abort_shares_conn = self
                    .abort
                    .as_ref()
                    .is_some_and(|a| a.conn == Some(flow.conn));
                if !abort_shares_conn {
                    self.close(flow.conn);
                }
            }
            return;
        }
        let matches_abort = self.abort.as_ref().is_some_and(|abort| {
            abort.phase == AbortPhase::AwaitingResponse
                && abort.conn == Some(conn)
                && *response.request_id() == abort.request_id
                && response.request_type() == ABORT_REQUEST_TYPE
        });
        if matches_abort {
            if let Some(abort) = self.abort.take() {
                self.finish(abort.command, CommandKind::Abort, Ok(response));
                self.release_abort_connection(&abort);
            }
            return;
        }
        self.diagnostic(Diagnostic::UnmatchedResponse {
            conn,
            summary: format!(
                "{} RequestType={} RequestID={} OverallResult={}",
                if matches!(response, Response::Card(_)) {
                    "CardServiceResponse"
                } else {
                    "ServiceResponse"
                },
                response.request_type(),
                response.request_id(),
                response.overall_result()
            ),
        });
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next thing the app must see.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}
