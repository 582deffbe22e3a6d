//! Card-data masking where text is cut or grouped: a card number split by the bound of a preview
//! (a framing error's head in the wire trace), a card number written in groups ("4111 1111 1111
//! 1111", "4111-1111-…"), and receipt and display lines in `Debug` forms. A mask may leave the
//! first 6 and the last 4 digits of a card number, never more; ordinary payment text (amounts,
//! dates, times, ids) must come out unchanged.

mod hardening_support;

use std::path::Path;

use hardening_support::proxy::{Direction, Fault, FaultKind};
use hardening_support::recorder::{Callback, Recorder};
use hardening_support::{sale, state_dir, Pos};
use mapi::client::{PaymentReceipt, PaymentService, WireTraceConfig};
use mapi::message::masking::{mask_card_data, mask_digit_runs, masked_preview};
use mapi::message::{DeviceTarget, Message, RequestId, TextLine};
use mapi::session::Event;
use mapi::simulator::Script;
use mapi::{Dialect, SocketMode};
use proptest::prelude::*;
use serde_json::Value;

const PAN: &str = "6789012345678901234";

/// The digits of `shown`, separators and all else dropped.
fn digits(shown: &str) -> String {
    shown.chars().filter(char::is_ascii_digit).collect()
}

/// True when the digits `shown` holds (it holds no others) are at most what a mask leaves of
/// `pan`: a start of its first 6 digits, then a piece of its last 4 (a cut may end either).
fn at_most_first_six_last_four(shown: &str, pan: &str) -> bool {
    let shown = digits(shown);
    let pan = digits(pan);
    let last_four = &pan[pan.len() - 4..];
    (0..=shown.len().min(6))
        .any(|split| shown[..split] == pan[..split] && last_four.contains(&shown[split..]))
}

/// Every piece of 7 digits of `pan` that `text` shows (separators removed), skipping the first 6
/// digits a mask may show.
fn clear_pieces(text: &str, pan: &str) -> Vec<String> {
    let text: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
    let pan = digits(pan);
    (1..=pan.len() - 7)
        .map(|start| pan[start..start + 7].to_owned())
        .filter(|piece| text.contains(piece.as_str()))
        .collect()
}

// (a) A card number across the bound of a framing error's head.

fn read_trace(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("the trace was written")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// The terminal's first frame replaced by bytes that cannot be framed (a 4 GB length prefix),
/// with a card number starting 12 bytes before the 256th byte, where the transport bounds the
/// head it hands to the trace.
fn unframable_with_pan_at(pan: &str, offset: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF; 4];
    bytes.extend(std::iter::repeat_n(b'x', offset - 4));
    bytes.extend_from_slice(pan.as_bytes());
    bytes.extend_from_slice(b" and some more text after the card number.\n");
    bytes
}

