//! The staging folder a build writes into beside the output, and the swap
//! that puts it in the output's place. A running build holds a lock on its
//! staging folder, so the next build can tell the leftovers of an
//! interrupted one (Ctrl-C, a killed CI job) from a build still at work, and
//! remove only those.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use tempfile::TempDir;

/// Name prefixes of the folders a build makes beside the output.
pub const STAGING_PREFIX: &str = ".redline-staging-";
pub const PREVIOUS_PREFIX: &str = ".redline-previous-";

/// A folder beside the output that a build writes into; swapped in for the
/// output when the build succeeds, removed when it is dropped unused.
pub struct Staging {
    // Declared before the folder: the lock is released after the folder is
    // removed, so no other build can take the folder for a leftover.
    folder: TempDir,
    _lock: File,
    output: PathBuf,
}

impl Staging {
    /// Makes the staging folder beside `output` (a real folder, not a link)
    /// after removing the leftovers of interrupted builds there; what could
    /// not be removed comes back as warnings.
    pub fn beside(output: &Path) -> Result<(Staging, Vec<String>)> {
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let warnings = remove_leftovers(parent);
        let folder = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
        let lock = lock(folder.path())
            .with_context(|| format!("cannot lock {}", folder.path().display()))?;
        let staging = Staging {
            folder,
            _lock: lock,
            output: output.to_path_buf(),
        };
        Ok((staging, warnings))
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }

    /// Puts the staging folder in the output's place and deletes the
    /// previous output. Where the system can, the two folders trade places
    /// in one step, so a web server reading the output never finds it
    /// missing; elsewhere the old output is moved aside first. Once the new
    /// site is in place, failing to remove the old one is a warning, not an
    /// error: the build succeeded.
    pub fn swap_in(self) -> Result<Vec<String>> {
        let Staging {
            folder,
            _lock,
            output,
        } = self;
        // The previous site, locked while it is moved aside and removed.
        let previous_lock = output.is_dir().then(|| lock(&output).ok()).flatten();
        if output.is_dir() && exchange(folder.path(), &output).is_ok() {
            // The staging folder's path now holds the previous site.
            let previous = folder.keep();
            return Ok(removal_warning(&previous, &output, previous_lock));
        }
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        let previous = output
            .exists()
            .then(|| parent.join(format!("{PREVIOUS_PREFIX}{}", std::process::id())));
        if let Some(previous) = &previous {
            if previous.exists() {
                remove_tree(previous)
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
            let _ = remove_tree(&staged);
            return Err(err)
                .with_context(|| format!("cannot move the new site into {}", output.display()));
        }
        Ok(previous
            .map(|previous| removal_warning(&previous, &output, previous_lock))
            .unwrap_or_default())
    }
}

/// Removes the previous site; a failure is a warning naming what is left.
fn removal_warning(previous: &Path, output: &Path, lock: Option<File>) -> Vec<String> {
    let result = remove_tree(previous);
    drop(lock);
    match result {
        Ok(()) => Vec::new(),
        Err(err) => vec![format!(
            "the new site is in {}, but the previous one could not be removed from {}: {err}; \
             the next build tries again, or remove it by hand",
            output.display(),
            previous.display()
        )],
    }
}

/// Takes an exclusive lock on a folder, held until the file is dropped (or
/// the process ends, however it ends).
fn lock(folder: &Path) -> std::io::Result<File> {
    let handle = File::open(folder)?;
    handle.try_lock().map_err(std::io::Error::from)?;
    Ok(handle)
}

/// Removes the staging and previous-site folders in `parent` that no
/// running build holds: the leftovers of interrupted builds. Links with
/// those names are removed as links, never followed.
pub fn remove_leftovers(parent: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(STAGING_PREFIX) && !name.starts_with(PREVIOUS_PREFIX) {
            continue;
        }
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let result = if kind.is_dir() {
            match lock(&path) {
                // Another build is writing or swapping this one.
                Err(_) => continue,
                Ok(held) => {
                    let removed = remove_tree(&path);
                    drop(held);
                    removed
                }
            }
        } else {
            fs::remove_file(&path)
        };
        if let Err(err) = result {
            warnings.push(format!(
                "cannot remove {}, left by an interrupted build: {err}; remove it by hand",
                path.display()
            ));
        }
    }
    warnings
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
    fn leftovers_held_by_a_running_build_are_kept_and_the_rest_removed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), "keep").unwrap();
        let stale = dir.path().join(format!("{STAGING_PREFIX}stale"));
        fs::create_dir_all(stale.join("privacy")).unwrap();
        fs::write(stale.join("privacy/index.html"), "x").unwrap();
        let previous = dir.path().join(format!("{PREVIOUS_PREFIX}123"));
        fs::create_dir_all(&previous).unwrap();
        let running = dir.path().join(format!("{STAGING_PREFIX}running"));
        fs::create_dir_all(&running).unwrap();
        fs::write(running.join("index.html"), "x").unwrap();
        let held = lock(&running).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, dir.path().join(format!("{STAGING_PREFIX}link")))
            .unwrap();
        let unrelated = dir.path().join("public");
        fs::create_dir_all(&unrelated).unwrap();

        let warnings = remove_leftovers(dir.path());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(!stale.exists());
        assert!(!previous.exists());
        assert!(
            running.join("index.html").is_file(),
            "a running build's folder is kept"
        );
        assert!(!dir.path().join(format!("{STAGING_PREFIX}link")).exists());
        assert!(
            outside.join("keep.txt").is_file(),
            "links are never followed"
        );
        assert!(unrelated.is_dir());
        drop(held);
        remove_leftovers(dir.path());
        assert!(!running.exists(), "removed once its build is gone");
    }
}
