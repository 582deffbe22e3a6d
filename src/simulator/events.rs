//! What the simulator saw and did, kept for tests: every received frame (raw and parsed) and a log
//! of events. Tests synchronise on events instead of sleeping: the log is searched from its start,
//! so an event that happened before the test started waiting is still found.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use super::script::Stage;
use crate::message::{DeviceTarget, Message, OverallResult, ParseError, RequestId};

/// Number of a channel-0 connection, counted from 1 in accept order.
pub type ConnectionId = u64;

/// Which channel a frame travelled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// A POS → terminal request connection (several may be open at once).
    Channel0(ConnectionId),
    /// A terminal → POS device-request connection (dual-socket mode).
    Channel1,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Channel0(conn) => write!(f, "ch0#{conn}"),
            Channel::Channel1 => f.write_str("ch1"),
        }
    }
}

/// One frame the simulator received, exactly as it came, so tests can assert on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedFrame {
    /// Where it arrived.
    pub channel: Channel,
    /// The payload without its length prefix.
    pub bytes: Vec<u8>,
    /// The parsed message, or why it is not one.
    pub message: Result<Message, ParseError>,
}

/// The steps of a payment run, reported as [`SimEvent::StageReached`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStep {
    /// The request was accepted as the running payment.
    RequestReceived,
    /// Waiting at the [`Stage::CardPresented`] gate: an abort now is accepted.
    AwaitingCard,
    /// Authorised: from here on an abort is refused.
    Authorised,
    /// Waiting at the [`Stage::Completion`] gate.
    AwaitingCompletion,
    /// About to send the final response.
    Responding,
}

/// Something the simulator did or saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimEvent {
    /// The channel-0 listener is bound.
    Listening {
        /// Its address (the port is real even when port 0 was asked for).
        address: std::net::SocketAddr,
    },
    /// A POS opened a channel-0 connection.
    Channel0Connected {
        /// Its number.
        conn: ConnectionId,
    },
    /// A channel-0 connection ended (either side closed it).
    Channel0Closed {
        /// Its number.
        conn: ConnectionId,
    },
    /// The simulator closed a channel-0 connection on purpose (a scripted fault).
    ClosedByTerminal {
        /// Its number.
        conn: ConnectionId,
    },
    /// A frame arrived (also recorded as a [`ReceivedFrame`]).
    FrameReceived {
        /// Where.
        channel: Channel,
        /// The message's summary, or the parse error.
        summary: String,
    },
    /// The byte stream could not be split into frames (oversize length, truncated frame).
    FramingError {
        /// Where.
        channel: Channel,
        /// What was wrong.
        error: String,
    },
    /// A frame was written to the POS.
    FrameSent {
        /// Where.
        channel: Channel,
        /// The message's summary (or a description of the garbage).
        summary: String,
    },
    /// A payment run reached a step.
    StageReached {
        /// The running request.
        request_id: RequestId,
        /// The step.
        step: RunStep,
    },
    /// A gate was opened through the handle.
    Released {
        /// Which gate.
        stage: Stage,
    },
    /// A device request went out.
    DeviceRequestSent {
        /// The running request it belongs to.
        request_id: RequestId,
        /// Its SequenceID.
        sequence_id: u64,
        /// Its (first) target, or the input target for a question.
        target: DeviceTarget,
        /// The channel it used.
        channel: Channel,
    },
    /// The POS answered a device request.
    DeviceResponseReceived {
        /// The SequenceID answered.
        sequence_id: u64,
        /// The POS's OverallResult.
        result: OverallResult,
    },
    /// A device request got no usable answer; the run carries on without it.
    DeviceRequestFailed {
        /// Its SequenceID.
        sequence_id: u64,
        /// Why.
        reason: String,
    },
    /// A payment ended (answered, or not delivered because of a fault or a lost connection).
    PaymentFinished {
        /// The payment's RequestID.
        request_id: RequestId,
        /// Its result, as stored for RepeatLastMessage.
        result: OverallResult,
        /// Whether the response was handed to an open connection.
        delivered: bool,
    },
    /// A payment-like request was refused because another one runs.
    BusyAnswered {
        /// The refused request.
        request_id: RequestId,
    },
    /// An AbortRequest arrived.
    AbortReceived {
        /// The abort's RequestID.
        request_id: RequestId,
        /// Its connection.
        conn: ConnectionId,
    },
    /// An AbortRequest was answered.
    AbortAnswered {
        /// The abort's RequestID.
        request_id: RequestId,
        /// Success (the payment was aborted) or Failure (nothing to abort, or too late).
        accepted: bool,
    },
    /// An AbortRequest was deliberately left unanswered (`ignore_aborts`).
    AbortIgnored {
        /// The abort's RequestID.
        request_id: RequestId,
    },
    /// A RepeatLastMessage was answered.
    RepeatAnswered {
        /// The RepeatLastMessage's RequestID.
        request_id: RequestId,
        /// The RequestID of the repeated response, `None` when nothing was stored.
        original: Option<RequestId>,
    },
    /// A service request (Login, Diagnosis, Reconciliation…) was answered.
    ServiceAnswered {
        /// Its RequestID.
        request_id: RequestId,
        /// Its RequestType.
        request_type: String,
        /// The answer's result.
        result: OverallResult,
    },
    /// A scripted fault struck.
    FaultInjected {
        /// The running request.
        request_id: RequestId,
        /// What was done.
        description: String,
    },
    /// The simulator stopped.
    Shutdown,
}

