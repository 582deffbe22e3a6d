//! A delegate that records every callback (and its `Debug` form) and lets a test wait for final
//! ones without sleeping.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use mapi::client::{
    AdministrationResult, Delegate, InputAsk, PaymentReceipt, PaymentResult, SdkError,
};
use mapi::message::TextLine;

/// Only reached when a test fails: every flow under test ends far sooner.
pub const WAIT: Duration = Duration::from_secs(30);

/// One callback as the app saw it.
#[derive(Debug, Clone)]
pub enum Callback {
    Display(Vec<String>),
    CustomerDisplay(Vec<String>),
    MerchantReceipt(Vec<String>),
    CustomerReceipt(Vec<String>),
    EJournal(String),
    Asked(Vec<String>),
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

/// Records callbacks; answers cashier questions with yes.
#[derive(Default)]
pub struct Recorder {
    calls: Mutex<Vec<Callback>>,
    /// `Debug` of every argument the app received, for card-data checks.
    debug: Mutex<Vec<String>>,
    changed: Condvar,
}

impl Recorder {
    pub fn new() -> Arc<Recorder> {
        Arc::new(Recorder::default())
    }

    fn push(&self, callback: Callback, debug: String) {
        self.debug.lock().unwrap().push(debug);
        self.calls.lock().unwrap().push(callback);
        self.changed.notify_all();
    }

    pub fn calls(&self) -> Vec<Callback> {
        self.calls.lock().unwrap().clone()
    }

    pub fn debug_lines(&self) -> Vec<String> {
        self.debug.lock().unwrap().clone()
    }

    pub fn finals(&self) -> Vec<Callback> {
        self.calls()
            .into_iter()
            .filter(Callback::is_final)
            .collect()
    }

    /// Waits until `count` final callbacks came; panics after [`WAIT`].
    pub fn wait_finals(&self, count: usize) -> Vec<Callback> {
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

    /// Waits for the first final callback.
    pub fn wait_final(&self) -> Callback {
        self.wait_finals(1).remove(0)
    }

    /// True when a final callback came (no waiting).
    pub fn has_final(&self) -> bool {
        self.calls().iter().any(Callback::is_final)
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
        self.push(
            Callback::CustomerDisplay(texts(lines)),
            format!("{lines:?}"),
        );
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.push(
            Callback::MerchantReceipt(receipt.plain_text_lines()),
            format!("{receipt:?}"),
        );
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.push(
            Callback::CustomerReceipt(receipt.plain_text_lines()),
            format!("{receipt:?}"),
        );
    }
    fn store_ejournal(&self, text: &str) {
        self.push(Callback::EJournal(text.to_owned()), format!("{text:?}"));
    }
    fn ask_customer_signature(&self, ask: InputAsk) {
        let debug = format!("{ask:?}");
        self.push(Callback::Asked(texts(&ask.prompt)), debug);
        ask.confirm(true);
    }
    fn ask_customer_identification(&self, ask: InputAsk) {
        let debug = format!("{ask:?}");
        self.push(Callback::Asked(texts(&ask.prompt)), debug);
        ask.confirm(true);
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
        self.push(
            Callback::AdministrationSuccess(result.clone()),
            format!("{result:?}"),
        );
    }
    fn on_error(&self, error: &SdkError) {
        self.push(
            Callback::Error(error.clone()),
            format!("{error:?} / {error}"),
        );
    }
}
