//! Atom feeds (RFC 4287): one per document and one for the whole site, one
//! entry per version. Ids come from the document's permanent id and the
//! version's slug, so neither a rebuild nor a rename makes a reader's feed
//! reader see an old change as new.

use serde::Serialize;

use crate::render::pages::{self, DocSummary, VersionContext};
use crate::source::config::Config;

/// What `atom.xml` renders.
#[derive(Debug, Serialize)]
pub struct Feed {
    pub title: String,
    pub id: String,
    /// The feed's own address.
    pub self_url: String,
    /// The page the feed is about.
    pub alternate_url: String,
    pub updated: String,
    pub author: String,
    pub entries: Vec<FeedEntry>,
}

#[derive(Debug, Serialize)]
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub url: String,
    /// The redline; empty for a first version.
    pub diff_url: String,
    pub updated: String,
    pub summary: String,
    /// The site (see [`Config::site_author`]) unless `publish_authors`.
    pub author: String,
    pub change: String,
    pub document: String,
}

/// A change of one document, owned: what `notify` and `log` keep after
/// the pages are gone.
#[derive(Debug, Clone, Serialize)]
pub struct SiteChange {
    pub document: DocSummary,
    pub version: VersionContext,
}

/// A change of one document as the site-wide changes page and feed list
/// it: borrowed from the document's summary and versions, so listing every
/// version of the site copies none. It serializes as [`SiteChange`] does,
/// so `changes.html` sees the same fields.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChangeRef<'a> {
    pub document: &'a DocSummary,
    pub version: &'a VersionContext,
}

impl ChangeRef<'_> {
    pub fn to_owned(self) -> SiteChange {
        SiteChange {
            document: self.document.clone(),
            version: self.version.clone(),
        }
    }
}

/// The feed of one document's versions, at `<document>/feed.xml`.
pub fn document_feed(config: &Config, doc: &DocSummary, versions: &[VersionContext]) -> Feed {
    let path = pages::feed_url(&doc.url);
    let links = Links::new(config, &path);
    Feed {
        title: format!("{} — {}", doc.title, config.title),
        id: links.id(&format!("{}/feed.xml", doc.id)),
        self_url: links.url(&path),
        alternate_url: links.url(&doc.url),
        updated: updated(config, versions.iter()),
        author: config.site_author(),
        entries: versions
            .iter()
            .map(|v| entry(&links, doc, v, config))
            .collect(),
    }
}

/// The site-wide feed at `/feed.xml`, from changes newest first.
pub fn site_feed(config: &Config, changes: &[ChangeRef<'_>]) -> Feed {
    let path = "feed.xml";
    let links = Links::new(config, path);
    Feed {
        title: config.title.clone(),
        id: links.id(path),
        self_url: links.url(path),
        alternate_url: links.url(""),
        updated: updated(config, changes.iter().map(|c| c.version)),
        author: config.site_author(),
        entries: changes
            .iter()
            .map(|c| entry(&links, c.document, c.version, config))
            .collect(),
    }
}

/// An entry's id is `<id>/versions/<slug>/` under the base URL (or
/// `urn:redline:`): the document's permanent id and the version's slug (its
/// commit's day), so a moved document's entries keep their ids.
fn entry(
    links: &Links<'_>,
    doc: &DocSummary,
    version: &VersionContext,
    config: &Config,
) -> FeedEntry {
    let document = &doc.title;
    let what = match version.change {
        _ if version.slug == pages::WITHDRAWN_SLUG => "withdrawn",
        crate::history::changes::ChangeClass::Initial => "first published",
        crate::history::changes::ChangeClass::Editorial => "editorial change",
        crate::history::changes::ChangeClass::Material => "material change",
    };
    FeedEntry {
        id: links.id(&entry_id(&doc.id, &version.slug)),
        title: feed_title(document, what, version),
        url: links.url(&version.url),
        diff_url: if version.diff_url.is_empty() {
            String::new()
        } else {
            links.url(&version.diff_url)
        },
        updated: version.datetime.clone(),
        summary: version.summary.clone(),
        // The commit's author only where the site publishes authors.
        author: version
            .author
            .clone()
            .unwrap_or_else(|| config.site_author()),
        change: version.change.as_str().to_string(),
        document: document.to_string(),
    }
}

/// `Privacy Policy: material change, March 10, 2026, effective April 1,
/// 2026`: the version's label, and the day it applies from when that is
/// later than its own day — facts that never change, so an entry's title
/// stays put as the version's status moves on.
fn feed_title(document: &str, what: &str, version: &VersionContext) -> String {
    let mut title = format!("{document}: {what}, {}", version.label);
    if version.applies_from_iso > version.date_iso {
        title.push_str(&format!(", effective {}", version.applies_from));
    }
    title
}

/// `<id>/versions/<slug>/`, and `<id>/withdrawn/` for a withdrawal.
fn entry_id(doc_id: &str, slug: &str) -> String {
    if slug == pages::WITHDRAWN_SLUG {
        format!("{doc_id}/{slug}/")
    } else {
        format!("{doc_id}/versions/{slug}/")
    }
}

/// The newest entry's time; a feed without entries is as old as the build day.
fn updated<'a>(config: &Config, versions: impl Iterator<Item = &'a VersionContext>) -> String {
    versions
        .max_by_key(|v| v.seconds)
        .map(|v| v.datetime.clone())
        .unwrap_or_else(|| format!("{}T00:00:00Z", config.today))
}

/// Addresses as a feed writes them: absolute under the base URL, else
/// relative to the feed's own location. Ids never depend on where the feed
/// was read from.
struct Links<'a> {
    base_url: Option<&'a str>,
    /// `feed_id_base`, else `base_url`.
    id_base: Option<&'a str>,
    root: String,
}

impl<'a> Links<'a> {
    fn new(config: &'a Config, feed_path: &str) -> Self {
        Links {
            base_url: config.base_url.as_deref(),
            id_base: config
                .feed_id_base
                .as_deref()
                .or(config.base_url.as_deref()),
            root: pages::root_of(feed_path),
        }
    }

    fn url(&self, rel_url: &str) -> String {
        match self.base_url {
            Some(base) => format!("{base}{rel_url}"),
            None if rel_url.is_empty() && self.root.is_empty() => "./".into(),
            None => format!("{}{rel_url}", self.root),
        }
    }

    fn id(&self, rel_url: &str) -> String {
        match self.id_base {
            Some(base) => format!("{base}{rel_url}"),
            None => format!("urn:redline:{rel_url}"),
        }
    }
}
