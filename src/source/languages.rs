//! Languages: the site's default language and its translations' languages,
//! from `default_language` and the `[languages.<code>]` tables, resolved
//! once. Also the one place that reads a language from a content path
//! (`privacy.de.md`, `de/privacy.md` under a language's content folder) and
//! gives a document its URL (`/de/privacy/`), so the content walk and the
//! history walk agree on both.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use icu_locale_core::Locale;
use serde::Deserialize;

use crate::source::dates::DateFormat;
use crate::source::paths::{display, document_url};

/// A `[languages.<code>]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageFile {
    title: Option<String>,
    description: Option<String>,
    date_format: Option<String>,
    /// The language's own content folder, relative to the site root.
    content_dir: Option<PathBuf>,
    /// What its URLs start with (default: the code, `/de/`).
    url_prefix: Option<String>,
    extra: BTreeMap<String, toml::Value>,
}

/// The site-wide settings the default language takes when its table (if
/// any) does not set them.
pub struct SiteDefaults<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// The top-level `date_format`, when set.
    pub date_format: Option<&'a str>,
    pub extra: &'a serde_json::Value,
}

/// One language of the site.
#[derive(Debug, Clone)]
pub struct Language {
    /// The BCP 47 code in its canonical form (`de`, `pt-BR`, `zh-Hant`).
    pub code: String,
    pub title: String,
    pub description: String,
    pub date_format: DateFormat,
    /// The `[extra]` table, for templates (the site's, for the default language,
    /// with the language's own keys over it).
    pub extra: serde_json::Value,
    /// The language's content folder relative to the site's content folder
    /// (`/` separators), when it has one.
    pub content_rel: Option<String>,
    /// What its URLs start with: `/` for the default language, `/de/`.
    pub url_prefix: String,
    /// Written right to left (Arabic, Hebrew, Persian, Urdu, …).
    pub rtl: bool,
}

impl Language {
    /// `rtl` or `ltr`, for the `dir` attribute.
    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

/// Every language of the site, the default first.
#[derive(Debug, Clone)]
pub struct Languages {
    pub list: Vec<Language>,
    /// The language whose text prevails when translations differ, if the
    /// site says so (`binding_language`).
    pub binding: Option<String>,
}

/// Where a content file belongs: its language and its path with the
/// language marks taken out (`privacy.de.md` → `privacy.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub language: usize,
    pub rel: String,
}

impl Languages {
    /// Resolves the languages; `root` and `content_dir` are absolute.
    pub fn resolve(
        default_code: &str,
        binding: Option<&str>,
        tables: BTreeMap<String, LanguageFile>,
        site: &SiteDefaults<'_>,
        (root, content_dir): (&Path, &Path),
    ) -> Result<Languages> {
        let default = parse_code(default_code, "default_language")?;
        let mut list: Vec<Language> = Vec::new();
        let mut tables: Vec<(String, LanguageFile)> = tables
            .into_iter()
            .map(|(code, table)| Ok((parse_code(&code, &format!("[languages.{code}]"))?, table)))
            .collect::<Result<_>>()?;
        let default_table = tables
            .iter()
            .position(|(code, _)| *code == default)
            .map(|at| tables.remove(at).1)
            .unwrap_or_default();
        list.push(language(
            &default,
            default_table,
            Some(site),
            (root, content_dir),
        )?);
        for (code, table) in tables {
            list.push(language(&code, table, None, (root, content_dir))?);
        }
        for (index, language) in list.iter().enumerate() {
            for other in &list[..index] {
                if other.url_prefix == language.url_prefix {
                    bail!(
                        "{CONFIG}: the languages `{}` and `{}` both publish under {}; give one a different `url_prefix`",
                        other.code,
                        language.code,
                        language.url_prefix
                    );
                }
                if other.content_rel.is_some() && other.content_rel == language.content_rel {
                    bail!(
                        "{CONFIG}: the languages `{}` and `{}` have the same content_dir; give each its own folder",
                        other.code,
                        language.code
                    );
                }
            }
        }
        let binding = binding
            .map(|code| {
                let code = parse_code(code, "binding_language")?;
                if !list.iter().any(|l| l.code == code) {
                    bail!(
                        "{CONFIG}: binding_language `{code}` is not a language of the site; use the default_language or add a [languages.{code}] table"
                    );
                }
                Ok(code)
            })
            .transpose()?;
        Ok(Languages { list, binding })
    }

