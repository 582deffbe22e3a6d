//! The recording delegate every loopback test uses: it records each callback (and its `Debug`
//! form, for card-data checks), lets a test wait for final callbacks without sleeping, and checks
//! exactly-once outcomes for every recorder a test created ([`check_exactly_once`]).
#![allow(dead_code)]

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use mapi::client::{
    AdministrationResult, Delegate, InputAsk, PaymentReceipt, PaymentResult, SdkError,
};
use mapi::message::TextLine;

/// Long enough for any loopback flow on a loaded CI machine, faults included; only reached when a
/// test fails.
pub const WAIT: Duration = Duration::from_secs(30);

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
    /// `Debug` of every argument the app received, for card-data checks.
    debug: Mutex<Vec<String>>,
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

    fn push(&self, callback: Callback, debug: String) {
        self.debug.lock().unwrap().push(debug);
        self.calls.lock().unwrap().push(callback);
        self.changed.notify_all();
    }

    /// `Debug` of every argument the app received, in order.
    pub fn debug_lines(&self) -> Vec<String> {
        self.debug.lock().unwrap().clone()
    }

    /// True when a final callback came (no waiting).
    pub fn has_final(&self) -> bool {
        self.calls().iter().any(Callback::is_final)
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
        self.push(Callback::Display(texts(lines)), format!("{lines:?}"));
    }
    fn show_on_customer_display(&self, lines: &[TextLine]) {
        let debug = format!("{lines:?}");
        self.push(Callback::CustomerDisplay(texts(lines)), debug);
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        let debug = format!("{receipt:?}");
        self.push(Callback::MerchantReceipt(receipt.plain_text_lines()), debug);
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        let debug = format!("{receipt:?}");
        self.push(Callback::CustomerReceipt(receipt.plain_text_lines()), debug);
    }
    fn store_ejournal(&self, text: &str) {
        self.push(Callback::EJournal(text.to_owned()), format!("{text:?}"));
    }
    fn print_journal_receipt(&self, receipt: &PaymentReceipt) {
        let debug = format!("{receipt:?}");
        self.push(Callback::JournalReceipt(receipt.plain_text_lines()), debug);
    }
    fn print_dcc_offer(&self, receipt: &PaymentReceipt) {
        let debug = format!("{receipt:?}");
        self.push(Callback::DccOffer(receipt.plain_text_lines()), debug);
    }
    fn e_receipt(&self, content: &str) {
        self.push(
            Callback::EReceipt(content.to_owned()),
            format!("{content:?}"),
        );
    }
    fn config_data(&self, items: &[mapi::message::ConfigItem]) {
        let pairs = items.iter().map(|i| (i.name.clone(), i.value.clone()));
        self.push(Callback::ConfigData(pairs.collect()), format!("{items:?}"));
    }
    fn card_uid(&self, uid: &str) {
        self.push(Callback::CardUid(uid.to_owned()), format!("{uid:?}"));
    }
    fn ask_customer_signature(&self, ask: InputAsk) {
        let debug = format!("{ask:?}");
        self.push(Callback::SignatureAsked(texts(&ask.prompt)), debug);
        ask.confirm(self.signature_answer.unwrap_or(false));
    }
    fn ask_customer_identification(&self, ask: InputAsk) {
        let debug = format!("{ask:?}");
        self.push(Callback::IdentificationAsked(texts(&ask.prompt)), debug);
        ask.confirm(self.signature_answer.unwrap_or(false));
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.push(
            Callback::PaymentSuccess(result.clone()),
            format!("{result:?}"),
        );
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.push(
            Callback::PaymentError(result.clone()),
            format!("{result:?}"),
        );
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        let debug = format!("{result:?}");
        self.push(Callback::AdministrationSuccess(result.clone()), debug);
    }
    fn on_error(&self, error: &SdkError) {
        let debug = format!("{error:?} / {error}");
        self.push(Callback::Error(error.clone()), debug);
    }
}

/// Every recorder this thread's test created must have received exactly as many final callbacks
/// as the test waited for. Call once the engine has settled (the rigs do it when they drop).
pub fn check_exactly_once() {
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

/// How a batch of abort calls ended: (accepted by the terminal, refused locally because another
/// abort ran or nothing was left to abort).
pub fn abort_outcomes(finals: &[Callback]) -> (usize, usize) {
    let accepted = finals
        .iter()
        .filter(|c| matches!(c, Callback::AdministrationSuccess(_)))
        .count();
    let refused_locally = finals
        .iter()
        .filter(|c| {
            matches!(c, Callback::Error(e) if matches!(e.mapi_error,
                Some(mapi::MapiError::SecondaryFlowAlreadyHappening | mapi::MapiError::NotAFlowHappening)))
        })
        .count();
    (accepted, refused_locally)
}
