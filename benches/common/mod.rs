//! Shared by the bench binaries: a minimal raw-TCP "terminal", the simulator in a child process,
//! `/proc` readings, percentiles and the machine-readable result lines `scripts/bench.sh` collects.
//!
//! Result lines look like `MAPI-RESULT <key> <value>` (one per number); the script greps them, so
//! humans and tools read the same output.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mapi::client::Timeouts;
use mapi::{Dialect, SocketMode};

/// Prints one result line for `scripts/bench.sh`.
pub fn report(key: &str, value: impl std::fmt::Display) {
    println!("MAPI-RESULT {key} {value}");
}

/// True when the binary runs as `cargo test --benches` does (no `--bench` argument): do a token run.
pub fn test_mode() -> bool {
    !std::env::args().any(|a| a == "--bench") && std::env::var_os("MAPI_BENCH_MODE").is_none()
}

/// `MAPI_BENCH_MODE`: `summary` (only the percentile/summary part, as the script runs it),
/// `criterion` (only criterion), unset = both.
pub fn mode() -> String {
    std::env::var("MAPI_BENCH_MODE").unwrap_or_default()
}

/// A `usize` from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Percentile (nearest rank) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50/p90/p99/max of `samples`, printed and reported under `key`, in microseconds.
pub fn report_latencies(key: &str, samples: &mut [Duration]) -> (f64, f64) {
    samples.sort_unstable();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let (p50, p90, p99, max) = (
        us(percentile(samples, 50.0)),
        us(percentile(samples, 90.0)),
        us(percentile(samples, 99.0)),
        us(*samples.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "{key:<28} n={:<6} p50={p50:>8.1} µs  p90={p90:>8.1} µs  p99={p99:>8.1} µs  max={max:>9.1} µs",
        samples.len()
    );
    report(&format!("{key}.p50_us"), format!("{p50:.2}"));
    report(&format!("{key}.p99_us"), format!("{p99:.2}"));
    report(&format!("{key}.n"), samples.len());
    (p50, p99)
}

// ---------------------------------------------------------------------------------------------
// The loopback floor: a 100-byte message round trip between two plain tokio sockets.

/// An echo peer on its own thread (its own current-thread runtime) and a client on the caller's
/// thread: the same two thread wake-ups as an abort reaching a terminal on another thread.
pub struct LoopbackPair {
    runtime: tokio::runtime::Runtime,
    client: tokio::net::TcpStream,
    _server: std::thread::JoinHandle<()>,
}

pub const BASELINE_MESSAGE: usize = 100;

impl LoopbackPair {
    pub fn new() -> LoopbackPair {
        let (addr_tx, addr_rx) = mpsc::channel();
        let server = std::thread::Builder::new()
            .name("bench-echo".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    addr_tx.send(listener.local_addr().unwrap()).unwrap();
                    let (mut stream, _) = listener.accept().await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let mut buffer = [0u8; BASELINE_MESSAGE];
                    while stream.read_exact(&mut buffer).await.is_ok() {
                        if stream.write_all(&buffer).await.is_err() {
                            break;
                        }
                    }
                });
            })
            .expect("echo thread");
        let address: SocketAddr = addr_rx.recv().expect("echo address");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let client = runtime.block_on(async {
            let stream = tokio::net::TcpStream::connect(address).await.unwrap();
            stream.set_nodelay(true).unwrap();
            stream
        });
        LoopbackPair {
            runtime,
            client,
            _server: server,
        }
    }

    /// One round trip of a 100-byte message.
    pub fn round_trip(&mut self) -> Duration {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let client = &mut self.client;
        self.runtime.block_on(async move {
            let message = [0x5au8; BASELINE_MESSAGE];
            let mut echo = [0u8; BASELINE_MESSAGE];
            let start = Instant::now();
            client.write_all(&message).await.unwrap();
            client.read_exact(&mut echo).await.unwrap();
            start.elapsed()
        })
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal raw TCP terminal: reads frames, timestamps an AbortRequest's arrival, holds the payment
// until the abort, then answers the abort and the payment at once (one write).

/// What the raw terminal tells the bench.
#[derive(Debug)]
pub enum TerminalEvent {
    /// A payment request arrived and is being held.
    PaymentArrived,
    /// An AbortRequest's last byte arrived at this instant.
    AbortArrived(Instant),
}

/// The value of attribute `name` in the first tag of `xml` (byte search: no XML parser here).
pub fn attribute<'a>(xml: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let pattern = format!(" {name}=\"");
    let start = xml
        .windows(pattern.len())
        .position(|w| w == pattern.as_bytes())?
        + pattern.len();
    let end = xml[start..].iter().position(|&b| b == b'"')?;
    Some(&xml[start..start + end])
}

