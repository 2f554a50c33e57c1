//! What templates see: the page, the document list and the version list, as
//! plain serialisable values built from documents, their rendering and their
//! history. Keeping this apart from the pipeline keeps the template contract
//! in one file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diff::wording::fill;
use crate::diff::{SectionChange, SummaryWords};
use crate::history::changes::{self, ChangeClass};
use crate::history::standing::Status;
use crate::history::timeline::{Entry, Notices};
use crate::history::{DocHistory, Version};
use crate::source::config::Config;
use crate::source::content::{Document, title_stem};
use crate::source::dates::{self, Day};
use crate::source::frontmatter::{self, FrontMatter};
use crate::text::markdown::{self, Rendered, TocEntry};

/// A document with everything known about it, ready for templates.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    pub doc: &'a Document,
    pub rendered: Rendered,
    pub title: String,
    pub history: Option<&'a DocHistory>,
    pub last_updated: Option<Day>,
    /// Newest first; filled in once the archive is built.
    pub versions: Vec<VersionContext>,
    pub notices: Notices,
    /// The redline of uncommitted changes; set only in preview.
    pub draft_url: String,
    /// For a withdrawn document: the day (site zone) and RFC 3339 time.
    pub withdrawn_at: Option<(Day, String)>,
    /// The permanent id (see [`document_id`] and [`unique_ids`]).
    pub id: String,
    /// The document and its translations, in the site's language order
    /// (empty when it has none).
    pub alternates: Vec<Alternate>,
    /// The URL of the document this one translates.
    pub translation_of: Option<String>,
    /// A translation's standing against its source.
    pub translation: Option<TranslationStatus>,
}

/// One language a document is published in, for `hreflang` links and the
/// language switcher. URLs are relative to the site root.
#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    /// BCP 47 code, as `hreflang` takes it.
    pub language: String,
    /// The language's name in itself (`Deutsch`).
    pub name: String,
    pub url: String,
    /// The page being shown.
    pub current: bool,
    /// The document the others translate (`x-default`).
    pub source: bool,
}

/// Whether a translation shows its source's newest material change.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationStatus {
    pub outdated: bool,
    /// The source's language (code and name in itself).
    pub source_language: String,
    pub source_language_name: String,
    /// The source's current page.
    pub source_url: String,
    /// The source's newest material change: its day in this page's
    /// language, and its version page.
    pub changed: String,
    pub changed_iso: String,
    pub changed_url: String,
    /// The redline from the source version this translation was made from
    /// to the newest: what changed since (empty when unknown).
    pub compare_url: String,
    /// The source version this translation was made from.
    pub translated_commit: Option<String>,
}

impl<'a> Page<'a> {
    pub fn new(
        doc: &'a Document,
        rendered: Rendered,
        history: Option<&'a DocHistory>,
        config: &Config,
    ) -> Self {
        let title = frontmatter::resolve_title(
            &doc.front,
            rendered.leading_title.as_deref(),
            &title_stem(&doc.display_path),
        );
        let from_history = history
            .and_then(|h| h.versions.first())
            .map(|v| version_day(v, &doc.language, config));
        let date_format = config.date_format(&doc.language);
        let from_front = doc.front.updated.map(|d| dates::day(d, date_format));
        let last_updated = if config.trust_front_matter_dates {
            from_front.or(from_history)
        } else {
            from_history.or(from_front)
        };
        Page {
            doc,
            rendered,
            title,
            history,
            last_updated,
            versions: Vec::new(),
            notices: Notices::default(),
            draft_url: String::new(),
            alternates: Vec::new(),
            translation_of: None,
            translation: None,
            id: document_id(&doc.front, history, doc.url.trim_start_matches('/')),
            withdrawn_at: history.and_then(|h| h.withdrawn.as_ref()).map(|w| {
                let zoned = dates::zoned(w.seconds, w.offset_minutes, config.timezone.as_ref());
                (
                    dates::day(zoned.date(), date_format),
                    dates::rfc3339(&zoned),
                )
            }),
        }
    }

    /// The URL relative to the site root, without a leading `/` (`privacy/`).
    pub fn rel_url(&self) -> &str {
        self.doc.url.trim_start_matches('/')
    }

    /// `../` once per folder level, so links work without a base URL.
    pub fn root(&self) -> String {
        root_of(self.rel_url())
    }

    pub fn unpublished(&self) -> bool {
        self.history.is_some_and(|h| h.unpublished)
    }

