//! `--ref REF`: the site exactly as REF has it. The site's folder in REF's
//! tree (content, templates, static files, themes, `redline.toml`) is
//! written out to a temporary folder whose `.git` file points at the real
//! repository, so every later step reads REF's files as if they were the
//! work tree, and none of them is "unpublished". The output stays where the
//! real site root says.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};
use tempfile::TempDir;

use crate::source::config::{Config, Overrides};
use crate::source::repo;

/// REF's copy of a site; the folder goes when this is dropped.
pub struct SiteAtRef {
    _folder: TempDir,
    /// The site root inside the copy.
    pub root: PathBuf,
}

/// Writes the site at `root` as `git_ref` has it into a temporary folder.
pub fn checkout(root: &Path, git_ref: &str) -> Result<SiteAtRef> {
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("the site root {} does not exist", root.display()))?;
    let repo = Repository::discover(&root).with_context(|| {
        format!(
            "--ref {git_ref}: {} is not in a git repository",
            root.display()
        )
    })?;
    let Some(workdir) = repo.workdir() else {
        return Err(repo::no_work_tree(repo.path()));
    };
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let commit = match repo
        .revparse_single(git_ref)
        .and_then(|o| o.peel_to_commit())
    {
        Ok(commit) => commit,
        Err(err) => bail!(
            "--ref {git_ref}: no such commit or branch in this repository ({})",
            err.message()
        ),
    };
    let inside = root.strip_prefix(&workdir).unwrap_or(Path::new(""));
    let folder = tempfile::Builder::new()
        .prefix("redline-ref-")
        .tempdir()
        .context("cannot make a temporary folder for --ref")?;
    let tree = commit.tree()?;
    let site_tree = if inside.as_os_str().is_empty() {
        tree
    } else {
        let entry = tree.get_path(inside).with_context(|| {
            format!(
                "--ref {git_ref}: the site folder {} is not in it",
                inside.display()
            )
        })?;
        repo.find_tree(entry.id())?
    };
    let target = folder.path().join(inside);
    let mut failed = None;
    site_tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        // Names git itself would not check out are never written.
        let name = entry.name().unwrap_or_default();
        if matches!(name, "" | "." | ".." | ".git") || name.contains(['/', '\\']) {
            return TreeWalkResult::Skip;
        }
        // Blobs only: submodules and symbolic links are not the site's files.
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            return TreeWalkResult::Ok;
        }
        let path = target.join(dir).join(name);
        let written = repo
            .find_blob(entry.id())
            .map_err(anyhow::Error::from)
            .and_then(|blob| {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, blob.content())?;
                Ok(())
            });
        match written {
            Ok(()) => TreeWalkResult::Ok,
            Err(err) => {
                failed = Some(err.context(format!("cannot write {}", path.display())));
                TreeWalkResult::Abort
            }
        }
    })?;
    if let Some(err) = failed {
        return Err(err);
    }
    std::fs::create_dir_all(&target)?;
    // Git reads this copy as a work tree of the real repository.
    std::fs::write(
        folder.path().join(".git"),
        format!("gitdir: {}\n", repo.path().display()),
    )
    .context("cannot write the copy's .git file")?;
    std::fs::write(folder.path().join(repo::REF_COPY_MARKER), git_ref)
        .context("cannot mark the temporary folder as a --ref copy")?;
    Ok(SiteAtRef {
        root: std::fs::canonicalize(&target).unwrap_or(target),
        _folder: folder,
    })
}

/// Loads the config, from REF's copy of the site when `overrides` names a
/// ref; the copy is returned to be kept while the site is built from it.
pub fn load_config(overrides: &Overrides) -> Result<(Config, Option<SiteAtRef>)> {
    let Some(git_ref) = &overrides.git_ref else {
        return Ok((Config::load(overrides)?, None));
    };
    let site = checkout(&overrides.root, git_ref)?;
    let real_root = std::fs::canonicalize(&overrides.root)
        .with_context(|| format!("the site root {} does not exist", overrides.root.display()))?;
    let mut config = Config::load(&Overrides {
        root: site.root.clone(),
        ..overrides.clone()
    })?;
    // The output goes where the real site root says, not into the copy.
    if let Ok(rel) = config.output_dir.strip_prefix(&site.root) {
        config.output_dir = real_root.join(rel);
    }
    Ok((config, Some(site)))
}
