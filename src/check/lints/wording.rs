//! `check-back-wording`: sentences that leave spotting changes to the
//! reader ("review this policy periodically", "continued use constitutes
//! acceptance"). European regulators' transparency guidance says such
//! wording is not enough notice of a material change; the site already
//! announces changes on the page, in feeds and by email.
//!
//! Paragraphs are matched with their lines joined, so a phrase wrapped
//! across two lines is still found, and reported where it starts.

use std::sync::LazyLock;

use regex::Regex;

use super::Subject;
use crate::check::finding::{Finding, span};
use crate::source::lint_levels::Lint;

static WORDING: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        // "review this policy periodically", "check this page regularly for updates"
        r"\b(?:review|check|visit|consult|revisit|re-?read)\s+(?:this|these|our|the)\s+(?:privacy\s+|cookie\s+)?(?:page|policy|policies|terms|statement|notice|site|website)(?:\s+\w+){0,3}?\s+(?:periodically|regularly|frequently|often|from\s+time\s+to\s+time|for\s+(?:any\s+)?(?:updates|changes))",
        r"\b(?:periodically|regularly|frequently)\s+(?:review|check|visit)\s+(?:this|these|our|the)\b",
        r"\bcheck\s+back\b",
        r"\b(?:you\s+are|you're)\s+(?:responsible|encouraged|advised)\s+(?:for\s+|to\s+)(?:periodically\s+|regularly\s+)?(?:review|check|monitor)",
        r"\bcontinued\s+use\b[^.]{0,80}?\b(?:constitutes|signifies|means|indicates|shall\s+constitute|will\s+constitute|is\s+deemed|will\s+be\s+deemed)\b[^.]{0,40}?\b(?:acceptance|agreement|consent)",
        r"\bby\s+continuing\s+to\s+use\b[^.]{0,80}?\byou\s+(?:accept|agree|consent)",
    ];
    Regex::new(&format!("(?i){}", patterns.join("|"))).expect("the wording pattern compiles")
});

/// A paragraph's lines joined with single spaces, and where each line
/// starts in the joined text.
struct Joined {
    text: String,
    /// (offset in `text`, body line index, offset of the line's text in the line)
    starts: Vec<(usize, usize, usize)>,
}

fn paragraphs<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<Joined> {
    let mut out = Vec::new();
    let mut current: Option<Joined> = None;
    for (index, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.trim().is_empty() {
            out.extend(current.take());
            continue;
        }
        let joined = current.get_or_insert_with(|| Joined {
            text: String::new(),
            starts: Vec::new(),
        });
        if !joined.text.is_empty() {
            joined.text.push(' ');
        }
        joined
            .starts
            .push((joined.text.len(), index, line.len() - trimmed.len()));
        joined.text.push_str(trimmed.trim_end());
    }
    out.extend(current);
    out
}

pub fn check(subject: &Subject<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for paragraph in paragraphs(subject.lines()) {
        for found in WORDING.find_iter(&paragraph.text) {
            // The line the phrase starts on.
            let Some(&(line_start, index, indent)) = paragraph
                .starts
                .iter()
                .rev()
                .find(|(start, _, _)| *start <= found.start())
            else {
                continue;
            };
            let line = subject.line(index);
            let start = indent + found.start() - line_start;
            let end = (start + found.len()).min(line.len());
            findings.push(Finding::at(
                Lint::CheckBackWording,
                &subject.doc.display_path,
                span(subject.file_line(index), line, start, end),
                format!(
                    "`{}` leaves it to readers to notice changes, which is not enough notice of a material change",
                    found.as_str()
                ),
                "say how you announce changes instead: redline shows a notice on this page, keeps every version with a redline, and publishes feeds and change emails (`redline notify`)".into(),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(text: &str) -> Vec<String> {
        let lines: Vec<&str> = text.lines().collect();
        paragraphs(lines.iter().copied().enumerate())
            .iter()
            .flat_map(|p| {
                WORDING
                    .find_iter(&p.text)
                    .map(|m| m.as_str().to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn burden_on_the_reader_is_found_even_across_a_line_break() {
        assert_eq!(
            matches("We encourage you to review this\npolicy periodically."),
            ["review this\npolicy periodically".replace('\n', " ")]
        );
        assert_eq!(
            matches("Please check this page regularly for updates.").len(),
            1
        );
        assert_eq!(
            matches("Your continued use of the Service constitutes acceptance of the new terms.")
                .len(),
            1
        );
        assert_eq!(matches("Check back often.").len(), 1);
    }

    #[test]
    fn notice_wording_is_not_burden_wording() {
        assert!(
            matches("We will email you at least 30 days before a material change takes effect.")
                .is_empty()
        );
        assert!(matches("You can review your settings at any time.").is_empty());
        assert!(
            matches("By creating an account or using the Service, you agree to these Terms.")
                .is_empty()
        );
    }
}
