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
//! change in view.

use std::fmt::Write as _;
use std::ops::Range;
use std::time::Instant;

use super::align::Step;
use super::words::{CellDiff, Part, WordDiff, cells, diff_block};
use super::{Block, BlockKind};
use crate::control_chars::push_escaped;

/// Unchanged runs longer than this are folded.
const FOLD_OVER: usize = 6;
/// Unchanged blocks kept in view on each side of a change.
const CONTEXT: usize = 2;

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
            let n = range.len();
            let plural = if n == 1 { "block" } else { "blocks" };
            let _ = writeln!(
                out.html,
                "<details class=\"unchanged\"><summary>{n} unchanged {plural}</summary>"
            );
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
        out.push((hide_from..hide_to, true));
        shown_from = hide_to;
    }
    if shown_from < steps.len() {
        out.push((shown_from..steps.len(), false));
    }
    out
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

/// A word diff: common text as is, each change as `<del>…</del><ins>…</ins>`.
fn words(out: &mut String, old: &str, new: &str, diff: &WordDiff) {
    for part in &diff.parts {
        match part {
            Part::Same { new: range, .. } => push_escaped(out, &new[range.clone()]),
            Part::Change {
                old: removed,
                new: added,
            } => {
                wrap(out, State::Removed, &old[removed.clone()]);
                wrap(out, State::Added, &new[added.clone()]);
            }
        }
    }
}
