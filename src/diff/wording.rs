//! The words a change's generated summary is written in: English here, any
//! language from the theme's tables (`summary_*` and `what_*` keys, read by
//! `render::i18n`), with that language's plural rules from CLDR for the
//! counted phrases (`1 word added`, `3 Wörter hinzugefügt`).

use std::collections::HashMap;
use std::sync::Arc;

use icu_plurals::{PluralCategory, PluralRules};

/// Every key a summary is written from, with its English text. Counted
/// phrases have a key per plural form (`_one`, `_other`; a language may add
/// `_zero`, `_two`, `_few` and `_many`), `other` being the form to fall back on.
pub const ENGLISH: &[(&str, &str)] = &[
    ("summary_first_published", "First published."),
    ("summary_no_change", "No changes to the wording."),
    (
        "summary_withdrawn",
        "Withdrawn on {date}: this document no longer applies.",
    ),
    ("summary_introduction", "Introduction"),
    ("summary_changed", "changed “{title}”{counts}"),
    ("summary_changed_meaning", "changed “{title}” ({what})"),
    (
        "summary_formatting",
        "punctuation or formatting changed in “{title}”",
    ),
    ("summary_added", "added “{title}”"),
    ("summary_removed", "removed “{title}”"),
    ("summary_moved", "moved “{title}”{counts}"),
    (
        "summary_renamed",
        "renamed “{previous}” to “{title}”{counts}",
    ),
    ("summary_words_added_one", " ({count} word added)"),
    ("summary_words_added_other", " ({count} words added)"),
    ("summary_words_removed_one", " ({count} word removed)"),
    ("summary_words_removed_other", " ({count} words removed)"),
    (
        "summary_words_both_one",
        " ({added} word added, {removed} removed)",
    ),
    (
        "summary_words_both_other",
        " ({added} words added, {removed} removed)",
    ),
    ("summary_more_sections_one", "and {count} more section"),
    ("summary_more_sections_other", "and {count} more sections"),
    ("summary_separator", "; "),
    ("summary_end", "."),
    // What changed a section's meaning without a word added or removed:
    // the editorial rule's material verdicts (`Verdict::what`).
    ("what_text_moved", "text moved"),
    ("what_sentence_boundary_added", "sentence boundary added"),
    (
        "what_sentence_boundary_removed",
        "sentence boundary removed",
    ),
    ("what_sentence_boundary_moved", "sentence boundary moved"),
    ("what_link_target_changed", "link target changed"),
    ("what_link_removed", "link removed"),
    ("what_link_added", "link added"),
    ("what_strikethrough_added", "strikethrough added"),
    ("what_strikethrough_removed", "strikethrough removed"),
    (
        "what_struck_through_text_changed",
        "struck-through text changed",
    ),
    ("what_e_mail_address_changed", "e-mail address changed"),
    ("what_date_changed", "date changed"),
    (
        "what_number_or_address_changed",
        "number or address changed",
    ),
    ("what_words_added", "words added"),
    ("what_words_removed", "words removed"),
    (
        "what_a_word_replaced_by_another",
        "a word replaced by another",
    ),
    (
        "what_a_misspelling_replaced_by_another",
        "a misspelling replaced by another",
    ),
    ("what_words_joined_or_split", "words joined or split"),
    ("what_words_replaced", "words replaced"),
];

/// The plural forms a counted key may have, as CLDR names them.
const FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The key a material verdict's `what` is translated under:
/// `link target changed` → `what_link_target_changed`.
pub fn what_key(what: &str) -> String {
    let words: String = what
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    format!("what_{words}")
}

/// The words of one language.
#[derive(Clone)]
pub struct SummaryWords {
    texts: HashMap<String, String>,
    /// The language's plural rules; None: English's (1 is `one`).
    plurals: Option<Arc<PluralRules>>,
}

impl std::fmt::Debug for SummaryWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryWords")
            .field("texts", &self.texts.len())
            .finish()
    }
}

impl SummaryWords {
    pub fn english() -> Self {
        SummaryWords {
            texts: HashMap::new(),
            plurals: None,
        }
    }

