//! Opening the git repository a site lives in, with one clear message for
//! each way that can go wrong (no repository, no commits, a shallow clone,
//! another user's repository).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use git2::{ErrorCode, Oid, Repository};

/// A repository ready for the history pass.
pub struct Repo {
    pub repo: Repository,
    /// The work tree, canonical.
    pub workdir: PathBuf,
    /// The commit whose first-parent line is published.
    pub tip: Option<Oid>,
    /// True for a shallow clone the user chose to build anyway.
    pub shallow: bool,
}

/// What was found at the site root.
pub enum Opened {
    Repo(Repo),
    /// Not inside a git repository: build with front-matter dates only.
    NotARepository,
}

/// Discovers the repository containing `root` and resolves `git_ref` (or HEAD).
pub fn open(root: &Path, git_ref: Option<&str>, allow_shallow: bool) -> Result<Opened> {
    // libgit2's object cache would keep every commit and tree the history
    // walk reads, though each is read once or twice: 50 MiB of a 5,000-commit
    // build's peak memory, for no measurable speed.
    git2::opts::enable_caching(false);
    // libgit2 also hashes every object it reads again to check its id, a
    // tenth of the history pass; git itself does not on reads.
    git2::opts::strict_hash_verification(false);
    let repo = match Repository::discover(root) {
        Ok(repo) => repo,
        Err(err) if err.code() == ErrorCode::NotFound => return Ok(Opened::NotARepository),
        Err(err) if err.code() == ErrorCode::Owner => bail!(
            "git refuses to read the repository at {}: it is owned by another user.\nIf you trust it, run: git config --global --add safe.directory '{}'",
            root.display(),
            root.display()
        ),
        Err(err) => bail!(
            "cannot open the git repository at {}: {}",
            root.display(),
            err.message()
        ),
    };
    // A `--ref` copy of the site (see `at_ref`) is a work tree of the real
    // repository through its `.git` file; libgit2 would take the real one's.
    if let Some(copy) = root.ancestors().find(|dir| dir.join(".git").is_file())
        && repo.workdir().is_some_and(|w| !same_folder(w, copy))
        && is_ref_copy(copy)
    {
        repo.set_workdir(copy, false)?;
    }
    let Some(workdir) = repo.workdir() else {
        return Err(no_work_tree(repo.path()));
    };
    let workdir = std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf());
    let shallow = repo.is_shallow();
    if shallow && !allow_shallow {
        bail!(
            "this is a shallow clone: git holds only the newest commits, so every date and version would be wrong.\n\
             Fetch the whole history first: git fetch --unshallow\n\
             (GitHub Actions: actions/checkout with `fetch-depth: 0`; GitLab CI: GIT_DEPTH: 0)\n\
             or pass --allow-shallow to build with dates marked approximate."
        );
    }
    let tip = resolve_tip(&repo, git_ref)?;
    Ok(Opened::Repo(Repo {
        repo,
        workdir,
        tip,
        shallow,
    }))
}

fn same_folder(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canonical(a) == canonical(b)
}

fn resolve_tip(repo: &Repository, git_ref: Option<&str>) -> Result<Option<Oid>> {
    match git_ref {
        Some(name) => match repo.revparse_single(name).and_then(|o| o.peel_to_commit()) {
            Ok(commit) => Ok(Some(commit.id())),
            Err(err) => bail!(
                "--ref {name}: no such commit or branch in this repository ({})",
                err.message()
            ),
        },
        None => match repo.head() {
            Ok(head) => match head.peel_to_commit() {
                Ok(commit) => Ok(Some(commit.id())),
                Err(err) => bail!("HEAD does not point at a commit: {}", err.message()),
            },
            Err(err) if matches!(err.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                Ok(None)
            }
            Err(err) => bail!("cannot read HEAD: {}", err.message()),
        },
    }
}

/// The bare repository `root` is in, if it is in one: it has no files to
/// build, which is why the content folder is missing.
pub fn bare_repository(root: &Path) -> Option<PathBuf> {
    let repo = Repository::discover(root).ok()?;
    repo.is_bare().then(|| repo.path().to_path_buf())
}

/// The error for a site root in a bare repository, with how to fix it.
/// The marker file in the top folder of a `--ref` copy of the site (see
/// `at_ref`).
pub const REF_COPY_MARKER: &str = ".redline-ref-copy";

/// Whether `folder` is the top of a `--ref` copy of the site.
pub fn is_ref_copy(folder: &Path) -> bool {
    folder.join(REF_COPY_MARKER).is_file()
}

/// A path's components joined with `/`, whatever the platform.
pub fn path_string(path: &Path) -> String {
    path.iter()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A document's path relative to the repository work tree, `/`-separated.
pub fn repo_path(workdir: &Path, path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    path_string(path.strip_prefix(workdir).unwrap_or(&path))
}

pub fn no_work_tree(git_dir: &Path) -> anyhow::Error {
    let git_dir = git_dir.display().to_string();
    let git_dir = git_dir.trim_end_matches('/');
    anyhow::anyhow!(
        "{git_dir} is a bare git repository: it has no work tree, so there are no policy files to build.\n\
         Build from a checkout of it: git clone {git_dir} site && redline build --root site\n\
         (or add a work tree to it: git -C {git_dir} worktree add ../site)"
    )
}
