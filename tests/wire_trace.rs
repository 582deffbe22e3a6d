//! The masked wire trace, end to end over loopback: every frame of a flow (both directions, both
//! channels) recorded once and in order with card data masked, the size bound, off by default,
//! export, and replaying a recorded flow into a fresh terminal to reproduce the same outcome.

mod hardening_support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use hardening_support::logger;
use hardening_support::proxy::{Direction, Rewrite};
use hardening_support::recorder::{Callback, Recorder, WAIT};
use hardening_support::{sale, state_dir, test_timeouts, Pos};
use mapi::client::wire_trace::MIN_MAX_BYTES;
use mapi::client::{
    AdministrationResult, Delegate, Engine, InputAsk, PaymentReceipt, PaymentResult,
    PaymentService, SdkError, Terminal, WireTraceConfig, WireTraceError,
};
use mapi::message::masking::mask_card_data;
use mapi::message::xml::decode_text;
use mapi::message::{CardNumber, CardValue, ConfigItem, Message, Secret, TextLine};
use mapi::simulator::replay::{ReplayHandle, ReplayScript, ReplayTerminal};
use mapi::simulator::{Channel, RunStep, Script, SimEvent};
use mapi::{Dialect, SocketMode};
use serde_json::Value;

const PAN: &str = "6789012345678901234";
const MASKED: &str = "678901*********1234";
const TRACK2: &str = ";6789012345678901234=27121010000000000?";
const TOKEN: &str = "tok_9f8e7d6c5b4a3f2e1d0c";

/// Writes a clear PAN, track 2 and a card token into every CardServiceResponse the POS receives.
fn with_card_data() -> Rewrite {
    Arc::new(|payload: &[u8]| {
        let Ok(Message::CardServiceResponse(mut response)) = Message::parse(payload) else {
            return payload.to_vec();
        };
        response.card_value = Some(CardValue {
            card_circuit: Some("MAESTRO".to_owned()),
            card_pan: Some(CardNumber(PAN.to_owned())),
            expiry_date: Some("2712".to_owned()),
            track1: None,
            track2: Some(Secret(TRACK2.to_owned())),
            track3: None,
        });
        let xml = Message::CardServiceResponse(response).to_xml().unwrap();
        xml.replace(
            "</CardServiceResponse>",
            &format!("<CardToken>{TOKEN}</CardToken></CardServiceResponse>"),
        )
        .into_bytes()
    })
}

fn read_trace(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn of_type<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == kind).collect()
}

/// (direction, channel, root, RequestType) of a frame record, from its masked XML.
fn shape_of_frame(frame: &Value) -> (String, u64, String) {
    let message = Message::parse(frame["xml"].as_str().unwrap().as_bytes()).unwrap();
    (
        frame["dir"].as_str().unwrap().to_owned(),
        frame["channel"].as_u64().unwrap(),
        format!("{} {}", message.root_name(), message.request_type()),
    )
}

fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

fn trace_file(name: &str) -> PathBuf {
    state_dir(&format!("trace-{name}")).join("wire-trace.jsonl")
}

fn wait_step(pos: &Pos, wanted: RunStep) {
    pos.simulator
        .wait_for(
            |e| matches!(e, SimEvent::StageReached { step, .. } if *step == wanted),
            WAIT,
        )
        .unwrap_or_else(|| panic!("the simulator never reached {wanted:?}"));
}

