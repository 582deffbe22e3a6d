//! Replaying a wire trace (written by `client::wire_trace`) as a terminal, so a field problem a merchant
//! recorded reproduces in a test: [`ReplayScript::from_file`] cuts the trace into exchanges (one
//! per POS request), and [`ReplayTerminal::spawn`] answers each live request with the frames the
//! real terminal wrote after the matching recorded request, up to the next one: its device
//! requests (channel 1, or channel 0 in single socket, each waiting for the POS's DeviceResponse),
//! its responses, and a close of the connection when the terminal closed it.
//!
//! ```no_run
//! use mapi::simulator::replay::{ReplayScript, ReplayTerminal};
//! let script = ReplayScript::from_file("support-case-4711.jsonl")?;
//! let terminal = ReplayTerminal::spawn(script)?;
//! // point the POS at terminal.address(); dual socket: terminal.set_pos_address(listener)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Matching and rewriting
//! A live request matches the first recorded request not used yet with the same root element and
//! RequestType (later recorded requests of other kinds are skipped over, earlier ones never come
//! back). Every RequestID attribute of a replayed frame that names a recorded request is rewritten
//! to the matching live request's id, and every WorkstationID to the live request's, so the POS
//! accepts the answers as its own.
//!
//! # Limits
//! - Timing is not reproduced: answers go out as soon as the live request (or the POS's answer to
//!   a device request) arrives. A flow that depends on a delay (a timeout) needs the POS's
//!   timeouts scaled down instead.
//! - What the trace masked stays masked (PANs, tracks, tokens), and frames recorded only as a
//!   preview (not XML, too large, or cut by a framing error) are skipped and counted in
//!   [`ReplayScript::skipped`].
//! - A live request no recorded request matches gets no answer (see [`ReplayHandle::unmatched`]);
//!   the POS's own timeout then ends it. Frames the terminal sent before the first recorded
//!   request (none in a normal trace) are ignored.
//! - Each device request waits up to 5 s for the POS's DeviceResponse; the content of that answer
//!   does not change what is replayed next (the trace already shows what the terminal did).

mod player;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::message::trace_format::{FORMAT, FORMAT_VERSION, TERMINAL_TO_POS};

pub use player::{ReplayHandle, ReplayTerminal};

/// Why a trace cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file could not be read.
    #[error("cannot read the wire trace {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A line is not JSON.
    #[error("line {line} of the wire trace is not JSON: {reason}")]
    NotJson {
        /// 1-based line number.
        line: usize,
        /// What the JSON parser said.
        reason: String,
    },
    /// The first line is not a `mapi-wire-trace` header of a version this code reads.
    #[error("not a {FORMAT} file of version {FORMAT_VERSION} or older: {0}")]
    NotATrace(String),
}

/// One thing the terminal did after a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Write a frame. `channel` and `conn` are as recorded; `awaits_answer` for device requests.
    Send {
        channel: u8,
        conn: u64,
        xml: String,
        awaits_answer: bool,
    },
    /// The terminal closed this (recorded) channel-0 connection.
    Close { conn: u64 },
}

/// A recorded POS request and what the terminal did until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Exchange {
    pub root: String,
    pub request_type: String,
    pub request_id: String,
    pub conn: u64,
    pub steps: Vec<Step>,
}

/// A trace cut into exchanges, ready for [`ReplayTerminal::spawn`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayScript {
    pub(crate) exchanges: Vec<Exchange>,
    skipped: usize,
}

/// The reason the POS records when the terminal ends a connection (transport's wording).
const CLOSED_BY_TERMINAL: &str = "the terminal closed the connection";

