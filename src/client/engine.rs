//! The engine: one dedicated thread running a current-thread tokio runtime for the whole process
//! (idle = one parked thread), one task per terminal, and the services apps call.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

use super::abort_tickets::LaneEntry;
use super::delegate::{Delegate, PendingPayment, SdkError};
use super::driver;
use super::journal::Journal;
use super::operation::Operation;
use super::recovery::pending_of;
use super::task::TerminalMsg;
use super::terminal::{Terminal, TerminalKey};
use super::wire_trace::{WireTraceConfig, WireTraceControl, WireTraceError};
use crate::error::MapiError;
use crate::message::abort::AbortVia;
use crate::transport::TapSlot;

enum EngineMsg {
    Run {
        terminal: Terminal,
        operation: Operation,
        delegate: Arc<dyn Delegate>,
    },
    ListenAddress {
        terminal: Terminal,
        reply: std::sync::mpsc::Sender<Result<Option<SocketAddr>, String>>,
    },
    SetRecoveryDelegate(Option<Arc<dyn Delegate>>),
    ResolvePending {
        terminal: Terminal,
        key: String,
        reason: String,
        reply: std::sync::mpsc::Sender<Result<Option<PendingPayment>, String>>,
    },
}

/// Each terminal's abort lane, found by the app's thread without the engine thread. A list: an
/// engine serves a handful of terminals, and comparing in place allocates nothing on the abort path.
#[derive(Default)]
struct Lanes(Mutex<Vec<(TerminalKey, Arc<LaneEntry>)>>);

impl Lanes {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<(TerminalKey, Arc<LaneEntry>)>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn find(&self, terminal: &Terminal) -> Option<Arc<LaneEntry>> {
        self.list()
            .iter()
            .find(|(key, _)| key.is_of(terminal))
            .map(|(_, lane)| Arc::clone(lane))
    }

    fn get_or_insert(&self, key: &TerminalKey) -> Arc<LaneEntry> {
        let mut list = self.list();
        if let Some((_, lane)) = list.iter().find(|(k, _)| k == key) {
            return Arc::clone(lane);
        }
        let lane = Arc::new(LaneEntry::default());
        list.push((key.clone(), Arc::clone(&lane)));
        lane
    }
}

struct EngineShared {
    tx: mpsc::UnboundedSender<EngineMsg>,
    lanes: Arc<Lanes>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Dropped after the engine thread ended, which closes a running trace cleanly.
    trace: WireTraceControl,
}

impl Drop for EngineShared {
    fn drop(&mut self) {
        // Closing the channel ends the engine loop; wait so a test's engine does not outlive it.
        let (closed_tx, _) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.tx, closed_tx));
        if let Ok(mut thread) = self.thread.lock() {
            if let Some(handle) = thread.take() {
                if handle.thread().id() != std::thread::current().id() {
                    let _ = handle.join();
                }
            }
        }
    }
}

/// The protocol engine. Cheap to clone; [`Engine::global`] is what the services use by default.
#[derive(Clone)]
pub struct Engine {
    shared: Arc<EngineShared>,
}

impl Engine {
    /// Starts an engine with its own thread.
    pub fn new() -> std::io::Result<Engine> {
        let (tx, rx) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let trace = WireTraceControl::default();
        let tap = trace.slot();
        let lanes = Arc::new(Lanes::default());
        let engine_lanes = Arc::clone(&lanes);
        let thread = std::thread::Builder::new()
            .name("mapi-engine".to_owned())
            .spawn(move || runtime.block_on(engine_loop(rx, tap, engine_lanes)))?;
        Ok(Engine {
            shared: Arc::new(EngineShared {
                tx,
                lanes,
                thread: Mutex::new(Some(thread)),
                trace,
            }),
        })
    }