#[test]
fn f1a_flow_records_every_frame_once_in_order_with_card_data_masked() {
    logger::install();
    let pos = Pos::new(
        "trace-f1a",
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::abort_window(),
        Vec::new(),
    );
    pos.proxy.set_rewrite(Direction::ToPos, with_card_data());
    let path = trace_file("f1a");
    pos.engine
        .set_wire_trace(Some(WireTraceConfig::new(&path)))
        .unwrap();
    let payments = PaymentService::with_engine(&pos.engine);
    let payment = Recorder::new();
    payments.payment(&pos.terminal, sale(), payment.clone());
    wait_step(&pos, RunStep::AwaitingCard);
    let abort = Recorder::new();
    payments.abort(&pos.terminal, abort.clone());
    assert!(matches!(
        abort.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(matches!(payment.wait_final(), Callback::PaymentError(_)));
    pos.settle();
    let exported = path.with_file_name("exported.jsonl");
    let copied = pos.engine.export_wire_trace(&exported).unwrap();
    pos.engine.set_wire_trace(None).unwrap();

    let records = read_trace(&path);
    assert_eq!(records[0]["type"], "header");
    assert_eq!(records[0]["format"], "mapi-wire-trace");
    assert_eq!(records.last().unwrap()["type"], "end");
    let frames = of_type(&records, "frame");
    // The settle() status request comes last; the F1A flow is everything before it.
    let shapes: Vec<(String, u64, String)> = frames.iter().map(|f| shape_of_frame(f)).collect();
    let expected = [
        ("pos_to_terminal", 0, "CardServiceRequest CardPayment"),
        ("terminal_to_pos", 1, "DeviceRequest Output"),
        ("pos_to_terminal", 1, "DeviceResponse Output"),
        ("pos_to_terminal", 0, "CardServiceRequest AbortRequest"),
        ("terminal_to_pos", 1, "DeviceRequest Output"),
        ("pos_to_terminal", 1, "DeviceResponse Output"),
        ("terminal_to_pos", 0, "CardServiceResponse CardPayment"),
        ("terminal_to_pos", 0, "CardServiceResponse AbortRequest"),
        ("pos_to_terminal", 0, "ServiceRequest GetStatus"),
        ("terminal_to_pos", 0, "ServiceResponse GetStatus"),
    ];
    let expected: Vec<(String, u64, String)> = expected
        .iter()
        .map(|(d, c, m)| (d.to_string(), *c, m.to_string()))
        .collect();
    assert_eq!(shapes, expected);
    // What the POS wrote is exactly what the terminal received, frame by frame, masked.
    let written: Vec<String> = frames
        .iter()
        .filter(|f| f["dir"] == "pos_to_terminal")
        .map(|f| f["xml"].as_str().unwrap().to_owned())
        .collect();
    let received: Vec<String> = pos
        .simulator
        .received()
        .iter()
        .map(|frame| mask_card_data(&decode_text(&frame.bytes)))
        .collect();
    assert_eq!(written, received);
    let seqs: Vec<u64> = records[1..records.len() - 1]
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] + 1 == w[1]), "{seqs:?}");
    for frame in &frames {
        for key in ["time", "offset_ms", "conn", "peer", "terminal", "bytes"] {
            assert!(!frame[key].is_null(), "{key} missing in {frame}");
        }
        assert!(frame["time"].as_str().unwrap().ends_with('Z'));
    }
    let opened = of_type(&records, "connection");
    assert!(opened
        .iter()
        .any(|c| c["event"] == "opened" && c["dialect"] == "nl"));

    // Card data: the responses carried a clear PAN, track 2 and a token; the file has none.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.matches(MASKED).count() >= 2, "{text}");
    assert!(longest_digit_run(&text) < 13, "a 13+ digit run in {text}");
    for secret in [PAN, TRACK2, TOKEN, "27121010000000000"] {
        assert!(!text.contains(secret), "{secret} in the trace");
    }
    // The export, taken while the trace ran, is the same file up to the closing line.
    let export = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(copied, export.len() as u64);
    assert!(
        text.starts_with(&export),
        "export is a prefix of the final file"
    );
}