impl ReplayScript {
    /// Reads a trace file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<ReplayScript, ReplayError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ReplayError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        ReplayScript::parse(&text)
    }

    /// Parses a trace's text (JSON Lines, header first).
    pub fn parse(text: &str) -> Result<ReplayScript, ReplayError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines
            .next()
            .ok_or_else(|| ReplayError::NotATrace("the file is empty".to_owned()))?;
        let header = json_line(0, first)?;
        let version = header.get("format_version").and_then(Value::as_u64);
        if header.get("format").and_then(Value::as_str) != Some(FORMAT)
            || version.is_none_or(|v| v > FORMAT_VERSION)
        {
            return Err(ReplayError::NotATrace(format!(
                "first line is {}",
                first.chars().take(120).collect::<String>()
            )));
        }
        let mut script = ReplayScript::default();
        for (index, line) in lines {
            let record = json_line(index, line)?;
            script.add(&record);
        }
        Ok(script)
    }

    /// Requests found in the trace, each with the frames that answer it.
    pub fn exchanges(&self) -> usize {
        self.exchanges.len()
    }

    /// Terminal frames that cannot be replayed (recorded only as a preview, or sent before any
    /// request).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    fn add(&mut self, record: &Value) {
        let text = |key: &str| record.get(key).and_then(Value::as_str);
        let number = |key: &str| record.get(key).and_then(Value::as_u64).unwrap_or(0);
        let conn = number("conn");
        let channel = u8::try_from(number("channel")).unwrap_or(0);
        match text("type") {
            Some("frame") => {}
            Some("connection")
                if text("event") == Some("closed")
                    && channel == 0
                    && text("reason") == Some(CLOSED_BY_TERMINAL) =>
            {
                if let Some(exchange) = self.exchanges.last_mut() {
                    exchange.steps.push(Step::Close { conn });
                }
                return;
            }
            _ => return,
        }
        let from_terminal = text("dir") == Some(TERMINAL_TO_POS);
        let Some(xml) = text("xml") else {
            self.skipped += usize::from(from_terminal);
            return;
        };
        let root = root_name(xml).unwrap_or_default();
        if !from_terminal {
            // The POS's device responses are awaited live; only requests open an exchange.
            if root == "CardServiceRequest" || root == "ServiceRequest" {
                self.exchanges.push(Exchange {
                    root: root.to_owned(),
                    request_type: attribute(xml, "RequestType").unwrap_or_default(),
                    request_id: attribute(xml, "RequestID").unwrap_or_default(),
                    conn,
                    steps: Vec::new(),
                });
            }
            return;
        }
        let step = Step::Send {
            channel,
            conn,
            xml: xml.to_owned(),
            awaits_answer: root == "DeviceRequest",
        };
        match self.exchanges.last_mut() {
            Some(exchange) => exchange.steps.push(step),
            None => self.skipped += 1,
        }
    }
}

fn json_line(index: usize, line: &str) -> Result<Value, ReplayError> {
    serde_json::from_str(line).map_err(|error| ReplayError::NotJson {
        line: index + 1,
        reason: error.to_string(),
    })
}

