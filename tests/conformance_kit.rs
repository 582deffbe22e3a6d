//! The field conformance kit against the simulator playing a strict terminal: in every combination
//! of the disputed spellings it can tell apart, the kit's suggested profile is the one played, and
//! what the terminal took is in its table.

mod support;

use std::time::Duration;

use mapi::client::conformance::{self, KitConfig};
use mapi::message::profile::{AbortRequestId, CardCircuitsRequest, FieldForm, StatusRequest};
use mapi::message::WireProfile;
use mapi::simulator::{Gate, Script};
use mapi::{Dialect, SocketMode};
#[allow(unused_imports)]
use support::{Callback, Rig};

fn every_profile() -> Vec<WireProfile> {
    let mut all = Vec::new();
    for status_request in [StatusRequest::GetStatus, StatusRequest::Diagnosis] {
        for card_circuits_request in [
            CardCircuitsRequest::GetCardCircuits,
            CardCircuitsRequest::CardCircuits,
        ] {
            for language_code in [FieldForm::Attribute, FieldForm::Element] {
                for shift_number in [FieldForm::Attribute, FieldForm::Element] {
                    for abort_request_id in [
                        AbortRequestId::Own,
                        AbortRequestId::Running,
                        AbortRequestId::Referenced,
                    ] {
                        all.push(WireProfile {
                            status_request,
                            card_circuits_request,
                            language_code,
                            shift_number,
                            abort_request_id,
                            ..WireProfile::OPI_NL
                        });
                    }
                }
            }
        }
    }
    all
}

fn kit(rig: &Rig) -> conformance::Report {
    let config = KitConfig {
        terminal: rig.terminal.clone(),
        amount: "0.01".parse().unwrap(),
        currency: "EUR".to_owned(),
        abort_after: Duration::from_secs(10),
        aborts: true,
    };
    conformance::run(&rig.engine, &config)
}

#[test]
fn the_kit_finds_the_profile_the_simulator_plays_in_every_combination() {
    let profiles = every_profile();
    assert_eq!(profiles.len(), 48);
    for played in profiles {
        let script = Script {
            wire_profile: Some(played),
            card_presented: Gate::Hold,
            ..Script::default()
        };
        let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
        let report = kit(&rig);
        assert_eq!(report.suggested, played, "\n{}", report.table());
        // The file it writes reads back to the same profile.
        let file = report.profile_file(&rig.terminal);
        assert_eq!(
            WireProfile::OPI_DE.with_overrides(&file),
            Ok(played),
            "{file}"
        );
    }
}

#[test]
fn against_a_lenient_terminal_the_kit_keeps_the_evidence_defaults_and_reports_every_answer() {
    let script = Script {
        card_presented: Gate::Hold,
        ..Script::default()
    };
    let rig = Rig::new(Dialect::OpiNl, SocketMode::DualSocket, script);
    let report = kit(&rig);
    assert_eq!(report.suggested, WireProfile::OPI_NL);
    let table = report.table();
    for row in [
        "status-request = GetStatus",
        "card-circuits-request = GetCardCircuits",
        "abort-request-id = own",
        "abortOnNewConnection",
        "TokenService.abort(silent)",
        "transaction overview",
    ] {
        assert!(table.contains(row), "{row} missing:\n{table}");
    }
    let aborted = report
        .probes
        .iter()
        .find(|p| p.operation == "payment (aborted)")
        .expect("the aborted payment is reported");
    assert_eq!(aborted.answer, "Aborted", "\n{table}");
}
