//! The live side of a replay: a TCP terminal on loopback that plays a [`ReplayScript`]. Channel-0
//! connections each have a task that owns the socket (reads frames, writes what the player
//! queues); one player task walks the exchanges in order, so the answers of one request never
//! interleave with another's.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, watch};

use super::{attribute, rewrite, ReplayScript, Step};
use crate::message::codec::{encode_frame, FrameDecoder};
use crate::message::xml::decode_text;
use crate::message::Message;
use crate::simulator::events::{lock, Channel, ReceivedFrame, Recorder, SimEvent};
use crate::simulator::terminal::ConnCommand;

/// How long a replayed device request waits for the POS's DeviceResponse (as the simulator).
const DEVICE_RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the connection tasks tell the player.
enum Input {
    Request { conn: u64, payload: Vec<u8> },
    DeviceResponse { conn: u64 },
}

struct ReplayShared {
    address: SocketAddr,
    recorder: Recorder,
    pos_address: Mutex<Option<SocketAddr>>,
    unmatched: Mutex<Vec<String>>,
    writers: Mutex<HashMap<u64, mpsc::UnboundedSender<ConnCommand>>>,
    next_conn: AtomicU64,
    shutdown: watch::Sender<bool>,
}

impl ReplayShared {
    fn write(&self, conn: u64, bytes: Vec<u8>, summary: String) {
        let sent = lock(&self.writers)
            .get(&conn)
            .is_some_and(|writer| writer.send(ConnCommand::Write { bytes, summary }).is_ok());
        if !sent {
            log::info!("replay: ch0#{conn} is closed; a recorded frame was not sent");
        }
    }

    fn close(&self, conn: u64) {
        if let Some(writer) = lock(&self.writers).get(&conn) {
            let _ = writer.send(ConnCommand::Close);
        }
    }
}

/// Starts replay terminals.
pub struct ReplayTerminal;

impl ReplayTerminal {
    /// Starts a terminal on a free loopback port, on its own thread, playing `script`.
    pub fn spawn(script: ReplayScript) -> std::io::Result<ReplayHandle> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(ReplayShared {
            address,
            recorder: Recorder::new(),
            pos_address: Mutex::new(None),
            unmatched: Mutex::new(Vec::new()),
            writers: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let task_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("mapi-replay-terminal".to_owned())
            .spawn(move || {
                runtime.block_on(serve(task_shared, listener, script));
            })?;
        shared.recorder.event(SimEvent::Listening { address });
        Ok(ReplayHandle {
            _guard: Arc::new(StopOnDrop(Arc::clone(&shared))),
            shared,
        })
    }
}

async fn serve(shared: Arc<ReplayShared>, listener: std::net::TcpListener, script: ReplayScript) {
    let mut stop = shared.shutdown.subscribe();
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            log::warn!("replay: cannot listen: {error}");
            return;
        }
    };
    let (inputs, player_inputs) = mpsc::unbounded_channel();
    let player = Player {
        shared: Arc::clone(&shared),
        script,
        cursor: 0,
        ids: HashMap::new(),
        conns: HashMap::new(),
        inputs: player_inputs,
        backlog: VecDeque::new(),
    };
    let accept = async {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    let conn = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                    let (tx, rx) = mpsc::unbounded_channel();
                    lock(&shared.writers).insert(conn, tx);
                    shared.recorder.event(SimEvent::Channel0Connected { conn });
                    tokio::spawn(connection(
                        Arc::clone(&shared),
                        conn,
                        stream,
                        rx,
                        inputs.clone(),
                    ));
                }
                Err(error) => {
                    log::warn!("replay: accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    };
    tokio::select! {
        () = accept => {}
        () = player.run() => {}
        _ = stop.wait_for(|stopped| *stopped) => {}
    }
    shared.recorder.event(SimEvent::Shutdown);
    // Returning drops the runtime, which ends every connection task and closes its socket.
}

/// One channel-0 connection: writes what the player queues, reads and reports frames.
async fn connection(
    shared: Arc<ReplayShared>,
    conn: u64,
    mut stream: TcpStream,
    mut commands: mpsc::UnboundedReceiver<ConnCommand>,
    inputs: mpsc::UnboundedSender<Input>,
) {
    let channel = Channel::Channel0(conn);
    let mut decoder = FrameDecoder::new();
    let mut buffer = vec![0u8; 8192];
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(ConnCommand::Write { bytes, summary }) => {
                    if stream.write_all(&bytes).await.is_err() {
                        break;
                    }
                    shared.recorder.event(SimEvent::FrameSent { channel, summary });
                }
                Some(ConnCommand::Close) | None => break,
            },
            read = stream.read(&mut buffer) => {
                let Some(bytes) = read.ok().and_then(|n| buffer.get(..n)).filter(|b| !b.is_empty())
                else {
                    break;
                };
                decoder.push(bytes);
                while let Ok(Some(payload)) = decoder.next_frame() {
                    let message = Message::parse(&payload);
                    let input = match &message {
                        Ok(Message::DeviceResponse(_)) => Input::DeviceResponse { conn },
                        _ => Input::Request { conn, payload: payload.clone() },
                    };
                    shared.recorder.frame(ReceivedFrame { channel, bytes: payload, message });
                    let _ = inputs.send(input);
                }
            }
        }
    }
    lock(&shared.writers).remove(&conn);
    shared.recorder.event(SimEvent::Channel0Closed { conn });
}

