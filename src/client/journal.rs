//! The in-flight journal: one file per request that may have moved money, written before the
//! request's first byte can leave and removed only once the terminal's answer about that request
//! was delivered — or once an operator resolved it by an explicit, logged call.
//!
//! One file per request (not per terminal) so that nothing can overwrite an entry that is not
//! settled: a new payment never reuses another request's file, and a corrupt file stays where it
//! is until [`Journal::resolve`] moves it into the resolution log.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::durability::{write_atomically, DurabilityError};
use crate::message::masking::mask_card_data;

/// Format version written today; version 1 (one file per terminal, no state) is still read.
pub const JOURNAL_VERSION: u32 = 2;

/// How many evidence lines an entry keeps: the first ones say what happened, the last ones what
/// the terminal says now; a terminal answering Busy for a day must not grow the file without bound.
const MAX_EVIDENCE: usize = 24;

/// Where a journaled request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryState {
    /// Written before the request left; its answer has not arrived (or the app died waiting).
    #[default]
    InFlight,
    /// The answer never came or recovery settled nothing yet; recovery goes on.
    Pending,
    /// The terminal reprinted its last ticket instead of repeating its answer (PrintLastTicket):
    /// the outcome is on that ticket, and only a person can read it. Automatic recovery stops;
    /// the operator resolves the entry.
    NeedsOperator,
}

/// What is known about a request that may have reached the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Format version of this record.
    pub version: u32,
    /// The request's RequestID: the recovery key.
    pub request_id: String,
    /// Its RequestType.
    pub request_type: String,
    /// Amount as a decimal string, if any.
    pub amount: Option<String>,
    /// Currency, if any.
    pub currency: Option<String>,
    /// Terminal address.
    pub terminal: String,
    /// Workstation.
    pub workstation_id: String,
    /// When it was started (ms since the Unix epoch).
    pub started_at_ms: u64,
    /// Where it stands (absent in version 1 files: in flight).
    #[serde(default)]
    pub state: EntryState,
    /// Recovery attempts so far.
    #[serde(default)]
    pub attempts: u32,
    /// Why it is not settled, in words for the support log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the terminal said about it so far, card data masked (bounded, see `MAX_EVIDENCE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl JournalEntry {
    /// Adds a line of evidence (masked; the oldest middle lines go first when the list is full).
    pub fn note(&mut self, line: &str) {
        if self.evidence.len() >= MAX_EVIDENCE {
            self.evidence.remove(MAX_EVIDENCE / 2);
        }
        self.evidence
            .push(format!("{} {}", now_ms(), mask_card_data(line)));
    }
}

