//! Lineage: which document each changed path belongs to, commit by commit,
//! oldest first. A document is who it is across renames git detects, a
//! delete and an add in one commit that publish the same URL or
//! near-identical text, and a path deleted and later added again with
//! near-identical text. A path renamed away and created again later is a new
//! document. Pure: git's deltas and two judgements (a blob's URL, whether two
//! blobs are the same text) come in; lineages go out.

use std::collections::HashMap;

use git2::Oid;

pub mod walk;

/// A first-parent commit in which a document's blob changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub commit: Oid,
    pub path: String,
    /// The blob and path the document had before this commit.
    pub old: Option<(Oid, String)>,
    pub new: Oid,
    /// The commit is in the ignore-revs file: never a version.
    pub ignored: bool,
}

/// One commit's changes to document paths, as git's diff gives them.
#[derive(Debug, Clone, Default)]
pub struct CommitDelta {
    /// Path, old blob, new blob.
    pub modified: Vec<(String, Oid, Oid)>,
    /// Old path, new path, old blob, new blob: renames git detected whose
    /// texts are similar enough.
    pub renamed: Vec<(String, String, Oid, Oid)>,
    pub added: Vec<(String, Oid)>,
    pub deleted: Vec<(String, Oid)>,
}

impl CommitDelta {
    pub fn is_empty(&self) -> bool {
        self.modified.is_empty()
            && self.renamed.is_empty()
            && self.added.is_empty()
            && self.deleted.is_empty()
    }
}

/// The two questions lineage asks of git.
pub trait Judge {
    /// The site URL a blob publishes at a path (its `slug` counts).
    fn url(&mut self, path: &str, blob: Oid) -> Option<String>;
    /// Whether `new` is the same document's text as `old`.
    fn similar(&mut self, old: Oid, new: Oid) -> bool;
    /// Whether `new`, added at the path `old` was deleted from, is that
    /// document back: similar text, or the same title.
    fn restored(&mut self, old: Oid, new: Oid) -> bool;
}

/// One document's whole life.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// Oldest first.
    pub changes: Vec<Change>,
    /// Its path now; None once deleted.
    pub path: Option<String>,
    /// The commit that deleted it, while it stays deleted.
    pub withdrawn: Option<Oid>,
}

/// Follows documents through commits given oldest first.
#[derive(Debug, Default)]
pub struct Tracker {
    lineages: Vec<Lineage>,
    /// Path → lineage, for documents that exist.
    alive: HashMap<String, usize>,
    /// Deleted path → lineage and its last blob, to join a re-added file.
    dormant: HashMap<String, (usize, Oid)>,
}

impl Tracker {
    /// Takes one commit's changes to document paths.
    pub fn commit(
        &mut self,
        commit: Oid,
        ignored: bool,
        delta: CommitDelta,
        judge: &mut impl Judge,
    ) {
        let change = |path: &str, old: Option<(Oid, String)>, new: Oid| Change {
            commit,
            path: path.to_string(),
            old,
            new,
            ignored,
        };
        for (path, old, new) in delta.modified {
            let index = self.lineage_at(&path);
            self.lineages[index]
                .changes
                .push(change(&path, Some((old, path.clone())), new));
        }
        let pairs = pair(&delta.deleted, &delta.added, judge);
        let moves = delta.renamed.into_iter().chain(pairs.iter().map(|&(d, a)| {
            let (from, old) = &delta.deleted[d];
            let (to, new) = &delta.added[a];
            (from.clone(), to.clone(), *old, *new)
        }));
        for (from, to, old, new) in moves {
            let index = match self.alive.remove(&from) {
                Some(index) => index,
                None => self.start(),
            };
            self.dormant.remove(&to);
            self.alive.insert(to.clone(), index);
            let lineage = &mut self.lineages[index];
            lineage.path = Some(to.clone());
            lineage.changes.push(change(&to, Some((old, from)), new));
        }
        let (paired_deleted, paired_added): (Vec<usize>, Vec<usize>) = pairs.into_iter().unzip();
        for (d, (path, old)) in delta.deleted.iter().enumerate() {
            if paired_deleted.contains(&d) {
                continue;
            }
            if let Some(index) = self.alive.remove(path) {
                let lineage = &mut self.lineages[index];
                lineage.path = None;
                lineage.withdrawn = Some(commit);
                self.dormant.insert(path.clone(), (index, *old));
            }
        }
        for (a, (path, new)) in delta.added.iter().enumerate() {
            if paired_added.contains(&a) {
                continue;
            }
            let restored = self
                .dormant
                .remove(path)
                .filter(|&(_, last)| judge.restored(last, *new));
            let (index, old) = match restored {
                Some((index, last)) => (index, Some((last, path.clone()))),
                None => (self.start(), None),
            };
            self.alive.insert(path.clone(), index);
            let lineage = &mut self.lineages[index];
            lineage.path = Some(path.clone());
            lineage.withdrawn = None;
            lineage.changes.push(change(path, old, *new));
        }
    }

    /// Every lineage, in the order each began.
    pub fn finish(self) -> Vec<Lineage> {
        self.lineages
    }

    fn lineage_at(&mut self, path: &str) -> usize {
        if let Some(&index) = self.alive.get(path) {
            return index;
        }
        let index = self.start();
        self.alive.insert(path.to_string(), index);
        self.lineages[index].path = Some(path.to_string());
        index
    }

