//! The default rule that classifies a change as editorial or material, with
//! the reason for its verdict.
//!
//! Editorial means no change in what the policy says. Both versions are read
//! as sequences of units ([`super::units`]: words, values such as numbers,
//! dates, e-mail and web addresses, link targets, sentence boundaries, and
//! struck-through text as distinct from plain text). The sequences are
//! diffed, and the change is **editorial** only when every difference is
//! one of these:
//!
//! 1. **A typo fix**: a word replaced by one at most two edits away
//!    (letters inserted, deleted, replaced or swapped) where the old form is
//!    not a word of the document's language and the new one is, by the
//!    dictionary ([`super::dictionary`]): `recieve` → `receive`,
//!    `modication` → `modification`. `retain` → `retrain` is two words, so
//!    material; so is introducing a misspelling.
//! 2. **A duplicated word removed**: `to to` → `to`.
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

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag};

use super::Block;
use super::dictionary;
use super::units::{self, Kind, Unit};

/// Word pairs that are one word written two ways: `e-mail` → `email`. Each
/// is the split form's words, space-separated; the joined form is the same
/// letters without the spaces.
const VARIANTS: &[&str] = &[
    "e mail",
    "re enable",
    "re enabled",
    "co operate",
    "co ordinate",
    "on line",
    "web site",
    "web sites",
    "web page",
    "web pages",
    "e commerce",
    "data base",
    "data set",
    "pre existing",
    "non profit",
];

/// More units than this removed and added between two blocks read as a
/// rewrite, material without diffing (a dozen fixes in one paragraph is
/// already unusual; two dozen is not a clean-up).
const MOST_DIFFERING_UNITS: usize = 48;

/// How many fixes an editorial reason names before counting the rest.
const NAMED_FIXES: usize = 3;

/// The rule's verdict on a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub editorial: bool,
    /// Why, for people: `typo: recieve → receive (dictionary)`,
    /// `material: link target changed: … → …`.
    pub reason: String,
    /// The kind of difference that decided, in a few words
    /// (`link target changed`), for summaries.
    pub what: &'static str,
}

impl Verdict {
    fn editorial(what: &'static str, reason: String) -> Self {
        Verdict {
            editorial: true,
            reason,
            what,
        }
    }

    fn material(what: &'static str, detail: String) -> Self {
        Verdict {
            editorial: false,
            reason: format!("material: {what}: {detail}"),
            what,
        }
    }
}

/// The verdict on the change from `old` to `new`.
///
/// Blocks are matched first (same text and links), and only the runs of
/// blocks that differ are read as units and diffed: a one-paragraph edit of
/// a long policy reads one paragraph. Nothing is lost by this: every
/// block's units end with a boundary, so no rule reads across a block's
/// edge, and a block moved elsewhere is still a run removed here and added
/// there.
pub(super) fn judge(old: &[&Block], new: &[&Block], deadline: Instant) -> Verdict {
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
    let mut fixes: Vec<(&'static str, String)> = Vec::new();
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
            found.extend(explain_units(&old_units, &new_units, deadline)?);
            Ok(found)
        });
        match explained {
            Ok(found) => fixes.extend(found),
            Err(_) if blocks_moved(&old_keys, &new_keys, &runs) => {
                return Verdict::material(
                    "text moved",
                    "the same blocks in another order".to_string(),
                );
            }
            Err(verdict) => return verdict,
        }
    }
    let Some(&(what, _)) = fixes.first() else {
        return Verdict::editorial(
            "no change in wording",
            "no word, value, link or sentence changed: only punctuation, case, white space \
             or formatting"
                .to_string(),
        );
    };
    let mut reason = fixes
        .iter()
        .take(NAMED_FIXES)
        .map(|(_, fix)| fix.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    if fixes.len() > NAMED_FIXES {
        reason.push_str(&format!("; and {} more", fixes.len() - NAMED_FIXES));
    }
    Verdict::editorial(what, reason)
}

/// The editorial fixes that explain every difference between two unit
/// sequences (see the module doc), or the material verdict.
fn explain_units(
    old: &[Unit],
    new: &[Unit],
    deadline: Instant,
) -> Result<Vec<(&'static str, String)>, Verdict> {
    if old == new {
        return Ok(Vec::new());
    }
    // A rewrite is material whatever the diff says: skip the diff.
    let (removed, added) = difference(old, new);
    if removed.len() + added.len() > MOST_DIFFERING_UNITS {
        return Err(material(&removed, &added));
    }
    let ops = similar::capture_diff_deadline(
        Algorithm::Myers,
        old,
        0..old.len(),
        new,
        0..new.len(),
        Some(deadline),
    );
    hunks(&ops)
        .into_iter()
        .map(|(o, n)| explain(old, o, new, n))
        .collect()
}

