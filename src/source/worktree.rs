//! The work tree against the published commit: which documents have
//! changes not yet committed, judged as `git status` judges them (through
//! git's filters, so `core.autocrlf` and `eol` attributes change nothing),
//! and documents git cannot see because they sit in a submodule.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use git2::{Index, Oid, Repository, Status, Tree};

/// Compares working-tree files with one commit's tree.
pub struct WorkTree<'r> {
    repo: &'r Repository,
    tree: Tree<'r>,
    index: OnceCell<Option<Index>>,
}

impl<'r> WorkTree<'r> {
    pub fn new(repo: &'r Repository, commit: Oid) -> Result<WorkTree<'r>> {
        Ok(WorkTree {
            repo,
            tree: repo.find_commit(commit)?.tree()?,
            index: OnceCell::new(),
        })
    }

    /// True when the file at `path` (`source` relative to the repository)
    /// is not the blob the commit holds there, or is not in it at all.
    pub fn differs(&self, source: &str, path: &Path) -> bool {
        let Ok(entry) = self.tree.get_path(Path::new(source)) else {
            return true;
        };
        let Ok(bytes) = std::fs::read(path) else {
            return true;
        };
        // Most checkouts hold the blob's own bytes: no index needed.
        if Oid::hash_object(git2::ObjectType::Blob, &bytes).is_ok_and(|oid| oid == entry.id()) {
            return false;
        }
        self.clean_blob(source) != Some(entry.id())
    }

    /// The blob git's index holds for `source` when `git status` calls the
    /// file unmodified: the file as git would commit it, after its filters
    /// (a CRLF checkout of an LF blob is unmodified).
    fn clean_blob(&self, source: &str) -> Option<Oid> {
        let status = self.repo.status_file(Path::new(source)).ok()?;
        let modified = Status::WT_NEW
            | Status::WT_MODIFIED
            | Status::WT_DELETED
            | Status::WT_TYPECHANGE
            | Status::WT_RENAMED
            | Status::IGNORED
            | Status::CONFLICTED;
        if status.intersects(modified) {
            return None;
        }
        let index = self.index.get_or_init(|| self.repo.index().ok()).as_ref()?;
        index.get_path(Path::new(source), 0).map(|entry| entry.id)
    }
}

/// Fails, naming the folder, when a document lies in a submodule or another
/// repository inside `workdir`: its history is not this repository's, so
/// every version and date would be missing.
pub fn check_no_submodules(repo: &Repository, workdir: &Path, documents: &[PathBuf]) -> Result<()> {
    let mut checked = HashSet::new();
    for document in documents {
        let document = std::fs::canonicalize(document).unwrap_or_else(|_| document.clone());
        for folder in document.ancestors().skip(1) {
            if folder == workdir || !folder.starts_with(workdir) {
                break;
            }
            if !checked.insert(folder.to_path_buf()) {
                break; // this folder and those above it are known to be fine
            }
            if folder.join(".git").exists() {
                let rel = crate::source::content::display(workdir, folder);
                let doc = crate::source::content::display(workdir, &document);
                let kind = if is_submodule(repo, &rel) {
                    "a git submodule"
                } else {
                    "a git repository of its own"
                };
                bail!(
                    "{rel} is {kind}, and {doc} is inside it: redline reads history only from the repository at {} and cannot see into {rel}, so its documents would have no versions.\n\
                     Make {rel} a regular folder of this repository, or run redline in {rel}'s own checkout.",
                    workdir.display()
                );
            }
        }
    }
    Ok(())
}

fn is_submodule(repo: &Repository, rel: &str) -> bool {
    repo.submodules()
        .is_ok_and(|modules| modules.iter().any(|m| m.path() == Path::new(rel)))
}
