//! The output folder. A build's files go straight into a staging folder
//! beside the output as they are rendered (the whole site is never held in
//! memory), and the staging folder is swapped in at the end: a failed build
//! never touches the previous site, and a build never writes where it could
//! destroy sources. The preview server keeps its files in memory instead.
//!
//! A file whose bytes equal the previous output's at the same path is not
//! written again but hard-linked from there into the staging folder: the
//! previous site is not changed by that (a link adds a name, not bytes), the
//! swap stays one step, and unchanged files keep their inode and time, so
//! deploy tools that sync by either skip them.

mod ownership;
mod place;
mod staging;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};

pub use ownership::{WRITTEN, carry_foreign, record};
pub use place::{check_location, normalize, resolve};
pub use staging::{PREVIOUS_PREFIX, STAGING_PREFIX, Staging, remove_leftovers};

/// The file redline always writes; its presence marks a folder as ours to replace.
pub const MARKER: &str = "versions.json";

/// The site's files, keyed by output path (relative, `/` separators).
#[derive(Debug, Default)]
pub struct OutputSet {
    files: BTreeMap<String, OutputFile>,
    /// Files linked from the previous output rather than written.
    linked: usize,
}

#[derive(Debug)]
struct OutputFile {
    /// None once written to disk.
    bytes: Option<Vec<u8>>,
    origin: String,
}

impl OutputSet {
    /// Adds a file kept in memory; two sources writing the same path is an
    /// error naming both.
    pub fn insert(
        &mut self,
        path: String,
        bytes: Vec<u8>,
        origin: impl Into<String>,
    ) -> Result<()> {
        claim(&mut self.files, &path, origin.into(), Some(bytes))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A file's bytes; None when there is no such file or it was written
    /// to disk rather than kept.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).and_then(|f| f.bytes.as_deref())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// How many files were the previous output's, linked instead of written.
    pub fn linked(&self) -> usize {
        self.linked
    }
}

/// Records `path` as written by `origin`, unless another source has it.
fn claim(
    files: &mut BTreeMap<String, OutputFile>,
    path: &str,
    origin: String,
    bytes: Option<Vec<u8>>,
) -> Result<()> {
    if let Some(existing) = files.get(path) {
        bail!(
            "{} and {origin} would both be written to /{path}; rename or remove one of them",
            existing.origin
        );
    }
    files.insert(path.to_string(), OutputFile { bytes, origin });
    Ok(())
}

/// Where a site's files go while it is generated, from any thread: kept in
/// memory, or written at once into a folder (a build's staging folder).
#[derive(Debug)]
pub struct Sink {
    files: Mutex<OutputSet>,
    folder: Option<PathBuf>,
    /// The previous output, whose unchanged files are linked, not written.
    previous: Option<PathBuf>,
    linked: AtomicUsize,
}

impl Sink {
    pub fn in_memory() -> Self {
        Sink {
            files: Mutex::new(OutputSet::default()),
            folder: None,
            previous: None,
            linked: AtomicUsize::new(0),
        }
    }

    pub fn writing_to(folder: &Path) -> Self {
        Sink {
            files: Mutex::new(OutputSet::default()),
            folder: Some(folder.to_path_buf()),
            previous: None,
            linked: AtomicUsize::new(0),
        }
    }

    /// Links a file whose bytes equal `previous`'s file at the same path
    /// instead of writing it (only when writing to a folder).
    pub fn reusing(mut self, previous: &Path) -> Self {
        self.previous = Some(previous.to_path_buf());
        self
    }

    /// Adds a file; two sources writing the same path is an error naming both.
    pub fn insert(&self, path: String, bytes: Vec<u8>, origin: impl Into<String>) -> Result<()> {
        let origin = origin.into();
        let Some(folder) = &self.folder else {
            return self.lock().insert(path, bytes, origin);
        };
        inside(&path)?;
        claim(&mut self.lock().files, &path, origin, None)?;
        self.put(folder, &path, &bytes)
    }

