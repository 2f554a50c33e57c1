//! The section summary, and the one sentence that tells readers about it.
//!
//! The summary lists which sections were added, removed, renamed, moved or
//! changed, with their word counts.
//!
//! A section is a heading and the blocks up to the next heading of any
//! level; blocks before the first heading form an implicit "Introduction".
//! Sections are matched between versions, not blocks: by headings the block
//! alignment kept or paired (a paired heading with new text is a rename),
//! then by identical heading text (which finds sections that moved, since
//! the alignment sees a move as a removal and an addition). A matched section
//! whose order among the other matched sections changed (outside the longest
//! increasing run) is moved. Each matched section is compared on its own, so
//! a moved section counts only the words edited inside it. A section is
//! listed when any of its blocks changed at all, so a punctuation-only edit
//! is `Changed` with no words counted (with `meaning` naming what changed
//! when the editorial rule finds it material: a link target, a sentence
//! boundary, strikethrough); unchanged sections are not listed.
//! The introduction has no anchor, and is marked so that summaries name it
//! in the reader's language.
//!
//! The document title is not a section, nor is a level-1 heading holding
//! the other version's title (the title's source changed between the
//! leading heading and the file name or front matter). A changed title is reported first,
//! as `Renamed` (with the old title as `previous_title`) and no anchor; a
//! title that appears or disappears is `Added` or `Removed`.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use std::time::{Duration, Instant};

use super::align::{Step, align};
use super::editorial;
use super::wording::{SummaryWords, fill};
use super::words::{self, block_counts, count_words};
use super::{Block, BlockKind, SectionChange, SectionChangeKind};

/// How many sections [`describe`] names before summing up the rest.
const NAMED_IN_SENTENCE: usize = 5;

const INTRODUCTION: &str = "Introduction";

/// A heading (none for the introduction) and its blocks, by index.
struct Section {
    heading: Option<usize>,
    blocks: Vec<usize>,
}

/// The section summary, in new-document order with removed sections where
/// they stood.
pub(super) fn summarise(
    old: &[&Block],
    new: &[&Block],
    steps: &[Step],
    deadline: Instant,
) -> Vec<SectionChange> {
    let mut entries = Vec::new();
    if let Some(entry) = title_change(old, new, deadline) {
        entries.push(entry);
    }
    let old_sections = split(old, title_heading(old, new));
    let new_sections = split(new, title_heading(new, old));
    let (old_match, new_match) = match_sections(old, new, &old_sections, &new_sections, steps);
    let in_order = in_order(&new_match);

    let heading_text = |blocks: &[&Block], section: &Section| {
        section
            .heading
            .map_or(INTRODUCTION.to_string(), |h| blocks[h].text.clone())
    };
    let mut next_old = 0;
    let mut flush_removed = |until: usize, entries: &mut Vec<SectionChange>| {
        while next_old < until.min(old_sections.len()) {
            let section = &old_sections[next_old];
            if old_match[next_old].is_none() {
                entries.push(SectionChange {
                    kind: SectionChangeKind::Removed,
                    title: heading_text(old, section),
                    previous_title: None,
                    anchor: None,
                    words_added: 0,
                    words_removed: section_words(old, section),
                    meaning: None,
                    introduction: section.heading.is_none(),
                });
            }
            next_old += 1;
        }
    };
    for (s, section) in new_sections.iter().enumerate() {
        let title = heading_text(new, section);
        let anchor = section.heading.and_then(|h| new[h].anchor.clone());
        let Some(m) = new_match[s] else {
            entries.push(SectionChange {
                kind: SectionChangeKind::Added,
                title,
                previous_title: None,
                anchor,
                words_added: section_words(new, section),
                words_removed: 0,
                meaning: None,
                introduction: section.heading.is_none(),
            });
            continue;
        };
        let moved = !in_order[s];
        if !moved {
            flush_removed(m, &mut entries);
        }
        let old_blocks: Vec<&Block> = old_sections[m].blocks.iter().map(|&i| old[i]).collect();
        let new_blocks: Vec<&Block> = section.blocks.iter().map(|&j| new[j]).collect();
        let unchanged = old_blocks.len() == new_blocks.len()
            && old_blocks
                .iter()
                .zip(&new_blocks)
                .all(|(a, b)| a.kind == b.kind && a.text == b.text && a.links == b.links);
        if unchanged && !moved {
            continue;
        }
        let (words_added, words_removed) = if unchanged {
            (0, 0)
        } else {
            counts(&old_blocks, &new_blocks, deadline)
        };
        let previous_title = heading_text(old, &old_sections[m]);
        // No word counted, yet the rule may find the meaning changed.
        let meaning = (!unchanged && words_added == 0 && words_removed == 0)
            .then(|| editorial::judge(&old_blocks, &new_blocks, deadline))
            .filter(|verdict| !verdict.editorial)
            .map(|verdict| verdict.what.into());
        let (kind, previous_title) = if moved {
            (SectionChangeKind::Moved, None)
        } else if previous_title != title {
            (SectionChangeKind::Renamed, Some(previous_title))
        } else {
            (SectionChangeKind::Changed, None)
        };
        entries.push(SectionChange {
            kind,
            title,
            previous_title,
            anchor,
            words_added,
            words_removed,
            meaning,
            introduction: section.heading.is_none(),
        });
    }
    flush_removed(old_sections.len(), &mut entries);
    entries
}

