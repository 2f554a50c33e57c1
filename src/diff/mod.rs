//! What changed between two versions of a document: blocks aligned first,
//! then words inside changed blocks. Pure: no IO, no git.
//!
//! The steps, in pipeline order: [`blocks`] reads the leaf blocks out of the
//! Markdown tree (`blocks.rs`); [`compare`] aligns them (`align.rs`), diffs the
//! words inside edited blocks (`words.rs`), writes the redline (`html.rs`),
//! summarises sections (`sections.rs`) and applies the editorial rule
//! (`editorial.rs`, whose doc comment states the rule), which reads blocks
//! as units of meaning (`units.rs`, with canonical values from `values.rs`)
//! and explains their differences as fixes (`fixes.rs`) with the shipped
//! dictionary (`dictionary.rs`).
//!
//! No input can make a comparison slow: the quadratic block pairing is capped
//! (`align.rs`), and every sequence diff runs against one deadline per
//! comparison (`BUDGET`), past which it returns a coarser but still correct
//! result. The budget is far above what real documents need, so in practice
//! the output does not depend on timing.

mod align;
mod blocks;
mod dictionary;
mod editorial;
mod fixes;
mod html;
mod html_blocks;
mod sections;
mod units;
mod values;
mod verdict;
pub mod wording;
mod words;

#[cfg(test)]
mod policy_edits;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::text::markdown::MarkdownOptions;

pub use verdict::Verdict;
pub use wording::SummaryWords;

/// The time one comparison may spend diffing before falling back to coarser
/// results. Generous: a 100 KB policy rewritten throughout takes ~50 ms.
pub const BUDGET: Duration = Duration::from_secs(1);

/// One block a reader sees: the title, a heading, a paragraph, a list item,
/// a table row, a code block…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    /// Plain text, white space collapsed. For table rows, the cells joined.
    pub text: String,
    /// Table rows only: each cell's text.
    pub cells: Vec<String>,
    /// Where the block's links go, canonically, in order (links without
    /// text and links to images or other assets are left out): a link's
    /// target is part of the wording.
    pub links: Vec<String>,
    /// Headings only: the heading's id on the rendered page (from
    /// [`crate::text::markdown::headings`]), for the section summary's anchors.
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    blocks::extract(title, body, options)
}

/// The blocks of a tree already made by [`crate::text::markdown::parse`], so a
/// version is parsed once for both its page and its redline.
pub fn blocks_of_tree<'a>(
    title: &str,
    root: &'a comrak::nodes::AstNode<'a>,
    options: MarkdownOptions,
) -> Vec<Block> {
    blocks::from_tree(title, root, options)
}

/// The step from one version to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The redline: an HTML fragment that is well-formed XML.
    pub html: String,
    pub sections: Vec<SectionChange>,
    pub words_added: usize,
    pub words_removed: usize,
    /// The default rule finds nothing but punctuation, case, white space,
    /// formatting, values written another way or typo fixes changed (the
    /// rule is stated in `editorial.rs`).
    pub editorial: bool,
    /// Why the rule decided so: `typo: recieve → receive (dictionary)`,
    /// `material: link target changed: … → …`.
    pub reason: String,
}

/// Compares two versions' blocks.
///
/// `words_added` and `words_removed` are the sums over [`Comparison::sections`]:
/// each section is compared with its match, so a section that only moved adds
/// no words although the redline shows it removed in one place and added in
/// another.
pub fn compare(old: &[Block], new: &[Block]) -> Comparison {
    let _memo = words::Memo::start();
    let deadline = Instant::now() + BUDGET;
    let old: Vec<&Block> = old.iter().collect();
    let new: Vec<&Block> = new.iter().collect();
    let steps = align::align(&old, &new, deadline);
    let html = html::render(&old, &new, &steps, deadline);
    let sections = sections::summarise(&old, &new, &steps, deadline);
    // The rule gets its own budget, so a slow redline cannot coarsen it.
    let verdict = editorial::judge(&old, &new, Instant::now() + BUDGET);
    Comparison {
        html,
        words_added: sections.iter().map(|s| s.words_added).sum(),
        words_removed: sections.iter().map(|s| s.words_removed).sum(),
        editorial: verdict.editorial,
        reason: verdict.reason,
        sections,
    }
}

/// A redline and its section summary without the editorial verdict: for
/// versions that are not consecutive ("what changed since"), where no
/// class is due and the classifier's time would be wasted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redline {
    pub html: String,
    pub sections: Vec<SectionChange>,
}

pub fn redline(old: &[Block], new: &[Block]) -> Redline {
    let _memo = words::Memo::start();
    let deadline = Instant::now() + BUDGET;
    let old: Vec<&Block> = old.iter().collect();
    let new: Vec<&Block> = new.iter().collect();
    let steps = align::align(&old, &new, deadline);
    Redline {
        html: html::render(&old, &new, &steps, deadline),
        sections: sections::summarise(&old, &new, &steps, deadline),
    }
}

/// The default rule's verdict alone (what [`compare`] puts in
/// [`Comparison::editorial`] and [`Comparison::reason`]), for measuring it.
pub fn classify(old: &[Block], new: &[Block]) -> Verdict {
    let old: Vec<&Block> = old.iter().collect();
    let new: Vec<&Block> = new.iter().collect();
    editorial::judge(&old, &new, Instant::now() + BUDGET)
}

/// What happened to one section (a heading and the blocks up to the next).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// When the section's meaning changed without a word added or removed
    /// (a link target, a sentence boundary, strikethrough): what changed.
    /// (A `Cow`, so a comparison read back from the cache can own it.)
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub meaning: Option<Cow<'static, str>>,
    /// The blocks before the first heading, `title` being the English
    /// "Introduction" (a summary names it in its own language).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub introduction: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChangeKind {
    Changed,
    Added,
    Removed,
    Renamed,
    Moved,
}

/// One sentence for readers, from a section summary.
///
/// For example: `Changed “How long we keep data” (2 words added, 1 removed);
/// added “Children”; moved “Contact”.` After five sections the rest are
/// counted (`…; and 3 more sections.`); with none, `No changes to the
/// wording.`
pub fn describe(sections: &[SectionChange], wording: &SummaryWords) -> String {
    sections::describe(sections, wording)
}
