//! The abort lane: an AbortRequest armed next to the running request's connection, so that an
//! abort goes on the wire from the app's own thread.
//!
//! Without it an abort waits for the engine thread to wake up, and behind whatever that thread is
//! doing: a delegate callback the app is slow to return from, a journal fsync, a long receipt. A
//! merchant who presses stop expects the terminal to hear it at once. So while a request runs, the
//! transport keeps a finished frame (normal and silent) and the connection's writer here; firing is
//! one short lock, a timestamp patch and one non-blocking `send` on the caller's thread.
//!
//! The transport alone keeps the lane in step with its session: it arms it after each flush,
//! withdraws an abort that is no longer right, and records a fired abort with the session before it
//! handles any I/O (so before any byte that could answer the abort). Firing changes no protocol
//! state by itself and holds no type of the layers above: the caller brings an [`AbortTicket`],
//! and the transport reports which session command the ticket became
//! ([`super::Transport::take_fired_aborts`]), so the client binds its delegate there.
//!
//! Firing deliberately does not wake the engine thread. The terminal's answer wakes it anyway, and
//! waking it at the moment the frame leaves made it compete for a core with whatever has to
//! receive that frame: on two cores the AbortRequest arrived 10 µs later at the median and 30–40 µs
//! later at p99 (same binary with and without the wake, side by side). For a terminal that never
//! answers, the transport looks at a non-empty lane every [`check_period`]; the abort timeout
//! still counts from the firing, so it ends on time.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::connection::ConnWriter;
use crate::message::abort::AbortDisplay;
use crate::message::{RequestId, WireProfile};
use crate::session::{ArmedAbort, CommandId, ConnId, Session};

/// Names one abort fired through the lane, so its caller can find out which command it became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AbortTicket(pub u64);

/// A fired abort the session has recorded (or failed to: `command` is `None`, a bug whose caller
/// must still be answered once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAbort {
    /// The ticket it was fired with.
    pub ticket: AbortTicket,
    /// The session command that carries it; its outcome arrives as that command's.
    pub command: Option<CommandId>,
    /// The abort's RequestID.
    pub request_id: RequestId,
}

/// The connection a fired abort went out on and its frame, for the wire trace.
pub(super) type WrittenFrame = (ConnId, Vec<u8>);

/// Where the transport takes the RequestID of an abort it arms, and gives back one it withdrew
/// unsent (so arming does not use ids up).
pub trait RequestIds: Send {
    /// The next RequestID.
    fn take(&mut self) -> Result<RequestId, String>;
    /// `id` was taken and never sent.
    fn give_back(&mut self, id: &RequestId);
}

/// Local time as CCV's terminals expect it in POSTimeStamp (no zone).
pub fn pos_timestamp() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// How often the transport looks for a fired abort while one is armed: often enough that an abort
/// the terminal never answers is recorded well before its timeout (a quarter of it), at most
/// twice a second, and only while a request runs.
pub(super) fn check_period(abort_timeout: Duration) -> Duration {
    (abort_timeout / 4).clamp(Duration::from_millis(10), Duration::from_millis(500))
}

/// An armed abort: frames ready to go and the connection to write them on.
struct Armed {
    generation: u64,
    request_id: RequestId,
    /// The wire profile the frames were built with: an abort asked with another one goes through
    /// the engine, which builds it as asked.
    profile: WireProfile,
    writer: Arc<ConnWriter>,
    normal: Frame,
    silent: Frame,
}

/// One ready frame, and where its POSTimeStamp sits: the frame is built when the request leaves,
/// and the timestamp is brought up to date when the abort actually goes out.
struct Frame {
    bytes: Vec<u8>,
    timestamp: Option<Range<usize>>,
}

impl Frame {
    fn new(bytes: Vec<u8>, timestamp: Option<&str>) -> Frame {
        let timestamp = timestamp.filter(|t| !t.is_empty()).and_then(|t| {
            let needle = t.as_bytes();
            let start = bytes.windows(needle.len()).position(|w| w == needle)?;
            Some(start..start + needle.len())
        });
        Frame { bytes, timestamp }
    }

    /// The frame with the current POSTimeStamp (same width, so the length prefix still holds).
    fn stamped(&mut self) -> &[u8] {
        if let Some(range) = self.timestamp.clone() {
            let now = pos_timestamp();
            if let Some(slot) = self.bytes.get_mut(range) {
                if slot.len() == now.len() {
                    slot.copy_from_slice(now.as_bytes());
                }
            }
        }
        &self.bytes
    }
}

/// An abort written by the app's thread that the session has not recorded yet.
struct Fired {
    generation: u64,
    request_id: RequestId,
    display: AbortDisplay,
    at: Instant,
    ticket: AbortTicket,
}

enum Slot {
    Empty,
    Armed(Armed),
    Fired(Fired),
}

/// One terminal's abort lane: fired from any thread, kept in step by its transport.
pub struct AbortLane {
    slot: Mutex<Slot>,
    tickets: AtomicU64,
}

