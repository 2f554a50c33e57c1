//! The archive of one document: every version's text read back from git, its
//! change against the version before, and the pages that keep them — a
//! permanent page per version, a redline per change, a redline from each
//! version to the newest ("what changed since this version"), the list of
//! versions and the document's Atom feed.
//!
//! Each page is handed on as soon as it is rendered ([`Emit`]) and dropped,
//! so an archive never holds its pages; the redlines of one document are
//! computed and rendered on every core.

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Serialize;

use crate::diff;
use crate::history::standing::Status;
use crate::history::timeline::{self, Notices, VersionText};
use crate::history::{DocHistory, Version};
use crate::render::Renderer;
use crate::render::pages::{self, DocSummary, VersionContext};
use crate::render::rebase;
use crate::site::feeds;
use crate::site::sitefiles;
use crate::source::config::Config;
use crate::source::content::title_stem;
use crate::source::frontmatter::{self, FrontMatter};
use crate::text::markdown::{self, MarkdownOptions};

/// What the archive of one document tells the rest of the site; its pages
/// went to the [`Emit`] it was built with.
#[derive(Debug, Clone, Default)]
pub struct DocArchive {
    /// Newest first.
    pub versions: Vec<VersionContext>,
    pub notices: Notices,
    /// The pages, output path (relative to the output root) and bytes, only
    /// when they were collected for the preview's cache.
    pub files: Vec<(String, Vec<u8>)>,
    pub warnings: Vec<String>,
}

/// Takes one rendered page (output path, bytes), from any thread.
pub type Emit<'a> = &'a (dyn Fn(String, Vec<u8>) -> Result<()> + Sync);

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
    let title = crate::source::frontmatter::resolve_title(&front, &rendered, stem);
    let blocks = diff::blocks_of_tree(&title, parsed.root, options);
    VersionText {
        title,
        rendered,
        blocks,
        effective: front.effective,
        notice: front.notice,
    }
}

/// Where an archived version finds the files its links name as they were
/// then: the repository, the content folder in it and the blob ids of the
/// site's files now (output path → id).
pub struct AssetsThen<'a> {
    pub repo: &'a Repository,
    /// The content folder, repository-relative, with a trailing `/` (or empty).
    pub prefix: &'a str,
    pub now: &'a std::collections::HashMap<String, Oid>,
}

/// The folder old files are kept in, by blob id: `_assets/<id>/<name>`.
pub const OLD_ASSETS: &str = "_assets/";

