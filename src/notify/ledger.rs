//! The ledger: which notice went to whom. It lives in the site
//! (`.redline/notify-ledger.json`) and is rewritten after every message,
//! through a temporary file and a rename, so a run that dies — crash, dropped
//! connection, Ctrl-C — leaves either the old ledger or the new one, never
//! half of one, and a rerun sends exactly what is missing. (The one gap SMTP
//! leaves: a run killed after the server accepted a message and before the
//! ledger recorded it sends that one message again.) A sending run
//! holds a lock on it, so two runs at once cannot both send a notice.
//!
//! Besides what was delivered it keeps what is still owed: each unfinished
//! change with the recipients a run had left to send it to (so a resumed run
//! finishes exactly that, and someone added to the recipients file meanwhile
//! is not sent an old notice), and each permanent (5xx) rejection, which is
//! never retried unless asked. An entry leaves as soon as its run is done
//! with it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    /// The newest change a sending run has taken on; the default `--since`.
    /// What that run still owes is in `unfinished`.
    #[serde(default)]
    pub last_notice: Option<ChangeRecord>,
    /// Changes a run started sending and did not finish: the next run sends
    /// them to the recipients listed here, whatever `--since` says.
    #[serde(default)]
    pub unfinished: Vec<Unfinished>,
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
    /// Messages the mail server refused for good (a 5xx reply): not sent
    /// again unless `--retry-failed` asks.
    #[serde(default)]
    pub failures: Vec<Failure>,
}

/// A change a run started sending, and who it still owes it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unfinished {
    pub commit: String,
    pub document: String,
    /// Recipient keys ([`super::recipients::Recipient::key`]) still to send it to.
    pub recipients: BTreeSet<String>,
}

impl Unfinished {
    pub fn key(&self) -> ChangeKey {
        key_of(&self.commit, &self.document)
    }
}

/// One change a mail server refused for good to deliver to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    pub commit: String,
    pub document: String,
    pub recipient: String,
    /// The server's reply, e.g. `permanent error (550): Mailbox unavailable`.
    pub reply: String,
    /// RFC 3339, when the server refused it.
    pub failed_at: String,
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

    /// The (change, recipient) pairs unfinished runs still owe.
    pub fn owed(&self) -> HashSet<(ChangeKey, String)> {
        self.unfinished
            .iter()
            .flat_map(|u| {
                let key = u.key();
                u.recipients.iter().map(move |r| (key.clone(), r.clone()))
            })
            .collect()
    }

    /// The (change, recipient) pairs a server refused for good, with its reply.
    pub fn rejected(&self) -> HashMap<(ChangeKey, String), String> {
        self.failures
            .iter()
            .map(|f| {
                let pair = (key_of(&f.commit, &f.document), f.recipient.clone());
                (pair, f.reply.clone())
            })
            .collect()
    }

    /// A sending run begins: each of `changes` is now owed to exactly the
    /// recipients `pending` pairs it with (a run's plan already counts what
    /// earlier runs owed), and a change owed to no one leaves `unfinished`.
    pub fn begin(&mut self, changes: &[ChangeKey], pending: &[(ChangeKey, String)]) {
        let handled: HashSet<&ChangeKey> = changes.iter().collect();
        self.unfinished.retain(|u| !handled.contains(&u.key()));
        let mut owed: BTreeMap<&ChangeKey, BTreeSet<String>> = BTreeMap::new();
        for (change, recipient) in pending {
            owed.entry(change).or_default().insert(recipient.clone());
        }
        self.unfinished
            .extend(owed.into_iter().map(|(change, recipients)| Unfinished {
                commit: change.commit.clone(),
                document: change.document.clone(),
                recipients,
            }));
    }

    /// The server accepted the message with `changes` for `recipient`.
    pub fn delivered_to(&mut self, changes: &[ChangeKey], recipient: &str, message_id: &str) {
        let sent_at = jiff::Timestamp::now().to_string();
        self.settle(changes, recipient);
        self.deliveries
            .extend(changes.iter().map(|change| Delivery {
                commit: change.commit.clone(),
                document: change.document.clone(),
                recipient: recipient.to_string(),
                message_id: message_id.to_string(),
                sent_at: sent_at.clone(),
            }));
    }

    /// The server refused the message with `changes` for `recipient` for good.
    pub fn rejected_for(&mut self, changes: &[ChangeKey], recipient: &str, reply: &str) {
        let failed_at = jiff::Timestamp::now().to_string();
        self.settle(changes, recipient);
        self.failures.extend(changes.iter().map(|change| Failure {
            commit: change.commit.clone(),
            document: change.document.clone(),
            recipient: recipient.to_string(),
            reply: reply.to_string(),
            failed_at: failed_at.clone(),
        }));
    }

    /// `recipient` is done with `changes`: no longer owed, and an earlier
    /// rejection gives way to this run's answer.
    fn settle(&mut self, changes: &[ChangeKey], recipient: &str) {
        let done: HashSet<&ChangeKey> = changes.iter().collect();
        for unfinished in &mut self.unfinished {
            if done.contains(&unfinished.key()) {
                unfinished.recipients.remove(recipient);
            }
        }
        self.unfinished.retain(|u| !u.recipients.is_empty());
        self.failures.retain(|f| {
            f.recipient != recipient || !done.contains(&key_of(&f.commit, &f.document))
        });
    }
}

