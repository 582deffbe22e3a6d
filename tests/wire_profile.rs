//! The wire profile end to end: what each dialect sends by default (the public evidence), and every
//! disagreement between public sources played from both sides against a strict simulator — the
//! spelling the terminal takes succeeds, the other gets the answer a validating terminal gives.

mod support;

use mapi::client::{Payment, PaymentService, TerminalService, TokenService};
use mapi::message::profile::{
    AbortRequestId, CardCircuitsRequest, FieldForm, SilentAbort, StatusRequest,
};
use mapi::message::{
    CardRequestType, CardServiceRequest, Message, OverallResult, PosData, ServiceRequestType,
    WireProfile,
};
use mapi::simulator::{Gate, RunStep, Script};
use mapi::{Dialect, SocketMode};
use support::{Callback, Recorder, Rig};

fn rig(dialect: Dialect, strict: Option<WireProfile>) -> Rig {
    // The card comes only when a test releases it: aborts always meet a running payment.
    let script = Script {
        wire_profile: strict,
        card_presented: Gate::Hold,
        ..Script::default()
    };
    let mode = match dialect {
        Dialect::OpiNl => SocketMode::DualSocket,
        Dialect::OpiDe => SocketMode::SingleSocket,
    };
    Rig::new(dialect, mode, script)
}

fn requests(rig: &Rig) -> Vec<Message> {
    rig.simulator
        .received_messages()
        .into_iter()
        .filter(|m| {
            matches!(
                m,
                Message::CardServiceRequest(_) | Message::ServiceRequest(_)
            )
        })
        .collect()
}

fn last_pos_data(rig: &Rig) -> PosData {
    match requests(rig).last().expect("a request") {
        Message::CardServiceRequest(r) => r.pos_data.clone(),
        Message::ServiceRequest(r) => r.pos_data.clone(),
        _ => None,
    }
    .expect("POSdata")
}

fn status(rig: &Rig, terminal: &mapi::client::Terminal) -> Callback {
    let recorder = Recorder::new();
    TerminalService::with_engine(&rig.engine).status(terminal, recorder.clone());
    recorder.wait_final()
}

fn result_of(callback: &Callback) -> Option<OverallResult> {
    match callback {
        Callback::AdministrationSuccess(_) => Some(OverallResult::Success),
        Callback::Error(error) => error.result.clone(),
        other => panic!("not an administration outcome: {other:?}"),
    }
}

#[test]
fn opi_nl_sends_what_public_opi_nl_evidence_shows() {
    let rig = rig(Dialect::OpiNl, None);
    let terminal = rig.terminal.clone().with_shift_number(12);
    let recorder = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(
        &terminal,
        Payment::sale("3.50".parse().unwrap(), "EUR"),
        recorder.clone(),
    );
    rig.wait_step(RunStep::AwaitingCard);
    rig.simulator.release(mapi::simulator::Stage::CardPresented);
    assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
    let pos = last_pos_data(&rig);
    // CCV-FW: LanguageCode and ShiftNumber as attributes, printer and e-journal status elements.
    assert_eq!(pos.language_code.as_deref(), Some("en"));
    assert_eq!(pos.language_code_element, None);
    assert_eq!(pos.shift_number_attribute.as_deref(), Some("12"));
    assert_eq!(pos.shift_number, None);
    assert_eq!(pos.printer_status.as_deref(), Some("Available"));
    assert_eq!(pos.e_journal_status.as_deref(), Some("Available"));

    assert_eq!(
        result_of(&status(&rig, &terminal)),
        Some(OverallResult::Success)
    );
    let circuits = Recorder::new();
    TerminalService::with_engine(&rig.engine).card_circuits(&terminal, circuits.clone());
    circuits.wait_final();
    let names: Vec<String> = requests(&rig)
        .iter()
        .map(|m| m.request_type().to_owned())
        .collect();
    assert!(
        names.ends_with(&["GetStatus".to_owned(), "GetCardCircuits".to_owned()]),
        "{names:?}"
    );
}

#[test]
fn opi_de_sends_diagnosis_a_shift_element_and_no_printer_status() {
    let rig = rig(Dialect::OpiDe, None);
    let terminal = rig.terminal.clone().with_shift_number(4);
    assert_eq!(
        result_of(&status(&rig, &terminal)),
        Some(OverallResult::Success)
    );
    let Message::ServiceRequest(request) = requests(&rig).pop().unwrap() else {
        panic!("a service request");
    };
    assert_eq!(request.request_type, ServiceRequestType::Diagnosis);
    let pos = request.pos_data.expect("POSdata");
    assert_eq!(pos.shift_number.as_deref(), Some("4"));
    assert_eq!(pos.shift_number_attribute, None);
    assert_eq!(pos.language_code.as_deref(), Some("en"));
    assert_eq!(pos.printer_status, None);
}

