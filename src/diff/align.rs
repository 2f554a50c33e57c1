//! Block alignment: which blocks stayed, which were edited, removed or added.
//!
//! Edited blocks are the ones that get a word diff.
//!
//! First a sequence diff over whole blocks (kind and text) finds what did not
//! change. Inside each replaced stretch, old and new blocks that look alike
//! (same kind of block, at least half their words shared) are paired in
//! order, maximising the total likeness; the rest are whole-block removals
//! and additions. The pairing is quadratic, so it is bounded: a stretch
//! larger than [`PAIR_LIMIT`] pairs first pairs its headings (so blocks pair
//! within their own section) and then, where still too large, only pairs
//! blocks standing at the same position.

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag};

use super::words::{is_word, tokens};
use super::{Block, BlockKind};

/// The most (old × new) block pairs scored in one stretch.
const PAIR_LIMIT: usize = 10_000;

/// The least share of words two blocks must have in common to be paired.
const LIKENESS: f32 = 0.5;

/// What happened to one block, by index into the old and new blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Same(usize, usize),
    Changed(usize, usize),
    Removed(usize),
    Added(usize),
}

/// Aligns two versions' blocks; the steps read the new document in order,
/// with removed blocks where they stood.
pub(super) fn align(old: &[&Block], new: &[&Block], deadline: Instant) -> Vec<Step> {
    let (old_keys, new_keys) = keys(old, new);
    let ops = similar::capture_diff_deadline(
        Algorithm::Patience,
        &old_keys,
        0..old_keys.len(),
        &new_keys,
        0..new_keys.len(),
        Some(deadline),
    );
    let mut pairer = Pairer::new(old, new);
    let mut steps = Vec::with_capacity(old.len().max(new.len()));
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => steps.extend(o.zip(n).map(|(i, j)| Step::Same(i, j))),
            DiffTag::Delete => steps.extend(o.map(Step::Removed)),
            DiffTag::Insert => steps.extend(n.map(Step::Added)),
            DiffTag::Replace => {
                let old_range: Vec<usize> = o.clone().collect();
                let new_range: Vec<usize> = n.clone().collect();
                let pairs = pairer.pair(&old_range, &new_range, true);
                weave(o, n, &pairs, &old_keys, &new_keys, &mut steps);
            }
        }
    }
    steps
}

/// Interns each block's kind and text as a number, so the sequence diff
/// compares integers.
fn keys<'b>(old: &[&'b Block], new: &[&'b Block]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: FxHashMap<([u8; 3], &'b str), u32> = FxHashMap::default();
    let mut key = |block: &&'b Block| {
        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        *ids.entry((kind_key(block.kind), block.text.as_str()))
            .or_insert(next)
    };
    let old_keys = old.iter().map(&mut key).collect();
    let new_keys = new.iter().map(&mut key).collect();
    (old_keys, new_keys)
}

/// A block kind as plain numbers, for hashing.
fn kind_key(kind: BlockKind) -> [u8; 3] {
    match kind {
        BlockKind::Title => [0, 0, 0],
        BlockKind::Heading(level) => [1, level, 0],
        BlockKind::Paragraph => [2, 0, 0],
        BlockKind::ListItem { ordered, depth } => [3, u8::from(ordered), depth],
        BlockKind::TableRow { header } => [4, u8::from(header), 0],
        BlockKind::Code => [5, 0, 0],
        BlockKind::Quote => [6, 0, 0],
        BlockKind::Rule => [7, 0, 0],
        BlockKind::Html => [8, 0, 0],
    }
}

/// Emits one replaced stretch: unpaired old blocks as removed and unpaired new
/// blocks as added, each before the next pair.
fn weave(
    old: Range<usize>,
    new: Range<usize>,
    pairs: &[(usize, usize)],
    old_keys: &[u32],
    new_keys: &[u32],
    steps: &mut Vec<Step>,
) {
    let (mut i, mut j) = (old.start, new.start);
    for &(pi, pj) in pairs {
        steps.extend((i..pi).map(Step::Removed));
        steps.extend((j..pj).map(Step::Added));
        steps.push(if old_keys[pi] == new_keys[pj] {
            Step::Same(pi, pj)
        } else {
            Step::Changed(pi, pj)
        });
        (i, j) = (pi + 1, pj + 1);
    }
    steps.extend((i..old.end).map(Step::Removed));
    steps.extend((j..new.end).map(Step::Added));
}

