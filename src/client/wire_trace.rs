//! The masked wire trace: an opt-in record of every frame the engine sends or receives, on both
//! channels, as JSON Lines a merchant can send to support and a test can replay into the simulator
//! (`simulator::replay`).
//!
//! # File format (`mapi-wire-trace`, version 1; names in `message::trace_format`)
//! One JSON object per line, each with a `"type"`:
//! - `header` (first line): format, version, SDK version, start time, size limit, masking rules;
//! - `connection`: `event` `opened` (with the terminal's dialect, socket mode, workstation) or
//!   `closed` (with the reason);
//! - `frame`: `dir` (`pos_to_terminal` | `terminal_to_pos`), `channel` (0 | 1), `conn`, `peer`,
//!   `terminal`, `bytes`, and either `xml` (masked) with `message` (a summary) or `note` (why it
//!   did not parse), or, for a frame that is not XML, a bounded masked `preview` and a `note`;
//! - `framing_error`: the stream could not be cut into frames (a masked `preview` of its head);
//! - `gap`: events lost because the writer fell behind; `limit`: the size limit was reached and
//!   nothing more is recorded; `end` (last line after a clean stop): counts.
//!
//! Every record carries `seq` (engine order), `time` (UTC wall clock, ms) and `offset_ms`
//! (monotonic, since the trace started). Card data is masked before anything is written
//! (`message::masking`): PANs to first 6 / last 4, tracks and tokens removed, any 13+ digit run.
//!
//! # Threads
//! The engine thread only stamps an event and hands it to a bounded queue (`try_send`: when the
//! queue is full the event is dropped and a `gap` record says so), because one engine thread
//! serves every terminal and must never wait for a disk. A dedicated writer thread masks, formats
//! and writes through a buffer, and flushes whenever it has caught up with the queue, which is at
//! the end of every burst of frames and so at the end of every request; a crash loses at most the
//! events still queued. Enabling (creating the file) and exporting run on the caller's thread or
//! wait for the writer thread, never on the engine thread.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::message::masking::{mask_card_data, mask_digit_runs, masked_preview};
use crate::message::trace_format::{FORMAT, FORMAT_VERSION, POS_TO_TERMINAL, TERMINAL_TO_POS};
use crate::message::Message;
use crate::transport::{Direction, TapConnection, TapEvent, TapSlot, WireTap};

/// Default size limit of a trace file: a few hundred payments with their device requests.
pub const DEFAULT_MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Smallest accepted limit: room for the header, a few frames and the closing lines.
pub const MIN_MAX_BYTES: u64 = 16 * 1024;
/// Room kept below the limit for the `limit` and `end` lines.
const CLOSING_RESERVE: u64 = 512;
/// Frames whose text is longer than this are recorded as a preview only (OPI messages are a few KB).
const MAX_XML_CHARS: usize = 64 * 1024;
/// Characters of a non-XML frame's preview.
const PREVIEW_CHARS: usize = 512;
/// Events the engine may queue ahead of the writer before new ones are dropped.
const QUEUE_CAPACITY: usize = 4096;
/// How long a caller waits for the writer thread to flush or export.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// How to record a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireTraceConfig {
    /// The trace file; created (with its directory) or truncated when the trace starts.
    pub path: PathBuf,
    /// Size limit in bytes; when reached, a `limit` line is written and recording stops.
    pub max_bytes: u64,
}

