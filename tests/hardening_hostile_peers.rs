//! Hostile peers against the real tokio transport while a payment runs: a 4 GB length prefix, a
//! sender that trickles one byte at a time, 1,000 concurrent connections to the channel-1
//! listener, connections from an address that is not the terminal, XML with a DTD and entity
//! declarations, 100,000 nested elements, invalid UTF-8 and a DeviceRequest for a device the POS
//! does not have. Each gets a typed diagnostic (or a refusal), memory stays bounded (a counting
//! allocator measures the whole process), and the running payment completes with every receipt.

#[allow(dead_code)]
#[path = "../fuzz/src/meter.rs"]
mod meter;

mod hardening_support;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hardening_support::proxy::{Direction, Fault, FaultKind};
use hardening_support::recorder::{Callback, Recorder, WAIT};
use hardening_support::{sale, Pos};
use mapi::client::{PaymentService, TerminalService};
use mapi::message::codec::{encode_frame, FrameDecoder};
use mapi::message::{
    CardRequestType, CardServiceRequest, DeviceTarget, Message, OverallResult, RequestId,
    TotalAmount,
};
use mapi::session::{Diagnostic, Event, Request, Session, SessionConfig};
use mapi::simulator::{
    RunStep, Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle, Stage,
};
use mapi::transport::{Endpoint, Transport};
use mapi::{Dialect, MapiError, SocketMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

#[global_allocator]
static METER: meter::Meter = meter::Meter::new();

/// Memory is measured for the whole process: these tests run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const TERMINAL_IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const STRANGER_IP: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const PAYMENT_ID: &str = "4711";

/// Every event the transport produced, waitable.
#[derive(Default)]
struct Events {
    log: Mutex<Vec<Event>>,
    changed: Condvar,
}

impl Events {
    fn push(&self, event: Event) {
        self.log.lock().unwrap().push(event);
        self.changed.notify_all();
    }

    fn all(&self) -> Vec<Event> {
        self.log.lock().unwrap().clone()
    }

    fn wait_for(&self, what: &str, mut matches: impl FnMut(&Event) -> bool) -> Event {
        let deadline = Instant::now() + WAIT;
        let mut log = self.log.lock().unwrap();
        loop {
            if let Some(found) = log.iter().find(|e| matches(e)) {
                return found.clone();
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("no {what} in {:#?}", *log));
            log = self.changed.wait_timeout(log, left).unwrap().0;
        }
    }

    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.all()
            .into_iter()
            .filter_map(|e| match e {
                Event::Diagnostic(d) => Some(d),
                _ => None,
            })
            .collect()
    }
}

/// The real transport (dual socket, channel-1 listener on loopback) driven on a tokio runtime,
/// with a simulated terminal that holds its payment at the card until released.
struct Till {
    runtime: tokio::runtime::Runtime,
    simulator: SimulatorHandle,
    events: Arc<Events>,
    listen: SocketAddr,
    _start: mpsc::UnboundedSender<Request>,
}

impl Till {
    fn new(idle: Duration) -> Till {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
        config.script = Script::hold();
        let simulator = Simulator::spawn(config).unwrap();
        let endpoint = Endpoint {
            terminal: simulator.address(),
            listen: Some(SocketAddr::new(TERMINAL_IP, 0)),
            connect_timeout: Duration::from_secs(3),
            inbound_idle_timeout: idle,
            max_inbound_connections: 8,
        };
        let session = Session::new(SessionConfig::new(Dialect::OpiNl, "POS1"));
        let mut transport = runtime
            .block_on(Transport::start(session, endpoint))
            .expect("listener");
        let listen = transport.listen_address().expect("dual socket listens");
        simulator.set_pos_address(listen);
        let events = Arc::new(Events::default());
        let (start, mut requests) = mpsc::unbounded_channel::<Request>();
        let sink = events.clone();
        runtime.spawn(async move {
            loop {
                tokio::select! {
                    request = requests.recv() => match request {
                        Some(request) => {
                            transport.start_request(request);
                        }
                        None => return,
                    },
                    event = transport.next_event() => sink.push(event),
                }
            }
        });
        let mut payment = CardServiceRequest::new(
            CardRequestType::CardPayment,
            "POS1",
            RequestId::from(PAYMENT_ID),
        );
        payment.total_amount = Some(TotalAmount::new("12.50".parse().unwrap(), "EUR"));
        start.send(Request::Card(payment)).unwrap();
        simulator
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
            .expect("the payment waits for the card");
        Till {
            runtime,
            simulator,
            events,
            listen,
            _start: start,
        }
    }

