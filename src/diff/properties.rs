//! Property tests: redlines of random policies and random edits.
//!
//! Each redline must be well-formed and its two sides must rebuild the two
//! versions; a version compared with itself must show no change.

use proptest::prelude::*;

use super::tests::check_redline;
use super::*;

const VOCABULARY: &[&str] = &[
    "data",
    "we",
    "keep",
    "your",
    "personal",
    "30",
    "90",
    "days",
    "sell",
    "tell",
    "recieve",
    "receive",
    "&",
    "<",
    ">",
    "\"quoted\"",
    "R&D",
    "a<b",
    "it's",
    "e-mail",
    "Ünïcode",
    "cookies",
    "*stressed*",
    "`code`",
    "[link](https://x.example/a?b=1&c=2)",
    "1.5",
    "&amp;",
    "\\*",
];

/// One block of a generated document.
#[derive(Debug, Clone)]
enum Gen {
    Heading(u8, Vec<String>),
    Paragraph(Vec<String>),
    Item {
        ordered: bool,
        depth: u8,
        words: Vec<String>,
    },
    Table(Vec<Vec<Vec<String>>>),
    Code(Vec<String>),
    Quote(Vec<String>),
    Rule,
}

fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(VOCABULARY).prop_map(String::from),
        1..8,
    )
}

fn gen_block() -> impl Strategy<Value = Gen> {
    prop_oneof![
        1 => (2u8..5, words()).prop_map(|(l, w)| Gen::Heading(l, w)),
        3 => words().prop_map(Gen::Paragraph),
        3 => (any::<bool>(), 0u8..3, words()).prop_map(|(ordered, depth, words)| Gen::Item {
            ordered,
            depth,
            words
        }),
        1 => (1usize..4, 1usize..4).prop_flat_map(|(columns, rows)| {
            prop::collection::vec(prop::collection::vec(words(), columns), rows + 1)
                .prop_map(Gen::Table)
        }),
        1 => words().prop_map(Gen::Code),
        1 => words().prop_map(Gen::Quote),
        1 => Just(Gen::Rule),
    ]
}

/// Writes a generated document as Markdown; list depths are clamped so
/// each item nests at most one level under the one before.
fn markdown(doc: &[Gen]) -> String {
    let mut md = String::new();
    // Content offsets of the open list items, outermost first.
    let mut indents: Vec<usize> = Vec::new();
    for block in doc {
        if !matches!(block, Gen::Item { .. }) {
            indents.clear();
        }
        match block {
            Gen::Heading(level, words) => {
                md.push_str(&"#".repeat(usize::from(*level)));
                md.push(' ');
                md.push_str(&words.join(" "));
            }
            Gen::Paragraph(words) => md.push_str(&words.join(" ")),
            Gen::Item {
                ordered,
                depth,
                words,
            } => {
                let depth = usize::from(*depth).min(indents.len());
                indents.truncate(depth);
                let indent = indents.last().copied().unwrap_or(0);
                let marker = if *ordered { "1. " } else { "- " };
                md.push_str(&" ".repeat(indent));
                md.push_str(marker);
                md.push_str(&words.join(" "));
                indents.push(indent + marker.len());
            }
            Gen::Table(rows) => {
                for (r, row) in rows.iter().enumerate() {
                    let cells: Vec<String> = row.iter().map(|c| c.join(" ")).collect();
                    md.push_str(&format!("| {} |\n", cells.join(" | ")));
                    if r == 0 {
                        md.push_str(&format!("|{}\n", "---|".repeat(row.len())));
                    }
                }
            }
            Gen::Code(words) => md.push_str(&format!("```\n{}\n```", words.join(" \n "))),
            Gen::Quote(words) => md.push_str(&format!("> {}", words.join(" "))),
            Gen::Rule => md.push_str("---"),
        }
        md.push_str("\n\n");
    }
    md
}

