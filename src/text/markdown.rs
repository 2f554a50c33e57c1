//! Markdown to HTML with comrak. Every comrak option redline uses is set here,
//! in one place, so the page renderer and the history engine (which compares
//! what a reader sees between commits) can never disagree.
//!
//! The AST is normalised before rendering so that edits a reader cannot see do
//! not change the HTML: soft line breaks become spaces (re-wrapping a paragraph
//! changes nothing), HTML comments are dropped and attribute lists
//! (`{: #id }`, see [`crate::text::attributes`]) are taken out of the text.
//!
//! Raw HTML follows [`HtmlMode`]; sanitized, each piece of it is cleaned by
//! [`crate::text::sanitize`] in the tree, during the same walk, so the page, the
//! version fingerprint and the redline all read the cleaned HTML, and a
//! document without raw HTML pays nothing for it.

use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, Attributes, NodeValue, Sourcepos};
use comrak::options::Plugins;
use comrak::{Arena, Options};
use memchr::memmem;
use serde::{Deserialize, Serialize};

use crate::text::anchors::Anchors;
use crate::text::attributes::{self, AllowedClasses};
use crate::text::sanitize::{self, Removal, Report};
use crate::text::urls::safe_url;

/// What raw HTML in Markdown becomes (`html = "…"` in the config).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HtmlMode {
    /// Through an allowlist sanitizer, as GitHub renders it.
    #[default]
    Sanitize,
    /// Shown as text.
    Escape,
    /// Passed through as written (`unsafe_html = true` before).
    Trust,
}

/// How to render; resolved from the site config.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    pub html: HtmlMode,
    /// Classes attribute lists may give (`allowed_classes`).
    pub classes: AllowedClasses,
}

/// One heading, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A rendered Markdown body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    pub html: String,
    /// Headings of level 2 and deeper, in document order.
    pub toc: Vec<TocEntry>,
    /// The text of a level-1 heading that opened the body. It is taken out of
    /// the HTML: templates print the title as the page's one `<h1>`.
    pub leading_title: Option<String>,
    /// What the sanitizer took out of the raw HTML, each kind once, with
    /// its line in the body.
    pub removed: Vec<Removal>,
}

/// A body parsed by [`parse`].
pub struct Parsed<'a> {
    pub root: &'a AstNode<'a>,
    /// The text of a leading level-1 heading, taken out of the tree.
    pub leading_title: Option<String>,
    /// What the sanitizer took out of the raw HTML.
    pub removed: Vec<Removal>,
}

/// Renders a Markdown body (front matter already removed).
pub fn render(body: &str, options: MarkdownOptions) -> Rendered {
    let arena = Arena::new();
    let parsed = parse(&arena, body, options);
    render_tree(&parsed, options)
}

/// Renders a tree made by [`parse`]. The tree is left as it was, so the
/// diff engine can read blocks from the same parse.
pub fn render_tree<'a>(parsed: &Parsed<'a>, options: MarkdownOptions) -> Rendered {
    let root = parsed.root;
    let comrak_options = comrak_options(options);
    let toc = headings(root);

    let classes = heading_nodes(root)
        .into_iter()
        .map(|(node, _)| {
            node.data
                .borrow()
                .attrs
                .as_ref()
                .map(|a| a.classes.join(" "))
        })
        .map(Option::unwrap_or_default);
    let adapter = HeadingIds::new(toc.iter().map(|e| e.id.clone()).zip(classes).collect());
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&adapter);
    let mut html = String::new();
    // Writing into a String cannot fail.
    let _ = comrak::format_html_with_plugins(root, &comrak_options, &mut html, &plugins);
    if memmem::find(html.as_bytes(), CLASS_MARK.as_bytes()).is_some() {
        html = apply_paragraph_classes(&html);
    }
    Rendered {
        html,
        toc: toc.into_iter().filter(|e| e.level > 1).collect(),
        leading_title: parsed.leading_title.clone(),
        removed: parsed.removed.clone(),
    }
}

/// Parses a body into the normalised tree a reader sees, exactly as
/// [`render`] does, with a leading `# heading` taken out and returned.
/// The diff engine reads blocks from this tree.
pub fn parse<'a>(arena: &'a Arena<'a>, body: &str, options: MarkdownOptions) -> Parsed<'a> {
    let root = comrak::parse_document(arena, body, &comrak_options(options));
    let removed = normalise(arena, root, options);
    let leading_title = take_leading_h1(root, options.html);
    Parsed {
        root,
        leading_title,
        removed,
    }
}