/// Whether `haystack` contains `needle`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn frame(xml: &str) -> Vec<u8> {
    let mut out = (xml.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(xml.as_bytes());
    out
}

fn card_response(request_type: &str, workstation: &[u8], id: &[u8], result: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CardServiceResponse xmlns=\"http://www.nrf-arts.org/IXRetail/namespace\" RequestType=\"{request_type}\" WorkstationID=\"{}\" RequestID=\"{}\" OverallResult=\"{result}\"><Terminal TerminalID=\"29000001\"/></CardServiceResponse>",
        String::from_utf8_lossy(workstation),
        String::from_utf8_lossy(id)
    )
}

/// Starts the raw terminal on a free loopback port; events arrive on the returned receiver.
pub fn raw_terminal() -> (SocketAddr, mpsc::Receiver<TerminalEvent>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind raw terminal");
    let address = listener.local_addr().expect("address");
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("bench-raw-terminal".to_owned())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if serve(stream, &tx).is_err() {
                    return; // the bench is gone
                }
            }
        })
        .expect("raw terminal thread");
    (address, rx)
}

/// Serves one channel-0 connection until the POS closes it.
fn serve(mut stream: TcpStream, events: &mpsc::Sender<TerminalEvent>) -> Result<(), ()> {
    let _ = stream.set_nodelay(true);
    let mut buffer: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut payment: Option<(Vec<u8>, Vec<u8>, Vec<u8>)> = None; // type, workstation, id
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(n) => n,
        };
        let arrived = Instant::now();
        buffer.extend_from_slice(&chunk[..n]);
        while buffer.len() >= 4 {
            let len = u32::from_be_bytes([buffer[0], buffer[1], buffer[2], buffer[3]]) as usize;
            if buffer.len() < 4 + len {
                break;
            }
            let xml: Vec<u8> = buffer[4..4 + len].to_vec();
            buffer.drain(..4 + len);
            let request_type = attribute(&xml, "RequestType").unwrap_or_default().to_vec();
            let workstation = attribute(&xml, "WorkstationID")
                .unwrap_or_default()
                .to_vec();
            let id = attribute(&xml, "RequestID").unwrap_or_default().to_vec();
            if request_type == b"AbortRequest" {
                // Answer at once: the abort's response, then the aborted payment's, in one write.
                let mut answer =
                    frame(&card_response("AbortRequest", &workstation, &id, "Success"));
                if let Some((ptype, pws, pid)) = payment.take() {
                    let ptype = String::from_utf8_lossy(&ptype).into_owned();
                    answer.extend(frame(&card_response(&ptype, &pws, &pid, "Aborted")));
                }
                if stream.write_all(&answer).is_err() {
                    return Ok(());
                }
                // Reported after answering (with the arrival time): waking the bench thread
                // first would delay the answer the end-to-end figure waits for.
                events
                    .send(TerminalEvent::AbortArrived(arrived))
                    .map_err(|_| ())?;
            } else if contains(&xml, b"<CardServiceRequest") {
                payment = Some((request_type, workstation, id));
                events.send(TerminalEvent::PaymentArrived).map_err(|_| ())?;
            } else {
                // Anything else (a service request): answer Success so nothing hangs.
                let xml_text = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ServiceResponse xmlns=\"http://www.nrf-arts.org/IXRetail/namespace\" RequestType=\"{}\" WorkstationID=\"{}\" RequestID=\"{}\" OverallResult=\"Success\"/>",
                    String::from_utf8_lossy(&request_type),
                    String::from_utf8_lossy(&workstation),
                    String::from_utf8_lossy(&id)
                );
                if stream.write_all(&frame(&xml_text)).is_err() {
                    return Ok(());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The simulator in a child process (this same bench binary), so the SDK process holds only the
// SDK: its RSS, threads and wake-ups are the engine's alone.

const CHILD_ENV: &str = "MAPI_BENCH_SIMULATOR_CHILD";

/// Call first in `main`: when this process is the simulator child, runs it and returns `true`.
pub fn run_simulator_child_if_asked() -> bool {
    let Ok(scenario) = std::env::var(CHILD_ENV) else {
        return false;
    };
    let script = mapi::simulator::Script::from_name(&scenario).expect("known scenario");
    let mut config = mapi::simulator::SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
    config.script = script;
    let simulator = mapi::simulator::Simulator::spawn(config).expect("simulator starts");
    println!("ADDR {}", simulator.address());
    std::io::stdout().flush().ok();
    // Commands on stdin: "POS <addr>" sets the POS's channel-1 address, "CLEAR" forgets recorded
    // frames; end of input ends the child.
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Some(address) = line.strip_prefix("POS ") {
            simulator.set_pos_address(address.trim().parse().expect("POS address"));
            println!("OK");
        } else if line.trim() == "CLEAR" {
            simulator.clear_received();
            println!("OK");
        }
        std::io::stdout().flush().ok();
    }
    simulator.shutdown();
    true
}

/// The simulator child process (OPI-NL, dual socket) running `scenario`.
pub struct SimulatorChild {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
    pub address: SocketAddr,
}

impl SimulatorChild {
    pub fn spawn(scenario: &str) -> SimulatorChild {
        let mut child = Command::new(std::env::current_exe().expect("own executable"))
            .env(CHILD_ENV, scenario)
            .env_remove("MAPI_BENCH_MODE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("simulator child starts");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("child address");
        let address = line
            .trim()
            .strip_prefix("ADDR ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected child output {line:?}"));
        SimulatorChild {
            child,
            stdin,
            stdout,
            address,
        }
    }

    fn command(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").expect("child stdin");
        self.stdin.flush().expect("child stdin");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("child answer");
        assert_eq!(line.trim(), "OK", "child answered {line:?}");
    }

    pub fn set_pos_address(&mut self, address: SocketAddr) {
        self.command(&format!("POS {address}"));
    }

    /// Lets the child forget the frames it recorded (its memory is not ours, but it stays small).
    pub fn clear(&mut self) {
        self.command("CLEAR");
    }
}

impl Drop for SimulatorChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OPI-NL dual-socket terminal at `address` with its channel-1 listener on loopback.
pub fn terminal_at(address: SocketAddr, workstation: &str) -> mapi::client::Terminal {
    mapi::client::Terminal::new("127.0.0.1", Dialect::OpiNl)
        .with_port(address.port())
        .with_compatibility_port(0)
        .with_listen_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
        .with_socket_mode(SocketMode::DualSocket)
        .with_workstation_id(workstation)
        .with_timeouts(Timeouts::for_dialect(Dialect::OpiNl))
}

/// A fresh state directory (the app's `filesDir` stand-in).
pub fn state_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mapi-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("state dir");
    dir
}

// ---------------------------------------------------------------------------------------------
// /proc readings (Linux).

/// Resident set size of this process, in KiB.
pub fn rss_kib() -> u64 {
    status_field("/proc/self/status", "VmRSS:").unwrap_or(0)
}

fn status_field(path: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Every thread of this process: (tid, name).
pub fn threads() -> Vec<(u32, String)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc/self/task") {
        for entry in entries.flatten() {
            let Ok(tid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let name = std::fs::read_to_string(entry.path().join("comm"))
                .map(|n| n.trim().to_owned())
                .unwrap_or_default();
            out.push((tid, name));
        }
    }
    out.sort();
    out
}

/// Voluntary + involuntary context switches of thread `tid` of this process.
pub fn context_switches(tid: u32) -> (u64, u64) {
    let path = format!("/proc/self/task/{tid}/status");
    (
        status_field(&path, "voluntary_ctxt_switches:").unwrap_or(0),
        status_field(&path, "nonvoluntary_ctxt_switches:").unwrap_or(0),
    )
}
