//! Reads the leaf blocks a reader sees out of the normalised comrak tree.
//!
//! Blocks are leaves on purpose: a list item's own paragraphs, not the list;
//! a table's rows, not the table. Containers only decide the kind (a
//! paragraph inside a quote is a `Quote`, inside a list item a `ListItem`),
//! so every piece of visible text lands in exactly one block, in reading
//! order, and the diff never has to reason about nesting.
//!
//! A block's text is what a reader sees, with one mark kept because it is
//! meaning, not formatting: struck-through text (and, where raw HTML is
//! shown, `<del>`, `<s>` and `<strike>`) stands between `~~`, so the
//! redline shows it and the editorial rule reads it. Link targets are kept
//! beside the text ([`Block::links`]). A paragraph with neither text nor
//! links (an empty link, a blank image) is not a block.

use comrak::Arena;
use comrak::arena_tree::NodeEdge;
use comrak::nodes::{AstNode, ListType, NodeValue};

use super::{Block, BlockKind, html_blocks, values};
use crate::text::markdown::{self, HtmlMode, MarkdownOptions};

/// The blocks of a document: its title, then its body in order.
pub(super) fn extract(title: &str, body: &str, options: MarkdownOptions) -> Vec<Block> {
    let arena = Arena::new();
    let parsed = markdown::parse(&arena, body, options);
    from_tree(title, parsed.root, options)
}

/// The blocks of a parsed tree, with `title` first.
pub(super) fn from_tree<'a>(
    title: &str,
    root: &'a AstNode<'a>,
    options: MarkdownOptions,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let title = collapse(title.to_string());
    if !title.is_empty() {
        blocks.push(Block {
            kind: BlockKind::Title,
            text: title,
            cells: Vec::new(),
            links: Vec::new(),
            anchor: None,
        });
    }
    let first_body_block = blocks.len();
    walk_tree(root, options.html, &mut blocks);

    // `headings` walks the same tree in the same (document) order, so its
    // n-th entry is the n-th heading block.
    let mut ids = markdown::headings(root).into_iter();
    for block in &mut blocks[first_body_block..] {
        if matches!(block.kind, BlockKind::Heading(_)) {
            block.anchor = ids.next().map(|entry| entry.id);
        }
    }
    blocks
}

/// What a paragraph becomes, from the innermost container around it.
#[derive(Debug, Clone, Copy)]
enum Container {
    Body,
    Item { ordered: bool, depth: u8 },
    Quote,
}

impl Container {
    fn paragraph_kind(self) -> BlockKind {
        match self {
            Container::Body => BlockKind::Paragraph,
            Container::Item { ordered, depth } => BlockKind::ListItem { ordered, depth },
            Container::Quote => BlockKind::Quote,
        }
    }

    /// The depth a list directly inside this container gets.
    fn next_list_depth(self) -> u8 {
        match self {
            Container::Item { depth, .. } => depth.saturating_add(1),
            Container::Body | Container::Quote => 0,
        }
    }
}

/// Walks the tree with an explicit stack rather than recursion, so a
/// pathological document (100,000 nested quotes) cannot overflow the stack.
fn walk_tree<'a>(root: &'a AstNode<'a>, html: HtmlMode, out: &mut Vec<Block>) {
    let mut stack: Vec<(&'a AstNode<'a>, Container)> = Vec::new();
    push_children(&mut stack, root, Container::Body);
    while let Some((node, container)) = stack.pop() {
        visit(node, container, html, &mut stack, out);
    }
}

/// Queues `node`'s children so they pop in document order.
fn push_children<'a>(
    stack: &mut Vec<(&'a AstNode<'a>, Container)>,
    node: &'a AstNode<'a>,
    container: Container,
) {
    let children: Vec<_> = node.children().collect();
    stack.extend(children.into_iter().rev().map(|child| (child, container)));
}

