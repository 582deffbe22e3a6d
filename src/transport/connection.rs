//! One task per TCP connection: it reports every byte read, the end of the stream and any error
//! back to the driver, and finishes the writes that could not complete at once. It decides nothing.
//!
//! Both directions are bounded by the POS, never by the peer. Reads go to the driver through a
//! bounded queue, and a task reads its socket only once the queue has room for the chunk: when the
//! engine falls behind, the socket is left unread and TCP flow control slows the terminal down,
//! instead of the POS buffering whatever the terminal sends. What the kernel would not take of our
//! writes is queued up to a byte limit; a peer that stops reading for longer than that loses the
//! connection (the app sees the connection lost) rather than growing the queue forever.
//!
//! Writes do not go through the task. A [`ConnWriter`] puts a frame on the socket directly from the
//! thread that asks for it (non-blocking), and only what the kernel would not take at once is left
//! to the task, in order. That lets an abort leave from the app's own thread the moment the
//! merchant presses stop, instead of waiting for the engine thread to wake up, and it saves the
//! engine one task hop per frame.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::Interest;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Notify};

use crate::session::ConnId;

/// What a connection task reports to its driver.
#[derive(Debug)]
pub(crate) enum IoEvent {
    Connected(ConnId),
    ConnectFailed(ConnId, String),
    Data(ConnId, Vec<u8>),
    Closed(ConnId, String),
}

/// The most one read takes from a socket, so one queued [`IoEvent::Data`] holds at most this much.
pub(crate) const READ_CHUNK: usize = 16 * 1024;

/// Why a frame could not be handed to a connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The session closed the connection; nothing more may be written on it.
    #[error("the connection is closed")]
    Closed,
    /// Writing failed earlier (the peer reset the connection, …); the task reports it as closed.
    #[error("sending to the terminal failed: {0}")]
    Failed(String),
}

#[derive(Default)]
struct WriterState {
    /// `None` until the connection is established, and again once it is shut down.
    half: Option<OwnedWriteHalf>,
    /// Bytes the kernel did not take yet, in order; the task writes them when the socket can.
    pending: Vec<u8>,
    /// The session closed the connection: write what is pending, then shut down.
    closing: bool,
    failed: Option<String>,
    /// When the POS last wrote (restarts a channel-1 idle timeout).
    last_write: Option<Instant>,
}

/// The write side of one connection, shared by the engine thread and (for an armed abort) the
/// app's thread. Every write holds one short lock around a non-blocking `send`, so frames never
/// interleave, and nothing here ever waits for the network.
pub struct ConnWriter {
    state: Mutex<WriterState>,
    /// Wakes the connection's task: bytes are pending, the connection is closing, or it failed.
    wake: Notify,
    /// The most bytes that may wait for the peer to read (see [`ConnWriter::write`]).
    max_pending: usize,
}

/// Where [`ConnWriter::flush`] left the connection.
enum Flushed {
    /// Nothing pending.
    Idle,
    /// The kernel's send buffer is full; wait until the socket is writable.
    Blocked,
    /// Closing was asked for and everything pending was written; the write side is shut down.
    ShutDown,
}

impl ConnWriter {
    /// A writer that fails the connection once more than `max_pending` bytes wait for the peer.
    pub(crate) fn new(max_pending: usize) -> ConnWriter {
        ConnWriter {
            state: Mutex::default(),
            wake: Notify::new(),
            max_pending,
        }
    }

    fn lock(&self) -> MutexGuard<'_, WriterState> {
        // A panic while holding this lock cannot leave the byte queue half-updated in a way that
        // matters more than losing the connection; keep serving rather than poisoning every call.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts `bytes` on the wire now if the socket takes them, and queues whatever it does not take
    /// (or everything, before the connection is up) for the connection's task, behind anything
    /// already queued. Never blocks. `Ok` means the bytes will leave in order unless the
    /// connection fails, which its task then reports.
    ///
    /// A peer that does not read fills the kernel's buffers and then this queue. Past the limit
    /// the connection fails instead of queueing more: its task closes it and reports why, so the
    /// flow on it ends as a lost connection (with recovery for a request) instead of hanging while
    /// memory grows.
    pub fn write(&self, bytes: &[u8]) -> Result<(), WriteError> {
        let mut state = self.lock();
        if let Some(reason) = &state.failed {
            return Err(WriteError::Failed(reason.clone()));
        }
        if state.closing {
            return Err(WriteError::Closed);
        }
        state.last_write = Some(Instant::now());
        let mut sent = 0;
        if state.pending.is_empty() {
            if let Some(half) = &state.half {
                let (written, stop) = send_now(half, bytes);
                sent = written;
                if let SendStop::Failed(reason) = stop {
                    state.failed = Some(reason);
                }
            }
        }
        if let Some(reason) = &state.failed {
            let error = WriteError::Failed(reason.clone());
            drop(state);
            self.wake.notify_one();
            return Err(error);
        }
        if let Some(rest) = bytes.get(sent..).filter(|rest| !rest.is_empty()) {
            let waiting = state.pending.len().saturating_add(rest.len());
            if waiting > self.max_pending {
                let reason = format!(
                    "the terminal stopped reading what the POS sends: {waiting} bytes would wait for it, more than the limit of {} bytes",
                    self.max_pending
                );
                state.failed = Some(reason.clone());
                state.pending = Vec::new();
                drop(state);
                self.wake.notify_one();
                return Err(WriteError::Failed(reason));
            }
            state.pending.extend_from_slice(rest);
            drop(state);
            self.wake.notify_one();
        }
        Ok(())
    }