#[test]
fn a_card_number_across_the_bound_of_a_framing_error_is_masked_in_the_trace() {
    for (name, pan) in [
        ("plain", PAN.to_owned()),
        ("grouped", "6789 0123 4567 8901 234".to_owned()),
    ] {
        let fault = Fault {
            connection: 0,
            direction: Direction::ToPos,
            frame: 0,
            kind: FaultKind::Replace(unframable_with_pan_at(&pan, 256 - 12)),
        };
        let pos = Pos::new(
            &format!("mask-framing-{name}"),
            Dialect::OpiNl,
            SocketMode::SingleSocket,
            Script::success(),
            vec![fault],
        );
        let path = state_dir(&format!("mask-trace-{name}")).join("wire-trace.jsonl");
        pos.engine
            .set_wire_trace(Some(WireTraceConfig::new(&path)))
            .expect("the trace starts");
        let payment = Recorder::new();
        PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
        assert!(matches!(payment.wait_final(), Callback::Error(e) if e.recovery_needed));
        pos.settle();
        pos.engine.set_wire_trace(None).expect("the trace stops");
        let records = read_trace(&path);
        let framing: Vec<&Value> = records
            .iter()
            .filter(|r| r["type"] == "framing_error")
            .collect();
        assert_eq!(framing.len(), 1, "{records:#?}");
        let preview = framing[0]["preview"].as_str().expect("a preview");
        // The whole card number reached the trace, masked.
        assert!(
            preview.contains(&mask_digit_runs(&pan)),
            "{name}: {preview}"
        );
        assert_eq!(
            clear_pieces(preview, &pan),
            Vec::<String>::new(),
            "{preview}"
        );
        assert!(at_most_first_six_last_four(preview, &pan), "{preview}");
        let whole = std::fs::read_to_string(&path).expect("the trace");
        assert_eq!(clear_pieces(&whole, &pan), Vec::<String>::new(), "{whole}");
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[test]
fn a_preview_masks_before_it_cuts() {
    for pan in [PAN, "6789 0123 4567 8901 234", "6789-0123-4567-8901-234"] {
        let text = format!("<Garbage Note=\"card\">{pan} is here</Garbage>");
        for bound in 0..text.len() + 2 {
            let preview = masked_preview(text.as_bytes(), bound);
            assert!(
                at_most_first_six_last_four(&preview, pan),
                "{bound}: {preview}"
            );
        }
    }
}

// (b) Card numbers written in groups.

#[test]
fn grouped_card_numbers_are_masked_by_every_mask() {
    for (clear, masked) in [
        ("4111 1111 1111 1111", "4111 11** **** 1111"),
        ("4111-1111-1111-1111", "4111-11**-****-1111"),
        ("3782 822463 10005", "3782 82**** *0005"),
        ("6789 0123 4567 8901 234", "6789 01** **** ***1 234"),
        ("4111-1111 1111-1", "4111-11** *111-1"),
    ] {
        let line = format!("Kaart: {clear} (chip)");
        let expected = format!("Kaart: {masked} (chip)");
        assert_eq!(mask_digit_runs(&line), expected);
        let xml = format!("<Output><TextLine>{line}</TextLine></Output>");
        assert_eq!(
            mask_card_data(&xml),
            format!("<Output><TextLine>{expected}</TextLine></Output>")
        );
        assert_eq!(masked_preview(line.as_bytes(), 200), expected);
    }
}

#[test]
fn payment_text_is_left_alone() {
    let receipt = "Datum: 2026-12-07 12:30:45, 07-12-2026 12:30, 07/12/2026\n\
                   Terminal 12345678  STAN 001234  RequestID 123456789\n\
                   Bedrag EUR 1 234 567,89 - 12.50 = -3.00\n\
                   Tel 020-123 4567, Auth 12-34-56, Periode 2026-12";
    assert_eq!(mask_digit_runs(receipt), receipt);
    assert_eq!(mask_card_data(receipt), receipt);
    assert_eq!(masked_preview(receipt.as_bytes(), 1000), receipt);
}

// (c) Receipt and display lines in Debug forms.

const SPACED: &str = "4111 1111 1111 1111";

fn card_lines() -> Vec<TextLine> {
    vec![
        TextLine::new(&format!("  Card   {SPACED}")),
        TextLine::new(&format!("  PAN {PAN}")),
        TextLine::new("  Amount   EUR 12.50"),
    ]
}

fn check_debug(what: &str, debug: &str) {
    assert_eq!(
        clear_pieces(debug, PAN),
        Vec::<String>::new(),
        "{what}: {debug}"
    );
    assert_eq!(
        clear_pieces(debug, SPACED),
        Vec::<String>::new(),
        "{what}: {debug}"
    );
    assert!(debug.contains("678901*********1234"), "{what}: {debug}");
    assert!(debug.contains("4111 11** **** 1111"), "{what}: {debug}");
    assert!(debug.contains("EUR 12.50"), "{what}: {debug}");
}

#[test]
fn receipt_and_display_lines_are_masked_in_every_debug_form() {
    let lines = card_lines();
    check_debug("TextLine", &format!("{:?}", lines));
    let receipt = PaymentReceipt {
        lines: lines.clone(),
    };
    check_debug("PaymentReceipt", &format!("{receipt:?}"));
    let event = Event::Output {
        request_id: RequestId::from("7"),
        target: DeviceTarget::Printer,
        lines: lines.clone(),
    };
    check_debug("Event::Output", &format!("{event:?}"));
    let xml = format!(
        "<DeviceRequest RequestType=\"Output\" WorkstationID=\"POS1\" RequestID=\"7\"><Output OutDeviceTarget=\"Printer\"><TextLine>  Card   {SPACED}</TextLine><TextLine>  PAN {PAN}</TextLine><TextLine>  Amount   EUR 12.50</TextLine></Output></DeviceRequest>"
    );
    let message = Message::parse(xml.as_bytes()).expect("a device request");
    check_debug("DeviceRequest", &format!("{message:?}"));
    // What the app prints is the terminal's text, untouched.
    assert_eq!(receipt.plain_text_lines()[0], format!("  Card   {SPACED}"));
    assert_eq!(receipt.plain_text_lines()[1], format!("  PAN {PAN}"));
}

// Properties.

/// A card number of 13 to 19 digits with a single space or dash, or nothing, between any two.
fn grouped_pan() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0u8..10, 13..=19),
        prop::collection::vec(prop::sample::select(vec!["", "", "", " ", "-"]), 18),
    )
        .prop_map(|(digits, gaps)| {
            let mut pan = String::new();
            for (index, digit) in digits.iter().enumerate() {
                if index > 0 {
                    pan.push_str(gaps[index - 1]);
                }
                pan.push(char::from(b'0' + digit));
            }
            pan
        })
}

