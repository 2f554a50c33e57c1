//! Pages made up for unit tests: a document summary and a version context
//! with every field filled, for tests that change only what they look at,
//! and a template as a site's `templates/` folder gives it.

use crate::history::changes::ChangeClass;
use crate::history::standing::Status;
use crate::render::pages::{DocSummary, VersionContext};
use crate::render::theme::TemplateSource;

/// The summary of document `url`.
pub fn document(url: &str) -> DocSummary {
    DocSummary {
        title: url.trim_end_matches('/').to_string(),
        id: url.trim_end_matches('/').to_string(),
        url: url.to_string(),
        language: "en".into(),
        description: String::new(),
        last_updated: String::new(),
        last_updated_iso: String::new(),
        effective: String::new(),
        effective_iso: String::new(),
        unpublished: false,
        withdrawn: String::new(),
        withdrawn_iso: String::new(),
        weight: None,
    }
}

/// A version of document `url` in `commit`, at `seconds`.
pub fn version(commit: &str, url: &str, class: ChangeClass, seconds: i64) -> VersionContext {
    VersionContext {
        date: "March 10, 2026".into(),
        date_iso: "2026-03-10".into(),
        datetime: "2026-03-10T10:00:00+00:00".into(),
        time: "10:00".into(),
        label: "March 10, 2026".into(),
        label_iso: "2026-03-10".into(),
        seconds,
        commit: commit.to_string(),
        short_commit: commit.to_string(),
        subject: None,
        author: None,
        title: url.to_string(),
        slug: "2026-03-10".into(),
        url: format!("{url}versions/2026-03-10/"),
        diff_url: format!("{url}changes/2026-03-10/"),
        change: class,
        reason: String::new(),
        summary: "We now keep prompts for 90 days.".into(),
        summary_by_author: true,
        sections: Vec::new(),
        words_added: 0,
        words_removed: 0,
        effective: String::new(),
        effective_iso: String::new(),
        status: Status::InForce,
        applies_from: "March 10, 2026".into(),
        applies_from_iso: "2026-03-10".into(),
        applies_until: String::new(),
        applies_until_iso: String::new(),
        compare_url: format!("{url}compare/2026-03-10/"),
        sha256: String::new(),
    }
}

/// Template `name` with `text`, from the site's `templates/`.
pub fn template(name: &str, text: &str) -> TemplateSource {
    TemplateSource {
        name: name.into(),
        origin: format!("templates/{name}"),
        text: text.into(),
    }
}