    /// Ends the connection now, without writing what is queued: the driver takes a channel-1 slot
    /// back. Its task closes the socket and reports `reason`.
    pub(crate) fn cut(&self, reason: &str) {
        let mut state = self.lock();
        if state.failed.is_none() {
            state.failed = Some(reason.to_owned());
        }
        state.pending = Vec::new();
        drop(state);
        self.wake.notify_one();
    }

    /// The session closed the connection: the task writes what is pending, then shuts it down.
    pub(crate) fn close(&self) {
        self.lock().closing = true;
        self.wake.notify_one();
    }

    /// The connection is established: writes may go to the socket from now on.
    fn attach(&self, half: OwnedWriteHalf) {
        self.lock().half = Some(half);
    }

    fn last_write(&self) -> Option<Instant> {
        self.lock().last_write
    }

    /// The connection ended: later writes fail at once instead of queueing into nothing.
    fn detach(&self, reason: &str) {
        let mut state = self.lock();
        state.half = None;
        state.pending.clear();
        if state.failed.is_none() && !state.closing {
            state.failed = Some(reason.to_owned());
        }
    }

    /// Writes what is pending, as far as the socket takes it.
    fn flush(&self) -> Result<Flushed, String> {
        let mut state = self.lock();
        if let Some(reason) = &state.failed {
            return Err(reason.clone());
        }
        let Some(half) = &state.half else {
            return Ok(Flushed::Idle);
        };
        let (written, stop) = send_now(half, &state.pending);
        state.pending.drain(..written);
        match stop {
            SendStop::Failed(reason) => {
                state.failed = Some(reason.clone());
                return Err(reason);
            }
            SendStop::Full => return Ok(Flushed::Blocked),
            SendStop::Done => {}
        }
        if state.closing {
            // Dropping the write half shuts the write direction down (a FIN after the last byte).
            state.half = None;
            return Ok(Flushed::ShutDown);
        }
        Ok(Flushed::Idle)
    }
}

/// Why [`send_now`] stopped.
enum SendStop {
    /// Everything went out.
    Done,
    /// The kernel's send buffer is full: the rest must wait until the socket is writable.
    Full,
    /// The connection is broken.
    Failed(String),
}

/// Sends as much of `bytes` as the socket takes without blocking; returns how many went out. The
/// one send loop of both the caller's direct write and the task's flush of what was left over.
fn send_now(half: &OwnedWriteHalf, bytes: &[u8]) -> (usize, SendStop) {
    let mut written = 0;
    while written < bytes.len() {
        match half.try_write(&bytes[written..]) {
            Ok(0) => {
                return (
                    written,
                    SendStop::Failed("the socket accepted no bytes".to_owned()),
                )
            }
            Ok(n) => written += n,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                return (written, SendStop::Full)
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return (written, SendStop::Failed(error.to_string())),
        }
    }
    (written, SendStop::Done)
}

/// Connects to the terminal, then runs the connection. The connect timeout here is a backstop;
/// the session keeps its own deadline.
pub(crate) async fn run_outbound(
    conn: ConnId,
    address: SocketAddr,
    connect_timeout: Duration,
    writer: Arc<ConnWriter>,
    events: mpsc::Sender<IoEvent>,
) {
    let stream = match tokio::time::timeout(connect_timeout, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => {
            let reason = connect_error_text(address, &error);
            writer.detach(&reason);
            let _ = events.send(IoEvent::ConnectFailed(conn, reason)).await;
            return;
        }
        Err(_) => {
            let reason = format!(
                "terminal {address} did not accept a connection within {connect_timeout:?} — check the IP address and that the terminal is on and in OPI mode"
            );
            writer.detach(&reason);
            let _ = events.send(IoEvent::ConnectFailed(conn, reason)).await;
            return;
        }
    };
    // Requests are small and latency matters (an abort must leave at once).
    let _ = stream.set_nodelay(true);
    if events.send(IoEvent::Connected(conn)).await.is_err() {
        return;
    }
    run_stream(conn, stream, None, writer, events).await;
}

