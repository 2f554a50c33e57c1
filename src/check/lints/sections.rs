//! `required-sections` (opt-in): `[check.required_sections]` maps a glob
//! over paths inside the content folder to headings every matching
//! document must have, compared case-insensitively with spaces collapsed.

use comrak::nodes::AstNode;

use super::Subject;
use crate::check::finding::Finding;
use crate::source::lint_levels::Lint;
use crate::text::markdown;

fn normal(heading: &str) -> String {
    heading
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn check<'a>(
    subject: &Subject<'_>,
    root: &'a AstNode<'a>,
    leading: Option<&str>,
) -> Vec<Finding> {
    let config = subject.config;
    let rules = &config.check.required_sections;
    if rules.is_empty() {
        return Vec::new();
    }
    let inside = subject
        .doc
        .path
        .strip_prefix(&config.content_dir)
        .unwrap_or(&subject.doc.path)
        .to_string_lossy()
        .replace('\\', "/");
    let mut present: Vec<String> = markdown::headings(root)
        .iter()
        .map(|h| normal(&h.title))
        .collect();
    present.extend(leading.map(normal));
    let mut findings = Vec::new();
    for (glob, headings) in rules {
        // Checked when the config was loaded.
        let Ok(glob) = globset::Glob::new(glob) else {
            continue;
        };
        if !glob.compile_matcher().is_match(&inside) {
            continue;
        }
        for heading in headings {
            if present.contains(&normal(heading)) {
                continue;
            }
            findings.push(Finding::document(
                Lint::RequiredSections,
                &subject.doc.display_path,
                format!(
                    "no \"{heading}\" section: [check.required_sections] `{}` asks for one",
                    glob.glob()
                ),
                format!("add a heading `## {heading}` with what readers need to know there"),
            ));
        }
    }
    findings
}
