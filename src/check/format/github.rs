//! Findings as GitHub Actions workflow commands (`::error file=…,line=…::…`),
//! which the runner turns into annotations on the pull request's diff.
//! Values are escaped as the runner's toolkit escapes them.

use std::fmt::Write as _;

use crate::check::Report;
use crate::source::lint_levels::Level;

/// The message part: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: also `:` and `,`, which end it.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match finding.level {
            Level::Deny => "error",
            _ => "warning",
        };
        let mut properties = format!("file={}", escape_property(&finding.file));
        if let Some(span) = &finding.span {
            let _ = write!(
                properties,
                ",line={},col={},endColumn={}",
                span.line,
                span.column,
                span.column + span.width
            );
        }
        let _ = write!(properties, ",title={}", escape_property(finding.lint.id()));
        let message = format!("{}\nhelp: {}", finding.message, finding.help);
        let _ = writeln!(out, "::{command} {properties}::{}", escape_data(&message));
    }
    out
}