/// One file of the journal as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A readable entry.
    Entry {
        /// Its content.
        entry: JournalEntry,
        /// Its file.
        path: PathBuf,
    },
    /// A file this SDK cannot read (torn by an old bug, edited by hand…): kept, never guessed at.
    Corrupt {
        /// Its file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl Stored {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Stored::Entry { path, .. } | Stored::Corrupt { path, .. } => path,
        }
    }

    /// The name an operator gives [`Journal::resolve`]: the RequestID, or the file's name when
    /// the file cannot be read.
    pub fn key(&self) -> String {
        match self {
            Stored::Entry { entry, .. } => entry.request_id.clone(),
            Stored::Corrupt { path, .. } => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// The journal files of one terminal (identified by its key's file stem) in a state directory.
#[derive(Debug, Clone)]
pub struct Journal {
    directory: Option<PathBuf>,
    stem: String,
}

/// The log of entries an operator resolved by hand, one JSON object a line, kept for support.
pub const RESOLUTION_LOG: &str = "resolved-payments.jsonl";

impl Journal {
    /// The journal of the terminal whose key's file stem is `stem`; without a directory nothing
    /// is persisted.
    pub fn new(directory: Option<&Path>, stem: &str) -> Self {
        Journal {
            directory: directory.map(Path::to_owned),
            stem: stem.to_owned(),
        }
    }

    /// Whether entries survive a restart.
    pub fn is_durable(&self) -> bool {
        self.directory.is_some()
    }

    /// The file of `request_id`. A RequestID is digits (and dots in public OPI-NL traces); anything
    /// else is replaced so a hostile id cannot leave the directory.
    pub fn path_of(&self, request_id: &str) -> Option<PathBuf> {
        let safe: String = request_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        self.directory
            .as_ref()
            .map(|d| d.join(format!("inflight-{}.{safe}.json", self.stem)))
    }

    /// Version 1 kept one file per terminal; it is still read (and removed once settled).
    fn legacy_path(&self) -> Option<PathBuf> {
        self.directory
            .as_ref()
            .map(|d| d.join(format!("inflight-{}.json", self.stem)))
    }

    /// Records `entry` durably in its own file. Must return before the request's first byte is sent.
    pub fn record(&self, entry: &JournalEntry) -> Result<(), DurabilityError> {
        let Some(path) = self.path_of(&entry.request_id) else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(entry).map_err(|e| DurabilityError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomically(&path, &json)
    }

    /// Every entry of this terminal, oldest first; corrupt files are listed, never skipped.
    pub fn list(&self) -> Result<Vec<Stored>, DurabilityError> {
        let Some(directory) = &self.directory else {
            return Ok(Vec::new());
        };
        let prefix = format!("inflight-{}.", self.stem);
        let legacy = self.legacy_path();
        let mut found = Vec::new();
        for file in read_dir(directory)? {
            let path = file.path();
            let name = file.file_name().to_string_lossy().into_owned();
            let ours = Some(&path) == legacy.as_ref()
                || (name.starts_with(&prefix) && name.ends_with(".json"));
            if ours {
                found.push(read_stored(&path)?);
            }
        }
        found.sort_by_key(|stored| match stored {
            Stored::Entry { entry, .. } => (0, entry.started_at_ms, entry.request_id.clone()),
            Stored::Corrupt { path, .. } => (1, 0, path.display().to_string()),
        });
        Ok(found)
    }

    /// Removes the entry of `request_id` once its outcome has been delivered (and a version 1 file
    /// naming the same request).
    pub fn clear(&self, request_id: &str) -> Result<(), DurabilityError> {
        if let Some(path) = self.path_of(request_id) {
            remove(&path)?;
        }
        if let Some(legacy) = self.legacy_path() {
            if let Ok(Stored::Entry { entry, .. }) = read_stored(&legacy) {
                if entry.request_id == request_id {
                    remove(&legacy)?;
                }
            }
        }
        Ok(())
    }

    /// An operator settles an entry by hand (`key`: a RequestID, or a corrupt file's name): the
    /// entry and the reason are appended to [`RESOLUTION_LOG`] first, then its file is removed.
    /// Returns what was resolved; `Ok(None)` when nothing of this terminal has that key.
    pub fn resolve(&self, key: &str, reason: &str) -> Result<Option<Stored>, DurabilityError> {
        let Some(directory) = &self.directory else {
            return Ok(None);
        };
        let Some(stored) = self.list()?.into_iter().find(|s| s.key() == key) else {
            return Ok(None);
        };
        let record = match &stored {
            Stored::Entry { entry, .. } => serde_json::json!({
                "resolved_at_ms": now_ms(),
                "reason": reason,
                "entry": entry,
            }),
            Stored::Corrupt { path, reason: why } => serde_json::json!({
                "resolved_at_ms": now_ms(),
                "reason": reason,
                "corrupt_file": path.display().to_string(),
                "problem": why,
                "content": mask_card_data(&String::from_utf8_lossy(&fs::read(path).unwrap_or_default())),
            }),
        };
        let log = directory.join(RESOLUTION_LOG);
        let mut line = record.to_string();
        line.push('\n');
        append_durably(&log, line.as_bytes())?;
        remove(stored.path())?;
        Ok(Some(stored))
    }
}

/// Every journal file in `directory`, of every terminal: what an app shows as "pending payments".
pub fn list_all(directory: &Path) -> Result<Vec<Stored>, DurabilityError> {
    let mut found = Vec::new();
    for file in read_dir(directory)? {
        let name = file.file_name().to_string_lossy().into_owned();
        if name.starts_with("inflight-") && name.ends_with(".json") {
            found.push(read_stored(&file.path())?);
        }
    }
    found.sort_by_key(|s| s.path().to_owned());
    Ok(found)
}

/// The files of `directory`; none when it does not exist yet (nothing was ever journaled).
fn read_dir(directory: &Path) -> Result<Vec<fs::DirEntry>, DurabilityError> {
    match fs::read_dir(directory) {
        Ok(entries) => Ok(entries.filter_map(Result::ok).collect()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(DurabilityError::Io {
            action: "list",
            path: directory.to_owned(),
            source: error,
        }),
    }
}

fn read_stored(path: &Path) -> Result<Stored, DurabilityError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Err(DurabilityError::Io {
                action: "read",
                path: path.to_owned(),
                source: error,
            })
        }
    };
    Ok(match serde_json::from_slice::<JournalEntry>(&bytes) {
        Ok(entry) if (1..=JOURNAL_VERSION).contains(&entry.version) => Stored::Entry {
            entry,
            path: path.to_owned(),
        },
        Ok(entry) => Stored::Corrupt {
            path: path.to_owned(),
            reason: format!("unknown journal version {}", entry.version),
        },
        Err(error) => Stored::Corrupt {
            path: path.to_owned(),
            reason: error.to_string(),
        },
    })
}

fn remove(path: &Path) -> Result<(), DurabilityError> {
    match fs::remove_file(path) {
        Ok(()) => {
            super::durability::sync_directory(path.parent().unwrap_or_else(|| Path::new(".")))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(DurabilityError::Io {
            action: "remove",
            path: path.to_owned(),
            source: error,
        }),
    }
}

/// Appends and fsyncs: the resolution log must hold the record before the entry's file goes.
fn append_durably(path: &Path, bytes: &[u8]) -> Result<(), DurabilityError> {
    let io = |action: &'static str, source: std::io::Error| DurabilityError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io("open", e))?;
    file.write_all(bytes).map_err(|e| io("write", e))?;
    file.sync_all().map_err(|e| io("fsync", e))
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mapi-journal-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    pub(super) fn entry(id: &str) -> JournalEntry {
        JournalEntry {
            version: JOURNAL_VERSION,
            request_id: id.into(),
            request_type: "CardPayment".into(),
            amount: Some("12.50".into()),
            currency: Some("EUR".into()),
            terminal: "127.0.0.1:4100".into(),
            workstation_id: "POS1".into(),
            started_at_ms: 1,
            state: EntryState::InFlight,
            attempts: 0,
            reason: None,
            evidence: Vec::new(),
        }
    }

    #[test]
    fn a_second_request_never_overwrites_the_first() {
        let dir = temp_dir("two");
        let journal = Journal::new(Some(&dir), "t");
        journal.record(&entry("41")).unwrap();
        journal.record(&entry("42")).unwrap();
        let keys: Vec<String> = journal.list().unwrap().iter().map(Stored::key).collect();
        assert_eq!(keys, ["41", "42"]);
        journal.clear("41").unwrap();
        let keys: Vec<String> = journal.list().unwrap().iter().map(Stored::key).collect();
        assert_eq!(keys, ["42"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn terminals_sharing_a_directory_see_only_their_entries() {
        let dir = temp_dir("share");
        Journal::new(Some(&dir), "a").record(&entry("1")).unwrap();
        Journal::new(Some(&dir), "a_b").record(&entry("2")).unwrap();
        let a: Vec<String> = Journal::new(Some(&dir), "a")
            .list()
            .unwrap()
            .iter()
            .map(Stored::key)
            .collect();
        assert_eq!(a, ["1"]);
        assert_eq!(list_all(&dir).unwrap().len(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_version_1_file_is_read_and_cleared_by_its_request() {
        let dir = temp_dir("legacy");
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("inflight-t.json"),
            br#"{"version":1,"request_id":"7","request_type":"CardPayment","amount":"1.00","currency":"EUR","terminal":"x","workstation_id":"POS1","started_at_ms":5}"#,
        )
        .unwrap();
        let journal = Journal::new(Some(&dir), "t");
        let listed = journal.list().unwrap();
        assert!(
            matches!(&listed[..], [Stored::Entry { entry, .. }] if entry.request_id == "7" && entry.state == EntryState::InFlight)
        );
        journal.clear("8").unwrap();
        assert_eq!(journal.list().unwrap().len(), 1, "another id leaves it");
        journal.clear("7").unwrap();
        assert!(journal.list().unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_listed_kept_and_resolved_only_by_name_with_a_log_line() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inflight-t.9.json");
        fs::write(&path, b"{\"version\":2,\"request_").unwrap();
        let journal = Journal::new(Some(&dir), "t");
        let listed = journal.list().unwrap();
        assert!(matches!(&listed[..], [Stored::Corrupt { .. }]));
        journal.record(&entry("10")).unwrap();
        assert!(path.exists(), "a new request leaves a corrupt entry alone");
        assert_eq!(journal.resolve("9", "guess").unwrap(), None);
        let resolved = journal
            .resolve("inflight-t.9.json", "checked on the terminal: declined")
            .unwrap();
        assert!(matches!(resolved, Some(Stored::Corrupt { .. })));
        assert!(!path.exists());
        let log = fs::read_to_string(dir.join(RESOLUTION_LOG)).unwrap();
        assert!(log.contains("checked on the terminal: declined"), "{log}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn evidence_is_masked_and_bounded() {
        let mut e = entry("1");
        for i in 0..100 {
            e.note(&format!("answer {i} card 4111111111111111"));
        }
        assert_eq!(e.evidence.len(), MAX_EVIDENCE);
        assert!(e.evidence[0].contains("answer 0 "));
        assert!(e.evidence.last().unwrap().contains("answer 99 "));
        assert!(e.evidence.iter().all(|l| !l.contains("4111111111111111")));
    }

    #[test]
    fn a_hostile_request_id_cannot_leave_the_directory() {
        let dir = temp_dir("hostile");
        let journal = Journal::new(Some(&dir), "t");
        let path = journal.path_of("../../etc/x").unwrap();
        assert_eq!(path.parent(), Some(dir.as_path()));
    }
}