/// The title's change, if any.
fn title_change(old: &[&Block], new: &[&Block], deadline: Instant) -> Option<SectionChange> {
    let title = |blocks: &[&'_ Block]| {
        blocks
            .iter()
            .find(|b| b.kind == BlockKind::Title)
            .map(|b| (*b).clone())
    };
    let entry = |kind, title: &Block, previous_title, (words_added, words_removed)| SectionChange {
        kind,
        title: title.text.clone(),
        previous_title,
        anchor: None,
        words_added,
        words_removed,
        meaning: None,
        introduction: false,
    };
    match (title(old), title(new)) {
        (Some(old), Some(new)) if old.text != new.text => Some(entry(
            SectionChangeKind::Renamed,
            &new,
            Some(old.text.clone()),
            block_counts(&old, &new, deadline),
        )),
        (Some(old), None) => Some(entry(
            SectionChangeKind::Removed,
            &old,
            None,
            (0, count_words(&old.text)),
        )),
        (None, Some(new)) => Some(entry(
            SectionChangeKind::Added,
            &new,
            None,
            (count_words(&new.text), 0),
        )),
        _ => None,
    }
}

/// The level-1 heading of `blocks` that holds the other version's title,
/// when the titles differ: the title's source changed (the leading `#`
/// heading became the title, or stopped being it), and that heading is read
/// as the title, so the body is not reported as moving into its section.
fn title_heading(blocks: &[&Block], other: &[&Block]) -> Option<usize> {
    let title_of = |blocks: &[&Block]| {
        blocks
            .iter()
            .find(|b| b.kind == BlockKind::Title)
            .map(|b| b.text.clone())
    };
    let other_title = title_of(other)?;
    if title_of(blocks).as_ref() == Some(&other_title) {
        return None;
    }
    blocks
        .iter()
        .position(|b| b.kind == BlockKind::Heading(1) && b.text == other_title)
}

/// Cuts blocks into sections; the first is the introduction (maybe empty).
/// Title blocks, and the heading read as the title, belong to no section.
fn split(blocks: &[&Block], title_heading: Option<usize>) -> Vec<Section> {
    let mut sections = vec![Section {
        heading: None,
        blocks: Vec::new(),
    }];
    for (i, block) in blocks.iter().enumerate() {
        match block.kind {
            BlockKind::Title => {}
            _ if Some(i) == title_heading => {}
            BlockKind::Heading(_) => sections.push(Section {
                heading: Some(i),
                blocks: vec![i],
            }),
            _ => {
                if let Some(section) = sections.last_mut() {
                    section.blocks.push(i);
                }
            }
        }
    }
    sections
}

/// Old section → new section and back. The introductions always match; then
/// headings the alignment kept or paired; then equal heading texts, in order.
fn match_sections(
    old: &[&Block],
    new: &[&Block],
    old_sections: &[Section],
    new_sections: &[Section],
    steps: &[Step],
) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let mut old_match = vec![None; old_sections.len()];
    let mut new_match = vec![None; new_sections.len()];
    old_match[0] = Some(0);
    new_match[0] = Some(0);
    let section_of_heading = |sections: &[Section], len: usize| {
        let mut of = vec![None; len];
        for (s, section) in sections.iter().enumerate() {
            if let Some(h) = section.heading {
                of[h] = Some(s);
            }
        }
        of
    };
    let old_of = section_of_heading(old_sections, old.len());
    let new_of = section_of_heading(new_sections, new.len());
    for step in steps {
        let (Step::Same(i, j) | Step::Changed(i, j)) = *step else {
            continue;
        };
        if let (Some(a), Some(b)) = (old_of[i], new_of[j])
            && old_match[a].is_none()
            && new_match[b].is_none()
        {
            old_match[a] = Some(b);
            new_match[b] = Some(a);
        }
    }
    let mut unmatched_by_text: FxHashMap<&str, VecDeque<usize>> = FxHashMap::default();
    for (a, section) in old_sections.iter().enumerate() {
        if let (None, Some(h)) = (old_match[a], section.heading) {
            unmatched_by_text
                .entry(old[h].text.as_str())
                .or_default()
                .push_back(a);
        }
    }
    for (b, section) in new_sections.iter().enumerate() {
        let (None, Some(h)) = (new_match[b], section.heading) else {
            continue;
        };
        let same_text = unmatched_by_text
            .get_mut(new[h].text.as_str())
            .and_then(VecDeque::pop_front);
        if let Some(a) = same_text {
            old_match[a] = Some(b);
            new_match[b] = Some(a);
        }
    }
    (old_match, new_match)
}

