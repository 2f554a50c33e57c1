//! The theme's words in every language: `i18n/<code>.toml` tables (the
//! theme's, with the site's `i18n/` files over them key by key), read
//! through the template function `t(key=…, lang=…)`. A key a language's
//! table lacks falls back to the default language's, with one warning per
//! key at load, so a half-translated table still builds a whole site.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Result, bail};
use icu_plurals::PluralRules;
use serde_json::Value;

use crate::diff::SummaryWords;
use crate::render::theme::StringsSource;
use crate::source::location::line_col;

/// Every language's table, resolved.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    /// Code → key → text.
    tables: BTreeMap<String, BTreeMap<String, String>>,
    default: String,
}

impl Strings {
    /// Reads the tables (later sources win, key by key) for the site's
    /// languages. Returns them with a warning for every key a language
    /// misses, and one for a language with no table at all.
    pub fn load(
        sources: &[StringsSource],
        default: &str,
        languages: &[&str],
    ) -> Result<(Strings, Vec<String>)> {
        let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for source in sources {
            let table: toml::Table = toml::from_str(&source.text).map_err(|err| {
                let (line, column) = err
                    .span()
                    .map_or((1, 1), |span| line_col(&source.text, span.start));
                anyhow::anyhow!(
                    "{}:{line}:{column}: {}",
                    source.origin,
                    err.message().trim_end()
                )
            })?;
            let entries = tables.entry(source.code.clone()).or_default();
            for (key, value) in table {
                let toml::Value::String(text) = value else {
                    bail!(
                        "{}: `{key}` must be text in quotes (a translation of the theme's words)",
                        source.origin
                    );
                };
                entries.insert(key, text);
            }
        }
        let mut warnings = Vec::new();
        // A default language the theme has no words for shows English ones.
        let default = if tables.contains_key(default) {
            default
        } else if tables.contains_key("en") {
            warnings.push(format!(
                "there is no i18n/{default}.toml for the default language: pages show the theme's words in English; add i18n/{default}.toml to the site to translate them"
            ));
            "en"
        } else {
            bail!(
                "the theme has no words for the default language `{default}` nor English: add i18n/{default}.toml to the site"
            );
        };
        let fallback = &tables[default];
        for &code in languages.iter().filter(|&&code| code != default) {
            match tables.get(code) {
                None => warnings.push(format!(
                    "there is no i18n/{code}.toml: pages in `{code}` show the theme's words in `{default}`; add i18n/{code}.toml to the site to translate them"
                )),
                Some(table) => {
                    let missing = |key: &&String| !table.contains_key(*key) && !counted_elsewhere(key, table);
                    for key in fallback.keys().filter(missing) {
                        warnings.push(format!(
                            "i18n/{code}.toml has no `{key}`: pages in `{code}` show it in `{default}` (\"{}\")",
                            fallback[key]
                        ));
                    }
                }
            }
        }
        Ok((
            Strings {
                tables,
                default: default.to_string(),
            },
            warnings,
        ))
    }

    /// The text of `key` in `code`, else in the default language.
    pub fn get(&self, code: &str, key: &str) -> Option<&str> {
        self.tables
            .get(code)
            .and_then(|table| table.get(key))
            .or_else(|| self.tables.get(&self.default)?.get(key))
            .map(String::as_str)
    }

    /// The words generated summaries are written in for `code`, counted
    /// by its CLDR plural rules (English's when CLDR has none for it).
    pub fn summary_words(&self, code: &str) -> SummaryWords {
        let plurals = code
            .parse::<icu_locale_core::Locale>()
            .ok()
            .and_then(|locale| PluralRules::try_new_cardinal(locale.into()).ok());
        SummaryWords::new(|key| self.get(code, key), plurals)
    }

    /// A language's name in that language (`Deutsch`), from its own table
    /// only: a language without one is called by its code.
    pub fn language_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.tables
            .get(code)
            .and_then(|table| table.get("language_name"))
            .map_or(code, String::as_str)
    }
}

/// Whether `key` is a plural form (`summary_words_added_one`) a language
/// does without: it has the phrase's `_other` form, and its own rules may
/// never pick this one (Japanese has no `one`).
fn counted_elsewhere(key: &str, table: &BTreeMap<String, String>) -> bool {
    ["_zero", "_one", "_two", "_few", "_many"]
        .iter()
        .filter_map(|form| key.strip_suffix(form))
        .any(|stem| table.contains_key(&format!("{stem}_other")))
}

