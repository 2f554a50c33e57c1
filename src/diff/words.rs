//! Word-level diff inside one pair of blocks: tokens, the diff, word counts.
//!
//! Text is cut into words, runs of white space and single punctuation marks,
//! so a change never splits a word and `30 days.` → `90 days.` reads as one
//! replaced number. Inside a word an apostrophe between letters (`don't`) and
//! a `.` or `,` between digits (`1.5`, `1,000`) are kept, so a number changes
//! as a whole. Changes separated only by spaces or punctuation are merged, so
//! a rewritten phrase reads `<del>old words</del><ins>new words</ins>`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use rustc_hash::FxHashMap;
use similar::{Algorithm, DiffTag};

use super::Block;

/// Splits text into words, white space runs and single other characters.
/// The tokens concatenated are the text.
pub(super) fn tokens(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let offset = |k: usize| chars.get(k).map_or(text.len(), |&(i, _)| i);
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(&(start, c)) = chars.get(k) {
        k += 1;
        if c.is_alphanumeric() {
            while let Some(&(_, d)) = chars.get(k) {
                if d.is_alphanumeric() {
                    k += 1;
                    continue;
                }
                let prev = chars[k - 1].1;
                let joins = match (d, chars.get(k + 1).map(|&(_, n)| n)) {
                    ('\'' | '’', Some(next)) => prev.is_alphabetic() && next.is_alphabetic(),
                    ('.' | ',', Some(next)) => prev.is_ascii_digit() && next.is_ascii_digit(),
                    _ => false,
                };
                if !joins {
                    break;
                }
                k += 2;
            }
        } else if c.is_whitespace() {
            while chars.get(k).is_some_and(|&(_, d)| d.is_whitespace()) {
                k += 1;
            }
        }
        out.push(&text[start..offset(k)]);
    }
    out
}

/// Whether a token is a word (rather than white space or punctuation).
pub(super) fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(char::is_alphanumeric)
}

/// The number of words in a text.
pub(super) fn count_words(text: &str) -> usize {
    tokens(text).into_iter().filter(|t| is_word(t)).count()
}

/// One stretch of a compared text, as byte ranges into the old and new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Same {
        old: Range<usize>,
        new: Range<usize>,
    },
    Change {
        old: Range<usize>,
        new: Range<usize>,
    },
}

/// Two texts compared word by word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WordDiff {
    pub parts: Vec<Part>,
    pub added: usize,
    pub removed: usize,
}

/// Compares two texts word by word; within a [`Memo`], each pair of texts
/// once, and across redlines on this thread each equal pair once
/// ([`Across`]).
pub(super) fn diff(old: &str, new: &str, deadline: Instant) -> WordDiff {
    let key = (
        old.as_ptr() as usize,
        old.len(),
        new.as_ptr() as usize,
        new.len(),
    );
    let remembered = MEMO.with(|memo| {
        let memo = memo.borrow();
        let (texts, diff) = memo.as_ref()?.get(&key)?;
        (texts.0 == old && texts.1 == new).then(|| diff.clone())
    });
    if let Some(diff) = remembered {
        return diff;
    }
    let diff = match ACROSS.with(|across| across.borrow().get(old, new)) {
        Some(diff) => diff,
        None => {
            let diff = diff_afresh(old, new, deadline);
            // A diff cut short by the deadline is not handed to other
            // redlines: a quieter moment would have finished it.
            if Instant::now() < deadline {
                ACROSS.with(|across| across.borrow_mut().put(old, new, &diff));
            }
            diff
        }
    };
    MEMO.with(|memo| {
        if let Some(memo) = memo.borrow_mut().as_mut() {
            memo.insert(key, ((old.to_string(), new.to_string()), diff.clone()));
        }
    });
    diff
}

/// Below this many tokens in both texts, the diff is quick whatever it
/// finds, so it runs without reading the clock at every step (the clock
/// was a tenth of a large build's time); the deadline is still honoured
/// between diffs.
const CLOCK_FREE_TOKENS: usize = 2_000;

