//! A document's own say over the lints: levels in front matter
//! (`check: {allow: [...], warn: [...], deny: [...]}`) for the whole
//! document, and `<!-- redline-allow: lint-id -->` for one line — the line
//! the comment is on, or, when the comment stands alone on its line, the
//! line after it.

use std::collections::HashMap;
use std::sync::LazyLock;

use anyhow::{Result, bail};
use regex::Regex;
use serde_json::Value;

use crate::source::content::Document;
use crate::source::lint_levels::{Levels, Lint};

/// The levels for one document: the site's, then its front matter's.
pub fn document_levels(site: &Levels, doc: &Document) -> Result<Levels> {
    let Some(value) = doc.front.meta.get("check") else {
        return Ok(site.clone());
    };
    let shape = || {
        format!(
            "{}: front matter `check` must be a table of lint lists, like `check: {{allow: [hand-typed-date]}}`",
            doc.display_path
        )
    };
    let Value::Object(table) = value else {
        bail!(shape());
    };
    let mut lists: HashMap<&str, Vec<String>> = HashMap::new();
    for (key, ids) in table {
        if !matches!(key.as_str(), "allow" | "warn" | "deny") {
            bail!(
                "{}: front matter `check` has `{key}`; it takes `allow`, `warn` and `deny`",
                doc.display_path
            );
        }
        let ids = match ids {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .map(|id| id.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| anyhow::anyhow!(shape()))?,
            _ => bail!(shape()),
        };
        lists.insert(key.as_str(), ids);
    }
    let list = |key: &str| lists.get(key).cloned().unwrap_or_default();
    site.clone().with_lists(
        &format!("{}: front matter `check`", doc.display_path),
        &list("allow"),
        &list("warn"),
        &list("deny"),
    )
}

static ALLOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*redline-allow:\s*([^>]*?)\s*-->").expect("the allow pattern compiles")
});

/// File line (1-based) → the lints silenced on it.
pub fn allowed_lines(doc: &Document) -> Result<HashMap<usize, Vec<Lint>>> {
    let mut allowed: HashMap<usize, Vec<Lint>> = HashMap::new();
    for (index, line) in doc.body.lines().enumerate() {
        let file_line = doc.body_line + index;
        for caps in ALLOW.captures_iter(line) {
            let (Some(whole), Some(ids)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let alone = line.trim() == whole.as_str();
            let target = if alone { file_line + 1 } else { file_line };
            for id in ids.as_str().split([',', ' ']).filter(|id| !id.is_empty()) {
                let Some(lint) = Lint::from_id(id) else {
                    let known: Vec<&str> = Lint::ALL.iter().map(|l| l.id()).collect();
                    bail!(
                        "{}:{file_line}: `{id}` in `redline-allow` is not a lint; the lints are {}",
                        doc.display_path,
                        known.join(", ")
                    );
                };
                allowed.entry(target).or_default().push(lint);
            }
        }
    }
    Ok(allowed)
}