/// For each new section: false when it is matched but out of order (not in
/// the longest run of matched sections whose old order increases).
fn in_order(new_match: &[Option<usize>]) -> Vec<bool> {
    let matched: Vec<(usize, usize)> = new_match
        .iter()
        .enumerate()
        .filter_map(|(s, m)| m.map(|m| (s, m)))
        .collect();
    // Patience-sorting LIS: tails[k] is the index (into `matched`) ending the
    // best increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<Option<usize>> = vec![None; matched.len()];
    for (k, &(_, m)) in matched.iter().enumerate() {
        let at = tails.partition_point(|&t| matched[t].1 < m);
        before[k] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(k);
        } else {
            tails[at] = k;
        }
    }
    let mut in_order = vec![true; new_match.len()];
    for &(s, _) in &matched {
        in_order[s] = false;
    }
    let mut k = tails.last().copied();
    while let Some(i) = k {
        in_order[matched[i].0] = true;
        k = before[i];
    }
    in_order
}

fn section_words(blocks: &[&Block], section: &Section) -> usize {
    section
        .blocks
        .iter()
        .map(|&i| count_words(&blocks[i].text))
        .sum()
}

/// Words added and removed between two runs of blocks.
fn counts(old: &[&Block], new: &[&Block], deadline: Instant) -> (usize, usize) {
    align(old, new, deadline)
        .into_iter()
        .fold((0, 0), |(added, removed), step| match step {
            Step::Same(..) => (added, removed),
            Step::Changed(i, j) => {
                let (a, r) = block_counts(old[i], new[j], deadline);
                (added + a, removed + r)
            }
            Step::Removed(i) => (added, removed + count_words(&old[i].text)),
            Step::Added(j) => (added + count_words(&new[j].text), removed),
        })
}

/// One sentence for readers, from a section summary, in `wording`.
pub(super) fn describe(sections: &[SectionChange], wording: &SummaryWords) -> String {
    if sections.is_empty() {
        return wording.text("summary_no_change").to_string();
    }
    let mut phrases: Vec<String> = sections
        .iter()
        .take(NAMED_IN_SENTENCE)
        .map(|change| phrase(change, wording))
        .collect();
    let rest = sections.len().saturating_sub(NAMED_IN_SENTENCE);
    if rest > 0 {
        let count = rest.to_string();
        let more = wording.counted("summary_more_sections", rest);
        phrases.push(fill(more, &[("count", &count)]));
    }
    let sentence = phrases.join(wording.text("summary_separator"));
    let mut chars = sentence.chars();
    let first: String = chars
        .next()
        .into_iter()
        .flat_map(char::to_uppercase)
        .collect();
    format!("{first}{}{}", chars.as_str(), wording.text("summary_end"))
}

fn phrase(change: &SectionChange, wording: &SummaryWords) -> String {
    let title = if change.introduction {
        wording.text("summary_introduction")
    } else {
        &change.title
    };
    let counts = word_counts(change.words_added, change.words_removed, wording);
    let key = match change.kind {
        // No word added or removed, but the meaning changed.
        SectionChangeKind::Changed if counts.is_empty() && change.meaning.is_some() => {
            "summary_changed_meaning"
        }
        // No word added or removed: only punctuation, case or formatting.
        SectionChangeKind::Changed if counts.is_empty() => "summary_formatting",
        SectionChangeKind::Changed => "summary_changed",
        SectionChangeKind::Added => "summary_added",
        SectionChangeKind::Removed => "summary_removed",
        SectionChangeKind::Moved => "summary_moved",
        SectionChangeKind::Renamed => "summary_renamed",
    };
    let what = wording.what(change.meaning.as_deref().unwrap_or_default());
    let previous = change.previous_title.as_deref().unwrap_or_default();
    let counts = if change.kind == SectionChangeKind::Renamed {
        // Counts only when more than the heading's own words changed.
        let deadline = Instant::now() + Duration::from_millis(100);
        let heading = words::diff(previous, &change.title, deadline);
        let body_changed =
            change.words_added > heading.added || change.words_removed > heading.removed;
        if body_changed { counts } else { String::new() }
    } else {
        counts
    };
    fill(
        wording.text(key),
        &[
            ("title", title),
            ("previous", previous),
            ("what", what),
            ("counts", &counts),
        ],
    )
}

fn word_counts(added: usize, removed: usize, wording: &SummaryWords) -> String {
    // A count of both takes the form of the words added.
    let (stem, count) = match (added, removed) {
        (0, 0) => return String::new(),
        (a, 0) => ("summary_words_added", a),
        (0, r) => ("summary_words_removed", r),
        (a, _) => ("summary_words_both", a),
    };
    fill(
        wording.counted(stem, count),
        &[
            ("count", &count.to_string()),
            ("added", &added.to_string()),
            ("removed", &removed.to_string()),
        ],
    )
}
