//! Test support: reads a redline's two sides back and checks its properties.
//!
//! Used by the property tests and the policy-edit tests.

use super::*;

/// Which version of the text to read out of a redline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

impl Side {
    /// The inline element holding the other side's words.
    fn hidden_inline(self) -> &'static str {
        match self {
            Side::Old => "ins",
            Side::New => "del",
        }
    }

    /// The class of blocks (and table cells) only the other side has.
    fn hidden_class(self) -> &'static str {
        match self {
            Side::Old => "added",
            Side::New => "removed",
        }
    }
}

/// One block read back from a redline: a short name for its element (see
/// [`element_kind`]) and its text on one side.
type SideBlock = (String, String);

fn has_class(node: roxmltree::Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split(' ').any(|c| c == class))
}

/// The text under `node` on one side: every text node except those inside
/// the other side's `<ins>`/`<del>`, a fold's `<summary>` and the gap
/// between a deletion and an insertion.
fn side_text(node: roxmltree::Node, side: Side) -> String {
    let mut text = String::new();
    for child in node.children() {
        if child.is_text() {
            text.push_str(child.text().unwrap_or_default());
        } else if child.is_element() {
            let name = child.tag_name().name();
            if name != side.hidden_inline() && name != "summary" && !has_class(child, "gap") {
                text.push_str(&side_text(child, side));
            }
        }
    }
    text
}

/// What block kind an element shows, as a short name.
fn element_kind(node: roxmltree::Node) -> Option<String> {
    let name = node.tag_name().name();
    let in_quote = node
        .parent_element()
        .is_some_and(|p| p.tag_name().name() == "blockquote");
    Some(match name {
        "p" if has_class(node, "redline-title") => "title".into(),
        "p" if has_class(node, "rule") => "rule".into(),
        "p" if in_quote => "quote".into(),
        "p" => "paragraph".into(),
        "h2" | "h3" | "h4" | "h5" | "h6" => name.into(),
        "li" => "item".into(),
        "pre" if has_class(node, "html") => "html".into(),
        "pre" => "code".into(),
        "tr" => {
            let header = node.children().any(|c| c.tag_name().name() == "th");
            if header { "header-row" } else { "row" }.into()
        }
        _ => return None,
    })
}

/// The kind name a block should show as (see [`element_kind`]).
fn block_kind_name(block: &Block) -> String {
    match block.kind {
        BlockKind::Title => "title".into(),
        BlockKind::Heading(level) => format!("h{}", level.clamp(2, 6)),
        BlockKind::Paragraph => "paragraph".into(),
        BlockKind::ListItem { .. } => "item".into(),
        BlockKind::TableRow { header: true } => "header-row".into(),
        BlockKind::TableRow { header: false } => "row".into(),
        BlockKind::Code => "code".into(),
        BlockKind::Quote => "quote".into(),
        BlockKind::Rule => "rule".into(),
        BlockKind::Html => "html".into(),
    }
}

/// The blocks one side of a redline shows, in order. A block element classed
/// as the other side's is skipped; a table row's text is its cells' texts
/// (skipping cells classed as the other side's) joined by " | "; a rule's
/// text is empty (its `* * *` is decoration).
fn read_side(html: &str, side: Side) -> Vec<SideBlock> {
    let wrapped = format!("<root>{html}</root>");
    let doc = roxmltree::Document::parse(&wrapped).expect("the redline is well-formed XML");
    let mut blocks = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let Some(kind) = element_kind(node) else {
            continue;
        };
        if has_class(node, side.hidden_class()) {
            continue;
        }
        let text = match kind.as_str() {
            "rule" => String::new(),
            "row" | "header-row" => node
                .children()
                .filter(|c| c.is_element() && !has_class(*c, side.hidden_class()))
                .map(|c| side_text(c, side))
                .collect::<Vec<_>>()
                .join(" | "),
            _ => side_text(node, side),
        };
        blocks.push((kind, text));
    }
    blocks
}

/// The texts of the blocks, as the redline should show them.
fn texts(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .map(|b| match b.kind {
            BlockKind::TableRow { .. } if !b.cells.is_empty() => b.cells.join(" | "),
            _ => b.text.clone(),
        })
        .collect()
}

/// Checks the shape rules: lists hold only items, tables only rows, and
/// `<ins>`/`<del>` hold only text.
fn assert_shape(html: &str) {
    let wrapped = format!("<root>{html}</root>");
    let doc = roxmltree::Document::parse(&wrapped).expect("well-formed");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let children: Vec<&str> = node
            .children()
            .filter(|c| c.is_element())
            .map(|c| c.tag_name().name())
            .collect();
        let allowed: Option<&[&str]> = match node.tag_name().name() {
            "ul" | "ol" => Some(&["li"]),
            "table" => Some(&["tbody"]),
            "tbody" => Some(&["tr"]),
            "tr" => Some(&["td", "th"]),
            "ins" | "del" => Some(&[]),
            _ => None,
        };
        if let Some(allowed) = allowed {
            assert!(
                children.iter().all(|c| allowed.contains(c)),
                "<{}> holds {children:?}\n{html}",
                node.tag_name().name()
            );
        }
    }
}

/// Asserts every redline property for one pair of versions.
pub(super) fn check_redline(old: &[Block], new: &[Block]) {
    let comparison = compare(old, new);
    let html = &comparison.html;
    assert_shape(html);

    let old_side = read_side(html, Side::Old);
    let old_texts: Vec<String> = old_side.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(old_texts, texts(old), "old side of\n{html}");

    let new_side = read_side(html, Side::New);
    let new_texts: Vec<String> = new_side.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(new_texts, texts(new), "new side of\n{html}");
    let new_kinds: Vec<&str> = new_side.iter().map(|(k, _)| k.as_str()).collect();
    let expected_kinds: Vec<String> = new.iter().map(block_kind_name).collect();
    assert_eq!(new_kinds, expected_kinds, "new kinds of\n{html}");

    // Heading ids are unique, and every section the summary links to has one.
    let wrapped = format!("<root>{html}</root>");
    let doc = roxmltree::Document::parse(&wrapped).expect("well-formed");
    let ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "repeated ids in\n{html}");
    for anchor in comparison
        .sections
        .iter()
        .filter_map(|s| s.anchor.as_deref())
    {
        assert!(unique.contains(anchor), "no id {anchor} in\n{html}");
    }

    let same = compare(new, new);
    assert!(same.sections.is_empty(), "{:?}", same.sections);
    assert!(same.editorial);
    assert_eq!((same.words_added, same.words_removed), (0, 0));
    let wrapped = format!("<root>{}</root>", same.html);
    let doc = roxmltree::Document::parse(&wrapped).expect("well-formed");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        let marked = ["added", "removed", "changed"]
            .iter()
            .any(|c| has_class(node, c));
        assert!(
            name != "ins" && name != "del" && !marked,
            "an unchanged version shows <{name}> as a change:\n{}",
            same.html
        );
    }
}
