//! The abort lane end to end: while a payment runs, `PaymentService::abort` writes an armed
//! AbortRequest from the caller's thread, so it reaches the terminal even while the engine thread
//! is stuck (here: in an app callback that does not return). Real simulator on loopback; tests
//! synchronise on simulator events, callbacks and channels, never on sleeps.

mod support;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use mapi::client::{Delegate, Payment, PaymentResult, PaymentService, SdkError, TokenService};
use mapi::message::{CardRequestType, Message, OverallResult, RequestId, TextLine};
use mapi::simulator::{RunStep, Script, SimEvent};
use support::recorder::abort_outcomes;
use support::{Callback, Recorder, Rig, SETUPS, WAIT};

fn sale() -> Payment {
    Payment::sale("12.50".parse().unwrap(), "EUR")
}

/// A payment delegate whose first display callback holds the engine thread until released.
struct StallingDelegate {
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<mpsc::Receiver<()>>,
    finals: Arc<Recorder>,
}

impl StallingDelegate {
    fn new() -> (Arc<StallingDelegate>, mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel();
        let delegate = Arc::new(StallingDelegate {
            entered: Mutex::new(Some(entered_tx)),
            release: Mutex::new(release_rx),
            finals: Recorder::new(),
        });
        (delegate, entered_rx, release_tx)
    }
}

impl Delegate for StallingDelegate {
    fn show_terminal_output_lines(&self, _lines: &[TextLine]) {
        let first = self.entered.lock().unwrap().take();
        if let Some(entered) = first {
            entered.send(()).unwrap();
            // Blocks the engine thread, as a slow app callback would.
            let _ = self.release.lock().unwrap().recv_timeout(WAIT);
        }
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.finals.on_payment_success(result)
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.finals.on_payment_error(result)
    }
    fn on_error(&self, error: &SdkError) {
        self.finals.on_error(error)
    }
}

/// RequestIDs of the card requests of `kind` the terminal received, in order.
fn request_ids(rig: &Rig, kind: CardRequestType) -> Vec<RequestId> {
    rig.simulator
        .received_messages()
        .into_iter()
        .filter_map(|m| match m {
            Message::CardServiceRequest(r) if r.request_type == kind => Some(r.request_id),
            _ => None,
        })
        .collect()
}

fn abort_requests(rig: &Rig) -> Vec<RequestId> {
    request_ids(rig, CardRequestType::AbortRequest)
}

fn abort_reached_terminal(event: &SimEvent) -> bool {
    matches!(event, SimEvent::FrameReceived { summary, .. } if summary.contains("RequestType=AbortRequest"))
}

#[test]
fn the_abort_reaches_the_terminal_while_the_engine_thread_is_stuck_in_a_callback() {
    for (dialect, mode) in SETUPS {
        let rig = Rig::new(dialect, mode, Script::abort_window());
        let service = PaymentService::with_engine(&rig.engine);
        let (payment, entered, release) = StallingDelegate::new();
        service.payment(&rig.terminal, sale(), payment.clone());
        entered
            .recv_timeout(WAIT)
            .expect("the terminal shows a message during the payment");

        // The engine thread is inside the app's callback now and cannot send anything.
        let abort = Recorder::new();
        service.abort(&rig.terminal, abort.clone());
        let arrived = rig.simulator.wait_for(abort_reached_terminal, WAIT);
        assert!(
            arrived.is_some(),
            "{dialect:?}/{mode:?}: the AbortRequest must leave without the engine thread"
        );
        assert!(!abort.has_final(), "outcomes still come from the engine");

        release.send(()).unwrap();
        match abort.wait_final() {
            Callback::AdministrationSuccess(result) => {
                assert_eq!(result.result, OverallResult::Success)
            }
            other => panic!("{dialect:?}/{mode:?}: abort should succeed, got {other:?}"),
        }
        match payment.finals.wait_final() {
            Callback::PaymentError(result) => assert_eq!(result.result, OverallResult::Aborted),
            other => panic!("{dialect:?}/{mode:?}: payment should end aborted, got {other:?}"),
        }
        assert_eq!(abort_requests(&rig).len(), 1, "{dialect:?}/{mode:?}");
    }
}

#[test]
fn aborts_hammered_from_many_threads_send_one_abort_request_and_answer_each_once() {
    let rig = Rig::new(SETUPS[0].0, SETUPS[0].1, Script::abort_window());
    let service = PaymentService::with_engine(&rig.engine);
    let payment = Recorder::new();
    rig.pay_until_card_is_awaited(&service, &payment);
    let aborts = Recorder::new();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    service.abort(&rig.terminal, aborts.clone());
                }
            });
        }
    });
    let finals = aborts.wait_finals(200);
    payment.wait_final();
    assert_eq!(abort_outcomes(&finals), (1, 199));
    assert_eq!(abort_requests(&rig).len(), 1, "exactly one AbortRequest");
    rig.settle();
    assert_eq!(aborts.finals().len(), 200, "no late or doubled callback");
}

