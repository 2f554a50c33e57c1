//! `versions.json`: the machine-readable record of every document and its
//! versions, so apps can ask "has this policy changed since the version the
//! user accepted?". Field names are a contract (see DESIGN.md): add, never rename.

use serde::Serialize;

use crate::history::changes::ChangeClass;
use crate::history::standing::Status;
use crate::render::pages::Page;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub generator: String,
    /// True when built from a shallow clone with `--allow-shallow`.
    pub approximate_dates: bool,
    pub documents: Vec<DocumentEntry>,
}

#[derive(Debug, Serialize)]
pub struct DocumentEntry {
    /// The permanent id (see [`crate::render::pages::document_id`]).
    pub id: String,
    pub source: String,
    pub url: String,
    pub title: String,
    /// The language it is written in (BCP 47).
    pub language: String,
    /// For a translation: the URL of the document it translates.
    pub translation_of: Option<String>,
    /// For a translation: whether it shows its source's newest material
    /// change (see [`TranslationEntry`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translation: Option<TranslationEntry>,
    pub last_updated: Option<String>,
    pub effective: Option<String>,
    pub unpublished: bool,
    /// The day it was deleted from the content folder; absent while it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// SHA-256 of what a reader sees now (title and rendered body).
    pub sha256: String,
    pub versions: Vec<VersionEntry>,
}

/// A translation's standing against its source.
#[derive(Debug, Serialize)]
pub struct TranslationEntry {
    /// `current` or `outdated`.
    pub status: &'static str,
    /// The day of the source's newest material change.
    pub source_changed: Option<String>,
    /// The source version the translation was made from.
    pub translated_commit: Option<String>,
    /// The redline of what changed in the source since then.
    pub compare_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    pub commit: String,
    pub date: String,
    /// The version's permanent page.
    pub url: String,
    /// The redline against the version before; null for the first.
    pub diff_url: Option<String>,
    /// `initial`, `editorial` or `material`.
    pub change: ChangeClass,
    pub summary: String,
    pub effective: Option<String>,
    /// `scheduled`, `in force` or `superseded`, as of the build's day.
    pub status: Status,
    /// The day the version starts (or started) to apply.
    pub applies_from: String,
    /// The day the version that replaced it applies from; null while open.
    pub applies_until: Option<String>,
    /// The redline from this version to the newest: what changed since a
    /// reader accepted it.
    pub compare_url: String,
    /// Only with `publish_authors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Only with `publish_commit_subjects`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// SHA-256 of what a reader saw (title and rendered body).
    pub sha256: String,
}

/// Builds the manifest from the pages (in site order).
pub fn manifest(pages: &[Page<'_>], sha256: &[String], approximate: bool) -> Manifest {
    let documents = pages
        .iter()
        .zip(sha256)
        .map(|(page, sha256)| DocumentEntry {
            id: page.id.clone(),
            withdrawn: page.withdrawn_at.as_ref().map(|(day, _)| day.iso.clone()),
            source: page
                .history
                .map_or_else(|| page.doc.display_path.clone(), |h| h.source.clone()),
            url: page.doc.url.clone(),
            title: page.title.clone(),
            language: page.doc.language.clone(),
            translation_of: page.translation_of.clone(),
            translation: page.translation.as_ref().map(|t| TranslationEntry {
                status: if t.outdated { "outdated" } else { "current" },
                source_changed: (!t.changed_iso.is_empty()).then(|| t.changed_iso.clone()),
                translated_commit: t.translated_commit.clone(),
                compare_url: (!t.compare_url.is_empty()).then(|| format!("/{}", t.compare_url)),
            }),
            last_updated: page.last_updated.as_ref().map(|d| d.iso.clone()),
            effective: page.doc.front.effective.map(|d| d.to_string()),
            unpublished: page.unpublished(),
            sha256: sha256.clone(),
            versions: page
                .versions
                .iter()
                .map(|v| VersionEntry {
                    commit: v.commit.clone(),
                    date: v.datetime.clone(),
                    url: format!("/{}", v.url),
                    diff_url: (!v.diff_url.is_empty()).then(|| format!("/{}", v.diff_url)),
                    change: v.change,
                    summary: v.summary.clone(),
                    effective: (!v.effective_iso.is_empty()).then(|| v.effective_iso.clone()),
                    status: v.status,
                    applies_from: v.applies_from_iso.clone(),
                    applies_until: (!v.applies_until_iso.is_empty())
                        .then(|| v.applies_until_iso.clone()),
                    compare_url: format!("/{}", v.compare_url),
                    author: v.author.clone(),
                    subject: v.subject.clone(),
                    sha256: v.sha256.clone(),
                })
                .collect(),
        })
        .collect();
    Manifest {
        generator: crate::GENERATOR.to_string(),
        approximate_dates: approximate,
        documents,
    }
}
