//! History: one first-parent pass over git turns commits into each document's
//! versions. A commit makes a version only when what a reader sees changes
//! (the rendered body or the title); renames are followed backwards so a moved
//! policy keeps its past.
//!
//! The pass has three steps, so the expensive one runs in parallel and memory
//! stays bounded: (1) walk the first-parent line once, diffing each commit
//! against its first parent and noting which tracked documents' blobs changed;
//! (2) fingerprint every distinct blob (render + hash) on every core;
//! (3) keep the changes whose fingerprints differ.
//!
//! A state no build could have made (front matter that does not parse, text
//! that is not UTF-8) is not a version: the next good state is compared with
//! the last good one, and a warning names the commit and the error.

pub mod cache;
pub mod changes;
pub mod compared;
pub mod freshness;
pub mod lineage;
pub mod pack_order;
pub mod standing;
pub mod texts;
pub mod timeline;
pub mod withdrawn;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::{Key, Store};
use crate::history::cache::HistoryCache;
use crate::history::lineage::walk::{DocumentPaths, walk};
use crate::history::lineage::{Change, Lineage};
use crate::history::pack_order::PackOrder;
use crate::history::texts::Texts;
use crate::history::timeline::VersionText;
use crate::source::config::{Config, DateSource};
use crate::source::content::{Document, title_stem as stem};
use crate::source::repo::{self, Opened};
use crate::source::worktree::{self, WorkTree};
use crate::text::markdown::{self, MarkdownOptions};

/// One version of a document as readers saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub commit: String,
    /// Seconds since the epoch and the UTC offset (minutes) of the chosen date.
    pub seconds: i64,
    pub offset_minutes: i32,
    /// The author's name; never the e-mail address.
    pub author: String,
    pub subject: String,
    /// Commit trailers such as `Policy-Change` and `Notice`.
    pub trailers: Vec<(String, String)>,
    /// The document's path (repository-relative) in that commit.
    pub path: String,
    /// The site URL it was published at then (`/privacy/`).
    pub url: String,
    pub blob: String,
    /// SHA-256 (hex) of the title and rendered HTML: what the reader saw.
    pub sha256: String,
}

/// Everything history says about one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocHistory {
    /// Path relative to the repository root (or the site root without git).
    pub source: String,
    /// Newest first.
    pub versions: Vec<Version>,
    /// The working tree differs from the published commit, or the file is not
    /// committed at all.
    pub unpublished: bool,
    /// Commits in the ignore-revs file that changed what readers see here
    /// (so no version records that change), oldest first.
    pub ignored_visible: Vec<String>,
    /// Deleted from the content folder: when.
    pub withdrawn: Option<Withdrawal>,
}

impl DocHistory {
    /// The URL the document's first version was published at, without
    /// slashes (`privacy`): its id unless its front matter sets `id`.
    pub fn first_url(&self) -> Option<&str> {
        self.versions
            .last()
            .map(|v| v.url.trim_matches('/'))
            .filter(|url| !url.is_empty())
    }
}

/// The commit that deleted a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub commit: String,
    pub seconds: i64,
    pub offset_minutes: i32,
}

/// The history of every document, in the order of the documents given.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub docs: Vec<DocHistory>,
    /// Documents deleted from the content folder, oldest lineage first.
    pub withdrawn: Vec<DocHistory>,
    pub warnings: Vec<String>,
    /// Built from a shallow clone: the oldest dates are the graft's, not the truth.
    pub approximate: bool,
    /// The git folder, for reading versions' texts again (None without git).
    pub repository: Option<std::path::PathBuf>,
}

/// Reads history for `documents` (in order) from the repository holding the site.
pub fn read(config: &Config, documents: &[Document]) -> Result<History> {
    read_kept(config, documents, None)
}

/// [`read`], reusing the history `kept` holds when it was read at the same
/// commit for the same documents and settings: then only which documents
/// have uncommitted changes is read again.
pub fn read_kept(
    config: &Config,
    documents: &[Document],
    kept: Option<&HistoryCache>,
) -> Result<History> {
    read_with(config, documents, kept, None, false)
}

