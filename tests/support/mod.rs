//! Shared by the client integration tests: a simulator + engine + terminal on loopback, and the
//! recording delegate ([`recorder`]) that lets tests wait on callbacks without sleeping.
#![allow(dead_code)]

pub mod recorder;

use std::net::{IpAddr, Ipv4Addr};

use mapi::client::{Engine, Payment, PaymentService, Terminal, Timeouts};
use mapi::simulator::{Script, Simulator, SimulatorConfig, SimulatorHandle};
use mapi::{Dialect, SocketMode};

pub use recorder::{check_exactly_once, Callback, Recorder, WAIT};

/// A simulator, an engine of our own and a terminal pointing at the simulator.
pub struct Rig {
    pub simulator: SimulatorHandle,
    pub engine: Engine,
    pub terminal: Terminal,
}

impl Rig {
    pub fn new(dialect: Dialect, socket_mode: SocketMode, script: Script) -> Rig {
        Rig::with_timeouts(dialect, socket_mode, script, Timeouts::for_dialect(dialect))
    }

    pub fn with_timeouts(
        dialect: Dialect,
        socket_mode: SocketMode,
        script: Script,
        timeouts: Timeouts,
    ) -> Rig {
        Rig::build(dialect, socket_mode, script, timeouts, None)
    }

    pub fn with_state(
        dialect: Dialect,
        socket_mode: SocketMode,
        script: Script,
        dir: &std::path::Path,
    ) -> Rig {
        Rig::build(
            dialect,
            socket_mode,
            script,
            Timeouts::for_dialect(dialect),
            Some(dir),
        )
    }

    fn build(
        dialect: Dialect,
        socket_mode: SocketMode,
        script: Script,
        timeouts: Timeouts,
        state_dir: Option<&std::path::Path>,
    ) -> Rig {
        let mut config = SimulatorConfig::new(dialect, socket_mode);
        config.script = script;
        let simulator = Simulator::spawn(config).expect("simulator starts");
        let engine = Engine::new().expect("engine starts");
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let terminal = Terminal::new("127.0.0.1", dialect)
            .with_port(simulator.address().port())
            .with_compatibility_port(0)
            .with_listen_ip(loopback)
            .with_socket_mode(socket_mode)
            .with_timeouts(timeouts);
        let terminal = match state_dir {
            Some(dir) => terminal.with_state_dir(dir),
            None => terminal,
        };
        if socket_mode == SocketMode::DualSocket {
            let listen = engine
                .listen_address(&terminal, WAIT)
                .expect("channel-1 listener")
                .expect("dual socket listens");
            simulator.set_pos_address(listen);
        }
        Rig {
            simulator,
            engine,
            terminal,
        }
    }
}

impl Rig {
    /// Waits until the simulator's payment run reached `wanted` (the log is searched from its
    /// start, so use it once per run and step).
    pub fn wait_step(&self, wanted: mapi::simulator::RunStep) {
        self.simulator
            .wait_for(
                |e| matches!(e, mapi::simulator::SimEvent::StageReached { step, .. } if *step == wanted),
                WAIT,
            )
            .unwrap_or_else(|| panic!("simulator never reached {wanted:?}"));
    }

    /// Starts a 12.50 EUR sale and returns once the terminal waits for the card: an abort now is
    /// accepted (with `Script::abort_window`).
    pub fn pay_until_card_is_awaited(
        &self,
        service: &PaymentService,
        payment: &std::sync::Arc<Recorder>,
    ) {
        let sale = Payment::sale("12.50".parse().expect("amount"), "EUR");
        service.payment(&self.terminal, sale, payment.clone());
        self.wait_step(mapi::simulator::RunStep::AwaitingCard);
    }

    /// Waits until the terminal's task has finished everything it did after the last callback
    /// (journal clearing happens right after a callback returns): a status request on the same
    /// task is answered only after that.
    pub fn settle(&self) {
        let status = Recorder::new();
        mapi::client::TerminalService::with_engine(&self.engine)
            .status(&self.terminal, status.clone());
        status.wait_final();
    }
}

impl Drop for Rig {
    /// Every callback a test waited for must have come exactly as often as waited for: after the
    /// engine settled, no recorder may hold a second (or a missing) final callback.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.settle();
            check_exactly_once();
        }
        self.simulator.shutdown();
    }
}

/// A fresh, empty directory for one test's state.
pub fn state_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mapi-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Both dialects with their usual socket modes, and the two unusual combinations.
pub const SETUPS: [(Dialect, SocketMode); 4] = [
    (Dialect::OpiNl, SocketMode::DualSocket),
    (Dialect::OpiDe, SocketMode::SingleSocket),
    (Dialect::OpiNl, SocketMode::SingleSocket),
    (Dialect::OpiDe, SocketMode::DualSocket),
];
