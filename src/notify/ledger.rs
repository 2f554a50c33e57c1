//! The ledger: which notice went to whom. It lives in the site
//! (`.redline/notify-ledger.json`) and is rewritten after every message,
//! through a temporary file and a rename, so a run that dies — crash, dropped
//! connection, Ctrl-C — leaves either the old ledger or the new one, never
//! half of one, and a rerun sends exactly what is missing. A sending run
//! holds a lock on it, so two runs at once cannot both send a notice.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::select::ChangeKey;

/// The ledger's place in the site root.
pub const LEDGER_FILE: &str = ".redline/notify-ledger.json";

/// The file as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// The newest change whose notices all went out; the default `--since`.
    #[serde(default)]
    pub last_notice: Option<ChangeRecord>,
    /// Changes a run started sending and did not finish: the next run sends
    /// them to whoever is still missing them, whatever `--since` says.
    #[serde(default)]
    pub unfinished: BTreeSet<ChangeRecord>,
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRecord {
    pub commit: String,
    pub document: String,
}

impl From<&ChangeKey> for ChangeRecord {
    fn from(key: &ChangeKey) -> Self {
        ChangeRecord {
            commit: key.commit.clone(),
            document: key.document.clone(),
        }
    }
}

impl From<&ChangeRecord> for ChangeKey {
    fn from(record: &ChangeRecord) -> Self {
        ChangeKey {
            commit: record.commit.clone(),
            document: record.document.clone(),
        }
    }
}

/// One change delivered to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub commit: String,
    pub document: String,
    pub recipient: String,
    pub message_id: String,
    /// RFC 3339, when the server accepted the message.
    pub sent_at: String,
}

impl Ledger {
    /// Reads the ledger; none yet is an empty one.
    pub fn load(path: &Path) -> Result<Ledger> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        serde_json::from_str(&text).map_err(|err| {
            anyhow::anyhow!(
                "{}:{}:{}: the notify ledger is damaged ({err}); restore it from version control or a backup — deleting it makes the next run announce the newest change again",
                path.display(),
                err.line(),
                err.column()
            )
        })
    }

    /// Writes the ledger to a temporary file beside it, flushes it to disk
    /// and renames it into place.
    pub fn save(&self, path: &Path) -> Result<()> {
        let Some(dir) = path.parent() else {
            bail!("the ledger path {} has no folder", path.display());
        };
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut file = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        let json = serde_json::to_string_pretty(self).context("cannot encode the ledger")?;
        file.write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.as_file().sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.persist(path)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    }

    /// Has `recipient` (a [`super::recipients::Recipient::key`]) had `change`?
    pub fn delivered(&self) -> HashSet<(ChangeKey, String)> {
        self.deliveries
            .iter()
            .map(|d| {
                (
                    ChangeKey {
                        commit: d.commit.clone(),
                        document: d.document.clone(),
                    },
                    d.recipient.clone(),
                )
            })
            .collect()
    }

    pub fn unfinished_keys(&self) -> HashSet<ChangeKey> {
        self.unfinished.iter().map(ChangeKey::from).collect()
    }
}

/// An exclusive hold on the ledger for one sending run. The operating system
/// lets go when the process ends, however it ends (crash, Ctrl-C), so a
/// rerun is never locked out by a run that died.
#[derive(Debug)]
pub struct LedgerLock {
    _file: fs::File,
}

/// Takes the ledger's lock (`<ledger>.lock`), or says that another run has it.
pub fn lock(ledger: &Path) -> Result<LedgerLock> {
    let path = ledger.with_extension("lock");
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(LedgerLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => bail!(
            "another `redline notify --send` is sending this site's notices ({} is locked); let it finish, then run again: the ledger sends each notice exactly once",
            path.display()
        ),
        Err(fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// `<root>/.redline/notify-ledger.json`.
pub fn path(root: &Path) -> PathBuf {
    root.join(LEDGER_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        assert_eq!(Ledger::load(&path).unwrap(), Ledger::default());
        let mut ledger = Ledger::default();
        ledger.deliveries.push(Delivery {
            commit: "c1".into(),
            document: "privacy/".into(),
            recipient: "a@example.com".into(),
            message_id: "<x@example.com>".into(),
            sent_at: "2026-03-10T10:00:00Z".into(),
        });
        ledger.save(&path).unwrap();
        ledger.save(&path).unwrap();
        assert_eq!(Ledger::load(&path).unwrap(), ledger);
        let files = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(files, 1);
    }

    #[test]
    fn one_sending_run_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        let held = lock(&path).unwrap();
        let err = lock(&path).unwrap_err().to_string();
        assert!(err.contains("another `redline notify --send`"), "{err}");
        drop(held);
        lock(&path).expect("free again once the first run ends");
    }

    #[test]
    fn a_damaged_ledger_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = path(dir.path());
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{\n  \"deliveries\": [\n}").unwrap();
        let err = Ledger::load(&path).unwrap_err().to_string();
        assert!(err.contains("notify-ledger.json:3:"), "{err}");
    }
}
