//! The redline: aligned blocks written as HTML that is also well-formed XML.
//!
//! Each block is its natural element (`<p>`, `<h2>`…`<h6>`, `<li>` inside
//! `<ul>`/`<ol>`, `<tr>` inside a `<table>`, `<pre><code>`, a `<p>` inside a
//! `<blockquote>`), classed `added`, `removed` or `changed`. Edited words are
//! `<del>`/`<ins>` inside the element, never around it, so lists and tables
//! keep their shape. There are no void elements (a thematic break is
//! `<p class="rule">* * *</p>`), every element is closed, and text is
//! escaped, with characters XML forbids replaced by U+FFFD.
//!
//! Runs of more than [`FOLD_OVER`] unchanged blocks are folded into a
//! `<details class="unchanged">`, keeping [`CONTEXT`] blocks next to each
//! change in view. A fold never hides the headings a shown block sits under
//! (its trail, h2 › h3): they are taken out of the fold and shown in place,
//! so every change reads under its own section; the fold's summary names the
//! sections it still hides. Headings of the new version carry their page id,
//! so the section summary can link to the change on the same page.
//!
//! A word replaced by another reads as two words: when the deleted and the
//! inserted text would otherwise touch (`90` → `30`), a
//! `<span class="gap"> </span>` stands between them, a real space that
//! survives copying; readers of either side skip it.

use std::fmt::Write as _;
use std::ops::Range;
use std::time::Instant;

use super::align::Step;
use super::words::{CellDiff, Part, WordDiff, cells, diff_block};
use super::{Block, BlockKind};
use crate::text::control_chars::push_escaped;

/// Unchanged runs longer than this are folded.
const FOLD_OVER: usize = 6;
/// Unchanged blocks kept in view on each side of a change.
const CONTEXT: usize = 2;
/// How many hidden sections a fold's summary names before counting the rest.
const NAMED_IN_FOLD: usize = 4;
/// The longest heading a fold's summary quotes whole, in characters.
const NAME_CHARS: usize = 60;

/// The redline for aligned blocks.
pub(super) fn render(old: &[&Block], new: &[&Block], steps: &[Step], deadline: Instant) -> String {
    let mut out = Writer {
        html: String::from("<div class=\"redline\">\n"),
        group: Group::None,
        deadline,
    };
    for (range, folded) in folds(old, new, steps) {
        if folded {
            out.close_group();
            let hidden: Vec<&Block> = steps[range.clone()]
                .iter()
                .map(|step| shown_block(old, new, *step))
                .collect();
            out.html.push_str("<details class=\"unchanged\"><summary>");
            push_escaped(&mut out.html, &fold_summary(&hidden));
            out.html.push_str("</summary>\n");
        }
        for step in &steps[range] {
            out.step(old, new, *step);
        }
        if folded {
            out.close_group();
            out.html.push_str("</details>\n");
        }
    }
    out.close_group();
    out.html.push_str("</div>");
    out.html
}

