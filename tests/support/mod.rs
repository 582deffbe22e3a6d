//! Shared by the client integration tests: a simulator + engine + terminal on loopback, and a
//! delegate that records every callback so tests can wait on them (condition variable, no sleeps).
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use mapi::client::{
    AdministrationResult, Delegate, Engine, InputAsk, PaymentReceipt, PaymentResult, SdkError,
    Terminal, Timeouts,
};
use mapi::message::TextLine;
use mapi::simulator::{Script, Simulator, SimulatorConfig, SimulatorHandle};
use mapi::{Dialect, SocketMode};

/// Long enough for any loopback flow on a loaded CI machine; only reached when a test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// One callback, as the app saw it.
#[derive(Debug, Clone)]
pub enum Callback {
    Display(Vec<String>),
    CustomerDisplay(Vec<String>),
    MerchantReceipt(Vec<String>),
    CustomerReceipt(Vec<String>),
    EJournal(String),
    JournalReceipt(Vec<String>),
    DccOffer(Vec<String>),
    EReceipt(String),
    ConfigData(Vec<(String, String)>),
    CardUid(String),
    SignatureAsked(Vec<String>),
    IdentificationAsked(Vec<String>),
    PaymentSuccess(PaymentResult),
    PaymentError(PaymentResult),
    AdministrationSuccess(AdministrationResult),
    Error(SdkError),
}

impl Callback {
    /// True for the callbacks that end a flow.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Callback::PaymentSuccess(_)
                | Callback::PaymentError(_)
                | Callback::AdministrationSuccess(_)
                | Callback::Error(_)
        )
    }
}

/// Records callbacks; answers signature questions with `signature_answer`.
#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<Callback>>,
    changed: Condvar,
    pub signature_answer: Option<bool>,
    /// The most final callbacks a test waited for: at the end there must be exactly that many.
    expected_finals: std::sync::atomic::AtomicUsize,
}

thread_local! {
    /// Every recorder of the current test, checked for exactly-once outcomes when its Rig drops.
    static RECORDERS: std::cell::RefCell<Vec<Arc<Recorder>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Recorder {
    pub fn new() -> Arc<Recorder> {
        Recorder::register(Recorder::default())
    }

    /// A recorder that answers signature questions with `answer`.
    pub fn answering_signature(answer: bool) -> Arc<Recorder> {
        Recorder::register(Recorder {
            signature_answer: Some(answer),
            ..Recorder::default()
        })
    }

    fn register(recorder: Recorder) -> Arc<Recorder> {
        let recorder = Arc::new(recorder);
        RECORDERS.with(|all| all.borrow_mut().push(recorder.clone()));
        recorder
    }

    fn push(&self, callback: Callback) {
        self.calls.lock().unwrap().push(callback);
        self.changed.notify_all();
    }

    pub fn calls(&self) -> Vec<Callback> {
        self.calls.lock().unwrap().clone()
    }

    pub fn finals(&self) -> Vec<Callback> {
        self.calls()
            .into_iter()
            .filter(Callback::is_final)
            .collect()
    }

    /// Waits until `count` final callbacks arrived; panics after [`WAIT`].
    pub fn wait_finals(&self, count: usize) -> Vec<Callback> {
        self.expected_finals
            .fetch_max(count, std::sync::atomic::Ordering::SeqCst);
        let guard = self.calls.lock().unwrap();
        let (guard, timeout) = self
            .changed
            .wait_timeout_while(guard, WAIT, |calls| {
                calls.iter().filter(|c| c.is_final()).count() < count
            })
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "expected {count} final callback(s), got {:?}",
            *guard
        );
        guard.iter().filter(|c| c.is_final()).cloned().collect()
    }

    /// Waits for exactly one final callback and returns it.
    pub fn wait_final(&self) -> Callback {
        self.wait_finals(1).remove(0)
    }

    /// All cashier display lines seen, flattened.
    pub fn display_lines(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter_map(|c| match c {
                Callback::Display(lines) => Some(lines),
                _ => None,
            })
            .flatten()
            .collect()
    }
}

fn texts(lines: &[TextLine]) -> Vec<String> {
    lines.iter().map(|l| l.text.clone()).collect()
}

impl Delegate for Recorder {
    fn show_terminal_output_lines(&self, lines: &[TextLine]) {
        self.push(Callback::Display(texts(lines)));
    }
    fn show_on_customer_display(&self, lines: &[TextLine]) {
        self.push(Callback::CustomerDisplay(texts(lines)));
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.push(Callback::MerchantReceipt(receipt.plain_text_lines()));
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.push(Callback::CustomerReceipt(receipt.plain_text_lines()));
    }
    fn store_ejournal(&self, text: &str) {
        self.push(Callback::EJournal(text.to_owned()));
    }
    fn print_journal_receipt(&self, receipt: &PaymentReceipt) {
        self.push(Callback::JournalReceipt(receipt.plain_text_lines()));
    }
    fn print_dcc_offer(&self, receipt: &PaymentReceipt) {
        self.push(Callback::DccOffer(receipt.plain_text_lines()));
    }
    fn e_receipt(&self, content: &str) {
        self.push(Callback::EReceipt(content.to_owned()));
    }
    fn config_data(&self, items: &[mapi::message::ConfigItem]) {
        let pairs = items.iter().map(|i| (i.name.clone(), i.value.clone()));
        self.push(Callback::ConfigData(pairs.collect()));
    }
    fn card_uid(&self, uid: &str) {
        self.push(Callback::CardUid(uid.to_owned()));
    }
    fn ask_customer_signature(&self, ask: InputAsk) {
        self.push(Callback::SignatureAsked(texts(&ask.prompt)));
        ask.confirm(self.signature_answer.unwrap_or(false));
    }
    fn ask_customer_identification(&self, ask: InputAsk) {
        self.push(Callback::IdentificationAsked(texts(&ask.prompt)));
        ask.confirm(self.signature_answer.unwrap_or(false));
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.push(Callback::PaymentSuccess(result.clone()));
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.push(Callback::PaymentError(result.clone()));
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        self.push(Callback::AdministrationSuccess(result.clone()));
    }
    fn on_error(&self, error: &SdkError) {
        self.push(Callback::Error(error.clone()));
    }
}

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
            let recorders = RECORDERS.with(|all| std::mem::take(&mut *all.borrow_mut()));
            for recorder in recorders {
                let expected = recorder
                    .expected_finals
                    .load(std::sync::atomic::Ordering::SeqCst);
                if expected > 0 {
                    let finals = recorder.finals();
                    assert_eq!(
                        finals.len(),
                        expected,
                        "exactly-once outcomes violated: {finals:?}"
                    );
                }
            }
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