/// `t(key="last_updated", lang=lang, date=…)`: the text of `key` in `lang`
/// (the default language when not given) with each `{name}` replaced by the
/// argument `name`. `t(key="language_name", lang=code)` names a language in
/// its own words.
pub fn function(strings: Arc<Strings>) -> impl tera::Function {
    move |args: &std::collections::HashMap<String, Value>| -> tera::Result<Value> {
        let key = args
            .get("key")
            .and_then(Value::as_str)
            .ok_or_else(|| tera::Error::msg("t() needs a key: t(key=\"last_updated\")"))?;
        let lang = args
            .get("lang")
            .and_then(Value::as_str)
            .unwrap_or(&strings.default);
        if key == "language_name" {
            return Ok(Value::String(strings.language_name(lang).to_string()));
        }
        let text = strings.get(lang, key).ok_or_else(|| {
            tera::Error::msg(format!(
                "t(): no string `{key}` in i18n/{}.toml; add it to the site's i18n/{}.toml",
                strings.default, strings.default
            ))
        })?;
        Ok(Value::String(fill(text, args)))
    }
}

/// `text` with `{name}` replaced by each argument but `key` and `lang`.
fn fill(text: &str, args: &std::collections::HashMap<String, Value>) -> String {
    let mut filled = text.to_string();
    for (name, value) in args {
        if name == "key" || name == "lang" {
            continue;
        }
        let value = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        filled = filled.replace(&format!("{{{name}}}"), &value);
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(code: &str, text: &str) -> StringsSource {
        StringsSource {
            code: code.into(),
            origin: format!("i18n/{code}.toml"),
            text: text.into(),
        }
    }

    #[test]
    fn a_missing_key_falls_back_to_the_default_language_with_one_warning() {
        let sources = [
            source("en", "last_updated = \"Last updated\"\nfeed = \"Feed\"\n"),
            source("de", "last_updated = \"Zuletzt geändert\"\n"),
            source("de", "language_name = \"Deutsch\"\n"),
        ];
        let (strings, warnings) = Strings::load(&sources, "en", &["en", "de", "ar"]).unwrap();
        assert_eq!(strings.get("de", "last_updated"), Some("Zuletzt geändert"));
        assert_eq!(strings.get("de", "feed"), Some("Feed"));
        assert_eq!(strings.get("ar", "feed"), Some("Feed"));
        assert_eq!(strings.get("de", "nothing"), None);
        assert_eq!(strings.language_name("de"), "Deutsch");
        assert_eq!(strings.language_name("ar"), "ar");
        let missing: Vec<&String> = warnings.iter().filter(|w| w.contains("`feed`")).collect();
        assert_eq!(missing.len(), 1, "{warnings:?}");
        assert!(
            missing[0].starts_with("i18n/de.toml has no `feed`"),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("no i18n/ar.toml")),
            "{warnings:?}"
        );
        // The site's second file for `de` added its key; no warning for it.
        assert!(
            !warnings.iter().any(|w| w.contains("language_name")),
            "{warnings:?}"
        );
    }

    #[test]
    fn the_shipped_tables_have_every_key_and_english_is_the_codes() {
        let sources = crate::render::theme::default_strings();
        let languages = ["en", "de", "fr", "es", "ja"];
        let (strings, warnings) = Strings::load(&sources, "en", &languages).unwrap();
        assert_eq!(warnings, Vec::<String>::new());
        for (key, english) in crate::diff::wording::ENGLISH {
            assert_eq!(strings.get("en", key), Some(*english), "{key}");
        }
        // Each language words a summary in its own terms and plural rules.
        let counted = |code: &str, n: usize| {
            strings
                .summary_words(code)
                .counted("summary_more_sections", n)
                .to_string()
        };
        assert_eq!(counted("en", 0), "and {count} more sections");
        assert_eq!(counted("fr", 0), "et {count} autre section");
        assert_eq!(counted("de", 1), "und {count} weiterer Abschnitt");
        assert_eq!(counted("ja", 1), "ほか{count}セクション");
    }

    #[test]
    fn placeholders_are_filled_and_bad_tables_named() {
        let args = [("date".to_string(), Value::from("3. März 2026"))]
            .into_iter()
            .collect();
        assert_eq!(
            fill("Zuletzt geändert am {date}", &args),
            "Zuletzt geändert am 3. März 2026"
        );
        let err = Strings::load(&[source("en", "x = 1\n")], "en", &["en"]).unwrap_err();
        assert!(
            err.to_string().contains("i18n/en.toml: `x` must be text"),
            "{err}"
        );
        let err = Strings::load(&[source("en", "x = \n")], "en", &["en"]).unwrap_err();
        assert!(err.to_string().starts_with("i18n/en.toml:1:"), "{err}");
    }
}
