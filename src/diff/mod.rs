//! What changed between two versions of a document: blocks aligned first,
//! then words inside changed blocks. Pure: no IO, no git.
//!
//! (Interface agreed with the site pipeline; the implementation lives in the
//! sub-modules.)

use serde::Serialize;

use crate::markdown::MarkdownOptions;

/// One block a reader sees: the title, a heading, a paragraph, a list item,
/// a table row, a code block…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Plain text, white space collapsed. For table rows, the cells joined.
    pub text: String,
    /// Table rows only: each cell's text.
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Title,
    Heading(u8),
    Paragraph,
    ListItem { ordered: bool, depth: u8 },
    TableRow { header: bool },
    Code,
    Quote,
    Rule,
    Html,
}

/// The blocks of a document: its title, then its body in order.
pub fn blocks(title: &str, body: &str, options: MarkdownOptions) -> Vec<Block> {
    todo!("{title}{body}{options:?}")
}

/// The step from one version to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The redline: an HTML fragment that is well-formed XML.
    pub html: String,
    pub sections: Vec<SectionChange>,
    pub words_added: usize,
    pub words_removed: usize,
    /// The default rule finds nothing but punctuation, case, white space,
    /// formatting or link targets changed.
    pub editorial: bool,
}

/// Compares two versions' blocks.
pub fn compare(old: &[Block], new: &[Block]) -> Comparison {
    todo!("{old:?}{new:?}")
}

/// What happened to one section (a heading and the blocks up to the next).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionChange {
    pub kind: SectionChangeKind,
    /// The section's heading (the new one, or the old one when removed).
    pub title: String,
    /// Renamed: the heading before.
    pub previous_title: Option<String>,
    /// The heading's id on the new page (None when removed).
    pub anchor: Option<String>,
    pub words_added: usize,
    pub words_removed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChangeKind {
    Changed,
    Added,
    Removed,
    Renamed,
    Moved,
}

/// One sentence for readers, from a section summary.
pub fn describe(sections: &[SectionChange]) -> String {
    todo!("{sections:?}")
}
