//! Refunds, reversals, reservations and captures, and the checks made before a payment leaves
//! (S1A–S1D, VOID_SPECIFIC_SALE_NOT_SUPPORTED): Rust client ↔ simulator on loopback.

mod support;

use mapi::client::{Payment, PaymentKind, PaymentService};
use mapi::message::{CardRequestType, Message, OverallResult};
use mapi::simulator::Script;
use mapi::{Dialect, MapiError, SocketMode};
use support::{Callback, Recorder, Rig};

fn payment(kind: PaymentKind, amount: &str) -> Payment {
    Payment {
        kind,
        ..Payment::sale(amount.parse().unwrap(), "EUR")
    }
}

fn card_requests(rig: &Rig) -> Vec<mapi::message::CardServiceRequest> {
    rig.simulator
        .received_messages()
        .into_iter()
        .filter_map(|m| match m {
            Message::CardServiceRequest(r) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn s1a_s1b_s1d_invalid_amounts_are_refused_before_anything_is_sent() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::success());
    let service = PaymentService::with_engine(&rig.engine);
    for (amount, case) in [
        ("0.00", "S1A zero"),
        ("-5.00", "S1B negative"),
        ("1000000.00", "S1D over"),
        ("1.001", "sub-cent"),
    ] {
        let recorder = Recorder::new();
        service.payment(
            &rig.terminal,
            payment(PaymentKind::Sale, amount),
            recorder.clone(),
        );
        match recorder.wait_final() {
            Callback::Error(error) => {
                assert_eq!(error.result, Some(OverallResult::ValidationError), "{case}");
                assert_eq!(error.mapi_error, None, "{case}");
                assert!(!error.recovery_needed, "{case}");
            }
            other => panic!("{case}: {other:?}"),
        }
    }
    assert!(
        rig.simulator.received().is_empty(),
        "nothing reached the terminal"
    );
    let highest = Recorder::new();
    service.payment(
        &rig.terminal,
        payment(PaymentKind::Sale, "999999.99"),
        highest.clone(),
    );
    assert!(
        matches!(highest.wait_final(), Callback::PaymentSuccess(_)),
        "S1C: the highest amount is paid"
    );
    let sent = card_requests(&rig);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].total_amount.as_ref().unwrap().value.to_string(),
        "999999.99"
    );
}

#[test]
fn refund_reservation_and_void_use_their_opi_request_types() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::success());
    let service = PaymentService::with_engine(&rig.engine);
    for kind in [
        PaymentKind::Refund,
        PaymentKind::Reservation,
        PaymentKind::Reversal { stan: None },
    ] {
        let recorder = Recorder::new();
        service.payment(&rig.terminal, payment(kind, "4.20"), recorder.clone());
        assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
    }
    let types: Vec<CardRequestType> = card_requests(&rig)
        .into_iter()
        .map(|r| r.request_type)
        .collect();
    assert_eq!(
        types,
        [
            CardRequestType::PaymentRefund,
            CardRequestType::CardPreAuthorisation,
            CardRequestType::PaymentReversal
        ]
    );
}

#[test]
fn voiding_a_specific_sale_is_refused_on_nl_and_sent_with_its_stan_on_de() {
    let nl = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::success());
    let recorder = Recorder::new();
    let specific = PaymentKind::Reversal {
        stan: Some("000029".to_owned()),
    };
    PaymentService::with_engine(&nl.engine).payment(
        &nl.terminal,
        payment(specific.clone(), "1.00"),
        recorder.clone(),
    );
    match recorder.wait_final() {
        Callback::Error(error) => assert_eq!(
            error.mapi_error,
            Some(MapiError::VoidSpecificSaleNotSupported)
        ),
        other => panic!("{other:?}"),
    }
    assert!(nl.simulator.received().is_empty());

    let de = Rig::new(Dialect::OpiDe, SocketMode::SingleSocket, Script::success());
    let recorder = Recorder::new();
    PaymentService::with_engine(&de.engine).payment(
        &de.terminal,
        payment(specific, "1.00"),
        recorder.clone(),
    );
    assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
    let sent = card_requests(&de);
    assert_eq!(sent[0].request_type, CardRequestType::PaymentReversal);
    assert_eq!(
        sent[0]
            .original_transaction
            .as_ref()
            .unwrap()
            .stan
            .as_deref(),
        Some("000029")
    );
}

#[test]
fn e13_capture_of_zero_settles_a_reservation_by_its_stan() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::success());
    let recorder = Recorder::new();
    let capture = PaymentKind::Capture {
        stan: Some("000017".to_owned()),
    };
    PaymentService::with_engine(&rig.engine).payment(
        &rig.terminal,
        payment(capture, "0.00"),
        recorder.clone(),
    );
    assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
    let sent = card_requests(&rig);
    assert_eq!(sent[0].request_type, CardRequestType::CardFinancialAdvice);
    assert_eq!(
        sent[0].total_amount.as_ref().unwrap().value.to_string(),
        "0.00"
    );
    assert_eq!(
        sent[0]
            .original_transaction
            .as_ref()
            .unwrap()
            .stan
            .as_deref(),
        Some("000017")
    );
}

