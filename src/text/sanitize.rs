//! The allowlist sanitizer for raw HTML in Markdown (`html = "sanitize"`),
//! as GitHub renders it: tables and text-level markup pass, scripts,
//! styles, event handlers, frames, forms and dangerous URLs do not.
//!
//! It filters tokens, not a tree: each piece of raw HTML in the Markdown is
//! read by html5ever's tokenizer and written again from scratch, keeping
//! only allowed tags with allowed attributes, and escaping all text. So
//! the output holds nothing but the allowlist and escaped text, whatever
//! the input's tricks, and a table split over several Markdown blocks
//! (`<td>` here, `</td>` there) is cleaned piece by piece, with no parse of
//! the whole page: a document pays only for its raw HTML. The same pass
//! says what it removed and on which line, so nothing disappears silently.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use crate::text::control_chars::push_escaped;
use crate::text::urls::safe_url;

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
];

/// Elements without content or end tag.
const VOID: &[&str] = &["br", "hr", "img", "col"];

/// Attributes any allowed element may have.
const GENERIC_ATTRIBUTES: &[&str] = &["id", "title", "lang", "dir"];

/// Attributes particular elements may have.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan", "align"]),
    ("th", &["colspan", "rowspan", "align"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("time", &["datetime"]),
    ("ol", &["start"]),
    ("details", &["open"]),
];

/// Elements removed together with what they hold: their text is code or
/// markup, never something a reader was meant to read. Each with the
/// tokenizer state a browser reads its content in.
const DROPPED_WITH_CONTENT: &[(&str, Content)] = &[
    ("script", Content::Raw(RawKind::ScriptData)),
    ("style", Content::Raw(RawKind::Rawtext)),
    ("xmp", Content::Raw(RawKind::Rawtext)),
    ("iframe", Content::Raw(RawKind::Rawtext)),
    ("noembed", Content::Raw(RawKind::Rawtext)),
    ("noframes", Content::Raw(RawKind::Rawtext)),
    ("noscript", Content::Raw(RawKind::Rawtext)),
    ("textarea", Content::Raw(RawKind::Rcdata)),
    ("title", Content::Raw(RawKind::Rcdata)),
    ("plaintext", Content::Plaintext),
    ("template", Content::Markup),
    ("object", Content::Markup),
    ("svg", Content::Markup),
    ("math", Content::Markup),
    ("select", Content::Markup),
];

#[derive(Debug, Clone, Copy)]
enum Content {
    Raw(RawKind),
    Plaintext,
    Markup,
}

/// One kind of thing the sanitizer took out, and where it first was.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Removal {
    /// Line in the Markdown body, from 1.
    pub line: usize,
    /// What was taken out: `<iframe>`, `the onclick attribute`,
    /// `a javascript: URL`.
    pub what: String,
}

/// What is left of a piece of raw HTML: called in order with the allowed
/// tags (attributes already filtered) and the text.
pub trait Visitor {
    fn start(&mut self, name: &str, attributes: &[(&str, &str)]);
    fn end(&mut self, name: &str);
    fn text(&mut self, text: &str);
}

/// The sanitizer's memory over one document: what it removed (each kind
/// reported once) and the elements raw HTML opened and has not closed, so
/// an end tag closes only what raw HTML opened — never the page around it.
#[derive(Debug, Default)]
pub struct Report {
    pub removed: Vec<Removal>,
    seen: BTreeSet<String>,
    open: Vec<String>,
}

/// Elements a browser closes by itself when their parent closes.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption",
];

impl Report {
    /// End tags for what raw HTML left open at the end of the document.
    pub fn close_open(&mut self) -> String {
        let mut html = String::new();
        for name in self.open.drain(..).rev() {
            if !OPTIONAL_END.contains(&name.as_str()) {
                let _ = write!(html, "</{name}>");
            }
        }
        html
    }

