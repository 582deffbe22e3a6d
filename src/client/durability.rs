//! What must survive a crash: the RequestID counter (an id is never reused, it is the recovery
//! key) and the in-flight journal (which request may have moved money). Every write is a temp file,
//! fsync, rename, fsync of the directory, so a power cut leaves the old or the new file, never half.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

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

pub(crate) fn sync_directory(directory: &Path) -> Result<(), DurabilityError> {
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

/// The counter file shared by every terminal of a state directory.
pub const SHARED_COUNTER: &str = "request-ids";

/// The id to hand out first after reading `persisted` (the first id not yet reserved). A value
/// past `max` means the block that ended at the 9-digit boundary was reserved: everything up to
/// `max` may have been used, so the counter starts over at 1 instead of re-issuing `max`.
fn first_after_restart(persisted: u64, max: u64) -> u64 {
    if persisted > max || persisted == 0 {
        1
    } else {
        persisted
    }
}

/// Counter files of earlier versions (one per workstation) in `directory`.
fn legacy_counters(directory: &Path) -> Result<Vec<PathBuf>, DurabilityError> {
    match fs::read_dir(directory) {
        Ok(entries) => Ok(entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("request-id-") && !name.ends_with(".tmp")
            })
            .map(|e| e.path())
            .collect()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(error) => Err(io_error("list", directory, error)),
    }
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
            next: first_after_restart(next, max),
            reserved_until: 0,
            max,
        })
    }

    /// The one counter of a state directory, shared by every terminal that keeps its state there
    /// (ids are unique per directory, whatever terminal they go to). It continues above every
    /// counter an earlier version kept per workstation (`request-id-<workstation>`), so an
    /// upgrade never re-issues an id a terminal has seen.
    pub fn open_shared(
        directory: &Path,
        max: u64,
    ) -> Result<Arc<Mutex<RequestIdStore>>, DurabilityError> {
        static OPEN: OnceLock<Mutex<HashMap<PathBuf, Arc<Mutex<RequestIdStore>>>>> =
            OnceLock::new();
        let key = fs::canonicalize(directory).unwrap_or_else(|_| directory.to_owned());
        let mut open = OPEN
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(store) = open.get(&key) {
            return Ok(Arc::clone(store));
        }
        let mut store = RequestIdStore::open(Some(directory), SHARED_COUNTER, max)?;
        for legacy in legacy_counters(directory)? {
            let text = fs::read_to_string(&legacy).map_err(|e| io_error("read", &legacy, e))?;
            let value = text
                .trim()
                .parse::<u64>()
                .map_err(|_| DurabilityError::Corrupt {
                    path: legacy.clone(),
                    reason: "expected a number".to_owned(),
                })?;
            // Only a counter that has not wrapped can be ahead; a wrapped one restarts at 1.
            let legacy_next = first_after_restart(value, max);
            if legacy_next > store.next && value <= max {
                store.next = legacy_next;
            }
        }
        let store = Arc::new(Mutex::new(store));
        open.insert(key, Arc::clone(&store));
        Ok(store)
    }

    /// The next id, persisted (as part of a reserved block) before it is returned.
    pub fn allocate(&mut self) -> Result<RequestId, DurabilityError> {
        if self.next > self.max {
            // OPI-NL allows 9 digits; after 999,999,999 ids start over.
            self.next = 1;
            self.reserved_until = 0;
        }
        if self.next >= self.reserved_until {
            self.reserve(false)?;
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
        if self.path.is_some()
            && self.next <= self.max
            && self.reserved_until - self.next < RESERVATION_BLOCK / 2
        {
            if let Err(error) = self.reserve(true) {
                log::warn!("{error}");
            }
        }
        Ok(id)
    }

    /// Reserves the block from `next` in the file, under an exclusive lock of `<file>.lock`, so
    /// processes sharing a state directory never hand out the same id: a block another process
    /// reserved meanwhile is skipped. `extend`: grow the current block (only if nobody reserved
    /// past it; otherwise the next `allocate` jumps over their block).
    fn reserve(&mut self, extend: bool) -> Result<(), DurabilityError> {
        let Some(path) = self.path.clone() else {
            self.reserved_until = u64::MAX;
            return Ok(());
        };
        let lock_path = path.with_extension("lock");
        if let Some(directory) = lock_path.parent() {
            fs::create_dir_all(directory).map_err(|e| io_error("create", directory, e))?;
        }
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| io_error("open", &lock_path, e))?;
        lock.lock().map_err(|e| io_error("lock", &lock_path, e))?;
        let persisted = fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|value| *value <= self.max);
        if let Some(persisted) = persisted {
            if extend && persisted > self.reserved_until {
                return Ok(());
            }
            if !extend && persisted > self.next {
                self.next = persisted;
            }
        }
        let until = (self.next + RESERVATION_BLOCK).min(self.max + 1);
        write_atomically(&path, until.to_string().as_bytes())?;
        self.reserved_until = until;
        // The lock is released when `lock` is dropped, after the new value is durable.
        drop(lock);
        Ok(())
    }

    /// An id the app chose itself (`Payment.Builder.requestId`) was used: the counter moves past
    /// it, durably before the request leaves, so the engine's own ids never repeat the app's.
    /// An id below the counter leaves it where it is (the app's numbering is its own business).
    pub fn skip_past(&mut self, id: &RequestId) -> Result<(), DurabilityError> {
        let Ok(value) = id.as_str().parse::<u64>() else {
            return Ok(());
        };
        if value < self.next || value > self.max {
            return Ok(());
        }
        self.next = value + 1;
        if self.next > self.max {
            self.next = 1;
            self.reserved_until = 0;
            return Ok(());
        }
        if self.next >= self.reserved_until {
            self.reserve(false)?;
        }
        Ok(())
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
    fn a_reservation_that_ended_at_the_boundary_restarts_at_one() {
        let dir = temp_dir("boundary");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ids"), "999999990").unwrap();
        let mut store = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let issued: Vec<String> = (0..10)
            .map(|_| store.allocate().unwrap().as_str().to_owned())
            .collect();
        assert_eq!(issued.last().map(String::as_str), Some("999999999"));
        assert_eq!(
            fs::read_to_string(dir.join("ids")).unwrap(),
            "1000000000",
            "the block was reserved up to the boundary"
        );
        drop(store);
        let mut reopened = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let next = reopened.allocate().unwrap();
        assert!(
            !issued.iter().any(|id| id == next.as_str()),
            "{next} was issued before the restart"
        );
        assert_eq!(next.as_str(), "1");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_shared_counter_continues_above_every_old_per_workstation_counter() {
        let dir = temp_dir("shared");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("request-id-POS1"), "500").unwrap();
        fs::write(dir.join("request-id-POS2"), "900").unwrap();
        let a = RequestIdStore::open_shared(&dir, 999_999_999).unwrap();
        let b = RequestIdStore::open_shared(&dir, 999_999_999).unwrap();
        assert!(Arc::ptr_eq(&a, &b), "one counter per directory");
        let first = a.lock().unwrap().allocate().unwrap();
        assert_eq!(first.as_str(), "900");
        let second = b.lock().unwrap().allocate().unwrap();
        assert_eq!(second.as_str(), "901");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn two_processes_sharing_a_directory_never_hand_out_the_same_id() {
        // Two stores on one file stand for two processes: each reserves under the file lock.
        let dir = temp_dir("two-processes");
        let mut a = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let mut b = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let mut seen = std::collections::HashSet::new();
        for round in 0..300 {
            let store = if round % 3 == 0 { &mut a } else { &mut b };
            let id = if round % 2 == 0 {
                store.allocate().unwrap()
            } else {
                store.allocate_reserving_ahead().unwrap()
            };
            assert!(seen.insert(id.clone()), "{id} handed out twice");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_app_chosen_id_moves_the_counter_past_it_durably() {
        let dir = temp_dir("skip");
        let mut store = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        assert_eq!(store.allocate().unwrap().as_str(), "1");
        store.skip_past(&RequestId::from("500")).unwrap();
        drop(store);
        // A crash right after the app's request left: the restarted counter is past it.
        let mut reopened = RequestIdStore::open(Some(&dir), "ids", 999_999_999).unwrap();
        let next: u64 = reopened.allocate().unwrap().as_str().parse().unwrap();
        assert!(next > 500, "{next}");
        reopened.skip_past(&RequestId::from("3")).unwrap();
        let after: u64 = reopened.allocate().unwrap().as_str().parse().unwrap();
        assert_eq!(after, next + 1, "an id below the counter leaves it alone");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_counter_is_reported_not_dropped() {
        let dir = temp_dir("corrupt");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ids"), "garbage").unwrap();
        assert!(matches!(
            RequestIdStore::open(Some(&dir), "ids", 999_999_999),
            Err(DurabilityError::Corrupt { .. })
        ));
        assert!(dir.join("ids").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
