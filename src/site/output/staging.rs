//! The staging folder a build writes into beside the output, and the swap
//! that puts it in the output's place. A running build holds a lock on its
//! staging folder, so the next build can tell the leftovers of an
//! interrupted one (Ctrl-C, a killed CI job) from a build still at work, and
//! remove only those.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use tempfile::TempDir;

/// Name prefixes of the folders a build makes beside the output.
pub const STAGING_PREFIX: &str = ".redline-staging-";
pub const PREVIOUS_PREFIX: &str = ".redline-previous-";

/// A folder beside the output that a build writes into; swapped in for the
/// output when the build succeeds, removed when it is dropped unused.
pub struct Staging {
    // Fields drop in order: the folder is removed before its lock is
    // released, so no other build can take it for a leftover meanwhile.
    folder: TempDir,
    /// None where folders cannot be locked: such a folder is never taken
    /// for a leftover.
    _lock: Option<File>,
    output: PathBuf,
}

impl Staging {
    /// Makes the staging folder beside `output` (a real folder, not a link)
    /// after dealing with what interrupted builds left there; what it did
    /// or could not do comes back as warnings.
    pub fn beside(output: &Path) -> Result<(Staging, Vec<String>)> {
        let parent = output
            .parent()
            .context("the output folder has no parent folder")?;
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let warnings = remove_leftovers(parent, output);
        // Another build cleaning up may remove the folder in the moment
        // between making it and locking it; then make another.
        for _ in 0..3 {
            let folder = tempfile::Builder::new()
                .prefix(STAGING_PREFIX)
                .tempdir_in(parent)
                .with_context(|| {
                    format!("cannot create a staging folder in {}", parent.display())
                })?;
            let lock = lock(folder.path()).ok();
            if folder.path().is_dir() {
                let staging = Staging {
                    folder,
                    _lock: lock,
                    output: output.to_path_buf(),
                };
                return Ok((staging, warnings));
            }
        }
        bail!(
            "cannot keep a staging folder in {}: another build removed each one made",
            parent.display()
        )
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
            let _ = remove_tree(&staged);
            let restored = previous
                .as_ref()
                .is_none_or(|previous| fs::rename(previous, &output).is_ok());
            let context = if restored {
                format!("cannot move the new site into {}", output.display())
            } else {
                format!(
                    "cannot move the new site into {}, nor the previous one back: it is in {}; move it back by hand",
                    output.display(),
                    previous.as_deref().unwrap_or(&output).display()
                )
            };
            return Err(err).context(context);
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

/// Deals with the staging and previous-site folders in `parent` that no
/// running build holds: the leftovers of interrupted builds. A previous
/// site is the only copy when a build was stopped between moving the old
/// site aside and the new one in: with `output` missing, it is moved back.
/// The rest are removed; links with those names are removed as links,
/// never followed.
pub fn remove_leftovers(parent: &Path, output: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut names: Vec<_> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(STAGING_PREFIX) || name.starts_with(PREVIOUS_PREFIX)
        })
        .collect();
    // Previous sites first, so one can be restored before anything goes.
    names.sort_by_key(|e| !e.file_name().to_string_lossy().starts_with(PREVIOUS_PREFIX));
    let mut warnings = Vec::new();
    for entry in names {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_dir() {
            if let Err(err) = fs::remove_file(&path) {
                warnings.push(leftover_warning(&path, &err));
            }
            continue;
        }
        // Held: another build is writing or swapping this one. Unlockable
        // (a system without folder locks): it may be, so it stays.
        let Ok(held) = lock(&path) else {
            continue;
        };
        let is_previous = entry
            .file_name()
            .to_string_lossy()
            .starts_with(PREVIOUS_PREFIX);
        if is_previous && fs::symlink_metadata(output).is_err() {
            match fs::rename(&path, output) {
                Ok(()) => warnings.push(format!(
                    "an earlier build was stopped while it swapped sites: {} was missing and is restored from {}",
                    output.display(),
                    path.display()
                )),
                Err(err) => warnings.push(format!(
                    "{} is missing and the previous site is in {}, but it cannot be moved back: {err}; move it back by hand",
                    output.display(),
                    path.display()
                )),
            }
            continue;
        }
        let removed = remove_tree(&path);
        drop(held);
        if let Err(err) = removed {
            warnings.push(leftover_warning(&path, &err));
        }
    }
    warnings
}

fn leftover_warning(path: &Path, err: &std::io::Error) -> String {
    format!(
        "cannot remove {}, left by an interrupted build: {err}; remove it by hand",
        path.display()
    )
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
    fn a_previous_site_is_moved_back_when_the_output_is_missing() {
        // A build stopped between its two renames: the old site's only copy
        // is the previous folder.
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("public");
        let previous = dir.path().join(format!("{PREVIOUS_PREFIX}77"));
        fs::create_dir_all(&previous).unwrap();
        fs::write(previous.join("CNAME"), "theirs").unwrap();
        let stale = dir.path().join(format!("{STAGING_PREFIX}x"));
        fs::create_dir_all(&stale).unwrap();
        let warnings = remove_leftovers(dir.path(), &output);
        assert_eq!(fs::read_to_string(output.join("CNAME")).unwrap(), "theirs");
        assert!(!previous.exists() && !stale.exists());
        assert!(warnings[0].contains("is restored from"), "{warnings:?}");
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

        let warnings = remove_leftovers(dir.path(), &unrelated);
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
        remove_leftovers(dir.path(), &unrelated);
        assert!(!running.exists(), "removed once its build is gone");
    }
}