#[test]
fn after_a_refused_abort_the_next_one_leaves_with_a_fresh_request_id() {
    let rig = Rig::new(SETUPS[1].0, SETUPS[1].1, Script::too_late());
    let service = TokenService::with_engine(&rig.engine);
    let payment = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale(), payment.clone());
    rig.wait_step(RunStep::AwaitingCompletion);
    let refused =
        |c: Callback| matches!(c, Callback::Error(e) if e.result == Some(OverallResult::Failure));
    let first = Recorder::new();
    service.abort(true, &rig.terminal, first.clone());
    assert!(refused(first.wait_final()), "too late: refused");
    let second = Recorder::new();
    service.abort(false, &rig.terminal, second.clone());
    assert!(refused(second.wait_final()), "too late again");
    let ids = abort_requests(&rig);
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    rig.simulator.release(mapi::simulator::Stage::Completion);
    assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
}

#[test]
fn arming_an_abort_that_is_never_sent_uses_up_no_request_id() {
    let rig = Rig::new(SETUPS[0].0, SETUPS[0].1, Script::success());
    let service = PaymentService::with_engine(&rig.engine);
    for _ in 0..2 {
        let payment = Recorder::new();
        service.payment(&rig.terminal, sale(), payment.clone());
        assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
        rig.settle();
    }
    let ids: Vec<u64> = request_ids(&rig, CardRequestType::CardPayment)
        .iter()
        .filter_map(|id| id.as_str().parse().ok())
        .collect();
    assert_eq!(ids.len(), 2);
    // settle() sent one status request in between, so the second payment is two ids on.
    assert_eq!(ids[1], ids[0] + 2, "ids: {ids:?}");
}

#[test]
fn an_abort_on_a_new_connection_takes_the_armed_abort_s_request_id() {
    let rig = Rig::new(SETUPS[0].0, SETUPS[0].1, Script::abort_window());
    let service = PaymentService::with_engine(&rig.engine);
    let payment = Recorder::new();
    rig.pay_until_card_is_awaited(&service, &payment);
    let abort = Recorder::new();
    service.abort_on_new_connection(&rig.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(matches!(payment.wait_final(), Callback::PaymentError(_)));
    let payment_id: u64 = request_ids(&rig, CardRequestType::CardPayment)[0]
        .as_str()
        .parse()
        .unwrap();
    // The lane had armed payment_id + 1; withdrawn before this abort, the id went to it.
    assert_eq!(
        abort_requests(&rig),
        [RequestId::from(payment_id + 1)],
        "one AbortRequest, no RequestID skipped"
    );
}

/// A payment delegate that answers its error with an abort, from inside the callback.
struct AbortOnError {
    engine: mapi::client::Engine,
    terminal: mapi::client::Terminal,
    abort: Arc<Recorder>,
    finals: Arc<Recorder>,
}

impl Delegate for AbortOnError {
    fn on_error(&self, error: &SdkError) {
        self.finals.on_error(error);
        PaymentService::with_engine(&self.engine).abort(&self.terminal, self.abort.clone());
    }
}

#[test]
fn an_abort_asked_when_a_dead_task_reports_its_payment_is_answered_by_the_engine() {
    // The task dies (a bug, here an injected panic) while its lane holds an armed abort. It tells
    // the payment's delegate, which aborts at once: the abort must not leave through the dead
    // task's lane (nobody would record it) but reach the engine, which has nothing running.
    let rig = Rig::new(
        mapi::Dialect::OpiNl,
        mapi::SocketMode::DualSocket,
        Script::abort_window(),
    );
    let abort = Recorder::new();
    let finals = Recorder::new();
    let payment = Arc::new(AbortOnError {
        engine: rig.engine.clone(),
        terminal: rig.terminal.clone(),
        abort: abort.clone(),
        finals: finals.clone(),
    });
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, sale(), payment);
    rig.wait_step(RunStep::AwaitingCard);
    rig.engine.run(
        &rig.terminal,
        mapi::client::Operation::InjectPanic,
        Recorder::new(),
    );
    assert!(matches!(finals.wait_final(), Callback::Error(_)));
    match abort.wait_final() {
        Callback::Error(error) => assert_eq!(
            error.mapi_error,
            Some(mapi::MapiError::NotAFlowHappening),
            "{error:?}"
        ),
        other => panic!("{other:?}"),
    }
    let aborts_sent = rig
        .simulator
        .received_messages()
        .iter()
        .filter(|m| m.request_type() == "AbortRequest")
        .count();
    assert_eq!(aborts_sent, 0, "nothing left through the dead task's lane");
}