    /// Deleted from the content folder; its page says so.
    pub fn withdrawn(&self) -> bool {
        self.history.is_some_and(|h| h.withdrawn.is_some())
    }

    /// A withdrawn document's withdrawal, as a change for the site's feed,
    /// changes page and notices: material, dated by the deleting commit, its
    /// page the withdrawn page, its slug [`WITHDRAWN_SLUG`].
    pub fn withdrawal(&self) -> Option<VersionContext> {
        let withdrawal = self.history?.withdrawn.as_ref()?;
        let newest = self.versions.first()?;
        let (day, datetime) = self.withdrawn_at.clone()?;
        Some(VersionContext {
            date: day.human.clone(),
            date_iso: day.iso.clone(),
            datetime,
            subject: None,
            author: None,
            seconds: withdrawal.seconds,
            commit: withdrawal.commit.clone(),
            short_commit: withdrawal.commit.chars().take(7).collect(),
            slug: WITHDRAWN_SLUG.to_string(),
            url: self.rel_url().to_string(),
            diff_url: String::new(),
            change: ChangeClass::Material,
            reason: "the document was deleted from the content folder".into(),
            summary: fill(
                SummaryWords::english().text("summary_withdrawn"),
                &[("date", &day.human)],
            ),
            summary_by_author: false,
            sections: Vec::new(),
            words_added: 0,
            words_removed: 0,
            effective: String::new(),
            effective_iso: String::new(),
            ..newest.clone()
        })
    }

    pub fn summary(&self, config: &Config) -> DocSummary {
        let effective = self
            .doc
            .front
            .effective
            .map(|d| dates::day(d, config.date_format(&self.doc.language)));
        DocSummary {
            language: self.doc.language.clone(),
            id: self.id.clone(),
            title: self.title.clone(),
            url: self.rel_url().to_string(),
            description: self.doc.front.description.clone().unwrap_or_default(),
            last_updated: self
                .last_updated
                .as_ref()
                .map(|d| d.human.clone())
                .unwrap_or_default(),
            last_updated_iso: self
                .last_updated
                .as_ref()
                .map(|d| d.iso.clone())
                .unwrap_or_default(),
            effective: effective
                .as_ref()
                .map(|d| d.human.clone())
                .unwrap_or_default(),
            effective_iso: effective.map(|d| d.iso).unwrap_or_default(),
            unpublished: self.unpublished(),
            withdrawn: self
                .withdrawn_at
                .as_ref()
                .map(|(d, _)| d.human.clone())
                .unwrap_or_default(),
            withdrawn_iso: self
                .withdrawn_at
                .as_ref()
                .map(|(d, _)| d.iso.clone())
                .unwrap_or_default(),
            weight: self.doc.front.weight,
        }
    }

    pub fn context<'c>(&'c self, config: &'c Config) -> PageContext<'c> {
        let summary = self.summary(config);
        let pick = |index: Option<usize>| index.and_then(|i| self.versions.get(i)).cloned();
        let has_versions = !self.versions.is_empty();
        PageContext {
            content: &self.rendered.html,
            toc: &self.rendered.toc,
            toc_html: markdown::toc_html(&self.rendered.toc),
            source: &self.doc.display_path,
            meta: &self.doc.front.meta,
            versions: &self.versions,
            notice: pick(self.notices.material.first().copied()),
            notices: self
                .notices
                .material
                .iter()
                .filter_map(|&i| self.versions.get(i).cloned())
                .collect(),
            editorial: pick(self.notices.editorial),
            pending: self.notices.pending,
            in_force: pick(self.notices.in_force),
            since: pick(self.notices.since),
            versions_url: if has_versions {
                versions_index_url(&self.doc.url)
            } else {
                String::new()
            },
            feed_url: if has_versions {
                feed_url(&self.doc.url)
            } else {
                String::new()
            },
            draft_url: self.draft_url.clone(),
            alternates: &self.alternates,
            translation: self.translation.as_ref(),
            binding: config
                .languages
                .binding
                .as_deref()
                .filter(|binding| *binding != self.doc.language && self.translation_of.is_some()),
            summary,
        }
    }
}

fn version_day(version: &Version, language: &str, config: &Config) -> Day {
    dates::day(version_date(version, config), config.date_format(language))
}

/// The day a version was published, in the site's zone.
pub fn version_date(version: &Version, config: &Config) -> jiff::civil::Date {
    dates::zoned(
        version.seconds,
        version.offset_minutes,
        config.timezone.as_ref(),
    )
    .date()
}