    /// Lets the cardholder finish; the payment must complete with every device output delivered.
    fn complete_payment(&self) {
        self.simulator.release(Stage::CardPresented);
        self.simulator.release(Stage::Completion);
        let finished = self
            .events
            .wait_for("payment outcome", |e| matches!(e, Event::Finished { .. }));
        match finished {
            Event::Finished {
                outcome: Ok(response),
                ..
            } => {
                assert_eq!(response.request_id().as_str(), PAYMENT_ID);
                assert_eq!(response.overall_result(), &OverallResult::Success);
            }
            other => panic!("the payment was affected: {other:?}"),
        }
        let targets: HashSet<DeviceTarget> = self
            .events
            .all()
            .into_iter()
            .filter_map(|e| match e {
                Event::Output {
                    request_id, target, ..
                } if request_id.as_str() == PAYMENT_ID => Some(target),
                _ => None,
            })
            .collect();
        for wanted in [
            DeviceTarget::CashierDisplay,
            DeviceTarget::Printer,
            DeviceTarget::PrinterReceipt,
            DeviceTarget::EJournal,
        ] {
            assert!(targets.contains(&wanted), "{wanted} lost: {targets:?}");
        }
        let failed = self
            .simulator
            .event_log()
            .into_iter()
            .filter(|e| matches!(e, SimEvent::DeviceRequestFailed { .. }))
            .count();
        assert_eq!(
            failed, 0,
            "every device request of the terminal was answered"
        );
    }
}

impl Drop for Till {
    fn drop(&mut self) {
        self.simulator.shutdown();
    }
}

async fn connect_from(source: IpAddr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    socket.connect(to).await
}

/// Reads one frame; `None` when the POS closed the connection instead.
async fn read_message(stream: &mut TcpStream) -> Option<Message> {
    let mut decoder = FrameDecoder::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Ok(Some(payload)) = decoder.next_frame() {
            return Some(Message::parse(&payload).expect("the POS sends valid OPI"));
        }
        match tokio::time::timeout(WAIT, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return None,
            Ok(Ok(n)) => decoder.push(&buffer[..n]),
            Err(_) => panic!("the POS neither answered nor closed"),
        }
    }
}

/// A DeviceRequest for the cashier display, with `body` spliced in as the request's content.
fn device_request(sequence: u32, target: &str, text: &[u8]) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><DeviceRequest RequestType=\"Output\" WorkstationID=\"POS1\" \
         RequestID=\"{PAYMENT_ID}\" SequenceID=\"{sequence}\"><Output OutDeviceTarget=\"{target}\"><TextLine>"
    )
    .into_bytes();
    xml.extend_from_slice(text);
    xml.extend_from_slice(b"</TextLine></Output></DeviceRequest>");
    xml
}

/// Sends a harmless probe and returns the first answer: responses come in order, so an answer to
/// the probe first proves the frames before it got none.
async fn probe(stream: &mut TcpStream, sequence: u32) -> Message {
    let frame = encode_frame(&device_request(sequence, "CashierDisplay", b"probe")).unwrap();
    stream.write_all(&frame).await.unwrap();
    read_message(stream).await.expect("the probe is answered")
}