#[test]
fn the_trace_stops_at_its_size_limit_and_says_so() {
    let pos = Pos::new(
        "trace-limit",
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::success(),
        Vec::new(),
    );
    let path = trace_file("limit");
    let config = WireTraceConfig::new(&path).with_max_bytes(MIN_MAX_BYTES);
    pos.engine.set_wire_trace(Some(config)).unwrap();
    let too_small = WireTraceConfig::new(&path).with_max_bytes(100);
    assert!(matches!(
        Engine::new().unwrap().set_wire_trace(Some(too_small)),
        Err(WireTraceError::LimitTooSmall(100))
    ));
    let payments = PaymentService::with_engine(&pos.engine);
    for _ in 0..6 {
        let payment = Recorder::new();
        payments.payment(&pos.terminal, sale(), payment.clone());
        assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
    }
    pos.settle();
    pos.engine.set_wire_trace(None).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= MIN_MAX_BYTES, "{size} bytes");
    let records = read_trace(&path);
    assert_eq!(of_type(&records, "limit").len(), 1);
    let end = records.last().unwrap();
    assert_eq!(end["type"], "end");
    assert!(end["omitted_after_limit"].as_u64().unwrap() > 0);
}

#[test]
fn no_trace_is_written_unless_enabled() {
    let pos = Pos::new(
        "trace-off",
        Dialect::OpiNl,
        SocketMode::DualSocket,
        Script::success(),
        Vec::new(),
    );
    let payment = Recorder::new();
    PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
    assert!(matches!(payment.wait_final(), Callback::PaymentSuccess(_)));
    let destination = pos.state_dir.join("export.jsonl");
    assert!(matches!(
        pos.engine.export_wire_trace(&destination),
        Err(WireTraceError::NothingRecorded)
    ));
    assert!(!destination.exists());
    let traces: Vec<_> = std::fs::read_dir(&pos.state_dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("jsonl"))
        .collect();
    assert!(traces.is_empty(), "{traces:?}");
}

/// A callback without what differs between runs (RequestIDs, timestamps, STANs).
fn shape(callback: &Callback) -> String {
    match callback {
        Callback::Display(lines) => format!("display {lines:?}"),
        Callback::CustomerDisplay(lines) => format!("customer display {lines:?}"),
        Callback::MerchantReceipt(_) => "merchant receipt".to_owned(),
        Callback::CustomerReceipt(_) => "customer receipt".to_owned(),
        Callback::EJournal(_) => "e-journal".to_owned(),
        Callback::SignatureAsked(prompt) | Callback::IdentificationAsked(prompt) => {
            format!("asked {prompt:?}")
        }
        Callback::PaymentSuccess(r) => format!("payment success {} {:?}", r.result, r.amount),
        Callback::PaymentError(r) => format!("payment error {} {:?}", r.result, r.amount),
        Callback::AdministrationSuccess(r) => format!("administration success {}", r.result),
        Callback::Error(e) => format!("error {:?} {:?}", e.mapi_error, e.result),
        other => format!("{other:?}"),
    }
}

fn shapes(recorder: &Recorder) -> Vec<String> {
    recorder.calls().iter().map(shape).collect()
}

/// A payment's delegate: records into `recorder` and lets the test wait until the app was shown a
/// display line. What the terminal observes cannot stand in for that: the engine answers a display
/// request (the terminal gets its DeviceResponse) before it hands the text to the delegates, and
/// an abort fired in between is registered first, so its delegate would be shown the text too.
struct ShownTo {
    recorder: Arc<Recorder>,
    lock: Mutex<()>,
    changed: Condvar,
}

impl ShownTo {
    fn new(recorder: &Arc<Recorder>) -> Arc<ShownTo> {
        Arc::new(ShownTo {
            recorder: recorder.clone(),
            lock: Mutex::new(()),
            changed: Condvar::new(),
        })
    }

    /// Returns once the app was shown `line` on the cashier display; panics after [`WAIT`].
    fn wait_shown(&self, line: &str) {
        let guard = self.lock.lock().unwrap();
        // The predicate runs under `lock`, which the callback takes after recording: no lost wakeup.
        let (_guard, timeout) = self
            .changed
            .wait_timeout_while(guard, WAIT, |_| {
                !self.recorder.display_lines().iter().any(|l| l == line)
            })
            .unwrap();
        assert!(
            !timeout.timed_out(),
            "the app was never shown {line:?}: {:?}",
            self.recorder.calls()
        );
    }
}

