//! Which files in the output are redline's. Every build records the files it
//! wrote in [`WRITTEN`]; anything else in the output (a `CNAME`, a
//! `.well-known/` folder a deploy step added) belongs to someone else and is
//! carried into the next site rather than deleted with the old one.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::ops::Bound;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The list of files a build wrote, one output path a line, in the output.
pub const WRITTEN: &str = ".redline-written";

/// Writes the list of `paths` (and of the list itself) into `folder`.
pub fn record<'a>(folder: &Path, paths: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut list: BTreeSet<&str> = paths.collect();
    list.insert(WRITTEN);
    let mut text = String::new();
    for path in list {
        text.push_str(path);
        text.push('\n');
    }
    let target = folder.join(WRITTEN);
    fs::write(&target, text).with_context(|| format!("cannot write {}", target.display()))
}

/// What [`carry_foreign`] kept.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Output paths (files, or whole folders) copied into the new site.
    pub paths: Vec<String>,
    /// The previous output had no list: it was built by a redline that kept
    /// none, so every file the new site does not write was kept, stale
    /// pages included.
    pub unlisted: bool,
}

/// Copies every file of `previous` that no build wrote into `staged`, where
/// the new site (whose files are `new_paths`) is. A previous output without
/// a list (built before redline kept one) may hold anything: every file the
/// new site does not write is kept. A file of someone else's at a path the
/// new site writes is an error: the build may not replace it.
pub fn carry_foreign(
    previous: &Path,
    staged: &Path,
    new_paths: &BTreeSet<&str>,
) -> Result<Carried> {
    let list = match fs::read_to_string(previous.join(WRITTEN)) {
        Ok(list) => Some(list),
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        Err(err) => {
            return Err(err)
                .with_context(|| format!("cannot read {}", previous.join(WRITTEN).display()));
        }
    };
    let written: BTreeSet<&str> = match &list {
        Some(list) => list.lines().filter(|l| !l.is_empty()).collect(),
        None => new_paths.clone(),
    };
    let mut foreign = Vec::new();
    find_foreign(previous, "", &written, &mut foreign)?;
    foreign.sort();
    for path in &foreign {
        if let Some(clash) = clash(path, new_paths) {
            bail!(
                "{} was not written by redline, and the new site writes /{clash}; \
                 move it into the static folder (to publish it with the site) or delete it",
                previous.join(path).display()
            );
        }
    }
    for path in &foreign {
        copy_entry(&previous.join(path), &staged.join(path))
            .with_context(|| format!("cannot keep {}", previous.join(path).display()))?;
    }
    Ok(Carried {
        paths: foreign,
        unlisted: list.is_none(),
    })
}

