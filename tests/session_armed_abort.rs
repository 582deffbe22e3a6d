//! The armed abort in the sans-IO session: prepared while a request runs, fired by the client from
//! another thread, recorded afterwards. Virtual time, no sockets, no sleeps.

use std::time::Duration;

use mapi::message::abort::AbortVia;
use mapi::message::abort::{is_silent, AbortDisplay};
use mapi::message::{CardRequestType, Message, OverallResult, RequestId};
use mapi::session::{ArmedAbort, ConnId, FiredAbort};
use mapi::{Dialect, MapiError};

#[path = "support/session_harness.rs"]
mod session_harness;
use session_harness::{card_response, Harness};

fn arm(h: &mut Harness, id: u64) -> ArmedAbort {
    let armed = h
        .session
        .arm_abort(id.into(), Some("2026-11-27T12:00:00".to_owned()))
        .expect("a running payment can have an abort armed");
    h.drain();
    armed
}

/// What the client does after writing the frame: tell the session, and note the frame as sent.
fn fire(h: &mut Harness, armed: &ArmedAbort, display: AbortDisplay) -> FiredAbort {
    let fired = h
        .session
        .armed_abort_fired(armed.generation, display, h.now)
        .expect("the session knows the arming");
    let message = Message::parse(&fired.frame[4..]).expect("an armed abort is valid OPI");
    h.sent.push((fired.conn, message));
    h.drain();
    fired
}

fn running_payment(h: &mut Harness, id: u64) -> (mapi::session::CommandId, ConnId) {
    let (payment, conn) = h.pay(id);
    h.connect(conn);
    (payment, conn)
}

#[test]
fn nothing_is_armed_before_the_request_has_left() {
    let mut h = Harness::new(Dialect::OpiNl);
    assert_eq!(h.session.abort_armable(), None, "nothing runs");
    let (_, conn) = h.pay(10);
    assert_eq!(h.session.abort_armable(), None, "the payment has not left");
    assert!(h.session.arm_abort(11.into(), None).is_none());
    h.connect(conn);
    assert_eq!(h.session.abort_armable(), Some(conn));
}

#[test]
fn arming_sends_nothing_and_creates_no_command() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (_, conn) = running_payment(&mut h, 20);
    let sent_before = h.sent.len();
    let armed = arm(&mut h, 21);
    assert_eq!(armed.conn, conn);
    assert_eq!(armed.request_id, RequestId::from(21));
    assert_eq!(h.sent.len(), sent_before, "arming writes nothing");
    assert!(h.outcomes.is_empty());
    assert!(h.session.armed_abort_is_current(armed.generation));
    assert_eq!(h.session.abort_armable(), None, "one arming at a time");
    // Both frames are whole OPI frames for the same abort, differing only in the silent flag.
    for (frame, display) in [
        (&armed.normal, AbortDisplay::Normal),
        (&armed.silent, AbortDisplay::Silent),
    ] {
        let len = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        assert_eq!(len, frame.len() - 4, "length prefix covers the payload");
        match Message::parse(&frame[4..]).unwrap() {
            Message::CardServiceRequest(r) => {
                assert_eq!(r.request_type, CardRequestType::AbortRequest);
                assert_eq!(r.request_id, RequestId::from(21));
                assert_eq!(is_silent(r.private_data.as_ref()), display);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_fired_abort_runs_like_any_abort_f1a() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 30);
    let armed = arm(&mut h, 31);
    let fired = fire(&mut h, &armed, AbortDisplay::Normal);
    assert_eq!(fired.conn, conn);
    assert!(!h.session.armed_abort_is_current(armed.generation));
    assert_eq!(h.session.abort_armable(), None, "the abort runs");
    h.receive(
        conn,
        &card_response(31, CardRequestType::AbortRequest, OverallResult::Success),
    );
    h.receive(
        conn,
        &card_response(30, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(fired.command), OverallResult::Success);
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
    assert_eq!(h.closes, vec![conn]);
    assert!(h.session.is_idle());
}

#[test]
fn a_refused_fired_abort_leaves_the_payment_running_and_armable_again_f1b() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 40);
    let armed = arm(&mut h, 41);
    let fired = fire(&mut h, &armed, AbortDisplay::Silent);
    h.receive(
        conn,
        &card_response(41, CardRequestType::AbortRequest, OverallResult::Failure),
    );
    assert_eq!(h.result_of(fired.command), OverallResult::Failure);
    assert!(!h.outcomes.contains_key(&payment));
    assert_eq!(
        h.session.abort_armable(),
        Some(conn),
        "a second abort may go"
    );
    h.receive(
        conn,
        &card_response(40, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
}

#[test]
fn a_fired_abort_that_gets_no_answer_times_out_from_when_it_went_out() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (_, _) = running_payment(&mut h, 50);
    let armed = arm(&mut h, 51);
    // Armed long before the merchant pressed stop: the timeout counts from the firing.
    h.advance(Duration::from_secs(30));
    let fired = fire(&mut h, &armed, AbortDisplay::Normal);
    h.advance(Duration::from_millis(5_999));
    assert!(!h.outcomes.contains_key(&fired.command));
    h.advance(Duration::from_millis(2));
    assert!(h.outcomes.contains_key(&fired.command));
    assert!(h.only_outcome(fired.command).is_err());
}

#[test]
fn an_abort_fired_after_its_payment_ended_is_too_late_and_ends_once() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = running_payment(&mut h, 60);
    let armed = arm(&mut h, 61);
    // The payment's answer is handled before the session hears of the firing.
    h.receive(
        conn,
        &card_response(60, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert_eq!(h.result_of(payment), OverallResult::Success);
    assert!(!h.session.armed_abort_is_current(armed.generation));
    let fired = fire(&mut h, &armed, AbortDisplay::Normal);
    assert_eq!(h.error_of(fired.command), MapiError::NotAFlowHappening);
    h.advance(Duration::from_secs(3600));
    assert_eq!(h.outcomes.len(), 2, "one outcome each, nothing later");
    assert!(h.session.is_idle());
}

#[test]
fn a_withdrawn_arming_gives_its_id_back_and_cannot_fire() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 70);
    let armed = arm(&mut h, 71);
    assert_eq!(
        h.session.disarm_abort(armed.generation),
        Some(RequestId::from(71))
    );
    assert!(h
        .session
        .armed_abort_fired(armed.generation, AbortDisplay::Normal, h.now)
        .is_none());
    assert_eq!(h.session.disarm_abort(armed.generation), None);
    // The engine's own abort then runs as before.
    let abort = h.abort(72, AbortVia::SameConnection, AbortDisplay::Normal);
    assert_eq!(h.aborts_on_wire().len(), 1);
    assert!(!h.outcomes.contains_key(&abort));
}

#[test]
fn no_arming_while_another_abort_runs_and_a_stale_firing_is_refused() {
    let mut h = Harness::new(Dialect::OpiNl);
    running_payment(&mut h, 80);
    let armed = arm(&mut h, 81);
    // The client withdraws before its own abort; if it did not, the session still keeps one
    // abort at a time and ends the extra one at once.
    let abort = h.abort(82, AbortVia::SameConnection, AbortDisplay::Normal);
    assert!(!h.session.armed_abort_is_current(armed.generation));
    assert_eq!(h.session.abort_armable(), None);
    let fired = fire(&mut h, &armed, AbortDisplay::Normal);
    assert_eq!(
        h.error_of(fired.command),
        MapiError::SecondaryFlowAlreadyHappening
    );
    assert!(
        !h.outcomes.contains_key(&abort),
        "the first abort still runs"
    );
}