/// The units of `old` that `new` lacks and those `new` has that `old`
/// lacks, counted as multisets, each in reading order.
fn difference(old: &[Unit], new: &[Unit]) -> (Vec<Unit>, Vec<Unit>) {
    fn take<'u>(
        side: &'u [Unit],
        sign: isize,
        surplus: &mut HashMap<&'u Unit, isize>,
    ) -> Vec<Unit> {
        side.iter()
            .filter(|unit| match surplus.get_mut(unit) {
                Some(count) if *count * sign > 0 => {
                    *count -= sign;
                    true
                }
                _ => false,
            })
            .cloned()
            .collect()
    }
    let mut surplus: HashMap<&Unit, isize> = HashMap::with_capacity(old.len());
    for unit in old {
        *surplus.entry(unit).or_default() += 1;
    }
    for unit in new {
        *surplus.entry(unit).or_default() -= 1;
    }
    let removed = take(old, 1, &mut surplus);
    let added = take(new, -1, &mut surplus);
    (removed, added)
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

/// An editorial explanation of one difference (its kind and a description),
/// or the material verdict it forces.
fn explain(
    old: &[Unit],
    o: Range<usize>,
    new: &[Unit],
    n: Range<usize>,
) -> Result<(&'static str, String), Verdict> {
    let (a, b) = (&old[o.clone()], &new[n]);
    let plain_words = |side: &[Unit]| {
        side.iter()
            .all(|u| u.kind == Kind::Word && !u.struck && !u.key.contains(char::is_numeric))
    };
    if plain_words(a) && plain_words(b) {
        if b.is_empty() && is_duplicate_removal(old, o) {
            let word = a.first().map_or("", |u| u.written.as_str());
            return Ok((
                "duplicated word removed",
                format!("duplicated word removed: “{word} {word}” → “{word}”"),
            ));
        }
        if !a.is_empty() && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| is_typo_fix(x, y)) {
            let pairs: Vec<String> = a
                .iter()
                .zip(b)
                .filter(|(x, y)| x.key != y.key)
                .map(|(x, y)| format!("typo: {} → {} (dictionary)", x.written, y.written))
                .collect();
            return Ok(("typo fixed", pairs.join("; ")));
        }
        if is_boundary_fix(a, b) {
            return Ok((
                "word boundary fixed",
                format!("word boundary: “{}” → “{}”", shown(a), shown(b)),
            ));
        }
    }
    Err(material(a, b))
}

/// Whether the old units `o`, all words, are each a repeat of a neighbour.
fn is_duplicate_removal(old: &[Unit], o: Range<usize>) -> bool {
    !o.is_empty()
        && o.clone().all(|k| {
            let repeats = |other: Option<&Unit>| other.is_some_and(|u| *u == old[k]);
            repeats(k.checked_sub(1).and_then(|p| old.get(p))) || repeats(old.get(k + 1))
        })
}

/// Whether `new` fixes a typo in `old` (or is the same word).
fn is_typo_fix(old: &Unit, new: &Unit) -> bool {
    old.key == new.key
        || (within_two_edits(&old.key, &new.key)
            && !dictionary::is_word(&old.written)
            && dictionary::is_word(&new.written))
}

