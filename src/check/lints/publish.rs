//! What the build already notices about publishing, as findings:
//! `unpublished` (uncommitted changes, what `build --strict` refuses) and
//! `ignored-visible-change` (a commit in the ignore-revs file that changes
//! what readers see, which history reports while reading).

use super::Subject;
use crate::check::finding::Finding;
use crate::source::lint_levels::Lint;

pub fn check(subject: &Subject<'_>) -> Vec<Finding> {
    let file = &subject.doc.display_path;
    let mut findings = Vec::new();
    if subject.history.unpublished {
        let message = if subject.history.versions.is_empty() {
            "this document is not committed: the site would show it as unpublished"
        } else {
            "this document has uncommitted changes, so the site marks it unpublished"
        };
        findings.push(Finding::document(
            Lint::Unpublished,
            file,
            message.into(),
            format!("commit {file}, or leave the change out of the build"),
        ));
    }
    let ignore_revs =
        crate::source::content::display(&subject.config.root, &subject.config.ignore_revs_file);
    for commit in &subject.history.ignored_visible {
        let short = &commit[..7.min(commit.len())];
        findings.push(Finding::document(
            Lint::IgnoredVisibleChange,
            file,
            format!(
                "commit {short} is listed in {ignore_revs} but changes what readers see, so no version records the text it published"
            ),
            format!("take {short} out of {ignore_revs}: only changes readers cannot see belong there"),
        ));
    }
    findings
}