/// [`read_kept`], taking each blob's facts from `store` when it has them
/// (and keeping the ones it has not there), so a rebuild renders only the
/// blobs that are new since the last build. With `pages`, a blob parsed
/// for its facts leaves its text in `store` too, for the archive's pages:
/// a cold build parses each blob once.
pub fn read_with(
    config: &Config,
    documents: &[Document],
    kept: Option<&HistoryCache>,
    store: Option<&Store>,
    pages: bool,
) -> Result<History> {
    let opened = repo::open(
        &config.root,
        config.git_ref.as_deref(),
        config.allow_shallow,
    )?;
    let Opened::Repo(repo) = opened else {
        return Ok(History {
            docs: documents
                .iter()
                .map(|d| DocHistory {
                    source: d.display_path.clone(),
                    ..Default::default()
                })
                .collect(),
            warnings: vec![format!(
                "{} is not in a git repository: there is no history, so dates come from front matter (`updated:`) only",
                config.root.display()
            )],
            approximate: false,
            repository: None,
            withdrawn: Vec::new(),
        });
    };
    let paths: Vec<_> = documents.iter().map(|d| d.path.clone()).collect();
    worktree::check_no_submodules(&repo.repo, &repo.workdir, &paths)?;
    let sources: Vec<String> = documents
        .iter()
        .map(|d| repo::repo_path(&repo.workdir, &d.path))
        .collect();
    let mut history = History {
        approximate: repo.shallow,
        repository: Some(repo.repo.path().to_path_buf()),
        ..Default::default()
    };
    if repo.shallow {
        history
            .warnings
            .push("shallow clone: the oldest versions' dates are approximate".into());
    }
    let Some(tip) = repo.tip else {
        history
            .warnings
            .push("the git repository has no commits yet: every document is unpublished".into());
        history.docs = sources
            .into_iter()
            .map(|source| DocHistory {
                source,
                versions: Vec::new(),
                unpublished: true,
                ignored_visible: Vec::new(),
                withdrawn: None,
            })
            .collect();
        return Ok(history);
    };
    let ignored = read_ignore_revs(&config.ignore_revs_file)?;
    let key = kept.map(|_| {
        let mut ignored: Vec<&Oid> = ignored.iter().collect();
        ignored.sort();
        // A clone deepened (`git fetch --unshallow`) keeps its tip.
        cache::key(&[config, &tip, &repo.shallow, &sources, &ignored])
    });
    if let Some(mut history) = kept.zip(key.as_ref()).and_then(|(kept, key)| kept.get(key)) {
        let work_tree = WorkTree::new(&repo.repo, tip)?;
        for (doc, document) in history.docs.iter_mut().zip(documents) {
            doc.unpublished = work_tree.differs(&doc.source, &document.path);
        }
        return Ok(history);
    }
    let options = config.markdown_options();
    let mut paths = DocumentPaths::new(&repo.workdir, config);
    let lineages = walk(&repo.repo, tip, &mut paths, &ignored)?;
    let alive: HashMap<&str, usize> = lineages
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.path.as_deref().map(|p| (p, i)))
        .collect();
    let empty = Lineage::default();
    let current: Vec<&Lineage> = sources
        .iter()
        .map(|s| alive.get(s.as_str()).map_or(&empty, |&i| &lineages[i]))
        .collect();
    let withdrawn: Vec<&Lineage> = lineages.iter().filter(|l| l.withdrawn.is_some()).collect();
    let changes: Vec<&[Change]> = current
        .iter()
        .chain(&withdrawn)
        .map(|l| l.changes.as_slice())
        .collect();
    let texts = Texts {
        store,
        options,
        pages,
    };
    let facts = fingerprint_blobs(&repo.repo, &changes, texts)?;
    let work_tree = WorkTree::new(&repo.repo, tip)?;
    let ignore_revs_file = crate::source::content::display(&config.root, &config.ignore_revs_file);
    let read = VersionsRead {
        repo: &repo.repo,
        facts: &facts,
        paths: &paths,
        date_source: config.date_source,
        ignore_revs_file: &ignore_revs_file,
    };
    for (index, source) in sources.into_iter().enumerate() {
        let (versions, ignored_visible, warnings) =
            read.versions_of(current[index].changes.as_slice())?;
        history.warnings.extend(warnings);
        let unpublished = work_tree.differs(&source, &documents[index].path);
        history.docs.push(DocHistory {
            source,
            versions,
            unpublished,
            ignored_visible,
            withdrawn: None,
        });
    }
    for lineage in withdrawn {
        let (versions, ignored_visible, warnings) = read.versions_of(&lineage.changes)?;
        let (Some(newest), Some(commit)) = (versions.first(), lineage.withdrawn) else {
            continue;
        };
        history.warnings.extend(warnings);
        history.withdrawn.push(DocHistory {
            source: newest.path.clone(),
            withdrawn: Some(read.withdrawal(commit)?),
            versions,
            unpublished: false,
            ignored_visible,
        });
    }
    if let (Some(kept), Some(key)) = (kept, key) {
        kept.put(key, history.clone());
    }
    Ok(history)
}

