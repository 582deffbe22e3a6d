//! The properties the fuzz targets assert, in one file that builds on a stable toolchain: the
//! libFuzzer targets (fuzz/fuzz_targets) call it with generated inputs, and `cargo test`
//! (tests/hardening_fuzz_replay.rs includes this file) replays the seeds and every input that
//! ever broke a property, so a fixed finding stays fixed without libFuzzer.
//!
//! Each check panics when a property does not hold; "no panic" is itself a property.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use mapi::message::abort::AbortDisplay;
use mapi::message::abort::AbortVia;
use mapi::message::codec::{FrameDecoder, FrameError, LENGTH_PREFIX_LEN};
use mapi::message::{
    Amount, CardRequestType, CardServiceRequest, CardServiceResponse, DeviceRequest,
    DeviceRequestType, DeviceTarget, Input, InputCommand, Message, OriginalHeader, Output,
    OverallResult, RequestId, ServiceRequest, ServiceRequestType, ServiceResponse, TextLine,
    TotalAmount,
};
use mapi::session::{
    AbortCommand, Action, ArmedAbort, CommandId, CommandKind, ConnId, Event, InputAnswer,
    InputTicket, Request, Session, SessionConfig,
};
use mapi::Dialect;

/// Reads a fuzz input as a sequence of small choices. Past its end every read yields zero, so
/// every input decodes to something and a shorter input is a simpler case.
pub struct Choices<'a> {
    data: &'a [u8],
}

impl<'a> Choices<'a> {
    /// Reads `data` from its start.
    pub fn new(data: &'a [u8]) -> Self {
        Choices { data }
    }

    /// True when the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte (0 past the end).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((first, rest)) => {
                self.data = rest;
                *first
            }
            None => 0,
        }
    }

    /// The next two bytes, big-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// A number in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            usize::from(self.byte()) % n
        } else {
            usize::from(self.u16()) % n
        }
    }

    /// Up to `n` raw bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        taken
    }

    /// Everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

// ---- frame decoder ---------------------------------------------------------------------------

/// What a straightforward, obviously correct reading of an OPI byte stream yields.
struct ReferenceDecoding {
    payloads: Vec<Vec<u8>>,
    /// `TooLong` at the first oversize prefix; the stream stops there.
    error: Option<FrameError>,
    /// Bytes after the last whole frame (a partial frame), when no error stopped the stream.
    leftover: Vec<u8>,
}

fn reference_decoding(stream: &[u8], max: usize) -> ReferenceDecoding {
    let mut payloads = Vec::new();
    let mut position = 0usize;
    while stream.len() - position >= LENGTH_PREFIX_LEN {
        let prefix: [u8; 4] = stream[position..position + 4].try_into().expect("4 bytes");
        let len = u32::from_be_bytes(prefix);
        if len as usize > max {
            return ReferenceDecoding {
                payloads,
                error: Some(FrameError::TooLong {
                    len: u64::from(len),
                    max,
                }),
                leftover: Vec::new(),
            };
        }
        let end = position + 4 + len as usize;
        if end > stream.len() {
            break;
        }
        if len > 0 {
            payloads.push(stream[position + 4..end].to_vec());
        }
        position = end;
    }
    ReferenceDecoding {
        payloads,
        error: None,
        leftover: stream[position..].to_vec(),
    }
}

/// Feeds `chunks` to a decoder bounded by `max`, draining after every push. Asserts the memory
/// bound after every drain: the decoder never holds more than one partial frame (prefix + at most
/// `max` bytes), or, once poisoned, more than it held plus the chunk that poisoned it.
fn decode_in_chunks(chunks: &[&[u8]], max: usize) -> (FrameDecoder, Vec<Vec<u8>>) {
    let mut decoder = FrameDecoder::with_max_frame_len(max);
    let mut payloads = Vec::new();
    let mut poisoned = false;
    for chunk in chunks {
        let before = decoder.buffered_len();
        decoder.push(chunk);
        loop {
            match decoder.next_frame() {
                Ok(Some(payload)) => {
                    assert!(!payload.is_empty(), "empty frames are skipped");
                    assert!(payload.len() <= max, "payload above the bound");
                    payloads.push(payload);
                }
                Ok(None) => {
                    assert!(!poisoned, "a poisoned decoder must stay failed");
                    assert!(
                        decoder.buffered_len() < LENGTH_PREFIX_LEN + max,
                        "decoder buffers {} bytes with a bound of {max}",
                        decoder.buffered_len()
                    );
                    break;
                }
                Err(FrameError::TooLong { .. }) => {
                    assert!(
                        decoder.buffered_len() <= before + chunk.len(),
                        "a poisoned decoder must not grow"
                    );
                    poisoned = true;
                    break;
                }
                Err(other) => panic!("next_frame returned {other:?}"),
            }
        }
    }
    (decoder, payloads)
}

