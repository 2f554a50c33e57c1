//! The differences between two blocks' units explained as editorial fixes
//! (typo fixes, duplicated words removed, word boundaries moved), or the
//! material difference named.
//!
//! The units are walked side by side; where they differ, a fix is looked
//! for right there, and the walk goes on after it. Every step is either two
//! equal units or a fix the rule allows, so "editorial" is a proof; an
//! unlucky step can only make the verdict material. The walk is linear, so
//! classifying costs little next to the redline.

use super::dictionary;
use super::units::{Kind, Unit};
use super::verdict::Verdict;

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

/// The longest run of words a word-boundary fix joins or splits.
const LONGEST_JOIN: usize = 4;

/// One editorial fix: its kind and a description.
pub(super) type Fix = (&'static str, String);

/// The fixes that explain every difference between two unit sequences (see
/// the rule in `editorial.rs`), or the material verdict.
pub(super) fn explain(old: &[Unit], new: &[Unit]) -> Result<Vec<Fix>, Verdict> {
    let mut fixes = Vec::new();
    let (mut i, mut j) = (0, 0);
    // The old unit last matched with a new one: it stays.
    let mut kept: Option<usize> = None;
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            kept = Some(i);
            i += 1;
            j += 1;
            continue;
        }
        let Some((taken_old, taken_new, fix)) = fix_at(old, i, new, j, kept) else {
            return Err(material_at(old, i, new, j));
        };
        fixes.push(fix);
        i += taken_old;
        j += taken_new;
    }
    Ok(fixes)
}

/// A fix for the difference at `old[i]` / `new[j]`, with the number of old
/// and new units it takes.
fn fix_at(
    old: &[Unit],
    i: usize,
    new: &[Unit],
    j: usize,
    kept: Option<usize>,
) -> Option<(usize, usize, Fix)> {
    let plain =
        |u: &Unit| u.kind == Kind::Word && !u.struck && !u.key.contains(|c: char| c.is_numeric());
    if let Some(word) = old.get(i).filter(|u| plain(u)) {
        // A repeat of the neighbour before, which stays: it was just kept.
        // (A repeat of the one after needs no rule: the walk keeps the
        // first copy and comes here for the second.)
        if kept.is_some_and(|k| k + 1 == i && old[k] == *word) {
            let w = &word.written;
            return Some((
                1,
                0,
                (
                    "duplicated word removed",
                    format!("duplicated word removed: “{w} {w}” → “{w}”"),
                ),
            ));
        }
    }
    if let (Some(a), Some(b)) = (old.get(i), new.get(j))
        && plain(a)
        && plain(b)
        && !is_name(old, i)
        && is_typo_fix(a, b)
    {
        let fix = format!("typo: {} → {} (dictionary)", a.written, b.written);
        return Some((1, 1, ("typo fixed", fix)));
    }
    for k in 1..=LONGEST_JOIN {
        for l in 1..=LONGEST_JOIN {
            let (Some(a), Some(b)) = (old.get(i..i + k), new.get(j..j + l)) else {
                continue;
            };
            if a.iter().chain(b).all(plain) && is_boundary_fix(a, b) {
                let fix = format!("word boundary: “{}” → “{}”", shown(a), shown(b));
                return Some((k, l, ("word boundary fixed", fix)));
            }
        }
    }
    None
}

/// Whether `units[i]` reads as a name: capitalised, and not the first word
/// of a sentence. Names are not in the dictionary, yet `Acxiom` → `Axiom`
/// is another company, not a typo fix.
fn is_name(units: &[Unit], i: usize) -> bool {
    let written = &units[i].written;
    let letters = || written.chars().filter(|c| c.is_alphabetic());
    // `EEA` → `USA` is another region wherever it stands.
    let acronym = letters().count() >= 2 && letters().all(char::is_uppercase);
    let starts_sentence = i == 0 || units[i - 1].kind == Kind::Boundary;
    acronym || (!starts_sentence && written.starts_with(char::is_uppercase))
}

