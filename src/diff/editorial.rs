//! The default rule that classifies a change as editorial or material.
//!
//! Editorial means no change in what the policy says.
//!
//! Both versions are read as one sequence of words each — title, headings,
//! paragraphs, list items, table cells and code, in order. A word is a run of
//! letters and digits, case-folded; punctuation, white space, formatting (bold,
//! italics, heading levels, list and table layout) and link targets (which are
//! not text) are not words. A change is **editorial** when:
//!
//! 1. the two sequences of words are identical; or
//! 2. they are identical once word boundaries are ignored, so hyphenating,
//!    splitting or joining words is editorial (`e-mail` → `email`,
//!    `third-party` → `third party`), except that two numbers are never joined
//!    (`1 000` → `1000` is material); or
//! 3. they have the same length and every pair of words that differ is a typo
//!    fix: both words have at least 5 letters and no digits, and they differ by
//!    one swap of two adjacent letters (`recieve` → `receive`) or by one letter
//!    inserted or deleted anywhere but at the end of the word (`occured` →
//!    `occurred`). A letter added at the end (`partner` → `partners`,
//!    `disclose` → `disclosed`) changes the meaning, and a replaced letter
//!    (`sell` → `tell`, `affect` → `effect`) is never a typo fix.
//!
//! Anything else is **material**: a word added, removed, replaced or moved, a
//! block moved, or any change to a number (a `.` or `,` between digits is part
//! of the number, so `1.5` → `15` is material).

use super::Block;
use super::words::{is_word, tokens};

/// Whether the change from `old` to `new` is editorial by the default rule.
///
/// Blocks the versions share at either end give both word sequences the same
/// start and end, which each test of the rule cancels, so only the blocks in
/// between are read as words: a one-paragraph edit of a long policy reads one
/// paragraph. (The joined test cancels them too: the separator next to a
/// shared word depends only on the first or last character of the middle,
/// which is the same on both sides when the middles join the same.)
pub(super) fn is_editorial(old: &[&Block], new: &[&Block]) -> bool {
    let same = |(a, b): &(&&Block, &&Block)| a.text == b.text;
    let prefix = old.iter().zip(new).take_while(same).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(same)
        .count();
    rule_holds(
        &words(&old[prefix..old.len() - suffix]),
        &words(&new[prefix..new.len() - suffix]),
    )
}

/// The rule's three tests (see the module doc) on two word sequences.
fn rule_holds(old_words: &[String], new_words: &[String]) -> bool {
    old_words == new_words
        || joined(old_words) == joined(new_words)
        || (old_words.len() == new_words.len()
            && old_words
                .iter()
                .zip(new_words)
                .all(|(a, b)| a == b || is_typo_fix(a, b)))
}

