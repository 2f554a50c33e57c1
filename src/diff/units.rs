//! The units of meaning the editorial rule compares: words, values, link
//! targets and sentence boundaries, read out of blocks.
//!
//! - A **word** is a run of letters and digits, case-folded, apostrophes
//!   dropped (`Don't` ≡ `dont`). Text between `~~` (strikethrough, or
//!   deletion markup the page shows) is struck: `sell` and struck `sell` are
//!   different units, so striking a word through is never formatting.
//! - A **value** is an e-mail address, a web address, a number or a date,
//!   in its canonical form ([`super::values`]): `28 August 2025` ≡
//!   `August 28, 2025` ≡ `2025-08-28`, `1,000` ≡ `1000`, `thirty` ≡ `30`.
//! - A **link** is where a link in the block goes (its canonical target),
//!   read after the block's words.
//! - A **boundary** is a sentence boundary: `.` `!` `?` or `;` followed by
//!   more words in the same block or cell, and the end of every block and
//!   cell. `.` after a usual abbreviation (`e.g.`, `Inc.`) is not one.
//!
//! Punctuation other than boundaries, white space and formatting are not
//! units.

use super::values;
use super::words::{cells, tokens};
use super::{Block, BlockKind};

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "etc", "inc", "ltd", "llc", "corp", "mr", "mrs", "ms", "dr", "vs",
    "approx", "u.s", "cf",
];

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Value,
    Link,
    Boundary,
}

/// One unit: its kind, its canonical key (what is compared) and how it was
/// written (for dictionary look-ups and reasons).
#[derive(Debug, Clone)]
pub(super) struct Unit {
    pub kind: Kind,
    pub key: String,
    pub written: String,
    pub struck: bool,
}

impl PartialEq for Unit {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.struck == other.struck && self.key == other.key
    }
}

impl Eq for Unit {}

/// The units of blocks, in reading order.
pub(super) fn of_blocks(blocks: &[&Block]) -> Vec<Unit> {
    // About one unit per six bytes of English.
    let mut out = Vec::with_capacity(blocks.iter().map(|b| b.text.len() / 6 + 2).sum());
    for block in blocks {
        if block.kind == BlockKind::Rule {
            continue;
        }
        let start = out.len();
        for cell in cells(block) {
            of_text(cell, &mut out);
        }
        for link in &block.links {
            out.push(Unit {
                kind: Kind::Link,
                key: link.clone(),
                written: link.clone(),
                struck: false,
            });
        }
        // An empty block adds nothing, not even a boundary.
        if out.len() > start {
            push_boundary(&mut out);
        }
    }
    out
}

/// Appends the units of one cell of text, then a boundary.
fn of_text(text: &str, out: &mut Vec<Unit>) {
    let start = out.len();
    let mut struck = false;
    let mut pending_boundary = false;
    for chunk in text.split_whitespace() {
        let mut rest = chunk;
        // Strikethrough markers may sit at either end of a chunk.
        while let Some(inner) = rest.strip_prefix("~~") {
            struck = !struck;
            rest = inner;
        }
        let mut closes = 0;
        while let Some(inner) = rest.strip_suffix("~~") {
            closes += 1;
            rest = inner;
        }
        let core = rest.trim_start_matches(|c: char| !c.is_alphanumeric());
        let core_end = core
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let (core, trailing) = core.split_at(core_end);
        if !core.is_empty() {
            if pending_boundary {
                push_boundary(out);
            }
            push_core(core, struck, out);
            pending_boundary = false;
        }
        if trailing.contains(['.', '!', '?', ';']) && !ends_abbreviation(core, trailing) {
            pending_boundary = true;
        }
        if closes % 2 == 1 {
            struck = !struck;
        }
    }
    if out.len() > start {
        push_boundary(out);
    }
    merge_dates(out, start);
}

fn ends_abbreviation(core: &str, trailing: &str) -> bool {
    trailing.starts_with('.')
        && !trailing[1..].contains(['.', '!', '?', ';'])
        && (ABBREVIATIONS.contains(&core.to_lowercase().as_str())
            || (core.chars().count() == 1 && core.chars().all(char::is_uppercase)))
}

/// Units of a run of text without spaces or outer punctuation.
fn push_core(core: &str, struck: bool, out: &mut Vec<Unit>) {
    let mut push = |kind, key: String, written: &str| {
        out.push(Unit {
            kind,
            key,
            written: written.to_string(),
            struck,
        });
    };
    if core.chars().all(char::is_alphanumeric) {
        // Most runs are one plain word or number.
        return push_piece(core, &mut push);
    }
    if values::is_email(core) {
        return push(Kind::Value, values::email(core), core);
    }
    if values::is_web_address(core) {
        return push(Kind::Value, values::web_address(core), core);
    }
    if let Some(date) = values::iso_date(core) {
        return push(Kind::Value, date, core);
    }
    let pieces = tokens(core);
    for piece in pieces {
        if !piece.starts_with(char::is_alphanumeric) {
            // A boundary mark inside a run (`data;for`) still ends a
            // sentence. (The run starts and ends with a letter or digit, so
            // a mark is always between words.)
            if piece.contains(['!', '?', ';']) {
                push(Kind::Boundary, String::new(), piece);
            }
            continue;
        }
        if piece.starts_with(|c: char| c.is_ascii_digit()) && piece.contains(['.', ',']) {
            match values::number(piece) {
                Some(number) => push(Kind::Value, number, piece),
                None => {
                    for group in piece.split(['.', ',']) {
                        push(Kind::Value, group.to_string(), group);
                    }
                }
            }
            continue;
        }
        push_piece(piece, &mut push);
    }
}

