//! The allowlist sanitizer for raw HTML in Markdown (`html = "sanitize"`),
//! as GitHub renders it: tables and text-level markup pass, scripts,
//! styles, event handlers, frames, forms and dangerous URLs do not.
//!
//! Sanitizing is done on the whole rendered page, because a raw HTML table
//! is often split over several Markdown blocks; so the allowlist also holds
//! the markup redline itself writes (heading anchors, footnotes, task list
//! boxes). [`removals`] reads the raw HTML as written, to say what the
//! sanitizer takes out and where: nothing disappears silently.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::markdown::safe_url;

/// Elements raw HTML may use.
const TAGS: &[&str] = &[
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "col",
    "colgroup",
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "abbr",
    "code",
    "pre",
    "span",
    "div",
    "blockquote",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "time",
    "a",
    "img",
    "del",
    "ins",
    "mark",
    "kbd",
    "q",
    "cite",
    // Written by redline itself: footnotes and task lists.
    "section",
    "input",
];

/// Attributes any allowed element may have.
const GENERIC_ATTRIBUTES: &[&str] = &["id", "title", "lang", "dir"];

/// Attributes particular elements may have.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    (
        "a",
        &[
            "href",
            "class",
            "aria-label",
            // Footnotes as comrak writes them.
            "data-footnote-ref",
            "data-footnote-backref",
            "data-footnote-backref-idx",
        ],
    ),
    ("img", &["src", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan", "align"]),
    ("th", &["colspan", "rowspan", "align"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("time", &["datetime"]),
    ("ol", &["start"]),
    ("details", &["open"]),
    ("code", &["class"]),
    ("sup", &["class"]),
    ("section", &["class", "data-footnotes"]),
    ("input", &["type", "checked", "disabled"]),
];

/// Classes kept: only the ones redline's own markup uses.
const CLASSES: &[&str] = &["anchor", "footnote-ref", "footnote-backref", "footnotes"];

/// Elements removed together with what they hold: their text is code or
/// markup, never something a reader was meant to read.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "template", "textarea", "title", "xmp", "noembed", "noframes", "noscript",
    "iframe", "object", "svg", "math", "select",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    let tag_attributes: HashMap<&str, HashSet<&str>> = TAG_ATTRIBUTES
        .iter()
        .map(|(tag, attributes)| (*tag, attributes.iter().copied().collect()))
        .collect();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(tag_attributes)
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(keep_attribute_value);
    builder
});

/// The attribute values the allowlist of names cannot judge: URLs by the
/// rule Markdown links follow, classes by [`CLASSES`], checkboxes only.
fn keep_attribute_value<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
) -> Option<Cow<'u, str>> {
    match attribute {
        "href" | "src" => (!safe_url(value).is_empty() || value.is_empty()).then_some(value.into()),
        "class" => {
            let kept: Vec<&str> = value
                .split_ascii_whitespace()
                .filter(|class| {
                    CLASSES.contains(class) || (element == "code" && class.starts_with("language-"))
                })
                .collect();
            (!kept.is_empty()).then(|| kept.join(" ").into())
        }
        "type" => value
            .eq_ignore_ascii_case("checkbox")
            .then_some(value.into()),
        _ => Some(value.into()),
    }
}

/// `html` with everything outside the allowlist taken out.
pub fn clean(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// One kind of thing the sanitizer took out, and where it first was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Line in the Markdown body, from 1.
    pub line: usize,
    /// What was taken out: `<iframe>`, `the onclick attribute`,
    /// `a javascript: URL`.
    pub what: String,
}

/// What the sanitizer takes out of raw HTML `html` that starts on `line`,
/// each kind once, in order of first appearance. `seen` holds the kinds
/// already reported for the document, so each is reported once per document.
pub fn removals(html: &str, line: usize, seen: &mut BTreeSet<String>) -> Vec<Removal> {
    let sink = RemovalSink {
        line,
        found: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let found = tokenizer.sink.found.into_inner();
    found
        .into_iter()
        .filter(|removal| seen.insert(removal.what.clone()))
        .collect()
}

struct RemovalSink {
    line: usize,
    found: RefCell<Vec<Removal>>,
}

impl TokenSink for RemovalSink {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind == TagKind::EndTag {
            return TokenSinkResult::Continue;
        }
        let line = self.line + usize::try_from(line_number).unwrap_or(1).saturating_sub(1);
        let mut found = self.found.borrow_mut();
        let mut report = |what: String| found.push(Removal { line, what });
        let name: &str = &tag.name;
        if !TAGS.contains(&name) {
            report(format!("<{name}>"));
            return TokenSinkResult::Continue;
        }
        for attribute in &tag.attrs {
            let attribute_name: &str = &attribute.name.local;
            let value: &str = &attribute.value;
            let allowed = GENERIC_ATTRIBUTES.contains(&attribute_name)
                || TAG_ATTRIBUTES
                    .iter()
                    .any(|(t, names)| *t == name && names.contains(&attribute_name));
            if !allowed {
                report(format!("the {attribute_name} attribute"));
            } else if matches!(attribute_name, "href" | "src") && !value.is_empty() {
                let cleaned: String = value
                    .trim_start_matches(|c: char| c <= ' ')
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .collect();
                if safe_url(value).is_empty() {
                    let scheme = cleaned.split(':').next().unwrap_or("").to_ascii_lowercase();
                    report(format!("a {scheme}: URL"));
                }
            }
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(html: &str) -> Vec<String> {
        removals(html, 1, &mut BTreeSet::new())
            .into_iter()
            .map(|r| r.what)
            .collect()
    }

    #[test]
    fn tables_and_text_markup_pass() {
        let table = "<table><thead><tr><th colspan=\"2\">Data</th></tr></thead><tbody><tr><td><p>Email</p><ul><li>to <strong>log in</strong></li></ul></td><td rowspan=\"2\">Contract</td></tr></tbody></table>";
        assert_eq!(clean(table), table);
        assert!(removed(table).is_empty());
    }

    #[test]
    fn what_is_removed_is_named_once_with_its_line() {
        let html = "<div onclick=\"x()\">\n<iframe src=\"https://x.example\"></iframe>\n<a href=\"jav&#x09;ascript:alert(1)\">a</a><iframe></iframe>\n</div>";
        let mut seen = BTreeSet::new();
        let found = removals(html, 10, &mut seen);
        let found: Vec<_> = found.iter().map(|r| (r.line, r.what.as_str())).collect();
        assert_eq!(
            found,
            [
                (10, "the onclick attribute"),
                (11, "<iframe>"),
                (12, "a javascript: URL")
            ]
        );
        // The same kinds again in the same document: already reported.
        assert!(removals(html, 20, &mut seen).is_empty());
        let out = clean(html);
        assert!(!out.contains("onclick") && !out.contains("iframe"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
    }

    #[test]
    fn classes_are_kept_only_for_redlines_own_markup() {
        assert_eq!(
            clean("<code class=\"language-rust evil\">x</code><p class=\"big\">y</p>"),
            "<code class=\"language-rust\">x</code><p>y</p>"
        );
        assert_eq!(clean("<input type=\"text\">"), "<input>");
    }
}
