//! `sanitized-html`: what `html = "sanitize"` takes out of a document's raw
//! HTML (an `<iframe>`, an `onclick`, a `javascript:` link), each kind once
//! at its first line — the build's warning, as a finding CI can stop on.

use super::Subject;
use crate::check::finding::{Finding, span};
use crate::source::lint_levels::Lint;
use crate::text::sanitize::Removal;

pub fn check(subject: &Subject<'_>, removed: &[Removal]) -> Vec<Finding> {
    let file = &subject.doc.display_path;
    removed
        .iter()
        .map(|removal| {
            let index = subject.body_index(removal.line);
            let text = subject.line(index);
            let indent = text.len() - text.trim_start().len();
            Finding::at(
                Lint::SanitizedHtml,
                file,
                span(subject.file_line(index), text, indent, text.len()),
                format!(
                    "raw HTML: {} is removed by html = \"sanitize\", so readers never see it",
                    removal.what
                ),
                "remove it from the file, or set html = \"trust\" in redline.toml if this site's HTML is trusted".into(),
            )
        })
        .collect()
}
