//! Where a template failed while rendering. Tera reports a line only for
//! syntax errors; a render error names the template and the variable,
//! filter or function that failed, so the line is found by looking for that
//! name in the template's text: the first line that uses it.

use crate::render::theme::TemplateSource;

/// A line of a template file, with what was looked for on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The template's file, as shown to people (`templates/page.html`).
    pub origin: String,
    /// 1-based.
    pub line: usize,
    /// The variable, filter or function the line uses.
    pub name: String,
}

/// The location of a render error from tera's cause chain (outermost first),
/// when the chain names both the template and what failed in it.
pub fn locate(chain: &[String], rendered: &str, templates: &[TemplateSource]) -> Option<Location> {
    let template = chain
        .iter()
        .find_map(|m| between(m, "(error happened in '", "')"))
        .unwrap_or(rendered);
    let (name, needle) = chain.iter().find_map(|m| culprit(m))?;
    let source = templates.iter().find(|t| t.name == template)?;
    let line = source.text.lines().position(|line| uses(line, &needle))? + 1;
    Some(Location {
        origin: source.origin.clone(),
        line,
        name,
    })
}

/// What failed, and the text a line that uses it contains.
fn culprit(message: &str) -> Option<(String, String)> {
    if let Some(variable) = between(message, "Variable `", "` not found") {
        return Some((variable.to_string(), variable.to_string()));
    }
    for (start, end) in [("Filter call '", "' failed"), ("Filter '", "' not found")] {
        if let Some(filter) = between(message, start, end) {
            return Some((filter.to_string(), filter.to_string()));
        }
    }
    for (start, end) in [
        ("Function call '", "' failed"),
        ("Function '", "' not found"),
    ] {
        if let Some(function) = between(message, start, end) {
            return Some((function.to_string(), format!("{function}(")));
        }
    }
    None
}

/// Whether `line` has `needle` as a whole name, not inside a longer one
/// (`page.title` is not used by a line that only has `page.title_short`).
fn uses(line: &str, needle: &str) -> bool {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    line.match_indices(needle).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + needle.len()..].chars().next();
        !before.is_some_and(is_name) && (needle.ends_with('(') || !after.is_some_and(is_name))
    })
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testing::template;

    fn chain(messages: &[&str]) -> Vec<String> {
        messages.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn a_missing_variable_is_found_on_its_first_whole_use() {
        let page = template(
            "page.html",
            "{% extends \"base.html\" %}\n{{ page.title_short }}\n{{ page.title }}\n{{ page.title }}\n",
        );
        let found = locate(
            &chain(&[
                "Failed to render 'page.html'",
                "Variable `page.title` not found in context while rendering 'page.html'",
            ]),
            "page.html",
            &[page],
        );
        assert_eq!(
            found,
            Some(Location {
                origin: "templates/page.html".into(),
                line: 3,
                name: "page.title".into()
            })
        );
    }

    #[test]
    fn an_error_in_a_parent_template_is_looked_for_there() {
        let page = template(
            "page.html",
            "{% extends \"base.html\" %}\n{{ shout(x=1) }}\n",
        );
        let base = template("base.html", "<html>\n\n{{ shout(x=2) }}\n");
        let found = locate(
            &chain(&[
                "Failed to render 'page.html' (error happened in 'base.html').",
                "Function 'shout' not found",
            ]),
            "page.html",
            &[page, base],
        )
        .unwrap();
        assert_eq!(
            (found.origin.as_str(), found.line),
            ("templates/base.html", 3)
        );
    }

    #[test]
    fn a_failing_filter_is_found() {
        let page = template("page.html", "a\n{{ page.date | date(format=\"%Y\") }}\n");
        let found = locate(
            &chain(&["Failed to render 'page.html'", "Filter call 'date' failed"]),
            "page.html",
            &[page],
        )
        .unwrap();
        assert_eq!((found.line, found.name.as_str()), (2, "date"));
    }

    #[test]
    fn nothing_is_claimed_when_the_name_is_not_in_the_text() {
        let page = template("page.html", "{{ other }}\n");
        let found = locate(
            &chain(&["Variable `page.title` not found in context while rendering 'page.html'"]),
            "page.html",
            &[page],
        );
        assert_eq!(found, None);
    }
}