/// Cuts the steps into stretches, each shown or folded. A fold's edges are
/// moved off the inside of a list, table or quote (by up to [`FOLD_OVER`]
/// blocks) so a change keeps its whole container in view.
fn folds(old: &[&Block], new: &[&Block], steps: &[Step]) -> Vec<(Range<usize>, bool)> {
    // joins_previous[k]: step k shares a container with step k - 1.
    let mut group = Group::None;
    let joins_previous: Vec<bool> = steps
        .iter()
        .map(|step| {
            let (next, opens) = next_group(group, shown_block(old, new, *step).kind);
            group = next;
            next != Group::None && !opens
        })
        .collect();
    let inside = |k: usize| joins_previous.get(k).copied().unwrap_or(false);
    let parents = heading_parents(old, new, steps);

    let mut out = Vec::new();
    let mut shown_from = 0;
    let mut i = 0;
    while i < steps.len() {
        if !matches!(steps[i], Step::Same(..)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < steps.len() && matches!(steps[i], Step::Same(..)) {
            i += 1;
        }
        if i - start <= FOLD_OVER {
            continue;
        }
        let mut hide_from = if start > 0 { start + CONTEXT } else { start };
        // Context after a change never ends on a heading whose text is
        // folded: the heading goes into the fold, named there.
        while hide_from > start && is_heading(shown_block(old, new, steps[hide_from - 1])) {
            hide_from -= 1;
        }
        let mut hide_to = if i < steps.len() { i - CONTEXT } else { i };
        let (from_limit, to_limit) = (hide_from + FOLD_OVER, hide_to.saturating_sub(FOLD_OVER));
        while hide_from < hide_to && hide_from < from_limit && inside(hide_from) {
            hide_from += 1;
        }
        while hide_to > hide_from && hide_to > to_limit && inside(hide_to) {
            hide_to -= 1;
        }
        if hide_to - hide_from <= CONTEXT {
            continue;
        }
        if shown_from < hide_from {
            out.push((shown_from..hide_from, false));
        }
        // The headings the next shown block sits under stay in view, each
        // cutting the fold; what is left between them is folded if long.
        let trail = if hide_to < steps.len() {
            trail(&parents, hide_to)
        } else {
            Vec::new()
        };
        let mut cursor = hide_from;
        for heading in trail
            .into_iter()
            .filter(|h| (hide_from..hide_to).contains(h))
        {
            out.push((cursor..heading, heading - cursor > CONTEXT));
            out.push((heading..heading + 1, false));
            cursor = heading + 1;
        }
        out.push((cursor..hide_to, hide_to - cursor > CONTEXT));
        shown_from = hide_to;
    }
    if shown_from < steps.len() {
        out.push((shown_from..steps.len(), false));
    }
    out.retain(|(range, _)| !range.is_empty());
    out
}

/// For each step, the step of the innermost heading it sits under: for a
/// heading, the nearest one before it of a higher level; for any other
/// block, the nearest heading before it. Removed headings count, as the
/// redline shows them where they stood.
fn heading_parents(old: &[&Block], new: &[&Block], steps: &[Step]) -> Vec<Option<usize>> {
    let mut open: Vec<(u8, usize)> = Vec::new();
    steps
        .iter()
        .enumerate()
        .map(|(k, step)| {
            let BlockKind::Heading(level) = shown_block(old, new, *step).kind else {
                return open.last().map(|&(_, h)| h);
            };
            while open.last().is_some_and(|&(l, _)| l >= level) {
                open.pop();
            }
            let parent = open.last().map(|&(_, h)| h);
            open.push((level, k));
            parent
        })
        .collect()
}

/// The headings step `k` sits under, outermost first.
fn trail(parents: &[Option<usize>], k: usize) -> Vec<usize> {
    let mut trail = Vec::new();
    let mut at = parents.get(k).copied().flatten();
    while let Some(h) = at {
        trail.push(h);
        at = parents.get(h).copied().flatten();
    }
    trail.reverse();
    trail
}

/// What a fold hides, for its summary: `5 unchanged blocks`, or the
/// sections by name: `3 unchanged sections: “A”, “B”, “C”`, after the
/// blocks of the section it starts inside, if any.
fn fold_summary(hidden: &[&Block]) -> String {
    let count = |n: usize, one: &str, many: &str| {
        format!("{n} unchanged {}", if n == 1 { one } else { many })
    };
    let headings: Vec<&str> = hidden
        .iter()
        .filter(|b| is_heading(b))
        .map(|b| b.text.as_str())
        .collect();
    let leading = hidden
        .iter()
        .position(|b| is_heading(b))
        .unwrap_or(hidden.len());
    if headings.is_empty() {
        return count(hidden.len(), "block", "blocks");
    }
    let mut names: Vec<String> = headings
        .iter()
        .take(NAMED_IN_FOLD)
        .map(|name| format!("“{}”", shortened(name)))
        .collect();
    let rest = headings.len().saturating_sub(NAMED_IN_FOLD);
    if rest > 0 {
        names.push(format!("and {rest} more"));
    }
    let sections = format!(
        "{}: {}",
        count(headings.len(), "section", "sections"),
        names.join(", ")
    );
    if leading == 0 {
        sections
    } else {
        format!("{}, then {sections}", count(leading, "block", "blocks"))
    }
}

/// A heading cut at a word boundary near [`NAME_CHARS`], with `…`.
fn shortened(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let cut: String = name.chars().take(NAME_CHARS).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .filter(|&i| i > NAME_CHARS / 2);
    let kept = at_word.map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", kept.trim_end_matches(|c: char| !c.is_alphanumeric()))
}

fn is_heading(block: &Block) -> bool {
    matches!(block.kind, BlockKind::Heading(_))
}

/// The block a step shows: the new one, or the old one when removed.
fn shown_block<'b>(old: &[&'b Block], new: &[&'b Block], step: Step) -> &'b Block {
    match step {
        Step::Same(_, j) | Step::Changed(_, j) | Step::Added(j) => new[j],
        Step::Removed(i) => old[i],
    }
}

/// The container a block of `kind` goes in after one in `current`, and
/// whether it must open a new one.
fn next_group(current: Group, kind: BlockKind) -> (Group, bool) {
    let wanted = match kind {
        BlockKind::ListItem { ordered, .. } => Group::List { ordered },
        BlockKind::TableRow { header } => Group::Table {
            header_done: !header,
        },
        BlockKind::Quote => Group::Quote,
        _ => Group::None,
    };
    match (current, wanted) {
        // A header row after body rows starts a new table.
        (Group::Table { header_done: true }, Group::Table { header_done: false }) => (wanted, true),
        (Group::Table { header_done }, Group::Table { header_done: body }) => (
            Group::Table {
                header_done: header_done || body,
            },
            false,
        ),
        (current, wanted) => (wanted, current != wanted),
    }
}

/// The container a run of blocks shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    None,
    List { ordered: bool },
    Table { header_done: bool },
    Quote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Same,
    Changed,
    Added,
    Removed,
}

