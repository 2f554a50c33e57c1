//! Changes made up for the unit tests of the pure notify steps.

use crate::history::changes::ChangeClass;
use crate::render::testing::{document, version};
use crate::site::feeds::SiteChange;

/// A change of document `url` in `commit`, at `seconds`.
pub fn change(commit: &str, url: &str, class: ChangeClass, seconds: i64) -> SiteChange {
    SiteChange {
        document: document(url),
        version: version(commit, url, class, seconds),
    }
}