fn comrak_options(options: MarkdownOptions) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.link_url_rewriter = Some(Arc::new(safe_url));
    o.extension.image_url_rewriter = Some(Arc::new(safe_url));
    // Sanitized HTML is cleaned in the tree, then rendered as it is left.
    o.render.r#unsafe = options.html != HtmlMode::Escape;
    o.render.escape = options.html == HtmlMode::Escape;
    o
}

/// Detaches a level-1 heading that is the first block a reader can read and
/// returns its text. Blocks without text above it (an empty link, badges,
/// a blank image, raw HTML the page drops) stay where they are and do not
/// hide it, so adding one never flips the title to the file name.
fn take_leading_h1<'a>(root: &'a AstNode<'a>, html: HtmlMode) -> Option<String> {
    let first = root
        .children()
        .find(|block| !is_without_text(block, html))?;
    let is_h1 = matches!(first.data.borrow().value, NodeValue::Heading(ref h) if h.level == 1);
    if !is_h1 {
        return None;
    }
    let title = plain_text(first);
    first.detach();
    Some(title)
}

/// Whether a top-level block shows no text: a paragraph of nothing but
/// images, links without text and white space, or raw HTML (already
/// cleaned, when sanitized) that holds no text outside its tags. Escaped,
/// raw HTML is all text.
fn is_without_text<'a>(block: &'a AstNode<'a>, html: HtmlMode) -> bool {
    match &block.data.borrow().value {
        NodeValue::HtmlBlock(raw) if html == HtmlMode::Escape => raw.literal.trim().is_empty(),
        NodeValue::HtmlBlock(raw) => {
            let mut in_tag = false;
            !raw.literal.chars().any(|c| {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    _ => return !in_tag && !c.is_whitespace(),
                }
                false
            })
        }
        NodeValue::Paragraph => {
            // Text inside an image is its alt text, which only stands in for it.
            let mut pending: Vec<&'a AstNode<'a>> = block.children().collect();
            while let Some(node) = pending.pop() {
                match &node.data.borrow().value {
                    NodeValue::Text(t) if !t.trim().is_empty() => return false,
                    NodeValue::Code(_) => return false,
                    NodeValue::Image(_) => {}
                    _ => pending.extend(node.children()),
                }
            }
            true
        }
        _ => false,
    }
}

/// Makes reader-invisible edits render identically, and cleans raw HTML
/// when `html` says so. Returns what the cleaning removed.
fn normalise<'a>(
    arena: &'a Arena<'a>,
    root: &'a AstNode<'a>,
    options: MarkdownOptions,
) -> Vec<Removal> {
    let html = options.html;
    let mut comments = Vec::new();
    let mut texts = Vec::new();
    let mut report = Report::default();
    let sanitizing = html == HtmlMode::Sanitize;
    for node in root.descendants() {
        let mut data = node.data.borrow_mut();
        let line = data.sourcepos.start.line;
        match &mut data.value {
            NodeValue::Text(_) => texts.push(node),
            NodeValue::SoftBreak => {
                data.value = NodeValue::Text(" ".into());
                texts.push(node);
            }
            NodeValue::HtmlBlock(block) if is_comment(&block.literal) => comments.push(node),
            NodeValue::HtmlInline(html) if is_comment(html) => comments.push(node),
            NodeValue::HtmlBlock(block) if sanitizing => {
                block.literal = sanitize::clean_reporting(&block.literal, line, &mut report);
            }
            NodeValue::HtmlInline(html) if sanitizing => {
                *html = sanitize::clean_reporting(html, line, &mut report);
            }
            _ => {}
        }
    }
    for node in comments {
        node.detach();
    }
    merge_text(&texts);
    apply_attribute_lists(arena, &texts, options.classes);
    let unclosed = report.close_open();
    if !unclosed.is_empty() {
        root.append(arena.alloc(NodeValue::Raw(unclosed).into()));
    }
    report.removed
}