/// The unit of one run of letters and digits (apostrophes inside kept).
fn push_piece(piece: &str, push: &mut impl FnMut(Kind, String, &str)) {
    let folded: String = if piece.bytes().all(|b| b.is_ascii_alphanumeric()) {
        piece.to_ascii_lowercase()
    } else {
        piece
            .chars()
            .filter(|c| !matches!(c, '\'' | '’'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    if folded.bytes().all(|b| b.is_ascii_digit()) {
        push(Kind::Value, folded, piece);
    } else if let Some(value) = values::number_word(&folded) {
        push(Kind::Value, value.to_string(), piece);
    } else {
        push(Kind::Word, folded, piece);
    }
}

fn push_boundary(out: &mut Vec<Unit>) {
    if out.last().is_none_or(|unit| unit.kind != Kind::Boundary) {
        out.push(Unit {
            kind: Kind::Boundary,
            key: String::new(),
            written: String::new(),
            struck: false,
        });
    }
}

/// Replaces each written-out date in `out[start..]` (`28 August 2025`,
/// `August 28th, 2025`, `August 2025`) by one value.
fn merge_dates(out: &mut Vec<Unit>, start: usize) {
    let names_a_month = |u: &Unit| u.kind == Kind::Word && values::month(&u.key).is_some();
    if !out[start..].iter().any(names_a_month) {
        return;
    }
    let mut merged: Vec<Unit> = Vec::with_capacity(out.len() - start);
    let units: Vec<Unit> = out.drain(start..).collect();
    let mut k = 0;
    while k < units.len() {
        match date_at(&units[k..]) {
            Some((key, taken)) => {
                let written: Vec<&str> = units[k..k + taken]
                    .iter()
                    .map(|u| u.written.as_str())
                    .collect();
                merged.push(Unit {
                    kind: Kind::Value,
                    key,
                    written: written.join(" "),
                    struck: units[k].struck,
                });
                k += taken;
            }
            None => {
                merged.push(units[k].clone());
                k += 1;
            }
        }
    }
    out.extend(merged);
}

/// A date starting at the first unit: its key and how many units it takes.
fn date_at(units: &[Unit]) -> Option<(String, usize)> {
    let same_strike =
        |n: usize| units.len() >= n && units[..n].iter().all(|u| u.struck == units[0].struck);
    let month_of = |unit: &Unit| (unit.kind == Kind::Word).then(|| values::month(&unit.key))?;
    let day_of = |unit: &Unit| {
        matches!(unit.kind, Kind::Value | Kind::Word)
            .then(|| values::day(&unit.written))
            .flatten()
    };
    let year_of = |unit: &Unit| (unit.kind == Kind::Value).then(|| values::year(&unit.key))?;
    let first = units.first()?;
    if same_strike(3) {
        // 28 August 2025
        if let (Some(d), Some(m), Some(y)) =
            (day_of(first), month_of(&units[1]), year_of(&units[2]))
        {
            return Some((values::date(y, m, Some(d)), 3));
        }
        // August 28, 2025
        if let (Some(m), Some(d), Some(y)) =
            (month_of(first), day_of(&units[1]), year_of(&units[2]))
        {
            return Some((values::date(y, m, Some(d)), 3));
        }
    }
    // August 2025
    if same_strike(2)
        && let (Some(m), Some(y)) = (month_of(first), year_of(&units[1]))
    {
        return Some((values::date(y, m, None), 2));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        of_text(text, &mut out);
        out.iter()
            .map(|u| match u.kind {
                Kind::Boundary => "|".to_string(),
                _ if u.struck => format!("~{}", u.key),
                _ => u.key.clone(),
            })
            .collect()
    }

    /// A number is digits alone (with separators); a run of letters and
    /// digits is a word, as the module's doc says.
    #[test]
    fn words_with_digits_are_words() {
        let mut out = Vec::new();
        of_text("the 30th v2.0 release keeps 1.5 GB", &mut out);
        let kinds: Vec<(&str, Kind)> = out.iter().map(|u| (u.written.as_str(), u.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("the", Kind::Word),
                ("30th", Kind::Word),
                ("v2.0", Kind::Word),
                ("release", Kind::Word),
                ("keeps", Kind::Word),
                ("1.5", Kind::Value),
                ("GB", Kind::Word),
                ("", Kind::Boundary),
            ]
        );
    }

    #[test]
    fn sentences_words_and_values() {
        assert_eq!(
            keys("We do not sell your data. For ads, we share it."),
            [
                "we", "do", "not", "sell", "your", "data", "|", "for", "ads", "we", "share", "it",
                "|"
            ]
        );
        assert_eq!(
            keys("e.g. cookies; etc."),
            ["e", "g", "cookies", "|", "etc", "|"]
        );
        assert_eq!(keys("We ~~sell~~ data"), ["we", "~sell", "data", "|"]);
        assert_eq!(
            keys("Write to Privacy@Example.com."),
            ["write", "to", "Privacy@example.com", "|"]
        );
        assert_eq!(keys("kept 30 days"), keys("kept thirty days"));
        assert_eq!(keys("kept 1,000 logs"), keys("kept 1000 logs"));
        assert_eq!(
            keys("Updated 28 August 2025."),
            keys("Updated August 28th, 2025")
        );
        assert_eq!(keys("Updated 28 August 2025."), keys("Updated 2025-08-28"));
        assert_ne!(
            keys("Updated 28 August 2025."),
            keys("Updated 29 August 2025")
        );
        assert_eq!(keys("call 555.123.4567"), keys("call (555) 123-4567"));
    }
}