/// Every word of the blocks, case-folded, apostrophes dropped.
fn words(blocks: &[&Block]) -> Vec<String> {
    blocks
        .iter()
        .flat_map(|block| tokens(&block.text))
        .filter(|token| is_word(token))
        .map(|word| {
            word.chars()
                .filter(|c| !matches!(c, '\'' | '’'))
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect()
}

/// The words run together, with a separator only between two numbers.
fn joined(words: &[String]) -> String {
    let mut out = String::new();
    for word in words {
        let glues_digits =
            out.ends_with(|c: char| c.is_numeric()) && word.starts_with(|c: char| c.is_numeric());
        if glues_digits {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether two different words are one typo apart (see the module doc).
fn is_typo_fix(a: &str, b: &str) -> bool {
    let long_enough = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() >= 5;
    let has_digit = |w: &str| w.chars().any(char::is_numeric);
    if !long_enough(a) || !long_enough(b) || has_digit(a) || has_digit(b) {
        return false;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() == b.len() {
        is_adjacent_swap(&a, &b)
    } else if a.len() + 1 == b.len() {
        is_inner_insertion(&a, &b)
    } else if b.len() + 1 == a.len() {
        is_inner_insertion(&b, &a)
    } else {
        false
    }
}

fn is_adjacent_swap(a: &[char], b: &[char]) -> bool {
    let Some(first) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return false;
    };
    first + 1 < a.len()
        && a[first] == b[first + 1]
        && a[first + 1] == b[first]
        && a[first + 2..] == b[first + 2..]
}

/// Whether `long` is `short` with one letter inserted, not as its last letter.
fn is_inner_insertion(short: &[char], long: &[char]) -> bool {
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    // The insertion can sit anywhere in the run of equal letters ending at
    // `prefix` (`proces` → `process`): it is inner if any such place is.
    let run_start = (0..prefix)
        .rev()
        .take_while(|&k| long[k] == long[prefix])
        .last()
        .unwrap_or(prefix);
    short[prefix..] == long[prefix + 1..] && run_start + 1 < long.len()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::diff::BlockKind;

    fn is_editorial_text(old: &str, new: &str) -> bool {
        let block = |text: &str| Block {
            kind: BlockKind::Paragraph,
            text: text.to_string(),
            cells: Vec::new(),
            anchor: None,
        };
        let (old, new) = (block(old), block(new));
        is_editorial(&[&old], &[&new])
    }

    #[test]
    fn typo_fixes_are_editorial() {
        for (old, new) in [
            ("we recieve data", "we receive data"),
            ("if it occured", "if it occurred"),
            ("our adress", "our address"),
            ("the proces of", "the process of"),
            ("the processs of", "the process of"),
        ] {
            assert!(is_editorial_text(old, new), "{old} → {new}");
        }
    }

    #[test]
    fn meaningful_one_letter_changes_are_material() {
        for (old, new) in [
            ("we sell data", "we tell data"),
            ("this may affect you", "this may effect you"),
            ("our partner", "our partners"),
            ("we disclose", "we disclosed"),
            ("we form", "we from"),
            ("for 30 days", "for 90 days"),
            ("for 1.5 years", "for 15 years"),
            ("1 000 users", "1000 users"),
        ] {
            assert!(!is_editorial_text(old, new), "{old} → {new}");
        }
    }

    #[test]
    fn punctuation_case_and_joins_are_editorial() {
        for (old, new) in [
            ("We keep data.", "we keep data"),
            ("e-mail us", "email us"),
            ("third-party cookies", "third party cookies"),
            ("don't", "dont"),
            ("a  b", "a b"),
        ] {
            assert!(is_editorial_text(old, new), "{old} → {new}");
        }
    }

    /// The rule applied to every word of both versions, as the module doc
    /// states it: what [`is_editorial`] must agree with.
    fn is_editorial_whole(old: &[&Block], new: &[&Block]) -> bool {
        rule_holds(&words(old), &words(new))
    }

    /// Block texts from words that meet the rule's edge cases: numbers that
    /// join, hyphenation, typos, case and punctuation.
    fn block_text() -> impl Strategy<Value = String> {
        const WORDS: &[&str] = &[
            "1", "000", "1000", "30", "e-mail", "email", "e", "mail", "recieve", "receive", "We",
            "we", "data.", "data", "--", "don't", "dont", "partner", "partners",
        ];
        proptest::collection::vec(proptest::sample::select(WORDS), 0..4)
            .prop_map(|words| words.join(" "))
    }

    proptest! {
        #[test]
        fn trimming_shared_blocks_never_changes_the_verdict(
            shared_start in proptest::collection::vec(block_text(), 0..4),
            old_middle in proptest::collection::vec(block_text(), 0..3),
            new_middle in proptest::collection::vec(block_text(), 0..3),
            shared_end in proptest::collection::vec(block_text(), 0..4),
        ) {
            let block = |text: &String| Block {
                kind: BlockKind::Paragraph,
                text: text.clone(),
                cells: Vec::new(),
                anchor: None,
            };
            let side = |middle: &[String]| -> Vec<Block> {
                shared_start.iter().chain(middle).chain(&shared_end).map(block).collect()
            };
            let (old, new) = (side(&old_middle), side(&new_middle));
            let old: Vec<&Block> = old.iter().collect();
            let new: Vec<&Block> = new.iter().collect();
            prop_assert_eq!(is_editorial(&old, &new), is_editorial_whole(&old, &new));
        }
    }

    #[test]
    fn inner_insertion_is_not_at_the_end() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(is_inner_insertion(&chars("ocured"), &chars("occured")));
        assert!(!is_inner_insertion(&chars("partner"), &chars("partners")));
        assert!(is_inner_insertion(&chars("adres"), &chars("adress")));
        // Doubling the last letter is an insertion before it.
        assert!(is_inner_insertion(&chars("abcde"), &chars("abcdee")));
        assert!(!is_inner_insertion(&chars("abcde"), &chars("abcdef")));
        assert!(!is_inner_insertion(&chars("abcde"), &chars("abxde")));
    }
}
