//! Card-data hygiene: full flows at trace log level while the terminal sends an UNMASKED 19-digit
//! PAN, all three tracks and a card token (the fault proxy writes them into every card service
//! response the simulator sends). No log line of the process and no `Debug` form the app can
//! print may contain the full PAN, any track or the token; the PAN shows masked to first 6 /
//! last 4, the tracks as "redacted". The app itself still receives the values intact. The same
//! holds for card numbers the terminal puts on receipt and display lines, grouped or not.

mod hardening_support;
#[path = "support/pay.rs"]
mod pay;

use std::sync::Arc;

use hardening_support::logger;
use hardening_support::proxy::{Direction, Rewrite};
use hardening_support::recorder::{Callback, Recorder, WAIT};
use hardening_support::{sale, Pos};
use mapi::client::{PaymentService, TerminalService};
use mapi::message::Response;
use mapi::message::{CardNumber, CardValue, Message, Secret, TextLine};
use mapi::simulator::{RunStep, Script, SimEvent};
use mapi::{Dialect, SocketMode};
use pay::pay_binary;

const PAN: &str = "6789012345678901234";
const MASKED: &str = "678901*********1234";
const TRACK1: &str = "%B6789012345678901234^HOLDER/CARD^27121010000000000000?";
const TRACK2: &str = ";6789012345678901234=27121010000000000?";
const TRACK3: &str = ";016789012345678901234=000000000000000000000000000?";
const TOKEN: &str = "tok_9f8e7d6c5b4a3f2e1d0c";

/// Puts clear card data into every CardServiceResponse: the authorisation's CardPAN, a CardValue
/// with PAN and tracks, and a card token in an element the model does not know.
fn with_card_data() -> Rewrite {
    Arc::new(|payload: &[u8]| {
        let Ok(Message::CardServiceResponse(mut response)) = Message::parse(payload) else {
            return payload.to_vec();
        };
        if let Some(authorisation) = response
            .tender
            .as_mut()
            .and_then(|tender| tender.authorisation.as_mut())
        {
            authorisation.card_pan = Some(CardNumber(PAN.to_owned()));
        }
        response.card_value = Some(CardValue {
            card_circuit: Some("MAESTRO".to_owned()),
            card_pan: Some(CardNumber(PAN.to_owned())),
            expiry_date: Some("2712".to_owned()),
            track1: Some(Secret(TRACK1.to_owned())),
            track2: Some(Secret(TRACK2.to_owned())),
            track3: Some(Secret(TRACK3.to_owned())),
        });
        let xml = Message::CardServiceResponse(response)
            .to_xml()
            .expect("serialises");
        xml.replace(
            "</CardServiceResponse>",
            &format!("<CardToken>{TOKEN}</CardToken></CardServiceResponse>"),
        )
        .into_bytes()
    })
}

/// Everything that must never be printed: the PAN (and any 11 of its digits in a row, more than
/// the 6 + 4 a mask shows), the tracks and the token.
fn leaks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for secret in [PAN, TRACK1, TRACK2, TRACK3, TOKEN, "6789012345678901234="] {
        if text.contains(secret) {
            found.push(secret.to_owned());
        }
    }
    for start in 0..=PAN.len() - 11 {
        let window = &PAN[start..start + 11];
        if text.contains(window) {
            found.push(format!("PAN digits {window}"));
        }
    }
    found
}

fn pos(name: &str, mode: SocketMode, script: Script) -> Pos {
    logger::install();
    let pos = Pos::new(name, Dialect::OpiNl, mode, script, Vec::new());
    pos.proxy.set_rewrite(Direction::ToPos, with_card_data());
    pos
}

/// The app got the clear values (the rewrite worked), but every `Debug` form of what it got
/// shows the PAN masked and the tracks redacted.
fn check_what_the_app_saw(recorder: &Recorder, response: &Response) {
    let Response::Card(card) = response else {
        panic!("a card response: {response:?}");
    };
    let value = card.card_value.as_ref().expect("card data reached the app");
    assert_eq!(value.card_pan.as_ref().map(CardNumber::expose), Some(PAN));
    assert_eq!(value.track2.as_ref().map(Secret::expose), Some(TRACK2));
    let debug = recorder.debug_lines().join("\n");
    assert!(debug.contains(MASKED), "the masked PAN is shown: {debug}");
    assert!(debug.contains("redacted"), "tracks are redacted: {debug}");
    assert_eq!(leaks(&debug), Vec::<String>::new(), "{debug}");
    let message = format!("{:?}", Message::CardServiceResponse(card.clone()));
    assert_eq!(leaks(&message), Vec::<String>::new(), "{message}");
}

fn check_the_log() {
    let lines = logger::lines();
    assert!(
        lines.iter().any(|l| l.starts_with("DEBUG")),
        "logging at debug/trace level was on"
    );
    let leaked: Vec<(String, Vec<String>)> = lines
        .iter()
        .map(|line| (line.clone(), leaks(line)))
        .filter(|(_, found)| !found.is_empty())
        .collect();
    assert!(leaked.is_empty(), "card data in the log: {leaked:#?}");
}

