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
use crate::message::masking;
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
        /// The start of the bytes that could not be framed, from the length prefix that failed
        /// (unmasked: the tap masks it). Its ends never cut through a number (digits, possibly
        /// grouped by single spaces or dashes), so masking it masks every card number in it whole.
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

/// How much of an unframable stream a [`TapEvent::FramingError`] carries, give or take a number
/// at either end (see [`unframed_head`]).
const HEAD_BYTES: usize = 256;

/// The head a [`TapEvent::FramingError`] carries: about [`HEAD_BYTES`] of the read `bytes` after
/// which the decoder had `unframed` bytes it could not cut into frames.
///
/// A tap masks card numbers by their length, so a number cut in two here would reach it as two
/// harmless-looking pieces (12 digits of a 19-digit PAN are not masked). Hence no end of the head
/// splits a number (digits, grouped by single spaces or dashes, as the masking reads them):
/// - a number crossing the [`HEAD_BYTES`] bound is kept whole;
/// - a number touching the end of the read is left out, since it may go on in the next read,
///   which is not traced once the stream is broken;
/// - digits at the start that may continue a number from before the failing length prefix are
///   left out: what precedes the prefix is another frame's, or, when the prefix began in an
///   earlier read (at most 3 of its 4 bytes can have), not here at all.
fn unframed_head(bytes: &[u8], unframed: usize) -> &[u8] {
    let (mut start, continued) = match bytes.len().checked_sub(unframed) {
        Some(start) => (start, false),
        None => (0, true),
    };
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let separator = |i: usize| bytes.get(i).copied().is_some_and(masking::is_separator);
    if continued {
        // What came before is unknown: take it for a digit.
        if separator(start) && digit(start + 1) {
            start += 1;
        }
        if digit(start) {
            start = masking::number_end(bytes, start + 1);
        }
    } else {
        start = masking::number_end(bytes, start);
    }
    let mut end = masking::number_end(bytes, (start + HEAD_BYTES).min(bytes.len()));
    if end == bytes.len() {
        // What comes after is unknown: take it for a digit.
        if end >= start + 2 && separator(end - 1) && digit(end - 2) {
            end -= 1;
        }
        if end > start && digit(end - 1) {
            end -= 1;
            while masking::splits_number(bytes, end) {
                end -= 1;
            }
        }
    }
    &bytes[start..end.max(start)]
}

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
                    let unframed = decoder.buffered_len();
                    traced.tap.record(TapEvent::FramingError {
                        connection: traced.connection.clone(),
                        direction,
                        error: error.to_string(),
                        head: unframed_head(bytes, unframed).to_vec(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::codec::encode_frame;
    use crate::message::masking::masked_preview;
    use crate::message::masking::tests::{at_most_first_six_last_four, grouped_pan, surrounding};
    use crate::session::SessionConfig;
    use crate::Dialect;
    use proptest::prelude::*;

    const PAN: &str = "6789012345678901234";

    #[derive(Default)]
    struct Kept(Mutex<Vec<TapEvent>>);

    impl WireTap for Kept {
        fn record(&self, event: TapEvent) {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(event);
        }
    }

    /// The head of the framing error that reading `reads` on one traced connection reports.
    fn framing_head(reads: &[&[u8]]) -> Option<Vec<u8>> {
        let kept = Arc::new(Kept::default());
        let slot = Arc::new(TapSlot::default());
        slot.set(Some(kept.clone()));
        let terminal = SocketAddr::from(([127, 0, 0, 1], 20002));
        let mut tracer = Tracer::default();
        tracer.attach(
            slot,
            terminal,
            &SessionConfig::new(Dialect::OpiNl, "POS1"),
            false,
        );
        tracer.opened(ConnId(1), 0, terminal);
        for read in reads {
            tracer.read(ConnId(1), read);
        }
        let events = kept.0.lock().unwrap_or_else(PoisonError::into_inner);
        events.iter().find_map(|event| match event {
            TapEvent::FramingError { head, .. } => Some(head.clone()),
            _ => None,
        })
    }

    /// A 4 GB length prefix, `offset - 4` filler bytes, then `text`.
    fn unframable(offset: usize, text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF; 4];
        bytes.extend(std::iter::repeat_n(b'x', offset - 4));
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }

    #[test]
    fn a_card_number_across_the_head_bound_reaches_the_tap_whole() {
        for pan in [PAN, "6789 0123 4567 8901 234", "6789-0123-4567-8901-234"] {
            for offset in HEAD_BYTES - 20..HEAD_BYTES {
                let bytes = unframable(offset, &format!("{pan} is the card."));
                let head = framing_head(&[&bytes]).expect("a framing error");
                let text = String::from_utf8_lossy(&head);
                assert!(text.contains(pan), "{offset}: {text}");
                let preview = masked_preview(&head, 512);
                assert!(
                    at_most_first_six_last_four(&preview, pan),
                    "{offset}: {preview}"
                );
            }
        }
    }

    #[test]
    fn the_head_starts_at_the_length_prefix_that_failed() {
        let mut bytes = encode_frame(format!("<a>card {PAN}</a>").as_bytes()).expect("a frame");
        bytes.extend(unframable(8, "garbage"));
        let head = framing_head(&[&bytes]).expect("a framing error");
        assert_eq!(head, unframable(8, "garbage"));
    }

    #[test]
    fn a_number_the_read_may_not_hold_whole_is_left_out() {
        // A 13-digit number whose first 3 digits were taken for most of a length prefix in the
        // previous read: this read starts with the other 10.
        let head = framing_head(&[b"411", b"1111111111 and the rest"]).expect("a framing error");
        assert_eq!(head, b" and the rest");
        // A number at the end of the read may go on in the next one.
        let head = framing_head(&[&unframable(4, "card 4111 1111 11")]).expect("a framing error");
        assert_eq!(head, unframable(4, "card "));
        let head = framing_head(&[&unframable(4, "card 4111 1111 11-")]).expect("a framing error");
        assert_eq!(head, unframable(4, "card "));
        // Nothing but a number: nothing shown.
        let head = framing_head(&[b"4111111111111111"]).expect("a framing error");
        assert_eq!(head, b"");
    }

    proptest! {
        #[test]
        fn no_split_of_the_stream_shows_more_than_first_six_last_four(
            pan in grouped_pan(),
            valid in any::<bool>(),
            prefix in prop::sample::select(vec![&b"\xFF\xFF\xFF\xFF"[..], b"", b"<"]),
            before in surrounding(),
            after in surrounding(),
            filler in 0usize..300,
            splits in prop::collection::vec(0usize..700, 0..3),
        ) {
            let mut stream = if valid {
                encode_frame(b"<a>text</a>").expect("a frame")
            } else {
                Vec::new()
            };
            stream.extend_from_slice(prefix);
            stream.extend_from_slice(before.as_bytes());
            stream.extend(std::iter::repeat_n(b'x', filler));
            stream.extend_from_slice(pan.as_bytes());
            stream.extend_from_slice(after.as_bytes());
            let mut cuts: Vec<usize> = splits.into_iter().map(|at| at.min(stream.len())).collect();
            cuts.sort_unstable();
            let mut reads: Vec<&[u8]> = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([stream.len()]) {
                reads.push(&stream[from..cut]);
                from = cut;
            }
            if let Some(head) = framing_head(&reads) {
                let preview = masked_preview(&head, 512);
                prop_assert!(at_most_first_six_last_four(&preview, &pan), "{reads:?} → {preview:?}");
            }
        }
    }
}