fn visit<'a>(
    node: &'a AstNode<'a>,
    container: Container,
    html: HtmlMode,
    stack: &mut Vec<(&'a AstNode<'a>, Container)>,
    out: &mut Vec<Block>,
) {
    // Copy what is needed out of the borrow before descending.
    enum Step {
        Leaf(BlockKind, String),
        Children(Container),
        List { ordered: bool },
        Table,
        RawHtml(String),
        Skip,
    }
    // Raw HTML inline is markup the page shows (cleaned or not), unless
    // it is escaped into text.
    let keep_html = html != HtmlMode::Escape;
    let step = match &node.data.borrow().value {
        NodeValue::Heading(h) => Step::Leaf(BlockKind::Heading(h.level), String::new()),
        NodeValue::Paragraph => Step::Leaf(container.paragraph_kind(), String::new()),
        NodeValue::CodeBlock(code) => Step::Leaf(BlockKind::Code, code.literal.clone()),
        // Escaped, raw HTML is text the reader sees as written.
        NodeValue::HtmlBlock(block) if html == HtmlMode::Escape => {
            Step::Leaf(BlockKind::Html, block.literal.clone())
        }
        // Otherwise it is read as the page shows it: a run of HTML blocks
        // (a table with blank lines between rows) at once, from the first.
        NodeValue::HtmlBlock(_) if node.previous_sibling().is_some_and(is_html_block) => Step::Skip,
        NodeValue::HtmlBlock(_) => Step::RawHtml(html_run(node)),
        NodeValue::ThematicBreak => Step::Leaf(BlockKind::Rule, String::new()),
        NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
            Step::Children(Container::Quote)
        }
        NodeValue::List(list) => Step::List {
            ordered: list.list_type == ListType::Ordered,
        },
        NodeValue::Table(_) => Step::Table,
        // Footnote definitions read as ordinary paragraphs.
        NodeValue::FootnoteDefinition(_) => Step::Children(Container::Body),
        NodeValue::FrontMatter(_) => Step::Skip,
        // Any other container (description lists, alerts…) is read through.
        _ => Step::Children(container),
    };
    match step {
        Step::Leaf(kind, literal) => {
            let (text, links) = match kind {
                BlockKind::Code | BlockKind::Html => (literal, Vec::new()),
                BlockKind::Rule => (String::new(), Vec::new()),
                _ => reader_text(node, keep_html),
            };
            if kind == BlockKind::Paragraph && text.is_empty() && links.is_empty() {
                return;
            }
            out.push(Block {
                kind,
                text,
                cells: Vec::new(),
                links,
                anchor: None,
            });
        }
        Step::Children(inner) => push_children(stack, node, inner),
        Step::List { ordered } => {
            let depth = container.next_list_depth();
            let items: Vec<_> = node.children().collect();
            for item in items.into_iter().rev() {
                push_children(stack, item, Container::Item { ordered, depth });
            }
        }
        Step::Table => {
            for row in node.children() {
                let header = matches!(row.data.borrow().value, NodeValue::TableRow(true));
                let mut links = Vec::new();
                let cells: Vec<String> = row
                    .children()
                    .map(|cell| {
                        let (text, cell_links) = reader_text(cell, keep_html);
                        links.extend(cell_links);
                        text
                    })
                    .collect();
                out.push(Block {
                    kind: BlockKind::TableRow { header },
                    text: cells.join(" | "),
                    cells,
                    links,
                    anchor: None,
                });
            }
        }
        Step::RawHtml(html) => out.extend(html_blocks::extract(&html)),
        Step::Skip => {}
    }
}

fn is_html_block<'a>(node: &'a AstNode<'a>) -> bool {
    matches!(node.data.borrow().value, NodeValue::HtmlBlock(_))
}

/// The HTML of `first` and the HTML blocks right after it, joined.
fn html_run<'a>(first: &'a AstNode<'a>) -> String {
    let mut html = String::new();
    let mut node = Some(first);
    while let Some(block) = node.filter(|n| is_html_block(n)) {
        if let NodeValue::HtmlBlock(b) = &block.data.borrow().value {
            html.push_str(&b.literal);
        }
        node = block.next_sibling();
    }
    html
}

/// The text of an inline container as a reader sees it (as
/// [`markdown::plain_text`] reads it), with struck-through text between
/// `~~`, and where its links go.
fn reader_text<'a>(node: &'a AstNode<'a>, keep_html: bool) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut links = Vec::new();
    for edge in node.traverse() {
        match edge {
            NodeEdge::Start(child) => match &child.data.borrow().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::Code(c) => text.push_str(&c.literal),
                NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
                NodeValue::Strikethrough => text.push_str("~~"),
                NodeValue::HtmlInline(html) if keep_html && is_deletion_tag(html) => {
                    text.push_str("~~");
                }
                // A raw `<a href>` goes somewhere as a Markdown link does.
                NodeValue::HtmlInline(html) if keep_html => {
                    links.extend(raw_link_target(html).and_then(values::link_target));
                }
                NodeValue::Link(link) if has_text(child) => {
                    links.extend(values::link_target(&link.url));
                }
                _ => {}
            },
            NodeEdge::End(child) => {
                if matches!(child.data.borrow().value, NodeValue::Strikethrough) {
                    text.push_str("~~");
                }
            }
        }
    }
    (collapse(text), links)
}

