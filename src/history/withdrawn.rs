//! Withdrawn documents: those deleted from the content folder. Each keeps
//! its archive, and its URL serves a page saying when it was withdrawn with
//! links to every version. This step turns a withdrawn document's history
//! into a [`Document`] read from its last text, so the pipeline renders it
//! like any other.

use std::collections::HashSet;

use anyhow::{Context, Result};
use git2::{Oid, Repository};

use crate::history::{DocHistory, History, Withdrawal};
use crate::source::config::Config;
use crate::source::content::{Content, Document};
use crate::source::frontmatter::{self, FrontMatter};

/// The documents of `history.withdrawn`, in the same order. One whose URL
/// another document now has moves to `<url>-withdrawn-<date>/`.
pub fn documents(config: &Config, content: &Content, history: &History) -> Result<Vec<Document>> {
    let (Some(git_dir), false) = (&history.repository, history.withdrawn.is_empty()) else {
        return Ok(Vec::new());
    };
    let repo = Repository::open(git_dir)
        .with_context(|| format!("cannot open the repository {}", git_dir.display()))?;
    let mut taken: HashSet<String> = content.documents.iter().map(|d| d.url.clone()).collect();
    history
        .withdrawn
        .iter()
        .map(|doc| {
            let document = document(config, &repo, doc, &taken)?;
            taken.insert(document.url.clone());
            Ok(document)
        })
        .collect()
}

fn document(
    config: &Config,
    repo: &Repository,
    history: &DocHistory,
    taken: &HashSet<String>,
) -> Result<Document> {
    let newest = history
        .versions
        .first()
        .context("a withdrawn document has at least one version")?;
    let blob = Oid::from_str(&newest.blob)
        .and_then(|oid| repo.find_blob(oid))
        .with_context(|| format!("cannot read {} as of {}", newest.path, newest.commit))?;
    let text = String::from_utf8_lossy(blob.content());
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (front, body, body_line) = match frontmatter::split(text) {
        Ok(split) => (split.front, split.body.to_string(), split.body_line),
        Err(_) => (FrontMatter::default(), text.to_string(), 1),
    };
    let date = withdrawal_day(config, history.withdrawn.as_ref());
    let url = if taken.contains(&newest.url) {
        format!("{}-withdrawn-{date}/", newest.url.trim_end_matches('/'))
    } else {
        newest.url.clone()
    };
    let language = config.languages.of_url(&newest.url);
    Ok(Document {
        language: language.code.clone(),
        translation_key: format!(
            "/{}",
            newest
                .url
                .strip_prefix(language.url_prefix.as_str())
                .unwrap_or(&newest.url)
                .trim_start_matches('/')
        ),
        path: config.root.join(&newest.path),
        display_path: newest.path.clone(),
        url,
        front,
        body,
        body_line,
    })
}

/// The day a document was withdrawn, in the site's zone (ISO).
pub fn withdrawal_day(config: &Config, withdrawal: Option<&Withdrawal>) -> String {
    withdrawal
        .map(|w| {
            crate::source::dates::zoned(w.seconds, w.offset_minutes, config.timezone.as_ref())
                .date()
                .to_string()
        })
        .unwrap_or_default()
}
