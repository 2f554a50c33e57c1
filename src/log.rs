//! `redline log [DOC]`: a document's versions, or every document's last
//! update, as plain text for the terminal.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::config::Config;
use crate::content;
use crate::dates;
use crate::history;

/// The text `redline log` prints; `verbose` adds why each change has its
/// class.
pub fn log(config: &Config, document: Option<&str>, verbose: bool) -> Result<String> {
    let content = content::load(config, true)?;
    let history = history::read(config, &content.documents)?;
    let mut out = String::new();
    let date = |v: &history::Version| {
        dates::zoned(v.seconds, v.offset_minutes, config.timezone.as_ref()).date()
    };
    match document {
        None => {
            for (doc, h) in content.documents.iter().zip(&history.docs) {
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
                    "{last}  {:<3} {}  {}{flag}",
                    h.versions.len(),
                    doc.url,
                    h.source
                );
            }
        }
        Some(wanted) => {
            let found = content
                .documents
                .iter()
                .zip(&history.docs)
                .find(|(doc, h)| {
                    let trimmed = wanted.trim_matches('/');
                    doc.display_path == wanted
                        || h.source == wanted
                        || doc.url.trim_matches('/') == trimmed
                });
            let Some((doc, h)) = found else {
                bail!(
                    "no document `{wanted}`; name one by its file (content/privacy.md) or URL (/privacy/); `redline log` lists them"
                );
            };
            let _ = writeln!(
                out,
                "{} ({}), {} versions",
                doc.url,
                h.source,
                h.versions.len()
            );
            if h.unpublished {
                let _ = writeln!(out, "working tree  -------  unpublished changes");
            }
            // Each version's class and summary, as the site shows them.
            let (changes, _) = crate::site::changes_of(config, &content, &history)?;
            let url = doc.url.trim_start_matches('/');
            let change_of = |commit: &str| {
                changes
                    .iter()
                    .find(|c| c.document.url == url && c.version.commit == commit)
            };
            for v in &h.versions {
                let change = change_of(&v.commit);
                let class = change.map_or("", |c| c.version.change.as_str());
                let _ = writeln!(
                    out,
                    "{}  {}  {class:<9}  {}",
                    date(v),
                    &v.commit[..7.min(v.commit.len())],
                    v.subject
                );
                if let Some(c) = change.filter(|c| c.version.summary != v.subject) {
                    let _ = writeln!(out, "{:>32}{}", "", c.version.summary);
                }
                if let Some(c) = change.filter(|c| verbose && !c.version.reason.is_empty()) {
                    let _ = writeln!(out, "{:>32}why: {}", "", c.version.reason);
                }
            }
        }
    }
    for warning in history.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    Ok(out)
}