struct Player {
    shared: Arc<ReplayShared>,
    script: ReplayScript,
    /// The first recorded exchange not used yet.
    cursor: usize,
    /// Recorded RequestID → live RequestID.
    ids: HashMap<String, String>,
    /// Recorded channel-0 connection → live connection.
    conns: HashMap<u64, u64>,
    inputs: mpsc::UnboundedReceiver<Input>,
    /// Inputs that arrived while a device request waited for its answer.
    backlog: VecDeque<Input>,
}

impl Player {
    async fn run(mut self) {
        loop {
            let input = match self.backlog.pop_front() {
                Some(input) => input,
                None => match self.inputs.recv().await {
                    Some(input) => input,
                    None => return,
                },
            };
            // A DeviceResponse nobody waits for (it came after its timeout) changes nothing.
            if let Input::Request { conn, payload } = input {
                self.play(conn, &payload).await;
            }
        }
    }

    async fn play(&mut self, live_conn: u64, payload: &[u8]) {
        let text = decode_text(payload).into_owned();
        let message = match Message::parse(payload) {
            Ok(message) => message,
            Err(error) => {
                self.unmatched(format!("unparsable request on ch0#{live_conn}: {error}"));
                return;
            }
        };
        let (root, request_type) = (message.root_name(), message.request_type());
        let found = self.script.exchanges[self.cursor.min(self.script.exchanges.len())..]
            .iter()
            .position(|e| e.root == root && e.request_type == request_type)
            .map(|offset| self.cursor + offset);
        let Some(index) = found else {
            self.unmatched(message.summary());
            return;
        };
        self.cursor = index + 1;
        let exchange = self.script.exchanges[index].clone();
        log::info!(
            "replay: {} answered with recorded exchange {index} ({} steps)",
            message.summary(),
            exchange.steps.len()
        );
        self.ids.insert(
            exchange.request_id.clone(),
            message.request_id().as_str().to_owned(),
        );
        self.conns.insert(exchange.conn, live_conn);
        let workstation = attribute(&text, "WorkstationID")
            .or_else(|| attribute(&text, "WorkStationID"))
            .unwrap_or_default();
        for step in exchange.steps {
            match step {
                Step::Send {
                    channel,
                    conn,
                    xml,
                    awaits_answer,
                } => {
                    let xml = rewrite(&xml, &self.ids, &workstation);
                    let summary = Message::parse(xml.as_bytes())
                        .map(|m| m.summary())
                        .unwrap_or_else(|_| "recorded frame (not a valid OPI message)".to_owned());
                    let Ok(frame) = encode_frame(xml.as_bytes()) else {
                        continue;
                    };
                    let pos = *lock(&self.shared.pos_address);
                    match pos.filter(|_| channel == 1) {
                        Some(pos) => self.over_channel1(pos, frame, summary).await,
                        None => {
                            let target = self.conns.get(&conn).copied().unwrap_or(live_conn);
                            self.shared.write(target, frame, summary);
                            if awaits_answer {
                                self.await_device_response(target).await;
                            }
                        }
                    }
                }
                Step::Close { conn } => {
                    if let Some(&target) = self.conns.get(&conn) {
                        self.shared
                            .recorder
                            .event(SimEvent::ClosedByTerminal { conn: target });
                        self.shared.close(target);
                    }
                }
            }
        }
    }

