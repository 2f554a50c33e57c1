//! `versions.json`: the machine-readable record of every document and its
//! versions, so apps can ask "has this policy changed since the version the
//! user accepted?". Field names are a contract (see DESIGN.md): add, never rename.

use serde::Serialize;

use crate::config::Config;
use crate::dates;
use crate::pages::Page;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub generator: String,
    /// True when built from a shallow clone with `--allow-shallow`.
    pub approximate_dates: bool,
    pub documents: Vec<DocumentEntry>,
}

#[derive(Debug, Serialize)]
pub struct DocumentEntry {
    pub source: String,
    pub url: String,
    pub title: String,
    pub last_updated: Option<String>,
    pub effective: Option<String>,
    pub unpublished: bool,
    /// SHA-256 of what a reader sees now (title and rendered body).
    pub sha256: String,
    pub versions: Vec<VersionEntry>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    pub commit: String,
    pub date: String,
    pub author: String,
    pub subject: String,
    pub sha256: String,
}

/// Builds the manifest from the pages (in site order).
pub fn manifest(
    config: &Config,
    pages: &[Page<'_>],
    sha256: &[String],
    approximate: bool,
) -> Manifest {
    let documents = pages
        .iter()
        .zip(sha256)
        .map(|(page, sha256)| DocumentEntry {
            source: page
                .history
                .map_or_else(|| page.doc.display_path.clone(), |h| h.source.clone()),
            url: page.doc.url.clone(),
            title: page.title.clone(),
            last_updated: page.last_updated.as_ref().map(|d| d.iso.clone()),
            effective: page.doc.front.effective.map(|d| d.to_string()),
            unpublished: page.unpublished(),
            sha256: sha256.clone(),
            versions: page
                .history
                .map(|h| {
                    h.versions
                        .iter()
                        .map(|v| VersionEntry {
                            commit: v.commit.clone(),
                            date: dates::rfc3339(&dates::zoned(
                                v.seconds,
                                v.offset_minutes,
                                config.timezone.as_ref(),
                            )),
                            author: v.author.clone(),
                            subject: v.subject.clone(),
                            sha256: v.sha256.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Manifest {
        generator: crate::GENERATOR.to_string(),
        approximate_dates: approximate,
        documents,
    }
}
