//! A simulated CCV terminal speaking OPI over real TCP, for tests, demos and app developers
//! without a terminal on their desk.
//!
//! It listens for channel-0 requests (several connections at once, so an abort can come on a new
//! one), sends device requests to the POS (dual socket: to the POS's channel-1 listener; single
//! socket: on the request's own connection), and follows a [`Script`] that decides how long the
//! cardholder takes, what the host answers and which fault the POS must survive. It records every
//! frame it receives and reports [`SimEvent`]s, so tests assert on the wire and synchronise on
//! events instead of sleeping.
//!
//! ```no_run
//! use mapi::simulator::{Simulator, SimulatorConfig, Script, Stage};
//! use mapi::{Dialect, SocketMode};
//!
//! let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
//! config.script = Script::hold();
//! let terminal = Simulator::spawn(config)?;
//! // … point the POS at terminal.address(), then:
//! terminal.release(Stage::CardPresented);
//! # Ok::<(), std::io::Error>(())
//! ```

mod connection;
mod device;
mod dispatch;
mod events;
mod gates;
mod receipt;
pub mod replay;
mod responses;
mod run;
mod script;
mod services;
mod strict;
mod terminal;
mod waiters;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::dialect::{Dialect, SocketMode};
use crate::message::Message;

pub use events::{Channel, ConnectionId, ReceivedFrame, RunStep, SimEvent};
pub use script::{
    Fault, FaultPoint, GarbageKind, Gate, MifareCard, OnDisconnect, RecoveryAnswer, Script, Stage,
};

use terminal::Shared;

/// How to start a simulated terminal.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The dialect it speaks (receipt texts; ports are chosen by `listen`).
    pub dialect: Dialect,
    /// Where its device requests go.
    pub socket_mode: SocketMode,
    /// Channel-0 address to listen on; port 0 picks a free port (read it back with `address()`).
    pub listen: SocketAddr,
    /// The POS's channel-1 listener (dual socket); may also be set after start, because a POS
    /// under test usually picks its port only then.
    pub pos_address: Option<SocketAddr>,
    /// TerminalID in responses and device requests.
    pub terminal_id: String,
    /// The initial script.
    pub script: Script,
}

impl SimulatorConfig {
    /// A terminal on a free loopback port with the default (happy-flow) script.
    pub fn new(dialect: Dialect, socket_mode: SocketMode) -> Self {
        SimulatorConfig {
            dialect,
            socket_mode,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            pos_address: None,
            terminal_id: match dialect {
                Dialect::OpiNl => "29000001".to_owned(),
                Dialect::OpiDe => "68000001".to_owned(),
            },
            script: Script::default(),
        }
    }
}

/// Starts simulated terminals.
pub struct Simulator;

impl Simulator {
    /// Starts the terminal inside the caller's tokio runtime; its tasks end at
    /// [`SimulatorHandle::shutdown`] (or when the last handle is dropped).
    pub async fn start(config: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
        let listener = TcpListener::bind(config.listen).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config, address));
        log::info!(
            "simulator: OPI-{} terminal listening on {address} ({:?})",
            shared.dialect.name().to_ascii_uppercase(),
            shared.socket_mode
        );
        shared.event(SimEvent::Listening { address });
        shared.spawn(connection::accept_loop(Arc::clone(&shared), listener));
        Ok(SimulatorHandle {
            _guard: Arc::new(ShutdownOnDrop(Arc::clone(&shared))),
            shared,
        })
    }

    /// Starts the terminal on its own thread with its own current-thread runtime, for callers
    /// without a runtime (sync tests, the JVM tests, the example binary).
    pub fn spawn(config: SimulatorConfig) -> std::io::Result<SimulatorHandle> {
        let (started, outcome) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("ccv-terminal-simulator".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = started.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let handle = match Simulator::start(config).await {
                        Ok(handle) => handle,
                        Err(error) => {
                            let _ = started.send(Err(error));
                            return;
                        }
                    };
                    // The thread keeps only the shared state, not a handle: dropping the caller's
                    // last handle must still shut the terminal down.
                    let shared = Arc::clone(&handle.shared);
                    if started.send(Ok(handle)).is_err() {
                        shared.shutdown();
                    }
                    shared.until_shutdown(std::future::pending::<()>()).await;
                });
            })?;
        outcome.recv().unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "the simulator thread ended before it started listening",
            ))
        })
    }
}