impl Delegate for ShownTo {
    fn show_terminal_output_lines(&self, lines: &[TextLine]) {
        self.recorder.show_terminal_output_lines(lines);
        let _guard = self.lock.lock().unwrap();
        self.changed.notify_all();
    }
    fn show_on_customer_display(&self, lines: &[TextLine]) {
        self.recorder.show_on_customer_display(lines)
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.recorder.print_merchant_receipt_and_signature(receipt)
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.recorder.print_customer_receipt_and_signature(receipt)
    }
    fn print_journal_receipt(&self, receipt: &PaymentReceipt) {
        self.recorder.print_journal_receipt(receipt)
    }
    fn store_ejournal(&self, text: &str) {
        self.recorder.store_ejournal(text)
    }
    fn print_dcc_offer(&self, receipt: &PaymentReceipt) {
        self.recorder.print_dcc_offer(receipt)
    }
    fn e_receipt(&self, content: &str) {
        self.recorder.e_receipt(content)
    }
    fn config_data(&self, items: &[ConfigItem]) {
        self.recorder.config_data(items)
    }
    fn card_uid(&self, uid: &str) {
        self.recorder.card_uid(uid)
    }
    fn ask_customer_signature(&self, ask: InputAsk) {
        self.recorder.ask_customer_signature(ask)
    }
    fn ask_customer_identification(&self, ask: InputAsk) {
        self.recorder.ask_customer_identification(ask)
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.recorder.on_payment_success(result)
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.recorder.on_payment_error(result)
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        self.recorder.on_payment_administration_success(result)
    }
    fn on_error(&self, error: &SdkError) {
        self.recorder.on_error(error)
    }
}

/// A POS engine pointed at a replay terminal.
fn replay_pos(
    trace: &Path,
    dialect: Dialect,
    mode: SocketMode,
) -> (ReplayHandle, Engine, Terminal) {
    let script = ReplayScript::from_file(trace).unwrap();
    assert!(script.exchanges() >= 1);
    assert_eq!(script.skipped(), 0);
    let replay = ReplayTerminal::spawn(script).unwrap();
    let engine = Engine::new().unwrap();
    let terminal = Terminal::new("127.0.0.1", dialect)
        .with_port(replay.address().port())
        .with_compatibility_port(0)
        .with_listen_ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .with_socket_mode(mode)
        .with_timeouts(test_timeouts())
        .with_workstation_id("REPLAY-LANE");
    if mode == SocketMode::DualSocket {
        let listen = engine.listen_address(&terminal, WAIT).unwrap().unwrap();
        replay.set_pos_address(listen);
    }
    (replay, engine, terminal)
}

#[test]
fn a_recorded_f1a_abort_replays_to_the_same_callbacks() {
    let (mode, dialect) = (SocketMode::DualSocket, Dialect::OpiNl);
    let pos = Pos::new(
        "trace-replay-f1a",
        dialect,
        mode,
        Script::abort_window(),
        Vec::new(),
    );
    let path = trace_file("replay-f1a");
    pos.engine
        .set_wire_trace(Some(WireTraceConfig::new(&path)))
        .unwrap();
    let payments = PaymentService::with_engine(&pos.engine);
    let (payment, abort) = (Recorder::new(), Recorder::new());
    let shown = ShownTo::new(&payment);
    payments.payment(&pos.terminal, sale(), shown.clone());
    wait_step(&pos, RunStep::AwaitingCard);
    // Both runs abort only once the app saw "Present card", so that display is the payment's
    // alone in both, whichever thread is faster.
    shown.wait_shown("Present card");
    payments.abort(&pos.terminal, abort.clone());
    abort.wait_final();
    payment.wait_final();
    pos.engine.set_wire_trace(None).unwrap();

    let (replay, engine, terminal) = replay_pos(&path, dialect, mode);
    let payments = PaymentService::with_engine(&engine);
    let (replayed_payment, replayed_abort) = (Recorder::new(), Recorder::new());
    let shown = ShownTo::new(&replayed_payment);
    payments.payment(&terminal, sale(), shown.clone());
    // The "Present card" display went out and the POS answered it: the card is awaited.
    replay
        .wait_for(
            |e| {
                matches!(
                    e,
                    SimEvent::FrameReceived {
                        channel: Channel::Channel1,
                        ..
                    }
                )
            },
            WAIT,
        )
        .expect("the replayed display request was answered");
    shown.wait_shown("Present card");
    payments.abort(&terminal, replayed_abort.clone());
    replayed_abort.wait_final();
    replayed_payment.wait_final();

    assert_eq!(shapes(&replayed_payment), shapes(&payment));
    assert_eq!(shapes(&replayed_abort), shapes(&abort));
    assert!(shapes(&abort)
        .last()
        .unwrap()
        .starts_with("administration success Success"));
    assert!(shapes(&payment)
        .last()
        .unwrap()
        .starts_with("payment error Aborted"));
    assert_eq!(replay.unmatched(), Vec::<String>::new());
    // The answers carried the live RequestIDs and workstation (the POS matched them).
    let Callback::PaymentError(live) = replayed_payment.finals().remove(0) else {
        panic!("payment error expected");
    };
    let request = replay.received()[0].message.clone().unwrap();
    assert_eq!(request.request_id(), &live.request_id);
}

