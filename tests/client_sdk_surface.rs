//! The rest of the SDK surface over loopback against the simulator: transaction overview, the
//! period-closing reprint, activation, configuration, card circuits, Mifare reads, card detection
//! and validation, card tokens, DCC offers, e-receipts, journal receipts and terminals without the
//! authorise-and-capture flow. Each ends in exactly one final callback (checked when the rig drops).

mod support;

use mapi::client::{Payment, PaymentKind, PaymentService, TerminalService, TokenService};
use mapi::message::{Message, OverallResult};
use mapi::simulator::Script;
use mapi::{Dialect, MapiError, SocketMode};
use support::{Callback, Recorder, Rig};

fn rig(preset: &str) -> Rig {
    let script = Script::from_name(preset).expect("a known preset");
    Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script)
}

fn sale(amount: &str) -> Payment {
    Payment::sale(amount.parse().expect("an amount"), "EUR")
}

/// The RequestType of the last request the terminal received (device responses skipped).
fn last_request_type(rig: &Rig) -> String {
    let received = rig.simulator.received_messages();
    let last = received
        .iter()
        .rev()
        .find(|m| !matches!(m, Message::DeviceResponse(_)))
        .expect("the simulator received a request");
    last.request_type().to_owned()
}

fn merchant_receipts(recorder: &Recorder) -> Vec<Vec<String>> {
    recorder
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Callback::MerchantReceipt(lines) => Some(lines),
            _ => None,
        })
        .collect()
}

#[test]
fn transaction_overview_prints_the_totals_and_succeeds() {
    let rig = rig("success");
    let recorder = Recorder::new();
    TerminalService::with_engine(&rig.engine).transaction_overview(&rig.terminal, recorder.clone());
    let Callback::AdministrationSuccess(result) = recorder.wait_final() else {
        panic!("{:?}", recorder.calls());
    };
    assert_eq!(last_request_type(&rig), "TransactionOverview");
    let reports = merchant_receipts(&recorder);
    assert_eq!(reports.len(), 1, "{:?}", recorder.calls());
    assert!(reports[0]
        .iter()
        .any(|l| l.contains("TRANSACTION OVERVIEW")));
    let mapi::message::Response::Service(service) = &result.response else {
        panic!("a service response");
    };
    let totals = &service.reconciliation.as_ref().expect("totals").totals;
    assert_eq!(totals.len(), 2);
}