/// Whether the same letters are cut into words differently, and one side
/// is not words of the language or the pair is a known variant.
fn is_boundary_fix(a: &[Unit], b: &[Unit]) -> bool {
    let joined = |side: &[Unit]| side.iter().map(|u| u.key.as_str()).collect::<String>();
    if a.is_empty() || b.is_empty() || (a.len() == 1 && b.len() == 1) || joined(a) != joined(b) {
        return false;
    }
    let spaced = |side: &[Unit]| {
        side.iter()
            .map(|u| u.key.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let variant = VARIANTS.contains(&spaced(a).as_str()) || VARIANTS.contains(&spaced(b).as_str());
    variant || a.iter().chain(b).any(|u| !dictionary::is_word(&u.written))
}

/// Whether two words are at most two edits apart (insertions, deletions,
/// replacements and swaps of neighbours: the optimal string alignment
/// distance).
fn within_two_edits(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            let at = i * width + j;
            d[at] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[at - width] + 1)
                    .min(d[at - 1] + 1)
                    .min(d[at - width - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[at - 2 * width - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()] <= 2
}

/// The material verdict for a difference no editorial rule explains, named
/// by the most telling unit involved.
fn material(a: &[Unit], b: &[Unit]) -> Verdict {
    let has = |side: &[Unit], kind: Kind| side.iter().any(|u| u.kind == kind);
    let without_boundaries = |side: &[Unit]| -> Vec<Unit> {
        side.iter()
            .filter(|u| u.kind != Kind::Boundary)
            .cloned()
            .collect()
    };
    let (a_text, b_text) = (without_boundaries(a), without_boundaries(b));
    if a_text == b_text {
        let what = match (has(a, Kind::Boundary), has(b, Kind::Boundary)) {
            (false, true) => "sentence boundary added",
            (true, false) => "sentence boundary removed",
            _ => "sentence boundary moved",
        };
        return Verdict::material(what, format!("“{}” → “{}”", shown(a), shown(b)));
    }
    let (a, b) = (a_text.as_slice(), b_text.as_slice());
    let links = |side: &[Unit]| {
        side.iter()
            .filter(|u| u.kind == Kind::Link)
            .map(|u| u.written.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match (links(a), links(b)) {
        (old, new) if !old.is_empty() && !new.is_empty() => {
            return Verdict::material("link target changed", format!("{old} → {new}"));
        }
        (old, _) if !old.is_empty() => return Verdict::material("link removed", old),
        (_, new) if !new.is_empty() => return Verdict::material("link added", new),
        _ => {}
    }
    let struck = |side: &[Unit]| side.iter().any(|u| u.struck);
    if struck(a) != struck(b) || (struck(a) && struck(b)) {
        let what = if struck(b) && !struck(a) {
            "strikethrough added"
        } else if struck(a) && !struck(b) {
            "strikethrough removed"
        } else {
            "struck-through text changed"
        };
        return Verdict::material(what, format!("“{}” → “{}”", shown(a), shown(b)));
    }
    if has(a, Kind::Value) || has(b, Kind::Value) {
        let what = if a.iter().chain(b).any(|u| u.key.contains('@')) {
            "e-mail address changed"
        } else if a.iter().chain(b).any(|u| u.key.starts_with("date:")) {
            "date changed"
        } else {
            "number or address changed"
        };
        return Verdict::material(what, format!("“{}” → “{}”", shown(a), shown(b)));
    }
    let what = match (a.len(), b.len()) {
        (0, _) => "words added",
        (_, 0) => "words removed",
        (1, 1) if within_two_edits(&a[0].key, &b[0].key) => {
            if dictionary::is_word(&a[0].written) {
                "a word replaced by another"
            } else {
                "a misspelling replaced by another"
            }
        }
        _ if a.iter().map(|u| u.key.as_str()).collect::<String>()
            == b.iter().map(|u| u.key.as_str()).collect::<String>() =>
        {
            "words joined or split"
        }
        _ => "words replaced",
    };
    let detail = match (a.is_empty(), b.is_empty()) {
        (true, _) => format!("“{}”", shown(b)),
        (_, true) => format!("“{}”", shown(a)),
        _ => format!("“{}” → “{}”", shown(a), shown(b)),
    };
    Verdict::material(what, detail)
}

/// Units as written, for reasons; long runs are cut short.
fn shown(units: &[Unit]) -> String {
    const SHOWN: usize = 8;
    let words: Vec<&str> = units
        .iter()
        .filter(|u| u.kind != Kind::Link)
        .map(|u| {
            if u.kind == Kind::Boundary {
                "."
            } else {
                u.written.as_str()
            }
        })
        .collect();
    let mut text = words
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" .", ".");
    if words.len() > SHOWN {
        text.push_str(" …");
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;
    use crate::diff::BlockKind;

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

    #[test]
    fn two_edits_at_most() {
        assert!(within_two_edits("recieve", "receive"));
        assert!(within_two_edits("modication", "modification"));
        assert!(within_two_edits("ab", "ba"));
        assert!(!within_two_edits("abc", "xyzabc"));
        assert!(!within_two_edits("privacy", "policy"));
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
        fn trimming_shared_blocks_never_changes_the_verdict(
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
            let whole = explain_units(&units::of_blocks(&old), &units::of_blocks(&new), later());
            prop_assert_eq!(judge(&old, &new, later()).editorial, whole.is_ok());
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