/// Each disagreement as a pair of profiles that differ in exactly that choice, and the answer a
/// strict terminal gives to the spelling it does not take.
fn disagreements() -> Vec<(&'static str, WireProfile, WireProfile, OverallResult)> {
    let nl = WireProfile::OPI_NL;
    vec![
        (
            "status request",
            nl,
            WireProfile {
                status_request: StatusRequest::Diagnosis,
                ..nl
            },
            OverallResult::NotSupported,
        ),
        (
            "shift number",
            nl,
            WireProfile {
                shift_number: FieldForm::Element,
                ..nl
            },
            OverallResult::FormatError,
        ),
        (
            "language code",
            nl,
            WireProfile {
                language_code: FieldForm::Element,
                ..nl
            },
            OverallResult::FormatError,
        ),
    ]
}

#[test]
fn every_disagreement_is_taken_in_the_terminals_spelling_and_refused_in_the_other() {
    for (what, first, second, refusal) in disagreements() {
        for (played, sent) in [
            (first, first),
            (first, second),
            (second, second),
            (second, first),
        ] {
            let rig = rig(Dialect::OpiNl, Some(played));
            let terminal = rig
                .terminal
                .clone()
                .with_shift_number(1)
                .with_wire_profile(sent);
            let expected = if played == sent {
                OverallResult::Success
            } else {
                refusal.clone()
            };
            assert_eq!(
                result_of(&status(&rig, &terminal)),
                Some(expected),
                "{what}: terminal plays {played:?}, POS sends {sent:?}"
            );
        }
    }
}

#[test]
fn card_circuits_are_asked_in_the_terminals_spelling() {
    let get = WireProfile::OPI_NL;
    let old = WireProfile {
        card_circuits_request: CardCircuitsRequest::CardCircuits,
        ..get
    };
    for (played, sent) in [(get, get), (get, old), (old, old), (old, get)] {
        let rig = rig(Dialect::OpiNl, Some(played));
        let recorder = Recorder::new();
        let terminal = rig.terminal.clone().with_wire_profile(sent);
        TerminalService::with_engine(&rig.engine).card_circuits(&terminal, recorder.clone());
        let expected = if played == sent {
            OverallResult::Success
        } else {
            OverallResult::NotSupported
        };
        assert_eq!(
            result_of(&recorder.wait_final()),
            Some(expected),
            "{played:?} / {sent:?}"
        );
    }
}

fn aborts_on_wire(rig: &Rig) -> Vec<CardServiceRequest> {
    requests(rig)
        .into_iter()
        .filter_map(|m| match m {
            Message::CardServiceRequest(r) if r.request_type == CardRequestType::AbortRequest => {
                Some(r)
            }
            _ => None,
        })
        .collect()
}

/// A terminal that takes one abort spelling refuses the others (the payment runs on), and an app
/// that switches its terminal's profile mid-payment gets its next abort in the new spelling: the
/// abort armed beside the payment was built with the old one and is not fired.
#[test]
fn abort_request_ids_are_taken_only_in_the_terminals_form() {
    let forms = [
        AbortRequestId::Own,
        AbortRequestId::Running,
        AbortRequestId::Referenced,
    ];
    for played in forms {
        let profile = |abort_request_id| WireProfile {
            abort_request_id,
            ..WireProfile::OPI_NL
        };
        let rig = rig(Dialect::OpiNl, Some(profile(played)));
        let payments = PaymentService::with_engine(&rig.engine);
        let payment = Recorder::new();
        rig.pay_until_card_is_awaited(&payments, &payment);
        let running = requests(&rig)
            .iter()
            .find(|m| m.request_type() == "CardPayment")
            .map(|m| m.request_id().clone())
            .expect("the payment went out");
        // A terminal that wants an id of the abort's own does not mind a ReferenceRequestID too.
        let refused: Vec<AbortRequestId> = forms
            .iter()
            .copied()
            .filter(|f| {
                *f != played && !(played == AbortRequestId::Own && *f == AbortRequestId::Referenced)
            })
            .collect();
        for sent in refused.iter().copied() {
            let abort = Recorder::new();
            payments.abort(
                &rig.terminal.clone().with_wire_profile(profile(sent)),
                abort.clone(),
            );
            let Callback::Error(error) = abort.wait_final() else {
                panic!("{played:?} took a {sent:?} abort: {:?}", abort.calls());
            };
            assert_eq!(
                error.result,
                Some(OverallResult::ValidationError),
                "{played:?} / {sent:?}"
            );
            assert!(!payment.has_final(), "a refused abort ended the payment");
        }
        let abort = Recorder::new();
        payments.abort(
            &rig.terminal.clone().with_wire_profile(profile(played)),
            abort.clone(),
        );
        assert!(
            matches!(abort.wait_final(), Callback::AdministrationSuccess(_)),
            "{played:?}: {:?}",
            abort.calls()
        );
        let Callback::PaymentError(result) = payment.wait_final() else {
            panic!("{:?}", payment.calls());
        };
        assert_eq!(result.result, OverallResult::Aborted);
        let last = aborts_on_wire(&rig).pop().expect("an abort went out");
        match played {
            AbortRequestId::Own => assert_ne!(last.request_id, running),
            AbortRequestId::Running => assert_eq!(last.request_id, running),
            AbortRequestId::Referenced => {
                assert_ne!(last.request_id, running);
                assert_eq!(last.reference_request_id, Some(running));
            }
        }
        assert_eq!(aborts_on_wire(&rig).len(), refused.len() + 1);
    }
}