    /// The words `lookup` finds for each key (English for a key it lacks),
    /// counted by `plurals`.
    pub fn new<'a>(lookup: impl Fn(&str) -> Option<&'a str>, plurals: Option<PluralRules>) -> Self {
        let mut texts = HashMap::new();
        for (key, _) in ENGLISH {
            let forms: Vec<String> = match key.strip_suffix("_other") {
                Some(stem) => FORMS.iter().map(|form| format!("{stem}_{form}")).collect(),
                None if key.ends_with("_one") => Vec::new(),
                None => vec![(*key).to_string()],
            };
            for key in forms {
                if let Some(text) = lookup(&key) {
                    texts.insert(key, text.to_string());
                }
            }
        }
        SummaryWords {
            texts,
            plurals: plurals.map(Arc::new),
        }
    }

    /// The text of `key`: this language's, else English.
    pub fn text(&self, key: &str) -> &str {
        self.texts.get(key).map_or_else(
            || {
                ENGLISH
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or("", |(_, text)| text)
            },
            String::as_str,
        )
    }

    /// The form of counted key `stem` (`summary_words_added`) for `n`.
    pub fn counted(&self, stem: &str, n: usize) -> &str {
        let form = match &self.plurals {
            Some(rules) => category_name(rules.category_for(n)),
            None if n == 1 => "one",
            None => "other",
        };
        let key = format!("{stem}_{form}");
        match self.texts.get(&key) {
            Some(text) => text,
            // A language's own `other` before English's exact form.
            None => match self.texts.get(&format!("{stem}_other")) {
                Some(text) => text,
                None => self.text(&key),
            },
        }
    }

    /// How a material verdict's `what` reads in this language (as it is,
    /// when no table names it).
    pub fn what<'a>(&'a self, what: &'a str) -> &'a str {
        self.texts.get(&what_key(what)).map_or(what, String::as_str)
    }
}

fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// `text` with each `{name}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_counts_one_and_the_rest() {
        let words = SummaryWords::english();
        assert_eq!(
            words.counted("summary_words_added", 1),
            " ({count} word added)"
        );
        assert_eq!(
            words.counted("summary_words_added", 0),
            " ({count} words added)"
        );
        assert_eq!(
            words.counted("summary_words_added", 2),
            " ({count} words added)"
        );
        assert_eq!(words.what("link target changed"), "link target changed");
    }

    #[test]
    fn a_language_counts_by_its_own_rules_and_falls_back_to_english() {
        let table: HashMap<&str, &str> = [
            ("summary_more_sections_one", "et {count} autre section"),
            ("summary_more_sections_other", "et {count} autres sections"),
            ("what_link_added", "lien ajouté"),
        ]
        .into_iter()
        .collect();
        let rules = PluralRules::try_new_cardinal(icu_locale_core::locale!("fr").into()).unwrap();
        let words = SummaryWords::new(|key| table.get(key).copied(), Some(rules));
        // French counts 0 as one, unlike English.
        assert_eq!(
            words.counted("summary_more_sections", 0),
            "et {count} autre section"
        );
        assert_eq!(
            words.counted("summary_more_sections", 2),
            "et {count} autres sections"
        );
        assert_eq!(words.what("link added"), "lien ajouté");
        // Not in the table: English.
        assert_eq!(words.text("summary_end"), ".");
        assert_eq!(words.what("link removed"), "link removed");
        // A form the language has no text for: its `other`.
        let rules = PluralRules::try_new_cardinal(icu_locale_core::locale!("ar").into()).unwrap();
        let words = SummaryWords::new(|key| table.get(key).copied(), Some(rules));
        assert_eq!(
            words.counted("summary_more_sections", 3),
            "et {count} autres sections"
        );
    }

    #[test]
    fn every_key_has_a_plain_name_and_placeholders_fill() {
        for (key, english) in ENGLISH {
            if let Some(what) = key.strip_prefix("what_") {
                assert_eq!(what_key(english), *key, "{what}");
            }
        }
        assert_eq!(
            fill(
                "renamed “{previous}” to “{title}”",
                &[("previous", "A"), ("title", "B")]
            ),
            "renamed “A” to “B”"
        );
    }
}