/// The frame decoder against the reference reading, for an arbitrary stream cut at arbitrary
/// places (1-byte reads, coalesced frames, a split inside the prefix…), with a small bound so
/// oversize lengths are reachable.
///
/// Input: 2 bytes bound, 1 byte number of chunk sizes, that many chunk sizes, then the stream.
pub fn check_frame_decoder(data: &[u8]) {
    let mut choices = Choices::new(data);
    let max = usize::from(choices.u16()) % 4096 + 1;
    let sizes: Vec<usize> = (0..choices.below(16) + 1)
        .map(|_| usize::from(choices.byte()))
        .collect();
    let stream = choices.rest();
    let want = reference_decoding(stream, max);

    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut rest = stream;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        if *size == 0 {
            // An empty read must change nothing; the next byte still goes on its own.
            chunks.push(&[]);
        }
        let (chunk, tail) = rest.split_at((*size).clamp(1, rest.len()));
        chunks.push(chunk);
        rest = tail;
    }
    for plan in [chunks, vec![stream]] {
        let (mut decoder, payloads) = decode_in_chunks(&plan, max);
        assert_eq!(payloads, want.payloads, "payloads differ for bound {max}");
        let finish = decoder.finish();
        match &want.error {
            Some(error) => {
                assert_eq!(decoder.next_frame().as_ref(), Err(error));
                assert_eq!(finish.as_ref(), Err(error));
            }
            None if want.leftover.is_empty() => {
                assert_eq!(finish, Ok(()));
                assert_eq!(decoder.buffered_len(), 0);
            }
            None => {
                let left = want.leftover.len();
                let expected = if left < LENGTH_PREFIX_LEN {
                    FrameError::Truncated {
                        expected: LENGTH_PREFIX_LEN,
                        received: left,
                    }
                } else {
                    let prefix: [u8; 4] = want.leftover[..4].try_into().expect("4 bytes");
                    FrameError::Truncated {
                        expected: u32::from_be_bytes(prefix) as usize,
                        received: left - LENGTH_PREFIX_LEN,
                    }
                };
                assert_eq!(finish, Err(expected));
                assert_eq!(decoder.buffered_len(), left);
            }
        }
    }
}

// ---- message parsing -------------------------------------------------------------------------

/// Any bytes: parsing never panics, and a message that parses serialises, and what it serialises
/// to parses back to the same message (so a DeviceResponse echoing a terminal's header, or a
/// journal of what was received, never changes a value on the way).
pub fn check_message(data: &[u8]) {
    let Ok(message) = Message::parse(data) else {
        return;
    };
    let summary = message.summary();
    assert!(!summary.is_empty());
    let xml = message
        .to_xml()
        .unwrap_or_else(|error| panic!("a parsed message must serialise: {error}\n{message:?}"));
    let again = Message::parse(xml.as_bytes())
        .unwrap_or_else(|error| panic!("our own XML must parse: {error}\n{xml}"));
    assert_eq!(
        again, message,
        "parse → serialise → parse changed the message\nsent: {xml}"
    );
    let frame = message.to_frame().expect("a serialisable message frames");
    let mut decoder = FrameDecoder::new();
    decoder.push(&frame);
    assert_eq!(decoder.next_frame(), Ok(Some(xml.into_bytes())));
}

// ---- the sans-IO session ---------------------------------------------------------------------

/// What the harness knows about a connection, as the tokio driver would see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnState {
    /// The session asked for it; not connected yet.
    Connecting,
    /// Connected (outbound) and reported so.
    Open,
    /// Accepted on channel 1.
    Inbound,
    /// The session asked to close it; the driver may still report data or a close that raced.
    ClosedBySession,
    /// Reported closed or failed; the driver says nothing more about it.
    Gone,
}

#[derive(Debug)]
struct CommandInfo {
    kind: CommandKind,
    request_id: RequestId,
    outcomes: usize,
}

/// A session, a virtual clock, and the bookkeeping that turns its output into assertions.
struct SessionHarness {
    session: Session,
    now: Instant,
    auto_connect: bool,
    next_id: u64,
    commands: HashMap<CommandId, CommandInfo>,
    conns: BTreeMap<ConnId, ConnState>,
    /// RequestIDs whose request or abort frame the session handed to the driver.
    sent: HashSet<RequestId>,
    /// Device requests the session received, per connection, by RequestID: found by decoding a
    /// copy of every byte handed to the session, so broken frames count as the session read them.
    device_requests: HashMap<ConnId, HashSet<RequestId>>,
    mirrors: HashMap<ConnId, FrameDecoder>,
    max_frame_len: usize,
    tickets: HashSet<InputTicket>,
    /// The request started last (its id and type), for building answers that match it.
    last_request: Option<(RequestId, String)>,
    last_abort: Option<RequestId>,
    issued: Vec<RequestId>,
    /// An abort armed for the app's thread (the client's abort lane), not yet fired or withdrawn.
    armed: Option<ArmedAbort>,
    report: SessionReport,
}

const REQUEST_TYPES: [&str; 6] = [
    "CardPayment",
    "PaymentRefund",
    "RepeatLastMessage",
    "Diagnosis",
    "Login",
    "AbortRequest",
];