#[test]
fn a_silent_abort_carries_the_marker_only_when_the_profile_says_so() {
    for (silent, marked) in [(SilentAbort::PrivateData, true), (SilentAbort::Omit, false)] {
        let rig = rig(Dialect::OpiNl, None);
        let terminal = rig.terminal.clone().with_wire_profile(WireProfile {
            silent_abort: silent,
            ..WireProfile::OPI_NL
        });
        let payments = PaymentService::with_engine(&rig.engine);
        let payment = Recorder::new();
        payments.payment(
            &terminal,
            Payment::sale("1.00".parse().unwrap(), "EUR"),
            payment.clone(),
        );
        rig.wait_step(RunStep::AwaitingCard);
        let abort = Recorder::new();
        TokenService::with_engine(&rig.engine).abort(true, &terminal, abort.clone());
        abort.wait_final();
        payment.wait_final();
        let sent = aborts_on_wire(&rig).pop().expect("an abort");
        let has_marker = sent
            .private_data
            .is_some_and(|p| p.silent_abort == Some(true));
        assert_eq!(has_marker, marked, "{silent:?}");
    }
}

/// CCV's `Payment.Builder` references: the app's POSTimeStamp always goes out as given; the
/// refund's reference number and the merchant reference only under `payment-references = ifsf`
/// (the IFSF model's names; no public source shows CCV's), and a bad timestamp is refused before
/// anything is sent.
#[test]
fn payment_references_follow_the_profile_and_the_app_timestamp_is_sent() {
    use mapi::message::profile::PaymentReferences;
    for references in [PaymentReferences::Off, PaymentReferences::Ifsf] {
        let rig = rig(Dialect::OpiNl, None);
        let terminal = rig.terminal.clone().with_wire_profile(WireProfile {
            payment_references: references,
            ..WireProfile::OPI_NL
        });
        let refund = Payment {
            kind: mapi::client::PaymentKind::Refund,
            pos_timestamp: Some("2026-12-07T09:41:07.250+01:00".to_owned()),
            reference_number: Some("31".to_owned()),
            merchant_reference: Some("order-5512".to_owned()),
            ..Payment::sale("4.20".parse().unwrap(), "EUR")
        };
        let recorder = Recorder::new();
        PaymentService::with_engine(&rig.engine).payment(&terminal, refund, recorder.clone());
        rig.wait_step(RunStep::AwaitingCard);
        rig.simulator.release(mapi::simulator::Stage::CardPresented);
        assert!(matches!(recorder.wait_final(), Callback::PaymentSuccess(_)));
        let Some(Message::CardServiceRequest(sent)) = requests(&rig).pop() else {
            panic!("a card service request");
        };
        assert_eq!(sent.request_type, CardRequestType::PaymentRefund);
        let pos = sent.pos_data.expect("POSdata");
        assert_eq!(
            pos.pos_timestamp.as_deref(),
            Some("2026-12-07T09:41:07.250+01:00")
        );
        let ifsf = references == PaymentReferences::Ifsf;
        assert_eq!(sent.reference_number.is_some(), ifsf, "{references:?}");
        assert_eq!(
            sent.acquirer.and_then(|a| a.merchant_reference).as_deref(),
            ifsf.then_some("order-5512")
        );
        if ifsf {
            assert_eq!(sent.reference_number.as_deref(), Some("31"));
        }
    }

    let rig = rig(Dialect::OpiNl, None);
    let bad = Payment {
        pos_timestamp: Some("07.12.2026 09:41".to_owned()),
        ..Payment::sale("1.00".parse().unwrap(), "EUR")
    };
    let recorder = Recorder::new();
    PaymentService::with_engine(&rig.engine).payment(&rig.terminal, bad, recorder.clone());
    let Callback::Error(error) = recorder.wait_final() else {
        panic!("{:?}", recorder.calls());
    };
    assert_eq!(error.result, Some(OverallResult::ValidationError));
    assert!(
        requests(&rig).is_empty(),
        "a refused payment reached the terminal"
    );
}
