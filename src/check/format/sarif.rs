//! Findings as SARIF 2.1.0, the format code-scanning dashboards (GitHub's
//! among them) read: one run, one rule per lint, one result per finding.

use serde_json::{Value, json};

use crate::check::Report;
use crate::source::lint_levels::{Level, Lint};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = Lint::ALL
        .iter()
        .map(|lint| {
            json!({
                "id": lint.id(),
                "shortDescription": {"text": lint.description()},
                "defaultConfiguration": {"level": sarif_level(lint.default_level())},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let mut location = json!({
                "physicalLocation": {"artifactLocation": {"uri": finding.file}}
            });
            if let Some(span) = &finding.span {
                location["physicalLocation"]["region"] = json!({
                    "startLine": span.line,
                    "startColumn": span.column,
                    "endColumn": span.column + span.width,
                    "snippet": {"text": span.text},
                });
            }
            json!({
                "ruleId": finding.lint.id(),
                "ruleIndex": Lint::ALL.iter().position(|l| *l == finding.lint),
                "level": sarif_level(finding.level),
                "message": {"text": format!("{} Help: {}", finding.message, finding.help)},
                "locations": [location],
            })
        })
        .collect();
    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "redline",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}
