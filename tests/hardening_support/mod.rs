//! Shared by the hardening tests (tests/hardening_*.rs): a POS rig whose terminal is reached
//! through a fault-injection proxy, a recording delegate, a capturing logger, and helpers to read
//! the in-flight journal and the simulator's account of what it decided.
#![allow(dead_code)]

pub mod logger;
pub mod proxy;
// One recording delegate for every loopback test (the client tests' one).
#[path = "../support/recorder.rs"]
pub mod recorder;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mapi::client::{Engine, Payment, Terminal, TerminalService, Timeouts};
use mapi::message::{OverallResult, RequestId};
use mapi::simulator::{Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle};
use mapi::{Dialect, SocketMode};

use proxy::{Fault, FaultProxy};
use recorder::{Recorder, WAIT};

/// Timeouts short enough that a fault which silences the terminal costs seconds, long enough that
/// a loaded 2-core machine never hits them on a healthy flow.
pub fn test_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(3),
        abort: Duration::from_secs(2),
        request: Duration::from_secs(3),
        device_connection_idle: Duration::from_secs(5),
        recovery_retry: Duration::from_millis(50),
        delivery_box_answer: Duration::from_secs(5),
    }
}

/// A fresh, empty state directory.
pub fn state_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mapi-hardening-{name}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The in-flight journal entry in `dir`, if one is there (panics on an unreadable one).
pub fn journal_in(dir: &Path) -> Option<serde_json::Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("inflight-") && name.ends_with(".json")
        })
        .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
}

/// A 12.50 EUR sale.
pub fn sale() -> Payment {
    Payment::sale("12.50".parse().unwrap(), "EUR")
}

/// What the simulated terminal decided for `request_id`, if it ran that payment to its end.
pub fn decided(simulator: &SimulatorHandle, request_id: &RequestId) -> Option<OverallResult> {
    simulator
        .event_log()
        .into_iter()
        .find_map(|event| match event {
            SimEvent::PaymentFinished {
                request_id: id,
                result,
                ..
            } if &id == request_id => Some(result),
            _ => None,
        })
}

/// Simulator → proxy → engine, with a state directory.
pub struct Pos {
    pub simulator: SimulatorHandle,
    pub proxy: FaultProxy,
    pub engine: Engine,
    pub terminal: Terminal,
    pub state_dir: PathBuf,
}

impl Pos {
    pub fn new(
        name: &str,
        dialect: Dialect,
        mode: SocketMode,
        script: Script,
        faults: Vec<Fault>,
    ) -> Pos {
        let mut config = SimulatorConfig::new(dialect, mode);
        config.script = script;
        let simulator = Simulator::spawn(config).expect("simulator starts");
        let proxy = FaultProxy::start(simulator.address(), faults);
        let engine = Engine::new().expect("engine starts");
        let state_dir = state_dir(name);
        let terminal = Terminal::new("127.0.0.1", dialect)
            .with_port(proxy.address().port())
            .with_compatibility_port(0)
            .with_listen_ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
            .with_socket_mode(mode)
            .with_timeouts(test_timeouts())
            .with_state_dir(&state_dir);
        if mode == SocketMode::DualSocket {
            let listen = engine
                .listen_address(&terminal, WAIT)
                .expect("channel-1 listener")
                .expect("dual socket listens");
            simulator.set_pos_address(listen);
        }
        Pos {
            simulator,
            proxy,
            engine,
            terminal,
            state_dir,
        }
    }

    /// The in-flight journal entry, if any.
    pub fn journal(&self) -> Option<serde_json::Value> {
        journal_in(&self.state_dir)
    }

    /// Returns once the terminal's task finished what it did after the last callback (the journal
    /// is cleared right after a callback returns): a status request queues behind it.
    pub fn settle(&self) {
        let status = Recorder::new();
        TerminalService::with_engine(&self.engine).status(&self.terminal, status.clone());
        status.wait_final();
    }
}

impl Drop for Pos {
    fn drop(&mut self) {
        self.simulator.shutdown();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}