/// Takes attribute lists out of the text. An id ending a heading becomes
/// its anchor; one ending a paragraph, an empty anchor at its start.
/// Allowed classes ending a heading or a paragraph go on it. A paragraph or
/// table row left empty goes.
fn apply_attribute_lists<'a>(
    arena: &'a Arena<'a>,
    texts: &[&'a AstNode<'a>],
    allowed: AllowedClasses,
) {
    for &node in texts {
        let Some(parent) = node.parent() else {
            continue; // merged into the text before it
        };
        let in_heading = matches!(parent.data.borrow().value, NodeValue::Heading(_));
        let ends_block = node.next_sibling().is_none();
        let stripped = match &node.data.borrow().value {
            NodeValue::Text(text) => attributes::strip(text, in_heading && ends_block),
            _ => None,
        };
        let Some(stripped) = stripped else {
            continue;
        };
        let id = stripped.trailing_id.filter(|_| ends_block);
        let classes = allowed
            .filter(&stripped.trailing_classes)
            .filter(|_| ends_block);
        if stripped.text.is_empty() {
            node.detach();
        } else {
            node.data.borrow_mut().value = NodeValue::Text(stripped.text.into());
        }
        let parent_value = parent.data.borrow().value.clone();
        match parent_value {
            NodeValue::Heading(_) if id.is_some() || classes.is_some() => {
                parent.data.borrow_mut().attrs = Some(Box::new(Attributes {
                    id,
                    classes: classes.into_iter().collect(),
                    ..Attributes::default()
                }));
            }
            NodeValue::Paragraph if parent.first_child().is_none() => parent.detach(),
            NodeValue::Paragraph => {
                if let Some(id) = id {
                    let anchor = format!("<span id=\"{}\"></span>", escape_attr(&id));
                    parent.prepend(arena.alloc(NodeValue::Raw(anchor).into()));
                }
                if let Some(classes) = classes {
                    // comrak writes `<p>` bare: a mark at its start, moved
                    // into the tag once rendered.
                    let mark = format!("{CLASS_MARK}{}\"></span>", escape_attr(&classes));
                    parent.prepend(arena.alloc(NodeValue::Raw(mark).into()));
                }
            }
            NodeValue::TableCell => {
                let row = parent.parent();
                let empty =
                    row.is_some_and(|row| row.children().all(|c| c.first_child().is_none()));
                if let Some(row) = row.filter(|_| empty) {
                    row.detach();
                }
            }
            _ => {}
        }
    }
}

/// The start of the mark a paragraph's classes wait in. Raw HTML cannot
/// forge it: the sanitizer drops `data-` attributes and escaping turns `<`
/// into text (trusted HTML is trusted anyway).
const CLASS_MARK: &str = "<span data-redline-class=\"";

/// `html` with each paragraph's class mark moved into its `<p>` tag. A mark
/// not right after `<p>` (a tight list item has none) just goes.
fn apply_paragraph_classes(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = memmem::find(rest.as_bytes(), CLASS_MARK.as_bytes()) {
        let value = &rest[at + CLASS_MARK.len()..];
        let Some(end) = value.find("\"></span>") else {
            break;
        };
        let before = &rest[..at];
        match before.strip_suffix("<p>") {
            Some(head) => {
                out.push_str(head);
                out.push_str("<p class=\"");
                out.push_str(&value[..end]);
                out.push_str("\">");
            }
            None => out.push_str(before),
        }
        rest = &value[end + "\"></span>".len()..];
    }
    out.push_str(rest);
    out
}

/// Joins neighbouring text nodes (split by a removed comment or a soft break)
/// and collapses white space as a browser would, so `data <!-- x --> for`
/// renders exactly like `data for`. Text that needs neither is left as it is,
/// without copying: most of a document's text. `texts` are the tree's text
/// nodes in document order.
fn merge_text<'a>(texts: &[&'a AstNode<'a>]) {
    for &node in texts {
        if node.parent().is_none() {
            continue; // already merged into the text before it
        }
        let mut joined: Option<String> = None;
        while let Some(next) = node.next_sibling().filter(|n| is_text(n)) {
            let text = joined.get_or_insert_with(|| match &node.data.borrow().value {
                NodeValue::Text(t) => t.to_string(),
                _ => String::new(),
            });
            if let NodeValue::Text(t) = &next.data.borrow().value {
                text.push_str(t);
            }
            next.detach();
        }
        let in_block = || {
            node.parent().is_some_and(|p| {
                matches!(
                    p.data.borrow().value,
                    NodeValue::Paragraph | NodeValue::Heading(_) | NodeValue::TableCell
                )
            })
        };
        let trim_start = node.previous_sibling().is_none() && in_block();
        let trim_end = node.next_sibling().is_none() && in_block();
        let mut data = node.data.borrow_mut();
        let NodeValue::Text(current) = &mut data.value else {
            continue;
        };
        let text: &str = joined.as_deref().unwrap_or(current);
        match (normalise_spaces(text, trim_start, trim_end), joined) {
            (Some(normalised), _) | (None, Some(normalised)) => *current = normalised.into(),
            (None, None) => {}
        }
    }
}