    /// The default language.
    pub fn default_language(&self) -> &Language {
        &self.list[0]
    }

    /// The language with this code (the default one for a code not of the site).
    pub fn get(&self, code: &str) -> &Language {
        self.list
            .iter()
            .find(|l| l.code == code)
            .unwrap_or(&self.list[0])
    }

    /// The language whose URLs `url` is under (the longest prefix), for
    /// what is known only by its URL (a withdrawn document's last version).
    pub fn of_url(&self, url: &str) -> &Language {
        self.list
            .iter()
            .filter(|l| url.starts_with(l.url_prefix.as_str()))
            .max_by_key(|l| l.url_prefix.len())
            .unwrap_or(&self.list[0])
    }

    /// More than one language: pages link their translations.
    pub fn multilingual(&self) -> bool {
        self.list.len() > 1
    }

    /// Which language a file under the content folder (`rel`, `/`
    /// separators) is in: a language's content folder, else a language code
    /// before the extension (`privacy.de.md`), else the default language.
    pub fn locate(&self, rel: &str) -> Located {
        for (index, language) in self.list.iter().enumerate() {
            if let Some(folder) = &language.content_rel
                && let Some(rest) = rel.strip_prefix(folder.as_str())
                && let Some(rest) = rest.strip_prefix('/')
            {
                return Located {
                    language: index,
                    rel: rest.to_string(),
                };
            }
        }
        let (dirs, file) = rel.rsplit_once('/').map_or(("", rel), |(d, f)| (d, f));
        if let Some((stem, extension)) = file.rsplit_once('.')
            && let Some((stem, code)) = stem.rsplit_once('.')
            && !stem.is_empty()
            && let Some(index) = self
                .list
                .iter()
                .position(|l| l.code.eq_ignore_ascii_case(code))
        {
            let file = format!("{stem}.{extension}");
            return Located {
                language: index,
                rel: if dirs.is_empty() {
                    file
                } else {
                    format!("{dirs}/{file}")
                },
            };
        }
        Located {
            language: 0,
            rel: rel.to_string(),
        }
    }

    /// The URL of the document at `rel` (under the content folder) with
    /// `slug`: its language's prefix before the path's own URL.
    pub fn document_url(&self, rel: &str, slug: Option<&str>) -> Result<String> {
        let located = self.locate(rel);
        let url = document_url(Path::new(&located.rel), slug)?;
        Ok(format!(
            "{}{}",
            self.list[located.language].url_prefix,
            &url[1..]
        ))
    }

    /// A language's home page (`index.md`, `index.de.md`, `de/index.md`):
    /// it introduces that language's list of documents.
    pub fn is_home(&self, rel: &str) -> bool {
        let located = self.locate(rel);
        !located.rel.contains('/')
            && located
                .rel
                .rsplit_once('.')
                .is_some_and(|(stem, _)| stem.eq_ignore_ascii_case("index"))
    }
}

const CONFIG: &str = crate::source::paths::CONFIG_FILE;