type MemoMap = HashMap<(usize, usize, usize, usize), ((String, String), WordDiff)>;

thread_local! {
    static MEMO: RefCell<Option<MemoMap>> = const { RefCell::new(None) };
}

thread_local! {
    static ACROSS: RefCell<Across> = RefCell::new(Across::default());
}

/// Word diffs remembered by content across redlines, on this thread. A
/// document's "since" redlines all compare with its newest version, so
/// the same pair of paragraph texts (one not changed since some older
/// version, against the newest's) is diffed once, not once per version.
/// Texts are kept and compared, so only an equal pair is ever answered;
/// past [`ACROSS_BYTES`] of kept text the memo starts again.
#[derive(Default)]
struct Across {
    pairs: FxHashMap<(u64, u64), Vec<KeptPair>>,
    bytes: usize,
}

/// A pair of texts and their diff, as [`Across`] keeps them.
type KeptPair = (Box<str>, Box<str>, WordDiff);

/// What [`Across`] keeps at most, per thread.
const ACROSS_BYTES: usize = 2 << 20;

impl Across {
    fn key(old: &str, new: &str) -> (u64, u64) {
        use std::hash::BuildHasher;
        let hasher = rustc_hash::FxBuildHasher;
        (hasher.hash_one(old), hasher.hash_one(new))
    }

    fn get(&self, old: &str, new: &str) -> Option<WordDiff> {
        let pairs = self.pairs.get(&Self::key(old, new))?;
        pairs
            .iter()
            .find(|(o, n, _)| **o == *old && **n == *new)
            .map(|(_, _, diff)| diff.clone())
    }

    fn put(&mut self, old: &str, new: &str, diff: &WordDiff) {
        let size = old.len() + new.len();
        if size > ACROSS_BYTES / 4 {
            return;
        }
        if self.bytes + size > ACROSS_BYTES {
            self.pairs.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.pairs.entry(Self::key(old, new)).or_default().push((
            old.into(),
            new.into(),
            diff.clone(),
        ));
    }
}

/// While one is alive, [`diff`] on this thread remembers its results, so a
/// redline's page and its section summary diff each pair of blocks once.
/// Texts are found by address and length and then compared, so a text
/// freed and another put in its place is never taken for it.
pub(super) struct Memo {
    outer: Option<MemoMap>,
}

impl Memo {
    pub(super) fn start() -> Memo {
        Memo {
            outer: MEMO.with(|memo| memo.borrow_mut().replace(HashMap::new())),
        }
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        let outer = self.outer.take();
        MEMO.with(|memo| *memo.borrow_mut() = outer);
    }
}

/// Each token as a number, equal tokens as equal numbers: the diff then
/// compares integers, not strings (the same result, found faster).
fn interned<'a>(old: &[&'a str], new: &[&'a str]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: FxHashMap<&'a str, u32> = FxHashMap::default();
    ids.reserve(old.len().max(new.len()));
    let mut numbered = |tokens: &[&'a str]| -> Vec<u32> {
        tokens
            .iter()
            .map(|&token| {
                let next = ids.len() as u32;
                *ids.entry(token).or_insert(next)
            })
            .collect()
    };
    let old = numbered(old);
    let new = numbered(new);
    (old, new)
}

