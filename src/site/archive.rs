//! The archive of one document: every version's text read back from git, its
//! change against the version before, and the pages that keep them — a
//! permanent page per version, a redline per change, a redline from each
//! version to the newest ("what changed since this version"), the list of
//! versions and the document's Atom feed.

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Serialize;

use crate::cache::Store;
use crate::diff;
use crate::history::compared::Comparer;
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
    /// None: links in old versions are rebased but old files not kept.
    pub assets: Option<AssetsThen<'a>>,
    pub config: &'a Config,
    /// None: work out the versions and changes but render no pages.
    pub renderer: Option<&'a Renderer>,
    /// The context every page shares (site, navigation, generator).
    pub base: &'a tera::Context,
    pub document: &'a DocSummary,
    pub history: &'a DocHistory,
    /// Where redlines made by earlier builds are kept (None: made afresh).
    pub store: Option<&'a Store>,
}

impl ArchiveInput<'_> {
    fn comparer(&self) -> Comparer<'_> {
        Comparer {
            store: self.store,
            options: self.config.markdown_options(),
        }
    }
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
    let comparer = input.comparer();
    let (entries, warnings) =
        timeline::entries(&history.versions, texts, &days, config.today, &comparer);
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
    let mut files_then = Vec::new();
    for (index, version) in versions.iter().enumerate() {
        files.push(version_page(
            input,
            &versions,
            index,
            &texts[index],
            &mut files_then,
        )?);
        if let (Some(comparison), Some(previous)) =
            (&entries[index].comparison, versions.get(index + 1))
        {
            files.push(change_page(
                input,
                index,
                version,
                previous,
                &comparison.html,
            )?);
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
    files.extend(files_then);
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
    let content = match &input.assets {
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
    // The diffs in parallel; pages are rendered here, as `input` holds a
    // repository that is not shared between threads.
    let (comparer, sides) = (input.comparer(), &input.history.versions);
    let computed: Vec<Option<diff::Redline>> = (0..versions.len())
        .into_par_iter()
        .map(|index| match (index, &entries[0].comparison) {
            (0, _) | (1, Some(_)) => None,
            _ => Some(comparer.redline((&sides[index], &texts[index]), (&sides[0], &texts[0]))),
        })
        .collect();
    (0..versions.len())
        .map(|index| {
            let redline = match (index, &entries[0].comparison, &computed[index]) {
                (0, _, _) => None,
                (1, Some(comparison), _) => {
                    Some((comparison.html.as_str(), &comparison.sections[..]))
                }
                (_, _, Some(computed)) => Some((computed.html.as_str(), &computed.sections[..])),
                (_, _, None) => None,
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