fn sequence_of(message: &Message) -> String {
    match message {
        Message::DeviceResponse(r) => r.sequence_id.clone().unwrap_or_default(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn four_gigabyte_length_on_channel_1_closes_that_connection_and_the_payment_completes() {
    let _serial = serial();
    let till = Till::new(Duration::from_secs(30));
    let before = METER.reset();
    till.runtime.block_on(async {
        let mut stream = connect_from(TERMINAL_IP, till.listen).await.unwrap();
        let mut bytes = vec![0xFF, 0xFF, 0xFF, 0xFF];
        bytes.extend(std::iter::repeat_n(b'A', 64 * 1024));
        let _ = stream.write_all(&bytes).await;
        assert!(
            read_message(&mut stream).await.is_none(),
            "the POS hangs up"
        );
    });
    let framing = till.events.wait_for("framing diagnostic", |e| {
        matches!(e, Event::Diagnostic(Diagnostic::FramingError { .. }))
    });
    let text = format!("{framing:?}");
    assert!(
        text.contains("4294967295") && text.contains("exceeds the limit"),
        "{text}"
    );
    let used = METER.peak() - before;
    eprintln!("peak memory above the start of the attack: {used} bytes");
    assert!(
        used < 16 * 1024 * 1024,
        "{used} bytes for a 4 GB length prefix"
    );
    till.complete_payment();
}

#[test]
fn four_gigabyte_length_on_channel_0_ends_the_payment_for_recovery_without_allocating() {
    let _serial = serial();
    // The terminal's final answer replaced by a 4 GB length prefix and garbage.
    let mut garbage = vec![0xFF, 0xFF, 0xFF, 0xFF];
    garbage.extend(std::iter::repeat_n(0x3C, 100_000));
    let fault = Fault {
        connection: 0,
        direction: Direction::ToPos,
        frame: 4,
        kind: FaultKind::Replace(garbage),
    };
    let pos = Pos::new(
        "huge-ch0",
        Dialect::OpiNl,
        SocketMode::SingleSocket,
        Script::success(),
        vec![fault],
    );
    let before = METER.reset();
    let payment = Recorder::new();
    PaymentService::with_engine(&pos.engine).payment(&pos.terminal, sale(), payment.clone());
    match payment.wait_final() {
        Callback::Error(error) => {
            assert_eq!(error.mapi_error, Some(MapiError::TerminalConnectionLost));
            assert!(error.recovery_needed);
            assert!(
                error.detail.contains("exceeds the limit"),
                "{}",
                error.detail
            );
        }
        other => panic!("{other:?}"),
    }
    let used = METER.peak() - before;
    eprintln!("peak memory above the start of the attack: {used} bytes");
    assert!(
        used < 32 * 1024 * 1024,
        "{used} bytes for a 4 GB length prefix"
    );
    let recovery = Recorder::new();
    TerminalService::with_engine(&pos.engine).recover_payment(&pos.terminal, recovery.clone());
    assert!(matches!(recovery.wait_final(), Callback::PaymentSuccess(r) if r.recovered));
}

#[test]
fn a_sender_trickling_bytes_on_channel_1_is_cut_off_at_the_idle_bound() {
    let _serial = serial();
    let idle = Duration::from_millis(600);
    let till = Till::new(idle);
    let (held_for, sent) = till.runtime.block_on(async {
        let mut stream = connect_from(TERMINAL_IP, till.listen).await.unwrap();
        let frame = encode_frame(&device_request(1, "CashierDisplay", &[b'x'; 4000])).unwrap();
        let started = Instant::now();
        let mut sent = 0usize;
        // One byte per 50 ms — 12 times faster than the idle bound, so a timer that restarts on
        // every read would never fire; the POS must still hang up within the bound.
        let mut pace = tokio::time::interval(Duration::from_millis(50));
        for byte in &frame {
            pace.tick().await;
            if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
                break;
            }
            sent += 1;
            let mut probe = [0u8; 1];
            match tokio::time::timeout(Duration::ZERO, stream.read(&mut probe)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                _ => {}
            }
            if started.elapsed() > idle * 6 {
                break;
            }
        }
        (started.elapsed(), sent)
    });
    assert!(
        held_for < idle * 4,
        "a trickling sender held a channel-1 slot for {held_for:?} ({sent} bytes) with an idle bound of {idle:?}"
    );
    assert!(
        !till
            .events
            .all()
            .iter()
            .any(|e| matches!(e, Event::Output { lines, .. } if lines.iter().any(|l| l.text.starts_with("xxx")))),
        "the trickled request never completed"
    );
    till.complete_payment();
}

#[test]
fn a_thousand_connections_to_channel_1_keep_memory_bounded_and_the_payment_completes() {
    let _serial = serial();
    let till = Till::new(Duration::from_secs(30));
    let before = METER.reset();
    let held = till.runtime.block_on(async {
        let mut held = Vec::new();
        for index in 0..1000 {
            // Half from the terminal's own address (the worst case: they pass the address
            // check), half from another one.
            let source = if index % 2 == 0 {
                TERMINAL_IP
            } else {
                STRANGER_IP
            };
            if let Ok(stream) = connect_from(source, till.listen).await {
                held.push(stream);
            }
        }
        held
    });
    assert!(held.len() >= 900, "{} connections opened", held.len());
    // While all of them are open, the cardholder finishes.
    till.complete_payment();
    let used = METER.peak() - before;
    eprintln!("peak memory above the start of the attack: {used} bytes");
    assert!(
        used < 64 * 1024 * 1024,
        "{used} bytes for 1,000 connections"
    );
    drop(held);
}

#[test]
fn connections_from_another_address_are_refused_and_never_reach_the_session() {
    let _serial = serial();
    let till = Till::new(Duration::from_secs(30));
    till.runtime.block_on(async {
        let mut stream = connect_from(STRANGER_IP, till.listen).await.unwrap();
        let frame = encode_frame(&device_request(9, "CashierDisplay", b"from a stranger")).unwrap();
        let _ = stream.write_all(&frame).await;
        assert!(read_message(&mut stream).await.is_none(), "refused");
        // The terminal's own address still gets answers.
        let mut terminal = connect_from(TERMINAL_IP, till.listen).await.unwrap();
        assert_eq!(sequence_of(&probe(&mut terminal, 10).await), "10");
    });
    assert!(
        !till
            .events
            .all()
            .iter()
            .any(|e| matches!(e, Event::Output { lines, .. } if lines.iter().any(|l| l.text == "from a stranger"))),
        "nothing from 127.0.0.2 reached the app"
    );
    till.complete_payment();
}

#[test]
fn dtds_deep_nesting_invalid_utf8_and_unknown_devices_get_typed_diagnostics() {
    let _serial = serial();
    let till = Till::new(Duration::from_secs(30));
    let before = METER.reset();
    till.runtime.block_on(async {
        let mut stream = connect_from(TERMINAL_IP, till.listen).await.unwrap();
        // Billion laughs: a DTD with nested entity declarations.
        let mut laughs = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">".to_vec();
        for level in 1..10 {
            let previous = if level == 1 {
                "lol".to_owned()
            } else {
                format!("lol{}", level - 1)
            };
            laughs.extend(
                format!(
                    "<!ENTITY lol{level} \"{}\">",
                    format!("&{previous};").repeat(10)
                )
                .into_bytes(),
            );
        }
        laughs.extend(b"]>");
        laughs.extend(device_request(1, "CashierDisplay", b"&lol9;"));
        stream
            .write_all(&encode_frame(&laughs).unwrap())
            .await
            .unwrap();
        assert_eq!(
            sequence_of(&probe(&mut stream, 2).await),
            "2",
            "no answer to a DTD"
        );

        // 100,000 nested elements.
        let deep = device_request(
            3,
            "CashierDisplay",
            &[b"<a>".repeat(100_000), b"</a>".repeat(100_000)].concat(),
        );
        stream
            .write_all(&encode_frame(&deep).unwrap())
            .await
            .unwrap();
        assert_eq!(
            sequence_of(&probe(&mut stream, 4).await),
            "4",
            "no answer to deep XML"
        );

        // Invalid UTF-8 (ISO-8859-1 bytes under no declaration) is read as ISO-8859-1.
        let latin1 = device_request(5, "CashierDisplay", b"K\xE4se \xFF\xFE");
        stream
            .write_all(&encode_frame(&latin1).unwrap())
            .await
            .unwrap();
        match read_message(&mut stream).await {
            Some(Message::DeviceResponse(r)) => {
                assert_eq!(r.sequence_id.as_deref(), Some("5"));
                assert_eq!(r.overall_result, OverallResult::Success);
            }
            other => panic!("{other:?}"),
        }

        // A device the POS does not have.
        let hologram = device_request(6, "Hologram", b"3D receipt");
        stream
            .write_all(&encode_frame(&hologram).unwrap())
            .await
            .unwrap();
        match read_message(&mut stream).await {
            Some(Message::DeviceResponse(r)) => {
                assert_eq!(r.sequence_id.as_deref(), Some("6"));
                assert_eq!(r.overall_result, OverallResult::DeviceUnavailable);
                assert_eq!(r.outputs.len(), 1);
                assert_eq!(r.outputs[0].result, OverallResult::DeviceUnavailable);
            }
            other => panic!("{other:?}"),
        }
    });
    let used = METER.peak() - before;
    eprintln!("peak memory above the start of the attack: {used} bytes");
    assert!(used < 16 * 1024 * 1024, "{used} bytes for hostile XML");

    let diagnostics = till.events.diagnostics();
    let unparsable: Vec<&String> = diagnostics
        .iter()
        .filter_map(|d| match d {
            Diagnostic::UnparsableMessage { error, .. } => Some(error),
            _ => None,
        })
        .collect();
    assert!(
        unparsable.iter().any(|e| e.contains("DOCTYPE")),
        "{diagnostics:?}"
    );
    assert!(
        unparsable.iter().any(|e| e.contains("nest deeper")),
        "{diagnostics:?}"
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| matches!(d, Diagnostic::UnknownDevice { target, .. } if target == "Hologram")),
        "{diagnostics:?}"
    );
    let shown: Vec<String> = till
        .events
        .all()
        .into_iter()
        .filter_map(|e| match e {
            Event::Output { lines, .. } => {
                Some(lines.into_iter().map(|l| l.text).collect::<String>())
            }
            _ => None,
        })
        .collect();
    assert!(shown.iter().any(|t| t == "Käse ÿþ"), "{shown:?}");
    assert!(
        !shown.iter().any(|t| t.contains("lol")),
        "no entity was expanded"
    );
    till.complete_payment();
}
