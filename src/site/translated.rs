//! A multilingual site's links between pages: each page's translations
//! (for `hreflang` links, the language switcher and the sitemap), each
//! translation's standing against its source once both archives are
//! built, and the context a language's pages share (`lang`, `dir`, its
//! title and its documents in the header).

use anyhow::{Result, bail};

use crate::history::changes::ChangeClass;
use crate::history::freshness::{self, Point};
use crate::render::i18n::Strings;
use crate::render::pages::{Alternate, DocSummary, Page, TranslationStatus};
use crate::site::sitefiles::SitemapEntry;
use crate::source::config::Config;
use crate::source::content::Content;
use crate::source::dates;

/// Sets every current document's `alternates` and `translation_of`.
pub fn link(content: &Content, pages: &mut [Page<'_>], strings: Option<&Strings>) {
    let translations = &content.translations;
    let count = content.documents.len().min(pages.len());
    for index in 0..count {
        let family = &translations.family[index];
        let alternates: Vec<Alternate> = family
            .iter()
            .map(|&member| {
                let doc = pages[member].doc;
                Alternate {
                    language: doc.language.clone(),
                    name: strings.map_or(doc.language.clone(), |s| {
                        s.language_name(&doc.language).to_string()
                    }),
                    url: pages[member].rel_url().to_string(),
                    current: member == index,
                    source: translations.source[member].is_none(),
                }
            })
            .collect();
        pages[index].alternates = alternates;
        pages[index].translation_of = translations.source[index].map(|s| pages[s].doc.url.clone());
    }
}

/// Judges every translation against its source, from both documents'
/// versions (so after the archives are built).
pub fn judge(
    config: &Config,
    content: &Content,
    pages: &mut [Page<'_>],
    strings: Option<&Strings>,
) -> Result<()> {
    let count = content.documents.len().min(pages.len());
    for index in 0..count {
        let Some(source) = content.translations.source[index] else {
            continue;
        };
        let points = |page: &Page<'_>| -> Vec<Facts> {
            page.versions
                .iter()
                .map(|v| {
                    let day = dates::zoned(v.seconds, 0, config.timezone.as_ref()).date();
                    let day = v.date_iso.parse().unwrap_or(day);
                    (
                        v.commit.clone(),
                        v.seconds,
                        day,
                        matches!(v.change, ChangeClass::Material | ChangeClass::Initial),
                    )
                })
                .collect()
        };
        let source_points = points(&pages[source]);
        let translation_points = points(&pages[index]);
        let source_versions: Vec<Point<'_>> = source_points.iter().map(as_point).collect();
        let newest = translation_points.first().map(as_point);
        let pin = pages[index].doc.front.translation_of_version.as_ref();
        let verdict = match freshness::judge(
            &source_versions,
            newest.as_ref(),
            pin.map(|p| p.value.as_str()),
        ) {
            Ok(verdict) => verdict,
            Err(why) => {
                let line = pin.map_or(1, |p| p.line);
                bail!(
                    "{}:{line}: translation_of_version: {why}",
                    pages[index].doc.display_path
                );
            }
        };
        let language = &pages[index].doc.language;
        let source_page = &pages[source];
        let changed = verdict.changed.and_then(|at| source_page.versions.get(at));
        let changed_day = changed.map(|v| {
            let day = v.date_iso.parse().unwrap_or(config.today);
            dates::day(day, config.date_format(language))
        });
        let source_language = source_page.doc.language.clone();
        let status = TranslationStatus {
            outdated: verdict.outdated,
            source_language_name: strings.map_or(source_language.clone(), |s| {
                s.language_name(&source_language).to_string()
            }),
            source_language,
            source_url: source_page.rel_url().to_string(),
            changed: changed_day
                .as_ref()
                .map(|d| d.human.clone())
                .unwrap_or_default(),
            changed_iso: changed_day.map(|d| d.iso).unwrap_or_default(),
            changed_url: changed.map(|v| v.url.clone()).unwrap_or_default(),
            compare_url: verdict
                .translated
                .filter(|&at| at > 0)
                .and_then(|at| source_page.versions.get(at))
                .map(|v| v.compare_url.clone())
                .unwrap_or_default(),
            translated_commit: verdict
                .translated
                .and_then(|at| source_page.versions.get(at))
                .map(|v| v.commit.clone()),
        };
        pages[index].translation = Some(status);
    }
    Ok(())
}

type Facts = (String, i64, jiff::civil::Date, bool);

fn as_point((commit, seconds, day, material): &Facts) -> Point<'_> {
    Point {
        commit,
        seconds: *seconds,
        day: *day,
        material: *material,
    }
}

/// The context a language's pages share: the base with `lang`, `dir`, the
/// language's site title and description, and its documents in the header.
pub fn language_base(
    config: &Config,
    base: &tera::Context,
    code: &str,
    navigation: &[DocSummary],
) -> tera::Context {
    let language = config.languages.get(code);
    let mut context = base.clone();
    context.insert("lang", &language.code);
    context.insert("dir", language.dir());
    context.insert("language_root", language.url_prefix.trim_start_matches('/'));
    if config.languages.multilingual() {
        let site = serde_json::json!({
            "title": language.title,
            "description": language.description,
            "base_url": config.base_url.as_deref().unwrap_or(""),
            "language": language.code,
            "extra": language.extra,
        });
        context.insert("site", &site);
        if !language.description.is_empty() {
            context.insert("description", &language.description);
        }
        if navigation.len() <= config.nav_limit {
            let mine: Vec<&DocSummary> = navigation.iter().filter(|d| d.language == code).collect();
            context.insert("navigation", &mine);
        }
    }
    context
}

/// The sitemap's `xhtml:link` alternates of a page: every language it is
/// published in, and `x-default` for its source.
pub fn sitemap_alternates(page: &Page<'_>) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = page
        .alternates
        .iter()
        .map(|a| (a.language.clone(), format!("/{}", a.url)))
        .collect();
    if let Some(source) = page.alternates.iter().find(|a| a.source) {
        links.push(("x-default".into(), format!("/{}", source.url)));
    }
    links
}

/// A language's home page entry for the sitemap.
pub fn home_entry(prefix: &str, pages: &[Page<'_>], code: &str) -> SitemapEntry {
    SitemapEntry {
        path: prefix.to_string(),
        lastmod: pages
            .iter()
            .filter(|p| p.doc.language == code)
            .filter_map(|p| p.last_updated.as_ref().map(|d| d.iso.clone()))
            .max(),
        alternates: Vec::new(),
    }
}
