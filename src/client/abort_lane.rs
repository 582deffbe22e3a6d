//! The abort lane: an AbortRequest armed next to the running request's connection, so that
//! `PaymentService::abort` puts it on the wire from the app's own thread.
//!
//! Without it an abort waits for the engine thread to wake up, and behind whatever that thread is
//! doing: a delegate callback the app is slow to return from, a journal fsync, a long receipt. A
//! merchant who presses stop expects the terminal to hear it at once. So while a request runs, the
//! terminal's task keeps a finished frame (normal and silent) and the connection's writer here;
//! firing is one short lock, a timestamp patch and one non-blocking `send` on the caller's thread.
//!
//! Firing changes no protocol state by itself. The session learns of the abort through
//! [`FiredAbortGate::absorb`], which the transport calls before it handles any I/O (so before any
//! byte that could answer the abort), and the terminal's task registers the delegate before it
//! dispatches any event. Whatever the lane cannot do (nothing armed, a second abort, an abort on a
//! new connection, a write that failed) goes the ordinary way through the engine thread, where the
//! session decides as it always did.
//!
//! Firing deliberately does not wake the engine thread. The terminal's answer wakes it anyway, and
//! waking it at the moment the frame leaves made it compete for a core with whatever has to
//! receive that frame: on two cores the AbortRequest arrived 10 µs later at the median and 30–40 µs
//! later at p99 (same binary with and without the wake, side by side). For a terminal that never
//! answers, the task looks at a non-empty lane every [`check_period`]; the abort timeout still
//! counts from the firing, so it ends on time.

use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::delegate::Delegate;
use super::driver::{call, local_error, Flow, FlowKind, TerminalTask};
use super::operation;
use crate::error::MapiError;
use crate::message::abort::AbortDisplay;
use crate::message::{RequestId, WireProfile};
use crate::session::{ArmedAbort, CommandId, ConnId, Session};
use crate::transport::{ConnWriter, FiredAbortGate};

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
            let now = operation::pos_timestamp();
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
    delegate: Arc<dyn Delegate>,
}

enum Slot {
    Empty,
    Armed(Armed),
    Fired(Fired),
}

/// A fired abort handed to the session, waiting for the terminal's task to take its delegate.
enum Absorbed {
    /// The session runs it as `command`.
    Registered {
        command: CommandId,
        request_id: RequestId,
        delegate: Arc<dyn Delegate>,
    },
    /// The session no longer knew the arming (a bug): the delegate must still hear once.
    Unknown {
        request_id: RequestId,
        delegate: Arc<dyn Delegate>,
    },
}

struct LaneState {
    slot: Slot,
    absorbed: Vec<Absorbed>,
}

/// How often the terminal's task looks for a fired abort while one is armed: often enough that an
/// abort the terminal never answers is recorded well before its timeout (a quarter of it), at
/// most twice a second, and only while a request runs.
pub(super) fn check_period(abort_timeout: Duration) -> Duration {
    (abort_timeout / 4).clamp(Duration::from_millis(10), Duration::from_millis(500))
}

/// One terminal's abort lane, shared by the engine (which looks it up for `abort` calls) and the
/// terminal's task (which arms and withdraws it).
pub(crate) struct AbortLane {
    state: Mutex<LaneState>,
}

impl Default for AbortLane {
    fn default() -> Self {
        AbortLane {
            state: Mutex::new(LaneState {
                slot: Slot::Empty,
                absorbed: Vec::new(),
            }),
        }
    }
}