const RESULTS: [OverallResult; 6] = [
    OverallResult::Success,
    OverallResult::Failure,
    OverallResult::Aborted,
    OverallResult::Busy,
    OverallResult::DeviceUnavailable,
    OverallResult::TimedOut,
];

const TARGETS: [&str; 7] = [
    "CashierDisplay",
    "CustomerDisplay",
    "Printer",
    "PrinterReceipt",
    "E-Journal",
    "CashierKeyboard",
    "Hologram",
];

/// Op codes of the session input (see [`check_session`]); the seeds spell flows with them.
pub mod op {
    /// Start a request: type, amount.
    pub const START: u8 = 0;
    /// Abort: via, display.
    pub const ABORT: u8 = 1;
    /// Report a pending connection as connected: connection.
    pub const CONNECTED: u8 = 2;
    /// Report a pending connection as failed: connection.
    pub const CONNECT_FAILED: u8 = 3;
    /// Report a connection as closed by the peer: connection.
    pub const CLOSED: u8 = 4;
    /// Accept a channel-1 connection.
    pub const INBOUND: u8 = 5;
    /// Raw bytes: connection, length, bytes.
    pub const DATA: u8 = 6;
    /// A well-formed message, cut in pieces: connection, message, cuts.
    pub const FRAME: u8 = 7;
    /// Move the clock: unit, amount.
    pub const ADVANCE: u8 = 8;
    /// Answer a cashier question: ticket, answer.
    pub const ANSWER: u8 = 9;
    /// Call handle_timeout without moving the clock.
    pub const TIMEOUT: u8 = 10;
    /// A message with bytes flipped or cut: connection, message, mutation.
    pub const BROKEN_FRAME: u8 = 11;
    /// Number of op codes.
    pub const COUNT: u8 = 12;
}

/// Message templates of [`op::FRAME`].
pub mod template {
    /// CardServiceResponse.
    pub const CARD_RESPONSE: u8 = 0;
    /// ServiceResponse.
    pub const SERVICE_RESPONSE: u8 = 1;
    /// DeviceRequest Output.
    pub const OUTPUT: u8 = 2;
    /// DeviceRequest Input (a cashier question).
    pub const INPUT: u8 = 3;
    /// DeviceRequest AbortInput.
    pub const ABORT_INPUT: u8 = 4;
    /// A CardServiceRequest (a terminal never sends one).
    pub const UNEXPECTED: u8 = 5;
    /// A RepeatLastMessage answer with an OriginalHeader.
    pub const REPEAT_ANSWER: u8 = 6;
    /// Number of templates.
    pub const COUNT: u8 = 7;
}

/// Which RequestID a generated message carries, chosen by one byte.
pub mod target_id {
    /// The request started last.
    pub const REQUEST: u8 = 0;
    /// The abort started last.
    pub const ABORT: u8 = 1;
    /// Any id issued so far (next byte picks it).
    pub const ISSUED: u8 = 2;
    /// An id nobody issued.
    pub const STRANGER: u8 = 3;
}

impl SessionHarness {
    fn new(choices: &mut Choices<'_>) -> Self {
        let flags = choices.byte();
        let dialect = if flags & 2 == 0 {
            Dialect::OpiNl
        } else {
            Dialect::OpiDe
        };
        let mut config = SessionConfig::new(dialect, "POS1");
        // A small bound so that oversize frames are reachable with short inputs.
        config.max_frame_len = 256 + usize::from(choices.u16()) % 8192;
        let max_frame_len = config.max_frame_len;
        SessionHarness {
            session: Session::new(config),
            now: Instant::now(),
            auto_connect: flags & 1 == 1,
            next_id: 1,
            commands: HashMap::new(),
            conns: BTreeMap::new(),
            sent: HashSet::new(),
            device_requests: HashMap::new(),
            mirrors: HashMap::new(),
            max_frame_len,
            tickets: HashSet::new(),
            last_request: None,
            last_abort: None,
            issued: Vec::new(),
            armed: None,
            report: SessionReport::default(),
        }
    }

    fn new_id(&mut self) -> RequestId {
        // RequestIDs are unique, as the engine's persisted counter guarantees.
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.issued.push(id.clone());
        id
    }

