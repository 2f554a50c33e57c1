//! Findings as one JSON document, for any tool that is not a terminal,
//! GitHub or a SARIF dashboard.

use serde_json::json;

use crate::check::Report;
use crate::source::lint_levels::Level;

pub fn render(report: &Report) -> String {
    let value = json!({
        "findings": report.findings,
        "errors": report.count(Level::Deny),
        "warnings": report.count(Level::Warn),
        "documents": report.documents,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