impl fmt::Display for SimEvent {
    /// One line per event, for the example's stdout and for assertion messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SimEvent::*;
        match self {
            Listening { address } => write!(f, "listening on {address}"),
            Channel0Connected { conn } => write!(f, "ch0#{conn} connected"),
            Channel0Closed { conn } => write!(f, "ch0#{conn} closed"),
            ClosedByTerminal { conn } => write!(f, "ch0#{conn} closed by the terminal"),
            FrameReceived { channel, summary } => write!(f, "{channel} <- {summary}"),
            FramingError { channel, error } => write!(f, "{channel} framing error: {error}"),
            FrameSent { channel, summary } => write!(f, "{channel} -> {summary}"),
            StageReached { request_id, step } => write!(f, "request {request_id}: {step:?}"),
            Released { stage } => write!(f, "gate {stage:?} released"),
            DeviceRequestSent {
                request_id,
                sequence_id,
                target,
                channel,
            } => write!(
                f,
                "request {request_id}: device request #{sequence_id} to {target} on {channel}"
            ),
            DeviceResponseReceived {
                sequence_id,
                result,
            } => write!(f, "device response #{sequence_id}: {result}"),
            DeviceRequestFailed {
                sequence_id,
                reason,
            } => write!(f, "device request #{sequence_id} failed: {reason}"),
            PaymentFinished {
                request_id,
                result,
                delivered,
            } => write!(
                f,
                "request {request_id} finished: {result}{}",
                if *delivered { "" } else { " (not delivered)" }
            ),
            BusyAnswered { request_id } => write!(f, "request {request_id} answered Busy"),
            AbortReceived { request_id, conn } => {
                write!(f, "abort {request_id} received on ch0#{conn}")
            }
            AbortAnswered {
                request_id,
                accepted,
            } => write!(
                f,
                "abort {request_id} {}",
                if *accepted { "accepted" } else { "refused" }
            ),
            AbortIgnored { request_id } => write!(f, "abort {request_id} ignored"),
            RepeatAnswered {
                request_id,
                original,
            } => match original {
                Some(original) => write!(f, "repeat {request_id} answered with {original}"),
                None => write!(f, "repeat {request_id}: nothing stored"),
            },
            ServiceAnswered {
                request_id,
                request_type,
                result,
            } => write!(f, "{request_type} {request_id} answered {result}"),
            FaultInjected {
                request_id,
                description,
            } => write!(f, "request {request_id}: fault {description}"),
            Shutdown => f.write_str("shut down"),
        }
    }
}

/// How many events and frames are kept; the oldest go first so a long-running example process
/// cannot grow without bound.
const HISTORY_LIMIT: usize = 10_000;

#[derive(Default)]
struct History {
    events: VecDeque<SimEvent>,
    /// Events dropped from the front, so positions stay absolute.
    events_dropped: usize,
    frames: VecDeque<ReceivedFrame>,
}

/// The recording shared by the simulator's tasks and every handle.
pub(crate) struct Recorder {
    history: Mutex<History>,
    changed: Condvar,
    broadcast: broadcast::Sender<SimEvent>,
}

/// Locks a mutex even if a thread panicked while holding it: the recording stays usable for the
/// test that wants to report what happened.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Recorder {
    pub(crate) fn new() -> Recorder {
        let (broadcast, _) = broadcast::channel(1024);
        Recorder {
            history: Mutex::new(History::default()),
            changed: Condvar::new(),
            broadcast,
        }
    }

    pub(crate) fn event(&self, event: SimEvent) {
        log::debug!("simulator: {event}");
        {
            let mut history = lock(&self.history);
            if history.events.len() >= HISTORY_LIMIT {
                history.events.pop_front();
                history.events_dropped += 1;
            }
            history.events.push_back(event.clone());
        }
        self.changed.notify_all();
        // No subscriber is not an error: events are also kept in the history.
        let _ = self.broadcast.send(event);
    }

    pub(crate) fn frame(&self, frame: ReceivedFrame) {
        let summary = match &frame.message {
            Ok(message) => message.summary(),
            Err(error) => format!("unparsable frame ({} bytes): {error}", frame.bytes.len()),
        };
        let channel = frame.channel;
        {
            let mut history = lock(&self.history);
            if history.frames.len() >= HISTORY_LIMIT {
                history.frames.pop_front();
            }
            history.frames.push_back(frame);
        }
        self.event(SimEvent::FrameReceived { channel, summary });
    }

    pub(crate) fn frames(&self) -> Vec<ReceivedFrame> {
        lock(&self.history).frames.iter().cloned().collect()
    }

    pub(crate) fn clear_frames(&self) {
        lock(&self.history).frames.clear();
    }

    pub(crate) fn events(&self) -> Vec<SimEvent> {
        lock(&self.history).events.iter().cloned().collect()
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<SimEvent> {
        self.broadcast.subscribe()
    }

    /// Blocks until an event in the history matches, searching from the oldest kept event.
    pub(crate) fn wait_for(
        &self,
        mut matches: impl FnMut(&SimEvent) -> bool,
        timeout: Duration,
    ) -> Option<SimEvent> {
        let deadline = Instant::now() + timeout;
        let mut history = lock(&self.history);
        let mut next = 0usize;
        loop {
            let start = next.saturating_sub(history.events_dropped);
            if let Some(found) = history.events.iter().skip(start).find(|e| matches(e)) {
                return Some(found.clone());
            }
            next = history.events_dropped + history.events.len();
            let left = deadline.checked_duration_since(Instant::now())?;
            history = self
                .changed
                .wait_timeout(history, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }
}
