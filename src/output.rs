//! The output folder. A build's files go straight into a staging folder
//! beside the output as they are rendered (the whole site is never held in
//! memory), and the staging folder is swapped in at the end: a failed build
//! never touches the previous site, and a build never writes where it could
//! destroy sources. The preview server keeps its files in memory instead.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use tempfile::TempDir;

/// The file redline always writes; its presence marks a folder as ours to replace.
pub const MARKER: &str = "versions.json";

/// The site's files, keyed by output path (relative, `/` separators).
#[derive(Debug, Default)]
pub struct OutputSet {
    files: BTreeMap<String, OutputFile>,
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
}

impl Sink {
    pub fn in_memory() -> Self {
        Sink {
            files: Mutex::new(OutputSet::default()),
            folder: None,
        }
    }

    pub fn writing_to(folder: &Path) -> Self {
        Sink {
            files: Mutex::new(OutputSet::default()),
            folder: Some(folder.to_path_buf()),
        }
    }

    /// Adds a file; two sources writing the same path is an error naming both.
    pub fn insert(&self, path: String, bytes: Vec<u8>, origin: impl Into<String>) -> Result<()> {
        let origin = origin.into();
        let Some(folder) = &self.folder else {
            return self.lock().insert(path, bytes, origin);
        };
        claim(&mut self.lock().files, &path, origin, None)?;
        let target = folder.join(&path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&target, bytes).with_context(|| format!("cannot write {}", target.display()))
    }

    /// Every file added, with the bytes of those kept in memory.
    pub fn finish(self) -> OutputSet {
        self.files
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputSet> {
        // A panic elsewhere cannot leave the map half-updated: claims are
        // a lookup and an insert.
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Refuses output folders that overlap the sources or hold someone else's files.
pub fn check_location(output: &Path, root: &Path, sources: &[&Path]) -> Result<()> {
    let output = normalize(output);
    if root.starts_with(&output) {
        bail!(
            "the output folder {} contains the site root; choose a folder inside it such as `public`",
            output.display()
        );
    }
    for source in sources {
        let source = normalize(source);
        if output.starts_with(&source) || source.starts_with(&output) {
            bail!(
                "the output folder {} overlaps {}; the output may not be inside the content, templates or static folders (choose e.g. `public`)",
                output.display(),
                source.display()
            );
        }
    }
    if output.exists() {
        if !output.is_dir() {
            bail!(
                "the output path {} exists and is not a folder",
                output.display()
            );
        }
        let mut entries =
            fs::read_dir(&output).with_context(|| format!("cannot read {}", output.display()))?;
        if entries.next().is_some() && !output.join(MARKER).is_file() {
            bail!(
                "the output folder {} is not empty and was not written by redline (it has no {MARKER}); remove it or choose another --output",
                output.display()
            );
        }
    }
    Ok(())
}

/// A folder beside the output that a build writes into; swapped in for the
/// output when the build succeeds, removed when it is dropped unused.
pub struct Staging {
    folder: TempDir,
    output: PathBuf,
}

impl Staging {
    pub fn beside(output: &Path) -> Result<Staging> {
        let output = normalize(output);
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let folder = tempfile::Builder::new()
            .prefix(".redline-staging-")
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        Ok(Staging { folder, output })
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Puts the staging folder in the output's place and deletes the
    /// previous output. Where the system can, the two folders trade places
    /// in one step, so a web server reading the output never finds it
    /// missing; elsewhere the old output is moved aside first.
    pub fn swap_in(self) -> Result<()> {
        let Staging { folder, output } = self;
        if output.is_dir() && exchange(folder.path(), &output).is_ok() {
            // The staging folder's path now holds the previous site.
            let previous = folder.keep();
            return remove_tree(&previous)
                .with_context(|| format!("cannot remove the old site at {}", previous.display()));
        }
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        let previous = output
            .exists()
            .then(|| parent.join(format!(".redline-previous-{}", std::process::id())));
        if let Some(previous) = &previous {
            if previous.exists() {
                fs::remove_dir_all(previous)
                    .with_context(|| format!("cannot remove {}", previous.display()))?;
            }
            fs::rename(&output, previous)
                .with_context(|| format!("cannot move the old {} aside", output.display()))?;
        }
        let staged = folder.keep();
        if let Err(err) = fs::rename(&staged, &output) {
            if let Some(previous) = &previous {
                let _ = fs::rename(previous, &output);
            }
            let _ = fs::remove_dir_all(&staged);
            return Err(err)
                .with_context(|| format!("cannot move the new site into {}", output.display()));
        }
        if let Some(previous) = previous {
            remove_tree(&previous)
                .with_context(|| format!("cannot remove the old site at {}", previous.display()))?;
        }
        Ok(())
    }
}

/// Swaps two folders in one atomic step (`renameat2` with `RENAME_EXCHANGE`).
/// Fails where the kernel or the file system cannot.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes a folder and everything in it, many entries at a time: removing
/// a site's thousands of files waits on the disk, not the processor, and one
/// at a time it took as long as the whole build. Symbolic links are removed,
/// never followed.
fn remove_tree(folder: &Path) -> std::io::Result<()> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(8)
        .build()
        .map_err(std::io::Error::other)?;
    pool.install(|| remove_tree_within(folder))
}

fn remove_tree_within(folder: &Path) -> std::io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(folder)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree_within(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(folder)
}

/// Resolves `.` and `..` without touching the disk (the folder may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn exchange_trades_two_folders_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("public"), dir.path().join("staging"));
        fs::create_dir_all(old.join("a")).unwrap();
        fs::write(old.join("a/old.html"), "old").unwrap();
        fs::create_dir_all(&new).unwrap();
        fs::write(new.join("new.html"), "new").unwrap();
        exchange(&new, &old).unwrap();
        assert_eq!(fs::read_to_string(old.join("new.html")).unwrap(), "new");
        assert!(!old.join("a").exists());
        assert_eq!(fs::read_to_string(new.join("a/old.html")).unwrap(), "old");
        // Nothing to trade with: an error, and the folder stays where it is.
        assert!(exchange(&new, &dir.path().join("missing")).is_err());
        assert!(new.join("a/old.html").exists());
    }

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

    #[test]
    fn remove_tree_removes_everything_and_follows_no_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let site = dir.path().join("site");
        for i in 0..50 {
            let folder = site.join(format!("doc-{i}/versions/2026-03-0{}", i % 9 + 1));
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join("index.html"), "x").unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, site.join("link-to-folder")).unwrap();
            std::os::unix::fs::symlink(outside.join("keep.txt"), site.join("link-to-file"))
                .unwrap();
        }
        remove_tree(&site).unwrap();
        assert!(!site.exists());
        assert_eq!(
            fs::read_to_string(outside.join("keep.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn output_may_not_overlap_sources() {
        let root = Path::new("/site");
        let content = Path::new("/site/content");
        assert!(check_location(Path::new("/site/content/public"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site/public/.."), root, &[content]).is_err());
        assert!(check_location(Path::new("/"), root, &[content]).is_err());
    }
}