/// The local name of the first element of `xml`.
pub(crate) fn root_name(xml: &str) -> Option<&str> {
    let mut rest = xml;
    loop {
        let start = rest.find('<')?;
        rest = &rest[start + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        return Some(name.rsplit(':').next().unwrap_or(name));
    }
}

/// Where each `name="value"` (or `'value'`) attribute sits: (start, end) of the value.
fn attribute_values(xml: &str, name: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = xml[from..].find(name).map(|at| at + from) {
        from = at + name.len();
        let preceded = xml[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
        let rest = xml[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let start = xml.len() - rest.len() + 1;
        let Some(len) = xml[start..].find(quote) else {
            break;
        };
        if preceded {
            found.push((start, start + len));
        }
        from = start + len;
    }
    found
}

/// The first value of attribute `name`.
pub(crate) fn attribute(xml: &str, name: &str) -> Option<String> {
    attribute_values(xml, name)
        .first()
        .map(|&(start, end)| xml[start..end].to_owned())
}

/// Rewrites a recorded frame for the live POS: RequestIDs of recorded requests to their live
/// ids, WorkstationIDs to the live workstation.
pub(crate) fn rewrite(xml: &str, ids: &HashMap<String, String>, workstation: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for name in ["RequestID", "RequestId"] {
        for (start, end) in attribute_values(xml, name) {
            if let Some(live) = ids.get(&xml[start..end]) {
                edits.push((start, end, live.clone()));
            }
        }
    }
    for name in ["WorkstationID", "WorkStationID"] {
        for (start, end) in attribute_values(xml, name) {
            edits.push((start, end, workstation.to_owned()));
        }
    }
    edits.sort_by_key(|edit| edit.0);
    let mut out = String::with_capacity(xml.len());
    let mut at = 0;
    for (start, end, value) in edits {
        if start < at {
            continue;
        }
        out.push_str(&xml[at..start]);
        out.push_str(&value);
        at = end;
    }
    out.push_str(&xml[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = r#"{"type":"header","format":"mapi-wire-trace","format_version":1}
{"type":"connection","event":"opened","conn":1,"channel":0}
{"type":"frame","dir":"pos_to_terminal","channel":0,"conn":1,"xml":"<CardServiceRequest RequestType=\"CardPayment\" RequestID=\"7\" WorkstationID=\"POS1\"/>"}
{"type":"frame","dir":"terminal_to_pos","channel":1,"conn":2,"xml":"<DeviceRequest RequestType=\"Output\" RequestID=\"7\" WorkstationID=\"POS1\"/>"}
{"type":"frame","dir":"pos_to_terminal","channel":1,"conn":2,"xml":"<DeviceResponse RequestType=\"Output\" RequestID=\"7\"/>"}
{"type":"frame","dir":"terminal_to_pos","channel":0,"conn":1,"preview":"garbage","note":"not XML"}
{"type":"frame","dir":"terminal_to_pos","channel":0,"conn":1,"xml":"<CardServiceResponse RequestType=\"CardPayment\" RequestID=\"7\" WorkstationID=\"POS1\" OverallResult=\"Failure\"/>"}
{"type":"connection","event":"closed","conn":1,"channel":0,"reason":"the terminal closed the connection"}
"#;

    #[test]
    fn a_trace_becomes_one_exchange_per_request_with_its_answers() {
        let script = ReplayScript::parse(TRACE).unwrap();
        assert_eq!(script.exchanges(), 1);
        assert_eq!(script.skipped(), 1);
        let exchange = &script.exchanges[0];
        assert_eq!(
            (exchange.root.as_str(), exchange.request_type.as_str()),
            ("CardServiceRequest", "CardPayment")
        );
        assert_eq!(exchange.request_id, "7");
        assert_eq!(exchange.steps.len(), 3);
        assert!(matches!(
            exchange.steps[0],
            Step::Send {
                channel: 1,
                awaits_answer: true,
                ..
            }
        ));
        assert_eq!(exchange.steps[2], Step::Close { conn: 1 });
    }

    #[test]
    fn request_and_workstation_ids_are_rewritten_to_the_live_ones() {
        let ids = HashMap::from([("7".to_owned(), "1042".to_owned())]);
        let xml = r#"<CardServiceResponse RequestID="7" WorkstationID='POS1'><OriginalHeader RequestID="7"/><X OtherRequestID="7" RequestID="8"/></CardServiceResponse>"#;
        assert_eq!(
            rewrite(xml, &ids, "LANE 3"),
            r#"<CardServiceResponse RequestID="1042" WorkstationID='LANE 3'><OriginalHeader RequestID="1042"/><X OtherRequestID="7" RequestID="8"/></CardServiceResponse>"#
        );
        assert_eq!(
            root_name("<?xml version=\"1.0\"?><a:DeviceRequest x=\"1\">"),
            Some("DeviceRequest")
        );
    }

    #[test]
    fn files_that_are_not_traces_are_refused() {
        assert!(matches!(
            ReplayScript::parse(""),
            Err(ReplayError::NotATrace(_))
        ));
        assert!(matches!(
            ReplayScript::parse("{\"type\":\"header\",\"format\":\"other\"}"),
            Err(ReplayError::NotATrace(_))
        ));
        assert!(matches!(
            ReplayScript::parse("{\"type\":\"header\",\"format\":\"mapi-wire-trace\",\"format_version\":1}\nnot json"),
            Err(ReplayError::NotJson { line: 2, .. })
        ));
    }
}