impl WireTraceConfig {
    /// A trace at `path` with the default limit ([`DEFAULT_MAX_BYTES`]).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        WireTraceConfig {
            path: path.into(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Sets the size limit (at least [`MIN_MAX_BYTES`]).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// Why a trace could not be started, written or exported.
#[derive(Debug, thiserror::Error)]
pub enum WireTraceError {
    /// The limit is below [`MIN_MAX_BYTES`].
    #[error("a wire trace limit of {0} bytes is too small; use at least {MIN_MAX_BYTES}")]
    LimitTooSmall(u64),
    /// The trace file could not be created or written.
    #[error("cannot write the wire trace {path}: {source} — check that the directory is writable and the disk has space")]
    Write {
        /// The trace file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The trace could not be copied to the destination.
    #[error("cannot export the wire trace {from} to {to}: {source}")]
    Export {
        /// The trace file.
        from: PathBuf,
        /// The destination.
        to: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The destination is the trace file itself.
    #[error("cannot export the wire trace onto itself ({0}); choose another file")]
    SameFile(PathBuf),
    /// No trace was ever enabled on this engine.
    #[error("no wire trace was recorded: enable one first")]
    NothingRecorded,
    /// The writer thread ended or did not answer in time.
    #[error("the wire trace writer stopped or did not answer within {WRITER_WAIT:?}")]
    WriterGone,
}

/// One event with the stamps taken on the engine thread, when it happened.
struct Stamped {
    seq: u64,
    wall: SystemTime,
    offset: Duration,
    event: TapEvent,
}

enum Command {
    Event(Stamped),
    Export(PathBuf, mpsc::Sender<Result<u64, WireTraceError>>),
    Stop(mpsc::Sender<Result<(), WireTraceError>>),
}

/// A running trace: the tap the transports call, and its writer thread.
struct WireTrace {
    queue: SyncSender<Command>,
    started: Instant,
    next_seq: AtomicU64,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl WireTap for WireTrace {
    fn record(&self, event: TapEvent) {
        let stamped = Stamped {
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
            wall: SystemTime::now(),
            offset: self.started.elapsed(),
            event,
        };
        // Full queue or stopped writer: the event is lost and the writer reports the gap.
        let _ = self.queue.try_send(Command::Event(stamped));
    }
}

impl WireTrace {
    /// Creates the file, writes the header (on the caller's thread, so a bad path fails here)
    /// and starts the writer thread.
    fn start(config: &WireTraceConfig) -> Result<WireTrace, WireTraceError> {
        if config.max_bytes < MIN_MAX_BYTES {
            return Err(WireTraceError::LimitTooSmall(config.max_bytes));
        }
        let path = config.path.clone();
        let write_error = |source| WireTraceError::Write {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(write_error)?;
        }
        let file = File::create(&path).map_err(write_error)?;
        let mut writer = Writer {
            out: BufWriter::with_capacity(64 * 1024, file),
            path: path.clone(),
            max_bytes: config.max_bytes,
            written: 0,
            records: 0,
            omitted: 0,
            expected_seq: 0,
            full: false,
            failed: None,
        };
        let started = SystemTime::now();
        writer.line(&Header {
            kind: "header",
            format: FORMAT,
            format_version: FORMAT_VERSION,
            sdk: concat!("mapi-rs ", env!("CARGO_PKG_VERSION")),
            started_at: utc(started),
            max_bytes: config.max_bytes,
            limit_policy: "recording stops at max_bytes; a 'limit' line marks the cut",
            masking: "PAN first 6 / last 4, Track1-3 and tokens removed, every 13+ digit run masked",
            terminals: "named by each 'connection' record (terminal, dialect, socket_mode, workstation_id)",
        }, false);
        writer.flush().map_err(write_error)?;
        let (queue, commands) = mpsc::sync_channel(QUEUE_CAPACITY);
        let thread = std::thread::Builder::new()
            .name("mapi-wire-trace".to_owned())
            .spawn(move || writer.run(commands))
            .map_err(write_error)?;
        Ok(WireTrace {
            queue,
            started: Instant::now(),
            next_seq: AtomicU64::new(0),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Asks the writer thread and waits for its answer.
    fn ask<T>(
        &self,
        command: impl FnOnce(mpsc::Sender<Result<T, WireTraceError>>) -> Command,
    ) -> Result<T, WireTraceError> {
        let (reply, answer) = mpsc::channel();
        self.queue
            .send(command(reply))
            .map_err(|_| WireTraceError::WriterGone)?;
        answer
            .recv_timeout(WRITER_WAIT)
            .map_err(|_| WireTraceError::WriterGone)?
    }

    /// Writes the `end` line, flushes and ends the writer thread.
    fn stop(&self) -> Result<(), WireTraceError> {
        let result = self.ask(Command::Stop);
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
        result
    }
}

/// The writer thread's state.
struct Writer {
    out: BufWriter<File>,
    path: PathBuf,
    max_bytes: u64,
    written: u64,
    records: u64,
    omitted: u64,
    expected_seq: u64,
    full: bool,
    /// The first write error; recording stops and the error is reported to the next caller.
    failed: Option<std::io::Error>,
}

impl Writer {
    fn run(mut self, commands: Receiver<Command>) {
        while let Ok(first) = commands.recv() {
            let mut next = Some(first);
            while let Some(command) = next {
                match command {
                    Command::Event(stamped) => self.event(stamped),
                    Command::Export(to, reply) => {
                        let _ = reply.send(self.export(&to));
                    }
                    Command::Stop(reply) => {
                        let end = Line {
                            time: Some(utc(SystemTime::now())),
                            records: Some(self.records),
                            omitted_after_limit: Some(self.omitted),
                            ..Line::new("end")
                        };
                        self.line(&end, true);
                        let _ = reply.send(self.checked_flush());
                        return;
                    }
                }
                next = commands.try_recv().ok();
            }
            // Caught up with the engine: put what is buffered on disk.
            if let Err(error) = self.flush() {
                self.failed.get_or_insert(error);
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    fn checked_flush(&mut self) -> Result<(), WireTraceError> {
        let flushed = self.flush();
        match self.failed.take().map_or(flushed, Err) {
            Ok(()) => Ok(()),
            Err(source) => Err(WireTraceError::Write {
                path: self.path.clone(),
                source,
            }),
        }
    }

    fn export(&mut self, to: &Path) -> Result<u64, WireTraceError> {
        self.checked_flush()?;
        copy_trace(&self.path, to)
    }

    fn event(&mut self, stamped: Stamped) {
        if stamped.seq > self.expected_seq {
            let missing = stamped.seq - self.expected_seq;
            let gap = Line {
                missing: Some(missing),
                note: Some("the engine produced events faster than they could be written; these were not recorded".to_owned()),
                ..Line::new("gap")
            };
            self.line(&gap, false);
        }
        self.expected_seq = stamped.seq + 1;
        let record = record_line(&stamped);
        self.line(&record, false);
    }

    /// Writes one line unless the limit (minus room for the closing line) would be passed.
    fn line(&mut self, value: &impl Serialize, closing: bool) {
        if self.failed.is_some() {
            return;
        }
        let Ok(mut text) = serde_json::to_string(value) else {
            return;
        };
        text.push('\n');
        let len = text.len() as u64;
        if !closing {
            if self.full {
                self.omitted += 1;
                return;
            }
            if self.written + len + CLOSING_RESERVE > self.max_bytes {
                self.full = true;
                self.omitted += 1;
                let limit = Line {
                    max_bytes: Some(self.max_bytes),
                    note: Some("size limit reached: later frames are not recorded; enable the trace again to start a new file".to_owned()),
                    ..Line::new("limit")
                };
                text = serde_json::to_string(&limit).unwrap_or_default();
                text.push('\n');
            }
        }
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => {
                self.written += text.len() as u64;
                self.records += u64::from(!self.full || closing);
            }
            Err(error) => self.failed = Some(error),
        }
    }
}

/// Copies the trace, refusing to copy it onto itself (which would truncate it).
fn copy_trace(from: &Path, to: &Path) -> Result<u64, WireTraceError> {
    let same = match (from.canonicalize(), to.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(WireTraceError::SameFile(to.to_path_buf()));
    }
    std::fs::copy(from, to).map_err(|source| WireTraceError::Export {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        source,
    })
}

fn utc(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::PosToTerminal => POS_TO_TERMINAL,
        Direction::TerminalToPos => TERMINAL_TO_POS,
    }
}

/// The first line of a trace file.
#[derive(Serialize)]
struct Header {
    #[serde(rename = "type")]
    kind: &'static str,
    format: &'static str,
    format_version: u64,
    sdk: &'static str,
    started_at: String,
    max_bytes: u64,
    limit_policy: &'static str,
    masking: &'static str,
    terminals: &'static str,
}

/// Every other line. Fields appear in the order a reader wants them: what, when, where, then
/// the content (absent ones are left out).
#[derive(Serialize, Default)]
struct Line {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dir: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conn: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terminal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    socket_mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workstation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    omitted_after_limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    xml: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preview: Option<String>,
}

impl Line {
    fn new(kind: &'static str) -> Line {
        Line {
            kind,
            ..Line::default()
        }
    }

    fn connection(&mut self, connection: &TapConnection) {
        self.conn = Some(connection.conn);
        self.channel = Some(connection.channel);
        self.peer = Some(connection.peer.to_string());
        self.terminal = Some(connection.terminal.to_string());
    }
}

/// The line of one event; every text that came from the wire is masked here.
fn record_line(stamped: &Stamped) -> Line {
    let kind = match &stamped.event {
        TapEvent::Opened { .. } | TapEvent::Closed { .. } => "connection",
        TapEvent::Frame { .. } => "frame",
        TapEvent::FramingError { .. } => "framing_error",
    };
    let micros = u64::try_from(stamped.offset.as_micros()).unwrap_or(u64::MAX);
    let mut line = Line {
        seq: Some(stamped.seq),
        time: Some(utc(stamped.wall)),
        offset_ms: Some(micros as f64 / 1000.0),
        ..Line::new(kind)
    };
    match &stamped.event {
        TapEvent::Opened {
            connection,
            dialect,
            dual_socket,
            workstation_id,
        } => {
            line.event = Some("opened");
            line.connection(connection);
            line.dialect = Some(dialect);
            line.socket_mode = Some(if *dual_socket { "dual" } else { "single" });
            line.workstation_id = Some(mask_digit_runs(workstation_id));
        }
        TapEvent::Closed { connection, reason } => {
            line.event = Some("closed");
            line.connection(connection);
            line.reason = Some(mask_digit_runs(reason));
        }
        TapEvent::Frame {
            connection,
            direction: d,
            payload,
        } => {
            line.dir = Some(direction(*d));
            line.connection(connection);
            line.bytes = Some(payload.len());
            frame_text(&mut line, payload);
        }
        TapEvent::FramingError {
            connection,
            direction: d,
            error,
            head,
        } => {
            line.dir = Some(direction(*d));
            line.connection(connection);
            line.error = Some(mask_digit_runs(error));
            line.preview = Some(masked_preview(head, PREVIEW_CHARS));
        }
    }
    line
}

/// The masked text of a frame: the whole XML when it looks like XML and is of a sane size,
/// otherwise a bounded preview; plus what the engine made of it.
fn frame_text(line: &mut Line, payload: &[u8]) {
    let text = crate::message::xml::decode_text(payload);
    let looks_like_xml = text.trim_start().starts_with('<');
    if looks_like_xml && text.len() <= MAX_XML_CHARS {
        line.xml = Some(mask_card_data(&text));
        match Message::parse(payload) {
            Ok(message) => line.message = Some(mask_digit_runs(&message.summary())),
            Err(error) => {
                let error = mask_digit_runs(&error.to_string());
                line.note = Some(format!("not a valid OPI message: {error}"));
            }
        }
    } else {
        line.preview = Some(masked_preview(payload, PREVIEW_CHARS));
        line.note = Some(if looks_like_xml {
            format!(
                "frame of {} bytes is too large to record whole",
                payload.len()
            )
        } else {
            "not XML; a masked preview of its start".to_owned()
        });
    }
}

/// The engine's trace switch: the slot every transport looks at, the running trace, and the file
/// of the last one (exportable after it was switched off).
#[derive(Default)]
pub(crate) struct WireTraceControl {
    slot: Arc<TapSlot>,
    active: Mutex<Option<Arc<WireTrace>>>,
    last_path: Mutex<Option<PathBuf>>,
}

impl WireTraceControl {
    /// The slot to hand to every terminal's transport.
    pub(crate) fn slot(&self) -> Arc<TapSlot> {
        Arc::clone(&self.slot)
    }

    /// Starts a trace (replacing a running one) or stops it. A stop reports the writer's
    /// error, if writing failed since the last flush.
    pub(crate) fn set(&self, config: Option<WireTraceConfig>) -> Result<(), WireTraceError> {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        self.slot.set(None);
        let stopped = match active.take() {
            Some(previous) => previous.stop(),
            None => Ok(()),
        };
        if let Some(config) = config {
            let trace = Arc::new(WireTrace::start(&config)?);
            *self
                .last_path
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(config.path);
            let tap: Arc<dyn WireTap> = trace.clone();
            self.slot.set(Some(tap));
            *active = Some(trace);
        }
        stopped
    }

    /// Copies the trace to `destination`: done by the writer thread while a trace runs (so the
    /// copy ends at a record boundary), by the caller's thread otherwise. Returns the bytes copied.
    pub(crate) fn export(&self, destination: &Path) -> Result<u64, WireTraceError> {
        let active = self
            .active
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(trace) = active {
            return trace.ask(|reply| Command::Export(destination.to_path_buf(), reply));
        }
        let last = self
            .last_path
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match last {
            Some(path) => copy_trace(&path, destination),
            None => Err(WireTraceError::NothingRecorded),
        }
    }
}

impl Drop for WireTraceControl {
    /// An engine that goes away closes its trace cleanly (the `end` line, a last flush).
    fn drop(&mut self) {
        let _ = self.set(None);
    }
}