impl AbortLane {
    fn lock(&self) -> MutexGuard<'_, LaneState> {
        // Every update below leaves the state whole; a panic elsewhere must not stop aborts.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sends the armed abort from the calling thread. `Err` gives the delegate back when the lane
    /// cannot (nothing armed, or the write failed): the caller then runs the abort through the
    /// engine, which answers it as the session decides. Never blocks on the network and never
    /// calls the delegate.
    pub(crate) fn fire(
        &self,
        display: AbortDisplay,
        profile: &WireProfile,
        delegate: Arc<dyn Delegate>,
    ) -> Result<(), Arc<dyn Delegate>> {
        let mut state = self.lock();
        let mut armed = match std::mem::replace(&mut state.slot, Slot::Empty) {
            Slot::Armed(armed) if armed.profile == *profile => armed,
            other => {
                state.slot = other;
                return Err(delegate);
            }
        };
        let frame = match display {
            AbortDisplay::Normal => &mut armed.normal,
            AbortDisplay::Silent => &mut armed.silent,
        };
        if let Err(error) = armed.writer.write(frame.stamped()) {
            log::info!("the armed abort could not be written ({error}); the engine takes it");
            state.slot = Slot::Armed(armed);
            return Err(delegate);
        }
        state.slot = Slot::Fired(Fired {
            generation: armed.generation,
            request_id: armed.request_id,
            display,
            at: Instant::now(),
            delegate,
        });
        Ok(())
    }

    /// Returns after `period` while something is armed or fired, so that the terminal's task
    /// records a fired abort even if the terminal never answers; never while the lane is empty
    /// (an idle engine is not woken).
    pub(super) async fn check_after(&self, period: Duration) {
        if self.is_empty() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(period).await;
    }

