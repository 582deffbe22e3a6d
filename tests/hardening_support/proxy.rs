//! A fault-injection TCP proxy between the POS (the engine under test) and a terminal (the
//! simulator). It cuts both byte streams into OPI frames with its own reader (independent of the
//! crate's codec) and, on one chosen frame of one chosen connection and direction, delays it,
//! writes it one byte at a time, coalesces it with the next, truncates it, drops the connection
//! inside it, duplicates it, resets the connection, swallows it, or replaces it. Every frame and
//! every fault is recorded, so a test knows the fault really struck and where.

use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mapi::message::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// POS → terminal (requests, aborts, device responses).
    ToTerminal,
    /// Terminal → POS (responses, device requests).
    ToPos,
}

/// Where inside a frame a dropped connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Right before the frame: the last byte forwarded ends the previous frame.
    BeforeFrame,
    /// After two of the four length bytes.
    InPrefix,
    /// After half of the payload.
    InPayload,
}

/// Rewrites a frame's payload (card-data tests put clear card data into a response).
pub type Rewrite = Arc<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

/// What happens to the chosen frame.
#[derive(Clone)]
pub enum FaultKind {
    /// Held this long, then forwarded (later frames queue behind it).
    Delay(Duration),
    /// This frame and every later one in the direction written one byte per write.
    SplitBytes,
    /// Held and written in one write together with the next frame (or alone after 50 ms).
    Coalesce,
    /// The length prefix is kept but the second half of the payload never comes; the stream goes on.
    Truncate,
    /// Both connections closed (FIN) at this point of the frame.
    DropAt(Cut),
    /// Written twice.
    Duplicate,
    /// Both connections reset (RST) instead of the frame.
    Reset,
    /// This frame and every later one in the direction swallowed; the connections stay open.
    Blackhole,
    /// These bytes written instead of the frame.
    Replace(Vec<u8>),
}

impl std::fmt::Debug for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaultKind::Delay(d) => write!(f, "Delay({d:?})"),
            FaultKind::SplitBytes => f.write_str("SplitBytes"),
            FaultKind::Coalesce => f.write_str("Coalesce"),
            FaultKind::Truncate => f.write_str("Truncate"),
            FaultKind::DropAt(cut) => write!(f, "DropAt({cut:?})"),
            FaultKind::Duplicate => f.write_str("Duplicate"),
            FaultKind::Reset => f.write_str("Reset"),
            FaultKind::Blackhole => f.write_str("Blackhole"),
            FaultKind::Replace(bytes) => write!(f, "Replace({} bytes)", bytes.len()),
        }
    }
}

/// One fault: on frame `frame` (counted from 0) travelling `direction` on the proxy's
/// `connection`-th accepted connection (counted from 0).
#[derive(Debug, Clone)]
pub struct Fault {
    /// Which accepted connection.
    pub connection: usize,
    /// Which way.
    pub direction: Direction,
    /// Which frame of that direction.
    pub frame: usize,
    /// What happens to it.
    pub kind: FaultKind,
}

/// One frame as the proxy saw it arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSeen {
    /// Accepted connection number.
    pub connection: usize,
    /// Which way it went.
    pub direction: Direction,
    /// Its number in that direction.
    pub index: usize,
    /// Root, type, RequestID (or "unparsable").
    pub summary: String,
}

/// What the proxy did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEvent {
    /// A POS connection was accepted and its terminal connection opened.
    Accepted(usize),
    /// A frame arrived.
    Frame(FrameSeen),
    /// The fault struck.
    FaultApplied {
        /// Where.
        connection: usize,
        /// Which way.
        direction: Direction,
        /// Which frame.
        frame: usize,
        /// Debug form of the fault.
        what: String,
    },
    /// A frame (or what a fault made of it) was written to its receiver.
    Written {
        /// Where.
        connection: usize,
        /// Which way.
        direction: Direction,
        /// Its number in that direction.
        index: usize,
    },
    /// Both sides of a connection are finished.
    Closed(usize),
}

/// Largest frame the proxy reassembles; a longer prefix (garbage, a hostile length) switches the
/// direction to raw forwarding.
const REASSEMBLY_LIMIT: usize = 1024 * 1024;

struct State {
    faults: Vec<Fault>,
    rewrite: Option<(Direction, Rewrite)>,
    events: Vec<ProxyEvent>,
    accepted: usize,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    upstream: SocketAddr,
    shutdown: watch::Sender<bool>,
}

fn lock(mutex: &Mutex<State>) -> MutexGuard<'_, State> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn event(&self, event: ProxyEvent) {
        lock(&self.state).events.push(event);
        self.changed.notify_all();
    }

    fn fault_for(&self, connection: usize, direction: Direction, frame: usize) -> Option<Fault> {
        lock(&self.state)
            .faults
            .iter()
            .find(|f| f.connection == connection && f.direction == direction && f.frame == frame)
            .cloned()
    }

    fn rewrite_for(&self, direction: Direction) -> Option<Rewrite> {
        lock(&self.state)
            .rewrite
            .as_ref()
            .filter(|(d, _)| *d == direction)
            .map(|(_, f)| f.clone())
    }
}