    /// Writes `bytes` to `path` in `folder`, or links the previous output's
    /// file there when it holds the same bytes.
    fn put(&self, folder: &Path, path: &str, bytes: &[u8]) -> Result<()> {
        let target = folder.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        if let Some(previous) = &self.previous {
            let old = previous.join(path);
            if same_bytes(&old, bytes) && fs::hard_link(&old, &target).is_ok() {
                self.linked.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    /// Every file added, with the bytes of those kept in memory.
    pub fn finish(self) -> OutputSet {
        let mut set = self
            .files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        set.linked = self.linked.into_inner();
        set
    }

    /// Adds a file named by its content, unless it is there already.
    pub fn insert_once(&self, path: String, bytes: Vec<u8>, origin: &str) -> Result<()> {
        {
            let mut files = self.lock();
            if files.files.contains_key(&path) {
                return Ok(());
            }
            if self.folder.is_none() {
                return files.insert(path, bytes, origin);
            }
            inside(&path)?;
            claim(&mut files.files, &path, origin.to_string(), None)?;
        }
        let Some(folder) = &self.folder else {
            return Ok(());
        };
        self.put(folder, &path, &bytes)
    }

    /// The stamp of the file this build put at `path` (None in memory).
    pub fn stamp_of(&self, path: &str) -> Option<Stamp> {
        Stamp::of(&self.folder.as_ref()?.join(path))
    }

    /// The stamp of the previous output's file at `path`, when it is a
    /// plain file nothing else names (see [`same_bytes`]).
    pub fn previous_stamp(&self, path: &str) -> Option<Stamp> {
        let old = self.previous.as_ref()?.join(path);
        let meta = fs::symlink_metadata(&old).ok()?;
        if !sole_plain_file(&meta) {
            return None;
        }
        Stamp::of_metadata(&meta)
    }

    /// Adds the previous output's file at `path` as it is, linked (or
    /// copied where links fail). The caller has checked its stamp. With
    /// `once`, a file another source added already is left alone, as
    /// [`Sink::insert_once`] does.
    pub fn keep_previous(&self, path: &str, origin: &str, once: bool) -> Result<()> {
        let (Some(folder), Some(previous)) = (&self.folder, &self.previous) else {
            bail!("{path}: no previous output to keep it from");
        };
        inside(path)?;
        {
            let mut files = self.lock();
            if once && files.files.contains_key(path) {
                return Ok(());
            }
            claim(&mut files.files, path, origin.to_string(), None)?;
        }
        let (old, target) = (previous.join(path), folder.join(path));
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        if fs::hard_link(&old, &target).is_err() {
            fs::copy(&old, &target).with_context(|| {
                format!("cannot copy {} to {}", old.display(), target.display())
            })?;
        }
        self.linked.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Whether a file was added at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.lock().files.contains_key(path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputSet> {
        // A panic elsewhere cannot leave the map half-updated: claims are
        // a lookup and an insert.
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What tells one output file from another without reading it: its
/// length, its modification time and (on Unix) its inode. A file a build
/// wrote keeps all three through the swap and through later builds that
/// link it; editing or replacing it changes at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    len: u64,
    modified_secs: u64,
    modified_nanos: u32,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        Stamp::of_metadata(&fs::symlink_metadata(path).ok()?)
    }

    fn of_metadata(meta: &fs::Metadata) -> Option<Stamp> {
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified_secs: modified.as_secs(),
            modified_nanos: modified.subsec_nanos(),
            inode,
        })
    }
}

/// Whether `old` is a plain file that holds exactly `bytes` and that
/// nothing but the previous output names (a file with other links might
/// change under it): any doubt or error says no, and the file is written.
fn same_bytes(old: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = fs::symlink_metadata(old) else {
        return false;
    };
    sole_plain_file(&meta)
        && meta.len() == bytes.len() as u64
        && fs::read(old).is_ok_and(|old| old == bytes)
}

/// Whether `meta` is a plain file that only one name links to.
fn sole_plain_file(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    let only_name = std::os::unix::fs::MetadataExt::nlink(meta) == 1;
    #[cfg(not(unix))]
    let only_name = true;
    meta.is_file() && only_name
}

/// A path the output may hold: plain names only, so no file is ever
/// written beside or above the output folder.
fn inside(path: &str) -> Result<()> {
    let plain = !path.is_empty()
        && std::path::Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    anyhow::ensure!(
        plain,
        "refusing to write {path:?}: it is not a path inside the output folder"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_name_both_sources() {
        let mut set = OutputSet::default();
        set.insert("privacy/index.html".into(), vec![], "content/privacy.md")
            .unwrap();
        let err = set
            .insert(
                "privacy/index.html".into(),
                vec![],
                "static/privacy/index.html",
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("content/privacy.md and static/privacy/index.html"),
            "{err}"
        );
    }
}
