//! The wire-trace hook of the transport: when a [`WireTap`] is installed in the engine's
//! [`TapSlot`], every frame the POS writes or reads on a connection opened from then on is cut out
//! of the byte stream and handed to the tap, with the connection's identity. The transport only
//! reports; what is kept, masked and written is the tap's business (`client::wire_trace`).
//!
//! Off (the default) costs one relaxed atomic load per connection opened and an empty-map check
//! per read or write: no decoding, no copying.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::message::codec::FrameDecoder;
use crate::session::ConnId;

/// Who wrote a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Written by the POS (requests on channel 0, device responses on channel 1).
    PosToTerminal,
    /// Written by the terminal (responses on channel 0, device requests on channel 1).
    TerminalToPos,
}

/// Which connection a traced event belongs to.
#[derive(Debug, Clone)]
pub struct TapConnection {
    /// The session's connection number (unique within one terminal's session).
    pub conn: u64,
    /// 0: a connection the POS opened to the terminal; 1: one the terminal opened to the POS's
    /// compatibility port. In single-socket mode device requests travel on channel 0.
    pub channel: u8,
    /// The other end of the socket.
    pub peer: SocketAddr,
    /// The terminal's channel-0 address (which terminal this is, when one engine serves several).
    pub terminal: SocketAddr,
}

/// What the transport reports to a tap.
#[derive(Debug)]
pub enum TapEvent {
    /// A connection was accepted or is being opened; the session's settings come along so a
    /// trace names the terminal it talks to.
    Opened {
        /// The connection.
        connection: TapConnection,
        /// "nl" or "de".
        dialect: &'static str,
        /// Dual socket (a channel-1 listener) or single socket.
        dual_socket: bool,
        /// The POS workstation id.
        workstation_id: String,
    },
    /// One whole frame's payload (without its length prefix), unmasked: the tap masks it.
    Frame {
        /// The connection.
        connection: TapConnection,
        /// Who wrote it.
        direction: Direction,
        /// The payload exactly as on the wire.
        payload: Vec<u8>,
    },
    /// The stream could not be cut into frames; nothing more is traced on this connection.
    FramingError {
        /// The connection.
        connection: TapConnection,
        /// Who wrote the bad bytes.
        direction: Direction,
        /// What the decoder said.
        error: String,
        /// The start of the bytes that could not be framed (unmasked: the tap masks it).
        head: Vec<u8>,
    },
    /// The connection ended, or could not be opened.
    Closed {
        /// The connection.
        connection: TapConnection,
        /// Why, in the transport's words.
        reason: String,
    },
}

/// Receives traced events on the engine thread. Implementations must return quickly (hand the
/// event to another thread): the engine serves every terminal from one thread.
pub trait WireTap: Send + Sync {
    /// Takes one event.
    fn record(&self, event: TapEvent);
}

/// Where the engine installs (or removes) its tap; shared by every terminal's transport.
#[derive(Default)]
pub struct TapSlot {
    on: AtomicBool,
    tap: Mutex<Option<Arc<dyn WireTap>>>,
}

impl TapSlot {
    /// Installs `tap` (or removes the current one) for connections opened from now on.
    pub fn set(&self, tap: Option<Arc<dyn WireTap>>) {
        let mut slot = self.tap.lock().unwrap_or_else(PoisonError::into_inner);
        self.on.store(tap.is_some(), Ordering::Release);
        *slot = tap;
    }