fn diff_afresh(old: &str, new: &str, deadline: Instant) -> WordDiff {
    if old == new {
        return WordDiff {
            parts: vec![Part::Same {
                old: 0..old.len(),
                new: 0..new.len(),
            }],
            added: 0,
            removed: 0,
        };
    }
    let old_tokens = tokens(old);
    let new_tokens = tokens(new);
    let old_at = starts(&old_tokens);
    let new_at = starts(&new_tokens);
    let small = old_tokens.len() + new_tokens.len() <= CLOCK_FREE_TOKENS;
    let clock = (!small || Instant::now() >= deadline).then_some(deadline);
    let (old_ids, new_ids) = interned(&old_tokens, &new_tokens);
    let ops = similar::capture_diff_deadline(
        Algorithm::Myers,
        &old_ids,
        0..old_ids.len(),
        &new_ids,
        0..new_ids.len(),
        clock,
    );

    let mut parts: Vec<Part> = Vec::with_capacity(ops.len());
    let (mut added, mut removed) = (0, 0);
    for op in &ops {
        let (tag, o, n) = op.as_tag_tuple();
        let old_bytes = old_at[o.start]..old_at[o.end];
        let new_bytes = new_at[n.start]..new_at[n.end];
        if tag == DiffTag::Equal {
            parts.push(Part::Same {
                old: old_bytes,
                new: new_bytes,
            });
            continue;
        }
        removed += old_tokens[o].iter().filter(|t| is_word(t)).count();
        added += new_tokens[n].iter().filter(|t| is_word(t)).count();
        match parts.last_mut() {
            Some(Part::Change { old, new }) => {
                old.end = old_bytes.end;
                new.end = new_bytes.end;
            }
            _ => parts.push(Part::Change {
                old: old_bytes,
                new: new_bytes,
            }),
        }
    }
    WordDiff {
        parts: merge_close_changes(parts, new),
        added,
        removed,
    }
}

/// Byte offset of each token, and the text's length after the last.
fn starts(tokens: &[&str]) -> Vec<usize> {
    let mut at = Vec::with_capacity(tokens.len() + 1);
    let mut offset = 0;
    at.push(0);
    for token in tokens {
        offset += token.len();
        at.push(offset);
    }
    at
}

/// Joins two changes separated by nothing but spaces and punctuation.
fn merge_close_changes(parts: Vec<Part>, new: &str) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::with_capacity(parts.len());
    let mut parts = parts.into_iter().peekable();
    while let Some(part) = parts.next() {
        let bridge = match (&part, out.last(), parts.peek()) {
            (
                Part::Same { new: same, .. },
                Some(Part::Change { .. }),
                Some(Part::Change { .. }),
            ) => !tokens(&new[same.clone()]).into_iter().any(is_word),
            _ => false,
        };
        if bridge {
            if let (Some(Part::Change { old, new }), Some(Part::Change { old: o, new: n })) =
                (out.last_mut(), parts.next())
            {
                old.end = o.end;
                new.end = n.end;
            }
            continue;
        }
        match (out.last_mut(), &part) {
            (Some(Part::Change { old, new }), Part::Change { old: o, new: n }) => {
                old.end = o.end;
                new.end = n.end;
            }
            _ => out.push(part),
        }
    }
    out
}

/// One cell of a compared block: table rows are compared cell by cell, every
/// other block is one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CellDiff<'a> {
    Both {
        old: &'a str,
        new: &'a str,
        diff: WordDiff,
    },
    OnlyOld(&'a str),
    OnlyNew(&'a str),
}

/// Compares two paired blocks; table rows cell by cell, in position.
pub(super) fn diff_block<'a>(
    old: &'a Block,
    new: &'a Block,
    deadline: Instant,
) -> Vec<CellDiff<'a>> {
    let (old_cells, new_cells) = (cells(old), cells(new));
    let mut out = Vec::with_capacity(old_cells.len().max(new_cells.len()));
    let mut old_cells = old_cells.into_iter();
    let mut new_cells = new_cells.into_iter();
    loop {
        match (old_cells.next(), new_cells.next()) {
            (Some(old), Some(new)) => out.push(CellDiff::Both {
                old,
                new,
                diff: diff(old, new, deadline),
            }),
            (Some(old), None) => out.push(CellDiff::OnlyOld(old)),
            (None, Some(new)) => out.push(CellDiff::OnlyNew(new)),
            (None, None) => return out,
        }
    }
}

/// The words added and removed between two paired blocks.
pub(super) fn block_counts(old: &Block, new: &Block, deadline: Instant) -> (usize, usize) {
    diff_block(old, new, deadline)
        .iter()
        .fold((0, 0), |(added, removed), cell| match cell {
            CellDiff::Both { diff, .. } => (added + diff.added, removed + diff.removed),
            CellDiff::OnlyOld(old) => (added, removed + count_words(old)),
            CellDiff::OnlyNew(new) => (added + count_words(new), removed),
        })
}

