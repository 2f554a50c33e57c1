//! Attribute lists as Jekyll (kramdown) and Hugo (goldmark) sites write
//! them: `{: #id .class key="value" }` after a block or a heading, and
//! `{#id}` at the end of a heading. Pure: finds the lists in a text, says
//! which id the last one gives, and returns the text without them, so a
//! list never shows in text, titles, tables of contents or summaries.
//!
//! The id is kept (it becomes the element's id); a class only when the
//! site names it in `allowed_classes` (its theme styles it); other
//! attributes are dropped, since a raw attribute is a way around the HTML
//! sanitizer.

use std::sync::Mutex;

use memchr::memchr;

/// The classes a site lets attribute lists give (`allowed_classes`).
/// Interned, so render options stay `Copy`: each distinct list is stored
/// once for the life of the process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllowedClasses(&'static [Box<str>]);

static INTERNED: Mutex<Vec<&'static [Box<str>]>> = Mutex::new(Vec::new());

impl AllowedClasses {
    /// No class allowed: the default.
    pub const NONE: AllowedClasses = AllowedClasses(&[]);

    pub fn new(names: &[String]) -> AllowedClasses {
        if names.is_empty() {
            return AllowedClasses::default();
        }
        let mut interned = INTERNED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&found) = interned.iter().find(|list| {
            list.iter()
                .map(|n| &**n)
                .eq(names.iter().map(String::as_str))
        }) {
            return AllowedClasses(found);
        }
        let list: &'static [Box<str>] =
            Box::leak(names.iter().map(|n| n.as_str().into()).collect());
        interned.push(list);
        AllowedClasses(list)
    }

    /// The allowed ones of `classes`, space-separated; None when none is.
    pub fn filter(self, classes: &[String]) -> Option<String> {
        let kept: Vec<&str> = classes
            .iter()
            .map(String::as_str)
            .filter(|class| self.0.iter().any(|allowed| &**allowed == *class))
            .collect();
        (!kept.is_empty()).then(|| kept.join(" "))
    }
}

/// Whether `name` may be listed in `allowed_classes`: letters, digits, `-`
/// and `_`, not starting with a digit or `-`, as a CSS class selector
/// reads without escapes.
pub fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A text with its attribute lists taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    /// The text without the lists, and without the spaces before a list
    /// that ended it.
    pub text: String,
    /// The id of a list that ended the text, if it gave one.
    pub trailing_id: Option<String>,
    /// The classes of a list that ended the text, as written.
    pub trailing_classes: Vec<String>,
}