/// Whether a link shows any text of its own (not only an image: a badge).
fn has_text<'a>(link: &'a AstNode<'a>) -> bool {
    let mut pending: Vec<&'a AstNode<'a>> = link.children().collect();
    while let Some(node) = pending.pop() {
        match &node.data.borrow().value {
            NodeValue::Text(t) if !t.trim().is_empty() => return true,
            NodeValue::Code(c) if !c.literal.trim().is_empty() => return true,
            NodeValue::Image(_) => {}
            _ => pending.extend(node.children()),
        }
    }
    false
}

/// The `href` of an opening `<a>` tag written as raw HTML, quoted or bare.
fn raw_link_target(html: &str) -> Option<&str> {
    let tag = html.strip_prefix('<')?;
    let name_end = tag.find(|c: char| !c.is_ascii_alphanumeric())?;
    if !tag[..name_end].eq_ignore_ascii_case("a") {
        return None;
    }
    let lower = tag.to_ascii_lowercase();
    let at = lower.find("href=")? + "href=".len();
    let value = &tag[at..];
    match value.chars().next()? {
        quote @ ('"' | '\'') => value[1..].split(quote).next(),
        _ => value.split(|c: char| c.is_whitespace() || c == '>').next(),
    }
}

/// An opening or closing `<del>`, `<s>` or `<strike>` tag.
fn is_deletion_tag(html: &str) -> bool {
    let name = html
        .trim_start_matches('<')
        .trim_start_matches('/')
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    ["del", "s", "strike"]
        .iter()
        .any(|tag| tag.eq_ignore_ascii_case(name))
}

