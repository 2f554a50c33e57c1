//! Findings for people at a terminal, laid out as rustc and clippy lay out
//! theirs: the level and lint, the place, the line quoted with a caret
//! under what is wrong, and `= help:` with the fix.

use std::fmt::Write as _;

use crate::check::Report;
use crate::check::finding::Finding;
use crate::report::count;
use crate::source::lint_levels::Level;
use crate::text::control_chars::terminal_safe;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        finding_text(&mut out, finding);
        out.push('\n');
    }
    let (errors, warnings) = (report.count(Level::Deny), report.count(Level::Warn));
    let _ = writeln!(
        out,
        "check: {}, {} in {}",
        count(errors, "error"),
        count(warnings, "warning"),
        count(report.documents, "document")
    );
    out
}

fn finding_text(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "{}[{}]: {}",
        finding.level.as_str(),
        finding.lint,
        terminal_safe(&finding.message)
    );
    let file = terminal_safe(&finding.file);
    match &finding.span {
        None => {
            let _ = writeln!(out, "  --> {file}");
            let _ = writeln!(out, "   = help: {}", terminal_safe(&finding.help));
        }
        Some(span) => {
            let number = span.line.to_string();
            let gutter = " ".repeat(number.len());
            // One column a character, so the caret lands under the text.
            let text: String = span
                .text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(out, "{gutter}--> {file}:{}:{}", span.line, span.column);
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{number} | {}", text.trim_end());
            let _ = writeln!(
                out,
                "{gutter} | {}{}",
                " ".repeat(span.column.saturating_sub(1)),
                "^".repeat(span.width.max(1))
            );
            let _ = writeln!(out, "{gutter} |");
            let _ = writeln!(out, "{gutter} = help: {}", terminal_safe(&finding.help));
        }
    }
}