    /// The process-wide engine, started on first use.
    ///
    /// # Panics
    /// If the OS refuses to create the engine thread the first time (out of threads/memory).
    pub fn global() -> &'static Engine {
        static GLOBAL: OnceLock<Engine> = OnceLock::new();
        GLOBAL
            .get_or_init(|| Engine::new().expect("the OS refused to start the mapi engine thread"))
    }

    /// Runs `operation` on `terminal`; the outcome reaches `delegate` exactly once. Returns at once.
    ///
    /// An abort on the running request's connection is written from the calling thread when the
    /// terminal's transport has one armed (see `transport::AbortLane`), so it never waits for the engine thread;
    /// its outcome still arrives on the engine thread like every other.
    pub fn run(&self, terminal: &Terminal, operation: Operation, delegate: Arc<dyn Delegate>) {
        let delegate = match &operation {
            Operation::Abort {
                via: AbortVia::SameConnection,
                display,
            } => match self.shared.lanes.find(terminal) {
                Some(entry) => match entry.fire(*display, &terminal.wire_profile, delegate) {
                    Ok(()) => return,
                    Err(delegate) => delegate,
                },
                None => delegate,
            },
            _ => delegate,
        };
        let msg = EngineMsg::Run {
            terminal: terminal.clone(),
            operation,
            delegate: delegate.clone(),
        };
        if self.shared.tx.send(msg).is_err() {
            let error = SdkError {
                mapi_error: Some(MapiError::FailedToConnectToTerminal),
                result: None,
                request_id: None,
                recovery_needed: false,
                detail: "the engine has stopped".to_owned(),
            };
            delegate.on_error(&error);
        }
    }

    /// Turns automatic recovery on (`Some`) or off. With it, a terminal's unsettled requests
    /// (journal entries) are recovered when the terminal is first used, again with a bounded
    /// backoff after an answer that settled nothing (`Timeouts::recovery_retry`, at most 8 times),
    /// and before a new payment, which waits for that recovery. The outcomes (`recovered = true`)
    /// and the "still pending" notices (`on_recovery_pending`) go to `delegate`. Without it a
    /// payment on a terminal with an unsettled request is refused (`PAYMENT_PENDING_RECOVERY`)
    /// until `TerminalService::recover_payment` settles it. Applies to terminals first used after
    /// the call: set it before the first request.
    pub fn set_recovery_delegate(&self, delegate: Option<Arc<dyn Delegate>>) {
        let _ = self
            .shared
            .tx
            .send(EngineMsg::SetRecoveryDelegate(delegate));
    }

    /// The requests of `terminal` whose outcome is not settled (its journal in the state
    /// directory), oldest first. Reads the files on the calling thread: any thread, never blocks
    /// on the engine.
    pub fn pending_payments(&self, terminal: &Terminal) -> Result<Vec<PendingPayment>, String> {
        let journal = Journal::new(terminal.state_dir.as_deref(), &terminal.key().file_stem());
        journal
            .list()
            .map(|stored| stored.iter().map(pending_of).collect())
            .map_err(|e| e.to_string())
    }

    /// An operator settles a pending request by hand once its outcome is known another way (the
    /// reprinted ticket, the acquirer's report): `key` is its RequestID (or, for an unreadable
    /// entry, its file name). The entry and `reason` are appended to the state directory's
    /// `resolved-payments.jsonl` before it is removed, and the call is logged. Refused while a
    /// request about it runs. Blocks the caller until the engine answered (up to `wait`); not
    /// from a delegate callback of this engine (it would wait for itself).
    pub fn resolve_pending(
        &self,
        terminal: &Terminal,
        key: &str,
        reason: &str,
        wait: Duration,
    ) -> Result<Option<PendingPayment>, String> {
        if std::thread::current().name() == Some("mapi-engine") {
            return Err("resolve_pending cannot be called from a callback on the engine thread; post it to another thread".to_owned());
        }
        if reason.trim().is_empty() {
            return Err("resolve_pending needs a reason: it goes to the resolution log".to_owned());
        }
        let (reply, answer) = std::sync::mpsc::channel();
        self.shared
            .tx
            .send(EngineMsg::ResolvePending {
                terminal: terminal.clone(),
                key: key.to_owned(),
                reason: reason.to_owned(),
                reply,
            })
            .map_err(|_| "the engine has stopped".to_owned())?;
        answer
            .recv_timeout(wait)
            .map_err(|_| "the engine did not answer".to_owned())?
    }

    /// Where the channel-1 listener of `terminal` is bound (starts the terminal's session if needed).
    /// Blocks the caller up to `wait`.
    pub fn listen_address(
        &self,
        terminal: &Terminal,
        wait: Duration,
    ) -> Result<Option<SocketAddr>, String> {
        let (reply, answer) = std::sync::mpsc::channel();
        self.shared
            .tx
            .send(EngineMsg::ListenAddress {
                terminal: terminal.clone(),
                reply,
            })
            .map_err(|_| "the engine has stopped".to_owned())?;
        answer
            .recv_timeout(wait)
            .map_err(|_| "the engine did not answer".to_owned())?
    }

    /// Starts (`Some`) or stops (`None`) the masked wire trace of every terminal this engine
    /// serves (off by default; see [`super::wire_trace`] for the file format). It applies to
    /// connections opened from now on, so a request already running is traced from the next
    /// one. Starting creates or truncates the file and writes its header on the caller's thread;
    /// stopping writes the closing line and waits for the trace's writer thread to flush it.
    /// A stop reports a write error the trace met since it last flushed.
    pub fn set_wire_trace(&self, config: Option<WireTraceConfig>) -> Result<(), WireTraceError> {
        self.shared.trace.set(config)
    }

    /// Copies the current (or, once stopped, the last) trace to `destination` for support,
    /// flushing it first; returns the bytes copied. Blocks the caller for the copy (up to a few
    /// seconds for a full trace): call it off the UI thread.
    pub fn export_wire_trace(&self, destination: &std::path::Path) -> Result<u64, WireTraceError> {
        self.shared.trace.export(destination)
    }
}