#[test]
fn l1a_l1b_last_ticket_is_reprinted_as_a_copy_and_missing_ticket_fails() {
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, Script::declined());
    let terminals = mapi::client::TerminalService::with_engine(&rig.engine);
    let nothing_yet = Recorder::new();
    terminals.retrieve_last_ticket(&rig.terminal, nothing_yet.clone());
    match nothing_yet.wait_final() {
        Callback::Error(error) => assert_eq!(error.result, Some(OverallResult::Failure)),
        other => panic!("{other:?}"),
    }
    let declined = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(
        &rig.terminal,
        payment(PaymentKind::Sale, "7.50"),
        declined.clone(),
    );
    assert!(matches!(declined.wait_final(), Callback::PaymentError(_)));
    let original = declined
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Callback::CustomerReceipt(lines) => Some(lines),
            _ => None,
        })
        .expect("the declined payment printed a customer receipt");
    let reprint = Recorder::new();
    terminals.retrieve_last_ticket(&rig.terminal, reprint.clone());
    assert!(matches!(
        reprint.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let copy = reprint
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Callback::CustomerReceipt(lines) => Some(lines),
            _ => None,
        })
        .expect("the copy reaches print_customer_receipt_and_signature");
    assert!(copy[0].contains("DUPLICATE"), "{copy:?}");
    assert_eq!(
        &copy[1..],
        &original[..],
        "the copy is the declined ticket (L1B)"
    );
}

#[test]
fn a_payment_goes_out_with_the_request_id_the_app_chose_and_the_engine_never_repeats_it() {
    let dir = support::state_dir("app-request-id");
    let rig = Rig::with_state(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::abort_window(),
        &dir,
    );
    let service = PaymentService::with_engine(&rig.engine);
    let paid = Recorder::new();
    let chosen = Payment {
        request_id: Some(mapi::message::RequestId::from("424242")),
        ..payment(PaymentKind::Sale, "12.50")
    };
    service.payment(&rig.terminal, chosen, paid.clone());
    rig.wait_step(mapi::simulator::RunStep::AwaitingCard);
    let abort = Recorder::new();
    service.abort(&rig.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    match paid.wait_final() {
        Callback::PaymentError(result) => {
            assert_eq!(result.request_id.as_str(), "424242");
            assert_eq!(result.result, OverallResult::Aborted);
        }
        other => panic!("{other:?}"),
    }
    let requests = card_requests(&rig);
    assert_eq!(requests[0].request_type, CardRequestType::CardPayment);
    assert_eq!(requests[0].request_id.as_str(), "424242");
    let abort_id: u64 = requests
        .iter()
        .find(|r| r.request_type == CardRequestType::AbortRequest)
        .expect("an AbortRequest")
        .request_id
        .as_str()
        .parse()
        .unwrap();
    assert!(
        abort_id > 424_242,
        "the engine's next id {abort_id} is past the app's"
    );

    // An id that is not a number of at most 9 digits is refused before anything is sent.
    let refused = Recorder::new();
    let bad = Payment {
        request_id: Some(mapi::message::RequestId::from("1234567890")),
        ..payment(PaymentKind::Sale, "1.00")
    };
    service.payment(&rig.terminal, bad, refused.clone());
    match refused.wait_final() {
        Callback::Error(error) => assert_eq!(error.result, Some(OverallResult::ValidationError)),
        other => panic!("{other:?}"),
    }
    assert_eq!(card_requests(&rig).len(), requests.len(), "nothing sent");
}

#[test]
fn a_void_names_its_transaction_before_any_amount_and_one_without_amount_sends_none() {
    let rig = Rig::new(Dialect::OpiDe, SocketMode::SingleSocket, Script::success());
    let service = PaymentService::with_engine(&rig.engine);
    for amount in ["12.50", "0.00"] {
        let void = Recorder::new();
        service.payment(
            &rig.terminal,
            payment(
                PaymentKind::Reversal {
                    stan: Some("29".into()),
                },
                amount,
            ),
            void.clone(),
        );
        assert!(matches!(void.wait_final(), Callback::PaymentSuccess(_)));
    }
    let reversals: Vec<String> = rig
        .simulator
        .received()
        .into_iter()
        .map(|frame| String::from_utf8_lossy(&frame.bytes).into_owned())
        .filter(|xml| xml.contains("PaymentReversal"))
        .collect();
    assert_eq!(reversals.len(), 2);
    let with_amount = &reversals[0];
    let original = with_amount
        .find("<OriginalTransaction")
        .expect("names its sale");
    let total = with_amount
        .find("<TotalAmount")
        .expect("carries the amount given");
    assert!(
        original < total,
        "the IFSF order is OriginalTransaction, then TotalAmount: {with_amount}"
    );
    assert!(
        !reversals[1].contains("<TotalAmount"),
        "a void without amount sends none: {}",
        reversals[1]
    );
}