fn language(
    code: &str,
    table: LanguageFile,
    site: Option<&SiteDefaults<'_>>,
    (root, content_dir): (&Path, &Path),
) -> Result<Language> {
    let locale: Locale = code
        .parse()
        .map_err(|_| anyhow::anyhow!("{CONFIG}: `{code}` is not a BCP 47 language code"))?;
    let date_format = match table.date_format.as_deref().or(site.and_then(|s| s.date_format)) {
        Some(pattern) => {
            crate::source::dates::check_date_format(pattern)?;
            DateFormat::Pattern(pattern.to_string())
        }
        None => DateFormat::cldr(&locale).ok_or_else(|| {
            anyhow::anyhow!(
                "{CONFIG}: there are no CLDR dates for `{code}`; set date_format in [languages.{code}]"
            )
        })?,
    };
    let mut extra = site
        .map(|s| s.extra.clone())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
    if let serde_json::Value::Object(map) = &mut extra {
        for (key, value) in table.extra {
            let value = serde_json::to_value(value)
                .map_err(|err| anyhow::anyhow!("[languages.{code}.extra] {key}: {err}"))?;
            map.insert(key, value);
        }
    }
    let content_rel = table
        .content_dir
        .map(|dir| {
            let absolute = root.join(&dir);
            match absolute.strip_prefix(content_dir) {
                Ok(rel) if !rel.as_os_str().is_empty() => Ok(display(Path::new(""), rel)),
                _ => bail!(
                    "{CONFIG}: [languages.{code}] content_dir `{}` is not a folder inside the content folder `{}`; put the language's folder in it (like `{}/{code}`)",
                    dir.display(),
                    display(root, content_dir),
                    display(root, content_dir)
                ),
            }
        })
        .transpose()?;
    let url_prefix = match table.url_prefix {
        Some(prefix) => url_prefix(&prefix, code)?,
        None if site.is_some() => "/".to_string(),
        None => format!("/{}/", code.to_ascii_lowercase()),
    };
    Ok(Language {
        code: code.to_string(),
        title: table
            .title
            .or_else(|| site.map(|s| s.title.to_string()))
            .unwrap_or_default(),
        description: table
            .description
            .or_else(|| site.map(|s| s.description.to_string()))
            .unwrap_or_default(),
        rtl: is_right_to_left(&locale),
        date_format,
        extra,
        content_rel,
        url_prefix,
    })
}

/// `de`, `/de/`, `deutsch` → `/de/`, `/deutsch/`; empty → `/`. Letters,
/// digits and `-` only, so a prefix is a plain folder of the site.
fn url_prefix(prefix: &str, code: &str) -> Result<String> {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        return Ok("/".into());
    }
    let clean = trimmed.split('/').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    if !clean {
        bail!(
            "{CONFIG}: [languages.{code}] url_prefix `{prefix}` may hold only lower-case letters, digits, `-` and `/`; write it like \"{}\"",
            code.to_ascii_lowercase()
        );
    }
    Ok(format!("/{trimmed}/"))
}

/// A checked BCP 47 code in its canonical form; `what` names the setting.
/// A well-formed code whose language ISO 639 does not know is an error too:
/// a typo (`gr` for Greek, which is `el`) would otherwise publish a site
/// that says it is in no language.
pub fn parse_code(code: &str, what: &str) -> Result<String> {
    let hint = "use a BCP 47 code such as \"en\", \"de\", \"pt-BR\" or \"zh-Hant\"";
    let Ok(id) = icu_locale_core::LanguageIdentifier::try_from_str(code.trim()) else {
        bail!("{CONFIG}: {what}: `{code}` is not a language code; {hint}");
    };
    let language = id.language.as_str();
    let known = match language.len() {
        2 => ISO_639_1.split(' ').any(|known| known == language),
        // Three-letter codes (ISO 639-2/3: `fil`, `yue`) are taken as written.
        3 => true,
        _ => false,
    };
    if !known {
        bail!(
            "{CONFIG}: {what}: `{code}` is not a known language ({language} is no ISO 639 code); {hint}"
        );
    }
    Ok(id.to_string())
}

/// Languages written right to left, or a script that is.
fn is_right_to_left(locale: &Locale) -> bool {
    const RTL_SCRIPTS: &[&str] = &[
        "Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg", "Mand",
    ];
    const RTL_LANGUAGES: &[&str] = &[
        "ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "syr", "ku-Arab",
    ];
    match locale.id.script {
        Some(script) => RTL_SCRIPTS.contains(&script.as_str()),
        None => RTL_LANGUAGES.contains(&locale.id.language.as_str()),
    }
}

/// ISO 639-1: every two-letter language code.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

#[cfg(test)]
mod tests {
    use super::*;

