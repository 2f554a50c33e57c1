//! What templates see: the page, the document list and the version list, as
//! plain serialisable values built from documents, their rendering and their
//! history. Keeping this apart from the pipeline keeps the template contract
//! in one file.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::content::{Document, title_stem};
use crate::dates::{self, Day};
use crate::frontmatter::FrontMatter;
use crate::history::{DocHistory, Version};
use crate::markdown::{Rendered, TocEntry};

/// A document with everything known about it, ready for templates.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    pub doc: &'a Document,
    pub rendered: Rendered,
    pub title: String,
    pub history: Option<&'a DocHistory>,
    pub last_updated: Option<Day>,
}

impl<'a> Page<'a> {
    pub fn new(
        doc: &'a Document,
        rendered: Rendered,
        history: Option<&'a DocHistory>,
        config: &Config,
    ) -> Self {
        let title = resolve_title(&doc.front, &rendered, &title_stem(&doc.display_path));
        let from_history = history
            .and_then(|h| h.versions.first())
            .map(|v| version_day(v, config));
        let from_front = doc
            .front
            .updated
            .map(|d| dates::day(d, &config.date_format));
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
        }
    }

    /// The URL relative to the site root, without a leading `/` (`privacy/`).
    pub fn rel_url(&self) -> &str {
        self.doc.url.trim_start_matches('/')
    }

    /// `../` once per folder level, so links work without a base URL.
    pub fn root(&self) -> String {
        "../".repeat(self.rel_url().matches('/').count())
    }

    pub fn unpublished(&self) -> bool {
        self.history.is_some_and(|h| h.unpublished)
    }

    pub fn summary(&self, config: &Config) -> DocSummary {
        let effective = self
            .doc
            .front
            .effective
            .map(|d| dates::day(d, &config.date_format));
        DocSummary {
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
            weight: self.doc.front.weight,
        }
    }

    pub fn context(&self, config: &Config) -> PageContext {
        let summary = self.summary(config);
        PageContext {
            content: self.rendered.html.clone(),
            toc: self.rendered.toc.clone(),
            source: self.doc.display_path.clone(),
            meta: self.doc.front.meta.clone(),
            versions: self
                .history
                .map(|h| {
                    h.versions
                        .iter()
                        .map(|v| VersionContext::new(v, config))
                        .collect()
                })
                .unwrap_or_default(),
            summary,
        }
    }
}

/// The title: front matter `title`, else the body's leading `# heading`, else
/// the file name. History uses the same rule, so a title change is a version.
pub fn resolve_title(front: &FrontMatter, rendered: &Rendered, stem: &str) -> String {
    front
        .title
        .clone()
        .or_else(|| rendered.leading_title.clone())
        .unwrap_or_else(|| stem.to_string())
}

fn version_day(version: &Version, config: &Config) -> Day {
    let zoned = dates::zoned(
        version.seconds,
        version.offset_minutes,
        config.timezone.as_ref(),
    );
    dates::day(zoned.date(), &config.date_format)
}

/// A document in lists: navigation, the home page.
#[derive(Debug, Clone, Serialize)]
pub struct DocSummary {
    pub title: String,
    pub url: String,
    pub description: String,
    pub last_updated: String,
    pub last_updated_iso: String,
    pub effective: String,
    pub effective_iso: String,
    pub unpublished: bool,
    #[serde(skip)]
    pub weight: Option<i64>,
}

/// The `page` variable of `page.html`.
#[derive(Debug, Clone, Serialize)]
pub struct PageContext {
    #[serde(flatten)]
    pub summary: DocSummary,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub source: String,
    pub meta: Map<String, Value>,
    pub versions: Vec<VersionContext>,
}

/// One version in `page.versions`, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct VersionContext {
    pub date: String,
    pub date_iso: String,
    pub datetime: String,
    pub commit: String,
    pub short_commit: String,
    pub subject: String,
    pub author: String,
}

impl VersionContext {
    pub fn new(version: &Version, config: &Config) -> Self {
        let zoned = dates::zoned(
            version.seconds,
            version.offset_minutes,
            config.timezone.as_ref(),
        );
        let day = dates::day(zoned.date(), &config.date_format);
        VersionContext {
            date: day.human,
            date_iso: day.iso,
            datetime: dates::rfc3339(&zoned),
            short_commit: version.commit.chars().take(7).collect(),
            commit: version.commit.clone(),
            subject: version.subject.clone(),
            author: version.author.clone(),
        }
    }
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
