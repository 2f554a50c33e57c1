//! The git side of lineage: one walk over the first-parent line, oldest
//! first, that hands each commit's changes to document paths to the
//! [`super::Tracker`], with the judgements it asks for read from blobs.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Sort};

use super::{CommitDelta, Lineage};
use crate::source::config::Config;
use crate::source::repo::{path_string, repo_path};

/// Which repository paths are documents: Markdown under the content
/// folder that the site's `exclude` and scratch-file rules keep, and not the
/// home page's `index.md`. Answers are remembered per path.
pub struct DocumentPaths<'c> {
    /// The content folder, repository-relative, with a trailing `/` (or empty).
    prefix: String,
    exclude: &'c crate::source::exclude::Exclude,
    languages: &'c crate::source::languages::Languages,
    known: HashMap<String, bool>,
}

impl<'c> DocumentPaths<'c> {
    pub fn new(workdir: &Path, config: &'c Config) -> Self {
        let prefix = repo_path(workdir, &config.content_dir);
        let prefix = if prefix.is_empty() {
            prefix
        } else {
            prefix + "/"
        };
        DocumentPaths {
            prefix,
            exclude: &config.exclude,
            languages: &config.languages,
            known: HashMap::new(),
        }
    }

    /// The path relative to the content folder, when it is under it.
    fn relative<'p>(&self, path: &'p str) -> Option<&'p str> {
        path.strip_prefix(self.prefix.as_str())
    }

    fn is_document(&mut self, path: &str) -> bool {
        if let Some(&known) = self.known.get(path) {
            return known;
        }
        let answer = self.relative(path).is_some_and(|rel| {
            let parts: Vec<&str> = rel.split('/').collect();
            let excluded = (1..=parts.len()).any(|n| {
                let sub = parts[..n].join("/");
                crate::source::content::is_hidden_or_scratch(std::ffi::OsStr::new(parts[n - 1]))
                    || self.exclude.matches(Path::new(&sub), n < parts.len())
            });
            crate::source::content::is_markdown(Path::new(rel))
                && !excluded
                && !self.languages.is_home(rel)
        });
        self.known.insert(path.to_string(), answer);
        answer
    }

    /// The URL a document at `path` with `slug` publishes.
    pub fn url(&self, path: &str, slug: Option<&str>) -> Option<String> {
        let rel = self.relative(path)?;
        self.languages.document_url(rel, slug).ok()
    }
}

/// Lineage's judgements, read from the repository's blobs.
struct GitJudge<'r, 'c> {
    repo: &'r Repository,
    paths: &'r DocumentPaths<'c>,
}

impl super::Judge for GitJudge<'_, '_> {
    fn url(&mut self, path: &str, blob: Oid) -> Option<String> {
        let blob = self.repo.find_blob(blob).ok()?;
        let text = String::from_utf8_lossy(blob.content());
        let slug = crate::source::frontmatter::split(&text)
            .ok()
            .and_then(|s| s.front.slug);
        self.paths.url(path, slug.as_deref())
    }

    fn similar(&mut self, old: Oid, new: Oid) -> bool {
        similar_enough(self.repo, old, new)
    }

    fn restored(&mut self, old: Oid, new: Oid) -> bool {
        let title = |oid| {
            let blob = self.repo.find_blob(oid).ok()?;
            stated_title(&String::from_utf8_lossy(blob.content()))
        };
        similar_enough(self.repo, old, new) || title(old).is_some_and(|t| Some(t) == title(new))
    }
}

/// The title a text states: front matter `title`, else a leading `# ` line.
fn stated_title(text: &str) -> Option<String> {
    let split = crate::source::frontmatter::split(text).ok()?;
    split.front.title.or_else(|| {
        let first = split.body.lines().find(|l| !l.trim().is_empty())?;
        first.strip_prefix("# ").map(|t| t.trim().to_string())
    })
}

/// Step 1: one walk over the first-parent line, oldest first, following
/// every document's lineage. Changes come back newest first.
pub fn walk(
    repo: &Repository,
    tip: Oid,
    paths: &mut DocumentPaths<'_>,
    ignored: &HashSet<Oid>,
) -> Result<Vec<Lineage>> {
    let mut revwalk = repo.revwalk()?;
    revwalk.push(tip)?;
    revwalk.simplify_first_parent()?;
    revwalk.set_sorting(Sort::NONE)?;
    let commits: Vec<Oid> = revwalk
        .collect::<Result<_, _>>()
        .context("cannot walk the history")?;
    let mut diff_options = DiffOptions::new();
    diff_options.ignore_submodules(true);
    let mut tracker = super::Tracker::default();
    for &oid in commits.iter().rev() {
        let commit = repo.find_commit(oid)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0) {
            Ok(parent) => Some(parent.tree()?),
            Err(_) => None,
        };
        let mut diff =
            repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut diff_options))?;
        let has = |d: &git2::Diff, status: Delta| d.deltas().any(|delta| delta.status() == status);
        if has(&diff, Delta::Added) && has(&diff, Delta::Deleted) {
            diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
        }
        let mut delta = CommitDelta::default();
        for file in diff.deltas() {
            let old = file
                .old_file()
                .path()
                .map(path_string)
                .filter(|p| paths.is_document(p));
            let new = file
                .new_file()
                .path()
                .map(path_string)
                .filter(|p| paths.is_document(p));
            let (old_id, new_id) = (file.old_file().id(), file.new_file().id());
            match (file.status(), old, new) {
                (Delta::Modified | Delta::Typechange, Some(path), Some(_)) => {
                    delta.modified.push((path, old_id, new_id));
                }
                (Delta::Renamed, Some(from), Some(to)) if similar_enough(repo, old_id, new_id) => {
                    delta.renamed.push((from, to, old_id, new_id));
                }
                (Delta::Added | Delta::Renamed | Delta::Copied, _, Some(path)) => {
                    delta.added.push((path, new_id));
                    if let (Delta::Renamed, Some(from)) = (file.status(), file.old_file().path()) {
                        let from = path_string(from);
                        if paths.is_document(&from) {
                            delta.deleted.push((from, old_id));
                        }
                    }
                }
                (Delta::Deleted | Delta::Renamed, Some(path), _) => {
                    delta.deleted.push((path, old_id));
                }
                _ => {}
            }
        }
        if delta.is_empty() {
            continue;
        }
        let mut judge = GitJudge { repo, paths };
        tracker.commit(oid, ignored.contains(&oid), delta, &mut judge);
    }
    let mut lineages = tracker.finish();
    for lineage in &mut lineages {
        lineage.changes.reverse();
    }
    Ok(lineages)
}

/// libgit2 pairs small unrelated files as renames (front-matter fences make
/// short files look alike); a rename is followed only when at least half of
/// the body's words survive it, as a reader would judge.
fn similar_enough(repo: &Repository, old: Oid, new: Oid) -> bool {
    let (Ok(old), Ok(new)) = (repo.find_blob(old), repo.find_blob(new)) else {
        return false;
    };
    let (old, new) = (body_text(old.content()), body_text(new.content()));
    similar::TextDiff::from_words(old.as_str(), new.as_str()).ratio() >= 0.5
}

fn body_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match crate::source::frontmatter::split(&text) {
        Ok(split) => split.body.to_string(),
        Err(_) => text.into_owned(),
    }
}