    fn languages(tables: &str) -> Result<Languages> {
        let tables: BTreeMap<String, LanguageFile> = toml::from_str(tables)?;
        let extra = serde_json::json!({});
        let site = SiteDefaults {
            title: "Legal",
            description: "",
            date_format: None,
            extra: &extra,
        };
        Languages::resolve(
            "en",
            None,
            tables,
            &site,
            (Path::new("/site"), Path::new("/site/content")),
        )
    }

    #[test]
    fn codes_are_checked_and_made_canonical() {
        assert_eq!(parse_code("pt-br", "x").unwrap(), "pt-BR");
        assert_eq!(parse_code("zh-hant", "x").unwrap(), "zh-Hant");
        assert_eq!(parse_code("de", "x").unwrap(), "de");
        let err = parse_code("gr", "[languages.gr]").unwrap_err().to_string();
        assert!(
            err.contains("`gr`") && err.contains("[languages.gr]"),
            "{err}"
        );
        assert!(parse_code("english", "x").is_err());
        assert!(parse_code("de_DE!", "x").is_err());
    }

    #[test]
    fn a_file_name_or_a_folder_says_the_language() {
        let site = languages(
            "[de]\ntitle = \"Rechtliches\"\n[fr]\ncontent_dir = \"content/fr\"\n[pt-BR]\n",
        )
        .unwrap();
        let at = |rel: &str| {
            let located = site.locate(rel);
            (site.list[located.language].code.clone(), located.rel)
        };
        assert_eq!(at("privacy.md"), ("en".into(), "privacy.md".into()));
        assert_eq!(at("privacy.de.md"), ("de".into(), "privacy.md".into()));
        assert_eq!(
            at("privacy/index.de.md"),
            ("de".into(), "privacy/index.md".into())
        );
        assert_eq!(at("fr/privacy.md"), ("fr".into(), "privacy.md".into()));
        assert_eq!(
            at("privacy.pt-br.md"),
            ("pt-BR".into(), "privacy.md".into())
        );
        // Not a language of the site: part of the name.
        assert_eq!(at("privacy.v2.md"), ("en".into(), "privacy.v2.md".into()));
        assert_eq!(at("frogs.md"), ("en".into(), "frogs.md".into()));
        assert_eq!(
            site.document_url("privacy.de.md", None).unwrap(),
            "/de/privacy/"
        );
        assert_eq!(
            site.document_url("fr/privacy.md", Some("confidentialité"))
                .unwrap(),
            "/fr/confidentialité/"
        );
        assert_eq!(site.document_url("privacy.md", None).unwrap(), "/privacy/");
        assert_eq!(
            site.document_url("privacy.pt-BR.md", None).unwrap(),
            "/pt-br/privacy/"
        );
        assert!(site.is_home("index.de.md") && site.is_home("fr/index.md"));
        assert!(!site.is_home("fr/legal/index.md"));
        assert_eq!(site.get("de").title, "Rechtliches");
        assert_eq!(site.get("fr").title, "");
    }

    #[test]
    fn right_to_left_by_language_or_script() {
        let rtl = |code: &str| is_right_to_left(&code.parse().unwrap());
        assert!(rtl("ar") && rtl("he") && rtl("fa") && rtl("ur"));
        assert!(!rtl("de") && !rtl("en") && !rtl("az-Latn"));
        assert!(rtl("az-Arab"));
    }

    #[test]
    fn bad_tables_are_errors_naming_the_language() {
        let err = languages("[xx]\n").unwrap_err().to_string();
        assert!(err.contains("`xx`"), "{err}");
        let err = languages("[de]\ncontent_dir = \"elsewhere/de\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("[languages.de] content_dir"), "{err}");
        let err = languages("[de]\nurl_prefix = \"Deutsch!\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("url_prefix"), "{err}");
        let err = languages("[de]\n[fr]\nurl_prefix = \"de\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("both publish under /de/"), "{err}");
        assert!(languages("[de]\ntitel = \"x\"\n").is_err());
    }
}