/// A blob as read for fingerprinting: its id and the file stem used as a title
/// when the document has none.
type BlobKey = (Oid, String);

/// What a reader saw of a blob: the SHA-256 of it, or why no build of it
/// could have succeeded (`line:column: message`).
pub type Fingerprint = Result<String, String>;

/// Step 2: fingerprint every distinct blob, on every core: each task reads
/// its own blobs through its own handle on the repository and renders them,
/// unless the texts' store kept their facts from an earlier build. With
/// pages to come, each blob rendered leaves its text in the store.
fn fingerprint_blobs(
    repo: &Repository,
    changes: &[&[Change]],
    texts: Texts<'_>,
) -> Result<HashMap<BlobKey, BlobFacts>> {
    let Texts { store, options, .. } = texts;
    // Blobs are read in the order the packs hold them, and each task takes
    // a contiguous run: a delta's base comes before it, so libgit2's
    // delta-base cache stays warm (history order made it rebuild chains;
    // sorting by id thrashed it too).
    let mut seen = HashSet::new();
    let mut keys: Vec<BlobKey> = changes
        .iter()
        .flat_map(|changes| changes.iter())
        .flat_map(|c| {
            let new = (c.new, stem(&c.path));
            let old = c.old.as_ref().map(|(oid, path)| (*oid, stem(path)));
            std::iter::once(new).chain(old)
        })
        .filter(|key| seen.insert(key.clone()))
        .collect();
    let order = PackOrder::read(repo.commondir());
    keys.sort_by_cached_key(|(oid, _)| order.position(*oid));
    let git_dir = repo.path();
    keys.into_par_iter()
        .map_init(
            || Repository::open(git_dir),
            |task_repo, key| {
                let stored = store.map(|store| (store, facts_key(&key, options)));
                if let Some(facts) = stored.as_ref().and_then(|(s, k)| s.get(k)) {
                    return Ok((key, facts));
                }
                let task_repo = task_repo.as_ref().map_err(|err| {
                    anyhow::anyhow!("cannot open the repository {}: {err}", git_dir.display())
                })?;
                let blob = task_repo.find_blob(key.0)?;
                let id = key.0.to_string();
                let keep = |text: VersionText| texts.keep_blob(&id, &key.1, &text);
                let keep = (texts.pages && store.is_some()).then_some(&keep as &dyn Fn(_));
                let facts = blob_facts(blob.content(), &key.1, options, keep);
                if let Some((store, stored_key)) = stored {
                    store.put(&stored_key, &facts);
                }
                Ok((key, facts))
            },
        )
        .collect()
}

/// Where a blob's facts are kept between builds: they follow from its
/// bytes (the id), the title stem and how Markdown is rendered.
fn facts_key((blob, stem): &BlobKey, options: MarkdownOptions) -> Key {
    Key::of("blob-facts")
        .part(blob.as_bytes())
        .part(stem)
        .debug(&options)
        .finish()
}

/// What history needs of a blob: its fingerprint and its `slug`.
#[derive(Serialize, Deserialize)]
struct BlobFacts {
    fingerprint: Fingerprint,
    slug: Option<String>,
}

