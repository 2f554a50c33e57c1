//! A document's archive kept whole from one build to the next. When
//! nothing its pages follow from has changed (its history and summary, the
//! context its pages share, the settings, the templates and words, the
//! site's files its old versions link to), its pages are the previous
//! output's files, linked: nothing is read, diffed or rendered. A rebuild
//! after one commit renders only the archives that commit touched.
//!
//! The cache entry lists each page with the [`Stamp`] the file had when the
//! build that made it finished. A page edited, replaced or missing in the
//! output since is a different stamp, and the archive is built again.

use std::sync::{Mutex, PoisonError};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache::{Key, Store};
use crate::history::DocHistory;
use crate::history::compared::Comparer;
use crate::history::texts::Texts;
use crate::history::timeline::Notices;
use crate::render::pages::{DocSummary, VersionContext};
use crate::render::reads::{self, Reads};
use crate::render::theme::Theme;
use crate::site::archive::{ARCHIVE_TEMPLATES, DocArchive, Emit, OLD_ASSETS};
use crate::site::output::{Sink, Stamp};

/// What a build stores of one document's archive.
#[derive(Serialize, Deserialize)]
struct Stored {
    versions: Vec<VersionContext>,
    /// What [`VersionContext`] leaves out of its serialized form.
    hidden: Vec<Hidden>,
    notices: Notices,
    warnings: Vec<String>,
    /// Each page's output path and the stamp its file had.
    pages: Vec<(String, Stamp)>,
}

#[derive(Serialize, Deserialize)]
struct Hidden {
    seconds: i64,
    reason: String,
    summary_by_author: bool,
}

/// The key of a document's archive: `shared` names what every archive
/// follows from ([`shared_key`]), `base` is the context its pages start
/// from (in its language). Of the other documents in its `navigation`,
/// only the fields the archive's templates may read count (`nav_reads`):
/// another document's new date changes no page that does not show it.
pub fn key(
    shared: &str,
    (base, nav_reads): (&tera::Context, &Reads),
    summary: &DocSummary,
    history: &DocHistory,
) -> Key {
    let mut base = base.clone();
    if let Some(Value::Array(navigation)) = base.get("navigation") {
        let seen: Vec<Value> = navigation
            .iter()
            .map(|document| match document {
                Value::Object(fields) => Value::Object(
                    fields
                        .iter()
                        .filter(|(field, _)| nav_reads.includes(field))
                        .map(|(field, value)| (field.clone(), value.clone()))
                        .collect(),
                ),
                other => other.clone(),
            })
            .collect();
        base.insert("navigation", &seen);
    }
    Key::of("archive")
        .part(shared)
        .debug(&base)
        .debug(summary)
        .debug(history)
        .finish()
}

/// What the archive's templates may read of the documents in
/// `navigation` (`base`'s, as every page gets it).
pub fn navigation_reads(theme: &Theme, base: &tera::Context) -> Reads {
    let mut fields: Vec<&str> = match base.get("navigation") {
        Some(Value::Array(navigation)) => navigation
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|fields| fields.keys().map(String::as_str))
            .collect(),
        _ => Vec::new(),
    };
    fields.sort_unstable();
    fields.dedup();
    let templates = reads::reached(&theme.templates, ARCHIVE_TEMPLATES);
    reads::fields_read(&templates, &fields)
}

/// What every archive follows from besides its own document, as a key
/// part: the settings, the templates and words, and the site's files now
/// (output path → blob id), which old versions link to when unchanged.
pub fn shared_key(
    config: &crate::source::config::Config,
    theme: &crate::render::theme::Theme,
    assets_now: Option<&std::collections::HashMap<String, git2::Oid>>,
    prefix: &str,
) -> String {
    let mut assets: Vec<_> = assets_now.into_iter().flatten().collect();
    assets.sort();
    crate::history::cache::key(&[config, &theme.templates, &theme.strings, &assets, &prefix])
}

/// Where one document's archive is kept: the build's store, the
/// archive's key there, and the sink its pages go to.
pub struct Kept<'a> {
    pub store: &'a Store,
    pub key: &'a Key,
    pub sink: &'a Sink,
}

