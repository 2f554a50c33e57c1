//! Which document translates which: a translation is matched to the
//! default-language document at the same path (`privacy.de.md`,
//! `de/privacy.md` → `privacy.md`), or to the one its front matter's
//! `translation_of` names when the paths differ. Pure: documents in, links out.

use std::collections::HashMap;

use anyhow::{Result, bail};

use crate::source::document::Document;
use crate::source::languages::Languages;

/// The links between documents, by index into the documents given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translations {
    /// For each document: the document it translates, if any.
    pub source: Vec<Option<usize>>,
    /// For each document: every document of its family (the source, then its
    /// translations in the order of the site's languages), itself included;
    /// empty for a document no other translates or is translated by.
    pub family: Vec<Vec<usize>>,
}

impl Translations {
    /// The documents that translate document `index` (itself excluded).
    pub fn of(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        self.family
            .get(index)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&other| other != index)
    }
}

/// Matches every translation in `documents` to its source.
pub fn link(documents: &[Document], languages: &Languages) -> Result<Translations> {
    let default = &languages.default_language().code;
    let by_key: HashMap<&str, usize> = documents
        .iter()
        .enumerate()
        .filter(|(_, d)| d.language == *default)
        .map(|(i, d)| (d.translation_key.as_str(), i))
        .collect();
    let mut source = vec![None; documents.len()];
    for (index, document) in documents.iter().enumerate() {
        if document.language == *default {
            continue;
        }
        source[index] = match &document.front.translation_of {
            Some(named) => Some(named_source(documents, default, named).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: translation_of `{named}` names no document in the default language ({default}); write the source's path under the content folder (`privacy.md`) or its URL (`/privacy/`)",
                    document.display_path
                )
            })?),
            None => by_key.get(document.translation_key.as_str()).copied(),
        };
    }
    let mut family = vec![Vec::new(); documents.len()];
    for (index, document) in documents.iter().enumerate() {
        let translations: Vec<usize> = (0..documents.len())
            .filter(|&other| source[other] == Some(index))
            .collect();
        if document.language != *default || translations.is_empty() {
            continue;
        }
        let mut members = vec![index];
        for language in &languages.list[1..] {
            let mut same: Vec<usize> = translations
                .iter()
                .copied()
                .filter(|&t| documents[t].language == language.code)
                .collect();
            if same.len() > 1 {
                let paths: Vec<&str> = same
                    .iter()
                    .map(|&t| documents[t].display_path.as_str())
                    .collect();
                bail!(
                    "{} are all {} translations of {}; keep one, or point the others elsewhere with `translation_of`",
                    paths.join(" and "),
                    language.code,
                    document.display_path
                );
            }
            members.append(&mut same);
        }
        for &member in &members {
            family[member] = members.clone();
        }
    }
    Ok(Translations { source, family })
}

/// The default-language document `translation_of` names, by its path
/// (under the content folder or the root) or by its URL.
fn named_source(documents: &[Document], default: &str, named: &str) -> Option<usize> {
    let url = format!("/{}/", named.trim_matches('/'));
    let path = named.trim_start_matches("./");
    documents.iter().position(|d| {
        d.language == default
            && (d.url == url
                || d.display_path == path
                || d.display_path.ends_with(&format!("/{path}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn languages() -> Languages {
        let tables = toml::from_str("[de]\n[fr]\n").expect("tables");
        let extra = serde_json::json!({});
        Languages::resolve(
            "en",
            None,
            tables,
            &crate::source::languages::SiteDefaults {
                title: "",
                description: "",
                date_format: None,
                extra: &extra,
            },
            (Path::new("/s"), Path::new("/s/content")),
        )
        .expect("languages")
    }

    fn document(path: &str, language: &str, key: &str, translation_of: Option<&str>) -> Document {
        Document {
            path: path.into(),
            display_path: format!("content/{path}.md"),
            url: format!("/{path}/"),
            language: language.into(),
            translation_key: key.into(),
            front: crate::source::frontmatter::FrontMatter {
                translation_of: translation_of.map(String::from),
                ..Default::default()
            },
            body: String::new(),
            body_line: 1,
        }
    }

    #[test]
    fn translations_join_their_source_by_path_or_by_name() {
        let documents = [
            document("privacy", "en", "/privacy/", None),
            document("terms", "en", "/terms/", None),
            document("de/privacy", "de", "/privacy/", None),
            document(
                "fr/confidentialite",
                "fr",
                "/confidentialite/",
                Some("/privacy/"),
            ),
            document("de/only", "de", "/only/", None),
        ];
        let links = link(&documents, &languages()).expect("links");
        assert_eq!(links.source, [None, None, Some(0), Some(0), None]);
        assert_eq!(links.family[0], [0, 2, 3]);
        assert_eq!(links.family[3], [0, 2, 3]);
        assert!(links.family[1].is_empty() && links.family[4].is_empty());
        assert_eq!(links.of(2).collect::<Vec<_>>(), [0, 3]);
    }

    #[test]
    fn a_missing_or_doubled_source_is_an_error_naming_the_files() {
        let documents = [
            document("privacy", "en", "/privacy/", None),
            document("de/x", "de", "/x/", Some("nothing.md")),
        ];
        let err = link(&documents, &languages()).unwrap_err().to_string();
        assert!(
            err.starts_with("content/de/x.md: translation_of `nothing.md` names no document"),
            "{err}"
        );
        let documents = [
            document("privacy", "en", "/privacy/", None),
            document("de/privacy", "de", "/privacy/", None),
            document("de/datenschutz", "de", "/datenschutz/", Some("privacy.md")),
        ];
        let err = link(&documents, &languages()).unwrap_err().to_string();
        assert!(
            err.contains("content/de/privacy.md and content/de/datenschutz.md are all de translations of content/privacy.md"),
            "{err}"
        );
    }
}