/// A blob's facts, from one parse. `keep` takes the version's text made
/// by the same parse, when the blob reads as a document and the build
/// keeps texts for its pages: then the archive need not read it again.
fn blob_facts(
    bytes: &[u8],
    stem: &str,
    options: MarkdownOptions,
    keep: Option<&dyn Fn(VersionText)>,
) -> BlobFacts {
    let mut slug = None;
    let fingerprint = (|| {
        let text = crate::source::content::decode(bytes).map_err(|err| err.to_string())?;
        let split = crate::source::frontmatter::split(text).map_err(|err| err.to_string())?;
        slug = split.front.slug.clone();
        let arena = comrak::Arena::new();
        let parsed = markdown::parse(&arena, split.body, options);
        let rendered = markdown::render_tree(&parsed, options);
        let title = crate::source::frontmatter::resolve_title(
            &split.front,
            parsed.leading_title.as_deref(),
            stem,
        );
        let mut hasher = Sha256::new();
        visible_hash(&mut hasher, &title, &rendered.html);
        if let Some(keep) = keep {
            keep(texts::text_of(
                split.front,
                &parsed,
                title,
                rendered,
                options,
            ));
        }
        Ok(hex::encode(hasher.finalize()))
    })();
    BlobFacts { fingerprint, slug }
}

/// SHA-256 of what a reader sees: the title and the rendered body; or, for
/// text that cannot be read as a document, why not.
pub fn fingerprint(bytes: &[u8], stem: &str, options: MarkdownOptions) -> Fingerprint {
    blob_facts(bytes, stem, options, None).fingerprint
}

/// The hash input for a rendered document, shared with the current pages so
/// `versions.json` and history agree. Element ids, links to them
/// (`href="#…"`) and classes are left out: an anchor renamed or a class set
/// with an attribute list (`{: #id .note }`) changes no text a reader sees,
/// and a generated id follows its heading's text, which is hashed.
pub fn visible_hash(hasher: &mut Sha256, title: &str, html: &str) {
    hasher.update(title.as_bytes());
    hasher.update([0]);
    // Text never holds ` id="`, ` class="` or ` href="`: comrak and the
    // sanitizer escape the quote.
    const SKIPPED: [&[u8]; 3] = [b" id=\"", b" href=\"#", b" class=\""];
    let html = html.as_bytes();
    let find = |needle: &[u8], from: usize| {
        memchr::memmem::find(&html[from..], needle).map(|at| (from + at, needle.len()))
    };
    let mut next = SKIPPED.map(|needle| find(needle, 0));
    let mut done = 0;
    while let Some((at, skip)) = next.iter().flatten().min().copied() {
        hasher.update(&html[done..at]);
        let value = at + skip;
        done = memchr::memchr(b'"', &html[value..]).map_or(html.len(), |i| value + i + 1);
        // Each search runs again only once the cursor has passed its match.
        for (found, needle) in next.iter_mut().zip(SKIPPED) {
            if found.is_some_and(|(p, _)| p < done) {
                *found = find(needle, done);
            }
        }
    }
    hasher.update(&html[done..]);
}

/// What step 3 reads versions with.
struct VersionsRead<'a, 'c> {
    repo: &'a Repository,
    facts: &'a HashMap<BlobKey, BlobFacts>,
    paths: &'a DocumentPaths<'c>,
    date_source: DateSource,
    ignore_revs_file: &'a str,
}