fn is_text<'a>(node: &'a AstNode<'a>) -> bool {
    matches!(node.data.borrow().value, NodeValue::Text(_))
}

/// `text` with each run of white space made one space and, where asked, the
/// spaces at either end removed; None when that would change nothing.
/// No-break spaces beside ordinary white space fold into its run (a stray
/// `.\u{a0} ` reads as `. `), and those ending a block are trimmed, being
/// invisible there; elsewhere they are kept, since they hold words together
/// or indent a line.
fn normalise_spaces(text: &str, trim_start: bool, trim_end: bool) -> Option<String> {
    let trims_no_break = |s: &str| s.ends_with(NBSP) && !s.trim_matches(is_space).is_empty();
    let changes = (trim_start && text.starts_with(is_collapsible))
        || (trim_end && (text.ends_with(is_collapsible) || trims_no_break(text)))
        || needs_collapsing(text.as_bytes());
    if !changes {
        return None;
    }
    let collapsed = collapse_spaces(text);
    let mut normalised = collapsed.as_str();
    if trim_start {
        normalised = normalised.trim_start_matches(' ');
    }
    if trim_end {
        normalised = if trims_no_break(normalised) {
            normalised.trim_end_matches(is_space)
        } else {
            normalised.trim_end_matches(' ')
        };
    }
    Some(normalised.to_string())
}

const NBSP: char = '\u{a0}';

fn is_collapsible(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_space(c: char) -> bool {
    is_collapsible(c) || c == NBSP
}

/// Whether the text has a tab, a line break, two spaces in a row or a
/// no-break space beside another white space.
fn needs_collapsing(bytes: &[u8]) -> bool {
    static DOUBLE_SPACE: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new(b"  "));
    static NO_BREAK: LazyLock<memmem::Finder<'static>> =
        LazyLock::new(|| memmem::Finder::new("\u{a0}".as_bytes()));
    let is_space = |b: Option<&u8>| b.is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    memchr::memchr3(b'\t', b'\n', b'\r', bytes).is_some()
        || DOUBLE_SPACE.find(bytes).is_some()
        || NO_BREAK
            .find_iter(bytes)
            .any(|at| is_space(bytes.get(at.wrapping_sub(1))) || is_space(bytes.get(at + 2)))
}

/// Each run of white space as one space; a run of only no-break spaces is
/// kept as it is.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().any(is_collapsible) {
            out.push(' ');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_space(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Whether `html` is one comment and nothing else (`<!-- a --><b>x</b><!-- b -->`
/// is not: it has text to show).
fn is_comment(html: &str) -> bool {
    let html = html.trim();
    html.starts_with("<!--") && html.ends_with("-->") && html.find("-->") == Some(html.len() - 3)
}

/// Every heading with its id, made unique the way GitHub does, in document
/// order (the ids the rendered page uses).
/// An id given by an attribute list is kept as written, and no generated
/// id takes it.
pub fn headings<'a>(root: &'a AstNode<'a>) -> Vec<TocEntry> {
    let mut anchors = Anchors::default();
    let nodes = heading_nodes(root);
    let explicit: Vec<Option<String>> = nodes
        .iter()
        .map(|(node, _)| {
            let data = node.data.borrow();
            data.attrs.as_ref().and_then(|attrs| attrs.id.clone())
        })
        .collect();
    for id in explicit.iter().flatten() {
        anchors.claim(id);
    }
    nodes
        .into_iter()
        .zip(explicit)
        .map(|((node, level), explicit)| {
            let title = plain_text(node);
            if let Some(id) = explicit {
                return TocEntry { level, id, title };
            }
            let mut id = anchors.anchorize(&title);
            if id.is_empty() {
                id = anchors.anchorize("section");
            }
            TocEntry { level, id, title }
        })
        .collect()
}

/// The heading nodes with their levels, in document order. Headings are
/// blocks, so the walk goes into containers (quotes, lists, footnotes) and
/// never into paragraphs or tables, where most of a tree's nodes are.
fn heading_nodes<'a>(root: &'a AstNode<'a>) -> Vec<(&'a AstNode<'a>, u8)> {
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        match node.data.borrow().value {
            NodeValue::Heading(ref h) => found.push((node, h.level)),
            NodeValue::Paragraph
            | NodeValue::Table(_)
            | NodeValue::CodeBlock(_)
            | NodeValue::HtmlBlock(_)
            | NodeValue::ThematicBreak => {}
            // Children pushed last first, so they are visited in order.
            _ => pending.extend(node.reverse_children()),
        }
    }
    found
}