fn connect_error_text(address: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => format!(
            "terminal {address} refused the connection — check the port and that the terminal is in OPI mode"
        ),
        _ => format!("cannot connect to terminal {address}: {error}"),
    }
}

/// Runs an established connection until either side ends it. With `idle_timeout`, a connection
/// that gets nothing from the POS for that long is closed (channel-1 connections a terminal
/// forgot). Only what the POS writes (an answer) restarts that clock, not what it reads: a peer
/// trickling one byte at a time must not hold a channel-1 slot forever.
///
/// The socket is read only when the driver's queue has room for what is read (see the module
/// docs): the task waits for readable data first and for room second, so an idle connection holds
/// no place in the queue, and a full queue still lets the task write and watch its clock.
pub(crate) async fn run_stream(
    conn: ConnId,
    stream: TcpStream,
    idle_timeout: Option<Duration>,
    writer: Arc<ConnWriter>,
    events: mpsc::Sender<IoEvent>,
) {
    let (reader, half) = stream.into_split();
    writer.attach(half);
    let mut buffer = vec![0u8; READ_CHUNK];
    let mut idle_at = idle_timeout.map(|limit| tokio::time::Instant::now() + limit);
    let reason = loop {
        let blocked = match writer.flush() {
            Ok(Flushed::Idle) => false,
            Ok(Flushed::Blocked) => true,
            Ok(Flushed::ShutDown) => return,
            Err(error) => break format!("sending to the terminal failed: {error}"),
        };
        let idle = async {
            match idle_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = writer.wake.notified() => {}
            ready = reader.ready(Interest::WRITABLE), if blocked => {
                if let Err(error) = ready {
                    break format!("sending to the terminal failed: {error}");
                }
            }
            room = readable_with_room(&reader, &events) => {
                let permit = match room {
                    Ok(Some(permit)) => permit,
                    // The driver is gone: nobody is left to tell.
                    Ok(None) => return,
                    Err(error) => break format!("reading from the terminal failed: {error}"),
                };
                match reader.try_read(&mut buffer) {
                    Ok(0) => break "the terminal closed the connection".to_owned(),
                    Ok(n) => permit.send(IoEvent::Data(conn, buffer[..n].to_vec())),
                    Err(error)
                        if matches!(
                            error.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                        ) => {}
                    Err(error) => break format!("reading from the terminal failed: {error}"),
                }
            }
            () = idle => {
                // Writes happen outside this task: the clock restarts from the last one.
                let restarted = writer
                    .last_write()
                    .zip(idle_timeout)
                    .map(|(at, limit)| tokio::time::Instant::from_std(at) + limit)
                    .filter(|at| *at > tokio::time::Instant::now());
                match restarted {
                    Some(at) => idle_at = Some(at),
                    None => break format!(
                        "no complete request from the terminal to answer within {idle_timeout:?}"
                    ),
                }
            }
        }
    };
    writer.detach(&reason);
    let _ = events.send(IoEvent::Closed(conn, reason)).await;
}

/// Waits until the socket has something to read and then until the driver's queue has room for
/// it; `None` when the driver is gone.
async fn readable_with_room<'a>(
    reader: &OwnedReadHalf,
    events: &'a mpsc::Sender<IoEvent>,
) -> std::io::Result<Option<mpsc::Permit<'a, IoEvent>>> {
    reader.readable().await?;
    Ok(events.reserve().await.ok())
}

/// Finds where the peer's frames end in the byte stream, keeping none of the bytes: the driver
/// judges a channel-1 connection by the whole frames it delivered, not by the bytes it sent.
/// Zero-length frames carry nothing and do not count.
#[derive(Debug, Default)]
pub(crate) struct FrameBoundaries {
    prefix: [u8; crate::message::codec::LENGTH_PREFIX_LEN],
    prefix_len: usize,
    body_left: usize,
}

impl FrameBoundaries {
    /// Takes the next bytes of the stream; returns how many frames they completed.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> usize {
        let mut completed = 0;
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let take = self.body_left.min(bytes.len());
                self.body_left -= take;
                bytes = &bytes[take..];
                if self.body_left == 0 {
                    completed += 1;
                }
                continue;
            }
            let take = (self.prefix.len() - self.prefix_len).min(bytes.len());
            self.prefix[self.prefix_len..self.prefix_len + take].copy_from_slice(&bytes[..take]);
            self.prefix_len += take;
            bytes = &bytes[take..];
            if self.prefix_len == self.prefix.len() {
                self.prefix_len = 0;
                // A length the session refuses poisons its decoder and closes the connection;
                // until then it only has to count as a frame in progress.
                self.body_left =
                    usize::try_from(u32::from_be_bytes(self.prefix)).unwrap_or(usize::MAX);
            }
        }
        completed
    }

    /// True while a frame has begun and not ended.
    pub(crate) fn mid_frame(&self) -> bool {
        self.prefix_len > 0 || self.body_left > 0
    }
}