/// Whether `new` fixes a typo in `old` (or is the same word). Letters
/// added or removed only at the front are a prefix, not a typo:
/// `deidentified` → `identified` and `unencrypted` → `encrypted` turn the
/// meaning around, though the longer word is not in the dictionary.
fn is_typo_fix(old: &Unit, new: &Unit) -> bool {
    let prefix_only = old.key != new.key
        && (old.key.ends_with(new.key.as_str()) || new.key.ends_with(old.key.as_str()));
    old.key == new.key
        || (!prefix_only
            && within_two_edits(&old.key, &new.key)
            && !dictionary::is_word(&old.written)
            && dictionary::is_word(&new.written))
}

/// Whether the same letters are cut into words differently, and one side
/// is not words of the language or the pair is a known variant.
fn is_boundary_fix(a: &[Unit], b: &[Unit]) -> bool {
    let joined = |side: &[Unit]| side.iter().map(|u| u.key.as_str()).collect::<String>();
    // (One plain word against one never gets here joined the same: the
    // walk asks only where the two differ, and plain words differ by key.)
    if joined(a) != joined(b) {
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
    // Words, not blobs: a one-line 40,000-character hash changed by one
    // character is no typo, and the table would take gigabytes.
    const LONGEST_WORD: usize = 64;
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 || a.len().max(b.len()) > LONGEST_WORD {
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

/// The material verdict where the walk stopped: named by the stretch that
/// differs (from there to the units both sides end with), shown around the
/// place it stopped.
fn material_at(old: &[Unit], i: usize, new: &[Unit], j: usize) -> Verdict {
    let same_end = old[i..]
        .iter()
        .rev()
        .zip(new[j..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let verdict = material(&old[i..old.len() - same_end], &new[j..new.len() - same_end]);
    if !verdict.what.starts_with("sentence boundary") {
        return verdict;
    }
    let around = |units: &[Unit], at: usize| {
        let from = at.saturating_sub(3);
        shown(&units[from..(at + 4).min(units.len())])
    };
    let context = format!("“{}” → “{}”", around(old, i), around(new, j));
    Verdict::material(verdict.what, context)
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
    if struck(a) || struck(b) {
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
    use super::*;

    /// The reason for each kind of difference, from two Markdown texts: what
    /// a reader sees under a change.
    #[test]
    fn reasons_name_what_changed() {
        const CASES: &[(&str, &str, &str)] = &[
            (
                "We keep logs, we delete them.",
                "We keep logs. We delete them.",
                "material: sentence boundary added: \
                 “We keep logs we delete them.” → “We keep logs. We delete them”",
            ),
            (
                "We keep logs. We delete them.",
                "We keep logs, we delete them.",
                "material: sentence boundary removed: \
                 “We keep logs. We delete them” → “We keep logs we delete them.”",
            ),
            (
                "We do not sell your data. For ads, we share it",
                "We do not sell your data for ads. We share it",
                "material: sentence boundary moved: \
                 “sell your data. For ads we” → “sell your data for ads. We”",
            ),
            (
                "We keep logs. We share data with partners and we sell nothing at all.",
                "We keep logs. We share data with partners. And we sell nothing at all.",
                "material: sentence boundary added: \
                 “data with partners and we sell nothing” → “data with partners. And we sell”",
            ),
            (
                "Read the [terms](https://example.com/terms).",
                "Read the [terms](https://example.com/legal).",
                "material: link target changed: web:example.com/terms → web:example.com/legal",
            ),
            (
                "Read the [terms](https://example.com/terms).",
                "Read the terms.",
                "material: link removed: web:example.com/terms",
            ),
            (
                "Read the terms.",
                "Read the [terms](https://example.com/terms).",
                "material: link added: web:example.com/terms",
            ),
            (
                "We sell your data.",
                "We ~~sell~~ your data.",
                "material: strikethrough added: “sell” → “sell”",
            ),
            (
                "We ~~sell~~ your data.",
                "We sell your data.",
                "material: strikethrough removed: “sell” → “sell”",
            ),
            (
                "We ~~sell~~ your data.",
                "We ~~rent~~ your data.",
                "material: struck-through text changed: “sell” → “rent”",
            ),
            (
                "Write to `privacy@example.com` today.",
                "Write to `legal@example.com` today.",
                "material: e-mail address changed: “privacy@example.com” → “legal@example.com”",
            ),
            (
                "Updated 28 August 2025.",
                "Updated 2025-09-28.",
                "material: date changed: “28 August 2025” → “2025-09-28”",
            ),
            (
                "We keep logs for 30 days.",
                "We keep logs for 90 days.",
                "material: number or address changed: “30” → “90”",
            ),
            (
                "We keep logs.",
                "We keep all logs.",
                "material: words added: “all”",
            ),
            (
                "We keep all logs.",
                "We keep logs.",
                "material: words removed: “all”",
            ),
            (
                "We keep logs.",
                "We keep logs of every page you visit on our site and in our app.",
                "material: words added: “of every page you visit on our site …”",
            ),
            (
                "We keep logs.",
                "We keep logs of every page you visit on our site.",
                "material: words added: “of every page you visit on our site”",
            ),
            (
                "We reply within 30 days.",
                "We reply promptly.",
                "material: number or address changed: “within 30 days” → “promptly”",
            ),
            (
                "We sell data.",
                "We rent data.",
                "material: words replaced: “sell” → “rent”",
            ),
            (
                "We sell data.",
                "We tell data.",
                "material: a word replaced by another: “sell” → “tell”",
            ),
            (
                "We recieve data.",
                "We recleve data.",
                "material: a misspelling replaced by another: “recieve” → “recleve”",
            ),
            (
                "You are not able to opt out.",
                "You are notable to opt out.",
                "material: words joined or split: “not able” → “notable”",
            ),
            (
                "We keep logs.",
                "We store records.",
                "material: words replaced: “keep logs” → “store records”",
            ),
            (
                "We keep logs of every page you visit on our site.",
                "We keep logs of every page you open on our site and app.",
                "material: words replaced: “visit on our site” → “open on our site and app”",
            ),
            (
                "We send it to to partners.",
                "We send it to partners.",
                "duplicated word removed: “to to” → “to”",
            ),
            (
                "Send us an e-mail.",
                "Send us an email.",
                "word boundary: “e mail” → “email”",
            ),
            (
                "Read theTOS now.",
                "Read the TOS now.",
                "word boundary: “theTOS” → “the TOS”",
            ),
        ];
        let read = |text| crate::diff::blocks("Policy", text, Default::default());
        for &(old, new, reason) in CASES {
            let verdict = crate::diff::classify(&read(old), &read(new));
            assert_eq!(verdict.reason, reason, "{old} → {new}");
        }
    }

    #[test]
    fn two_edits_at_most() {
        assert!(within_two_edits("recieve", "receive"));
        assert!(within_two_edits("modication", "modification"));
        assert!(within_two_edits("ab", "ba"));
        assert!(!within_two_edits("abc", "xyzabc"));
        assert!(!within_two_edits("privacy", "policy"));
        assert!(within_two_edits("recve", "receive"), "two insertions");
        assert!(within_two_edits("receive", "recve"), "two deletions");
        assert!(within_two_edits("abcd", "badc"), "two swaps");
        assert!(within_two_edits("flaw", "lawn"));
        assert!(!within_two_edits("kitten", "sitting"));
        assert!(!within_two_edits("abcd", "dcba"));
        // Edits at the front count like any others.
        assert!(
            !within_two_edits("xyzcookies", "acookies"),
            "three at the front"
        );
        assert!(
            !within_two_edits("acookies", "xyzcookies"),
            "three at the front"
        );
        // Words of up to 64 letters are compared; longer runs are blobs.
        let word = |n: usize, last: char| format!("{}{last}", "a".repeat(n - 1));
        assert!(within_two_edits(&word(64, 'b'), &word(64, 'c')));
        assert!(!within_two_edits(&word(65, 'b'), &word(65, 'c')));
    }
}