/// Collects the entries under `folder/prefix` that hold nothing redline
/// wrote: whole folders are collected as one entry.
fn find_foreign(
    root: &Path,
    prefix: &str,
    written: &BTreeSet<&str>,
    out: &mut Vec<String>,
) -> Result<()> {
    let folder = root.join(prefix);
    let entries =
        fs::read_dir(&folder).with_context(|| format!("cannot read {}", folder.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry
            .file_type()
            .with_context(|| format!("cannot read {}", entry.path().display()))?;
        if written.contains(path.as_str()) {
            continue;
        }
        let holds_ours = kind.is_dir() && {
            let below = format!("{path}/");
            written
                .range(below.as_str()..)
                .next()
                .is_some_and(|p| p.starts_with(&below))
        };
        if holds_ours {
            find_foreign(root, &path, written, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// The new site's path that `path` would collide with: the same path, a
/// file inside it, or a file where one of its folders is.
fn clash<'a>(path: &str, new_paths: &BTreeSet<&'a str>) -> Option<&'a str> {
    if let Some(same) = new_paths.get(path) {
        return Some(same);
    }
    let below = format!("{path}/");
    if let Some(inside) = new_paths
        .range::<str, _>((Bound::Included(below.as_str()), Bound::Unbounded))
        .next()
        .copied()
        .filter(|p| p.starts_with(&below))
    {
        return Some(inside);
    }
    path.match_indices('/')
        .find_map(|(at, _)| new_paths.get(&path[..at]).copied())
}

/// Copies a file (a hard link where the file system allows), a symbolic
/// link (as a link, never followed) or a folder and everything in it.
fn copy_entry(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    let kind = fs::symlink_metadata(from)?.file_type();
    if kind.is_symlink() {
        return copy_link(from, to);
    }
    if kind.is_dir() {
        fs::create_dir(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_entry(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(drop))
}

#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

#[cfg(not(unix))]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    fs::copy(from, to).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths<'a>(list: &[&'a str]) -> BTreeSet<&'a str> {
        list.iter().copied().collect()
    }

    #[test]
    fn clashes_are_the_same_path_a_file_inside_or_a_file_above() {
        let new = paths(&["index.html", "privacy/index.html", "feed.xml"]);
        assert_eq!(clash("index.html", &new), Some("index.html"));
        assert_eq!(clash("privacy", &new), Some("privacy/index.html"));
        assert_eq!(clash("feed.xml/x", &new), Some("feed.xml"));
        assert_eq!(clash("CNAME", &new), None);
        assert_eq!(clash("priv", &new), None);
        assert_eq!(clash("privacy-old/index.html", &new), None);
    }

    #[test]
    fn foreign_files_are_carried_and_ours_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        for (path, text) in [
            ("index.html", "ours"),
            ("privacy/index.html", "ours"),
            ("privacy/notes.txt", "theirs"),
            ("CNAME", "example.com"),
            (".well-known/security.txt", "theirs"),
        ] {
            fs::create_dir_all(old.join(path).parent().unwrap()).unwrap();
            fs::write(old.join(path), text).unwrap();
        }
        fs::create_dir_all(&new).unwrap();
        record(&old, ["index.html", "privacy/index.html"].into_iter()).unwrap();
        let carried =
            carry_foreign(&old, &new, &paths(&["index.html", "terms/index.html"])).unwrap();
        assert_eq!(
            carried.paths,
            [".well-known", "CNAME", "privacy/notes.txt"].map(String::from)
        );
        assert!(!carried.unlisted);
        assert_eq!(
            fs::read_to_string(new.join("CNAME")).unwrap(),
            "example.com"
        );
        assert!(new.join(".well-known/security.txt").is_file());
        assert!(new.join("privacy/notes.txt").is_file());
        assert!(!new.join("index.html").exists());
        assert!(!new.join("privacy/index.html").exists());
    }

    #[test]
    fn a_foreign_file_where_the_new_site_writes_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs::create_dir_all(&old).unwrap();
        fs::create_dir_all(&new).unwrap();
        fs::write(old.join("robots.txt"), "theirs").unwrap();
        record(&old, std::iter::empty()).unwrap();
        let err = carry_foreign(&old, &new, &paths(&["robots.txt"])).unwrap_err();
        assert!(
            err.to_string()
                .contains("robots.txt was not written by redline"),
            "{err}"
        );
        assert!(!new.join("robots.txt").exists());
    }

    #[test]
    fn without_a_list_everything_the_new_site_does_not_write_is_kept() {
        // An output built before redline kept a list: a CNAME there must
        // survive the first build that keeps one.
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs::create_dir_all(old.join("privacy")).unwrap();
        fs::create_dir_all(&new).unwrap();
        fs::write(old.join("CNAME"), "theirs").unwrap();
        fs::write(old.join("index.html"), "ours").unwrap();
        fs::write(old.join("privacy/index.html"), "ours").unwrap();
        fs::write(old.join("privacy/old.html"), "stale or theirs").unwrap();
        let carried =
            carry_foreign(&old, &new, &paths(&["index.html", "privacy/index.html"])).unwrap();
        assert!(carried.unlisted);
        assert_eq!(
            carried.paths,
            ["CNAME", "privacy/old.html"].map(String::from)
        );
        assert!(new.join("CNAME").is_file());
        assert!(!new.join("index.html").exists());
    }
}