    fn start(&mut self) -> usize {
        self.lineages.push(Lineage::default());
        self.lineages.len() - 1
    }
}

/// Pairs deleted and added documents of one commit that are one document
/// moved: first those publishing the same URL, then those whose texts are
/// similar (the first similar one, in path order).
fn pair(
    deleted: &[(String, Oid)],
    added: &[(String, Oid)],
    judge: &mut impl Judge,
) -> Vec<(usize, usize)> {
    if deleted.is_empty() || added.is_empty() {
        return Vec::new();
    }
    let mut pairs = Vec::new();
    let old_urls: Vec<Option<String>> = deleted.iter().map(|(p, b)| judge.url(p, *b)).collect();
    for (a, (path, blob)) in added.iter().enumerate() {
        let Some(url) = judge.url(path, *blob) else {
            continue;
        };
        let free = |d: usize| !pairs.iter().any(|&(taken, _)| taken == d);
        if let Some(d) = (0..deleted.len()).find(|&d| free(d) && old_urls[d].as_ref() == Some(&url))
        {
            pairs.push((d, a));
        }
    }
    for (a, (_, new)) in added.iter().enumerate() {
        if pairs.iter().any(|&(_, taken)| taken == a) {
            continue;
        }
        let free = |d: usize, pairs: &[(usize, usize)]| !pairs.iter().any(|&(taken, _)| taken == d);
        if let Some(d) =
            (0..deleted.len()).find(|&d| free(d, &pairs) && judge.similar(deleted[d].1, *new))
        {
            pairs.push((d, a));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blobs are numbers; a blob's URL is its path's stem, unless listed;
    /// two blobs are similar when their numbers are within 10.
    struct Fake {
        urls: HashMap<u8, String>,
    }

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    impl Judge for Fake {
        fn url(&mut self, path: &str, blob: Oid) -> Option<String> {
            let n = blob.as_bytes()[0];
            Some(self.urls.get(&n).cloned().unwrap_or_else(|| {
                let stem = path.trim_end_matches(".md").trim_end_matches("/index");
                format!("/{stem}/")
            }))
        }
        fn similar(&mut self, old: Oid, new: Oid) -> bool {
            old.as_bytes()[0].abs_diff(new.as_bytes()[0]) <= 10
        }
        fn restored(&mut self, old: Oid, new: Oid) -> bool {
            self.similar(old, new)
        }
    }

    fn run(commits: Vec<CommitDelta>) -> Vec<Lineage> {
        let mut judge = Fake {
            urls: HashMap::new(),
        };
        let mut tracker = Tracker::default();
        for (n, delta) in commits.into_iter().enumerate() {
            tracker.commit(oid(200 + n as u8), false, delta, &mut judge);
        }
        tracker.finish()
    }

    fn added(path: &str, n: u8) -> CommitDelta {
        CommitDelta {
            added: vec![(path.into(), oid(n))],
            ..Default::default()
        }
    }

    fn deleted(path: &str, n: u8) -> CommitDelta {
        CommitDelta {
            deleted: vec![(path.into(), oid(n))],
            ..Default::default()
        }
    }

    fn moved(from: &str, old: u8, to: &str, new: u8) -> CommitDelta {
        CommitDelta {
            deleted: vec![(from.into(), oid(old))],
            added: vec![(to.into(), oid(new))],
            ..Default::default()
        }
    }

    #[test]
    fn a_move_that_keeps_the_url_is_one_document_however_much_the_text_changed() {
        let lineages = run(vec![added("x.md", 1), moved("x.md", 1, "x/index.md", 100)]);
        assert_eq!(lineages.len(), 1);
        assert_eq!(lineages[0].path.as_deref(), Some("x/index.md"));
        assert_eq!(lineages[0].changes.len(), 2);
    }

    #[test]
    fn a_move_to_a_new_url_follows_similar_text_only() {
        let similar = run(vec![added("a.md", 1), moved("a.md", 1, "b.md", 5)]);
        assert_eq!(similar.len(), 1);
        let different = run(vec![added("a.md", 1), moved("a.md", 1, "b.md", 50)]);
        assert_eq!(different.len(), 2);
        assert_eq!(different[0].withdrawn, Some(oid(201)));
    }

    #[test]
    fn a_file_restored_after_deletion_keeps_its_history_unless_its_text_is_new() {
        let restored = run(vec![added("a.md", 1), deleted("a.md", 1), added("a.md", 3)]);
        assert_eq!(restored.len(), 1);
        assert_eq!(restored[0].withdrawn, None);
        assert_eq!(restored[0].changes.len(), 2);
        let replaced = run(vec![
            added("a.md", 1),
            deleted("a.md", 1),
            added("a.md", 90),
        ]);
        assert_eq!(replaced.len(), 2);
        assert_eq!(replaced[0].withdrawn, Some(oid(201)));
    }

    #[test]
    fn a_path_renamed_away_and_created_again_is_a_new_document() {
        let rename = CommitDelta {
            renamed: vec![("a.md".into(), "b.md".into(), oid(1), oid(2))],
            ..Default::default()
        };
        let lineages = run(vec![added("a.md", 1), rename, added("a.md", 1)]);
        assert_eq!(lineages.len(), 2);
        assert_eq!(lineages[0].path.as_deref(), Some("b.md"));
        assert_eq!(lineages[1].path.as_deref(), Some("a.md"));
        assert_eq!(lineages[1].changes.len(), 1);
    }
}