impl State {
    fn class(self) -> Option<&'static str> {
        match self {
            State::Same => None,
            State::Changed => Some("changed"),
            State::Added => Some("added"),
            State::Removed => Some("removed"),
        }
    }
}

struct Writer {
    html: String,
    group: Group,
    deadline: Instant,
}

impl Writer {
    fn step(&mut self, old: &[&Block], new: &[&Block], step: Step) {
        let block = shown_block(old, new, step);
        match step {
            Step::Same(..) => self.block(block, State::Same, None),
            Step::Changed(i, _) => self.block(block, State::Changed, Some(old[i])),
            Step::Added(_) => self.block(block, State::Added, None),
            Step::Removed(_) => self.block(block, State::Removed, None),
        }
    }

    /// Writes one block; `old` is the block it replaces, when changed.
    fn block(&mut self, block: &Block, state: State, old: Option<&Block>) {
        let mut classes: Vec<String> = Vec::new();
        let element = match block.kind {
            BlockKind::Title => {
                classes.push("redline-title".into());
                "p".to_string()
            }
            BlockKind::Heading(level) => format!("h{}", level.clamp(2, 6)),
            BlockKind::Paragraph => "p".into(),
            BlockKind::ListItem { depth, .. } => {
                if depth > 0 {
                    classes.push(format!("depth-{depth}"));
                }
                "li".into()
            }
            BlockKind::Quote => "p".into(),
            BlockKind::Code => "pre".into(),
            BlockKind::Html => {
                classes.push("html".into());
                "pre".into()
            }
            BlockKind::Rule => {
                classes.push("rule".into());
                "p".into()
            }
            BlockKind::TableRow { .. } => "tr".into(),
        };
        classes.extend(state.class().map(String::from));
        self.enter_group(block.kind);

        let _ = write!(self.html, "<{element}");
        if let (BlockKind::Heading(_), Some(id), false) =
            (block.kind, &block.anchor, state == State::Removed)
        {
            self.html.push_str(" id=\"");
            push_escaped(&mut self.html, id);
            self.html.push('"');
        }
        if !classes.is_empty() {
            let _ = write!(self.html, " class=\"{}\"", classes.join(" "));
        }
        self.html.push('>');
        match block.kind {
            BlockKind::Code | BlockKind::Html => {
                self.html.push_str("<code>");
                self.text(block, state, old);
                self.html.push_str("</code>");
            }
            BlockKind::Rule => wrap(&mut self.html, state, "* * *"),
            BlockKind::TableRow { header } => self.cells(block, state, old, header),
            _ => self.text(block, state, old),
        }
        let _ = writeln!(self.html, "</{element}>");
    }

    /// A block's text: plain, wholly inserted or deleted, or word by word.
    fn text(&mut self, block: &Block, state: State, old: Option<&Block>) {
        match old {
            Some(old) => {
                let diff = super::words::diff(&old.text, &block.text, self.deadline);
                words(&mut self.html, &old.text, &block.text, &diff);
            }
            None => wrap(&mut self.html, state, &block.text),
        }
    }

    /// A table row's cells; a changed row is compared cell by cell, and
    /// cells only one side has are classed `added` or `removed`.
    fn cells(&mut self, block: &Block, state: State, old: Option<&Block>, header: bool) {
        let cell = if header { "th" } else { "td" };
        let Some(old) = old else {
            for text in cells(block) {
                let _ = write!(self.html, "<{cell}>");
                wrap(&mut self.html, state, text);
                let _ = write!(self.html, "</{cell}>");
            }
            return;
        };
        for diff in diff_block(old, block, self.deadline) {
            match diff {
                CellDiff::Both { old, new, diff } => {
                    let _ = write!(self.html, "<{cell}>");
                    words(&mut self.html, old, new, &diff);
                }
                CellDiff::OnlyOld(text) => {
                    let _ = write!(self.html, "<{cell} class=\"removed\">");
                    wrap(&mut self.html, State::Removed, text);
                }
                CellDiff::OnlyNew(text) => {
                    let _ = write!(self.html, "<{cell} class=\"added\">");
                    wrap(&mut self.html, State::Added, text);
                }
            }
            let _ = write!(self.html, "</{cell}>");
        }
    }