impl AssetsThen<'_> {
    /// Where the file at site path `path` is kept for a version of
    /// `commit`: where it is now if it has not changed since, else a copy
    /// of that commit's blob (added to `files`) under [`OLD_ASSETS`].
    fn place(&self, commit: &str, path: &str, files: &mut Vec<(String, Vec<u8>)>) -> String {
        let clean = path.split(['?', '#']).next().unwrap_or(path);
        let then = Oid::from_str(commit)
            .and_then(|c| self.repo.find_commit(c))
            .and_then(|c| c.tree())
            .and_then(|t| t.get_path(std::path::Path::new(&format!("{}{clean}", self.prefix))));
        let Ok(entry) = then else {
            return path.to_string();
        };
        if entry.kind() != Some(git2::ObjectType::Blob) || self.now.get(clean) == Some(&entry.id())
        {
            return path.to_string();
        }
        let Ok(blob) = self.repo.find_blob(entry.id()) else {
            return path.to_string();
        };
        let name = clean.rsplit('/').next().unwrap_or(clean);
        let kept = format!("{OLD_ASSETS}{}/{name}", entry.id());
        files.push((kept.clone(), blob.content().to_vec()));
        kept
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

/// Builds the archive of one document from its version texts (newest
/// first), handing each page to `emit` as it is rendered. `assets`: where
/// old versions find the files they linked to (None: links are rebased but
/// old files not kept).
pub fn build(
    input: &ArchiveInput<'_>,
    assets: Option<&AssetsThen<'_>>,
    texts: &[VersionText],
    emit: Emit<'_>,
) -> Result<DocArchive> {
    let ArchiveInput {
        config, history, ..
    } = *input;
    let days: Vec<_> = history
        .versions
        .iter()
        .map(|v| pages::version_date(v, config))
        .collect();
    let (entries, warnings) = timeline::entries(&history.versions, texts, &days, config.today);
    let mut versions: Vec<VersionContext> = history
        .versions
        .iter()
        .zip(&entries)
        .zip(texts)
        .map(|((version, entry), text)| {
            VersionContext::new(version, entry, &text.title, input.document, config)
        })
        .collect();
    pages::label_same_day(&mut versions);
    let notices = timeline::notices(&entries, config.today, config.notice_days);
    let archive = DocArchive {
        notices,
        versions,
        files: Vec::new(),
        warnings,
    };
    let Some(renderer) = input.renderer else {
        return Ok(archive);
    };
    let versions = &archive.versions;
    // Version pages one at a time: keeping old files reads the repository,
    // whose handle is not shared between threads.
    for (index, text) in texts.iter().enumerate() {
        let mut files_then = Vec::new();
        let (path, page) = version_page(input, assets, versions, index, text, &mut files_then)?;
        emit(path, page)?;
        for (path, bytes) in files_then {
            emit(path, bytes)?;
        }
    }
    (0..versions.len())
        .into_par_iter()
        .try_for_each(|index| -> Result<()> {
            if let (Some(comparison), Some(previous)) =
                (&entries[index].comparison, versions.get(index + 1))
            {
                let (path, page) =
                    change_page(input, index, &versions[index], previous, &comparison.html)?;
                emit(path, page)?;
            }
            Ok(())
        })?;
    compare_pages(input, versions, &entries, texts, emit)?;
    if !versions.is_empty() {
        let (path, page) = versions_page(input, versions)?;
        emit(path, page)?;
        let feed = feeds::document_feed(config, input.document, versions);
        let mut context = input.base.clone();
        context.insert("feed", &feed);
        let path = pages::feed_url(&format!("/{}", input.document.url));
        let xml = renderer
            .render("atom.xml", &context)
            .with_context(|| format!("cannot render {path}"))?;
        emit(path, xml.into_bytes())?;
    }
    Ok(archive)
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
    assets: Option<&AssetsThen<'_>>,
    versions: &[VersionContext],
    index: usize,
    text: &VersionText,
    files_then: &mut Vec<(String, Vec<u8>)>,
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
    let content = match assets {
        Some(assets) => rebase::rebase_with(
            &text.rendered.html,
            written_for(input, index),
            &pages::root_of(&version.url),
            |path| assets.place(&version.commit, path, files_then),
        ),
        None => rebased(input, index, &version.url, &text.rendered.html),
    };
    context.insert(
        "page",
        &ArchivedPage {
            title: &text.title,
            content: &content,
            toc: &text.rendered.toc,
        },
    );
    render(input, "version.html", &context, &version.url)
}

/// `html` of version `index` with its relative links resolved as on the
/// page it was published at, for a page at `rel_url`.
fn rebased(input: &ArchiveInput<'_>, index: usize, rel_url: &str, html: &str) -> String {
    rebase::rebase(html, written_for(input, index), &pages::root_of(rel_url))
}

/// The URL of the page version `index` was published on.
fn written_for<'a>(input: &'a ArchiveInput<'_>, index: usize) -> &'a str {
    input
        .history
        .versions
        .get(index)
        .map(|v| v.url.as_str())
        .filter(|url| !url.is_empty())
        .unwrap_or(&input.document.url)
}

fn change_page(
    input: &ArchiveInput<'_>,
    index: usize,
    version: &VersionContext,
    previous: &VersionContext,
    redline: &str,
) -> Result<(String, Vec<u8>)> {
    let mut context = page_context(input, &version.diff_url);
    context.insert("version", version);
    context.insert("previous", previous);
    let redline = rebased(input, index, &version.diff_url, redline);
    context.insert("redline", &redline);
    render(input, "change.html", &context, &version.diff_url)
}

/// "What changed since this version": the redline from every version to
/// the newest, at `<doc>/compare/<slug>/`. The newest version's page says
/// there is nothing to compare; the one before reuses the newest change's
/// redline; the others are diffed (without the classifier), rendered and
/// handed on one per task on every core, so no two are held at once.
fn compare_pages(
    input: &ArchiveInput<'_>,
    versions: &[VersionContext],
    entries: &[timeline::Entry],
    texts: &[VersionText],
    emit: Emit<'_>,
) -> Result<()> {
    let Some(newest) = versions.first() else {
        return Ok(());
    };
    (0..versions.len())
        .into_par_iter()
        .try_for_each(|index| -> Result<()> {
            let computed = match (index, &entries[0].comparison) {
                (0, _) | (1, Some(_)) => None,
                _ => Some(diff::redline(&texts[index].blocks, &texts[0].blocks)),
            };
            let redline = match (index, &entries[0].comparison, &computed) {
                (0, _, _) => None,
                (1, Some(comparison), _) => {
                    Some((comparison.html.as_str(), &comparison.sections[..]))
                }
                (_, _, Some(computed)) => Some((computed.html.as_str(), &computed.sections[..])),
                (_, _, None) => None,
            };
            let (path, page) = compare_page(input, &versions[index], newest, redline)?;
            emit(path, page)
        })
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