    /// Picks a connection: one the harness knows in an allowed state, or one never issued.
    fn pick_conn(&mut self, choices: &mut Choices<'_>, allowed: &[ConnState]) -> ConnId {
        let candidates: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, state)| allowed.contains(state))
            .map(|(conn, _)| *conn)
            .collect();
        let index = choices.below(candidates.len() + 1);
        candidates
            .get(index)
            .copied()
            .unwrap_or_else(|| ConnId(1_000_000 + u64::from(choices.byte())))
    }

    fn pick_id(&mut self, choices: &mut Choices<'_>) -> RequestId {
        match choices.byte() % 4 {
            target_id::REQUEST => self.last_request.as_ref().map(|(id, _)| id.clone()),
            target_id::ABORT => self.last_abort.clone(),
            target_id::ISSUED if !self.issued.is_empty() => {
                let index = choices.below(self.issued.len());
                Some(self.issued[index].clone())
            }
            _ => None,
        }
        .unwrap_or_else(|| RequestId::from(900_000 + u64::from(choices.byte())))
    }

    fn pick_type(&mut self, choices: &mut Choices<'_>) -> String {
        let index = choices.below(REQUEST_TYPES.len() + 1);
        match REQUEST_TYPES.get(index) {
            Some(name) => (*name).to_owned(),
            None => self
                .last_request
                .as_ref()
                .map(|(_, kind)| kind.clone())
                .unwrap_or_else(|| "CardPayment".to_owned()),
        }
    }

    fn step(&mut self, choices: &mut Choices<'_>) {
        match choices.byte() % op::COUNT {
            op::START => self.start(choices),
            op::ABORT => {
                // Bits 1–2 of the first choice pick the armed-abort path of the client's abort
                // lane; 0 (the seeds' values 0 and 1) is the engine's own abort.
                let how = choices.byte();
                match (how >> 1) & 3 {
                    1 => return self.arm(),
                    2 => return self.fire_armed(choices),
                    3 => return self.disarm(),
                    _ => {}
                }
                let request_id = self.new_id();
                let via = if how & 1 == 0 {
                    AbortVia::SameConnection
                } else {
                    AbortVia::NewConnection
                };
                let display = if choices.byte() & 1 == 0 {
                    AbortDisplay::Normal
                } else {
                    AbortDisplay::Silent
                };
                self.last_abort = Some(request_id.clone());
                let command = self.session.abort(
                    AbortCommand {
                        request_id: request_id.clone(),
                        via,
                        display,
                        pos_timestamp: None,
                    },
                    self.now,
                );
                self.issue(command, CommandKind::Abort, request_id);
            }
            op::CONNECTED => {
                let conn = self.pick_conn(
                    choices,
                    &[ConnState::Connecting, ConnState::ClosedBySession],
                );
                self.connected(conn);
            }
            op::CONNECT_FAILED => {
                let conn = self.pick_conn(
                    choices,
                    &[ConnState::Connecting, ConnState::ClosedBySession],
                );
                self.session
                    .handle_connect_failed(conn, "connection refused", self.now);
                self.conns.insert(conn, ConnState::Gone);
            }
            op::CLOSED => {
                let conn = self.pick_conn(
                    choices,
                    &[
                        ConnState::Open,
                        ConnState::Inbound,
                        ConnState::ClosedBySession,
                    ],
                );
                self.session
                    .handle_closed(conn, "the terminal closed the connection", self.now);
                self.conns.insert(conn, ConnState::Gone);
            }
            op::INBOUND => {
                let conn = self.session.handle_inbound(self.now);
                let previous = self.conns.insert(conn, ConnState::Inbound);
                assert!(previous.is_none(), "connection id {conn:?} reused");
            }
            op::DATA => {
                let conn = self.readable_conn(choices);
                let len = usize::from(choices.byte());
                let bytes = choices.bytes(len).to_vec();
                self.feed(conn, &bytes);
            }
            op::FRAME => {
                let conn = self.readable_conn(choices);
                let frame = self.message_frame(choices);
                self.deliver(choices, conn, &frame);
            }
            op::BROKEN_FRAME => {
                let conn = self.readable_conn(choices);
                let mut frame = self.message_frame(choices);
                match choices.byte() % 3 {
                    0 => {
                        // Flip a few bytes anywhere, the length prefix included; positions count
                        // from the end, where the closing tags are.
                        for _ in 0..choices.below(4) + 1 {
                            let back = usize::from(choices.u16()) % frame.len().max(1);
                            let at = frame.len().saturating_sub(1 + back);
                            if let Some(byte) = frame.get_mut(at) {
                                *byte ^= choices.byte() | 1;
                            }
                        }
                    }
                    1 => {
                        let keep = usize::from(choices.byte()) * frame.len() / 256;
                        frame.truncate(keep);
                    }
                    _ => {
                        let extra = choices.byte();
                        frame.extend(std::iter::repeat_n(extra, choices.below(8)));
                    }
                }
                self.deliver(choices, conn, &frame);
            }
            op::ADVANCE => {
                let by = match choices.byte() % 3 {
                    0 => Duration::from_millis(u64::from(choices.u16()) % 1000),
                    1 => Duration::from_secs(u64::from(choices.byte())),
                    _ => Duration::from_secs(u64::from(choices.u16())),
                };
                self.now += by;
                self.timeout();
            }
            op::ANSWER => {
                let mut tickets: Vec<InputTicket> = self.tickets.iter().copied().collect();
                tickets.sort_by_key(|ticket| ticket.0);
                let index = choices.below(tickets.len() + 1);
                let ticket = tickets
                    .get(index)
                    .copied()
                    .unwrap_or_else(|| InputTicket(5_000 + u64::from(choices.byte())));
                let answer = if choices.byte() & 1 == 0 {
                    InputAnswer::Confirm(choices.byte() & 1 == 0)
                } else {
                    InputAnswer::Text(format!("{}", choices.byte()))
                };
                let pending = self.tickets.remove(&ticket);
                let answered = self.session.answer_input(ticket, answer, self.now);
                assert_eq!(
                    answered.is_ok(),
                    pending,
                    "answer_input({ticket:?}) disagrees with the events about the pending questions"
                );
            }
            _ => self.timeout(),
        }
        self.drain();
    }

    /// What the driver does when `poll_timeout` is reached. Afterwards no deadline may be due:
    /// the tokio driver sleeps until `poll_timeout`, so a deadline left in the past would make it
    /// spin without end.
    fn timeout(&mut self) {
        self.session.handle_timeout(self.now);
        self.drain();
        if let Some(next) = self.session.poll_timeout() {
            assert!(
                next > self.now,
                "a deadline {:?} before now is left after handle_timeout",
                self.now - next
            );
        }
    }

    fn readable_conn(&mut self, choices: &mut Choices<'_>) -> ConnId {
        self.pick_conn(
            choices,
            &[
                ConnState::Open,
                ConnState::Inbound,
                ConnState::ClosedBySession,
            ],
        )
    }

    fn start(&mut self, choices: &mut Choices<'_>) {
        let request_id = self.new_id();
        let amount = amount_from_cents(choices.u16());
        let request = match choices.byte() % 6 {
            0 => card(CardRequestType::CardPayment, &request_id, Some(amount)),
            1 => card(CardRequestType::PaymentRefund, &request_id, Some(amount)),
            2 => card(CardRequestType::RepeatLastMessage, &request_id, None),
            3 => service(ServiceRequestType::Diagnosis, &request_id),
            4 => service(ServiceRequestType::RepeatLastMessage, &request_id),
            _ => service(ServiceRequestType::Login, &request_id),
        };
        let request_type = request.request_type().to_owned();
        let command = self.session.start(request, self.now);
        if self.session.running_request() == Some(&request_id) {
            self.last_request = Some((request_id.clone(), request_type));
        }
        self.issue(command, CommandKind::Request, request_id);
    }

    /// The client arms an abort: only for a request that left on an open connection.
    fn arm(&mut self) {
        let request_id = self.new_id();
        let Some(armed) = self.session.arm_abort(request_id.clone(), None) else {
            return;
        };
        assert!(
            self.armed.is_none(),
            "armed twice without firing or withdrawing"
        );
        assert_eq!(armed.request_id, request_id);
        let state = self.conns.get(&armed.conn).copied();
        assert_eq!(state, Some(ConnState::Open), "armed on {:?}", armed.conn);
        for frame in [&armed.normal, &armed.silent] {
            let message = Message::parse(&frame[LENGTH_PREFIX_LEN..]).expect("valid OPI");
            assert_eq!(message.request_type(), "AbortRequest");
            assert_eq!(message.request_id(), &request_id);
        }
        self.armed = Some(armed);
        self.drain();
    }

    /// The app's thread writes the armed frame and the client reports it. A write on a
    /// connection that is gone fails in the client, which then withdraws the arming instead.
    fn fire_armed(&mut self, choices: &mut Choices<'_>) {
        let Some(armed) = self.armed.take() else {
            return;
        };
        if self.conns.get(&armed.conn) != Some(&ConnState::Open) {
            self.armed = Some(armed);
            return self.disarm();
        }
        let display = if choices.byte() & 1 == 0 {
            AbortDisplay::Normal
        } else {
            AbortDisplay::Silent
        };
        let fired = self
            .session
            .armed_abort_fired(armed.generation, display, self.now)
            .expect("an arming neither fired nor withdrawn is known to the session");
        assert_eq!(fired.conn, armed.conn);
        let fresh = self.sent.insert(armed.request_id.clone());
        assert!(fresh, "abort {} sent twice", armed.request_id);
        self.last_abort = Some(armed.request_id.clone());
        self.issue(fired.command, CommandKind::Abort, armed.request_id);
        self.drain();
    }

    fn disarm(&mut self) {
        if let Some(armed) = self.armed.take() {
            let given_back = self.session.disarm_abort(armed.generation);
            assert_eq!(given_back, Some(armed.request_id));
        }
    }

    fn issue(&mut self, command: CommandId, kind: CommandKind, request_id: RequestId) {
        let previous = self.commands.insert(
            command,
            CommandInfo {
                kind,
                request_id,
                outcomes: 0,
            },
        );
        assert!(previous.is_none(), "command id {command:?} reused");
    }

    fn connected(&mut self, conn: ConnId) {
        self.session.handle_connected(conn, self.now);
        if self.conns.get(&conn) == Some(&ConnState::Connecting) {
            self.conns.insert(conn, ConnState::Open);
        }
    }

    /// Hands `frame` to the session in up to four pieces.
    fn deliver(&mut self, choices: &mut Choices<'_>, conn: ConnId, frame: &[u8]) {
        let mut cuts: Vec<usize> = (0..choices.below(4))
            .map(|_| choices.below(frame.len() + 1))
            .collect();
        cuts.push(0);
        cuts.push(frame.len());
        cuts.sort_unstable();
        for piece in cuts.windows(2) {
            self.feed(conn, &frame[piece[0]..piece[1]]);
            // The session must cope with its queues being drained between reads.
            self.drain();
        }
    }

    /// Hands bytes to the session and notes the device requests it will read in them.
    fn feed(&mut self, conn: ConnId, bytes: &[u8]) {
        self.session.handle_data(conn, bytes, self.now);
        let max = self.max_frame_len;
        let mirror = self
            .mirrors
            .entry(conn)
            .or_insert_with(|| FrameDecoder::with_max_frame_len(max));
        mirror.push(bytes);
        while let Ok(Some(payload)) = mirror.next_frame() {
            if let Ok(Message::DeviceRequest(request)) = Message::parse(&payload) {
                self.device_requests
                    .entry(conn)
                    .or_default()
                    .insert(request.request_id);
            }
        }
    }

    fn message_frame(&mut self, choices: &mut Choices<'_>) -> Vec<u8> {
        let message = match choices.byte() % template::COUNT {
            template::CARD_RESPONSE | template::REPEAT_ANSWER => {
                let repeat = choices.byte() & 1 == 1;
                let request_id = self.pick_id(choices);
                let request_type = self.pick_type(choices);
                let result = RESULTS[choices.below(RESULTS.len())].clone();
                let mut request = CardServiceRequest::new(
                    CardRequestType::from_wire(&request_type),
                    "POS1",
                    request_id,
                );
                request.total_amount =
                    Some(TotalAmount::new(amount_from_cents(choices.u16()), "EUR"));
                let mut response = CardServiceResponse::answering(&request, result);
                if repeat {
                    response.original_header = Some(OriginalHeader {
                        request_type: Some("CardPayment".to_owned()),
                        request_id: Some(self.pick_id(choices)),
                        ..OriginalHeader::default()
                    });
                }
                Message::CardServiceResponse(response)
            }
            template::SERVICE_RESPONSE => {
                let request_id = self.pick_id(choices);
                let request_type = self.pick_type(choices);
                let result = RESULTS[choices.below(RESULTS.len())].clone();
                let request = ServiceRequest::new(
                    ServiceRequestType::from_wire(&request_type),
                    "POS1",
                    request_id,
                );
                Message::ServiceResponse(ServiceResponse::answering(&request, result))
            }
            template::OUTPUT | template::INPUT | template::ABORT_INPUT => {
                let request_id = self.pick_id(choices);
                let kind = match choices.byte() % 4 {
                    0 | 1 => DeviceRequestType::Output,
                    2 => DeviceRequestType::Input,
                    _ => DeviceRequestType::AbortInput,
                };
                let outputs = (0..choices.below(3))
                    .map(|_| Output {
                        target: DeviceTarget::from_wire(TARGETS[choices.below(TARGETS.len())]),
                        lines: vec![TextLine::new(&format!("  line {}  ", choices.byte()))],
                    })
                    .collect();
                let input = (kind == DeviceRequestType::Input).then(|| Input {
                    target: DeviceTarget::CashierKeyboard,
                    command: Some(InputCommand {
                        command: "GetConfirmation".to_owned(),
                        ..InputCommand::default()
                    }),
                });
                Message::DeviceRequest(DeviceRequest {
                    namespace: Default::default(),
                    request_type: kind,
                    application_sender: Some("fuzz".to_owned()),
                    workstation_id: "POS1".to_owned(),
                    terminal_id: Some("29000001".to_owned()),
                    request_id,
                    sequence_id: Some(choices.byte().to_string()),
                    pop_id: None,
                    outputs,
                    input,
                })
            }
            _ => {
                let request_id = self.pick_id(choices);
                Message::CardServiceRequest(CardServiceRequest::new(
                    CardRequestType::CardPayment,
                    "POS1",
                    request_id,
                ))
            }
        };
        message.to_frame().expect("generated messages serialise")
    }

    /// Takes everything the session wants done or seen, and checks it.
    fn drain(&mut self) {
        loop {
            while let Some(action) = self.session.poll_action() {
                self.check_action(action);
            }
            while let Some(event) = self.session.poll_event() {
                self.check_event(event);
            }
            if !self.auto_connect {
                return;
            }
            let pending: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, state)| **state == ConnState::Connecting)
                .map(|(conn, _)| *conn)
                .collect();
            if pending.is_empty() {
                return;
            }
            for conn in pending {
                self.connected(conn);
            }
        }
    }

    fn check_action(&mut self, action: Action) {
        match action {
            Action::Connect(conn) => {
                let previous = self.conns.insert(conn, ConnState::Connecting);
                assert!(previous.is_none(), "connection id {conn:?} reused");
            }
            Action::Send { conn, bytes, .. } => {
                let state = self.conns.get(&conn).copied();
                assert!(
                    matches!(state, Some(ConnState::Open | ConnState::Inbound)),
                    "a frame was sent on {conn:?} in state {state:?}: the driver would drop it"
                );
                let mut decoder = FrameDecoder::new();
                decoder.push(&bytes);
                let payload = decoder
                    .next_frame()
                    .expect("the session frames correctly")
                    .expect("one whole frame per send");
                assert_eq!(decoder.buffered_len(), 0, "exactly one frame per send");
                let message = Message::parse(&payload).expect("the session sends valid OPI");
                match &message {
                    Message::CardServiceRequest(_) | Message::ServiceRequest(_) => {
                        let fresh = self.sent.insert(message.request_id().clone());
                        assert!(fresh, "request {} sent twice", message.request_id());
                    }
                    Message::DeviceResponse(response) => {
                        let asked = self
                            .device_requests
                            .get(&conn)
                            .is_some_and(|ids| ids.contains(&response.request_id));
                        assert!(
                            asked,
                            "a DeviceResponse for {} on {conn:?}, which asked no such thing",
                            response.request_id
                        );
                    }
                    other => panic!("the POS never sends {}", other.summary()),
                }
            }
            Action::Close(conn) => {
                let state = self.conns.get(&conn).copied();
                assert!(
                    matches!(
                        state,
                        Some(ConnState::Connecting | ConnState::Open | ConnState::Inbound)
                    ),
                    "close of {conn:?} in state {state:?}"
                );
                self.conns.insert(conn, ConnState::ClosedBySession);
            }
        }
    }

    fn check_event(&mut self, event: Event) {
        match event {
            Event::Finished {
                command,
                kind,
                outcome,
            } => {
                let info = self.commands.get_mut(&command).unwrap_or_else(|| {
                    panic!("an outcome for {command:?}, which was never issued")
                });
                info.outcomes += 1;
                assert_eq!(info.outcomes, 1, "{command:?} ended twice");
                assert_eq!(info.kind, kind, "{command:?} ended as the wrong kind");
                let request_id = info.request_id.clone();
                let was_sent = self.sent.contains(&request_id);
                match outcome {
                    Ok(response) => {
                        assert_eq!(
                            response.request_id(),
                            &request_id,
                            "a response attributed to the wrong request"
                        );
                        assert!(was_sent, "{request_id} got an answer before it was sent");
                        if kind == CommandKind::Abort {
                            assert_eq!(response.request_type(), "AbortRequest");
                        }
                        self.report.answered.push((
                            format!("{kind:?}"),
                            response.request_type().to_owned(),
                            response.overall_result().to_string(),
                        ));
                    }
                    Err(error) => {
                        self.report.failed.push(error.error.java_name().to_owned());
                        assert_eq!(error.request_id.as_ref(), Some(&request_id));
                        if kind == CommandKind::Request && was_sent {
                            assert!(
                                error.recovery_needed,
                                "request {request_id} left and ended in {:?} without asking for recovery: {}",
                                error.error, error.detail
                            );
                        }
                    }
                }
            }
            Event::InputRequested { ticket, .. } => {
                assert!(self.tickets.insert(ticket), "ticket {ticket:?} reused");
            }
            Event::InputCancelled { ticket } => {
                assert!(
                    self.tickets.remove(&ticket),
                    "{ticket:?} withdrawn but it was not pending"
                );
            }
            Event::RequestSent { command } => {
                let info = self
                    .commands
                    .get(&command)
                    .unwrap_or_else(|| panic!("{command:?} sent but never issued"));
                assert_eq!(info.kind, CommandKind::Request);
                assert_eq!(info.outcomes, 0, "{command:?} sent after it ended");
                assert!(
                    self.sent.contains(&info.request_id),
                    "sent event before the frame"
                );
            }
            Event::Output { .. } | Event::Diagnostic(_) => {}
        }
    }

    /// Lets every deadline pass and every connection end: then every command has ended exactly
    /// once and nothing is left pending.
    fn finish(mut self) -> SessionReport {
        for _ in 0..2 {
            self.now += Duration::from_secs(86_400);
            self.session.handle_timeout(self.now);
            self.drain();
        }
        let open: Vec<(ConnId, ConnState)> = self
            .conns
            .iter()
            .filter(|(_, state)| !matches!(state, ConnState::Gone))
            .map(|(conn, state)| (*conn, *state))
            .collect();
        for (conn, state) in open {
            if state == ConnState::Connecting {
                self.session
                    .handle_connect_failed(conn, "the harness ends", self.now);
            } else {
                self.session
                    .handle_closed(conn, "the harness ends", self.now);
            }
            self.conns.insert(conn, ConnState::Gone);
            self.drain();
        }
        for (command, info) in &self.commands {
            assert_eq!(
                info.outcomes, 1,
                "{command:?} ({:?} {}) never ended",
                info.kind, info.request_id
            );
        }
        assert!(self.tickets.is_empty(), "questions left pending");
        assert!(self.session.is_idle(), "session not idle at the end");
        assert!(self.session.poll_timeout().is_none(), "a deadline is left");
        self.report.sent = self.sent.len();
        self.report
    }
}