#[test]
fn a_recorded_declined_payment_replays_to_the_same_callbacks_in_single_socket() {
    let (mode, dialect) = (SocketMode::SingleSocket, Dialect::OpiDe);
    let pos = Pos::new(
        "trace-replay-declined",
        dialect,
        mode,
        Script::declined(),
        Vec::new(),
    );
    let path = trace_file("replay-declined");
    pos.engine
        .set_wire_trace(Some(WireTraceConfig::new(&path)))
        .unwrap();
    let payment = Recorder::new();
    PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
    payment.wait_final();
    pos.engine.set_wire_trace(None).unwrap();
    let records = read_trace(&path);
    assert!(
        of_type(&records, "frame").iter().all(|f| f["channel"] == 0),
        "single socket: everything on channel 0"
    );

    let (replay, engine, terminal) = replay_pos(&path, dialect, mode);
    let replayed = Recorder::new();
    PaymentService::with_engine(&engine).payment(&terminal, sale(), replayed.clone());
    replayed.wait_final();
    assert_eq!(shapes(&replayed), shapes(&payment));
    assert!(shapes(&payment).contains(&"merchant receipt".to_owned()));
    assert!(shapes(&payment)
        .last()
        .unwrap()
        .starts_with("payment error Failure"));
    assert_eq!(replay.unmatched(), Vec::<String>::new());
    let answered = replay
        .received()
        .iter()
        .filter(|f| matches!(&f.message, Ok(Message::DeviceResponse(_))))
        .count();
    assert!(
        answered >= 3,
        "each replayed device request waited for its answer"
    );
}

#[test]
fn a_request_the_trace_does_not_know_gets_no_answer_and_is_reported() {
    let pos = Pos::new(
        "trace-replay-unmatched",
        Dialect::OpiNl,
        SocketMode::SingleSocket,
        Script::success(),
        Vec::new(),
    );
    let path = trace_file("replay-unmatched");
    pos.engine
        .set_wire_trace(Some(WireTraceConfig::new(&path)))
        .unwrap();
    pos.settle();
    pos.engine.set_wire_trace(None).unwrap();
    let (replay, engine, terminal) = replay_pos(&path, Dialect::OpiNl, SocketMode::SingleSocket);
    let payment = Recorder::new();
    PaymentService::with_engine(&engine).payment(&terminal, sale(), payment.clone());
    let Callback::Error(error) = payment.wait_final() else {
        panic!("a timeout expected");
    };
    assert!(error.recovery_needed);
    let unmatched = replay.unmatched();
    assert_eq!(unmatched.len(), 1);
    assert!(unmatched[0].contains("CardPayment"), "{unmatched:?}");
}