    fn note(&mut self, line: usize, what: String) {
        if !self.seen.contains(&what) {
            self.seen.insert(what.clone());
            self.removed.push(Removal { line, what });
        }
    }
}

/// `html` with everything outside the allowlist taken out.
pub fn clean(html: &str) -> String {
    clean_reporting(html, 1, &mut Report::default())
}

/// [`clean`], noting in `report` what went; `html` starts on body line
/// `line`.
///
/// A build cleans the same table once per version of its document, so
/// results are remembered per thread (up to [`CACHE_BYTES`] of HTML): the
/// result depends only on the HTML and the elements left open before it.
pub fn clean_reporting(html: &str, line: usize, report: &mut Report) -> String {
    let cached = CACHE.with(|cache| cache.borrow().get(html, &report.open));
    let cleaned = cached.unwrap_or_else(|| {
        let mut fresh = Report {
            open: report.open.clone(),
            ..Report::default()
        };
        let mut writer = Writer(String::with_capacity(html.len()));
        filter(html, 1, &mut fresh, &mut writer);
        let cleaned = Cleaned {
            html: writer.0,
            removed: fresh.removed,
            open_after: fresh.open,
        };
        CACHE.with(|cache| {
            cache
                .borrow_mut()
                .insert(html, report.open.clone(), cleaned.clone())
        });
        cleaned
    });
    for removal in cleaned.removed {
        report.note(line + removal.line - 1, removal.what);
    }
    report.open = cleaned.open_after;
    cleaned.html
}

/// How much raw HTML each thread remembers the cleaning of.
const CACHE_BYTES: usize = 4 << 20;

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Cleaned HTML by raw HTML and the elements open before it, found by
/// their hash without copying them.
#[derive(Default)]
struct Cache {
    entries: HashMap<u64, Vec<(String, Vec<String>, Cleaned)>>,
    bytes: usize,
}

impl Cache {
    fn hash(html: &str, open: &[String]) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        (html, open).hash(&mut hasher);
        hasher.finish()
    }

    fn get(&self, html: &str, open: &[String]) -> Option<Cleaned> {
        self.entries
            .get(&Cache::hash(html, open))?
            .iter()
            .find(|(h, o, _)| h == html && o == open)
            .map(|(_, _, cleaned)| cleaned.clone())
    }

    fn insert(&mut self, html: &str, open: Vec<String>, cleaned: Cleaned) {
        let size = 2 * html.len() + cleaned.html.len();
        if self.bytes + size > CACHE_BYTES {
            self.entries.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.entries
            .entry(Cache::hash(html, &open))
            .or_default()
            .push((html.to_string(), open, cleaned));
    }
}

/// One piece of raw HTML cleaned, its removals' lines counted from 1.
#[derive(Clone)]
struct Cleaned {
    html: String,
    removed: Vec<Removal>,
    open_after: Vec<String>,
}

/// Reads `html` and hands what the allowlist keeps to `visitor`.
pub fn filter(html: &str, line: usize, report: &mut Report, visitor: &mut dyn Visitor) {
    let sink = Filter {
        state: RefCell::new(FilterState {
            line,
            report,
            visitor,
            dropping: Vec::new(),
        }),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
}

struct Filter<'r> {
    state: RefCell<FilterState<'r>>,
}

struct FilterState<'r> {
    line: usize,
    report: &'r mut Report,
    visitor: &'r mut dyn Visitor,
    /// The elements being dropped with their content, innermost last.
    dropping: Vec<String>,
}

