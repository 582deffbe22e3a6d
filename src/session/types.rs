//! What goes into and comes out of the sans-IO [`super::Session`].

use std::time::{Duration, Instant};

use crate::dialect::Dialect;
use crate::error::MapiError;
use crate::message::abort::{AbortDisplay, AbortVia};
use crate::message::codec::DEFAULT_MAX_FRAME_LEN;
use crate::message::{
    CardServiceRequest, DeviceTarget, RequestId, Response, ServiceRequest, TextLine, WireProfile,
};

/// Settings of one terminal session. Timeouts default to CCV's SDK values for the dialect.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// OPI-NL or OPI-DE.
    pub dialect: Dialect,
    /// The POS's workstation id, echoed by the terminal.
    pub workstation_id: String,
    /// Name of the POS application sent in requests and device responses.
    pub application_sender: Option<String>,
    /// How long to wait for a channel-0 connection.
    pub connect_timeout: Duration,
    /// How long to wait for the answer to an AbortRequest (6 s NL, 5 s DE).
    pub abort_timeout: Duration,
    /// How long to wait for the answer to any other request (120 s NL, 130 s DE).
    pub request_timeout: Duration,
    /// Largest frame accepted from the terminal.
    pub max_frame_len: usize,
    /// How the AbortRequest is spelled (its RequestID, the silent marker, POSdata).
    pub wire_profile: WireProfile,
}

impl SessionConfig {
    /// CCV's defaults for `dialect`.
    pub fn new(dialect: Dialect, workstation_id: &str) -> Self {
        SessionConfig {
            dialect,
            workstation_id: workstation_id.to_owned(),
            application_sender: Some("mapi-rs".to_owned()),
            connect_timeout: Duration::from_secs(5),
            abort_timeout: dialect.default_abort_timeout(),
            request_timeout: dialect.default_request_timeout(),
            max_frame_len: DEFAULT_MAX_FRAME_LEN,
            wire_profile: match dialect {
                Dialect::OpiNl => WireProfile::OPI_NL,
                Dialect::OpiDe => WireProfile::OPI_DE,
            },
        }
    }
}

/// Identifies one TCP connection of the session (outbound channel 0, or inbound channel 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Identifies one command; its outcome carries the same id, exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub u64);

/// A request the app wants the terminal to run (payment, refund, status, RepeatLastMessage…),
/// fully built by the caller, RequestID included.
// A message moves a handful of times per transaction; boxing the variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Card service request.
    Card(CardServiceRequest),
    /// Service request.
    Service(ServiceRequest),
}

impl Request {
    /// Its RequestID.
    pub fn request_id(&self) -> &RequestId {
        match self {
            Request::Card(r) => &r.request_id,
            Request::Service(r) => &r.request_id,
        }
    }

    /// Its RequestType as on the wire.
    pub fn request_type(&self) -> &str {
        match self {
            Request::Card(r) => r.request_type.as_str(),
            Request::Service(r) => r.request_type.as_str(),
        }
    }
}

/// An abort of the running request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbortCommand {
    /// The abort's own RequestID.
    pub request_id: RequestId,
    /// Same or new connection.
    pub via: AbortVia,
    /// Normal ("Aborted" shown) or silent (unattended terminals).
    pub display: AbortDisplay,
    /// POSTimeStamp for the request.
    pub pos_timestamp: Option<String>,
}

/// An AbortRequest for the running request, built and framed before anyone asked for it, so that
/// the client can put it on the wire from the app's thread the moment the merchant presses stop
/// instead of waiting for the engine thread. Arming sends nothing and creates no command: the abort
/// only exists once the client reports [`super::Session::armed_abort_fired`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmedAbort {
    /// Tells this arming from earlier ones of the same session.
    pub generation: u64,
    /// The running request's connection, the only one the abort may go out on.
    pub conn: ConnId,
    /// The abort's own RequestID (taken from the counter, given back if never fired).
    pub request_id: RequestId,
    /// The whole frame for a normal abort ("Aborted" shown).
    pub normal: Vec<u8>,
    /// The whole frame for a silent abort.
    pub silent: Vec<u8>,
}

