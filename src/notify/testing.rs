//! Changes made up for the unit tests of the pure notify steps.

use crate::changes::ChangeClass;
use crate::feeds::SiteChange;
use crate::pages::{DocSummary, VersionContext};
use crate::standing::Status;

/// A change of document `url` in `commit`, at `seconds`.
pub fn change(commit: &str, url: &str, class: ChangeClass, seconds: i64) -> SiteChange {
    SiteChange {
        document: DocSummary {
            title: url.trim_end_matches('/').to_string(),
            id: url.trim_end_matches('/').to_string(),
            url: url.to_string(),
            description: String::new(),
            last_updated: String::new(),
            last_updated_iso: String::new(),
            effective: String::new(),
            effective_iso: String::new(),
            unpublished: false,
            withdrawn: String::new(),
            withdrawn_iso: String::new(),
            weight: None,
        },
        version: VersionContext {
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
        },
    }
}
