//! CCV's unattended DeliveryBox step: mid-payment the terminal asks whether the goods were
//! delivered; the app answers through `on_deliver_goods_or_services`, and an app that does not
//! answer in time gets "not delivered" answered for it before the terminal gives up. Real
//! simulator on loopback, both socket modes.

mod support;

use std::sync::{mpsc, Arc, Mutex};

use mapi::client::{
    Delegate, InputAsk, Payment, PaymentResult, PaymentService, SdkError, Timeouts,
};
use mapi::message::{DeviceTarget, Message, OverallResult};
use mapi::simulator::Script;
use mapi::{Dialect, SocketMode};
use support::{Callback, Recorder, Rig, WAIT};

/// Answers the DeliveryBox with `answer` (`None`: keeps the question and never answers).
struct Vending {
    answer: Option<bool>,
    kept: Mutex<Vec<InputAsk>>,
    asked: Mutex<Vec<String>>,
    outcome: Mutex<Option<mpsc::Sender<Result<PaymentResult, SdkError>>>>,
}

impl Vending {
    fn new(
        answer: Option<bool>,
    ) -> (
        Arc<Vending>,
        mpsc::Receiver<Result<PaymentResult, SdkError>>,
    ) {
        let (tx, rx) = mpsc::channel();
        let vending = Arc::new(Vending {
            answer,
            kept: Mutex::new(Vec::new()),
            asked: Mutex::new(Vec::new()),
            outcome: Mutex::new(Some(tx)),
        });
        (vending, rx)
    }

    fn end(&self, outcome: Result<PaymentResult, SdkError>) {
        let sender = self.outcome.lock().unwrap().take();
        sender.expect("exactly one outcome").send(outcome).unwrap();
    }
}

impl Delegate for Vending {
    fn on_deliver_goods_or_services(&self, ask: InputAsk) {
        self.asked.lock().unwrap().push(ask.command.clone());
        match self.answer {
            Some(delivered) => ask.confirm(delivered),
            None => self.kept.lock().unwrap().push(ask),
        }
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.end(Ok(result.clone()));
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.end(Ok(result.clone()));
    }
    fn on_error(&self, error: &SdkError) {
        self.end(Err(error.clone()));
    }
}

fn timeouts() -> Timeouts {
    Timeouts {
        delivery_box_answer: std::time::Duration::from_millis(300),
        ..Timeouts::for_dialect(Dialect::OpiNl)
    }
}

fn delivery_box_answers(rig: &Rig) -> Vec<OverallResult> {
    rig.simulator
        .received_messages()
        .into_iter()
        .filter_map(|m| match m {
            Message::DeviceResponse(r)
                if r.outputs
                    .iter()
                    .any(|o| o.target == DeviceTarget::DeliveryBox) =>
            {
                Some(r.overall_result)
            }
            _ => None,
        })
        .collect()
}

fn pay(
    answer: Option<bool>,
    mode: SocketMode,
) -> (Result<PaymentResult, SdkError>, Arc<Vending>, Rig) {
    let script = Script {
        delivery_box: true,
        ..Script::default()
    };
    let rig = Rig::with_timeouts(Dialect::OpiNl, mode, script, timeouts());
    let (vending, outcome) = Vending::new(answer);
    PaymentService::with_engine(&rig.engine).payment(
        &rig.terminal,
        Payment::sale("2.50".parse().unwrap(), "EUR"),
        vending.clone(),
    );
    let result = outcome.recv_timeout(WAIT).expect("the payment ended");
    (result, vending, rig)
}

#[test]
fn delivered_goods_let_the_payment_be_approved() {
    for mode in [SocketMode::DualSocket, SocketMode::SingleSocket] {
        let (outcome, vending, rig) = pay(Some(true), mode);
        let result = outcome.expect("a terminal answer");
        assert_eq!(result.result, OverallResult::Success, "{mode:?}");
        assert_eq!(*vending.asked.lock().unwrap(), ["DeliveryBox"]);
        assert_eq!(delivery_box_answers(&rig), [OverallResult::Success]);
    }
}

#[test]
fn goods_not_delivered_end_the_payment_without_charging() {
    for mode in [SocketMode::DualSocket, SocketMode::SingleSocket] {
        let (outcome, _, rig) = pay(Some(false), mode);
        let result = outcome.expect("a terminal answer");
        assert_eq!(result.result, OverallResult::Aborted, "{mode:?}");
        assert_eq!(delivery_box_answers(&rig), [OverallResult::Failure]);
    }
}

#[test]
fn an_app_that_never_answers_gets_not_delivered_answered_in_time() {
    let (outcome, vending, rig) = pay(None, SocketMode::DualSocket);
    let result = outcome.expect("a terminal answer");
    assert_eq!(result.result, OverallResult::Aborted);
    assert_eq!(
        vending.kept.lock().unwrap().len(),
        1,
        "the app still holds the question"
    );
    assert_eq!(delivery_box_answers(&rig), [OverallResult::Failure]);
    // The app's late answer finds no question: nothing more goes to the terminal.
    if let Some(late) = vending.kept.lock().unwrap().pop() {
        late.confirm(true);
    }
    rig.settle();
    assert_eq!(delivery_box_answers(&rig), [OverallResult::Failure]);
}

#[test]
fn an_app_without_the_callback_answers_not_delivered() {
    let script = Script {
        delivery_box: true,
        ..Script::default()
    };
    let rig = Rig::with_timeouts(Dialect::OpiNl, SocketMode::DualSocket, script, timeouts());
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(
        &rig.terminal,
        Payment::sale("2.50".parse().unwrap(), "EUR"),
        payment.clone(),
    );
    match payment.wait_final() {
        Callback::PaymentError(result) => assert_eq!(result.result, OverallResult::Aborted),
        other => panic!("{other:?}"),
    }
    assert_eq!(delivery_box_answers(&rig), [OverallResult::Failure]);
}
