//! What must survive a crash: the RequestID counter (an id is never reused, it is the recovery
//! key) and the in-flight journal (which request may have moved money). Every write is a temp file,
//! fsync, rename, fsync of the directory, so a power cut leaves the old or the new file, never half.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::message::RequestId;

/// A state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DurabilityError {
    /// File-system failure.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// Which file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file exists but its content is not what this SDK wrote. It is left in place for support.
    #[error("{path} is corrupt ({reason}); it was left untouched — send it to support, then delete it to continue")]
    Corrupt {
        /// Which file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> DurabilityError {
    DurabilityError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Replaces `path` with `bytes` atomically and durably.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DurabilityError> {
    let directory = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(directory).map_err(|e| io_error("create", directory, e))?;
    let temporary = path.with_extension("tmp");
    {
        let mut file =
            fs::File::create(&temporary).map_err(|e| io_error("create", &temporary, e))?;
        file.write_all(bytes)
            .map_err(|e| io_error("write", &temporary, e))?;
        file.sync_all()
            .map_err(|e| io_error("fsync", &temporary, e))?;
    }
    fs::rename(&temporary, path).map_err(|e| io_error("rename", path, e))?;
    sync_directory(directory)
}

fn sync_directory(directory: &Path) -> Result<(), DurabilityError> {
    // A rename is only durable once the directory entry is; Windows cannot open directories.
    #[cfg(unix)]
    {
        let handle = fs::File::open(directory).map_err(|e| io_error("open", directory, e))?;
        handle
            .sync_all()
            .map_err(|e| io_error("fsync", directory, e))?;
    }
    Ok(())
}

/// Ids are reserved in blocks so that a burst of requests (a merchant hammering "stop") costs one
/// fsync per block, not one per id; a crash skips the rest of a block, which is harmless.
const RESERVATION_BLOCK: u64 = 64;

/// The persisted, monotonically increasing RequestID counter of one workstation.
#[derive(Debug)]
pub struct RequestIdStore {
    path: Option<PathBuf>,
    next: u64,
    reserved_until: u64,
    max: u64,
}

impl RequestIdStore {
    /// Opens (or creates) the counter in `directory`. Without a directory ids live in memory,
    /// seeded from the clock so that a restart is unlikely to reuse one — only acceptable for tests and demos.
    pub fn open(
        directory: Option<&Path>,
        file_name: &str,
        max: u64,
    ) -> Result<Self, DurabilityError> {
        let max = max.max(1);
        let Some(directory) = directory else {
            let seconds = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let next = seconds % max + 1;
            return Ok(RequestIdStore {
                path: None,
                next,
                reserved_until: u64::MAX,
                max,
            });
        };
        let path = directory.join(file_name);
        let next = match fs::read_to_string(&path) {
            Ok(text) => text
                .trim()
                .parse::<u64>()
                .map_err(|_| DurabilityError::Corrupt {
                    path: path.clone(),
                    reason: format!(
                        "expected a number, found {:?}",
                        text.chars().take(40).collect::<String>()
                    ),
                })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => 1,
            Err(error) => return Err(io_error("read", &path, error)),
        };
        Ok(RequestIdStore {
            path: Some(path),
            next: next.clamp(1, max),
            reserved_until: 0,
            max,
        })
    }

    /// The next id, persisted (as part of a reserved block) before it is returned.
    pub fn allocate(&mut self) -> Result<RequestId, DurabilityError> {
        if self.next > self.max {
            // OPI-NL allows 9 digits; after 999,999,999 ids start over.
            self.next = 1;
            self.reserved_until = 0;
        }
        if self.next >= self.reserved_until {
            let until = (self.next + RESERVATION_BLOCK).min(self.max + 1);
            if let Some(path) = &self.path {
                write_atomically(path, until.to_string().as_bytes())?;
            }
            self.reserved_until = until;
        }
        let id = self.next;
        self.next += 1;
        Ok(RequestId::from(id))
    }

    /// As [`allocate`](Self::allocate), and when fewer than half a block of reserved ids is left,
    /// reserves the next block now. Requests that start a flow call this, so the aborts that
    /// follow them take their ids without waiting for the disk (an fsync on the abort path cost
    /// 1 abort in 64 several milliseconds). A failed reservation here is only logged: `allocate`
    /// reserves again when the block runs out.
    pub fn allocate_reserving_ahead(&mut self) -> Result<RequestId, DurabilityError> {
        let id = self.allocate()?;
        if let Some(path) = &self.path {
            if self.next <= self.max && self.reserved_until - self.next < RESERVATION_BLOCK / 2 {
                let until = (self.next + RESERVATION_BLOCK).min(self.max + 1);
                match write_atomically(path, until.to_string().as_bytes()) {
                    Ok(()) => self.reserved_until = until,
                    Err(error) => log::warn!("{error}"),
                }
            }
        }
        Ok(id)
    }

    /// Takes back `id` if it is the latest one handed out and was never sent (an armed abort
    /// withdrawn), so the next request uses it. The persisted reservation stays ahead, so a
    /// restart still never reuses an id that may have reached the terminal.
    pub fn give_back(&mut self, id: &RequestId) {
        if self.next > 1 && RequestId::from(self.next - 1) == *id {
            self.next -= 1;
        }
    }
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
}

/// The in-flight journal of one terminal: at most one entry, because a terminal runs one request at a time.
#[derive(Debug)]
pub struct InFlightJournal {
    path: Option<PathBuf>,
}

impl InFlightJournal {
    /// The journal file for `key` in `directory`; without a directory nothing is persisted.
    pub fn new(directory: Option<&Path>, key: &str) -> Self {
        InFlightJournal {
            path: directory.map(|d| d.join(format!("inflight-{key}.json"))),
        }
    }

    /// Where the entry lives.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Records `entry` durably. Must return before the request's first byte is sent.
    pub fn record(&self, entry: &JournalEntry) -> Result<(), DurabilityError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let json = serde_json::to_vec_pretty(entry).map_err(|e| DurabilityError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomically(path, &json)
    }

    /// The entry left by a request whose outcome was never settled, if any.
    pub fn pending(&self) -> Result<Option<JournalEntry>, DurabilityError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        match fs::read(path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| DurabilityError::Corrupt {
                        path: path.clone(),
                        reason: e.to_string(),
                    })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error("read", path, error)),
        }
    }

    /// Removes the entry once its final outcome has been delivered.
    pub fn clear(&self) -> Result<(), DurabilityError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        match fs::remove_file(path) {
            Ok(()) => sync_directory(path.parent().unwrap_or_else(|| Path::new("."))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_error("remove", path, error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mapi-durability-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn request_ids_never_repeat_across_reopen() {
        let dir = temp_dir("ids");
        let mut store = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let first: Vec<RequestId> = (0..10).map(|_| store.allocate().unwrap()).collect();
        drop(store);
        let mut reopened = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let next: u64 = reopened.allocate().unwrap().as_str().parse().unwrap();
        let last: u64 = first[9].as_str().parse().unwrap();
        assert!(next > last, "{next} must be above {last}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reserving_ahead_leaves_half_a_block_for_aborts() {
        let dir = temp_dir("ahead");
        let mut store = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        for _ in 0..100 {
            let id: u64 = store
                .allocate_reserving_ahead()
                .unwrap()
                .as_str()
                .parse()
                .unwrap();
            let reserved: u64 = fs::read_to_string(dir.join("ids"))
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                reserved > id + RESERVATION_BLOCK / 2,
                "{reserved} after {id}"
            );
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn request_ids_wrap_within_nine_digits() {
        let dir = temp_dir("wrap");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ids"), "999999999").unwrap();
        let mut store = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        assert_eq!(store.allocate().unwrap().as_str(), "999999999");
        assert_eq!(store.allocate().unwrap().as_str(), "1");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_counter_and_journal_are_reported_not_dropped() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ids"), "garbage").unwrap();
        assert!(matches!(
            RequestIdStore::open(Some(&dir), "ids", 999_999_999),
            Err(DurabilityError::Corrupt { .. })
        ));
        let journal = InFlightJournal::new(Some(&dir), "t");
        fs::write(journal.path().unwrap(), b"{\"version\":1,\"request_").unwrap();
        assert!(matches!(
            journal.pending(),
            Err(DurabilityError::Corrupt { .. })
        ));
        assert!(
            journal.path().unwrap().exists(),
            "a corrupt journal stays for support"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn journal_records_and_clears() {
        let dir = temp_dir("journal");
        let journal = InFlightJournal::new(Some(&dir), "t");
        assert_eq!(journal.pending().unwrap(), None);
        let entry = JournalEntry {
            version: 1,
            request_id: "42".into(),
            request_type: "CardPayment".into(),
            amount: Some("12.50".into()),
            currency: Some("EUR".into()),
            terminal: "127.0.0.1:4100".into(),
            workstation_id: "POS1".into(),
            started_at_ms: 1,
        };
        journal.record(&entry).unwrap();
        assert_eq!(journal.pending().unwrap(), Some(entry));
        journal.clear().unwrap();
        assert_eq!(journal.pending().unwrap(), None);
        fs::remove_dir_all(&dir).unwrap();
    }
}
