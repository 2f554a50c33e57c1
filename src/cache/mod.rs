//! A content-addressed store on disk that outlives a build. A value made
//! from content (a blob's fingerprint, the redline of two blobs) is kept
//! under the SHA-256 of everything it depends on — the blob ids, the
//! settings that shape it, redline's version — so a rebuild makes again only
//! what a new commit brought. It imports none of redline's stages: history
//! and site both keep their values here.
//!
//! Each entry is one file, `<dir>/<kind>/<2 hex>/<62 hex>`, written to a
//! temporary file and renamed into place, so a killed build leaves whole
//! entries or none. An entry that is not whole, or not this redline's
//! (`entry.rs`), is never trusted: its value is made again and the build
//! warns once. A cache folder that cannot be read or written is a warning
//! too, and the build goes on without it. Entries no build of the same kind
//! used are removed at the end ([`Store::finish`]), so the folder holds one
//! build's worth, not every build's.

mod entry;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub use entry::{FORMAT, VERSION};

/// The cache folder under the site root unless `--cache DIR` says otherwise.
pub const DEFAULT_DIR: &str = ".redline/cache";

/// What a value is stored under: the SHA-256 of its kind, the store's
/// format, redline's version and every input the value depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    kind: &'static str,
    hex: String,
}

/// Collects a key's inputs; each is length-prefixed, so `("ab", "c")` and
/// `("a", "bc")` differ.
pub struct KeyBuilder {
    kind: &'static str,
    hasher: Sha256,
}

impl Key {
    /// Starts a key for a value of `kind` (also its folder name).
    pub fn of(kind: &'static str) -> KeyBuilder {
        let builder = KeyBuilder {
            kind,
            hasher: Sha256::new(),
        };
        builder.part(kind).part(FORMAT.to_le_bytes()).part(VERSION)
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }
}

impl KeyBuilder {
    pub fn part(mut self, bytes: impl AsRef<[u8]>) -> Self {
        let bytes = bytes.as_ref();
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// An input by its `Debug` form, which shows every field (settings).
    pub fn debug(self, value: &dyn Debug) -> Self {
        self.part(format!("{value:?}"))
    }

    pub fn finish(self) -> Key {
        Key {
            kind: self.kind,
            hex: hex::encode(self.hasher.finalize()),
        }
    }
}

/// The store of one build.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    /// Keys looked up or written, by kind: what [`Store::finish`] keeps.
    used: Mutex<BTreeMap<&'static str, HashSet<String>>>,
    /// Keys written by this build, by kind: reading one back is a stage
    /// handing its work to a later one, not a reuse.
    made_here: Mutex<BTreeMap<&'static str, HashSet<String>>>,
    reused: AtomicUsize,
    handed_on: AtomicUsize,
    made: AtomicUsize,
    /// Entries found but not trusted.
    ignored: AtomicUsize,
    /// Set on the first failed write: the store takes no more.
    unwritable: AtomicBool,
    /// The first read or write error, for the one warning about it.
    trouble: Mutex<Option<String>>,
}

/// What a store did in one build, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub dir: PathBuf,
    /// Values an earlier build made, read from the store instead of made.
    pub reused: usize,
    /// Values made by this build and read back by a later stage of it
    /// (history's parse of a version, taken by the archive's pages).
    pub handed_on: usize,
    /// Values made (and stored).
    pub made: usize,
    /// Entries no lookup of this build asked for, removed.
    pub removed: usize,
    /// At most one warning for each kind of trouble.
    pub warnings: Vec<String>,
}