/// A running proxy; it stops when dropped.
pub struct FaultProxy {
    shared: Arc<Shared>,
    address: SocketAddr,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub fn start(upstream: SocketAddr, faults: Vec<Fault>) -> FaultProxy {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                faults,
                rewrite: None,
                events: Vec::new(),
                accepted: 0,
            }),
            changed: Condvar::new(),
            upstream,
            shutdown: watch::channel(false).0,
        });
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name("fault-proxy".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                runtime.block_on(async move {
                    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
                    ready_tx
                        .send(listener.local_addr().expect("proxy address"))
                        .expect("proxy start reported");
                    let mut stop = thread_shared.shutdown.subscribe();
                    loop {
                        tokio::select! {
                            accepted = listener.accept() => match accepted {
                                Ok((pos, _)) => {
                                    let connection = {
                                        let mut state = lock(&thread_shared.state);
                                        state.accepted += 1;
                                        state.accepted - 1
                                    };
                                    tokio::spawn(serve(thread_shared.clone(), connection, pos));
                                }
                                Err(_) => break,
                            },
                            () = raised(&mut stop) => break,
                        }
                    }
                });
            })
            .expect("proxy thread");
        let address = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("proxy listening");
        FaultProxy { shared, address }
    }

    /// Where the POS must connect.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Replaces the faults (they apply by connection number, so set them before that connection).
    pub fn set_faults(&self, faults: Vec<Fault>) {
        lock(&self.shared.state).faults = faults;
    }

    /// Rewrites the payload of every frame going `direction` (on every connection).
    pub fn set_rewrite(&self, direction: Direction, rewrite: Rewrite) {
        lock(&self.shared.state).rewrite = Some((direction, rewrite));
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<ProxyEvent> {
        lock(&self.shared.state).events.clone()
    }

    /// Every frame seen so far.
    pub fn frames(&self) -> Vec<FrameSeen> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                ProxyEvent::Frame(frame) => Some(frame),
                _ => None,
            })
            .collect()
    }

    /// True once a fault struck.
    pub fn fault_applied(&self) -> bool {
        self.events()
            .iter()
            .any(|e| matches!(e, ProxyEvent::FaultApplied { .. }))
    }

    /// Blocks until an event matches (searching from the first), `None` after `timeout`.
    pub fn wait_for(
        &self,
        mut matches: impl FnMut(&ProxyEvent) -> bool,
        timeout: Duration,
    ) -> Option<ProxyEvent> {
        let deadline = Instant::now() + timeout;
        let mut state = lock(&self.shared.state);
        loop {
            if let Some(found) = state.events.iter().find(|e| matches(e)) {
                return Some(found.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// One proxied connection: a pump per direction, and a kill switch either pump can pull.
async fn serve(shared: Arc<Shared>, connection: usize, pos: TcpStream) {
    let terminal = match TcpStream::connect(shared.upstream).await {
        Ok(stream) => stream,
        Err(_) => {
            shared.event(ProxyEvent::Closed(connection));
            return;
        }
    };
    let resets = lock(&shared.state)
        .faults
        .iter()
        .any(|f| f.connection == connection && matches!(f.kind, FaultKind::Reset));
    for stream in [&pos, &terminal] {
        let _ = stream.set_nodelay(true);
        if resets {
            // Closing now sends RST instead of FIN.
            let _ = stream.set_zero_linger();
        }
    }
    shared.event(ProxyEvent::Accepted(connection));
    let (kill_tx, kill_rx) = watch::channel(false);
    let (pos_read, pos_write) = pos.into_split();
    let (terminal_read, terminal_write) = terminal.into_split();
    let mut stop = shared.shutdown.subscribe();
    let to_terminal = pump(
        shared.clone(),
        connection,
        Direction::ToTerminal,
        pos_read,
        terminal_write,
        kill_tx.clone(),
        kill_rx.clone(),
    );
    let to_pos = pump(
        shared.clone(),
        connection,
        Direction::ToPos,
        terminal_read,
        pos_write,
        kill_tx,
        kill_rx,
    );
    tokio::select! {
        _ = async { tokio::join!(to_terminal, to_pos) } => {}
        () = raised(&mut stop) => {}
    }
    shared.event(ProxyEvent::Closed(connection));
}

/// Resolves once the flag is (or was already) raised.
async fn raised(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|raised| *raised).await;
}

fn summary(payload: &[u8]) -> String {
    match Message::parse(payload) {
        Ok(message) => message.summary(),
        Err(error) => format!("unparsable ({} bytes): {error}", payload.len()),
    }
}

/// Copies one direction frame by frame, applying the fault that targets it.
async fn pump(
    shared: Arc<Shared>,
    connection: usize,
    direction: Direction,
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    kill: watch::Sender<bool>,
    mut killed: watch::Receiver<bool>,
) {
    let mut pending: Vec<u8> = Vec::new();
    let mut index = 0usize;
    let mut raw = false;
    let mut split = false;
    let mut blackhole = false;
    let mut held: Option<(Vec<u8>, Instant)> = None;
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let flush_held = async {
            match &held {
                Some((_, at)) => tokio::time::sleep_until((*at).into()).await,
                None => std::future::pending().await,
            }
        };
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            () = raised(&mut killed) => return,
            () = flush_held => {
                if let Some((bytes, _)) = held.take() {
                    if to.write_all(&bytes).await.is_err() {
                        let _ = kill.send(true);
                        return;
                    }
                }
                continue;
            }
        };
        let count = match read {
            Ok(0) | Err(_) => {
                // The sender is gone: pass on what is left and the end of the stream.
                if let Some((bytes, _)) = held.take() {
                    let _ = to.write_all(&bytes).await;
                }
                if !blackhole {
                    let _ = to.write_all(&pending).await;
                }
                if read.is_err() {
                    let _ = kill.send(true);
                } else {
                    let _ = to.shutdown().await;
                }
                return;
            }
            Ok(count) => count,
        };
        if raw {
            if !blackhole && to.write_all(&buffer[..count]).await.is_err() {
                let _ = kill.send(true);
                return;
            }
            continue;
        }
        pending.extend_from_slice(&buffer[..count]);
        // Every complete frame in `pending`, in order.
        loop {
            if pending.len() < 4 {
                break;
            }
            let len = u32::from_be_bytes([pending[0], pending[1], pending[2], pending[3]]) as usize;
            if len > REASSEMBLY_LIMIT {
                raw = true;
                if !blackhole && to.write_all(&pending).await.is_err() {
                    let _ = kill.send(true);
                    return;
                }
                pending.clear();
                break;
            }
            if pending.len() < 4 + len {
                break;
            }
            let mut frame: Vec<u8> = pending.drain(..4 + len).collect();
            if let Some(rewrite) = shared.rewrite_for(direction) {
                let payload = rewrite(&frame[4..]);
                frame = (payload.len() as u32).to_be_bytes().to_vec();
                frame.extend_from_slice(&payload);
            }
            shared.event(ProxyEvent::Frame(FrameSeen {
                connection,
                direction,
                index,
                summary: summary(&frame[4..]),
            }));
            let fault = shared.fault_for(connection, direction, index);
            index += 1;
            if let Some(fault) = &fault {
                shared.event(ProxyEvent::FaultApplied {
                    connection,
                    direction,
                    frame: fault.frame,
                    what: format!("{:?}", fault.kind),
                });
            }
            let mut out: Vec<Vec<u8>> = Vec::new();
            match fault.map(|f| f.kind) {
                None => out.push(frame),
                Some(FaultKind::Delay(delay)) => {
                    tokio::time::sleep(delay).await;
                    out.push(frame);
                }
                Some(FaultKind::SplitBytes) => {
                    split = true;
                    out.push(frame);
                }
                Some(FaultKind::Coalesce) => {
                    held = Some((frame, Instant::now() + Duration::from_millis(50)));
                    continue;
                }
                Some(FaultKind::Truncate) => {
                    let keep = 4 + len / 2;
                    frame.truncate(keep);
                    out.push(frame);
                }
                Some(FaultKind::DropAt(cut)) => {
                    let keep = match cut {
                        Cut::BeforeFrame => 0,
                        Cut::InPrefix => 2,
                        Cut::InPayload => 4 + len / 2,
                    };
                    if let Some((bytes, _)) = held.take() {
                        let _ = to.write_all(&bytes).await;
                    }
                    let _ = to.write_all(&frame[..keep]).await;
                    let _ = to.flush().await;
                    let _ = kill.send(true);
                    return;
                }
                Some(FaultKind::Duplicate) => {
                    out.push(frame.clone());
                    out.push(frame);
                }
                Some(FaultKind::Reset) => {
                    let _ = kill.send(true);
                    return;
                }
                Some(FaultKind::Blackhole) => {
                    blackhole = true;
                    continue;
                }
                Some(FaultKind::Replace(bytes)) => out.push(bytes),
            }
            if blackhole {
                continue;
            }
            if let Some((mut bytes, _)) = held.take() {
                // Coalesce: the held frame and this one leave in one write.
                bytes.extend(out.concat());
                out = vec![bytes];
            }
            for bytes in out {
                let written = if split {
                    write_bytewise(&mut to, &bytes).await
                } else {
                    to.write_all(&bytes).await
                };
                if written.is_err() {
                    let _ = kill.send(true);
                    return;
                }
            }
            shared.event(ProxyEvent::Written {
                connection,
                direction,
                index: index - 1,
            });
        }
    }
}

async fn write_bytewise(to: &mut OwnedWriteHalf, bytes: &[u8]) -> std::io::Result<()> {
    for byte in bytes {
        to.write_all(std::slice::from_ref(byte)).await?;
        to.flush().await?;
        tokio::task::yield_now().await;
    }
    Ok(())
}