/// A document's permanent id: front matter `id`, else the URL its first
/// version was published at (`privacy`), else its URL now. Feeds' entry
/// ids, the notify ledger and `versions.json` key documents by it, so a
/// rename or a new `slug` changes none of them.
pub fn document_id(front: &FrontMatter, history: Option<&DocHistory>, rel_url: &str) -> String {
    front
        .meta
        .get("id")
        .and_then(Value::as_str)
        .map(|id| id.trim_matches('/').to_string())
        .filter(|id| !id.is_empty())
        .or_else(|| history.and_then(DocHistory::first_url).map(str::to_string))
        .unwrap_or_else(|| rel_url.trim_matches('/').to_string())
}

/// Makes ids unique: when documents share one (a path renamed away and
/// created again, whose first URL is the old document's), the one first
/// published earliest keeps it and each other gets `-<first commit>`
/// appended, which never changes either.
pub fn unique_ids(pages: &mut [Page<'_>]) {
    let first = |page: &Page<'_>| {
        page.history
            .and_then(|h| h.versions.last())
            .map(|v| (v.seconds, v.commit.clone()))
    };
    let mut order: Vec<usize> = (0..pages.len()).collect();
    // Unpublished documents (no versions) come last.
    order.sort_by_key(|&i| (first(&pages[i]).is_none(), first(&pages[i])));
    let mut taken = std::collections::HashSet::new();
    for i in order {
        if !taken.insert(pages[i].id.clone()) {
            let commit = first(&pages[i]).map_or_else(
                || pages[i].rel_url().trim_end_matches('/').replace('/', "-"),
                |(_, c)| c.chars().take(7).collect(),
            );
            pages[i].id = format!("{}-{commit}", pages[i].id);
            taken.insert(pages[i].id.clone());
        }
    }
}

impl DocSummary {
    /// The key of the notify ledger: the id with a trailing `/`, which is
    /// what ledgers written before ids held (the URL).
    pub fn key(&self) -> String {
        format!("{}/", self.id)
    }
}

/// A document in lists: navigation, the home page.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    /// The permanent id (see [`document_id`]).
    pub id: String,
    pub title: String,
    pub url: String,
    /// The language it is written in (BCP 47).
    pub language: String,
    pub description: String,
    pub last_updated: String,
    pub last_updated_iso: String,
    pub effective: String,
    pub effective_iso: String,
    pub unpublished: bool,
    /// The day it was withdrawn (deleted from content); empty while it is not.
    pub withdrawn: String,
    pub withdrawn_iso: String,
    #[serde(skip)]
    pub weight: Option<i64>,
}

/// The `page` variable of `page.html`.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext<'a> {
    #[serde(flatten)]
    pub summary: DocSummary,
    pub content: &'a str,
    pub toc: &'a [TocEntry],
    /// `toc` as a ready-made list of the level 2 and 3 headings: what the
    /// default theme prints. Looping over `toc` in a template costs more
    /// than rendering the rest of the page on long documents.
    pub toc_html: String,
    pub source: &'a str,
    pub meta: &'a Map<String, Value>,
    pub versions: &'a [VersionContext],
    /// The newest material change still announced (the first of `notices`).
    pub notice: Option<VersionContext>,
    /// Every material change still announced, newest first.
    pub notices: Vec<VersionContext>,
    /// The newest version, when it is an editorial change.
    pub editorial: Option<VersionContext>,
    /// The newest version takes effect after today…
    pub pending: bool,
    /// The version in force today (None: none is yet).
    pub in_force: Option<VersionContext>,
    /// With announced changes: the version whose `compare_url` shows all
    /// of them in one redline against the newest version.
    pub since: Option<VersionContext>,
    pub versions_url: String,
    pub feed_url: String,
    /// The redline of the working tree against the newest version; empty
    /// except in the preview server.
    pub draft_url: String,
    /// The languages the document is published in.
    pub alternates: &'a [Alternate],
    /// A translation's standing against its source.
    pub translation: Option<&'a TranslationStatus>,
    /// The language whose text prevails, on a translation in another one.
    pub binding: Option<&'a str>,
}

