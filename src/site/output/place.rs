//! Where the output folder may be: never over the sources, never a folder of
//! someone else's files, and through a symbolic link only to the folder the
//! link names (the link itself is never replaced).

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::MARKER;

/// The folder a build replaces: `output` itself, or the folder it links to
/// when it is a symbolic link (so the link stays and its target is swapped).
pub fn resolve(output: &Path) -> Result<PathBuf> {
    let output = normalize(output);
    match fs::symlink_metadata(&output) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = fs::read_link(&output).unwrap_or_default();
            fs::canonicalize(&output).with_context(|| {
                format!(
                    "the output {} is a symbolic link to {}, which does not exist; create that folder or remove the link",
                    output.display(),
                    target.display()
                )
            })
        }
        _ => Ok(output),
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
    fn output_may_not_overlap_sources() {
        let root = Path::new("/site");
        let content = Path::new("/site/content");
        assert!(check_location(Path::new("/site/content/public"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site"), root, &[content]).is_err());
        assert!(check_location(Path::new("/site/public/.."), root, &[content]).is_err());
        assert!(check_location(Path::new("/"), root, &[content]).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_resolves_to_its_target_and_a_dangling_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        fs::create_dir(&www).unwrap();
        let public = dir.path().join("public");
        std::os::unix::fs::symlink(&www, &public).unwrap();
        assert_eq!(resolve(&public).unwrap(), fs::canonicalize(&www).unwrap());
        let plain = dir.path().join("plain");
        assert_eq!(resolve(&plain).unwrap(), plain);

        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).unwrap();
        let err = format!("{:#}", resolve(&dangling).unwrap_err());
        assert!(err.contains("is a symbolic link to"), "{err}");
        assert!(err.contains("gone"), "{err}");
    }
}