    fn unmatched(&self, what: String) {
        log::warn!("replay: no recorded request matches {what}; it gets no answer");
        lock(&self.shared.unmatched).push(what);
    }

    /// Single socket: waits for the DeviceResponse on `conn`, keeping other inputs for later.
    async fn await_device_response(&mut self, conn: u64) {
        let deadline = tokio::time::Instant::now() + DEVICE_RESPONSE_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.inputs.recv()).await {
                Ok(Some(Input::DeviceResponse { conn: from })) if from == conn => return,
                Ok(Some(other)) => self.backlog.push_back(other),
                Ok(None) | Err(_) => return,
            }
        }
    }

    /// Dual socket: one short connection to the POS per device request, as terminals do.
    async fn over_channel1(&self, pos: SocketAddr, frame: Vec<u8>, summary: String) {
        let shared = &self.shared;
        let exchange = async {
            let mut stream = TcpStream::connect(pos).await.ok()?;
            stream.write_all(&frame).await.ok()?;
            shared.recorder.event(SimEvent::FrameSent {
                channel: Channel::Channel1,
                summary,
            });
            let mut decoder = FrameDecoder::new();
            let mut buffer = vec![0u8; 8192];
            loop {
                let read = stream.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
                decoder.push(buffer.get(..read)?);
                if let Some(payload) = decoder.next_frame().ok()? {
                    return Some(payload);
                }
            }
        };
        match tokio::time::timeout(DEVICE_RESPONSE_TIMEOUT, exchange).await {
            Ok(Some(payload)) => {
                let message = Message::parse(&payload);
                shared.recorder.frame(ReceivedFrame {
                    channel: Channel::Channel1,
                    bytes: payload,
                    message,
                });
            }
            _ => log::info!("replay: a device request to {pos} got no answer"),
        }
    }
}

struct StopOnDrop(Arc<ReplayShared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.shutdown.send_replace(true);
    }
}

/// Controls and observes a running replay terminal, like `SimulatorHandle`; the terminal stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct ReplayHandle {
    shared: Arc<ReplayShared>,
    _guard: Arc<StopOnDrop>,
}

impl ReplayHandle {
    /// The channel-0 address the POS must connect to.
    pub fn address(&self) -> SocketAddr {
        self.shared.address
    }

    /// Where device requests recorded on channel 1 go (the POS's channel-1 listener). Without it
    /// they go on the request's own connection, as in single socket.
    pub fn set_pos_address(&self, address: SocketAddr) {
        *lock(&self.shared.pos_address) = Some(address);
    }

    /// Every frame received from the POS, oldest first.
    pub fn received(&self) -> Vec<ReceivedFrame> {
        self.shared.recorder.frames()
    }

    /// Every event so far, oldest first (`FrameReceived`, `FrameSent`, connections…).
    pub fn event_log(&self) -> Vec<SimEvent> {
        self.shared.recorder.events()
    }

    /// Events from now on, for async callers.
    pub fn events(&self) -> broadcast::Receiver<SimEvent> {
        self.shared.recorder.subscribe()
    }

    /// Blocks until an event matching `matches` happened (searching from the start), or `None`.
    pub fn wait_for(
        &self,
        matches: impl FnMut(&SimEvent) -> bool,
        timeout: Duration,
    ) -> Option<SimEvent> {
        self.shared.recorder.wait_for(matches, timeout)
    }

    /// Live requests no recorded request matched (their summaries), oldest first.
    pub fn unmatched(&self) -> Vec<String> {
        lock(&self.shared.unmatched).clone()
    }

    /// Stops the terminal; open connections are closed.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl std::fmt::Debug for ReplayHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayHandle")
            .field("address", &self.shared.address)
            .finish()
    }
}