/// One version in `page.versions`, newest first, with its change. URLs are
/// relative to the site root, like every URL templates see.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionContext {
    pub date: String,
    pub date_iso: String,
    pub datetime: String,
    /// The time of day in the site's zone (`14:05`).
    pub time: String,
    /// How lists and titles name the version: its date, with the time of
    /// day (or "2nd change that day") when another version shares the day.
    pub label: String,
    /// `label` for a `<time datetime>`: the day, or the moment when the
    /// label names the time.
    pub label_iso: String,
    /// For ordering across time zones.
    #[serde(skip)]
    pub seconds: i64,
    pub commit: String,
    pub short_commit: String,
    /// The raw commit subject; `None` unless `publish_commit_subjects`.
    pub subject: Option<String>,
    /// The commit author's name; `None` unless `publish_authors`.
    pub author: Option<String>,
    /// The document's title in this version.
    pub title: String,
    pub slug: String,
    pub url: String,
    /// The redline against the previous version; empty for the first.
    pub diff_url: String,
    pub change: ChangeClass,
    /// Why the change has its class, for `redline log -v`.
    #[serde(skip)]
    pub reason: String,
    pub summary: String,
    /// Whether an author wrote `summary`; a generated one is written again
    /// in the language a notice is sent in.
    #[serde(skip)]
    pub summary_by_author: bool,
    pub sections: Vec<SectionChange>,
    pub words_added: usize,
    pub words_removed: usize,
    pub effective: String,
    pub effective_iso: String,
    /// `scheduled`, `in force` or `superseded`, as of the build's day.
    pub status: Status,
    pub applies_from: String,
    pub applies_from_iso: String,
    /// Empty while no newer version replaces it.
    pub applies_until: String,
    pub applies_until_iso: String,
    /// The redline from this version to the newest one.
    pub compare_url: String,
    /// SHA-256 of what a reader saw (title and rendered body).
    pub sha256: String,
}

impl VersionContext {
    /// Writes a generated summary again in `wording`'s language (with
    /// `date` already in it); an author's summary stays as written.
    pub fn reword(&mut self, wording: &SummaryWords) {
        if self.summary_by_author {
            return;
        }
        self.summary = if self.slug == WITHDRAWN_SLUG {
            fill(wording.text("summary_withdrawn"), &[("date", &self.date)])
        } else {
            changes::generated_summary(
                (self.change != ChangeClass::Initial).then_some(self.sections.as_slice()),
                wording,
            )
        };
    }

    pub fn new(
        version: &Version,
        entry: &Entry,
        title: &str,
        document: &DocSummary,
        config: &Config,
    ) -> Self {
        let doc_url = &format!("/{}", document.url);
        let date_format = config.date_format(&document.language);
        let zoned = dates::zoned(
            version.seconds,
            version.offset_minutes,
            config.timezone.as_ref(),
        );
        let day = dates::day(entry.day, date_format);
        let effective = entry.effective.map(|d| dates::day(d, date_format));
        let applies_from = dates::day(entry.standing.applies_from, date_format);
        let applies_until = entry
            .standing
            .applies_until
            .map(|d| dates::day(d, date_format));
        let (sections, words_added, words_removed) = entry
            .comparison
            .as_ref()
            .map(|c| (c.sections.clone(), c.words_added, c.words_removed))
            .unwrap_or_default();
        VersionContext {
            label: day.human.clone(),
            label_iso: day.iso.clone(),
            date: day.human,
            date_iso: day.iso,
            datetime: dates::rfc3339(&zoned),
            time: dates::time_of_day(&zoned),
            seconds: version.seconds,
            short_commit: version.commit.chars().take(7).collect(),
            commit: version.commit.clone(),
            subject: config
                .publish_commit_subjects
                .then(|| version.subject.clone()),
            // A nameless commit leaves the feed speaking for the site.
            author: (config.publish_authors && !version.author.is_empty())
                .then(|| version.author.clone()),
            title: title.to_string(),
            slug: entry.slug.clone(),
            url: version_url(doc_url, &entry.slug),
            diff_url: if entry.comparison.is_some() {
                change_url(doc_url, &entry.slug)
            } else {
                String::new()
            },
            change: entry.class,
            reason: entry.reason.clone(),
            summary: entry.summary.clone(),
            summary_by_author: entry.summary_by_author,
            sections,
            words_added,
            words_removed,
            effective: effective
                .as_ref()
                .map(|d| d.human.clone())
                .unwrap_or_default(),
            effective_iso: effective.map(|d| d.iso).unwrap_or_default(),
            status: entry.standing.status,
            applies_from: applies_from.human,
            applies_from_iso: applies_from.iso,
            applies_until: applies_until
                .as_ref()
                .map(|d| d.human.clone())
                .unwrap_or_default(),
            applies_until_iso: applies_until.map(|d| d.iso).unwrap_or_default(),
            compare_url: compare_url(doc_url, &entry.slug),
            sha256: version.sha256.clone(),
        }
    }
}