/// A block's cells: a table row's cells, or the whole text as one cell.
pub(super) fn cells(block: &Block) -> Vec<&str> {
    if matches!(block.kind, super::BlockKind::TableRow { .. }) && !block.cells.is_empty() {
        block.cells.iter().map(String::as_str).collect()
    } else {
        vec![block.text.as_str()]
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    /// Renders a diff as `[-old-]{+new+}` for readable assertions.
    fn show(old: &str, new: &str) -> (String, usize, usize) {
        let d = diff(old, new, later());
        let mut s = String::new();
        for part in &d.parts {
            match part {
                Part::Same { new: n, .. } => s.push_str(&new[n.clone()]),
                Part::Change { old: o, new: n } => {
                    if !o.is_empty() {
                        s.push_str(&format!("[-{}-]", &old[o.clone()]));
                    }
                    if !n.is_empty() {
                        s.push_str(&format!("{{+{}+}}", &new[n.clone()]));
                    }
                }
            }
        }
        (s, d.added, d.removed)
    }

    #[test]
    fn tokens_keep_numbers_and_contractions_whole() {
        assert_eq!(
            tokens("We don't keep 1,000.5 logs, ever."),
            [
                "We", " ", "don't", " ", "keep", " ", "1,000.5", " ", "logs", ",", " ", "ever", "."
            ]
        );
        assert_eq!(tokens("a  \n b"), ["a", "  \n ", "b"]);
        assert_eq!(tokens("'x' 3."), ["'", "x", "'", " ", "3", "."]);
        assert_eq!(tokens(""), Vec::<&str>::new());
    }

    #[test]
    fn a_changed_number_is_one_word() {
        assert_eq!(
            show("kept for 30 days.", "kept for 90 days."),
            ("kept for [-30-]{+90+} days.".to_string(), 1, 1)
        );
    }

    #[test]
    fn changes_separated_by_spaces_merge() {
        assert_eq!(
            show("we sell your data", "we share all data"),
            ("we [-sell your-]{+share all+} data".to_string(), 2, 2)
        );
    }

    #[test]
    fn punctuation_is_not_counted_as_words() {
        assert_eq!(
            show("Hello, world", "Hello; world"),
            ("Hello[-,-]{+;+} world".to_string(), 0, 0)
        );
    }

    #[test]
    fn diffs_across_redlines_answer_only_equal_pairs_and_start_again_when_full() {
        let far = Instant::now() + std::time::Duration::from_secs(60);
        let (old, new) = ("We keep logs for 30 days.", "We keep logs for 90 days.");
        let first = diff(old, new, far);
        // The same texts in other allocations, as another version holds them.
        let (old_again, new_again) = (old.to_string(), new.to_string());
        let remembered = ACROSS.with(|across| across.borrow().get(&old_again, &new_again));
        assert_eq!(remembered, Some(first.clone()));
        assert_eq!(diff(&old_again, &new_again, far), first);
        let other = ACROSS.with(|across| across.borrow().get(old, "We keep logs for 7 days."));
        assert_eq!(other, None);

        // Past the limit the memo is emptied, not grown.
        // Each pair a fifth of the limit: the sixth cannot fit.
        let long = "word ".repeat(ACROSS_BYTES / 50);
        ACROSS.with(|across| {
            let mut across = across.borrow_mut();
            for i in 0..6 {
                let new = format!("{long}{i}");
                across.put(&long, &new, &first);
                assert!(across.bytes <= ACROSS_BYTES, "{}", across.bytes);
            }
            assert!(across.get(old, new).is_none(), "emptied when full");
        });
    }

    #[test]
    fn a_diff_past_its_deadline_is_not_remembered_across_redlines() {
        let past = Instant::now();
        let (old, new) = ("A sentence that was.", "A sentence that is now.");
        diff(old, new, past);
        assert_eq!(ACROSS.with(|across| across.borrow().get(old, new)), None);
    }
}
