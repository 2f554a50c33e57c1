//! Whether a word is a word of the document's language, from a Hunspell
//! dictionary shipped inside the binary (English: SCOWL's `en_US`, as Debian
//! packages it in `hunspell-en-us`; its licence is in `dictionaries/`).
//!
//! The editorial rule asks this to tell a typo fix (`recieve` → `receive`)
//! from a real word replaced by another (`retain` → `retrain`). The
//! dictionary is parsed once, on first use. Should it ever fail to load,
//! every word counts as a word, which makes the rule call such edits
//! material: the safe side.

use std::sync::LazyLock;

use spellbook::Dictionary;

const EN_US_AFF: &str = include_str!("../../dictionaries/en_US.aff");
const EN_US_DIC: &str = include_str!("../../dictionaries/en_US.dic");

static ENGLISH: LazyLock<Option<Dictionary>> =
    LazyLock::new(|| Dictionary::new(EN_US_AFF, EN_US_DIC).ok());

/// Whether `word` (as written: case matters for names) is an English word.
/// Words the dictionary cannot judge count as words.
pub(super) fn is_word(word: &str) -> bool {
    match ENGLISH.as_ref() {
        Some(dictionary) => dictionary.check(word),
        None => true,
    }
}

/// The dictionary's plain entries (stems without affixes), for tests that
/// draw real words at random.
#[cfg(test)]
pub(super) fn stems() -> impl Iterator<Item = &'static str> {
    EN_US_DIC
        .lines()
        .skip(1)
        .map(|line| line.split('/').next().unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_dictionary_loads() {
        assert!(ENGLISH.is_some());
    }

    #[test]
    fn words_and_non_words() {
        for word in [
            "receive", "Receive", "retain", "retrain", "contract", "contact", "annual", "annul",
            "later", "latter", "three", "there", "United", "untied", "notable", "nowhere", "email",
        ] {
            assert!(is_word(word), "{word}");
        }
        for word in [
            "recieve",
            "occured",
            "modication",
            "thetos",
            "Policyvia",
            "teh",
        ] {
            assert!(!is_word(word), "{word}");
        }
    }
}