    /// The installed tap, if any.
    pub fn current(&self) -> Option<Arc<dyn WireTap>> {
        if !self.on.load(Ordering::Acquire) {
            return None;
        }
        self.tap
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// How much of an unframable stream a [`TapEvent::FramingError`] carries.
const HEAD_BYTES: usize = 256;

struct TracedConnection {
    tap: Arc<dyn WireTap>,
    connection: TapConnection,
    /// Frames are cut out of each direction separately: reads arrive in any split.
    written: FrameDecoder,
    read: FrameDecoder,
    /// A framing error was reported: the stream is desynchronised, later bytes are not frames.
    broken: bool,
}

/// The transport's side of tracing: which connections are traced and their frame decoders. A
/// connection is traced from its first byte or not at all, so a trace never starts mid-frame;
/// switching the trace on therefore applies from the next connection (the next request).
#[derive(Default)]
pub(crate) struct Tracer {
    slot: Option<Arc<TapSlot>>,
    terminal: Option<SocketAddr>,
    dialect: &'static str,
    dual_socket: bool,
    workstation_id: String,
    max_frame_len: usize,
    traced: HashMap<ConnId, TracedConnection>,
}

impl Tracer {
    /// Connects the tracer to the engine's slot.
    pub(crate) fn attach(
        &mut self,
        slot: Arc<TapSlot>,
        terminal: SocketAddr,
        config: &crate::session::SessionConfig,
        dual_socket: bool,
    ) {
        self.slot = Some(slot);
        self.terminal = Some(terminal);
        self.dialect = config.dialect.name();
        self.dual_socket = dual_socket;
        self.workstation_id = config.workstation_id.clone();
        self.max_frame_len = config.max_frame_len;
    }

    /// A connection opens: traced if a tap is installed now.
    pub(crate) fn opened(&mut self, conn: ConnId, channel: u8, peer: SocketAddr) {
        let (Some(slot), Some(terminal)) = (&self.slot, self.terminal) else {
            return;
        };
        let Some(tap) = slot.current() else {
            return;
        };
        let connection = TapConnection {
            conn: conn.0,
            channel,
            peer,
            terminal,
        };
        tap.record(TapEvent::Opened {
            connection: connection.clone(),
            dialect: self.dialect,
            dual_socket: self.dual_socket,
            workstation_id: self.workstation_id.clone(),
        });
        self.traced.insert(
            conn,
            TracedConnection {
                tap,
                connection,
                written: FrameDecoder::with_max_frame_len(self.max_frame_len),
                read: FrameDecoder::with_max_frame_len(self.max_frame_len),
                broken: false,
            },
        );
    }

    /// The POS wrote `bytes` on `conn`.
    pub(crate) fn written(&mut self, conn: ConnId, bytes: &[u8]) {
        self.bytes(conn, bytes, Direction::PosToTerminal);
    }

    /// The POS read `bytes` on `conn`.
    pub(crate) fn read(&mut self, conn: ConnId, bytes: &[u8]) {
        self.bytes(conn, bytes, Direction::TerminalToPos);
    }

    fn bytes(&mut self, conn: ConnId, bytes: &[u8], direction: Direction) {
        if self.traced.is_empty() {
            return;
        }
        let Some(traced) = self.traced.get_mut(&conn).filter(|t| !t.broken) else {
            return;
        };
        let decoder = match direction {
            Direction::PosToTerminal => &mut traced.written,
            Direction::TerminalToPos => &mut traced.read,
        };
        decoder.push(bytes);
        loop {
            match decoder.next_frame() {
                Ok(Some(payload)) => traced.tap.record(TapEvent::Frame {
                    connection: traced.connection.clone(),
                    direction,
                    payload,
                }),
                Ok(None) => return,
                Err(error) => {
                    traced.tap.record(TapEvent::FramingError {
                        connection: traced.connection.clone(),
                        direction,
                        error: error.to_string(),
                        head: bytes.iter().take(HEAD_BYTES).copied().collect(),
                    });
                    // The decoder is poisoned; the close is still reported.
                    traced.broken = true;
                    return;
                }
            }
        }
    }

    /// `conn` ended (or never opened).
    pub(crate) fn closed(&mut self, conn: ConnId, reason: &str) {
        if let Some(traced) = self.traced.remove(&conn) {
            traced.tap.record(TapEvent::Closed {
                connection: traced.connection,
                reason: reason.to_owned(),
            });
        }
    }
}
