//! The archive of one document: every version's text read back from git, its
//! change against the version before, and the pages that keep them — a
//! permanent page per version, a redline per change, a redline from each
//! version to the newest ("what changed since this version"), the list of
//! versions and the document's Atom feed.

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::content::title_stem;
use crate::diff;
use crate::feeds;
use crate::frontmatter::{self, FrontMatter};
use crate::history::{DocHistory, Version};
use crate::markdown::{self, MarkdownOptions};
use crate::pages::{self, DocSummary, VersionContext};
use crate::render::Renderer;
use crate::sitefiles;
use crate::standing::Status;
use crate::timeline::{self, Notices, VersionText};

/// What the archive of one document adds to the site.
#[derive(Debug, Clone, Default)]
pub struct DocArchive {
    /// Newest first.
    pub versions: Vec<VersionContext>,
    pub notices: Notices,
    /// Output path (relative to the output root) and bytes.
    pub files: Vec<(String, Vec<u8>)>,
    pub warnings: Vec<String>,
}

/// Reads each version's text (newest first) from its blob.
pub fn read_texts(
    repo: &Repository,
    versions: &[Version],
    options: MarkdownOptions,
) -> Result<Vec<VersionText>> {
    versions
        .iter()
        .map(|version| {
            let blob = Oid::from_str(&version.blob)
                .and_then(|oid| repo.find_blob(oid))
                .with_context(|| {
                    format!(
                        "cannot read {} as of commit {}",
                        version.path, version.commit
                    )
                })?;
            Ok(version_text(
                blob.content(),
                &title_stem(&version.path),
                options,
            ))
        })
        .collect()
}

/// A version's text as a reader saw it. A file that was not valid front
/// matter and Markdown back then is shown as it was, as plain Markdown.
pub fn version_text(bytes: &[u8], stem: &str, options: MarkdownOptions) -> VersionText {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (front, body) = match frontmatter::split(text) {
        Ok(split) => (split.front, split.body),
        Err(_) => (FrontMatter::default(), text),
    };
    let arena = comrak::Arena::new();
    let parsed = markdown::parse(&arena, body, options);
    let rendered = markdown::render_tree(&parsed, options);
    let title = pages::resolve_title(&front, &rendered, stem);
    let blocks = diff::blocks_of_tree(&title, parsed.root, options);
    VersionText {
        title,
        rendered,
        blocks,
        effective: front.effective,
        notice: front.notice,
    }
}

/// Everything about one document's past, with its pages rendered.
pub struct ArchiveInput<'a> {
    pub config: &'a Config,
    /// None: work out the versions and changes but render no pages.
    pub renderer: Option<&'a Renderer>,
    /// The context every page shares (site, navigation, generator).
    pub base: &'a tera::Context,
    pub document: &'a DocSummary,
    pub history: &'a DocHistory,
}

/// Builds the archive of one document from its version texts (newest first).
pub fn build(input: &ArchiveInput<'_>, texts: &[VersionText]) -> Result<DocArchive> {
    let ArchiveInput {
        config, history, ..
    } = *input;
    let days: Vec<_> = history
        .versions
        .iter()
        .map(|v| pages::version_date(v, config))
        .collect();
    let (entries, warnings) = timeline::entries(&history.versions, texts, &days, config.today);
    let doc_url = format!("/{}", input.document.url);
    let mut versions: Vec<VersionContext> = history
        .versions
        .iter()
        .zip(&entries)
        .zip(texts)
        .map(|((version, entry), text)| {
            VersionContext::new(version, entry, &text.title, &doc_url, config)
        })
        .collect();
    pages::label_same_day(&mut versions);
    let notices = timeline::notices(&entries, config.today, config.notice_days);
    let Some(renderer) = input.renderer else {
        return Ok(DocArchive {
            notices,
            versions,
            files: Vec::new(),
            warnings,
        });
    };
    let mut files = Vec::new();
    for (index, version) in versions.iter().enumerate() {
        files.push(version_page(input, &versions, index, &texts[index])?);
        if let (Some(comparison), Some(previous)) =
            (&entries[index].comparison, versions.get(index + 1))
        {
            files.push(change_page(input, version, previous, &comparison.html)?);
        }
    }
    files.extend(compare_pages(input, &versions, &entries, texts)?);
    if !versions.is_empty() {
        files.push(versions_page(input, &versions)?);
        let feed = feeds::document_feed(config, input.document, &versions);
        let mut context = input.base.clone();
        context.insert("feed", &feed);
        let path = pages::feed_url(&doc_url);
        let xml = renderer
            .render("atom.xml", &context)
            .with_context(|| format!("cannot render {path}"))?;
        files.push((path, xml.into_bytes()));
    }
    Ok(DocArchive {
        notices,
        versions,
        files,
        warnings,
    })
}

/// The context every archive page starts from, for a page at `rel_url`.
fn page_context(input: &ArchiveInput<'_>, rel_url: &str) -> tera::Context {
    let mut context = input.base.clone();
    context.insert("root", &pages::root_of(rel_url));
    context.insert(
        "canonical",
        &input
            .config
            .base_url
            .as_deref()
            .map(|base| sitefiles::absolute(Some(base), &format!("/{rel_url}")))
            .unwrap_or_default(),
    );
    context.insert("current_url", &input.document.url);
    context.insert("document", input.document);
    context
}