/// `text` with white space runs made single spaces and trimmed; uncopied
/// when it is so already (most blocks).
fn collapse(text: String) -> String {
    let tidy = !text.starts_with(char::is_whitespace)
        && !text.ends_with(char::is_whitespace)
        && !text.contains("  ")
        && !text.contains(|c: char| c.is_whitespace() && c != ' ');
    if tidy {
        return text;
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::blocks;
    use super::*;

    fn kinds_and_texts(title: &str, body: &str) -> Vec<(BlockKind, String)> {
        blocks(title, body, MarkdownOptions::default())
            .into_iter()
            .map(|b| (b.kind, b.text))
            .collect()
    }

    fn item(ordered: bool, depth: u8, text: &str) -> (BlockKind, String) {
        (BlockKind::ListItem { ordered, depth }, text.to_string())
    }

    #[test]
    fn title_comes_first_and_is_omitted_when_empty() {
        let with = kinds_and_texts("Privacy  policy", "Hello *there*.\n");
        assert_eq!(
            with,
            [
                (BlockKind::Title, "Privacy policy".to_string()),
                (BlockKind::Paragraph, "Hello there.".to_string()),
            ]
        );
        let without = kinds_and_texts("", "Hello.\n");
        assert_eq!(without, [(BlockKind::Paragraph, "Hello.".to_string())]);
    }

    #[test]
    fn leading_h1_is_the_page_title_not_a_block() {
        let got = kinds_and_texts("", "# Policy\n\n## Data\n\nText.\n");
        assert_eq!(
            got,
            [
                (BlockKind::Heading(2), "Data".to_string()),
                (BlockKind::Paragraph, "Text.".to_string()),
            ]
        );
    }

    #[test]
    fn nested_lists_give_depths_and_parent_text_comes_first() {
        let md =
            "- one\n  - one.a\n    1. deep\n  - one.b\n- two\n\n  second paragraph\n\n1. first\n";
        let got = kinds_and_texts("", md);
        assert_eq!(
            got,
            [
                item(false, 0, "one"),
                item(false, 1, "one.a"),
                item(true, 2, "deep"),
                item(false, 1, "one.b"),
                item(false, 0, "two"),
                item(false, 0, "second paragraph"),
                item(true, 0, "first"),
            ]
        );
    }

    #[test]
    fn task_items_are_list_items() {
        let got = kinds_and_texts("", "- [x] done\n- [ ] open\n");
        assert_eq!(got, [item(false, 0, "done"), item(false, 0, "open")]);
    }

    #[test]
    fn table_rows_keep_their_cells() {
        let md = "| Data | Kept for |\n|---|---|\n| Logs | 30 `days` |\n| [Email](https://x.example) | |\n";
        let got = blocks("", md, MarkdownOptions::default());
        let rows: Vec<_> = got.iter().map(|b| (b.kind, &b.text, &b.cells)).collect();
        assert_eq!(
            rows,
            [
                (
                    BlockKind::TableRow { header: true },
                    &"Data | Kept for".to_string(),
                    &vec!["Data".to_string(), "Kept for".to_string()]
                ),
                (
                    BlockKind::TableRow { header: false },
                    &"Logs | 30 days".to_string(),
                    &vec!["Logs".to_string(), "30 days".to_string()]
                ),
                (
                    BlockKind::TableRow { header: false },
                    &"Email | ".to_string(),
                    &vec!["Email".to_string(), String::new()]
                ),
            ]
        );
    }

    #[test]
    fn code_quotes_rules_and_html() {
        let md =
            "```\nlet x = 1;\n  y\n```\n\n> quoted *text*\n>\n> more\n\n---\n\n<div>raw</div>\n";
        let got = kinds_and_texts("", md);
        assert_eq!(
            got,
            [
                (BlockKind::Code, "let x = 1;\n  y\n".to_string()),
                (BlockKind::Quote, "quoted text".to_string()),
                (BlockKind::Quote, "more".to_string()),
                (BlockKind::Rule, String::new()),
                // Sanitized, raw HTML is read as the page shows it.
                (BlockKind::Paragraph, "raw".to_string()),
            ]
        );
        // Escaped, raw HTML is text the reader sees as written.
        let shown = blocks(
            "",
            md,
            MarkdownOptions {
                html: HtmlMode::Escape,
                ..MarkdownOptions::default()
            },
        );
        let last = shown.last().expect("blocks");
        assert_eq!(
            (last.kind, last.text.as_str()),
            (BlockKind::Html, "<div>raw</div>\n")
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let quotes = format!("{}deep", ">".repeat(100_000));
        let got = kinds_and_texts("", &quotes);
        assert_eq!(got, [(BlockKind::Quote, "deep".to_string())]);
    }

    #[test]
    fn link_targets_are_kept_beside_the_text() {
        let a = blocks(
            "",
            "See [our page](https://a.example).\n",
            MarkdownOptions::default(),
        );
        let b = blocks(
            "",
            "See [our page](https://b.example).\n",
            MarkdownOptions::default(),
        );
        assert_eq!(a[0].text, b[0].text);
        assert_eq!(a[0].text, "See our page.");
        assert_eq!(a[0].links, ["web:a.example"]);
        assert_eq!(b[0].links, ["web:b.example"]);
        // A link with no text of its own, or to an image, is decoration.
        let decoration = blocks(
            "",
            "[](https://x.example) [![ci](https://ci.example/b.svg)](https://ci.example) [t](https://x.example/a.png)\n",
            MarkdownOptions::default(),
        );
        assert_eq!(decoration[0].links, Vec::<String>::new());
    }

    #[test]
    fn footnote_definitions_are_paragraphs() {
        let got = kinds_and_texts("", "We keep logs.[^1]\n\n[^1]: For **30** days.\n");
        assert_eq!(
            got,
            [
                (BlockKind::Paragraph, "We keep logs.".to_string()),
                (BlockKind::Paragraph, "For 30 days.".to_string()),
            ]
        );
    }

    #[test]
    fn headings_carry_the_page_ids() {
        let got = blocks(
            "T",
            "# Top\n\n## Your rights\n\ntext\n\n## Your rights\n",
            MarkdownOptions::default(),
        );
        let anchors: Vec<_> = got.iter().map(|b| b.anchor.as_deref()).collect();
        assert_eq!(
            anchors,
            [None, Some("your-rights"), None, Some("your-rights-1")]
        );
    }
}