impl TokenSink for Filter<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        let line = state.line + usize::try_from(line_number).unwrap_or(1).saturating_sub(1);
        match token {
            Token::TagToken(tag) => state.tag(&tag, line),
            Token::CharacterTokens(text) if state.dropping.is_empty() => {
                state.visitor.text(&text);
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

impl FilterState<'_> {
    fn tag(&mut self, tag: &Tag, line: usize) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        if let Some(innermost) = self.dropping.last() {
            // Inside a dropped element: only its nesting matters.
            if tag.kind == TagKind::EndTag && innermost == name {
                self.dropping.pop();
            } else if tag.kind == TagKind::StartTag && innermost == name && !tag.self_closing {
                self.dropping.push(name.to_string());
            }
            return TokenSinkResult::Continue;
        }
        if let Some((_, content)) = DROPPED_WITH_CONTENT.iter().find(|(n, _)| *n == name) {
            if tag.kind == TagKind::StartTag {
                self.report.note(line, format!("<{name}>"));
                if !tag.self_closing || matches!(content, Content::Raw(_) | Content::Plaintext) {
                    self.dropping.push(name.to_string());
                }
                return match content {
                    Content::Raw(kind) => TokenSinkResult::RawData(*kind),
                    Content::Plaintext => TokenSinkResult::Plaintext,
                    Content::Markup => TokenSinkResult::Continue,
                };
            }
            return TokenSinkResult::Continue;
        }
        if !TAGS.contains(&name) {
            if tag.kind == TagKind::StartTag {
                self.report.note(line, format!("<{name}>"));
            }
            return TokenSinkResult::Continue;
        }
        if tag.kind == TagKind::EndTag {
            if let Some(at) = self.report.open.iter().rposition(|open| open == name) {
                self.report.open.truncate(at);
                self.visitor.end(name);
            }
            return TokenSinkResult::Continue;
        }
        let mut kept: Vec<(&str, &str)> = Vec::with_capacity(tag.attrs.len());
        for attribute in &tag.attrs {
            let attribute_name: &str = &attribute.name.local;
            let value: &str = &attribute.value;
            let allowed = GENERIC_ATTRIBUTES.contains(&attribute_name)
                || TAG_ATTRIBUTES
                    .iter()
                    .any(|(t, names)| *t == name && names.contains(&attribute_name));
            if !allowed {
                self.report
                    .note(line, format!("the {attribute_name} attribute"));
            } else if matches!(attribute_name, "href" | "src") && safe_url(value).is_empty() {
                if !value.is_empty() {
                    self.report
                        .note(line, format!("a {}: URL", scheme_of(value)));
                }
            } else {
                kept.push((attribute_name, value));
            }
        }
        self.visitor.start(name, &kept);
        if !VOID.contains(&name) && !tag.self_closing {
            self.report.open.push(name.to_string());
        }
        TokenSinkResult::Continue
    }
}