/// One random edit; indices are taken modulo what they index.
#[derive(Debug, Clone)]
enum Edit {
    InsertWord(usize, usize, String),
    DeleteWord(usize, usize),
    ReplaceWord(usize, usize, String),
    InsertBlock(usize, Gen),
    DeleteBlock(usize),
    MoveBlock(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let word = prop::sample::select(VOCABULARY).prop_map(String::from);
    prop_oneof![
        (any::<usize>(), any::<usize>(), word.clone())
            .prop_map(|(b, w, s)| Edit::InsertWord(b, w, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(b, w)| Edit::DeleteWord(b, w)),
        (any::<usize>(), any::<usize>(), word).prop_map(|(b, w, s)| Edit::ReplaceWord(b, w, s)),
        (any::<usize>(), gen_block()).prop_map(|(b, g)| Edit::InsertBlock(b, g)),
        any::<usize>().prop_map(Edit::DeleteBlock),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::MoveBlock(a, b)),
    ]
}

/// The words of a generated block (for tables: one cell's).
fn words_of(block: &mut Gen, pick: usize) -> Option<&mut Vec<String>> {
    match block {
        Gen::Heading(_, w)
        | Gen::Paragraph(w)
        | Gen::Item { words: w, .. }
        | Gen::Code(w)
        | Gen::Quote(w) => Some(w),
        Gen::Table(rows) => {
            let cells: Vec<&mut Vec<String>> = rows.iter_mut().flatten().collect();
            let n = cells.len();
            cells.into_iter().nth(pick % n.max(1))
        }
        Gen::Rule => None,
    }
}

fn apply(doc: &mut Vec<Gen>, edit: Edit) {
    let len = doc.len();
    match edit {
        Edit::InsertBlock(at, block) => doc.insert(at % (len + 1), block),
        _ if len == 0 => {}
        Edit::DeleteBlock(at) => {
            doc.remove(at % len);
        }
        Edit::MoveBlock(from, to) => {
            let block = doc.remove(from % len);
            doc.insert(to % len, block);
        }
        Edit::InsertWord(b, w, word) => {
            if let Some(words) = words_of(&mut doc[b % len], w) {
                words.insert(w % (words.len() + 1), word);
            }
        }
        Edit::DeleteWord(b, w) => {
            if let Some(words) = words_of(&mut doc[b % len], w)
                && words.len() > 1
            {
                words.remove(w % words.len());
            }
        }
        Edit::ReplaceWord(b, w, word) => {
            if let Some(words) = words_of(&mut doc[b % len], w) {
                let at = w % words.len().max(1);
                if let Some(slot) = words.get_mut(at) {
                    *slot = word;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Random blocks with arbitrary text, not from Markdown.
// ---------------------------------------------------------------------------

fn any_kind() -> impl Strategy<Value = BlockKind> {
    prop_oneof![
        (1u8..7).prop_map(BlockKind::Heading),
        Just(BlockKind::Paragraph),
        (any::<bool>(), 0u8..3).prop_map(|(ordered, depth)| BlockKind::ListItem { ordered, depth }),
        any::<bool>().prop_map(|header| BlockKind::TableRow { header }),
        Just(BlockKind::Code),
        Just(BlockKind::Quote),
        Just(BlockKind::Rule),
        Just(BlockKind::Html),
    ]
}

fn any_block() -> impl Strategy<Value = Block> {
    let text = "[a-c &<>\"'.,0-9\\PC]{0,24}";
    (any_kind(), prop::collection::vec(text, 1..4)).prop_map(|(kind, parts)| {
        let cells = match kind {
            BlockKind::TableRow { .. } => parts.clone(),
            _ => Vec::new(),
        };
        let text = match kind {
            BlockKind::Rule => String::new(),
            BlockKind::TableRow { .. } => parts.join(" | "),
            _ => parts.join(" "),
        };
        Block {
            kind,
            text,
            cells,
            links: Vec::new(),
            anchor: None,
        }
    })
}

/// A block list and a version of it with blocks replaced, dropped, added and
/// words changed.
fn any_versions() -> impl Strategy<Value = (Vec<Block>, Vec<Block>)> {
    let title = prop::option::of("[A-Za-z &<]{1,12}");
    (
        title.clone(),
        title,
        prop::collection::vec(any_block(), 0..14),
        prop::collection::vec((0u8..4, any_block()), 0..14),
    )
        .prop_map(|(old_title, new_title, old, edits)| {
            let title = |t: Option<String>| Block {
                kind: BlockKind::Title,
                text: t.unwrap_or_default(),
                cells: Vec::new(),
                links: Vec::new(),
                anchor: None,
            };
            let mut new: Vec<Block> = Vec::new();
            let mut edits = edits.into_iter();
            for block in &old {
                match edits.next() {
                    Some((0, other)) => new.push(other),
                    Some((1, _)) => {}
                    Some((2, other)) => {
                        new.push(block.clone());
                        new.push(other);
                    }
                    Some((_, other))
                        if block.kind == other.kind
                            && block.cells.is_empty()
                            && block.kind != BlockKind::Rule =>
                    {
                        let mut edited = block.clone();
                        edited.text = format!("{} {}", other.text, block.text);
                        new.push(edited);
                    }
                    _ => new.push(block.clone()),
                }
            }
            new.extend(edits.map(|(_, b)| b));
            let with_title = |t: Option<String>, mut blocks: Vec<Block>| {
                if t.is_some() {
                    blocks.insert(0, title(t));
                }
                blocks
            };
            (with_title(old_title, old), with_title(new_title, new))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The redline of a random policy and a randomly edited copy is
    /// well-formed, and each side reads back as that version's blocks.
    #[test]
    fn redline_sides_rebuild_both_markdown_versions(
        title in prop::option::of("[A-Za-z &<\"]{1,10}"),
        doc in prop::collection::vec(gen_block(), 0..12),
        edits in prop::collection::vec(edit(), 0..6),
    ) {
        let title = title.unwrap_or_default();
        let old = blocks(&title, &markdown(&doc), MarkdownOptions::default());
        let mut edited = doc.clone();
        for e in edits {
            apply(&mut edited, e);
        }
        let new = blocks(&title, &markdown(&edited), MarkdownOptions::default());
        check_redline(&old, &new);
    }

    /// The same with arbitrary text in every kind of block.
    #[test]
    fn redline_sides_rebuild_arbitrary_blocks((old, new) in any_versions()) {
        check_redline(&old, &new);
    }

    /// Section word counts add up to the totals, and an unchanged version
    /// has no sections.
    #[test]
    fn totals_are_the_sections_sums((old, new) in any_versions()) {
        let c = compare(&old, &new);
        let added: usize = c.sections.iter().map(|s| s.words_added).sum();
        let removed: usize = c.sections.iter().map(|s| s.words_removed).sum();
        prop_assert_eq!((c.words_added, c.words_removed), (added, removed));
        if old == new {
            prop_assert!(c.sections.is_empty());
        }
        if !c.editorial {
            prop_assert!(!c.sections.is_empty());
        }
    }
}