/// An armed abort that went out, as the session recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredAbort {
    /// The abort's command; its outcome arrives as one [`Event::Finished`] like any abort's.
    pub command: CommandId,
    /// The connection it went out on.
    pub conn: ConnId,
    /// The frame that went out.
    pub frame: Vec<u8>,
}

/// Why a command ended without a settling answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    /// The public error name.
    pub error: MapiError,
    /// The RequestID concerned, when one was assigned.
    pub request_id: Option<RequestId>,
    /// True when the request may have reached the terminal and its result is unknown: the app
    /// must recover it (RepeatLastMessage) before trusting that no money moved.
    pub recovery_needed: bool,
    /// What happened, for logs and support.
    pub detail: String,
}

/// How a command ended.
pub type Outcome = Result<Response, FlowError>;

/// Which kind of command an outcome belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// A request (payment, service…).
    Request,
    /// An abort.
    Abort,
}

/// A question from the terminal the app must answer with [`super::Session::answer_input`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InputTicket(pub u64);

/// Something the session noticed that is not an outcome but belongs in a support log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A response that matches no running request or abort (wrong RequestID or type); ignored.
    UnmatchedResponse {
        /// Where it came from.
        conn: ConnId,
        /// Root, type, id, result.
        summary: String,
    },
    /// A frame that is not a valid OPI message; ignored.
    UnparsableMessage {
        /// Where it came from.
        conn: ConnId,
        /// The parse error.
        error: String,
    },
    /// The byte stream lost its framing; the connection was closed.
    FramingError {
        /// Which connection.
        conn: ConnId,
        /// The codec error.
        error: String,
    },
    /// A message the POS never expects from a terminal (a request on channel 0); ignored.
    UnexpectedMessage {
        /// Where it came from.
        conn: ConnId,
        /// Root, type, id.
        summary: String,
    },
    /// A device request for a device the POS does not have; answered DeviceUnavailable.
    UnknownDevice {
        /// Where it came from.
        conn: ConnId,
        /// The target named.
        target: String,
    },
}

/// What the app must see.
// A message moves a handful of times per transaction; boxing the variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Text for a display, a receipt, or the e-journal (a DeviceRequest Output, already answered).
    Output {
        /// The RequestID of the running request it belongs to.
        request_id: RequestId,
        /// Which device.
        target: DeviceTarget,
        /// The text.
        lines: Vec<TextLine>,
    },
    /// The terminal asks the cashier something (signature OK? identification checked?).
    InputRequested {
        /// Pass it back to `answer_input`.
        ticket: InputTicket,
        /// The RequestID of the running request.
        request_id: RequestId,
        /// The prompt shown with it.
        prompt: Vec<TextLine>,
        /// The OPI command, e.g. `GetConfirmation`.
        command: String,
    },
    /// The terminal withdrew a question (AbortInput, or its connection closed).
    InputCancelled {
        /// The withdrawn question.
        ticket: InputTicket,
    },
    /// A request's frame was handed to its connection: the terminal may be running it from now on,
    /// and an abort can follow it at once (the client arms one).
    RequestSent {
        /// The request's command.
        command: CommandId,
    },
    /// A command ended. Exactly one per command.
    Finished {
        /// The command.
        command: CommandId,
        /// Request or abort.
        kind: CommandKind,
        /// How.
        outcome: Outcome,
    },
    /// See [`Diagnostic`].
    Diagnostic(Diagnostic),
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open a channel-0 connection to the terminal; report with `handle_connected`/`handle_connect_failed`.
    Connect(ConnId),
    /// Write these bytes (one whole frame) to the connection.
    Send {
        /// Where.
        conn: ConnId,
        /// The frame.
        bytes: Vec<u8>,
        /// One-line description for logs (no card data).
        summary: String,
    },
    /// Close the connection (after the queued sends are written).
    Close(ConnId),
}

/// Misuse of the session API (not an outcome of a command).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The ticket was answered already, or the terminal withdrew the question.
    #[error("input ticket {0} is not pending (already answered or withdrawn by the terminal)")]
    UnknownInputTicket(u64),
}

pub(crate) fn deadline(now: Instant, after: Duration) -> Instant {
    now.checked_add(after).unwrap_or(now)
}