#[test]
fn ticket_reprint_of_the_period_closing_fails_before_any_closing_and_reprints_after() {
    let rig = rig("success");
    let service = TerminalService::with_engine(&rig.engine);
    let before = Recorder::new();
    service.ticket_reprint_period_closing(&rig.terminal, before.clone());
    let Callback::Error(error) = before.wait_final() else {
        panic!("{:?}", before.calls());
    };
    assert_eq!(error.result, Some(OverallResult::Failure));
    assert!(merchant_receipts(&before).is_empty());

    let closing = Recorder::new();
    service.period_closing(&rig.terminal, closing.clone());
    assert!(matches!(
        closing.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let after = Recorder::new();
    service.ticket_reprint_period_closing(&rig.terminal, after.clone());
    assert!(matches!(
        after.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let reports = merchant_receipts(&after);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0][0], "*** DUPLICATE ***");
    assert!(reports[0].iter().any(|l| l.contains("PERIOD CLOSING")));
    assert_eq!(last_request_type(&rig), "TicketReprint");
}

#[test]
fn activate_terminal_succeeds_and_a_refusal_is_an_error() {
    let rig = rig("success");
    let ok = Recorder::new();
    TerminalService::with_engine(&rig.engine).activate_terminal(&rig.terminal, ok.clone());
    assert!(matches!(
        ok.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert_eq!(last_request_type(&rig), "Activate");

    let refusing = Script {
        service_result: OverallResult::Failure,
        ..Script::default()
    };
    let rig = Rig::new(Dialect::OpiDe, SocketMode::SingleSocket, refusing);
    let refused = Recorder::new();
    TerminalService::with_engine(&rig.engine).activate_terminal(&rig.terminal, refused.clone());
    let Callback::Error(error) = refused.wait_final() else {
        panic!("{:?}", refused.calls());
    };
    assert_eq!(error.result, Some(OverallResult::Failure));
    assert_eq!(error.mapi_error, None);
}

#[test]
fn get_config_delivers_the_values_before_success() {
    let rig = rig("success");
    let recorder = Recorder::new();
    TerminalService::with_engine(&rig.engine).get_config(&rig.terminal, recorder.clone());
    assert!(matches!(
        recorder.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    let calls = recorder.calls();
    let Some(Callback::ConfigData(items)) = calls.first() else {
        panic!("configData must come first: {calls:?}");
    };
    assert!(items.contains(&("Currency".to_owned(), "EUR".to_owned())));
    assert_eq!(items.len(), 4);
}

#[test]
fn card_circuits_are_in_the_result() {
    let rig = rig("success");
    let recorder = Recorder::new();
    TerminalService::with_engine(&rig.engine).card_circuits(&rig.terminal, recorder.clone());
    let Callback::AdministrationSuccess(result) = recorder.wait_final() else {
        panic!("{:?}", recorder.calls());
    };
    let mapi::message::Response::Service(service) = &result.response else {
        panic!("a service response");
    };
    // Asked the way CCV's OPI-NL firmware asks (GetCardCircuits), answered in its shape.
    assert_eq!(
        service.request_type,
        mapi::message::ServiceRequestType::GetCardCircuits
    );
    assert_eq!(
        service.card_circuit_codes(),
        ["MAES", "ECMC", "VISA", "AMEX"]
    );
    assert_eq!(
        service.card_circuits[2].display_name.as_deref(),
        Some("Visa")
    );
}

#[test]
fn mifare_read_gives_the_uid_or_a_typed_failure() {
    let rig = rig("success");
    let found = Recorder::new();
    TerminalService::with_engine(&rig.engine).read_mifare_uid(&rig.terminal, found.clone());
    assert!(matches!(
        found.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(matches!(&found.calls()[0], Callback::CardUid(uid) if uid == "04A224B2C35E80"));
    assert_eq!(last_request_type(&rig), "CardRead");

    for (preset, result) in [
        ("mifare-unknown", OverallResult::UnknownCard),
        ("mifare-absent", OverallResult::TimedOut),
    ] {
        let rig = self::rig(preset);
        let recorder = Recorder::new();
        TerminalService::with_engine(&rig.engine).read_mifare_uid(&rig.terminal, recorder.clone());
        let Callback::Error(error) = recorder.wait_final() else {
            panic!("{preset}: {:?}", recorder.calls());
        };
        assert_eq!(error.result, Some(result), "{preset}");
        assert!(!recorder
            .calls()
            .iter()
            .any(|c| matches!(c, Callback::CardUid(_))));
    }
}

#[test]
fn card_detection_reports_the_card_without_money_and_with_a_token_when_asked() {
    let rig = rig("success");
    let mut terminal = rig.terminal.clone();
    terminal.request_token = true;
    let recorder = Recorder::new();
    PaymentService::with_engine(&rig.engine).card_detection(&terminal, recorder.clone());
    let Callback::PaymentSuccess(result) = recorder.wait_final() else {
        panic!("{:?}", recorder.calls());
    };
    assert_eq!(result.amount, None);
    let Some(mapi::message::Response::Card(card)) = &result.response else {
        panic!("a card service response");
    };
    let value = card.card_value.as_ref().expect("the card");
    assert_eq!(value.card_circuit.as_deref(), Some("MASTERCARD"));
    let token = card
        .private_data
        .as_ref()
        .and_then(|p| p.card_token.as_ref());
    assert!(token.is_some_and(|t| t.expose().starts_with("TKN-SIM-")));
    assert!(
        !format!("{result:?}").contains("TKN-SIM"),
        "tokens never in Debug"
    );
    assert_eq!(last_request_type(&rig), "CardDetection");
    // No receipt: nothing was charged.
    assert!(merchant_receipts(&recorder).is_empty());
}

#[test]
fn card_validation_succeeds_or_is_refused() {
    let rig = rig("success");
    let ok = Recorder::new();
    PaymentService::with_engine(&rig.engine).card_validation(&rig.terminal, ok.clone());
    assert!(matches!(ok.wait_final(), Callback::PaymentSuccess(_)));
    assert_eq!(last_request_type(&rig), "CardValidation");

    let rig = self::rig("declined");
    let refused = Recorder::new();
    PaymentService::with_engine(&rig.engine).card_validation(&rig.terminal, refused.clone());
    let Callback::PaymentError(result) = refused.wait_final() else {
        panic!("{:?}", refused.calls());
    };
    assert_eq!(result.result, OverallResult::Failure);
}

#[test]
fn a_payment_with_request_token_carries_the_token_and_one_without_does_not() {
    let rig = rig("success");
    let service = PaymentService::with_engine(&rig.engine);
    let plain = Recorder::new();
    service.payment(&rig.terminal, sale("5.00"), plain.clone());
    let Callback::PaymentSuccess(result) = plain.wait_final() else {
        panic!("{:?}", plain.calls());
    };
    let Some(mapi::message::Response::Card(card)) = &result.response else {
        panic!("a card response");
    };
    assert!(card
        .private_data
        .as_ref()
        .and_then(|p| p.card_token.as_ref())
        .is_none());

    let mut terminal = rig.terminal.clone();
    terminal.request_token = true;
    let tokened = Recorder::new();
    service.payment(&terminal, sale("6.00"), tokened.clone());
    let Callback::PaymentSuccess(result) = tokened.wait_final() else {
        panic!("{:?}", tokened.calls());
    };
    let Some(mapi::message::Response::Card(card)) = &result.response else {
        panic!("a card response");
    };
    let stan = card
        .terminal
        .as_ref()
        .and_then(|t| t.stan.clone())
        .expect("a STAN");
    let token = card
        .private_data
        .as_ref()
        .and_then(|p| p.card_token.as_ref());
    assert_eq!(
        token.map(|t| t.expose().to_owned()),
        Some(format!("TKN-SIM-{stan}-7F3A"))
    );
}

#[test]
fn dcc_offer_e_receipt_and_journal_receipt_reach_their_callbacks() {
    for (preset, wanted) in [
        ("dcc", "dcc"),
        ("e-receipt", "e-receipt"),
        ("journal-receipt", "journal"),
    ] {
        let rig = rig(preset);
        let recorder = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(
            &rig.terminal,
            sale("10.00"),
            recorder.clone(),
        );
        assert!(
            matches!(recorder.wait_final(), Callback::PaymentSuccess(_)),
            "{preset}"
        );
        let calls = recorder.calls();
        let found = calls.iter().filter(|c| match (wanted, c) {
            ("dcc", Callback::DccOffer(lines)) => lines.iter().any(|l| l.contains("own currency")),
            ("e-receipt", Callback::EReceipt(text)) => text.contains("CUSTOMER COPY"),
            ("journal", Callback::JournalReceipt(lines)) => {
                lines.iter().any(|l| l.contains("JOURNAL"))
            }
            _ => false,
        });
        assert_eq!(found.count(), 1, "{preset}: {calls:?}");
        if wanted == "dcc" {
            // The offer comes before the receipts: the customer chooses before being charged.
            let offer = calls
                .iter()
                .position(|c| matches!(c, Callback::DccOffer(_)));
            let receipt = calls
                .iter()
                .position(|c| matches!(c, Callback::MerchantReceipt(_)));
            assert!(offer < receipt, "{calls:?}");
        }
    }
}

#[test]
fn reservation_and_capture_on_a_terminal_without_the_flow_are_auth_and_cap_not_supported() {
    let rig = rig("no-auth-and-capture");
    let service = PaymentService::with_engine(&rig.engine);
    let kinds = [
        PaymentKind::Reservation,
        PaymentKind::Capture {
            stan: Some("000042".to_owned()),
        },
    ];
    for kind in kinds {
        let recorder = Recorder::new();
        let payment = Payment {
            kind: kind.clone(),
            ..sale("20.00")
        };
        service.payment(&rig.terminal, payment, recorder.clone());
        let Callback::Error(error) = recorder.wait_final() else {
            panic!("{kind:?}: {:?}", recorder.calls());
        };
        assert_eq!(
            error.mapi_error,
            Some(MapiError::AuthAndCapFlowNotSupported)
        );
        assert!(!error.recovery_needed);
    }
    // A sale on the same terminal still works.
    let recorder = Recorder::new();
    service.payment(&rig.terminal, sale("1.00"), recorder.clone());
    assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
}

#[test]
fn token_pre_authorisation_then_settlement_and_the_e13_zero_advice() {
    let rig = rig("success");
    let tokens = TokenService::with_engine(&rig.engine);
    assert!(!rig.terminal.request_token);
    let pre = Recorder::new();
    tokens.token_pre_authorisation(
        &rig.terminal,
        "50.00".parse().expect("amount"),
        "EUR",
        pre.clone(),
    );
    let Callback::PaymentSuccess(reserved) = pre.wait_final() else {
        panic!("{:?}", pre.calls());
    };
    let Some(mapi::message::Response::Card(card)) = &reserved.response else {
        panic!("a card response");
    };
    assert!(card
        .private_data
        .as_ref()
        .and_then(|p| p.card_token.as_ref())
        .is_some());
    let stan = card
        .terminal
        .as_ref()
        .and_then(|t| t.stan.clone())
        .expect("a STAN");
    assert_eq!(last_request_type(&rig), "CardPreAuthorisation");
    for amount in ["12.34", "0.00"] {
        let settle = Recorder::new();
        tokens.settlement(
            &rig.terminal,
            amount.parse().expect("amount"),
            "EUR",
            &stan,
            settle.clone(),
        );
        assert!(
            matches!(settle.wait_final(), Callback::PaymentSuccess(_)),
            "{amount}"
        );
        assert_eq!(last_request_type(&rig), "CardFinancialAdvice");
    }
    let advices = rig
        .simulator
        .received_messages()
        .into_iter()
        .filter_map(|m| match m {
            Message::CardServiceRequest(r) => r.original_transaction.and_then(|o| o.stan),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(advices, [stan.clone(), stan]);
}

#[test]
fn a_silent_token_abort_stops_a_token_pre_authorisation_on_its_own_connection() {
    let rig = Rig::new(
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::abort_window(),
    );
    let tokens = TokenService::with_engine(&rig.engine);
    let pre = Recorder::new();
    tokens.token_pre_authorisation(
        &rig.terminal,
        "30.00".parse().expect("amount"),
        "EUR",
        pre.clone(),
    );
    rig.wait_step(mapi::simulator::RunStep::AwaitingCard);
    let abort = Recorder::new();
    // The app's own terminal (no token asked): the running pre-authorisation keeps its connection.
    tokens.abort(true, &rig.terminal, abort.clone());
    assert!(
        matches!(abort.wait_final(), Callback::AdministrationSuccess(_)),
        "{:?}",
        abort.calls()
    );
    let Callback::PaymentError(result) = pre.wait_final() else {
        panic!("{:?}", pre.calls());
    };
    assert_eq!(result.result, OverallResult::Aborted);
    assert!(
        !abort.display_lines().iter().any(|l| l.contains("Aborted")),
        "silent"
    );
}
