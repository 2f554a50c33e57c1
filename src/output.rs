//! The output folder: the whole site is built in memory, written to a staging
//! folder beside the output, and swapped in. A failed build never touches the
//! previous site; a build never writes where it could destroy sources.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

/// The file redline always writes; its presence marks a folder as ours to replace.
pub const MARKER: &str = "versions.json";

/// The site's files, keyed by output path (relative, `/` separators).
#[derive(Debug, Default)]
pub struct OutputSet {
    files: BTreeMap<String, OutputFile>,
}

#[derive(Debug)]
struct OutputFile {
    bytes: Vec<u8>,
    origin: String,
}

impl OutputSet {
    /// Adds a file; two sources writing the same path is an error naming both.
    pub fn insert(
        &mut self,
        path: String,
        bytes: Vec<u8>,
        origin: impl Into<String>,
    ) -> Result<()> {
        let origin = origin.into();
        if let Some(existing) = self.files.get(&path) {
            bail!(
                "{} and {origin} would both be written to /{path}; rename or remove one of them",
                existing.origin
            );
        }
        self.files.insert(path, OutputFile { bytes, origin });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|f| f.bytes.as_slice())
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
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

/// Writes `files` into a staging folder, then swaps it in for `output`.
pub fn replace(output: &Path, files: &OutputSet) -> Result<()> {
    let output = normalize(output);
    let parent = output
        .parent()
        .context("the output folder has no parent folder")?;
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".redline-staging-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a staging folder in {}", parent.display()))?;
    write_all(staging.path(), files)?;

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
    let staged = staging.keep();
    if let Err(err) = fs::rename(&staged, &output) {
        if let Some(previous) = &previous {
            let _ = fs::rename(previous, &output);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(err)
            .with_context(|| format!("cannot move the new site into {}", output.display()));
    }
    if let Some(previous) = previous {
        fs::remove_dir_all(&previous)
            .with_context(|| format!("cannot remove the old site at {}", previous.display()))?;
    }
    Ok(())
}

fn write_all(dir: &Path, files: &OutputSet) -> Result<()> {
    files.files.par_iter().try_for_each(|(path, file)| {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&target, &file.bytes)
            .with_context(|| format!("cannot write {}", target.display()))
    })
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
    fn output_may_not_overlap_sources() {
        let root = Path::new("/site");
        let content = Path::new("/site/content");
        assert!(check_location(Path::new("/site/content/public"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site/public/.."), root, &[content]).is_err());
        assert!(check_location(Path::new("/"), root, &[content]).is_err());
    }
}