/// Which blocks may be paired: a paragraph may become a list item, a heading
/// may change level, but a heading never pairs with a paragraph.
fn family(kind: BlockKind) -> u8 {
    match kind {
        BlockKind::Title => 0,
        BlockKind::Heading(_) => 1,
        BlockKind::Paragraph | BlockKind::ListItem { .. } | BlockKind::Quote => 2,
        BlockKind::TableRow { .. } => 3,
        BlockKind::Code => 4,
        BlockKind::Rule => 5,
        BlockKind::Html => 6,
    }
}

/// Pairs blocks inside replaced stretches; word bags are computed once per
/// block, when first needed.
struct Pairer<'b> {
    old: &'b [&'b Block],
    new: &'b [&'b Block],
    old_bags: Vec<Option<Vec<u64>>>,
    new_bags: Vec<Option<Vec<u64>>>,
}

impl<'b> Pairer<'b> {
    fn new(old: &'b [&'b Block], new: &'b [&'b Block]) -> Self {
        Pairer {
            old,
            new,
            old_bags: vec![None; old.len()],
            new_bags: vec![None; new.len()],
        }
    }

    /// In-order pairs of alike blocks among the given old and new indices.
    fn pair(&mut self, old: &[usize], new: &[usize], by_heading: bool) -> Vec<(usize, usize)> {
        if old.is_empty() || new.is_empty() {
            return Vec::new();
        }
        if old.len().saturating_mul(new.len()) <= PAIR_LIMIT {
            return self.best_pairs(old, new);
        }
        if by_heading {
            let is_heading = |b: &Block| matches!(b.kind, BlockKind::Heading(_));
            let old_headings: Vec<usize> = old
                .iter()
                .copied()
                .filter(|&i| is_heading(self.old[i]))
                .collect();
            let new_headings: Vec<usize> = new
                .iter()
                .copied()
                .filter(|&j| is_heading(self.new[j]))
                .collect();
            if old_headings.len().saturating_mul(new_headings.len()) <= PAIR_LIMIT {
                let anchors = self.best_pairs(&old_headings, &new_headings);
                if !anchors.is_empty() {
                    return self.pair_between(old, new, &anchors);
                }
            }
        }
        self.same_position_pairs(old, new)
    }

    /// Pairs the stretches between anchor pairs, keeping the anchors.
    fn pair_between(
        &mut self,
        old: &[usize],
        new: &[usize],
        anchors: &[(usize, usize)],
    ) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        let (mut i, mut j) = (0, 0);
        for &(ai, aj) in anchors {
            let oi = old.partition_point(|&x| x < ai);
            let nj = new.partition_point(|&x| x < aj);
            pairs.extend(self.pair(&old[i..oi], &new[j..nj], false));
            pairs.push((ai, aj));
            (i, j) = (oi + 1, nj + 1);
        }
        pairs.extend(self.pair(&old[i.min(old.len())..], &new[j.min(new.len())..], false));
        pairs
    }

    /// The coarse fallback: the n-th old block with the n-th new one, when alike.
    fn same_position_pairs(&mut self, old: &[usize], new: &[usize]) -> Vec<(usize, usize)> {
        old.iter()
            .zip(new)
            .filter(|&(&i, &j)| self.likeness(i, j).is_some())
            .map(|(&i, &j)| (i, j))
            .collect()
    }

    /// The in-order pairing with the greatest total likeness (an LCS where
    /// each match is weighted by how alike the two blocks are).
    fn best_pairs(&mut self, old: &[usize], new: &[usize]) -> Vec<(usize, usize)> {
        let (n, m) = (old.len(), new.len());
        let width = m + 1;
        let mut likeness = vec![0f32; n * m];
        for (a, &i) in old.iter().enumerate() {
            for (b, &j) in new.iter().enumerate() {
                likeness[a * m + b] = self.likeness(i, j).unwrap_or(0.0);
            }
        }
        let mut best = vec![0f32; (n + 1) * width];
        for a in 1..=n {
            for b in 1..=m {
                let l = likeness[(a - 1) * m + (b - 1)];
                let diagonal = if l > 0.0 {
                    best[(a - 1) * width + b - 1] + l
                } else {
                    0.0
                };
                best[a * width + b] = best[(a - 1) * width + b]
                    .max(best[a * width + b - 1])
                    .max(diagonal);
            }
        }
        let mut pairs = Vec::new();
        let (mut a, mut b) = (n, m);
        while a > 0 && b > 0 {
            let here = best[a * width + b];
            if here == best[(a - 1) * width + b] {
                a -= 1;
            } else if here == best[a * width + b - 1] {
                b -= 1;
            } else {
                pairs.push((old[a - 1], new[b - 1]));
                a -= 1;
                b -= 1;
            }
        }
        pairs.reverse();
        pairs
    }

    /// How alike two blocks are, from 0.5 to 1, or None when they are not
    /// to be paired.
    fn likeness(&mut self, i: usize, j: usize) -> Option<f32> {
        let (old, new) = (self.old[i], self.new[j]);
        if family(old.kind) != family(new.kind) {
            return None;
        }
        let old_bag = self.old_bags[i].get_or_insert_with(|| bag(&old.text));
        let new_bag = self.new_bags[j].get_or_insert_with(|| bag(&new.text));
        let most = old_bag.len().max(new_bag.len());
        let ratio = if most == 0 {
            1.0
        } else {
            shared(old_bag, new_bag) as f32 / most as f32
        };
        if old.kind == BlockKind::Title {
            // There is one title: its versions always pair.
            return Some(ratio.max(LIKENESS));
        }
        (ratio >= LIKENESS).then_some(ratio)
    }
}