/// Text around a card number: no digits (so every digit of the output is the card's), no `k` or
/// `K` (so no `Track`/`Token` element turns the text into a removal notice), some XML and spacing.
fn surrounding() -> impl Strategy<Value = String> {
    "[a-jl-zA-JL-Z <>/=\"'.:,;()_\n€é-]{0,120}"
}

/// Ordinary payment text: labelled amounts, dates, times and ids.
fn payment_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..100_000, 0u32..100).prop_map(|(e, c)| format!("{e}.{c:02}")),
        (1u32..1000, 0u32..1000, 0u32..100).prop_map(|(t, u, c)| format!("-{t} {u:03},{c:02}")),
        (2000u32..2100, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (1u32..32, 1u32..13, 2000u32..2100).prop_map(|(d, m, y)| format!("{d:02}-{m:02}-{y}")),
        (
            2000u32..2100,
            1u32..13,
            1u32..32,
            0u32..24,
            0u32..60,
            0u32..60
        )
            .prop_map(|(y, mo, d, h, mi, s)| format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")),
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        "[0-9]{8}",
        "[0-9]{6}",
        "[1-9][0-9]{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_mask_or_cut_leaves_more_than_first_six_last_four(
        pan in grouped_pan(),
        before in surrounding(),
        after in surrounding(),
        cut in 0usize..400,
    ) {
        let text = format!("{before}{pan}{after}");
        for shown in [
            mask_digit_runs(&text),
            mask_card_data(&text),
            masked_preview(text.as_bytes(), cut),
        ] {
            prop_assert!(at_most_first_six_last_four(&shown, &pan), "{pan:?} in {text:?} → {shown:?}");
        }
    }

    #[test]
    fn payment_text_passes_unchanged(
        fields in prop::collection::vec(("[A-Z][a-z]{1,8}", payment_value()), 1..8),
        joints in prop::collection::vec(prop::sample::select(vec![", ", "\n", "  ", " | "]), 8),
    ) {
        let text = fields
            .iter()
            .zip(&joints)
            .map(|((label, value), joint)| format!("{label}: {value}{joint}"))
            .collect::<String>();
        prop_assert_eq!(&mask_digit_runs(&text), &text);
        prop_assert_eq!(&mask_card_data(&text), &text);
        prop_assert_eq!(&masked_preview(text.as_bytes(), usize::MAX), &text);
    }
}
