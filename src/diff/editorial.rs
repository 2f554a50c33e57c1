//! The default rule that classifies a change as editorial or material, with
//! the reason for its verdict.
//!
//! Editorial means no change in what the policy says. Both versions are read
//! as sequences of units ([`super::units`]: words, values such as numbers,
//! dates, e-mail and web addresses, link targets, sentence boundaries, and
//! struck-through text as distinct from plain text). Blocks that differ are
//! compared unit by unit (`fixes.rs`), and the change is **editorial** only
//! when every difference is one of these:
//!
//! 1. **A typo fix**: a word replaced by one at most two edits away
//!    (letters inserted, deleted, replaced or swapped) where the old form is
//!    not a word of the document's language and the new one is, by the
//!    dictionary ([`super::dictionary`]): `recieve` → `receive`,
//!    `modication` → `modification`. `retain` → `retrain` is two words, so
//!    material; so is introducing a misspelling, or changing a name (a
//!    capitalised word inside a sentence: `Acxiom` → `Axiom`).
//! 2. **A duplicated word removed**, next to a copy that stays: `to to` →
//!    `to` (but `not not` → nothing is material).
//! 3. **A word boundary moved** within the same letters, when one side is
//!    not a word (`theTOS` → `the TOS`, `Policyvia` → `Policy via`) or the
//!    pair is a known variant (`e-mail` → `email`). `not able` → `notable`
//!    is material. Numbers never join (`1 000` → `1000` is material).
//!
//! Units that are equal once canonical never differ: punctuation that is not
//! a sentence boundary, case, white space, formatting, `http` → `https`,
//! tracking parameters, and a date or number written another way.
//! Anything else is **material**: a word, value or link added, removed,
//! replaced or moved; strikethrough added or removed; a sentence boundary
//! added, removed or moved. A rule that cannot decide says material.

use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag};

use super::Block;
use super::fixes::{self, Fix};
use super::units;
use super::verdict::Verdict;

/// How many fixes an editorial reason names before counting the rest.
const NAMED_FIXES: usize = 3;

/// The verdict on the change from `old` to `new`.
///
/// Blocks are matched first (same text and links), and only the runs of
/// blocks that differ are read as units and diffed: a one-paragraph edit of
/// a long policy reads one paragraph. Nothing is lost by this: every
/// block's units end with a boundary, so no rule reads across a block's
/// edge, and a block moved elsewhere is still a run removed here and added
/// there.
pub(super) fn judge(old: &[&Block], new: &[&Block], deadline: Instant) -> Verdict {
    // Blocks without text or links have no units: nothing to match.
    let has_units = |b: &&&Block| !b.text.trim().is_empty() || !b.links.is_empty();
    let old: Vec<&Block> = old.iter().filter(has_units).copied().collect();
    let new: Vec<&Block> = new.iter().filter(has_units).copied().collect();
    let (old, new) = (old.as_slice(), new.as_slice());
    fn key<'b>(block: &&'b Block) -> (&'b str, &'b [String]) {
        (block.text.as_str(), block.links.as_slice())
    }
    let old_keys: Vec<(&str, &[String])> = old.iter().map(key).collect();
    let new_keys: Vec<(&str, &[String])> = new.iter().map(key).collect();
    let ops = similar::capture_diff_deadline(
        Algorithm::Myers,
        &old_keys,
        0..old_keys.len(),
        &new_keys,
        0..new_keys.len(),
        Some(deadline),
    );
    let runs = hunks(&ops);
    let mut found_fixes: Vec<Fix> = Vec::new();
    for (o, n) in &runs {
        // A run of as many blocks on each side is read block by block (a
        // spelling pass over a list fixes each item); otherwise as a whole.
        let pairs: Vec<(Range<usize>, Range<usize>)> = if o.len() == n.len() {
            o.clone()
                .zip(n.clone())
                .map(|(i, j)| (i..i + 1, j..j + 1))
                .collect()
        } else {
            vec![(o.clone(), n.clone())]
        };
        let explained = pairs.into_iter().try_fold(Vec::new(), |mut found, (o, n)| {
            let old_units = units::of_blocks(&old[o]);
            let new_units = units::of_blocks(&new[n]);
            found.extend(fixes::explain(&old_units, &new_units)?);
            Ok(found)
        });
        match explained {
            Ok(found) => found_fixes.extend(found),
            Err(_) if blocks_moved(&old_keys, &new_keys, &runs) => {
                return Verdict::material(
                    "text moved",
                    "the same blocks in another order".to_string(),
                );
            }
            Err(verdict) => return verdict,
        }
    }
    let Some(&(what, _)) = found_fixes.first() else {
        return Verdict::editorial(
            "no change in wording",
            "no word, value, link or sentence changed: only punctuation, case, white space \
             or formatting"
                .to_string(),
        );
    };
    let mut reason = found_fixes
        .iter()
        .take(NAMED_FIXES)
        .map(|(_, fix)| fix.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    if found_fixes.len() > NAMED_FIXES {
        reason.push_str(&format!("; and {} more", found_fixes.len() - NAMED_FIXES));
    }
    Verdict::editorial(what, reason)
}

