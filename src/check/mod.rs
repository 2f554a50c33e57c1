//! `redline check`: policy lints for CI. A thin driver over the stages the
//! build uses — content, history, the change classes — that turns what they
//! know into findings (`finding`), gives each its level (`source::lint_levels`,
//! `silence`) and leaves printing to `format`. It renders no page: links
//! resolve against the URLs the build would write (`site_map`).

pub mod finding;
pub mod format;
pub mod lints;
pub mod silence;
pub mod site_map;

use std::collections::HashSet;

use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::history::{self, DocHistory};
use crate::source::config::Config;
use crate::source::content::{self, Document};
use crate::source::lint_levels::{Level, Levels};
use crate::text::markdown;
use finding::Finding;
use lints::Subject;
use lints::links::{self, LinkRef, VersionIds};
use site_map::SiteMap;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Documents by source path or URL; empty for all.
    pub documents: Vec<String>,
}

/// The findings of one run, ordered by file and line.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub documents: usize,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }
}

/// What the first pass learns of one document.
#[derive(Default)]
struct Scanned {
    ids: HashSet<String>,
    links: Vec<LinkRef>,
    findings: Vec<Finding>,
}

/// Runs every lint on the site (or the documents named in `options`).
pub fn check(config: &Config, options: &CheckOptions) -> Result<Report> {
    let content = content::load(config, config.drafts)?;
    let history = history::read(config, &content.documents)?;
    let selected = select(&content.documents, &history.docs, &options.documents)?;
    let site = SiteMap::new(config, &content, &history)?;
    let markdown_options = config.markdown_options();
    let git_dir = history.repository.clone();

    // Pass 1, a document per task: what needs only the document itself,
    // and the heading ids every other document's links may name.
    let scanned: Vec<Scanned> = content
        .documents
        .par_iter()
        .zip(history.docs.par_iter())
        .zip(selected.par_iter())
        .map_init(
            || {
                git_dir
                    .as_ref()
                    .and_then(|dir| git2::Repository::open(dir).ok())
            },
            |repo, ((doc, doc_history), &wanted)| -> Result<Scanned> {
                let arena = comrak::Arena::new();
                let parsed = markdown::parse(&arena, &doc.body, markdown_options);
                let rendered = markdown::render_tree(&parsed, markdown_options);
                let mut scanned = Scanned {
                    ids: links::ids(&rendered.html),
                    ..Scanned::default()
                };
                if !wanted {
                    return Ok(scanned);
                }
                let subject = Subject::new(config, doc, doc_history);
                scanned.links = links::links(parsed.root);
                scanned.findings.extend(lints::dates::check(&subject));
                scanned.findings.extend(lints::wording::check(&subject));
                scanned.findings.extend(lints::publish::check(&subject));
                scanned
                    .findings
                    .extend(lints::sanitized::check(&subject, &rendered.removed));
                scanned.findings.extend(lints::history::stale(&subject));
                scanned.findings.extend(lints::sections::check(
                    &subject,
                    parsed.root,
                    parsed.leading_title.as_deref(),
                ));
                scanned
                    .findings
                    .extend(lints::history::notices(&subject, repo.as_ref())?);
                Ok(scanned)
            },
        )
        .collect::<Result<_>>()?;

    // Pass 2: links, now that every page's ids are known.
    let document_ids: Vec<HashSet<String>> = scanned.iter().map(|s| s.ids.clone()).collect();
    let repo = git_dir
        .as_ref()
        .and_then(|dir| git2::Repository::open(dir).ok());
    let mut version_ids = VersionIds::new(repo.as_ref(), &history, markdown_options);
    let site_levels = Levels(config.check.levels.clone());
    let mut findings = Vec::new();
    for (((doc, doc_history), mut scanned), wanted) in content
        .documents
        .iter()
        .zip(&history.docs)
        .zip(scanned)
        .zip(&selected)
    {
        if !wanted {
            continue;
        }
        let subject = Subject::new(config, doc, doc_history);
        scanned.findings.extend(links::check(
            &subject,
            &scanned.links,
            &site,
            &document_ids,
            &mut version_ids,
        ));
        findings.extend(leveled(doc, doc_history, &site_levels, scanned.findings)?);
    }
    findings.sort_by(|a, b| {
        let line = |f: &Finding| f.span.as_ref().map_or((0, 0), |s| (s.line, s.column));
        (&a.file, line(a), a.lint).cmp(&(&b.file, line(b), b.lint))
    });
    Ok(Report {
        findings,
        documents: selected.iter().filter(|&&s| s).count(),
    })
}

/// Which documents to check: all, or those named by file or URL.
fn select(
    documents: &[Document],
    histories: &[DocHistory],
    wanted: &[String],
) -> Result<Vec<bool>> {
    let matches = |doc: &Document, h: &DocHistory, name: &str| {
        doc.display_path == name
            || h.source == name
            || doc.url.trim_matches('/') == name.trim_matches('/')
    };
    for name in wanted {
        if !documents
            .iter()
            .zip(histories)
            .any(|(d, h)| matches(d, h, name))
        {
            bail!(
                "no document `{name}` to check; name one by its file (content/privacy.md) or URL (/privacy/), or run `redline log` to list them"
            );
        }
    }
    Ok(documents
        .iter()
        .zip(histories)
        .map(|(d, h)| wanted.is_empty() || wanted.iter().any(|name| matches(d, h, name)))
        .collect())
}

/// Findings with the document's levels applied, the allowed ones (and
/// those silenced on their line) dropped, and the file named as git does.
fn leveled(
    doc: &Document,
    doc_history: &DocHistory,
    site: &Levels,
    findings: Vec<Finding>,
) -> Result<Vec<Finding>> {
    let levels = silence::document_levels(site, doc)?;
    let allowed = silence::allowed_lines(doc)?;
    Ok(findings
        .into_iter()
        .filter_map(|mut finding| {
            finding.level = levels.get(finding.lint);
            let silenced = finding.span.as_ref().is_some_and(|span| {
                allowed
                    .get(&span.line)
                    .is_some_and(|lints| lints.contains(&finding.lint))
            });
            finding.file = doc_history.source.clone();
            (finding.level != Level::Allow && !silenced).then_some(finding)
        })
        .collect())
}
