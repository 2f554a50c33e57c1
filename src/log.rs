//! `redline log [DOC]`: a document's versions, or every document's last
//! update, as plain text for the terminal.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::history::{self, DocHistory};
use crate::report;
use crate::source::config::Config;
use crate::source::content::{self, Document};
use crate::source::dates;
use crate::text::control_chars;

/// The text `redline log` prints; `verbose` adds why each change has its
/// class.
pub fn log(config: &Config, document: Option<&str>, verbose: bool) -> Result<String> {
    let content = content::load(config, true)?;
    let history = history::read(config, &content.documents)?;
    let mut out = String::new();
    let date = |v: &history::Version| {
        dates::zoned(v.seconds, v.offset_minutes, config.timezone.as_ref()).date()
    };
    // Translations are judged from both documents' classed versions, so
    // only a site that has any pays for reading their archives.
    let has_translations = content.translations.source.iter().any(Option::is_some);
    let (judged_changes, statuses) = if has_translations {
        let (changes, statuses) = crate::site::translations_of(config, &content, &history)?;
        (Some(changes), statuses)
    } else {
        (None, Vec::new())
    };
    let standing = |index: usize| -> String {
        let Some(Some(status)) = statuses.get(index) else {
            return String::new();
        };
        if status.outdated {
            format!(
                "  ({} translation, outdated: the {} source changed materially on {})",
                content.documents[index].language, status.source_language, status.changed_iso
            )
        } else {
            format!(
                "  ({} translation, current)",
                content.documents[index].language
            )
        }
    };
    match document {
        None => {
            for (index, (doc, h)) in content.documents.iter().zip(&history.docs).enumerate() {
                let last = h
                    .versions
                    .first()
                    .map_or_else(|| "—         ".to_string(), |v| date(v).to_string());
                let flag = if h.unpublished {
                    "  (unpublished changes)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{last}  {:<3} {}  {}{flag}{}",
                    h.versions.len(),
                    safe(&doc.url),
                    safe(&h.source),
                    standing(index)
                );
            }
        }
        Some(wanted) => {
            let Some(index) = find(&content.documents, &history.docs, wanted) else {
                bail!(not_found(&content.documents, &history.docs, wanted));
            };
            let (doc, h) = (&content.documents[index], &history.docs[index]);
            let _ = writeln!(
                out,
                "{} ({}), {}{}",
                safe(&doc.url),
                safe(&h.source),
                report::count(h.versions.len(), "version"),
                standing(index)
            );
            if h.unpublished {
                let _ = writeln!(out, "working tree  -------  unpublished changes");
            }
            // Each version's class and summary, as the site shows them.
            let changes = match judged_changes {
                Some(changes) => changes,
                None => crate::site::changes_of(config, &content, &history)?.0,
            };
            let url = doc.url.trim_start_matches('/');
            let change_of = |commit: &str| {
                changes
                    .iter()
                    .find(|c| c.document.url == url && c.version.commit == commit)
            };
            for v in &h.versions {
                let change = change_of(&v.commit);
                let class = change.map_or("", |c| c.version.change.as_str());
                // The terminal is local: authors and subjects show here
                // whatever the site publishes.
                let _ = writeln!(
                    out,
                    "{}  {}  {class:<9}  {}  ({})",
                    date(v),
                    &v.commit[..7.min(v.commit.len())],
                    safe(&v.subject),
                    safe(&v.author)
                );
                if let Some(c) = change.filter(|c| c.version.summary != v.subject) {
                    let _ = writeln!(out, "{:>32}{}", "", safe(&c.version.summary));
                }
                if let Some(c) = change.filter(|c| verbose && !c.version.reason.is_empty()) {
                    let _ = writeln!(out, "{:>32}why: {}", "", c.version.reason);
                }
            }
        }
    }
    for warning in config.warnings.iter().chain(&history.warnings) {
        let _ = writeln!(out, "warning: {}", safe(warning));
    }
    Ok(out)
}

/// Commit subjects, notices and file names are anyone's text: printed as
/// they are, an escape sequence in one would drive the reader's terminal.
fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    control_chars::terminal_safe(text)
}

/// The document named by its file (as given or relative to the repository)
/// or its URL.
fn find(documents: &[Document], histories: &[DocHistory], wanted: &str) -> Option<usize> {
    let trimmed = wanted.trim_matches('/');
    documents.iter().zip(histories).position(|(doc, h)| {
        doc.display_path == wanted || h.source == wanted || doc.url.trim_matches('/') == trimmed
    })
}

/// How many documents a "no such document" error lists before it points at
/// `redline log` for the rest.
const LISTED: usize = 8;

/// Why `wanted` names no document, and which to name instead: the file it
/// was renamed to, else the documents there are now (never `wanted` itself).
fn not_found(documents: &[Document], histories: &[DocHistory], wanted: &str) -> String {
    let renamed = documents.iter().zip(histories).find(|(_, h)| {
        h.versions
            .iter()
            .any(|v| v.path == wanted && v.path != h.source)
    });
    if let Some((doc, h)) = renamed {
        return format!(
            "no document is at `{}` now: it was renamed to {} ({}); run `redline log {}`",
            safe(wanted),
            safe(&h.source),
            safe(&doc.url),
            safe(&h.source)
        );
    }
    let Some(first) = documents.first() else {
        return format!(
            "no document `{}`: the content folder holds no Markdown files",
            safe(wanted)
        );
    };
    let mut listed: Vec<String> = documents
        .iter()
        .take(LISTED)
        .map(|doc| safe(&doc.display_path).into_owned())
        .collect();
    if documents.len() > LISTED {
        listed.push(format!(
            "and {} more (`redline log` lists them all)",
            documents.len() - LISTED
        ));
    }
    format!(
        "no document `{}`; the documents are {}; name one by its file or URL, e.g. `redline log {}` or `redline log {}`",
        safe(wanted),
        listed.join(", "),
        safe(&first.display_path),
        safe(&first.url)
    )
}