/// What a session run did, so tests can tell a seed reaches the flow it spells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionReport {
    /// Requests and aborts the terminal answered, as `(kind, RequestType, OverallResult)`.
    pub answered: Vec<(String, String, String)>,
    /// Commands that ended without an answer, by error name.
    pub failed: Vec<String>,
    /// Requests and aborts that left for the terminal.
    pub sent: usize,
}

fn amount_from_cents(cents: u16) -> Amount {
    format!("{}.{:02}", cents / 100, cents % 100)
        .parse()
        .expect("a plain decimal")
}

fn card(kind: CardRequestType, id: &RequestId, amount: Option<Amount>) -> Request {
    let mut request = CardServiceRequest::new(kind, "POS1", id.clone());
    request.total_amount = amount.map(|amount| TotalAmount::new(amount, "EUR"));
    Request::Card(request)
}

fn service(kind: ServiceRequestType, id: &RequestId) -> Request {
    Request::Service(ServiceRequest::new(kind, "POS1", id.clone()))
}

/// The sans-IO session fed an arbitrary interleaving of commands (requests, aborts, answers),
/// connection events, frames (well-formed, broken, cut anywhere) and clock steps. Asserts: no
/// panic; every command ends in exactly one `Finished`, after the request left if it is an answer,
/// with the answer's RequestID (and AbortRequest type for aborts); a request that left and ended
/// without an answer asks for recovery; frames go only to open connections and are valid OPI; a
/// DeviceResponse answers a device request of its connection; pending questions and the events
/// agree; after `handle_timeout` no deadline is still due; when every deadline passed and every
/// connection ended, the session is idle.
///
/// Input: 1 flag byte (bit 0 auto-connect, bit 1 OPI-DE), 2 bytes frame bound, then ops (see
/// [`op`]), at most 256 of them.
pub fn check_session(data: &[u8]) -> SessionReport {
    let mut choices = Choices::new(data);
    let mut harness = SessionHarness::new(&mut choices);
    let mut steps = 0;
    while !choices.is_empty() && steps < 256 {
        harness.step(&mut choices);
        steps += 1;
    }
    harness.finish()
}

