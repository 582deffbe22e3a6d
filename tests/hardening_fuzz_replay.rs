//! The fuzz properties on stable `cargo test`: the seeds, the golden messages and every input that
//! ever broke a property (fuzz/regressions/<target>/) go through the same checks the libFuzzer
//! targets run (fuzz/src/checks.rs, included here), so a fixed finding stays fixed.

#[allow(dead_code)]
#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

fn files(directory: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(directory);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).unwrap())
        })
        .collect();
    found.sort();
    found
}

fn framed(payload: &[u8]) -> Vec<u8> {
    // Bound 0x0FFF → 4096, read sizes 1, 7, 255, as scripts/fuzz.sh seeds the corpus.
    let mut input = vec![0x0F, 0xFF, 0x02, 0x01, 0x07, 0xFF];
    input.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    input.extend_from_slice(payload);
    input
}

#[test]
fn golden_messages_round_trip_and_frame_through_the_fuzz_checks() {
    let golden = files("tests/data/golden");
    assert!(golden.len() > 20, "golden messages found");
    for (name, xml) in golden {
        checks::check_message(&xml);
        checks::check_frame_decoder(&framed(&xml));
        let _ = name;
    }
}

#[test]
fn session_seed_flows_reach_the_outcomes_they_spell() {
    let reports: Vec<checks::SessionReport> = checks::session_seeds()
        .iter()
        .map(|seed| checks::check_session(seed))
        .collect();
    let answered = |kind: &str, request_type: &str, result: &str| {
        (kind.to_owned(), request_type.to_owned(), result.to_owned())
    };
    assert_eq!(
        reports[0].answered,
        [answered("Request", "CardPayment", "Success")]
    );
    assert_eq!(
        reports[1].answered,
        [
            answered("Abort", "AbortRequest", "Success"),
            answered("Request", "CardPayment", "Aborted")
        ]
    );
    assert_eq!(reports[2].failed, ["RESPONSE_TIMEOUT", "RESPONSE_TIMEOUT"]);
    assert_eq!(reports[3].failed, ["TERMINAL_CONNECTION_LOST"]);
    assert_eq!(
        reports[4].failed,
        ["RECEIVED_UNKNOWN_MESSAGE_FROM_TERMINAL"]
    );
    assert!(reports.iter().all(|r| r.sent >= 1), "{reports:?}");
}

#[test]
fn past_fuzz_findings_stay_fixed() {
    for (name, input) in files("fuzz/regressions/frame_decoder") {
        eprintln!("frame_decoder/{name}");
        checks::check_frame_decoder(&input);
    }
    for (name, input) in files("fuzz/regressions/message_parse") {
        eprintln!("message_parse/{name}");
        checks::check_message(&input);
    }
    for (name, input) in files("fuzz/regressions/session") {
        eprintln!("session/{name}");
        checks::check_session(&input);
    }
}

#[test]
fn hostile_lengths_and_attribute_escapes_keep_their_properties() {
    // A 4 GB length prefix, with and without a body, at several bounds.
    for bound in [[0x00, 0x00], [0x0F, 0xFF]] {
        let mut input = bound.to_vec();
        input.extend([0x00, 0x01]);
        input.extend([0xFF, 0xFF, 0xFF, 0xFF]);
        input.extend(b"<CardServiceResponse/>");
        checks::check_frame_decoder(&input);
    }
    // Character references that decode to whitespace inside attribute values.
    checks::check_message(
        br#"<DeviceRequest RequestType="Output" RequestID="1&#10;2" WorkstationID="A&#9;B&#13;C"/>"#,
    );
}