struct ShutdownOnDrop(Arc<Shared>);

impl Drop for ShutdownOnDrop {
    fn drop(&mut self) {
        self.0.shutdown();
    }
}

/// Controls and observes a running simulated terminal. Cheap to clone; every method is a plain
/// (non-async) call usable from any thread. The terminal shuts down when the last clone is dropped.
#[derive(Clone)]
pub struct SimulatorHandle {
    shared: Arc<Shared>,
    /// Shuts the terminal down when the last clone of the handle goes.
    _guard: Arc<ShutdownOnDrop>,
}

impl std::fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorHandle")
            .field("address", &self.shared.address)
            .field("dialect", &self.shared.dialect)
            .field("socket_mode", &self.shared.socket_mode)
            .finish()
    }
}

impl SimulatorHandle {
    /// The channel-0 address the POS must connect to.
    pub fn address(&self) -> SocketAddr {
        self.shared.address
    }

    /// Where dual-socket device requests go; set it once the POS's channel-1 listener is bound.
    pub fn set_pos_address(&self, address: SocketAddr) {
        self.shared.set_pos_address(Some(address));
    }

    /// Replaces the script; the running payment keeps the script it started with.
    pub fn set_script(&self, script: Script) {
        self.shared.set_script(script);
    }

    /// The script the next run will use.
    pub fn script(&self) -> Script {
        self.shared.script()
    }

    /// Opens a gate once, for the run waiting there or the next one arriving there during the
    /// same run (releases left unused are discarded when the run ends).
    pub fn release(&self, stage: Stage) {
        self.shared.release(stage);
    }

    /// Every frame received so far, on every channel, oldest first.
    pub fn received(&self) -> Vec<ReceivedFrame> {
        self.shared.recorder.frames()
    }

    /// The received frames that parsed, oldest first.
    pub fn received_messages(&self) -> Vec<Message> {
        self.received()
            .into_iter()
            .filter_map(|frame| frame.message.ok())
            .collect()
    }

    /// Forgets the recorded frames, so a test can look at one phase of a scenario.
    pub fn clear_received(&self) {
        self.shared.recorder.clear_frames();
    }

    /// The response a RepeatLastMessage would repeat now (the last payment or period closing).
    pub fn last_response(&self) -> Option<Message> {
        self.shared.last_response()
    }

    /// Events from now on, for async callers.
    pub fn events(&self) -> broadcast::Receiver<SimEvent> {
        self.shared.recorder.subscribe()
    }

    /// Every event so far (the most recent 10 000), oldest first.
    pub fn event_log(&self) -> Vec<SimEvent> {
        self.shared.recorder.events()
    }

    /// Blocks until an event matching `matches` has happened (searching from the start of the log,
    /// so an event that came before the call counts), or `None` after `timeout`. Make the
    /// predicate specific (a RequestID) when a scenario repeats an event. Do not call it on a
    /// current-thread runtime that runs this simulator: it would block the simulator itself.
    pub fn wait_for(
        &self,
        matches: impl FnMut(&SimEvent) -> bool,
        timeout: Duration,
    ) -> Option<SimEvent> {
        self.shared.recorder.wait_for(matches, timeout)
    }

    /// Stops the listener and every task; open connections are closed.
    pub fn shutdown(&self) {
        self.shared.shutdown();
    }

    /// Whether [`shutdown`](Self::shutdown) happened.
    pub fn is_shut_down(&self) -> bool {
        self.shared.is_shut_down()
    }

    /// The dialect this terminal speaks.
    pub fn dialect(&self) -> Dialect {
        self.shared.dialect
    }

    /// How this terminal sends device requests.
    pub fn socket_mode(&self) -> SocketMode {
        self.shared.socket_mode
    }

    /// The TerminalID it reports.
    pub fn terminal_id(&self) -> &str {
        &self.shared.terminal_id
    }
}