async fn engine_loop(
    mut rx: mpsc::UnboundedReceiver<EngineMsg>,
    tap: Arc<TapSlot>,
    lanes: Arc<Lanes>,
) {
    let mut terminals: HashMap<TerminalKey, mpsc::UnboundedSender<TerminalMsg>> = HashMap::new();
    let mut recovery: Option<Arc<dyn Delegate>> = None;
    while let Some(msg) = rx.recv().await {
        let (terminal, to_terminal) = match msg {
            EngineMsg::Run {
                terminal,
                operation,
                delegate,
            } => (
                terminal.clone(),
                TerminalMsg::Run {
                    terminal,
                    operation,
                    delegate,
                },
            ),
            EngineMsg::ListenAddress { terminal, reply } => (
                terminal.clone(),
                TerminalMsg::ListenAddress(terminal, reply),
            ),
            EngineMsg::SetRecoveryDelegate(delegate) => {
                recovery = delegate;
                continue;
            }
            EngineMsg::ResolvePending {
                terminal,
                key,
                reason,
                reply,
            } => (
                terminal.clone(),
                TerminalMsg::ResolvePending {
                    terminal,
                    key,
                    reason,
                    reply,
                },
            ),
        };
        let key = terminal.key();
        let start = |terminal: Terminal| {
            let (tx, rx) = mpsc::unbounded_channel();
            let lane = lanes.get_or_insert(&terminal.key());
            let task = driver::run(
                terminal,
                rx,
                tx.clone(),
                recovery.clone(),
                tap.clone(),
                lane,
            );
            tokio::spawn(task);
            tx
        };
        let sender = terminals
            .entry(key.clone())
            .or_insert_with(|| start(terminal.clone()));
        if let Err(mpsc::error::SendError(message)) = sender.send(to_terminal) {
            // The terminal's task ended (a bug made it panic; its flows were answered with an
            // error as it went). A fresh task serves this and every later call.
            log::error!(
                "the task of terminal {} had stopped; starting a new one",
                terminal.ip_address
            );
            let fresh = start(terminal);
            let _ = fresh.send(message);
            terminals.insert(key, fresh);
        }
    }
}