/// Inputs that spell typical flows in the session input format, as a start for the fuzzer and
/// as cases for `cargo test`.
#[rustfmt::skip]
pub fn session_seeds() -> Vec<Vec<u8>> {
    use op::*;
    use target_id::{ABORT as AB, REQUEST as RQ};
    use template::*;
    const AUTO: u8 = 1;
    // A 12.50 card payment; connection choice 0 = the first matching connection.
    let pay = [START, 0x04, 0xE2, 0];
    let header = [AUTO, 0x10, 0x00];
    let mut seeds = Vec::new();
    // Payment: display, approved.
    let mut flow = header.to_vec();
    flow.extend(pay);
    flow.extend([FRAME, 0, OUTPUT, RQ, 0, 1, 0, 7, 0, 0]);
    flow.extend([FRAME, 0, CARD_RESPONSE, 0, RQ, 6, 0, 0x04, 0xE2, 0]);
    seeds.push(flow);
    // Payment, abort on the same connection, both answered, abort first.
    let mut flow = header.to_vec();
    flow.extend(pay);
    flow.extend([ABORT, 0, 0]);
    flow.extend([FRAME, 0, CARD_RESPONSE, 0, AB, 5, 0, 0, 0, 0]);
    flow.extend([FRAME, 0, CARD_RESPONSE, 0, RQ, 6, 2, 0x04, 0xE2, 0]);
    seeds.push(flow);
    // Manual connect, abort on a new connection before the request left, timeouts.
    let mut flow = vec![0, 0x10, 0x00];
    flow.extend(pay);
    flow.extend([ABORT, 1, 1, CONNECTED, 0, CONNECTED, 0, ADVANCE, 1, 7, TIMEOUT]);
    seeds.push(flow);
    // Channel 1: a cashier question, answered; then the request's connection drops.
    let mut flow = header.to_vec();
    flow.extend(pay);
    flow.extend([INBOUND, FRAME, 1, INPUT, RQ, 2, 0, 0, 0, ANSWER, 0, 0, 0]);
    flow.extend([DATA, 1, 3, 0, 0, 9, CLOSED, 0, ADVANCE, 2, 0, 200]);
    seeds.push(flow);
    // The response's last byte broken, then the request times out.
    let mut flow = header.to_vec();
    flow.extend(pay);
    flow.extend([BROKEN_FRAME, 0, CARD_RESPONSE, 0, RQ, 6, 0, 0, 0, 0, 0, 0, 0, 0x40, 0]);
    flow.extend([ADVANCE, 2, 0, 200]);
    seeds.push(flow);
    seeds
}