impl Store {
    /// The store in `dir`, made on the first write: a build that stops
    /// before it stores anything leaves no folder behind.
    pub fn open(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
            used: Mutex::default(),
            made_here: Mutex::default(),
            reused: AtomicUsize::new(0),
            handed_on: AtomicUsize::new(0),
            made: AtomicUsize::new(0),
            ignored: AtomicUsize::new(0),
            unwritable: AtomicBool::new(false),
            trouble: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The value stored under `key`, or `make()`'s, which is then stored.
    pub fn get_or_make<T, F>(&self, key: &Key, make: F) -> T
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> T,
    {
        if let Some(value) = self.get(key) {
            return value;
        }
        let value = make();
        self.put(key, &value);
        value
    }

    /// The value stored under `key`, if there is a trustworthy one.
    pub fn get<T: DeserializeOwned>(&self, key: &Key) -> Option<T> {
        self.mark_used(key);
        let path = self.path_of(key);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return None,
            Err(err) => {
                self.note_trouble(format!("cannot read {}: {err}", path.display()));
                return None;
            }
        };
        let value = entry::decode(key.hex(), &bytes).and_then(|p| serde_json::from_slice(p).ok());
        match value {
            Some(value) => {
                let count = if Self::holds(&self.made_here, key) {
                    &self.handed_on
                } else {
                    &self.reused
                };
                count.fetch_add(1, Ordering::Relaxed);
                Some(value)
            }
            None => {
                self.ignored.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Stores `value` under `key`: whole or not at all.
    pub fn put<T: Serialize>(&self, key: &Key, value: &T) {
        self.made.fetch_add(1, Ordering::Relaxed);
        self.mark_used(key);
        Self::mark(&self.made_here, key);
        if self.unwritable.load(Ordering::Relaxed) {
            return;
        }
        let written = serde_json::to_vec(value)
            .map_err(io::Error::other)
            .and_then(|payload| self.write_entry(key, &payload));
        if let Err(err) = written {
            self.unwritable.store(true, Ordering::Relaxed);
            self.note_trouble(format!("cannot write into {}: {err}", self.dir.display()));
        }
    }

    fn write_entry(&self, key: &Key, payload: &[u8]) -> io::Result<()> {
        let path = self.path_of(key);
        let folder = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(folder)?;
        let mut file = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(folder)?;
        file.write_all(&entry::encode(key.hex(), payload))?;
        file.persist(&path).map_err(|err| err.error)?;
        Ok(())
    }

    fn path_of(&self, key: &Key) -> PathBuf {
        let (folder, name) = key.hex.split_at(2);
        self.dir.join(key.kind).join(folder).join(name)
    }

    fn mark_used(&self, key: &Key) {
        Self::mark(&self.used, key);
    }

    /// Keeps the entry under `key` (if there is one) through
    /// [`Store::finish`] without reading it: for values a build took whole
    /// from its previous output, which the next change will need again.
    pub fn keep(&self, key: &Key) {
        self.mark_used(key);
    }

    fn mark(keys: &Mutex<BTreeMap<&'static str, HashSet<String>>>, key: &Key) {
        keys.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.kind)
            .or_default()
            .insert(key.hex.clone());
    }

    fn holds(keys: &Mutex<BTreeMap<&'static str, HashSet<String>>>, key: &Key) -> bool {
        keys.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key.kind)
            .is_some_and(|kind| kind.contains(&key.hex))
    }

    fn note_trouble(&self, message: String) {
        self.trouble
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(message);
    }

    /// Ends the build's use of the store: removes the entries of every kind
    /// it used that it did not use (a document's old redlines, blobs no
    /// longer in history), and reports. Call it only after a build that
    /// looked up everything it needed; kinds it never asked for are kept.
    pub fn finish(self) -> Report {
        let used = self
            .used
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut removed = 0;
        for (kind, keys) in &used {
            removed += remove_unused(&self.dir.join(kind), keys);
        }
        let mut warnings = Vec::new();
        let ignored = self.ignored.into_inner();
        if ignored > 0 {
            warnings.push(format!(
                "ignored {} in {} that {} damaged or written by another version of redline; {} made again",
                count(ignored, "cache entry", "cache entries"),
                self.dir.display(),
                if ignored == 1 { "was" } else { "were" },
                if ignored == 1 { "it was" } else { "they were" },
            ));
        }
        if let Some(trouble) = self
            .trouble
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
        {
            warnings.push(format!(
                "the cache did not work: {trouble}; the build went on without it (fix the folder's permissions, pass --cache DIR, or --no-cache)"
            ));
        }
        Report {
            dir: self.dir,
            reused: self.reused.into_inner(),
            handed_on: self.handed_on.into_inner(),
            made: self.made.into_inner(),
            removed,
            warnings,
        }
    }
}

/// Removes every entry under `folder/<2 hex>/` whose key is not in `keep`;
/// returns how many. Temporary files of a build still writing are left.
fn remove_unused(folder: &Path, keep: &HashSet<String>) -> usize {
    let mut removed = 0;
    let Ok(prefixes) = fs::read_dir(folder) else {
        return 0;
    };
    for prefix in prefixes.flatten() {
        let prefix_name = prefix.file_name().to_string_lossy().into_owned();
        let Ok(entries) = fs::read_dir(prefix.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || keep.contains(&format!("{prefix_name}{name}")) {
                continue;
            }
            if fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> Key {
        Key::of("test").part(input).finish()
    }

    #[test]
    fn keys_separate_their_parts_and_kinds() {
        let ab_c = Key::of("k").part("ab").part("c").finish();
        let a_bc = Key::of("k").part("a").part("bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_ne!(
            Key::of("k").part("a").finish().hex(),
            Key::of("j").part("a").finish().hex()
        );
    }

    #[test]
    fn a_value_made_once_is_reused_and_unused_entries_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path());
        assert_eq!(store.get_or_make(&key("a"), || 1_u32), 1);
        assert_eq!(store.get_or_make(&key("b"), || 2_u32), 2);
        let report = store.finish();
        assert_eq!((report.made, report.reused), (2, 0));

        let store = Store::open(dir.path());
        let unused = || -> u32 { panic!("stored, so not made again") };
        assert_eq!(store.get_or_make(&key("a"), unused), 1);
        let report = store.finish();
        assert_eq!((report.made, report.reused, report.removed), (0, 1, 1));
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);

        let store = Store::open(dir.path());
        assert_eq!(store.get::<u32>(&key("b")), None, "b was removed");
    }