impl Default for AbortLane {
    fn default() -> Self {
        AbortLane {
            slot: Mutex::new(Slot::Empty),
            tickets: AtomicU64::new(1),
        }
    }
}

impl AbortLane {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // Every update below leaves the slot whole; a panic elsewhere must not stop aborts.
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A ticket for the next [`AbortLane::fire`]; the caller files its delegate under it first,
    /// so the transport can never report a ticket nobody knows.
    pub fn new_ticket(&self) -> AbortTicket {
        AbortTicket(self.tickets.fetch_add(1, Ordering::Relaxed))
    }

    /// Sends the armed abort from the calling thread when one is armed with `profile`; `false`
    /// when the lane cannot (nothing armed, another profile, or the write failed): the caller then
    /// runs the abort the ordinary way. Never blocks on the network and calls nothing back.
    pub fn fire(&self, display: AbortDisplay, profile: &WireProfile, ticket: AbortTicket) -> bool {
        let mut slot = self.lock();
        let mut armed = match std::mem::replace(&mut *slot, Slot::Empty) {
            Slot::Armed(armed) if armed.profile == *profile => armed,
            other => {
                *slot = other;
                return false;
            }
        };
        let frame = match display {
            AbortDisplay::Normal => &mut armed.normal,
            AbortDisplay::Silent => &mut armed.silent,
        };
        if let Err(error) = armed.writer.write(frame.stamped()) {
            log::info!("the armed abort could not be written ({error}); the engine takes it");
            *slot = Slot::Armed(armed);
            return false;
        }
        *slot = Slot::Fired(Fired {
            generation: armed.generation,
            request_id: armed.request_id,
            display,
            at: Instant::now(),
            ticket,
        });
        true
    }

    /// Empties the lane when its owner ends: returns the ticket of an abort fired and never
    /// recorded, so that its caller hears once. An armed abort is dropped: with nobody left to
    /// record it, it must not be fired.
    pub fn drain(&self) -> Option<(AbortTicket, RequestId)> {
        match std::mem::replace(&mut *self.lock(), Slot::Empty) {
            Slot::Fired(fired) => Some((fired.ticket, fired.request_id)),
            _ => None,
        }
    }

    /// Arms `armed` (built with `profile`) to be written on `writer`; `pos_timestamp` is the
    /// timestamp the frames were built with, refreshed at firing. Only an empty lane is armed.
    pub(super) fn arm(
        &self,
        armed: ArmedAbort,
        profile: WireProfile,
        writer: Arc<ConnWriter>,
        pos_timestamp: Option<&str>,
    ) -> bool {
        let mut slot = self.lock();
        if !matches!(*slot, Slot::Empty) {
            return false;
        }
        *slot = Slot::Armed(Armed {
            generation: armed.generation,
            request_id: armed.request_id,
            profile,
            writer,
            normal: Frame::new(armed.normal, pos_timestamp),
            silent: Frame::new(armed.silent, pos_timestamp),
        });
        true
    }

    /// The generation armed and not fired, if any.
    pub(super) fn armed_generation(&self) -> Option<u64> {
        match &*self.lock() {
            Slot::Armed(armed) => Some(armed.generation),
            _ => None,
        }
    }

    /// True when nothing is armed or fired-and-unrecorded.
    pub(super) fn is_empty(&self) -> bool {
        matches!(*self.lock(), Slot::Empty)
    }

    /// Withdraws the armed abort `generation` unless it was fired first; true if withdrawn.
    pub(super) fn withdraw(&self, generation: u64) -> bool {
        let mut slot = self.lock();
        match &*slot {
            Slot::Armed(armed) if armed.generation == generation => {
                *slot = Slot::Empty;
                true
            }
            _ => false,
        }
    }

    /// Records a fired abort with `session`: returns what it became, and the connection and
    /// frame that went out (for the wire trace).
    pub(super) fn absorb(
        &self,
        session: &mut Session,
    ) -> Option<(RecordedAbort, Option<WrittenFrame>)> {
        let fired = {
            let mut slot = self.lock();
            match std::mem::replace(&mut *slot, Slot::Empty) {
                Slot::Fired(fired) => fired,
                other => {
                    *slot = other;
                    return None;
                }
            }
        };
        match session.armed_abort_fired(fired.generation, fired.display, fired.at) {
            Some(recorded) => Some((
                RecordedAbort {
                    ticket: fired.ticket,
                    command: Some(recorded.command),
                    request_id: fired.request_id,
                },
                Some((recorded.conn, recorded.frame)),
            )),
            None => {
                log::error!(
                    "abort {} went out but the session had no record of arming it",
                    fired.request_id
                );
                Some((
                    RecordedAbort {
                        ticket: fired.ticket,
                        command: None,
                        request_id: fired.request_id,
                    },
                    None,
                ))
            }
        }
    }
}