    /// Arms `armed` to be written on `writer`. `pos_timestamp` is the timestamp the frames were
    /// built with, refreshed at firing. Only an empty lane is armed.
    fn arm(
        &self,
        armed: ArmedAbort,
        profile: WireProfile,
        writer: Arc<ConnWriter>,
        pos_timestamp: Option<&str>,
    ) -> bool {
        let mut state = self.lock();
        if !matches!(state.slot, Slot::Empty) {
            return false;
        }
        state.slot = Slot::Armed(Armed {
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
    fn armed_generation(&self) -> Option<u64> {
        match &self.lock().slot {
            Slot::Armed(armed) => Some(armed.generation),
            _ => None,
        }
    }

    /// True when nothing is armed or fired-and-unrecorded.
    fn is_empty(&self) -> bool {
        matches!(self.lock().slot, Slot::Empty)
    }

    /// Withdraws the armed abort `generation` unless it was fired first; true if withdrawn.
    fn withdraw(&self, generation: u64) -> bool {
        let mut state = self.lock();
        match &state.slot {
            Slot::Armed(armed) if armed.generation == generation => {
                state.slot = Slot::Empty;
                true
            }
            _ => false,
        }
    }

    /// Fired aborts the session has recorded, for the task to register with their delegates.
    fn take_absorbed(&self) -> Vec<Absorbed> {
        let mut state = self.lock();
        if state.absorbed.is_empty() {
            return Vec::new();
        }
        std::mem::take(&mut state.absorbed)
    }

    /// Empties the lane when its terminal's task ends: returns every delegate still waiting, so
    /// that each hears once. Later aborts find the lane empty and go to the engine, which answers
    /// them.
    pub(super) fn drain(&self) -> Vec<(RequestId, Arc<dyn Delegate>)> {
        let mut state = self.lock();
        let mut waiting: Vec<(RequestId, Arc<dyn Delegate>)> = std::mem::take(&mut state.absorbed)
            .into_iter()
            .map(|absorbed| match absorbed {
                Absorbed::Registered {
                    request_id,
                    delegate,
                    ..
                }
                | Absorbed::Unknown {
                    request_id,
                    delegate,
                } => (request_id, delegate),
            })
            .collect();
        // An armed abort goes too: with no task left to record it, it must not be fired.
        if let Slot::Fired(fired) = std::mem::replace(&mut state.slot, Slot::Empty) {
            waiting.push((fired.request_id, fired.delegate));
        }
        waiting
    }
}

impl FiredAbortGate for AbortLane {
    fn absorb(&self, session: &mut Session) -> Option<(ConnId, Vec<u8>)> {
        let mut state = self.lock();
        let fired = match std::mem::replace(&mut state.slot, Slot::Empty) {
            Slot::Fired(fired) => fired,
            other => {
                state.slot = other;
                return None;
            }
        };
        match session.armed_abort_fired(fired.generation, fired.display, fired.at) {
            Some(recorded) => {
                state.absorbed.push(Absorbed::Registered {
                    command: recorded.command,
                    request_id: fired.request_id,
                    delegate: fired.delegate,
                });
                Some((recorded.conn, recorded.frame))
            }
            None => {
                log::error!(
                    "abort {} went out but the session had no record of arming it",
                    fired.request_id
                );
                state.absorbed.push(Absorbed::Unknown {
                    request_id: fired.request_id,
                    delegate: fired.delegate,
                });
                None
            }
        }
    }
}

/// How the terminal's task keeps its lane in step with the session.
impl TerminalTask {
    /// Gives back a RequestID that was taken but never sent (an armed abort withdrawn), so that
    /// arming does not use up ids; only the latest id can be given back.
    pub(super) fn give_back_id(&mut self, id: &RequestId) {
        if let Ok(store) = &self.ids {
            store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .give_back(id);
        }
    }

    /// Keeps the abort lane in step with the session after anything happened: records an abort
    /// fired from the app's thread, withdraws an armed abort that is no longer right (its request
    /// ended, another abort started), and arms one when a request has left and no abort runs.
    pub(super) fn sync_abort_lane(&mut self) {
        self.withdraw_armed_abort_if_stale();
        if !self.lane.is_empty() {
            return;
        }
        let Some(transport) = self.transport.as_mut() else {
            return;
        };
        let Some(conn) = transport.session().abort_armable() else {
            return;
        };
        let Some(writer) = transport.writer(conn) else {
            return;
        };
        let id = match self.allocate_id(false) {
            Ok(id) => id,
            Err(error) => {
                log::debug!("no RequestID to arm an abort with ({error}); aborts take the engine");
                return;
            }
        };
        let timestamp = operation::pos_timestamp();
        let Some(transport) = self.transport.as_mut() else {
            return;
        };
        match transport
            .session()
            .arm_abort(id.clone(), Some(timestamp.clone()))
        {
            Some(armed) => {
                let generation = armed.generation;
                let profile = self.terminal.wire_profile;
                if !self.lane.arm(armed, profile, writer, Some(&timestamp)) {
                    if let Some(id) = transport.session().disarm_abort(generation) {
                        self.give_back_id(&id);
                    }
                }
            }
            None => self.give_back_id(&id),
        }
    }

    /// Records fired aborts with the session and takes their delegates into `flows`.
    pub(super) fn absorb_fired_aborts(&mut self) {
        if let Some(transport) = self.transport.as_mut() {
            transport.absorb_fired_abort();
        }
        for absorbed in self.lane.take_absorbed() {
            match absorbed {
                Absorbed::Registered {
                    command,
                    request_id,
                    delegate,
                } => {
                    self.flows.insert(
                        command,
                        Flow {
                            kind: FlowKind::Abort,
                            delegate,
                            request_id,
                            journaled: false,
                        },
                    );
                }
                Absorbed::Unknown {
                    request_id,
                    delegate,
                } => {
                    let error = local_error(
                        Some(MapiError::NotAFlowHappening),
                        Some(request_id),
                        "the abort went out but its request was no longer known; recover the payment to learn its outcome".to_owned(),
                    );
                    call("on_error", || delegate.on_error(&error));
                }
            }
        }
    }

    fn withdraw_armed_abort_if_stale(&mut self) {
        self.absorb_fired_aborts();
        let Some(generation) = self.lane.armed_generation() else {
            return;
        };
        let current = self
            .transport
            .as_mut()
            .is_some_and(|t| t.session().armed_abort_is_current(generation));
        if !current {
            self.withdraw_generation(generation);
        }
    }

    /// Takes the armed abort out of the lane before the engine starts an abort itself.
    pub(super) fn withdraw_armed_abort(&mut self) {
        self.absorb_fired_aborts();
        if let Some(generation) = self.lane.armed_generation() {
            self.withdraw_generation(generation);
        }
    }

    fn withdraw_generation(&mut self, generation: u64) {
        if self.lane.withdraw(generation) {
            let id = self
                .transport
                .as_mut()
                .and_then(|t| t.session().disarm_abort(generation));
            if let Some(id) = id {
                self.give_back_id(&id);
            }
        } else {
            // Fired a moment ago, from the app's thread.
            self.absorb_fired_aborts();
        }
    }
}