fn key_of(commit: &str, document: &str) -> ChangeKey {
    ChangeKey {
        commit: commit.to_string(),
        document: document.to_string(),
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
    fn a_ledger_that_cannot_be_read_is_an_error_not_an_empty_one() {
        // Read as empty, it would announce every change again to everyone.
        let dir = tempfile::tempdir().unwrap();
        let err = Ledger::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("cannot read"), "{err:#}");
    }

    #[test]
    fn a_delivery_clears_only_its_own_recipient_s_refusal_of_that_change() {
        let (privacy, terms) = (key_of("c1", "privacy/"), key_of("c1", "terms/"));
        let mut ledger = Ledger::default();
        ledger.rejected_for(std::slice::from_ref(&privacy), "alice", "550 no");
        ledger.rejected_for(std::slice::from_ref(&privacy), "bob", "550 no");
        ledger.rejected_for(std::slice::from_ref(&terms), "alice", "550 no");
        ledger.delivered_to(std::slice::from_ref(&privacy), "alice", "<m@x>");
        let left: HashSet<(ChangeKey, String)> = ledger.rejected().into_keys().collect();
        assert_eq!(
            left,
            [(privacy, "bob".to_string()), (terms, "alice".to_string())].into()
        );
    }

    #[test]
    fn a_run_keeps_only_what_it_still_owes() {
        let privacy = key_of("c1", "privacy/");
        let terms = key_of("c1", "terms/");
        let pair = |key: &ChangeKey, who: &str| (key.clone(), who.to_string());
        let mut ledger = Ledger::default();
        // An earlier run died owing privacy to someone since removed from
        // the recipients file: this run's plan has no one for it.
        ledger.unfinished.push(Unfinished {
            commit: "c1".into(),
            document: "privacy/".into(),
            recipients: ["gone@example.com".to_string()].into(),
        });
        ledger.begin(
            &[privacy.clone(), terms.clone()],
            &[pair(&terms, "alice"), pair(&terms, "bob")],
        );
        assert_eq!(
            ledger.owed(),
            [pair(&terms, "alice"), pair(&terms, "bob")].into()
        );
        ledger.delivered_to(std::slice::from_ref(&terms), "alice", "<m1@x>");
        assert_eq!(ledger.owed(), [pair(&terms, "bob")].into());
        ledger.rejected_for(
            std::slice::from_ref(&terms),
            "bob",
            "permanent error (550): no",
        );
        assert!(ledger.unfinished.is_empty(), "{:?}", ledger.unfinished);
        assert_eq!(ledger.rejected().len(), 1);

        // Retried and accepted: the refusal gives way to the delivery.
        ledger.begin(std::slice::from_ref(&terms), &[pair(&terms, "bob")]);
        ledger.delivered_to(std::slice::from_ref(&terms), "bob", "<m2@x>");
        assert!(ledger.failures.is_empty() && ledger.unfinished.is_empty());
        assert_eq!(
            ledger.delivered(),
            [pair(&terms, "alice"), pair(&terms, "bob")].into()
        );
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