/// The slug of the change that withdraws a document, in site-wide lists
/// and feeds; never a version's (those are days).
pub const WITHDRAWN_SLUG: &str = "withdrawn";

/// `privacy/versions/2026-03-03/` for document `privacy/`.
pub fn version_url(doc_url: &str, slug: &str) -> String {
    format!("{}versions/{slug}/", doc_url.trim_start_matches('/'))
}

/// `privacy/changes/2026-03-03/`: the redline of that version.
pub fn change_url(doc_url: &str, slug: &str) -> String {
    format!("{}changes/{slug}/", doc_url.trim_start_matches('/'))
}

/// `privacy/compare/2026-03-03/`: the redline from that version to the
/// newest one, "what changed since this version". The address stays; what it
/// compares with moves on with each new version.
pub fn compare_url(doc_url: &str, slug: &str) -> String {
    format!("{}compare/{slug}/", doc_url.trim_start_matches('/'))
}

/// Names versions that share a day apart (versions newest first): the time
/// of day when their times differ, else "2nd change that day", counted
/// from the oldest.
pub fn label_same_day(versions: &mut [VersionContext]) {
    let mut by_day: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (index, v) in versions.iter().enumerate() {
        by_day.entry(v.date_iso.clone()).or_default().push(index);
    }
    for indexes in by_day.values().filter(|ix| ix.len() > 1) {
        let mut times: Vec<&str> = indexes.iter().map(|&i| versions[i].time.as_str()).collect();
        times.sort_unstable();
        times.dedup();
        let distinct_times = times.len() == indexes.len();
        let count = indexes.len();
        for (newest_first, &index) in indexes.iter().enumerate() {
            let v = &mut versions[index];
            v.label = if distinct_times {
                v.label_iso = v.datetime.clone();
                format!("{}, {}", v.date, v.time)
            } else {
                format!(
                    "{} ({} change that day)",
                    v.date,
                    ordinal(count - newest_first)
                )
            };
        }
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// `privacy/changes/draft/`: the uncommitted changes, in the preview server.
pub fn draft_url(doc_url: &str) -> String {
    format!("{}changes/draft/", doc_url.trim_start_matches('/'))
}

/// `privacy/versions/`: every version of the document.
pub fn versions_index_url(doc_url: &str) -> String {
    format!("{}versions/", doc_url.trim_start_matches('/'))
}

/// `privacy/feed.xml`: the document's Atom feed.
pub fn feed_url(doc_url: &str) -> String {
    format!("{}feed.xml", doc_url.trim_start_matches('/'))
}

/// `../` once per folder of a site-relative URL, so links work without a
/// base URL.
pub fn root_of(rel_url: &str) -> String {
    "../".repeat(rel_url.trim_start_matches('/').matches('/').count())
}

/// Orders documents for navigation: by `weight` (unweighted last), then title.
pub fn sort_for_navigation(summaries: &mut [DocSummary]) {
    summaries.sort_by(|a, b| {
        (a.weight.is_none(), a.weight, a.title.to_lowercase()).cmp(&(
            b.weight.is_none(),
            b.weight,
            b.title.to_lowercase(),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing;

    fn at(date: &str, time: &str) -> VersionContext {
        let mut v = testing::version("c", "privacy/", ChangeClass::Material, 0);
        v.date = date.to_string();
        v.label = date.to_string();
        v.label_iso = date.to_string();
        v.date_iso = date.to_string();
        v.time = time.to_string();
        v.datetime = format!("{date}T{time}");
        v
    }

    fn labels(versions: &[VersionContext]) -> Vec<&str> {
        versions.iter().map(|v| v.label.as_str()).collect()
    }

    #[test]
    fn same_day_versions_are_named_by_their_time() {
        let mut versions = [at("D2", "17:45"), at("D2", "09:00"), at("D1", "09:00")];
        label_same_day(&mut versions);
        assert_eq!(labels(&versions), ["D2, 17:45", "D2, 09:00", "D1"]);
        assert_eq!(versions[0].label_iso, "D2T17:45");
        assert_eq!(versions[2].label_iso, "D1");
    }

    #[test]
    fn same_minute_versions_are_counted_from_the_oldest() {
        let mut versions = [at("D", "09:00"), at("D", "09:00"), at("D", "09:00")];
        label_same_day(&mut versions);
        assert_eq!(
            labels(&versions),
            [
                "D (3rd change that day)",
                "D (2nd change that day)",
                "D (1st change that day)"
            ]
        );
    }
}