    #[test]
    fn a_value_read_back_by_the_build_that_made_it_is_handed_on_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path());
        store.put(&key("a"), &1_u32);
        assert_eq!(store.get::<u32>(&key("a")), Some(1));
        assert_eq!(store.get::<u32>(&key("a")), Some(1));
        let report = store.finish();
        assert_eq!((report.made, report.handed_on, report.reused), (1, 2, 0));

        let store = Store::open(dir.path());
        assert_eq!(store.get::<u32>(&key("a")), Some(1));
        let report = store.finish();
        assert_eq!((report.made, report.handed_on, report.reused), (0, 0, 1));
    }

    #[test]
    fn a_damaged_entry_is_made_again_with_one_warning() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path());
        for input in ["a", "b"] {
            store.put(&key(input), &"value");
        }
        drop(store);
        for input in ["a", "b"] {
            let path = Store::open(dir.path()).path_of(&key(input));
            fs::write(path, b"garbage").unwrap();
        }
        let store = Store::open(dir.path());
        assert_eq!(store.get_or_make(&key("a"), || "made".to_string()), "made");
        assert_eq!(store.get_or_make(&key("b"), || "made".to_string()), "made");
        let report = store.finish();
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("ignored 2 cache entries"));
        let store = Store::open(dir.path());
        assert_eq!(store.get::<String>(&key("a")).as_deref(), Some("made"));
    }

    #[cfg(unix)]
    #[test]
    fn an_unwritable_folder_is_one_warning_and_values_are_still_made() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path());
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
        if fs::write(dir.path().join("probe"), "").is_ok() {
            return; // Running as root: permissions do not stop writes.
        }
        assert_eq!(store.get_or_make(&key("a"), || 1_u8), 1);
        assert_eq!(store.get_or_make(&key("b"), || 2_u8), 2);
        let report = store.finish();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(report.warnings[0].contains("cannot write"));
    }
}