/// The text of a node as a reader sees it, without markup.
pub fn plain_text<'a>(node: &'a AstNode<'a>) -> String {
    let mut text = String::new();
    for child in node.descendants() {
        match &child.data.borrow().value {
            NodeValue::Text(t) => text.push_str(t),
            NodeValue::Code(c) => text.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
            _ => {}
        }
    }
    single_spaced(text)
}

/// The words of `text` joined by single spaces; `text` itself, uncopied,
/// when it is that already (most headings).
fn single_spaced(text: String) -> String {
    let tidy = !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
        && !needs_collapsing(text.as_bytes())
        && !text.contains(|c: char| c.is_whitespace() && c != ' ');
    if tidy {
        return text;
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes headings with the ids computed by [`headings`], in the same order,
/// and a visible-on-focus anchor link after the text.
struct HeadingIds {
    ids: Mutex<std::vec::IntoIter<(String, String)>>,
    current: Mutex<String>,
}

impl HeadingIds {
    /// Each heading's id and classes (space-separated, maybe none), in
    /// document order.
    fn new(ids: Vec<(String, String)>) -> Self {
        HeadingIds {
            ids: Mutex::new(ids.into_iter()),
            current: Mutex::new(String::new()),
        }
    }
}

impl HeadingAdapter for HeadingIds {
    fn enter(
        &self,
        out: &mut dyn fmt::Write,
        heading: &HeadingMeta,
        _: Option<Sourcepos>,
    ) -> fmt::Result {
        let id = self
            .ids
            .lock()
            .ok()
            .and_then(|mut ids| ids.next())
            .unwrap_or_else(|| {
                (
                    Anchors::default().anchorize(&heading.content),
                    String::new(),
                )
            });
        let (id, classes) = id;
        write!(out, "<h{} id=\"", heading.level)?;
        write_escaped_attr(out, &id)?;
        if !classes.is_empty() {
            out.write_str("\" class=\"")?;
            write_escaped_attr(out, &classes)?;
        }
        out.write_str("\">")?;
        if let Ok(mut current) = self.current.lock() {
            *current = id;
        }
        Ok(())
    }

    fn exit(&self, out: &mut dyn fmt::Write, heading: &HeadingMeta) -> fmt::Result {
        out.write_str(" <a class=\"anchor\" href=\"#")?;
        if let Ok(current) = self.current.lock() {
            write_escaped_attr(out, &current)?;
        }
        // Each anchor's accessible name says which section it links to.
        out.write_str("\" aria-label=\"Link to section: ")?;
        write_escaped_attr(out, heading.content.trim())?;
        writeln!(out, "\">#</a></h{}>", heading.level)
    }
}

/// The level 2 and 3 entries of a table of contents as an HTML list, or
/// nothing when there are fewer than two headings to list.
pub fn toc_html(toc: &[TocEntry]) -> String {
    let listed: Vec<&TocEntry> = toc.iter().filter(|e| e.level <= 3).collect();
    if listed.len() < 2 {
        return String::new();
    }
    let mut html = String::with_capacity(64 * listed.len());
    html.push_str("<ul>\n");
    for entry in listed {
        html.push_str("<li class=\"toc-l");
        html.push(char::from(b'0' + entry.level));
        html.push_str("\"><a href=\"#");
        // Writing into a String cannot fail.
        let _ = write_escaped_attr(&mut html, &entry.id);
        html.push_str("\">");
        let _ = write_escaped_attr(&mut html, &entry.title);
        html.push_str("</a></li>\n");
    }
    html.push_str("</ul>");
    html
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = write_escaped_attr(&mut out, text);
    out
}

/// [`escape_attr`] straight into `out`, a run of plain text at a time.
fn write_escaped_attr(out: &mut dyn fmt::Write, text: &str) -> fmt::Result {
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => continue,
        };
        out.write_str(&text[plain..i])?;
        out.write_str(escaped)?;
        plain = i + 1;
    }
    out.write_str(&text[plain..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, MarkdownOptions::default()).html
    }

    proptest::proptest! {
        #[test]
        fn spaces_normalise_as_collapsing_and_trimming_would(
            text in "[ \t\na\u{e9}\u{a0}]{0,12}",
            trim_start: bool,
            trim_end: bool,
        ) {
            let collapsed = collapse_spaces(&text);
            let mut expected = collapsed.as_str();
            if trim_start {
                expected = expected.trim_start_matches(' ');
            }
            if trim_end && expected.chars().any(|c| !is_space(c)) {
                expected = expected.trim_end_matches(is_space);
            } else if trim_end {
                expected = expected.trim_end_matches(' ');
            }
            let normalised = normalise_spaces(&text, trim_start, trim_end);
            proptest::prop_assert_eq!(normalised.as_deref().unwrap_or(&text), expected);
            // None only when nothing would change.
            proptest::prop_assert_eq!(normalised.is_none(), text == expected);
        }

        #[test]
        fn single_spacing_joins_the_words_as_split_whitespace_would(
            text in "[ \t\n\u{a0}\u{2003}a\u{e9}]{0,12}",
        ) {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(single_spaced(text), expected);
        }

    }

    proptest::proptest! {
        #[test]
        fn the_block_walk_finds_every_heading_a_full_walk_finds(
            blocks in proptest::collection::vec(
                proptest::sample::select(vec![
                    "# One", "## Two *em*", "para with # not a heading", "> ## Quoted",
                    "> > ### Deeper", "- ## In a list\n  - #### nested", "1. item\n\n   ## In item",
                    "| a | b |\n|---|---|\n| ## c | d |", "```\n## code\n```", "Setext\n---",
                    "[^1]: ## In a footnote", "Text[^1]", "<div>\n## html\n</div>", "***",
                ]),
                0..12,
            ),
        ) {
            let text = blocks.join("\n\n");
            let arena = Arena::new();
            let root = parse(&arena, &text, MarkdownOptions::default()).root;
            let full: Vec<_> = root
                .descendants()
                .filter(|n| matches!(n.data.borrow().value, NodeValue::Heading(_)))
                .map(|n| n as *const _)
                .collect();
            let walked: Vec<_> = heading_nodes(root).into_iter().map(|(n, _)| n as *const _).collect();
            proptest::prop_assert_eq!(walked, full);
        }
    }

    #[test]
    fn escaping_an_attribute_keeps_the_text_between_escapes() {
        assert_eq!(
            escape_attr(r#"a&b "c" <d> é"#),
            "a&amp;b &quot;c&quot; &lt;d&gt; é"
        );
        assert_eq!(escape_attr("&"), "&amp;");
        assert_eq!(escape_attr(""), "");
    }

    #[test]
    fn the_table_of_contents_lists_levels_two_and_three_escaped() {
        let toc = render(
            "# Title\n\n## A & B\n\n### 1 < \"2\"\n\n#### Deep\n",
            MarkdownOptions::default(),
        )
        .toc;
        assert_eq!(
            toc_html(&toc),
            "<ul>\n<li class=\"toc-l2\"><a href=\"#a--b\">A &amp; B</a></li>\n\
             <li class=\"toc-l3\"><a href=\"#1--2\">1 &lt; &quot;2&quot;</a></li>\n</ul>"
        );
        // One heading is not worth a table of contents.
        let single = render("## Only\n", MarkdownOptions::default()).toc;
        assert_eq!(toc_html(&single), "");
    }

    #[test]
    fn gfm_extensions_are_on() {
        let out = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ https://example.com\n\n- [x] done\n\nNote[^1]\n\n[^1]: A footnote.\n",
        );
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("<del>gone</del>"), "{out}");
        assert!(out.contains("<a href=\"https://example.com\">"), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(out.contains("footnote"), "{out}");
    }

    #[test]
    fn headings_get_unique_ids_and_a_toc() {
        let r = render(
            "# Title\n\n## Your rights\n\n### Access\n\n## Your rights\n",
            MarkdownOptions::default(),
        );
        assert_eq!(r.leading_title.as_deref(), Some("Title"));
        let ids: Vec<_> = r.toc.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["your-rights", "access", "your-rights-1"]);
        assert!(r.html.contains(
            "<h2 id=\"your-rights\">Your rights <a class=\"anchor\" href=\"#your-rights\""
        ));
        assert!(r.html.contains("<h2 id=\"your-rights-1\">"));
        assert!(
            !r.html.contains("<h1"),
            "leading h1 is the page title: {}",
            r.html
        );
    }

    #[test]
    fn invisible_edits_render_the_same() {
        let base = html("Some words here\nand there.\n\n- one\n- two\n");
        assert_eq!(
            base,
            html("Some words\nhere and there.   \n\n* one\n* two\n")
        );
        assert_eq!(
            base,
            html(
                "<!-- reviewed by legal -->\nSome words here and <!-- x --> there.\n\n+ one\n+ two\n"
            )
        );
    }

    #[test]
    fn no_break_spaces_beside_spaces_fold_as_a_reader_sees_them() {
        // A stray no-break space after a full stop, then a space or a line
        // end, looks the same as the plain text.
        let base = html("We keep it at one location. Then we delete it.\n");
        assert_eq!(
            base,
            html("We keep it at one location.\u{a0} Then we delete it.\n")
        );
        assert_eq!(
            base,
            html("We keep it at one location.\u{a0}\nThen we delete it.\u{a0} \n")
        );
        // Alone between words it holds them together, and it stays.
        assert_ne!(
            html("Section\u{a0}5 applies.\n"),
            html("Section 5 applies.\n")
        );
        assert_eq!(normalise_spaces("a\u{a0}b", true, true), None);
        assert_eq!(normalise_spaces("\u{a0}", true, true), None);
    }

    fn in_mode(md: &str, html: HtmlMode) -> String {
        render(
            md,
            MarkdownOptions {
                html,
                ..MarkdownOptions::default()
            },
        )
        .html
    }

    #[test]
    fn raw_html_is_sanitized_by_default_escaped_or_trusted_on_request() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b>bold</b>\n";
        let out = html(md);
        assert!(
            !out.contains("<script") && !out.contains("onerror"),
            "{out}"
        );
        assert!(
            out.contains("<img src=\"x\">") && out.contains("<b>bold</b>"),
            "{out}"
        );
        let escaped = in_mode(md, HtmlMode::Escape);
        assert!(
            escaped.contains("&lt;script&gt;") && !escaped.contains("<b>"),
            "{escaped}"
        );
        let trusted = in_mode(md, HtmlMode::Trust);
        assert!(trusted.contains("<script>alert(1)</script>"), "{trusted}");
    }

    #[test]
    fn sanitizing_keeps_redlines_own_markup() {
        // The same Markdown, with and without a raw HTML element beside it:
        // the Markdown part renders the same either way.
        let md = "## Heading\n\nNote[^1] and ~~gone~~ <https://x.example>.\n\n\
                  - [x] done\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```rust\nlet x;\n```\n\n\
                  3. third\n\n[^1]: A footnote.\n";
        let plain = html(md);
        let with_html = html(&format!("<p>raw</p>\n\n{md}"));
        let with_html = with_html.trim_start_matches("<p>raw</p>").trim_start();
        // Serialised again, boolean attributes get `=""` and void
        // elements lose their `/`: the same HTML.
        let comparable = |html: &str| html.replace("=\"\"", "").replace(" />", ">");
        assert_eq!(comparable(with_html), comparable(&plain));
    }

    #[test]
    fn attribute_lists_set_ids_and_never_show() {
        let r = render(
            "# Policy {: #top }\n\n## Information we collect {: #markup }\n\n\
             ## Your rights {#rights}\n\n## Information we collect\n\n\
             Effective October 31, 2025\n{: datetime=\"2025-10-31\" }\n\n\
             Kept apart.\n{: #apart .note}\n\n{:ref: .wide}\n\n\
             | a |\n|---|\n| 1 |\n{: .table}\n",
            MarkdownOptions::default(),
        );
        assert_eq!(r.leading_title.as_deref(), Some("Policy"));
        let ids: Vec<_> = r
            .toc
            .iter()
            .map(|e| (e.id.as_str(), e.title.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("markup", "Information we collect"),
                ("rights", "Your rights"),
                ("information-we-collect", "Information we collect"),
            ]
        );
        assert!(!r.html.contains('{'), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"markup\">"), "{}", r.html);
        assert!(
            r.html.contains("<p>Effective October 31, 2025</p>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<p><span id=\"apart\"></span>Kept apart.</p>"),
            "{}",
            r.html
        );
        assert_eq!(r.html.matches("<tr>").count(), 2, "{}", r.html);
    }

    #[test]
    fn allowed_classes_go_on_headings_and_paragraphs_others_are_dropped() {
        let md = "## Your rights {: #rights .callout .shout }\n\n\
                  Kept apart.\n{: #apart .note}\n\n\
                  Plain.\n{: .wide}\n\n\
                  - tight item\n  {: .note}\n";
        let allowed = MarkdownOptions {
            classes: AllowedClasses::new(&["note".into(), "callout".into()]),
            ..MarkdownOptions::default()
        };
        let r = render(md, allowed);
        assert!(
            r.html
                .contains("<h2 id=\"rights\" class=\"callout\">Your rights"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<p class=\"note\"><span id=\"apart\"></span>Kept apart.</p>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<p>Plain.</p>"), "{}", r.html);
        assert!(r.html.contains("<li>tight item</li>"), "{}", r.html);
        assert!(!r.html.contains("data-redline"), "{}", r.html);
        // Without the setting, no class at all.
        let plain = render(md, MarkdownOptions::default()).html;
        assert!(!plain.contains("class=\"note\"") && !plain.contains("callout"));
        assert!(plain.contains("<h2 id=\"rights\">Your rights"), "{plain}");
    }

    /// Every `href` and `src` value in `html`.
    fn attribute_values(html: &str) -> Vec<&str> {
        let mut values = Vec::new();
        for attr in ["href=\"", "src=\""] {
            for (start, _) in html.match_indices(attr) {
                let rest = &html[start + attr.len()..];
                values.push(&rest[..rest.find('"').unwrap()]);
            }
        }
        values
    }

    #[test]
    fn dangerous_schemes_are_never_live() {
        for md in [
            "[a](javascript:alert(1))",
            "[a](JaVaScRiPt:alert(1))",
            "[a](&#106;avascript:alert(1))",
            "[a](<java\tscript:alert(1)>)",
            "[a](vbscript:msgbox)",
            "[a](data:text/html;base64,PHNjcmlwdD4=)",
            "<javascript:alert(1)>",
            "![i](javascript:alert(1))",
        ] {
            for mode in [HtmlMode::Sanitize, HtmlMode::Escape, HtmlMode::Trust] {
                let out = in_mode(md, mode);
                for url in attribute_values(&out) {
                    assert!(url.is_empty(), "{md} → {out}");
                }
                assert!(
                    out.contains("href=\"\"") || out.contains("src=\"\""),
                    "{md} → {out}"
                );
            }
        }
    }

    /// An empty link above the first heading flipped the title to the file
    /// name, and the change read "11,663 words removed".
    #[test]
    fn nothing_without_text_above_the_first_heading_hides_the_title() {
        let title = |md: &str, html: HtmlMode| {
            let arena = Arena::new();
            parse(
                &arena,
                md,
                MarkdownOptions {
                    html,
                    ..MarkdownOptions::default()
                },
            )
            .leading_title
        };
        let policy = "# Privacy Policy\n\nWe keep data.\n";
        for above in [
            "[](https://example.com)\n",
            "[![build](https://ci.example/badge.svg)](https://ci.example)\n",
            "![](blank.png)\n",
            "<!-- reviewed -->\n",
            "<p align=\"center\"><img src=\"logo.png\"></p>\n",
        ] {
            for html in [HtmlMode::Sanitize, HtmlMode::Trust] {
                let md = format!("{above}\n{policy}");
                assert_eq!(
                    title(&md, html).as_deref(),
                    Some("Privacy Policy"),
                    "{above:?}"
                );
            }
        }
        assert_eq!(
            title("Read me.\n\n# Privacy Policy\n", HtmlMode::Sanitize),
            None
        );
        assert_eq!(
            title("<p>Draft</p>\n\n# Privacy Policy\n", HtmlMode::Sanitize),
            None
        );
        // Escaped, raw HTML is text a reader sees.
        let logo = "<p align=\"center\"><img src=\"logo.png\"></p>\n\n# Privacy Policy\n";
        assert_eq!(title(logo, HtmlMode::Escape), None);
    }
}
