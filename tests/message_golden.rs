//! Golden OPI messages (tests/data/golden): every file must parse, survive a round trip through
//! our own XML and through the frame codec at any split, and a few fields are checked by value.
//! The error half checks that hostile or broken input gives a typed error, never a panic.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use mapi::message::abort::{self, AbortDisplay};
use mapi::message::codec::{encode_frame, FrameDecoder, FrameError, DEFAULT_MAX_FRAME_LEN};
use mapi::message::*;
use proptest::prelude::*;

/// Every golden file with what it says: root element, RequestType, RequestID.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("card_service_request_payment.xml",               "CardServiceRequest", "CardPayment",              "1042"),
    ("card_service_request_refund.xml",                "CardServiceRequest", "PaymentRefund",            "1047"),
    ("card_service_request_reversal.xml",              "CardServiceRequest", "PaymentReversal",          "1048"),
    ("card_service_request_preauthorisation.xml",      "CardServiceRequest", "CardPreAuthorisation",     "1049"),
    ("card_service_request_financial_advice.xml",      "CardServiceRequest", "CardFinancialAdvice",      "1050"),
    ("card_service_request_ticket_reprint.xml",        "CardServiceRequest", "TicketReprint",            "1051"),
    ("card_service_request_repeat_last_message.xml",   "CardServiceRequest", "RepeatLastMessage",        "1052"),
    ("card_service_request_abort.xml",                 "CardServiceRequest", "AbortRequest",             "1044"),
    ("card_service_request_abort_silent.xml",          "CardServiceRequest", "AbortRequest",             "1046"),
    ("card_service_response_payment_de.xml",           "CardServiceResponse","CardPayment",              "1042"),
    ("card_service_response_payment_prefixed.xml",     "CardServiceResponse","CardPayment",              "1042"),
    ("card_service_response_payment_aborted.xml",      "CardServiceResponse","CardPayment",              "1043"),
    ("card_service_response_abort_success.xml",        "CardServiceResponse","AbortRequest",             "1044"),
    ("card_service_response_abort_failure.xml",        "CardServiceResponse","AbortRequest",             "1046"),
    ("card_service_response_repeat_last_message.xml",  "CardServiceResponse","RepeatLastMessage",        "1052"),
    ("card_service_response_card_read.xml",            "CardServiceResponse","CardSwipe",                "1053"),
    ("service_request_login.xml",                      "ServiceRequest",     "Login",                    "2000"),
    ("service_request_diagnosis.xml",                  "ServiceRequest",     "Diagnosis",                "2001"),
    ("service_request_reconciliation.xml",             "ServiceRequest",     "Reconciliation",           "2002"),
    ("service_request_reconciliation_with_closure.xml","ServiceRequest",     "ReconciliationWithClosure","2003"),
    ("service_request_repeat_last_message.xml",        "ServiceRequest",     "RepeatLastMessage",        "2004"),
    ("service_request_abort.xml",                      "ServiceRequest",     "AbortRequest",             "1043"),
    ("service_response_login.xml",                     "ServiceResponse",    "Login",                    "2000"),
    ("service_response_diagnosis_loggedout.xml",       "ServiceResponse",    "Diagnosis",                "2001"),
    ("service_response_reconciliation.xml",            "ServiceResponse",    "ReconciliationWithClosure","2003"),
    ("device_request_cashier_display.xml",             "DeviceRequest",      "Output",                   "1043"),
    ("device_request_customer_display.xml",            "DeviceRequest",      "Output",                   "1042"),
    ("device_request_printer_merchant_receipt.xml",    "DeviceRequest",      "Output",                   "1042"),
    ("device_request_printer_receipt_customer.xml",    "DeviceRequest",      "Output",                   "1042"),
    ("device_request_ejournal.xml",                    "DeviceRequest",      "Output",                   "1042"),
    ("device_request_input_confirmation.xml",          "DeviceRequest",      "Input",                    "1042"),
    ("device_response_output_success.xml",             "DeviceResponse",     "Output",                   "1042"),
    ("device_response_input_confirmed.xml",            "DeviceResponse",     "Input",                    "1042"),
    ("card_service_request_payment_nl_attributes.xml", "CardServiceRequest", "CardPayment",              "7"),
    ("card_service_request_payment_nl_elements.xml",   "CardServiceRequest", "CardPayment",              "P418205517"),
    ("card_service_request_abort_running_id.xml",      "CardServiceRequest", "AbortRequest",             "7"),
    ("card_service_request_abort_referenced.xml",      "CardServiceRequest", "AbortRequest",             "1045"),
    ("service_request_get_status.xml",                 "ServiceRequest",     "GetStatus",                "P418205521"),
    ("service_request_get_card_circuits.xml",          "ServiceRequest",     "GetCardCircuits",          "3"),
    ("service_response_get_card_circuits.xml",         "ServiceResponse",    "GetCardCircuits",          "3"),
    ("card_service_response_payment_de_payment_amount.xml","CardServiceResponse","CardPayment",          "88"),
];