    /// Opens the container a block of this kind needs, closing another.
    fn enter_group(&mut self, kind: BlockKind) {
        let (wanted, opens) = next_group(self.group, kind);
        if opens {
            self.close_group();
            self.html.push_str(match wanted {
                Group::None => "",
                Group::List { ordered: true } => "<ol>\n",
                Group::List { ordered: false } => "<ul>\n",
                Group::Table { .. } => "<table><tbody>\n",
                Group::Quote => "<blockquote>\n",
            });
        }
        self.group = wanted;
    }

    fn close_group(&mut self) {
        self.html.push_str(match self.group {
            Group::None => "",
            Group::List { ordered: true } => "</ol>\n",
            Group::List { ordered: false } => "</ul>\n",
            Group::Table { .. } => "</tbody></table>\n",
            Group::Quote => "</blockquote>\n",
        });
        self.group = Group::None;
    }
}

/// Text of an unchanged, added or removed block: added text in one `<ins>`,
/// removed text in one `<del>`.
fn wrap(out: &mut String, state: State, text: &str) {
    let tag = match state {
        State::Added => "ins",
        State::Removed => "del",
        State::Same | State::Changed => return push_escaped(out, text),
    };
    if !text.is_empty() {
        let _ = write!(out, "<{tag}>");
        push_escaped(out, text);
        let _ = write!(out, "</{tag}>");
    }
}

/// A word diff: common text as is, each change as `<del>…</del><ins>…</ins>`,
/// with a gap between them where they would read as one word.
fn words(out: &mut String, old: &str, new: &str, diff: &WordDiff) {
    for part in &diff.parts {
        match part {
            Part::Same { new: range, .. } => push_escaped(out, &new[range.clone()]),
            Part::Change {
                old: removed,
                new: added,
            } => {
                let (removed, added) = (&old[removed.clone()], &new[added.clone()]);
                wrap(out, State::Removed, removed);
                if would_touch(removed, added) {
                    out.push_str(GAP);
                }
                wrap(out, State::Added, added);
            }
        }
    }
}

/// Stands between deleted and inserted text that would otherwise run
/// together: a real space, so copied text reads `90 30`, not `9030`.
const GAP: &str = "<span class=\"gap\"> </span>";

/// Whether `removed` followed by `added` would read as one word: no white
/// space between them, and a letter or digit on one side of the seam
/// (`,` → `;` reads fine without a gap).
fn would_touch(removed: &str, added: &str) -> bool {
    let (Some(last), Some(first)) = (removed.chars().next_back(), added.chars().next()) else {
        return false;
    };
    !last.is_whitespace()
        && !first.is_whitespace()
        && (last.is_alphanumeric() || first.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: BlockKind, text: &str) -> Block {
        Block {
            kind,
            text: text.to_string(),
            cells: Vec::new(),
            links: Vec::new(),
            anchor: None,
        }
    }

    #[test]
    fn a_fold_names_its_sections_and_counts_the_rest() {
        let long = "A heading that goes on and on about the many ways we might use your data";
        let mut hidden = vec![block(BlockKind::Paragraph, "Tail of the section before.")];
        for name in [
            "Sharing", long, "Cookies", "Children", "Security", "Contact",
        ] {
            hidden.push(block(BlockKind::Heading(2), name));
            hidden.push(block(BlockKind::Paragraph, "Text."));
        }
        let refs: Vec<&Block> = hidden.iter().collect();
        assert_eq!(
            fold_summary(&refs),
            "1 unchanged block, then 6 unchanged sections: “Sharing”, \
             “A heading that goes on and on about the many ways we might…”, \
             “Cookies”, “Children”, and 2 more"
        );
        assert_eq!(fold_summary(&refs[1..3]), "1 unchanged section: “Sharing”");
        assert_eq!(fold_summary(&refs[..1]), "1 unchanged block");
    }

    #[test]
    fn only_words_that_would_touch_get_a_gap() {
        assert!(would_touch("90", "30"));
        assert!(would_touch("data.", "information"));
        assert!(!would_touch(",", ";"));
        assert!(!would_touch("sell ", "share"));
        assert!(!would_touch("", "new"));
    }
}