/// The scheme of a URL as a browser reads it (control characters skipped).
fn scheme_of(url: &str) -> String {
    url.trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take_while(|&c| c != ':')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Writes what the filter keeps as HTML: every tag whole and canonical,
/// every value and text escaped.
struct Writer(String);

impl Visitor for Writer {
    fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let out = &mut self.0;
        out.push('<');
        out.push_str(name);
        for (attribute, value) in attributes {
            let _ = write!(out, " {attribute}=\"");
            push_escaped(out, value);
            out.push('"');
        }
        out.push('>');
    }

    fn end(&mut self, name: &str) {
        let _ = write!(self.0, "</{name}>");
    }

    fn text(&mut self, text: &str) {
        push_escaped(&mut self.0, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn cleaning_is_idempotent_and_leaves_nothing_executable(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<table>", "<tr>", "<td colspan=2>", "</td>", "</tr>", "</table>", "<p>",
                    "</p>", "<div>", "</div>", "<script>", "</script>", "<style>", "</style>",
                    "<svg onload=x()>", "</svg>", "<img src=x onerror=y()>",
                    "<a href=\"jav&#x09;ascript:z()\">", "<a href='https://x.example'>", "</a>",
                    "<!--", "-->", "<", ">", "&", "\"", "'", "&lt;", "text ", "\n", "\0",
                    "<textarea>", "<math>", "<b title=\"", "<noscript>", "<plaintext>",
                ]),
                0..16,
            ),
        ) {
            let html = pieces.concat();
            let once = clean(&html);
            proptest::prop_assert_eq!(clean(&once), once.clone());
            let lower = once.to_lowercase();
            proptest::prop_assert!(!lower.contains("<script"), "{}", once);
            // Every `<` left opens a tag (text ones are escaped); inside a
            // tag, values are quoted and have no quote of their own.
            for tag in lower.split('<').skip(1) {
                let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                let parts: Vec<&str> = tag.split('"').collect();
                for (i, part) in parts.iter().enumerate() {
                    if i % 2 == 0 {
                        proptest::prop_assert!(!part.contains(" on"), "{}", once);
                    } else if parts[i - 1].ends_with("href=") || parts[i - 1].ends_with("src=") {
                        proptest::prop_assert!(!part.contains("script:"), "{}", once);
                    }
                }
            }
        }
    }

    fn cleaned(html: &str, line: usize, report: &mut Report) -> (String, Vec<(usize, String)>) {
        let before = report.removed.len();
        let out = clean_reporting(html, line, report);
        let removed = report.removed[before..]
            .iter()
            .map(|r| (r.line, r.what.clone()))
            .collect();
        (out, removed)
    }

    #[test]
    fn tables_and_text_markup_pass_as_written() {
        let table = "<table><thead><tr><th colspan=\"2\">Data</th></tr></thead><tbody><tr><td><p>Email &amp; phone</p><ul><li>to <strong>log in</strong></li></ul></td><td rowspan=\"2\">Contract</td></tr></tbody></table>";
        let mut report = Report::default();
        assert_eq!(cleaned(table, 1, &mut report), (table.to_string(), vec![]));
    }

    #[test]
    fn a_split_table_is_cleaned_piece_by_piece_and_closes_only_itself() {
        let mut report = Report::default();
        assert_eq!(
            clean_reporting("<div><table>\n<tr><td>", 1, &mut report),
            "<div><table>\n<tr><td>"
        );
        assert_eq!(
            clean_reporting("</td></tr>\n</table>", 5, &mut report),
            "</td></tr>\n</table>"
        );
        // The page's own elements stay open; the raw <div> is closed at the end.
        assert_eq!(
            clean_reporting("</section></div></div>", 9, &mut report),
            "</div>"
        );
        assert_eq!(
            clean_reporting("<details><p>", 10, &mut report),
            "<details><p>"
        );
        assert_eq!(report.close_open(), "</details>");
        // An unfinished tag is not written at all.
        assert_eq!(clean("<b title=\"x"), "");
    }

    #[test]
    fn what_is_removed_is_named_once_with_its_line() {
        let html = "<div onclick=\"x()\">\n<iframe src=\"https://x.example\"><p>in</p></iframe>\n<a href=\"jav&#x09;ascript:alert(1)\">a</a><iframe></iframe>\n</div>";
        let mut report = Report::default();
        let (out, removed) = cleaned(html, 10, &mut report);
        assert_eq!(
            removed,
            [
                (10, "the onclick attribute".to_string()),
                (11, "<iframe>".to_string()),
                (12, "a javascript: URL".to_string()),
            ]
        );
        assert_eq!(out, "<div>\n\n<a>a</a>\n</div>");
        assert_eq!(report.close_open(), "");
        // The same kinds again in the same document: already reported.
        assert_eq!(cleaned(html, 20, &mut report).1, []);
    }

    #[test]
    fn dropped_elements_take_their_content_and_text_is_escaped() {
        assert_eq!(
            clean(
                "a<script>x = '</p><b>';</script>b<style>p{}</style>c<svg><g><text>t</text></g></svg>d"
            ),
            "abcd"
        );
        assert_eq!(
            clean("<b>1 < 2 & \"q\"</b>"),
            "<b>1 &lt; 2 &amp; &quot;q&quot;</b>"
        );
        assert_eq!(
            clean("<p class=\"big\" style=\"x\">y</p><img src=x onerror=alert(1)>"),
            "<p>y</p><img src=\"x\">"
        );
    }
}