const NAMESPACE: &str = "http://www.nrf-arts.org/IXRetail/namespace";

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

fn golden_bytes(name: &str) -> Vec<u8> {
    std::fs::read(golden_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn golden(name: &str) -> Message {
    Message::parse(&golden_bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Takes one message kind out of a [`Message`], so `load` can return it typed.
trait Kind: Sized {
    fn take(message: Message) -> Option<Self>;
}

macro_rules! kind {
    ($($variant:ident),*) => {$(
        impl Kind for $variant {
            fn take(message: Message) -> Option<Self> {
                match message {
                    Message::$variant(m) => Some(m),
                    _ => None,
                }
            }
        }
    )*};
}
kind!(CardServiceRequest, CardServiceResponse);
kind!(ServiceRequest, ServiceResponse);
kind!(DeviceRequest, DeviceResponse);

/// The golden file `name`, which must hold the message kind `T`.
fn load<T: Kind>(name: &str) -> T {
    T::take(golden(name)).unwrap_or_else(|| panic!("{name} is another kind of message"))
}

fn texts(output: &Output) -> Vec<&str> {
    output.lines.iter().map(|line| line.text.as_str()).collect()
}

fn amount(total: Option<TotalAmount>) -> String {
    total.expect("TotalAmount").value.to_string()
}

#[test]
fn golden_directory_holds_exactly_the_files_of_the_expectation_table() {
    let dir = std::fs::read_dir(golden_dir()).expect("golden directory");
    let on_disk: BTreeSet<String> = dir
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".xml"))
        .collect();
    let listed: BTreeSet<String> = EXPECTED.iter().map(|e| e.0.to_owned()).collect();
    assert_eq!(listed.len(), EXPECTED.len(), "a file is listed twice");
    assert_eq!(on_disk, listed);
}

#[test]
fn every_golden_message_has_the_root_type_and_request_id_the_file_says() {
    for &(name, root, request_type, id) in EXPECTED {
        let m = golden(name);
        let got = [m.root_name(), m.request_type(), m.request_id().as_str()];
        assert_eq!(got, [root, request_type, id], "{name}");
    }
}

#[test]
fn every_golden_message_round_trips_through_xml() {
    for &(name, ..) in EXPECTED {
        let first = golden(name);
        let xml = first.to_xml().unwrap_or_else(|e| panic!("{name}: {e}"));
        let second = Message::parse(xml.as_bytes());
        assert_eq!(second.as_ref(), Ok(&first), "{name} changed:\n{xml}");
        let again = second.unwrap().to_xml().unwrap();
        assert_eq!(again, xml, "{name}: serialising is not stable");
    }
}

#[test]
fn payment_request_keeps_exact_amount_and_pos_data() {
    let request: CardServiceRequest = load("card_service_request_payment.xml");
    let total = request.total_amount.clone().expect("TotalAmount");
    assert_eq!(total.currency.as_deref(), Some("EUR"));
    assert_eq!(amount(request.total_amount), "12.50");
    let pos = request.pos_data.expect("POSdata");
    assert_eq!(pos.pos_timestamp.as_deref(), Some("2024-02-09T09:36:36"));
    assert_eq!(pos.language(), Some("de"));
    assert_eq!(request.pop_id.as_deref(), Some("001"));
    let advice: CardServiceRequest = load("card_service_request_financial_advice.xml");
    assert_eq!(amount(advice.total_amount), "0.00");
}

#[test]
fn spelling_variants_are_read_into_one_field_and_written_canonically() {
    let refund: CardServiceRequest = load("card_service_request_refund.xml");
    assert_eq!(refund.workstation_id, "POS1", "WorkStationID");
    let pos = refund.pos_data.clone().expect("POSData");
    assert_eq!(pos.pos_timestamp.as_deref(), Some("2024-02-09T10:12:03"));
    assert_eq!(pos.transaction_number.as_deref(), Some("T-77"));
    let xml = Message::CardServiceRequest(refund).to_xml().unwrap();
    assert!(xml.contains("<POSdata>"), "{xml}");
    assert!(xml.contains(r#" WorkstationID="POS1""#), "{xml}");
    assert!(!xml.contains("POSData"), "{xml}");

    let status: ServiceResponse = load("service_response_diagnosis_loggedout.xml");
    assert_eq!(status.overall_result, OverallResult::LoggedOut);
    assert_eq!(status.workstation_id, "POS2");
}

#[test]
fn reversal_names_the_original_transaction_by_stan() {
    let reversal: CardServiceRequest = load("card_service_request_reversal.xml");
    let original = reversal.original_transaction.expect("OriginalTransaction");
    assert_eq!(original.stan.as_deref(), Some("29"));
}

#[test]
fn payment_response_keeps_stan_zeros_and_private_error_data() {
    let response: CardServiceResponse = load("card_service_response_payment_de.xml");
    assert_eq!(response.overall_result, OverallResult::Success);
    let terminal = response.terminal.expect("Terminal");
    assert_eq!(terminal.stan.as_deref(), Some("021601"));
    assert_eq!(terminal.terminal_id.as_deref(), Some("68276185"));

    let prefixed: CardServiceResponse = load("card_service_response_payment_prefixed.xml");
    let private = prefixed.private_data.expect("PrivateData");
    assert_eq!(private.error_code.as_deref(), Some("0"));
    assert_eq!(private.error_text.as_deref(), Some("Zahlung erfolgt"));
    assert_eq!(private.card_verification_method.as_deref(), Some("NoCVM"));

    let aborted: CardServiceResponse = load("card_service_response_payment_aborted.xml");
    assert_eq!(aborted.overall_result, OverallResult::Aborted);
    let private = aborted.private_data.expect("PrivateData");
    assert_eq!(private.error_code.as_deref(), Some("105"));
    let want = "Vorgang abgebrochen \u{2013} Zahlung nicht m\u{f6}glich";
    assert_eq!(private.error_text.as_deref(), Some(want));
}

#[test]
fn authorisation_before_or_after_total_amount_gives_the_same_tender() {
    let before: CardServiceResponse = load("card_service_response_payment_de.xml");
    let after: CardServiceResponse = load("card_service_response_payment_prefixed.xml");
    let tender = before.tender.clone().expect("Tender");
    let auth = tender.authorisation.expect("Authorisation");
    assert_eq!(auth.approval_code.as_deref(), Some("123456"));
    assert_eq!(auth.acquirer_id.as_deref(), Some("undefined"));
    assert_eq!(auth.timestamp.as_deref(), Some("2024-02-09T09:36:28-00:00"));
    assert_eq!(amount(tender.total_amount), "12.50");
    assert_eq!(before.tender, after.tender);
}

#[test]
fn card_numbers_and_track_data_never_show_in_debug_output() {
    let read: CardServiceResponse = load("card_service_response_card_read.xml");
    let card = read.card_value.clone().expect("CardValue");
    let pan = card.card_pan.expect("CardPAN");
    assert_eq!(pan.expose(), "6759000000001234567");
    let track2 = card.track2.expect("Track2");
    assert_eq!(track2.expose(), ";6759000000001234567=27121010000000000?");
    assert_eq!(card.expiry_date.as_deref(), Some("2712"));
    let debug = format!("{:?}", Message::CardServiceResponse(read));
    assert!(debug.contains("675900*********4567"), "{debug}");
    assert!(!debug.contains("6759000000001234567"), "{debug}");
    assert!(!debug.contains("27121010"), "track data leaked: {debug}");

    let payment = format!("{:?}", golden("card_service_response_payment_de.xml"));
    assert!(!payment.contains("6789012345678901234"), "{payment}");
    assert!(payment.contains("678901*********1234"), "{payment}");
}

/// Reads a golden file that must really be ISO-8859-1 bytes (not valid UTF-8).
fn latin1_file(name: &str, declared: &str) -> DeviceRequest {
    let raw = golden_bytes(name);
    let declaration = format!(r#"<?xml version="1.0" encoding="{declared}"?>"#);
    assert!(raw.starts_with(declaration.as_bytes()), "{name}");
    assert!(std::str::from_utf8(&raw).is_err(), "{name}: not Latin-1");
    load(name)
}

#[test]
fn receipt_lines_keep_leading_spaces_and_latin1_letters() {
    let merchant = latin1_file("device_request_printer_merchant_receipt.xml", "ISO-8859-1");
    assert_eq!(merchant.outputs.len(), 1);
    assert_eq!(merchant.outputs[0].target, DeviceTarget::Printer);
    let lines = texts(&merchant.outputs[0]);
    assert_eq!(lines.len(), 12);
    assert_eq!(lines[0], "      H\u{e4}ndlerbeleg");
    assert_eq!(lines[1], "   B\u{e4}ckerei M\u{fc}ller");
    assert_eq!(lines[2], "   Hauptstra\u{df}e 12, 10115 Berlin");
    assert_eq!(lines[3], "");
    assert_eq!(lines[9], "Betrag EUR             12,50");
    assert_eq!(lines[11], "  Bitte Beleg aufbewahren  ");
    let bold = merchant.outputs[0].lines[7].char_style.as_deref();
    assert_eq!(bold, Some("Bold"));

    let display = latin1_file("device_request_customer_display.xml", "ISO-8859-1");
    assert_eq!(display.outputs[0].target, DeviceTarget::CustomerDisplay);
    assert_eq!(texts(&display.outputs[0])[1], "Bitte Karte einf\u{fc}hren");
    assert_eq!(display.outputs[0].lines[0].erase.as_deref(), Some("true"));

    let customer = latin1_file("device_request_printer_receipt_customer.xml", "UTF-8");
    assert_eq!(customer.outputs[0].target, DeviceTarget::PrinterReceipt);
    let lines = texts(&customer.outputs[0]);
    assert_eq!(lines[0], "       Kundenbeleg");
    assert_eq!(lines[4], "  Geb\u{fc}hr EUR              0,00");
    assert_eq!(lines[5], "   Vielen Dank, Gr\u{fc}\u{df}e!");
}

#[test]
fn silent_abort_flag_is_read_only_from_the_silent_request() {
    let display = |private: Option<PrivateData>| abort::is_silent(private.as_ref());
    let silent: CardServiceRequest = load("card_service_request_abort_silent.xml");
    assert_eq!(display(silent.private_data), AbortDisplay::Silent);
    let normal: CardServiceRequest = load("card_service_request_abort.xml");
    assert_eq!(display(normal.private_data), AbortDisplay::Normal);
    let service: ServiceRequest = load("service_request_abort.xml");
    assert_eq!(display(service.private_data), AbortDisplay::Normal);

    let id = RequestId::from(9);
    let built = abort::abort_request("POS1", id, None, None, AbortDisplay::Silent);
    let xml = Message::CardServiceRequest(built).to_xml().unwrap();
    let again = CardServiceRequest::take(Message::parse(xml.as_bytes()).unwrap());
    assert_eq!(display(again.unwrap().private_data), AbortDisplay::Silent);
}

#[test]
fn repeat_last_message_answer_names_the_original_request() {
    let answer: CardServiceResponse = load("card_service_response_repeat_last_message.xml");
    assert_eq!(answer.request_type, CardRequestType::RepeatLastMessage);
    let header = answer.original_header.expect("OriginalHeader");
    assert_eq!(header.request_id, Some(RequestId::from("1042")));
    assert_eq!(header.request_type.as_deref(), Some("CardPayment"));
    assert_eq!(header.overall_result, Some(OverallResult::Success));
}

#[test]
fn reconciliation_totals_keep_counts_per_card_circuit() {
    let response: ServiceResponse = load("service_response_reconciliation.xml");
    let stamp = response.authorisation.and_then(|a| a.timestamp);
    assert_eq!(stamp.as_deref(), Some("2024-02-09T18:02:11-00:00"));
    let totals = response.reconciliation.expect("Reconciliation").totals;
    let rows: Vec<String> = totals
        .iter()
        .map(|t| {
            let (c, n, p) = (&t.card_circuit, &t.number_payments, &t.payment_type);
            format!("{c:?} {n:?} {p:?} {} {:?}", t.value, t.currency)
        })
        .collect();
    let want = [
        r#"Some("GIROCARD") Some("12") Some("Debit") 231.40 Some("EUR")"#,
        r#"Some("MAESTRO") Some("3") Some("Debit") 47.95 Some("EUR")"#,
        r#"Some("VISA") Some("1") Some("Credit") 7.95 Some("EUR")"#,
    ];
    assert_eq!(rows, want);
    let login: ServiceResponse = load("service_response_login.xml");
    let merchant = login.terminal.and_then(|t| t.merchant_id);
    assert_eq!(merchant.as_deref(), Some("455600"));
}

#[test]
fn device_requests_reach_each_target_and_the_cashier_answer_is_read() {
    let journal: DeviceRequest = load("device_request_ejournal.xml");
    assert_eq!(journal.outputs[0].target, DeviceTarget::EJournal);
    assert_eq!(texts(&journal.outputs[0])[2], "  result: approved & stored");

    let thales: DeviceRequest = load("device_request_cashier_display.xml");
    assert_eq!(thales.outputs[0].target, DeviceTarget::CashierDisplay);
    assert_eq!(thales.application_sender.as_deref(), Some("Thales-OPI"));
    assert_eq!(thales.sequence_id.as_deref(), Some("4"));
    let line = &thales.outputs[0].lines[0];
    let place = [&line.row, &line.column, &line.timeout].map(|a| a.as_deref());
    assert_eq!(place, [Some("0"), Some("0"), Some("3")]);
    assert_eq!(line.text, "Aborted");

    let question: DeviceRequest = load("device_request_input_confirmation.xml");
    let input = question.input.expect("Input");
    assert_eq!(input.target, DeviceTarget::CashierKeyboard);
    let command = input.command.expect("Command");
    assert_eq!(command.command, "GetConfirmation");
    assert_eq!(command.timeout.as_deref(), Some("60"));

    let answer: DeviceResponse = load("device_response_input_confirmed.xml");
    assert_eq!(answer.sequence_id.as_deref(), Some("6"));
    let input = answer.input.expect("Input");
    assert_eq!(input.result, OverallResult::Success);
    assert_eq!(input.value.and_then(|v| v.boolean), Some(true));
}

/// All golden files framed in table order, with zero-length frames after every third.
struct GoldenStream {
    bytes: Vec<u8>,
    payloads: Vec<Vec<u8>>,
    messages: Vec<Message>,
}

fn golden_stream() -> &'static GoldenStream {
    static STREAM: OnceLock<GoldenStream> = OnceLock::new();
    STREAM.get_or_init(|| {
        let mut bytes = encode_frame(b"").unwrap();
        let (mut payloads, mut messages) = (Vec::new(), Vec::new());
        for (i, &(name, ..)) in EXPECTED.iter().enumerate() {
            let payload = golden_bytes(name);
            bytes.extend(encode_frame(&payload).unwrap());
            if i % 3 == 2 {
                bytes.extend(encode_frame(b"").unwrap());
            }
            messages.push(golden(name));
            payloads.push(payload);
        }
        GoldenStream {
            bytes,
            payloads,
            messages,
        }
    })
}

/// Feeds the chunks in order and returns every payload, checking the stream ends cleanly.
fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Vec<u8>> {
    let mut decoder = FrameDecoder::new();
    let mut payloads = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        while let Some(payload) = decoder.next_frame().expect("a valid stream") {
            payloads.push(payload);
        }
    }
    assert_eq!(decoder.finish(), Ok(()));
    payloads
}

fn parse_all(payloads: &[Vec<u8>]) -> Vec<Message> {
    let parse = |p: &Vec<u8>| Message::parse(p).expect("a golden payload");
    payloads.iter().map(parse).collect()
}

#[test]
fn framed_golden_stream_decodes_at_every_two_part_split() {
    let stream = golden_stream();
    let whole = decode([stream.bytes.as_slice()]);
    assert_eq!(parse_all(&whole), stream.messages);
    for cut in 0..=stream.bytes.len() {
        let (head, tail) = stream.bytes.split_at(cut);
        // Equal payload bytes parse to equal messages; comparing bytes keeps this loop fast.
        let payloads = decode([head, tail]);
        assert!(payloads == stream.payloads, "split at byte {cut}");
    }
}

#[test]
fn framed_golden_stream_decodes_one_byte_at_a_time() {
    let stream = golden_stream();
    assert_eq!(parse_all(&decode(stream.bytes.chunks(1))), stream.messages);
}

proptest! {
    #[test]
    fn framed_golden_stream_decodes_at_random_splits(
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..40)
    ) {
        let stream = golden_stream();
        let len = stream.bytes.len();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(len + 1)).collect();
        cuts.extend([0, len]);
        cuts.sort_unstable();
        let chunks = cuts.windows(2).map(|w| &stream.bytes[w[0]..w[1]]);
        prop_assert_eq!(&parse_all(&decode(chunks)), &stream.messages);
    }
}

#[test]
fn bare_xml_read_as_a_length_is_too_long() {
    let mut decoder = FrameDecoder::new();
    decoder.push(&golden_bytes("card_service_request_payment.xml"));
    let max = DEFAULT_MAX_FRAME_LEN;
    let too_long = FrameError::TooLong {
        len: 0x3C3F_786D,
        max,
    };
    assert_eq!(decoder.next_frame(), Err(too_long.clone()));
    assert_eq!(decoder.finish(), Err(too_long));
}

#[test]
fn stream_ending_inside_a_frame_is_truncated() {
    let payload = golden_bytes("device_response_output_success.xml");
    let frame = encode_frame(&payload).unwrap();
    let mut decoder = FrameDecoder::new();
    decoder.push(&frame[..frame.len() - 10]);
    assert_eq!(decoder.next_frame(), Ok(None));
    let (expected, received) = (payload.len(), payload.len() - 10);
    let truncated = FrameError::Truncated { expected, received };
    assert_eq!(decoder.finish(), Err(truncated));
}

fn parse_without_panic(input: &str) -> Result<Message, ParseError> {
    std::panic::catch_unwind(|| Message::parse(input.as_bytes()))
        .unwrap_or_else(|_| panic!("parse panicked on {input:?}"))
}

fn assert_parse_error(input: &str, expected: ParseError) {
    assert_eq!(parse_without_panic(input), Err(expected), "{input}");
}

#[test]
fn broken_payloads_give_typed_parse_errors() {
    let root = "CardServiceRequest";
    let missing = |attribute| ParseError::MissingAttribute { root, attribute };
    assert_parse_error("", ParseError::Empty);
    assert_parse_error("<?xml version=\"1.0\"?>\n <!-- -->\n", ParseError::Empty);
    let foo = r#"<Foo RequestID="1" RequestType="x"/>"#;
    assert_parse_error(foo, ParseError::UnknownRoot("Foo".into()));
    let no_id = r#"<CardServiceRequest RequestType="CardPayment" WorkstationID="P"/>"#;
    assert_parse_error(no_id, missing("RequestID"));
    let no_type = r#"<CardServiceRequest RequestID="1" WorkstationID="P"/>"#;
    assert_parse_error(no_type, missing("RequestType"));

    let head = r#"<CardServiceRequest RequestType="CardPayment" WorkstationID="P" RequestID="1">"#;
    let tail = "</CardServiceRequest>";
    let dtd = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY lol "lol">]>"#;
    let doctype =
        format!("{dtd}{head}<PrivateData><ErrorText>&lol;</ErrorText></PrivateData>{tail}");
    assert_parse_error(&doctype, ParseError::DoctypeNotAllowed);
    let deep = format!("{head}{}{}{tail}", "<a>".repeat(64), "</a>".repeat(64));
    let limit = xml::MAX_DEPTH;
    assert_parse_error(&deep, ParseError::TooDeep { limit });

    let comma = format!(r#"{head}<TotalAmount Currency="EUR">12,50</TotalAmount>{tail}"#);
    match parse_without_panic(&comma) {
        Err(ParseError::Invalid {
            root: "CardServiceRequest",
            reason,
        }) => {
            assert!(reason.contains("12,50"), "{reason}")
        }
        other => panic!("an amount with a comma gave {other:?}"),
    }
    let malformed = [
        head.to_owned(),
        format!("{head}</DeviceRequest>"),
        r#"<CardServiceRequest RequestID="1 RequestType="CardPayment"/>"#.to_owned(),
        format!("{head}{tail}<CardServiceRequest/>"),
    ];
    for input in malformed {
        let result = parse_without_panic(&input);
        let is_malformed = matches!(result, Err(ParseError::Malformed { .. }));
        assert!(is_malformed, "{input}: {result:?}");
    }
}

fn display_text(payload: &[u8]) -> String {
    let message = Message::parse(payload).expect("Latin-1 text must parse");
    let request = DeviceRequest::take(message).expect("a DeviceRequest");
    request.outputs[0].lines[0].text.clone()
}

#[test]
fn latin1_text_is_read_whether_declared_or_not() {
    let body = "<DeviceRequest RequestID=\"7\" RequestType=\"Output\">\
        <Output OutDeviceTarget=\"CashierDisplay\"><TextLine>TEXT</TextLine></Output>\
        </DeviceRequest>";
    let frame = |declared: &str, text: &[u8]| {
        let xml = format!("<?xml version=\"1.0\" encoding=\"{declared}\"?>{body}");
        let (head, tail) = xml.split_once("TEXT").unwrap();
        [head.as_bytes(), text, tail.as_bytes()].concat()
    };
    // Invalid UTF-8 under a UTF-8 declaration falls back to ISO-8859-1.
    let text = display_text(&frame("UTF-8", b"Gr\xFC\xDFe aus K\xF6ln"));
    assert_eq!(text, "Gr\u{fc}\u{df}e aus K\u{f6}ln");
    // "ß" + no-break space is also valid UTF-8 (U+07E0): only the declaration tells them apart.
    let text = display_text(&frame("ISO-8859-1", b"Stra\xDF\xA012"));
    assert_eq!(text, "Stra\u{df}\u{a0}12");
}

fn payment_request(amount: &str) -> Message {
    let id = RequestId::from(1042);
    let mut request = CardServiceRequest::new(CardRequestType::CardPayment, "POS1", id);
    request.total_amount = Some(TotalAmount::new(amount.parse().unwrap(), "EUR"));
    Message::CardServiceRequest(request)
}

#[test]
fn built_request_serialises_with_declaration_namespace_and_exact_attribute_names() {
    let message = payment_request("12.50");
    let xml = message.to_xml().unwrap();
    let declaration = r#"<?xml version="1.0" encoding="UTF-8"?><CardServiceRequest "#;
    assert!(xml.starts_with(declaration), "{xml}");
    let namespace = format!(" xmlns=\"{NAMESPACE}\"");
    let names = [
        " RequestType=\"CardPayment\"",
        " WorkstationID=\"POS1\"",
        " RequestID=\"1042\"",
    ];
    for attribute in names.into_iter().chain([namespace.as_str()]) {
        assert!(xml.contains(attribute), "{attribute} missing in {xml}");
    }
    let total = r#"<TotalAmount Currency="EUR">12.50</TotalAmount>"#;
    assert!(xml.contains(total), "{xml}");
    assert_eq!(Message::parse(xml.as_bytes()), Ok(message.clone()));
    let frame = message.to_frame().unwrap();
    assert_eq!(frame[..4], (xml.len() as u32).to_be_bytes());
    assert_eq!(&frame[4..], xml.as_bytes());
}

#[test]
fn amount_keeps_the_digits_it_was_given() {
    let amount: Amount = "12.5".parse().unwrap();
    assert_eq!(amount.to_string(), "12.5");
    let xml = payment_request("12.5").to_xml().unwrap();
    assert!(xml.contains(">12.5</TotalAmount>"), "{xml}");
    assert!("12,5".parse::<Amount>().is_err());
}

/// Where each golden file's shape comes from: `tests/data/golden/PROVENANCE.tsv`, one row per
/// file (file, origin, source, note). Origin is `public` (the shape — elements, attributes, order,
/// encoding — is seen in the named public source; the file itself is written here) or
/// `constructed` (our own picture, no public source).
fn provenance() -> Vec<(String, String, String)> {
    let text =
        std::fs::read_to_string(golden_dir().join("PROVENANCE.tsv")).expect("PROVENANCE.tsv");
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            assert_eq!(
                columns.len(),
                4,
                "PROVENANCE.tsv row needs 4 tab-separated columns: {line}"
            );
            (
                columns[0].to_owned(),
                columns[1].to_owned(),
                columns[2].to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_golden_file_says_where_its_shape_comes_from() {
    let rows = provenance();
    let named: BTreeSet<String> = rows.iter().map(|r| r.0.clone()).collect();
    assert_eq!(named.len(), rows.len(), "a file has two provenance rows");
    let listed: BTreeSet<String> = EXPECTED.iter().map(|e| e.0.to_owned()).collect();
    assert_eq!(named, listed, "PROVENANCE.tsv and the golden files differ");
    for (file, origin, source) in &rows {
        match origin.as_str() {
            "public" => assert!(
                !source.is_empty() && source != "-",
                "{file}: public needs a source"
            ),
            "constructed" => assert_eq!(source, "-", "{file}: constructed names no source"),
            other => panic!("{file}: origin must be public or constructed, not {other}"),
        }
    }
}

#[test]
fn pos_data_fields_are_read_as_attributes_or_elements() {
    // CCV-FW's shape: LanguageCode and ShiftNumber as attributes, status elements after the time.
    let attributes: CardServiceRequest = load("card_service_request_payment_nl_attributes.xml");
    let pos = attributes.pos_data.expect("POSdata");
    assert_eq!((pos.language(), pos.shift()), (Some("nl"), Some("12")));
    assert_eq!(pos.printer_status.as_deref(), Some("PaperLow"));
    assert_eq!(pos.e_journal_status.as_deref(), Some("Available"));
    // NODE-NL's: LanguageCode attribute, ShiftNumber element, a JournalPrinterStatus too.
    let elements: CardServiceRequest = load("card_service_request_payment_nl_elements.xml");
    let pos = elements.pos_data.expect("POSdata");
    assert_eq!((pos.language(), pos.shift()), (Some("en"), Some("0")));
    assert_eq!(pos.journal_printer_status.as_deref(), Some("Available"));
    assert_eq!(amount(elements.total_amount), "7.95");
    // Our earlier element form is still read.
    let old: CardServiceRequest = load("card_service_request_payment.xml");
    assert_eq!(old.pos_data.expect("POSdata").language(), Some("de"));
}

#[test]
fn pos_data_is_written_in_the_form_asked() {
    use mapi::message::profile::FieldForm;
    let mut data = PosData::default();
    data.set_language(FieldForm::Attribute, "nl");
    data.set_shift(FieldForm::Attribute, "12");
    data.pos_timestamp = Some("2025-03-14T15:09:26".to_owned());
    data.printer_status = Some("Available".to_owned());
    data.e_journal_status = Some("Available".to_owned());
    let mut request = CardServiceRequest::new(CardRequestType::CardPayment, "KIOSK1", "7".into());
    request.pos_data = Some(data.clone());
    let xml = Message::CardServiceRequest(request.clone())
        .to_xml()
        .unwrap();
    let expected = concat!(
        r#"<POSdata LanguageCode="nl" ShiftNumber="12"><POSTimeStamp>2025-03-14T15:09:26</POSTimeStamp>"#,
        "<PrinterStatus>Available</PrinterStatus><E-JournalStatus>Available</E-JournalStatus></POSdata>"
    );
    assert!(xml.contains(expected), "{xml}");
    data.set_shift(FieldForm::Element, "12");
    data.set_language(FieldForm::Element, "nl");
    request.pos_data = Some(data);
    let xml = Message::CardServiceRequest(request).to_xml().unwrap();
    assert!(xml.contains("<POSdata><POSTimeStamp>2025-03-14T15:09:26</POSTimeStamp><ShiftNumber>12</ShiftNumber><LanguageCode>nl</LanguageCode>"), "{xml}");
}

#[test]
fn card_circuits_answer_gives_brand_codes_and_display_names() {
    let answer: ServiceResponse = load("service_response_get_card_circuits.xml");
    assert_eq!(answer.card_circuit_codes(), ["MAES", "ECMC", "VISA"]);
    assert_eq!(
        answer.card_circuits[0].display_name.as_deref(),
        Some("Maestro")
    );
    let asked: ServiceRequest = load("service_request_get_card_circuits.xml");
    assert_eq!(asked.request_type, ServiceRequestType::GetCardCircuits);
    let status: ServiceRequest = load("service_request_get_status.xml");
    assert_eq!(status.request_type, ServiceRequestType::GetStatus);
}

#[test]
fn payment_amount_attribute_of_total_amount_is_read() {
    let response: CardServiceResponse = load("card_service_response_payment_de_payment_amount.xml");
    let total = response
        .tender
        .and_then(|t| t.total_amount)
        .expect("TotalAmount");
    assert_eq!(total.value.to_string(), "45.80");
    assert_eq!(
        total.payment_amount.map(|a| a.to_string()).as_deref(),
        Some("45.80")
    );
}

#[test]
fn abort_request_ids_of_every_public_form_are_read() {
    let same: CardServiceRequest = load("card_service_request_abort_running_id.xml");
    assert_eq!(
        (same.request_id.as_str(), same.reference_request_id),
        ("7", None)
    );
    let referenced: CardServiceRequest = load("card_service_request_abort_referenced.xml");
    assert_eq!(
        referenced.reference_request_id.as_ref().map(|r| r.as_str()),
        Some("1042")
    );
}