/// A block's words, case-folded and hashed, sorted.
fn bag(text: &str) -> Vec<u64> {
    let mut bag: Vec<u64> = tokens(text)
        .into_iter()
        .filter(|t| is_word(t))
        .map(|word| {
            // FNV-1a over the lower-cased characters.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for c in word.chars().flat_map(char::to_lowercase) {
                hash ^= u64::from(c);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            hash
        })
        .collect();
    bag.sort_unstable();
    bag
}

/// The size of the multiset intersection of two sorted bags.
fn shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn para(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text.to_string(),
            cells: Vec::new(),
            links: Vec::new(),
            anchor: None,
        }
    }

    fn heading(text: &str) -> Block {
        Block {
            kind: BlockKind::Heading(2),
            ..para(text)
        }
    }

    fn run(old: &[Block], new: &[Block]) -> Vec<Step> {
        let old: Vec<&Block> = old.iter().collect();
        let new: Vec<&Block> = new.iter().collect();
        align(&old, &new, Instant::now() + Duration::from_secs(5))
    }

    #[test]
    fn alike_blocks_pair_and_unlike_ones_do_not() {
        let old = [
            para("We keep logs for 30 days."),
            para("Nothing in common here at all."),
        ];
        let new = [
            para("We keep logs for 90 days."),
            para("Entirely different wording now."),
        ];
        assert_eq!(
            run(&old, &new),
            [Step::Changed(0, 0), Step::Removed(1), Step::Added(1)]
        );
    }

    #[test]
    fn headings_never_pair_with_paragraphs() {
        let old = [heading("Cookies we use")];
        let new = [para("Cookies we use")];
        assert_eq!(run(&old, &new), [Step::Removed(0), Step::Added(0)]);
    }

    #[test]
    fn pairing_prefers_the_most_alike_block() {
        let old = [para("alpha beta gamma delta")];
        let new = [
            para("alpha beta gamma epsilon zeta"),
            para("alpha beta gamma delta eta"),
        ];
        assert_eq!(run(&old, &new), [Step::Added(0), Step::Changed(0, 1)]);
    }

    #[test]
    fn large_stretches_without_headings_pair_by_position() {
        // 120 × 120 blocks is over the limit and has no headings: the n-th
        // old block may only pair with the n-th new one. Block 0 is alike
        // its counterpart; block 1 is alike only block 2 of the other side.
        let mut old = vec![para("alpha beta gamma"), para("delta epsilon zeta")];
        let mut new = vec![para("alpha beta gamma eta"), para("unrelated words")];
        new.push(para("delta epsilon zeta eta"));
        old.push(para("more unrelated text"));
        for k in 3..120 {
            old.push(para(&format!("old text {k}")));
            new.push(para(&format!("new words {k}")));
        }
        let steps = run(&old, &new);
        let changed: Vec<_> = steps
            .iter()
            .filter(|s| matches!(s, Step::Changed(..)))
            .collect();
        assert_eq!(changed, [&Step::Changed(0, 0)]);
        assert_eq!(steps.len(), 1 + 2 * 119);
    }

    #[test]
    fn large_stretches_pair_within_sections() {
        // 150 × 150 blocks is over the limit: headings anchor the pairing.
        let mut old = Vec::new();
        let mut new = Vec::new();
        for s in 0..10 {
            old.push(heading(&format!("Section number {s} old")));
            new.push(heading(&format!("Section number {s} new")));
            for p in 0..14 {
                old.push(para(&format!("paragraph {s} {p} one two three")));
                new.push(para(&format!("paragraph {s} {p} one two four")));
            }
        }
        let steps = run(&old, &new);
        assert_eq!(steps.len(), old.len());
        assert!(
            steps
                .iter()
                .all(|s| matches!(s, Step::Changed(i, j) if i == j)),
            "{steps:?}"
        );
    }
}