#[test]
fn approved_and_declined_payments_never_log_the_pan_tracks_or_token() {
    for (mode, script) in [
        (SocketMode::SingleSocket, Script::success()),
        (SocketMode::DualSocket, Script::success()),
        (SocketMode::SingleSocket, Script::declined()),
    ] {
        let pos = pos("card-payment", mode, script);
        let payment = Recorder::new();
        PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
        let result = match payment.wait_final() {
            Callback::PaymentSuccess(r) | Callback::PaymentError(r) => r,
            other => panic!("{other:?}"),
        };
        check_what_the_app_saw(&payment, result.response.as_ref().expect("answer"));
        pos.settle();
    }
    check_the_log();
}

#[test]
fn a_recovered_payment_never_logs_the_pan_tracks_or_token() {
    let pos = pos(
        "card-recovery",
        SocketMode::SingleSocket,
        Script::close_after_authorisation(),
    );
    let payment = Recorder::new();
    PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
    assert!(matches!(payment.wait_final(), Callback::Error(e) if e.recovery_needed));
    pos.simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .expect("the terminal finished");
    let recovery = Recorder::new();
    TerminalService::with_engine(&pos.engine).recover_payment(&pos.terminal, recovery.clone());
    match recovery.wait_final() {
        Callback::PaymentSuccess(result) => {
            assert!(result.recovered);
            check_what_the_app_saw(&recovery, result.response.as_ref().expect("answer"));
        }
        other => panic!("{other:?}"),
    }
    pos.settle();
    check_the_log();
}