impl VersionsRead<'_, '_> {
    /// Step 3: a change is a version when the reader-visible fingerprint
    /// differs. Changes are read oldest first, so a state that does not load is
    /// passed over and the next good state is compared with the last good one.
    /// Returns the versions newest first, the ignored commits that readers
    /// could see, and warnings for both those and the states passed over.
    fn versions_of(&self, changes: &[Change]) -> Result<(Vec<Version>, Vec<String>, Vec<String>)> {
        let VersionsRead {
            repo,
            facts,
            paths,
            date_source,
            ignore_revs_file,
        } = *self;
        let mut versions = Vec::new();
        let mut ignored_visible = Vec::new();
        let mut warnings = Vec::new();
        // While the document does not load: what it last was before that.
        let mut before_broken: Option<Option<&String>> = None;
        for change in changes.iter().rev() {
            let short = &change.commit.to_string()[..7];
            let old = match &change.old {
                None => None,
                Some((oid, path)) => match &facts[&(*oid, stem(path))].fingerprint {
                    Ok(old) => Some(old),
                    Err(_) => before_broken.flatten(),
                },
            };
            let new_facts = &facts[&(change.new, stem(&change.path))];
            let new = match &new_facts.fingerprint {
                Ok(new) => new,
                Err(err) => {
                    warnings.push(format!(
                    "commit {short}: {}:{err}; no build of that commit could succeed, so it is not a version (the next good state is compared with the last good one)",
                    change.path
                ));
                    before_broken.get_or_insert(old);
                    continue;
                }
            };
            before_broken = None;
            if old == Some(new) {
                continue;
            }
            if change.ignored {
                warnings.push(format!(
                "commit {short} is listed in {ignore_revs_file} but changes what readers see in {}: it is not a version, so the text it published matches no version (nor its sha256); take it out of {ignore_revs_file} if the change is real",
                change.path
            ));
                ignored_visible.push(change.commit.to_string());
                continue;
            }
            let commit = repo.find_commit(change.commit)?;
            let time = match date_source {
                DateSource::Committer => commit.committer().when(),
                DateSource::Author => commit.author().when(),
            };
            let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            versions.push(Version {
                commit: change.commit.to_string(),
                seconds: time.seconds(),
                offset_minutes: time.offset_minutes(),
                author: String::from_utf8_lossy(commit.author().name_bytes())
                    .trim()
                    .to_string(),
                subject: message
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                trailers: trailers(&message),
                url: paths
                    .url(&change.path, new_facts.slug.as_deref())
                    .unwrap_or_default(),
                path: change.path.clone(),
                blob: change.new.to_string(),
                sha256: new.clone(),
            });
        }
        versions.reverse();
        Ok((versions, ignored_visible, warnings))
    }

    /// When and by which commit a document was deleted.
    fn withdrawal(&self, commit: Oid) -> Result<Withdrawal> {
        let commit = self.repo.find_commit(commit)?;
        let time = match self.date_source {
            DateSource::Committer => commit.committer().when(),
            DateSource::Author => commit.author().when(),
        };
        Ok(Withdrawal {
            commit: commit.id().to_string(),
            seconds: time.seconds(),
            offset_minutes: time.offset_minutes(),
        })
    }
}

fn trailers(message: &str) -> Vec<(String, String)> {
    git2::message_trailers_strs(message)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The `.git-blame-ignore-revs` format: one full commit id a line, `#` comments.
fn read_ignore_revs(path: &Path) -> Result<HashSet<Oid>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut revs = HashSet::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let oid = Oid::from_str(line)
            .ok()
            .filter(|_| line.len() == 40)
            .with_context(|| {
                format!(
                    "{}:{}: `{line}` is not a full 40-character commit id",
                    path.display(),
                    number + 1
                )
            })?;
        revs.insert(oid);
    }
    Ok(revs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(html: &str) -> String {
        let mut hasher = Sha256::new();
        visible_hash(&mut hasher, "T", html);
        hex::encode(hasher.finalize())
    }

    #[test]
    fn anchors_are_not_what_a_reader_sees_but_text_and_links_are() {
        let page = r##"<h2 id="a"><a href="#a" aria-hidden="true">#</a>Data</h2><p>See <a href="https://x.example/">x</a>.</p>"##;
        assert_eq!(
            hash(page),
            hash(&page.replace("\"a\"", "\"b\"").replace("#a", "#b"))
        );
        assert_eq!(hash(page), hash(&page.replace(" id=\"a\"", " id=\"\"")));
        assert_ne!(hash(page), hash(&page.replace("Data", "Date")));
        assert_ne!(hash(page), hash(&page.replace("x.example", "y.example")));
        assert_ne!(hash(page), hash(&page.replace("See", "Seen")));
        // An unterminated value at the end ends the input, not the program.
        assert_ne!(hash("<p id=\"x"), hash("<p>"));
        assert_eq!(hash("<p class=\"note\">a</p>"), hash("<p>a</p>"));
    }
}