/// Whether the runs of differing blocks remove exactly the blocks they add:
/// blocks moved, nothing else.
fn blocks_moved(
    old: &[(&str, &[String])],
    new: &[(&str, &[String])],
    runs: &[(Range<usize>, Range<usize>)],
) -> bool {
    let mut removed: Vec<&(&str, &[String])> =
        runs.iter().flat_map(|(o, _)| &old[o.clone()]).collect();
    let mut added: Vec<&(&str, &[String])> =
        runs.iter().flat_map(|(_, n)| &new[n.clone()]).collect();
    removed.sort_unstable();
    added.sort_unstable();
    !removed.is_empty() && removed == added
}

/// The runs of differences: each a range of old units replaced by a range
/// of new ones.
fn hunks(ops: &[similar::DiffOp]) -> Vec<(Range<usize>, Range<usize>)> {
    let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    let mut joins_previous = false;
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            joins_previous = false;
            continue;
        }
        match out.last_mut() {
            Some((old, new)) if joins_previous => {
                old.end = o.end;
                new.end = n.end;
            }
            _ => out.push((o, n)),
        }
        joins_previous = true;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::diff::BlockKind;
    use crate::diff::dictionary;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    fn block(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text.to_string(),
            cells: Vec::new(),
            links: Vec::new(),
            anchor: None,
        }
    }

    fn verdict(old: &str, new: &str) -> Verdict {
        let (old, new) = (block(old), block(new));
        judge(&[&old], &[&new], later())
    }

    #[test]
    fn reasons_name_the_difference() {
        assert_eq!(
            verdict("we recieve data", "we receive data").reason,
            "typo: recieve → receive (dictionary)"
        );
        assert_eq!(
            verdict("we sell data", "we tell data").reason,
            "material: a word replaced by another: “sell” → “tell”"
        );
        let moved = verdict(
            "We do not sell your data. For ads, we share it",
            "We do not sell your data for ads. We share it",
        );
        assert!(!moved.editorial);
        assert!(moved.what.starts_with("sentence boundary"), "{moved:?}");
    }

    /// An editorial reason names three fixes and counts the rest.
    #[test]
    fn reasons_name_three_fixes_then_count() {
        let three = verdict(
            "We recieve and adress data that occured",
            "We receive and address data that occurred",
        );
        assert!(three.editorial, "{three:?}");
        assert_eq!(
            three.reason,
            "typo: recieve → receive (dictionary); typo: adress → address (dictionary); \
             typo: occured → occurred (dictionary)"
        );
        let four = verdict(
            "Teh firm may recieve and adress data that occured",
            "The firm may receive and address data that occurred",
        );
        assert!(four.editorial, "{four:?}");
        assert_eq!(
            four.reason,
            "typo: Teh → The (dictionary); typo: recieve → receive (dictionary); \
             typo: adress → address (dictionary); and 1 more"
        );
    }

    /// Paragraphs in another order are material, and the reason says they
    /// moved rather than naming the first word out of place; moved and
    /// edited, the edit is named.
    #[test]
    fn blocks_in_another_order_are_named_text_moved() {
        let (logs, share, sell) = (
            block("We keep logs."),
            block("We share data."),
            block("We sell nothing."),
        );
        let moved = judge(&[&logs, &share, &sell], &[&share, &logs, &sell], later());
        assert!(!moved.editorial);
        assert_eq!(
            moved.reason,
            "material: text moved: the same blocks in another order"
        );
        let share_all = block("We share all data.");
        let edited = judge(
            &[&logs, &share, &sell],
            &[&share_all, &logs, &sell],
            later(),
        );
        assert!(!edited.editorial);
        assert_eq!(edited.what, "words added", "{edited:?}");
    }

    /// Runs of differing blocks are read apart: a word replaced in one
    /// paragraph is named as such though a paragraph is added further on.
    #[test]
    fn an_edit_is_named_apart_from_a_block_added_further_on() {
        let (sell, tell) = (block("We sell data."), block("We tell data."));
        let (kept, logs) = (block("This stays."), block("We keep logs."));
        let added = block("We add a paragraph.");
        let v = judge(
            &[&sell, &kept, &logs],
            &[&tell, &kept, &logs, &added],
            later(),
        );
        assert_eq!(
            v.reason,
            "material: a word replaced by another: “sell” → “tell”"
        );
    }

    /// The verdict on two Markdown bodies, read as the site reads them.
    fn verdict_of_markdown(old: &str, new: &str) -> Verdict {
        let read = |body| crate::diff::blocks("Policy", body, Default::default());
        crate::diff::classify(&read(old), &read(new))
    }

    /// A paragraph of punctuation alone has no units: removing it changes
    /// no wording, and adds no sentence boundary.
    #[test]
    fn a_punctuation_only_paragraph_is_formatting() {
        let v = verdict_of_markdown(
            "We keep logs.\n\n—\n\nWe sell nothing.",
            "We keep logs.\n\nWe sell nothing.",
        );
        assert!(v.editorial, "{v:?}");
    }

    /// A block ends a sentence after its links too: a paragraph's first
    /// word after a paragraph ending in a link starts a sentence, so its
    /// typo is fixed like any other (a capital inside a sentence would
    /// read as a name).
    #[test]
    fn a_block_ending_in_a_link_ends_a_sentence() {
        let v = verdict_of_markdown(
            "We recieve the [terms](https://example.com/terms)\n\n—\n\nTeh policy applies.",
            "We receive the [terms](https://example.com/terms)\n\nThe policy applies.",
        );
        assert!(v.editorial, "{v:?}");
        assert_eq!(
            v.reason,
            "typo: recieve → receive (dictionary); typo: Teh → The (dictionary)"
        );
    }

    /// The rule's cases, each a pair of one-paragraph texts and whether the
    /// change is editorial.
    #[test]
    fn the_rule_s_cases() {
        const CASES: &[(&str, &str, bool)] = &[
            // Typos, with the dictionary; names and prefixes are not typos.
            ("We recieve data.", "We receive data.", true),
            (
                "Any modication is posted.",
                "Any modification is posted.",
                true,
            ),
            (
                "We keep logs. Teh policy applies.",
                "We keep logs. The policy applies.",
                true,
            ),
            ("We retain data.", "We retrain data.", false),
            ("We receive data.", "We recieve data.", false),
            (
                "We share data with Acxiom.",
                "We share data with Axiom.",
                false,
            ),
            (
                "EEA residents may object.",
                "USA residents may object.",
                false,
            ),
            (
                "We share deidentified data.",
                "We share identified data.",
                false,
            ),
            (
                "We keep unencrypted backups.",
                "We keep encrypted backups.",
                false,
            ),
            ("We ~~recieve~~ data.", "We ~~receive~~ data.", false),
            // Duplicated words.
            (
                "We send it to to partners.",
                "We send it to partners.",
                true,
            ),
            ("We do not not sell data.", "We do sell data.", false),
            // Word boundaries.
            (
                "Please read theTOS carefully.",
                "Please read the TOS carefully.",
                true,
            ),
            (
                "Changes to this Policyvia email.",
                "Changes to this Policy via email.",
                true,
            ),
            ("Send us an e-mail.", "Send us an email.", true),
            ("Visit our web site.", "Visit our website.", true),
            (
                "You are not able to opt out.",
                "You are notable to opt out.",
                false,
            ),
            ("We serve 1 000 users.", "We serve 1000 users.", false),
            (
                "Please read theTOS carefully.",
                "Please read the POS carefully.",
                false,
            ),
            // Sentence boundaries: an initial's full stop ends none, an
            // acronym's does.
            ("Write to J. Smith.", "Write to J Smith.", true),
            (
                "We serve the EEA. We sell data.",
                "We serve the EEA, we sell data.",
                false,
            ),
            // Apostrophes are not letters; the letters around them are.
            ("We don't sell data.", "We don’t sell data.", true),
            ("We don't sell data.", "We won't sell data.", false),
            ("Ask our café staff.", "Ask our cafés staff.", false),
            // Numbers: thousands separators are formatting, a decimal comma
            // is not.
            ("Up to 1,000 requests.", "Up to 1000 requests.", true),
            ("The fee is 1,50 euros.", "The fee is 150 euros.", false),
            // Web addresses in the text are values.
            (
                "Visit https://example.com/privacy for details.",
                "Visit http://example.com/privacy for details.",
                true,
            ),
            (
                "Visit www.example.com/privacy for details.",
                "Visit www.example.com/privacy-center for details.",
                false,
            ),
            // A mark inside a run of text without spaces.
            (
                "We keep data;for ads we sell it.",
                "We keep data for ads we sell it.",
                false,
            ),
            ("We keep data;for ads.", "We keep data; for ads.", true),
        ];
        for &(old, new, editorial) in CASES {
            let v = verdict(old, new);
            assert_eq!(v.editorial, editorial, "{old} → {new}: {}", v.reason);
        }
    }

    /// Removing both copies of a doubled word removes the word: the walk
    /// allows a duplicate's removal only next to a copy that stays.
    #[test]
    fn a_doubled_word_removed_twice_is_material() {
        assert!(!verdict("We do not not sell data.", "We do sell data.").editorial);
        assert!(verdict("We do not not sell data.", "We do not sell data.").editorial);
    }

    /// Block texts from words that meet the rule's edge cases: numbers that
    /// join, hyphenation, typos, duplicates, boundaries, case.
    fn block_text() -> impl Strategy<Value = String> {
        const WORDS: &[&str] = &[
            "1", "000", "1000", "30", "e-mail", "email", "e", "mail", "recieve", "receive", "We",
            "we", "data.", "data", "--", "don't", "dont", "to", "partner", "partners",
        ];
        proptest::collection::vec(proptest::sample::select(WORDS), 0..4)
            .prop_map(|words| words.join(" "))
    }

    proptest! {
        #[test]
        fn shared_blocks_never_change_the_verdict(
            shared_start in proptest::collection::vec(block_text(), 0..4),
            old_middle in proptest::collection::vec(block_text(), 0..3),
            new_middle in proptest::collection::vec(block_text(), 0..3),
            shared_end in proptest::collection::vec(block_text(), 0..4),
        ) {
            let side = |middle: &[String]| -> Vec<Block> {
                shared_start.iter().chain(middle).chain(&shared_end).map(|t| block(t)).collect()
            };
            let (old, new) = (side(&old_middle), side(&new_middle));
            let old: Vec<&Block> = old.iter().collect();
            let new: Vec<&Block> = new.iter().collect();
            let (old_middle, new_middle): (Vec<Block>, Vec<Block>) = (
                old_middle.iter().map(|t| block(t)).collect(),
                new_middle.iter().map(|t| block(t)).collect(),
            );
            let middle = judge(
                &old_middle.iter().collect::<Vec<_>>(),
                &new_middle.iter().collect::<Vec<_>>(),
                later(),
            );
            prop_assert_eq!(judge(&old, &new, later()).editorial, middle.editorial);
        }

        /// Replacing a dictionary word by another (not the same word in
        /// another case) is never editorial.
        #[test]
        fn a_real_word_for_another_is_never_editorial(
            a in 0usize..1_000_000,
            b in 0usize..1_000_000,
            at in 0usize..4,
        ) {
            let words = dictionary_words();
            let (a, b) = (words[a % words.len()], words[b % words.len()]);
            prop_assume!(a.to_lowercase() != b.to_lowercase());
            let mut old: Vec<&str> = "we may keep your data".split(' ').collect();
            let mut new = old.clone();
            old.insert(at, a);
            new.insert(at, b);
            let v = verdict(&old.join(" "), &new.join(" "));
            prop_assert!(!v.editorial, "{} → {}: {}", a, b, v.reason);
        }
    }

    /// Plain alphabetic dictionary stems (no hyphens, apostrophes or digits).
    fn dictionary_words() -> &'static [&'static str] {
        static WORDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
            dictionary::stems()
                .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic()))
                .collect()
        });
        &WORDS
    }
}