#[test]
fn an_aborted_payment_and_its_abort_never_log_the_pan_tracks_or_token() {
    let pos = pos(
        "card-abort",
        SocketMode::SingleSocket,
        Script::abort_window(),
    );
    let service = PaymentService::with_engine(&pos.engine);
    let payment = Recorder::new();
    service.payment(&pos.terminal, sale(), payment.clone());
    pos.simulator
        .wait_for(
            |e| {
                matches!(
                    e,
                    SimEvent::StageReached {
                        step: RunStep::AwaitingCard,
                        ..
                    }
                )
            },
            WAIT,
        )
        .expect("waiting for the card");
    let abort = Recorder::new();
    service.abort(&pos.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    match payment.wait_final() {
        Callback::PaymentError(result) => {
            check_what_the_app_saw(&payment, result.response.as_ref().expect("answer"))
        }
        other => panic!("{other:?}"),
    }
    let debug = abort.debug_lines().join("\n");
    assert_eq!(leaks(&debug), Vec::<String>::new(), "{debug}");
    pos.settle();
    check_the_log();
}

#[test]
fn broken_messages_carrying_card_data_never_log_it() {
    logger::install();
    // What a parse error could echo: card data around the point where the XML breaks.
    let broken: Vec<Vec<u8>> = vec![
        format!("<CardServiceResponse RequestType=\"CardSwipe\" RequestID=\"1\" WorkstationID=\"POS1\" OverallResult=\"Success\"><CardValue><CardPAN>{PAN}</CardPAN><Track2>{TRACK2}</Track2></CardValue>").into_bytes(),
        format!("<CardServiceResponse RequestType=\"CardSwipe\" RequestID=\"1\" WorkstationID=\"POS1\" OverallResult=\"Success\"><CardValue><CardPAN>{PAN}</CardPANX><Track1>{TRACK1}</Track1></CardValue></CardServiceResponse>").into_bytes(),
        format!("<CardServiceResponse RequestType=\"CardSwipe\" RequestID=\"1\" WorkstationID=\"POS1\"><CardValue><CardPAN>{PAN}</CardPAN></CardValue><CardToken>{TOKEN}</CardToken></CardServiceResponse>").into_bytes(),
        format!("<CardServiceResponse RequestType=\"CardSwipe\" RequestID=\"1\" WorkstationID=\"POS1\" OverallResult=\"Success\"><Tender><Authorisation CardPAN=\"{PAN}\" CardPAN=\"{PAN}\"/></Tender></CardServiceResponse>").into_bytes(),
        format!("<CardServiceResponse RequestType=\"CardSwipe\" RequestID=\"1\" WorkstationID=\"POS1\" OverallResult=\"Success\"><Tender><TotalAmount Currency=\"EUR\">{PAN}x</TotalAmount></Tender><CardValue><Track3>{TRACK3}</Track3></CardValue></CardServiceResponse>").into_bytes(),
    ];
    for bytes in &broken {
        let error = Message::parse(bytes).expect_err("broken on purpose");
        let text = format!("{error} / {error:?}");
        assert_eq!(leaks(&text), Vec::<String>::new(), "{text}");
    }
    // The same frames as the terminal's answer: the session logs what it makes of them.
    for bytes in broken {
        let pos = pos("card-broken", SocketMode::SingleSocket, Script::success());
        pos.proxy.set_rewrite(
            Direction::ToPos,
            Arc::new(move |payload: &[u8]| {
                if payload.windows(19).any(|w| w == b"CardServiceResponse") {
                    bytes.clone()
                } else {
                    payload.to_vec()
                }
            }),
        );
        let mut terminal = pos.terminal.clone();
        terminal.timeouts.request = std::time::Duration::from_millis(800);
        let payment = Recorder::new();
        PaymentService::with_engine(&pos.engine).payment(&terminal, sale(), payment.clone());
        assert!(matches!(payment.wait_final(), Callback::Error(e) if e.recovery_needed));
        let debug = payment.debug_lines().join("\n");
        assert_eq!(leaks(&debug), Vec::<String>::new(), "{debug}");
    }
    check_the_log();
}

/// The PAN as a receipt groups it for reading.
const GROUPED: &str = "6789 0123 4567 8901 234";

/// Adds clear card numbers, grouped and plain, to every text the terminal sends for a display,
/// a printer or the journal.
fn with_card_numbers_in_lines() -> Rewrite {
    Arc::new(|payload: &[u8]| {
        let Ok(Message::DeviceRequest(mut request)) = Message::parse(payload) else {
            return payload.to_vec();
        };
        for output in &mut request.outputs {
            output
                .lines
                .push(TextLine::new(&format!("  Kaart  {GROUPED}")));
            output.lines.push(TextLine::new(&format!("  PAN    {PAN}")));
        }
        Message::DeviceRequest(request)
            .to_xml()
            .expect("serialises")
            .into_bytes()
    })
}

/// Pieces of 7 digits of the PAN in `text` once spaces and dashes are gone: more than the first
/// 6 a mask shows, grouped or not.
fn grouped_leaks(text: &str) -> Vec<String> {
    let joined: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
    (1..=PAN.len() - 7)
        .map(|start| PAN[start..start + 7].to_owned())
        .filter(|piece| joined.contains(piece.as_str()))
        .collect()
}

#[test]
fn card_numbers_on_receipts_and_displays_reach_the_app_but_no_debug_form_or_log() {
    logger::install();
    let pos = Pos::new(
        "card-lines",
        Dialect::OpiNl,
        SocketMode::SingleSocket,
        Script::success(),
        Vec::new(),
    );
    pos.proxy
        .set_rewrite(Direction::ToPos, with_card_numbers_in_lines());
    let payment = Recorder::new();
    PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
    assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
    pos.settle();
    // The printer and the displays get the terminal's text as it was sent.
    let printed: Vec<String> = payment
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Callback::MerchantReceipt(lines) | Callback::CustomerReceipt(lines) => Some(lines),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        printed.contains(&format!("  Kaart  {GROUPED}")),
        "{printed:?}"
    );
    assert!(printed.contains(&format!("  PAN    {PAN}")), "{printed:?}");
    assert!(payment
        .display_lines()
        .contains(&format!("  Kaart  {GROUPED}")));
    // Their Debug forms show it masked. The e-journal reaches the app as a plain string (what the
    // recorder shows of it is the app's own formatting, not a form of ours), so it is left out.
    let debug = payment
        .debug_lines()
        .into_iter()
        .filter(|line| !line.starts_with('"'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(debug.contains("6789 01** **** ***1 234"), "{debug}");
    assert!(debug.contains(MASKED), "{debug}");
    assert_eq!(grouped_leaks(&debug), Vec::<String>::new(), "{debug}");
    let leaked: Vec<String> = logger::lines()
        .into_iter()
        .filter(|line| !grouped_leaks(line).is_empty())
        .collect();
    assert!(leaked.is_empty(), "card numbers in the log: {leaked:#?}");
}

#[test]
fn pay_prints_receipt_and_display_lines_with_card_numbers_masked() {
    let pos = Pos::new(
        "pay-card-lines",
        Dialect::OpiNl,
        SocketMode::SingleSocket,
        Script::success(),
        Vec::new(),
    );
    pos.proxy
        .set_rewrite(Direction::ToPos, with_card_numbers_in_lines());
    let output = std::process::Command::new(pay_binary())
        .args(["--host", "127.0.0.1", "--port"])
        .arg(pos.proxy.address().port().to_string())
        .args(["--socket-mode", "single", "--state-dir"])
        .arg(&pos.state_dir)
        .output()
        .expect("pay runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\"payment_success\""), "{stdout}");
    assert!(stdout.contains("\"receipt\""), "{stdout}");
    let digits: String = stdout.chars().filter(char::is_ascii_digit).collect();
    assert!(
        !stdout.contains(PAN) && !stdout.contains(GROUPED) && !digits.contains(PAN),
        "a card number in clear in pay's output: {stdout}"
    );
    assert!(
        stdout.contains(MASKED),
        "the masked form is printed: {stdout}"
    );
}