#[derive(Serialize)]
struct ArchivedPage<'a> {
    title: &'a str,
    content: &'a str,
    toc: &'a [markdown::TocEntry],
}

fn version_page(
    input: &ArchiveInput<'_>,
    versions: &[VersionContext],
    index: usize,
    text: &VersionText,
) -> Result<(String, Vec<u8>)> {
    let version = &versions[index];
    let mut context = page_context(input, &version.url);
    context.insert("version", version);
    context.insert("current", &versions[0]);
    context.insert("is_current", &(index == 0));
    context.insert("previous", &versions.get(index + 1));
    context.insert("next", &index.checked_sub(1).and_then(|i| versions.get(i)));
    // The version that takes over from this one: a newer one replaced before
    // its own date never does.
    context.insert(
        "successor",
        &versions[..index]
            .iter()
            .rev()
            .find(|v| v.status != Status::Superseded),
    );
    context.insert(
        "in_force",
        &versions.iter().find(|v| v.status == Status::InForce),
    );
    context.insert(
        "page",
        &ArchivedPage {
            title: &text.title,
            content: &text.rendered.html,
            toc: &text.rendered.toc,
        },
    );
    render(input, "version.html", &context, &version.url)
}

fn change_page(
    input: &ArchiveInput<'_>,
    version: &VersionContext,
    previous: &VersionContext,
    redline: &str,
) -> Result<(String, Vec<u8>)> {
    let mut context = page_context(input, &version.diff_url);
    context.insert("version", version);
    context.insert("previous", previous);
    context.insert("redline", redline);
    render(input, "change.html", &context, &version.diff_url)
}

/// "What changed since this version": the redline from every version to
/// the newest, at `<doc>/compare/<slug>/`. The newest version's page says
/// there is nothing to compare; the one before reuses the newest change's
/// redline; the others are diffed in parallel, without the classifier.
fn compare_pages(
    input: &ArchiveInput<'_>,
    versions: &[VersionContext],
    entries: &[timeline::Entry],
    texts: &[VersionText],
) -> Result<Vec<(String, Vec<u8>)>> {
    let Some(newest) = versions.first() else {
        return Ok(Vec::new());
    };
    (0..versions.len())
        .into_par_iter()
        .map(|index| {
            let computed;
            let redline = match (index, &entries[0].comparison) {
                (0, _) => None,
                (1, Some(comparison)) => Some((comparison.html.as_str(), &comparison.sections[..])),
                _ => {
                    computed = diff::redline(&texts[index].blocks, &texts[0].blocks);
                    Some((computed.html.as_str(), &computed.sections[..]))
                }
            };
            compare_page(input, &versions[index], newest, redline)
        })
        .collect()
}

fn compare_page(
    input: &ArchiveInput<'_>,
    version: &VersionContext,
    newest: &VersionContext,
    redline: Option<(&str, &[diff::SectionChange])>,
) -> Result<(String, Vec<u8>)> {
    let mut context = page_context(input, &version.compare_url);
    context.insert("version", version);
    context.insert("newest", newest);
    if let Some((html, sections)) = redline {
        context.insert("redline", html);
        context.insert("sections", sections);
        context.insert("summary", &diff::describe(sections));
    }
    render(input, "compare.html", &context, &version.compare_url)
}

/// The redline of the working tree (`current`, the document's blocks now)
/// against the newest committed version: `<doc>/changes/draft/`, which only
/// the preview server makes.
pub fn draft_page(
    input: &ArchiveInput<'_>,
    newest: &VersionContext,
    newest_text: &VersionText,
    current: &[diff::Block],
) -> Result<(String, Vec<u8>)> {
    let comparison = diff::compare(&newest_text.blocks, current);
    let url = pages::draft_url(&input.document.url);
    let mut context = page_context(input, &url);
    context.insert("previous", newest);
    context.insert("redline", &comparison.html);
    context.insert("sections", &comparison.sections);
    context.insert("summary", &diff::describe(&comparison.sections));
    context.insert("words_added", &comparison.words_added);
    context.insert("words_removed", &comparison.words_removed);
    render(input, "draft.html", &context, &url)
}

fn versions_page(
    input: &ArchiveInput<'_>,
    versions: &[VersionContext],
) -> Result<(String, Vec<u8>)> {
    let url = pages::versions_index_url(&input.document.url);
    let mut context = page_context(input, &url);
    context.insert("versions", versions);
    render(input, "versions.html", &context, &url)
}

fn render(
    input: &ArchiveInput<'_>,
    template: &str,
    context: &tera::Context,
    url: &str,
) -> Result<(String, Vec<u8>)> {
    let renderer = input
        .renderer
        .context("the archive's pages need templates")?;
    let html = renderer
        .render(template, context)
        .with_context(|| format!("cannot render /{url}"))?;
    Ok((format!("{url}index.html"), html.into_bytes()))
}