/// `text` without its attribute lists, or None when it has none (most
/// text: the check is one scan for `{`). `{#id}` without a colon counts
/// only at the end and only where `heading` is true, as goldmark reads it;
/// elsewhere braces are ordinary text.
pub fn strip(text: &str, heading: bool) -> Option<Stripped> {
    memchr(b'{', text.as_bytes())?;
    let mut out = String::with_capacity(text.len());
    let mut trailing_id = None;
    let mut trailing_classes = Vec::new();
    let mut found = false;
    let mut rest = text;
    while let Some(at) = memchr(b'{', rest.as_bytes()) {
        let candidate = &rest[at..];
        let list = parse(candidate)
            .filter(|list| list.kramdown || (heading && candidate[list.len..].trim().is_empty()));
        match list {
            Some(list) => {
                found = true;
                out.push_str(&rest[..at]);
                rest = &candidate[list.len..];
                if rest.trim().is_empty() {
                    trailing_id = list.id;
                    trailing_classes = list.classes;
                    rest = "";
                    let kept = out.trim_end().len();
                    out.truncate(kept);
                } else if out.ends_with(' ') && rest.starts_with(' ') {
                    rest = &rest[1..];
                }
            }
            None => {
                out.push_str(&rest[..=at]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    found.then_some(Stripped {
        text: out,
        trailing_id,
        trailing_classes,
    })
}

/// One list at the start of a text.
#[derive(Debug)]
struct List {
    /// Bytes the list takes, braces included.
    len: usize,
    id: Option<String>,
    classes: Vec<String>,
    /// Written `{: … }`, kramdown's form, which may stand anywhere.
    kramdown: bool,
}

/// Reads a list at the start of `text` (which starts with `{`): tokens
/// `#id`, `.class`, `key=value` with the value bare or quoted, and in the
/// kramdown form also reference names and an `name:` definition.
fn parse(text: &str) -> Option<List> {
    let body = text.strip_prefix('{')?;
    let (kramdown, mut rest) = match body.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let mut id = None;
    let mut classes = Vec::new();
    let mut tokens = 0;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix('}') {
            // `{}` is no list; `{:}` is an empty kramdown one.
            if tokens == 0 && !kramdown {
                return None;
            }
            return Some(List {
                len: text.len() - after.len(),
                id,
                classes,
                kramdown,
            });
        }
        let (token, after) = token(rest)?;
        if let Some(name) = token.strip_prefix('#') {
            id = Some(name.to_string());
        } else if let Some(class) = token.strip_prefix('.').filter(|c| !c.is_empty()) {
            classes.push(class.to_string());
        } else if !token.starts_with('.') && !token.contains('=') && !kramdown {
            return None; // goldmark has no reference names
        }
        tokens += 1;
        rest = after;
    }
}

/// One token: a name, optionally `=` and a value, the value possibly in
/// quotes (with `\"` inside).
fn token(text: &str) -> Option<(&str, &str)> {
    let name_end = text
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '#' | '.' | '-' | '_' | ':')))
        .unwrap_or(text.len());
    if name_end == 0 {
        return None;
    }
    let after_name = &text[name_end..];
    let Some(value) = after_name.strip_prefix('=') else {
        return Some((&text[..name_end], after_name));
    };
    let value_len = match value.chars().next()? {
        quote @ ('"' | '\'') => {
            let mut escaped = false;
            let close = value[1..].char_indices().find(|&(_, c)| {
                let closes = c == quote && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })?;
            close.0 + 2
        }
        _ => value
            .find(|c: char| c.is_whitespace() || c == '}')
            .unwrap_or(value.len()),
    };
    let end = name_end + 1 + value_len;
    Some((&text[..end], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(text: &str, heading: bool) -> Option<(String, Option<String>)> {
        strip(text, heading).map(|s| (s.text, s.trailing_id))
    }

    #[test]
    fn kramdown_lists_go_and_give_their_id() {
        assert_eq!(
            stripped("Information we collect {: #markup }", true),
            Some(("Information we collect".into(), Some("markup".into())))
        );
        assert_eq!(
            stripped(
                r#"Effective October 31, 2025 {: datetime="2025-10-31" }"#,
                false
            ),
            Some(("Effective October 31, 2025".into(), None))
        );
        assert_eq!(
            stripped(r#"{: .table key='a b' #t}"#, false),
            Some((String::new(), Some("t".into())))
        );
        // A span list in the middle of a sentence goes, one space stays.
        assert_eq!(
            stripped(r#"Read this {:target="_blank"} now"#, false),
            Some(("Read this now".into(), None))
        );
        // An attribute list definition.
        assert_eq!(
            stripped("{:ref: .wide}", false),
            Some((String::new(), None))
        );
    }

    #[test]
    fn goldmark_ids_count_only_at_the_end_of_a_heading() {
        assert_eq!(
            stripped("Your rights {#rights}", true),
            Some(("Your rights".into(), Some("rights".into())))
        );
        assert_eq!(stripped("Your rights {#rights}", false), None);
        assert_eq!(stripped("Set {#rights} here", true), None);
    }

    #[test]
    fn classes_are_read_and_kept_only_when_allowed() {
        let list = strip("Note this. {: .note .wide #n }", false).expect("a list");
        assert_eq!(list.trailing_classes, ["note", "wide"]);
        let allowed = AllowedClasses::new(&["note".into(), "callout".into()]);
        assert_eq!(allowed.filter(&list.trailing_classes), Some("note".into()));
        assert_eq!(
            AllowedClasses::default().filter(&list.trailing_classes),
            None
        );
        // The same list is stored once.
        assert_eq!(
            allowed,
            AllowedClasses::new(&["note".into(), "callout".into()])
        );
        assert!(is_class_name("call-out_2") && is_class_name("_x"));
        for bad in ["", "2col", "-x", "a b", "a\"b", "a.b"] {
            assert!(!is_class_name(bad), "{bad}");
        }
    }

    #[test]
    fn ordinary_braces_are_text() {
        for text in [
            "No braces",
            "A {placeholder} here",
            "{}",
            "JSON {\"a\": 1}",
            "Unclosed {: #x",
            "Odd {: =x}",
            "A set {a, b}",
        ] {
            assert_eq!(strip(text, true), None, "{text}");
        }
    }
}