/// What an archive is made from besides its inputs' key: its history, and
/// the texts and comparisons it reads through the store.
pub type MadeFrom<'a> = (&'a DocHistory, &'a Texts<'a>, &'a Comparer<'a>);

impl Kept<'_> {
    /// The archive kept under the key ([`take`]); else `build`'s, made with
    /// `emit` noting each page's path, and kept for the next build.
    pub fn take_or_build(
        &self,
        origin: &str,
        made_from: MadeFrom<'_>,
        emit: Emit<'_>,
        build: impl FnOnce(Emit<'_>) -> Result<DocArchive>,
    ) -> Result<DocArchive> {
        if let Some(archive) = take(self.store, self.key, self.sink, origin, made_from)? {
            return Ok(archive);
        }
        let paths = Mutex::new(Vec::new());
        let noted = |path: String, bytes: Vec<u8>| -> Result<()> {
            paths
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(path.clone());
            emit(path, bytes)
        };
        let archive = build(&noted)?;
        let paths = paths.into_inner().unwrap_or_else(PoisonError::into_inner);
        keep(self.store, self.key, &archive, paths, self.sink);
        Ok(archive)
    }
}

/// The archive stored under `key`, its pages linked from the previous
/// output into `sink`, when every page there still has its stamp; None
/// (and nothing added to `sink`) otherwise. The cache entries the archive
/// was made from are kept for the next change to the document.
fn take(
    store: &Store,
    key: &Key,
    sink: &Sink,
    origin: &str,
    (history, texts, comparer): MadeFrom<'_>,
) -> Result<Option<DocArchive>> {
    let Some(kept) = store.get::<Stored>(key) else {
        return Ok(None);
    };
    // A file named by its content (`_assets/<blob id>/…`) that another
    // archive added already holds what this one would add.
    let unchanged = kept.pages.iter().all(|(path, stamp)| {
        (path.starts_with(OLD_ASSETS) && sink.contains(path))
            || sink.previous_stamp(path) == Some(*stamp)
    });
    if !unchanged || kept.hidden.len() != kept.versions.len() {
        return Ok(None);
    }
    for (path, _) in &kept.pages {
        sink.keep_previous(path, origin, path.starts_with(OLD_ASSETS))?;
    }
    let versions = &history.versions;
    for (index, version) in versions.iter().enumerate() {
        texts.keep_unread(version);
        if let Some(older) = versions.get(index + 1) {
            comparer.keep_unread(older, version);
        }
        comparer.keep_unread(version, &versions[0]);
    }
    let mut archive = DocArchive {
        versions: kept.versions,
        notices: kept.notices,
        warnings: kept.warnings,
        files: Vec::new(),
    };
    for (version, hidden) in archive.versions.iter_mut().zip(kept.hidden) {
        version.seconds = hidden.seconds;
        version.reason = hidden.reason;
        version.summary_by_author = hidden.summary_by_author;
    }
    Ok(Some(archive))
}

/// Stores `archive` under `key` with the stamps of its pages (`paths`, as
/// `sink` holds them now). A page without a stamp stores nothing.
fn keep(store: &Store, key: &Key, archive: &DocArchive, paths: Vec<String>, sink: &Sink) {
    let pages: Option<Vec<_>> = paths
        .into_iter()
        .map(|path| Some((sink.stamp_of(&path)?, path)))
        .map(|page| page.map(|(stamp, path)| (path, stamp)))
        .collect();
    let Some(pages) = pages else {
        return;
    };
    let hidden = archive
        .versions
        .iter()
        .map(|v| Hidden {
            seconds: v.seconds,
            reason: v.reason.clone(),
            summary_by_author: v.summary_by_author,
        })
        .collect();
    let kept = StoredRef {
        versions: &archive.versions,
        hidden,
        notices: &archive.notices,
        warnings: &archive.warnings,
        pages,
    };
    store.put(key, &kept);
}

/// [`Stored`], borrowing the archive.
#[derive(Serialize)]
struct StoredRef<'a> {
    versions: &'a [VersionContext],
    hidden: Vec<Hidden>,
    notices: &'a Notices,
    warnings: &'a [String],
    pages: Vec<(String, Stamp)>,
}
