//! Hostile terminal: a real payment through the Rust client API against a loopback "terminal"
//! that, once the payment request arrives, floods the POS for 5 s at line rate — on channel 0
//! (single socket: device requests the POS answers, frames that are not OPI, answers to requests
//! nobody made) or on channel 1 (dual socket: four connections of device requests and non-OPI
//! frames, reconnecting whenever the POS closes one) — and either reads what the POS writes or
//! never does. Then it answers the payment, if its connection is still there.
//!
//! Each scenario runs in a child process of its own (this binary with `--scenario NAME`), so its
//! peak RSS (VmHWM) is its own; the terminal runs inside that child too, so the figure includes
//! it. Checked for every scenario: the payment ends in exactly one outcome (after a status request
//! queued behind it has been answered, so a late second one would have arrived). Target: peak RSS
//! ≤ 32 MiB. `cargo bench --bench hostile`; `MAPI_HOSTILE_SECONDS` overrides the 5 s (a token
//! 0.3 s without `--bench`, as `cargo test --benches` runs it).

#[path = "common/mod.rs"]
mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use mapi::client::{
    AdministrationResult, Delegate, Engine, Payment, PaymentResult, PaymentService, SdkError,
    Terminal, TerminalService,
};
use mapi::message::codec::{encode_frame, FrameDecoder};
use mapi::message::{
    CardRequestType, CardServiceRequest, CardServiceResponse, Message, OverallResult, RequestId,
    ServiceResponse,
};
use mapi::{Dialect, SocketMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TARGET_KIB: u64 = 32 * 1024;
const WAIT: Duration = Duration::from_secs(60);
const CHANNEL_1_FLOODERS: usize = 4;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flood {
    Nothing,
    Channel0,
    Channel1,
}

struct Scenario {
    name: &'static str,
    flood: Flood,
    peer_reads: bool,
}

const SCENARIOS: [Scenario; 5] = [
    Scenario {
        name: "baseline",
        flood: Flood::Nothing,
        peer_reads: true,
    },
    Scenario {
        name: "ch0-reading",
        flood: Flood::Channel0,
        peer_reads: true,
    },
    Scenario {
        name: "ch0-not-reading",
        flood: Flood::Channel0,
        peer_reads: false,
    },
    Scenario {
        name: "ch1-reading",
        flood: Flood::Channel1,
        peer_reads: true,
    },
    Scenario {
        name: "ch1-not-reading",
        flood: Flood::Channel1,
        peer_reads: false,
    },
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(name) = args
        .iter()
        .position(|a| a == "--scenario")
        .and_then(|i| args.get(i + 1))
    {
        let scenario = SCENARIOS
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("unknown scenario {name}"));
        run_child(scenario);
        return;
    }
    let seconds = std::env::var("MAPI_HOSTILE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(if common::test_mode() { 0.3 } else { 5.0 });
    println!(
        "hostile terminal: {seconds} s flood per scenario, peak RSS of the whole process (VmHWM)"
    );
    let mut rows = Vec::new();
    let mut results = Vec::new();
    let mut failed = Vec::new();
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    for scenario in &SCENARIOS {
        let output = Command::new(std::env::current_exe().expect("own executable"))
            .args(["--scenario", scenario.name])
            .env("MAPI_HOSTILE_SECONDS", seconds.to_string())
            .output()
            .expect("scenario child runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let fields: Option<Vec<&str>> = stdout
            .lines()
            .find_map(|l| l.strip_prefix("HOSTILE "))
            .map(|line| line.splitn(5, ' ').collect());
        let Some([peak, flooded, answers, cuts, outcome]) = fields.as_deref() else {
            rows.push(format!(
                "{:<16} failed ({}): {}",
                scenario.name,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
            failed.push(scenario.name);
            continue;
        };
        let number = |text: &str| text.parse::<u64>().expect("a number from the child");
        let (peak, flooded, answers) = (number(peak), number(flooded), number(answers));
        rows.push(format!(
            "{:<16} {:>7.1} MiB {:>9.1} MiB {:>9.1} MiB {:>5}  {outcome}",
            scenario.name,
            peak as f64 / 1024.0,
            mib(flooded),
            mib(answers),
            cuts
        ));
        results.push((format!("hostile.{}.peak_rss_kib", scenario.name), peak));
        results.push((format!("hostile.{}.flooded_bytes", scenario.name), flooded));
        if peak > TARGET_KIB || !output.status.success() {
            failed.push(scenario.name);
        }
    }
    println!(
        "{:<16} {:>11} {:>13} {:>13} {:>5}  outcome",
        "scenario", "peak RSS", "flood taken", "answers read", "cuts"
    );
    for row in rows {
        println!("{row}");
    }
    println!(
        "target: peak RSS <= {} MiB and exactly one outcome per payment",
        TARGET_KIB / 1024
    );
    for (key, value) in results {
        common::report(&key, value);
    }
    if !failed.is_empty() {
        println!("MISSED: {}", failed.join(", "));
        std::process::exit(1);
    }
}

/// What the terminal did, for the report.
#[derive(Default)]
struct Tally {
    /// Bytes of flood the POS accepted.
    flooded: AtomicU64,
    /// Bytes of answers the terminal read (reading variants).
    answers: AtomicU64,
    /// Flood connections the POS closed.
    cuts: AtomicU64,
}

fn run_child(scenario: &Scenario) {
    let seconds: f64 = std::env::var("MAPI_HOSTILE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let flood_for = Duration::from_secs_f64(seconds);
    let mode = if scenario.flood == Flood::Channel1 {
        SocketMode::DualSocket
    } else {
        SocketMode::SingleSocket
    };
    let tally = Arc::new(Tally::default());
    let pos_listen = Arc::new(Mutex::new(None::<SocketAddr>));
    let (address_tx, address_rx) = mpsc::channel();
    let terminal_side = HostileTerminal {
        flood: scenario.flood,
        peer_reads: scenario.peer_reads,
        flood_for,
        tally: Arc::clone(&tally),
        pos_listen: Arc::clone(&pos_listen),
        paid: AtomicBool::new(false),
    };
    std::thread::Builder::new()
        .name("hostile-terminal".to_owned())
        .spawn(move || terminal_side.run(address_tx))
        .expect("terminal thread");
    let address: SocketAddr = address_rx.recv().expect("terminal address");

    let state = common::state_dir(&format!("hostile-{}", scenario.name));
    let engine = Engine::new().expect("engine starts");
    let terminal = Terminal::new("127.0.0.1", Dialect::OpiNl)
        .with_port(address.port())
        .with_compatibility_port(0)
        .with_listen_ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .with_socket_mode(mode)
        .with_state_dir(&state);
    if mode == SocketMode::DualSocket {
        let listen = engine
            .listen_address(&terminal, WAIT)
            .expect("channel-1 listener")
            .expect("dual socket listens");
        *pos_listen.lock().expect("lock") = Some(listen);
    }

    let (finals, outcomes) = mpsc::channel();
    let payment = Arc::new(Finals(Mutex::new(finals)));
    PaymentService::with_engine(&engine).payment(
        &terminal,
        Payment::sale("12.50".parse().expect("amount"), "EUR"),
        payment.clone(),
    );
    let report = |outcome: &str| {
        println!(
            "HOSTILE {} {} {} {} {outcome}",
            status_kib("VmHWM:"),
            tally.flooded.load(Ordering::Relaxed),
            tally.answers.load(Ordering::Relaxed),
            tally.cuts.load(Ordering::Relaxed),
        );
    };
    let Ok(outcome) = outcomes.recv_timeout(WAIT + flood_for) else {
        report(&format!("NO OUTCOME within {:?}", WAIT + flood_for));
        std::process::exit(2);
    };
    // A status request queues behind everything the payment left on the engine: once it is
    // answered, a second outcome of the payment would have arrived.
    let (status_tx, status_rx) = mpsc::channel();
    TerminalService::with_engine(&engine)
        .status(&terminal, Arc::new(Finals(Mutex::new(status_tx))));
    if status_rx.recv_timeout(WAIT).is_err() {
        report(&format!(
            "{outcome}; the status request after it never ended"
        ));
        std::process::exit(2);
    }
    let extra: Vec<String> = outcomes.try_iter().collect();
    let _ = std::fs::remove_dir_all(&state);
    if !extra.is_empty() {
        report(&format!("MORE THAN ONE OUTCOME: {outcome}, {extra:?}"));
        std::process::exit(2);
    }
    report(&outcome);
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix(field))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Sends each final callback, as one line, down a channel; other callbacks are ignored (the
/// flood's display lines go to the app like any other, and cost it nothing here).
struct Finals(Mutex<mpsc::Sender<String>>);

impl Finals {
    fn send(&self, line: String) {
        if let Ok(sender) = self.0.lock() {
            let _ = sender.send(line);
        }
    }
}

impl Delegate for Finals {
    fn on_payment_success(&self, r: &PaymentResult) {
        self.send(format!("payment {}", r.result));
    }
    fn on_payment_error(&self, r: &PaymentResult) {
        self.send(format!("payment {}", r.result));
    }
    fn on_payment_administration_success(&self, r: &AdministrationResult) {
        self.send(format!("administration {}", r.result));
    }
    fn on_error(&self, e: &SdkError) {
        let name = e
            .mapi_error
            .map(|m| format!("{m:?}"))
            .unwrap_or_else(|| "error".to_owned());
        let recovery = if e.recovery_needed {
            " (recovery needed)"
        } else {
            ""
        };
        self.send(format!("{name}{recovery}"));
    }
}

// ---------------------------------------------------------------------------------------------
// The hostile terminal.

struct HostileTerminal {
    flood: Flood,
    peer_reads: bool,
    flood_for: Duration,
    tally: Arc<Tally>,
    pos_listen: Arc<Mutex<Option<SocketAddr>>>,
    /// The payment was flooded once; later requests (status) are answered plainly.
    paid: AtomicBool,
}

impl HostileTerminal {
    fn run(self, address: mpsc::Sender<SocketAddr>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("terminal runtime");
        runtime.block_on(async move {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .await
                .expect("terminal listens");
            let _ = address.send(listener.local_addr().expect("address"));
            let this = Arc::new(self);
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Arc::clone(&this).serve(stream));
            }
        });
    }

    /// One channel-0 connection: a request, and the scenario's answer to it.
    async fn serve(self: Arc<Self>, mut stream: TcpStream) {
        let mut decoder = FrameDecoder::new();
        let Some(request) = read_message(&mut stream, &mut decoder).await else {
            return;
        };
        let answer = match request {
            Message::ServiceRequest(r) => {
                Message::ServiceResponse(ServiceResponse::answering(&r, OverallResult::Success))
            }
            Message::CardServiceRequest(r)
                if r.request_type == CardRequestType::CardPayment
                    && !self.paid.swap(true, Ordering::SeqCst) =>
            {
                let Some(back) = self.flood_during_payment(stream, &r.request_id).await else {
                    return;
                };
                stream = back;
                Message::CardServiceResponse(CardServiceResponse::answering(
                    &r,
                    OverallResult::Success,
                ))
            }
            Message::CardServiceRequest(r) => Message::CardServiceResponse(
                CardServiceResponse::answering(&r, OverallResult::Failure),
            ),
            _ => return,
        };
        if let Ok(frame) = answer.to_frame() {
            let _ = stream.write_all(&frame).await;
        }
        // Until the POS closes: it reads the answer first.
        let mut sink = [0u8; 1024];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    }

    /// Floods as the scenario says; returns the channel-0 stream if it is still usable.
    async fn flood_during_payment(
        &self,
        mut stream: TcpStream,
        request_id: &RequestId,
    ) -> Option<TcpStream> {
        let until = tokio::time::Instant::now() + self.flood_for;
        let block = flood_block(request_id);
        match self.flood {
            Flood::Nothing => Some(stream),
            Flood::Channel0 => {
                if flood_connection(&mut stream, &block, until, self.peer_reads, &self.tally).await
                {
                    Some(stream)
                } else {
                    self.tally.cuts.fetch_add(1, Ordering::Relaxed);
                    None
                }
            }
            Flood::Channel1 => {
                let pos = (*self.pos_listen.lock().ok()?)?;
                let mut flooders = Vec::new();
                for _ in 0..CHANNEL_1_FLOODERS {
                    let (block, tally, reads) =
                        (block.clone(), Arc::clone(&self.tally), self.peer_reads);
                    flooders.push(tokio::spawn(async move {
                        while tokio::time::Instant::now() < until {
                            let Ok(mut stream) = TcpStream::connect(pos).await else {
                                continue;
                            };
                            if !flood_connection(&mut stream, &block, until, reads, &tally).await {
                                tally.cuts.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }));
                }
                for flooder in flooders {
                    let _ = flooder.await;
                }
                Some(stream)
            }
        }
    }
}

/// Writes `block` over and over until `until`, reading (and dropping) what the POS writes when
/// `reads`; false when the POS closed the connection first.
async fn flood_connection(
    stream: &mut TcpStream,
    block: &[u8],
    until: tokio::time::Instant,
    reads: bool,
    tally: &Tally,
) -> bool {
    let (mut reader, mut writer) = stream.split();
    let writing = async {
        while tokio::time::Instant::now() < until {
            // Whole blocks only: the payment's answer follows on the same stream, so the flood
            // must not stop inside a frame. The POS either takes a block or closes.
            match tokio::time::timeout(WAIT, writer.write_all(block)).await {
                Ok(Ok(())) => {
                    tally
                        .flooded
                        .fetch_add(block.len() as u64, Ordering::Relaxed);
                }
                Ok(Err(_)) | Err(_) => return false,
            }
        }
        true
    };
    let reading = async {
        if !reads {
            return std::future::pending::<()>().await;
        }
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    tally.answers.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
        }
    };
    tokio::select! {
        alive = writing => alive,
        () = reading => false,
    }
}

/// About 64 KiB of frames: device requests for the running payment (each answered by the POS),
/// frames that are not OPI, and answers to a request nobody made.
fn flood_block(request_id: &RequestId) -> Vec<u8> {
    let device = format!(
        "<?xml version=\"1.0\"?><DeviceRequest RequestType=\"Output\" WorkstationID=\"POS1\" \
         RequestID=\"{request_id}\" SequenceID=\"1\"><Output OutDeviceTarget=\"CashierDisplay\">\
         <TextLine>flood</TextLine></Output></DeviceRequest>"
    );
    let stranger = CardServiceRequest::new(
        CardRequestType::CardPayment,
        "POS1",
        RequestId::from("999999"),
    );
    let unmatched = Message::CardServiceResponse(CardServiceResponse::answering(
        &stranger,
        OverallResult::Success,
    ))
    .to_frame()
    .expect("frame");
    let mut block = Vec::with_capacity(70 * 1024);
    while block.len() < 64 * 1024 {
        block.extend(encode_frame(device.as_bytes()).expect("frame"));
        block.extend(encode_frame(b"<not-opi>garbage</not-opi>").expect("frame"));
        block.extend_from_slice(&unmatched);
    }
    block
}

async fn read_message(stream: &mut TcpStream, decoder: &mut FrameDecoder) -> Option<Message> {
    let mut buffer = [0u8; 4096];
    loop {
        if let Ok(Some(payload)) = decoder.next_frame() {
            return Message::parse(&payload).ok();
        }
        match tokio::time::timeout(WAIT, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => decoder.push(&buffer[..n]),
            _ => return None,
        }
    }
}
