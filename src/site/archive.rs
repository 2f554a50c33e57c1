//! The archive of one document: every version's text read back from git, its
//! change against the version before, and the pages that keep them — a
//! permanent page per version, a redline per change, a redline from each
//! version to the newest ("what changed since this version"), the list of
//! versions and the document's Atom feed.
//!
//! Two passes, so memory does not grow with the length of history: the
//! first reads the versions a few consecutive ones at a time and keeps each
//! change against the one before; the second renders each version's pages
//! and hands them on ([`Emit`]) at once. Both run on every core, and an
//! archive holds no page. A document whose texts fit the config's
//! `archive_text_budget` keeps them between the passes, so each is parsed
//! once; a longer one keeps only outlines (title, dates, blocks; no HTML)
//! a run at a time, and reads each version again for its pages. With the
//! build's cache, texts come from it ([`Texts`]): a rebuild parses only the
//! blobs a new commit brought, and the second pass takes a long document's
//! HTML from the entries the first pass stored as it parsed.

use std::borrow::Cow;
use std::path::Path;

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Serialize;

use crate::cache::Store;
use crate::diff::{self, SummaryWords};
use crate::history::compared::Comparer;
use crate::history::standing::Status;
use crate::history::texts::{Outline, Texts, read_blob};
use crate::history::timeline::{self, Announced, Notices, VersionText};
use crate::history::{DocHistory, Version};
use crate::render::Renderer;
use crate::render::pages::{self, DocSummary, VersionContext};
use crate::render::rebase;
use crate::site::feeds;
use crate::site::sitefiles;
use crate::source::config::Config;
use crate::source::content::title_stem;
use crate::text::markdown::{self, MarkdownOptions, Rendered};

pub use crate::history::texts::version_text;

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

/// The templates an archive's pages are rendered with.
pub const ARCHIVE_TEMPLATES: &[&str] = &[
    "version.html",
    "versions.html",
    "change.html",
    "compare.html",
    "atom.xml",
];

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
            let blob = read_blob(repo, version)?;
            Ok(version_text(
                blob.content(),
                &title_stem(&version.path),
                options,
            ))
        })
        .collect()
}

/// A version as the first pass reads it: whole, when the document's texts
/// are kept for the second pass, else its outline.
enum Read {
    Whole(VersionText),
    Outline(Outline),
}

impl Read {
    fn blocks(&self) -> &[diff::Block] {
        match self {
            Read::Whole(text) => &text.blocks,
            Read::Outline(outline) => &outline.blocks,
        }
    }

    fn title(&self) -> &str {
        match self {
            Read::Whole(text) => &text.title,
            Read::Outline(outline) => &outline.title,
        }
    }

    fn announced(&self) -> Announced {
        match self {
            Read::Whole(text) => text.announced(),
            Read::Outline(outline) => outline.announced.clone(),
        }
    }
}

/// Where an archived version finds the files its links name as they were
/// then: the content folder in the repository and the blob ids of the
/// site's files now (output path → id).
pub struct AssetsThen<'a> {
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
    fn place(
        &self,
        repo: &Repository,
        commit: &str,
        path: &str,
        files: &mut Vec<(String, Vec<u8>)>,
    ) -> String {
        let clean = path.split(['?', '#']).next().unwrap_or(path);
        let then = Oid::from_str(commit)
            .and_then(|c| repo.find_commit(c))
            .and_then(|c| c.tree())
            .and_then(|t| t.get_path(std::path::Path::new(&format!("{}{clean}", self.prefix))));
        let Ok(entry) = then else {
            return path.to_string();
        };
        if entry.kind() != Some(git2::ObjectType::Blob) || self.now.get(clean) == Some(&entry.id())
        {
            return path.to_string();
        }
        let Ok(blob) = repo.find_blob(entry.id()) else {
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
    /// The git folder the versions are read from, opened once per thread.
    pub git_dir: &'a Path,
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
    pub fn comparer(&self) -> Comparer<'_> {
        Comparer {
            store: self.store,
            options: self.config.markdown_options(),
        }
    }

    /// The words summaries are generated in: the document's language's
    /// (English without a renderer; notify words them again for the reader).
    fn wording(&self) -> SummaryWords {
        self.renderer
            .map_or_else(SummaryWords::english, |renderer| {
                renderer.strings().summary_words(&self.document.language)
            })
    }

    pub fn texts(&self) -> Texts<'_> {
        Texts {
            store: self.store,
            options: self.config.markdown_options(),
            pages: self.renderer.is_some(),
        }
    }
}

/// Builds the archive of one document, handing each page to `emit` as it
/// is rendered. `assets`: where old versions find the files they linked to
/// (None: links are rebased but old files not kept).
pub fn build(
    input: &ArchiveInput<'_>,
    assets: Option<&AssetsThen<'_>>,
    emit: Emit<'_>,
) -> Result<DocArchive> {
    let ArchiveInput {
        config, history, ..
    } = *input;
    // Texts are kept between the passes only for the pages.
    let keep_texts = input.renderer.is_some()
        && texts_size(input.git_dir, &history.versions)? < config.archive_text_budget;
    let comparer = input.comparer();
    let texts = input.texts();
    let reading = Reading {
        git_dir: input.git_dir,
        versions: &history.versions,
        texts: &texts,
        comparer: &comparer,
    };
    let changes = changes(&reading, keep_texts)?;
    let days: Vec<_> = history
        .versions
        .iter()
        .map(|v| pages::version_date(v, config))
        .collect();
    // Made once: every change and compare page of the document is worded alike.
    let wording = input.wording();
    let (entries, warnings) = timeline::entries_of(
        &history.versions,
        &changes.announced,
        changes.comparisons,
        &days,
        config.today,
        &wording,
    );
    let mut versions: Vec<VersionContext> = history
        .versions
        .iter()
        .zip(&entries)
        .zip(&changes.titles)
        .map(|((version, entry), title)| {
            VersionContext::new(version, entry, title, input.document, config)
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
    let pass = PagePass {
        input,
        assets,
        versions,
        entries: &entries,
        newest_blocks: &changes.newest_blocks,
        texts: &changes.texts,
        reader: &texts,
        comparer: &comparer,
        wording: &wording,
        emit,
    };
    (0..versions.len())
        .into_par_iter()
        .map_init(
            || Repository::open(input.git_dir),
            |repo, index| {
                let repo = repo.as_ref().map_err(|err| {
                    anyhow::anyhow!(
                        "cannot open the repository {}: {err}",
                        input.git_dir.display()
                    )
                })?;
                pass.version_pages(repo, index)
            },
        )
        .collect::<Result<()>>()?;
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

/// What the first pass learns of a document's versions (newest first).
struct Changes {
    titles: Vec<String>,
    announced: Vec<Announced>,
    /// Each version against the one before it (None for the oldest).
    comparisons: Vec<Option<diff::Comparison>>,
    /// The newest version's blocks, which every "compare" page is diffed to.
    newest_blocks: Vec<diff::Block>,
    /// Every version's text when they are kept for the second pass, else
    /// none.
    texts: Vec<Option<VersionText>>,
}

/// The bytes of every version's text, as stored.
fn texts_size(git_dir: &Path, versions: &[Version]) -> Result<u64> {
    let repo = Repository::open(git_dir)
        .with_context(|| format!("cannot open the repository {}", git_dir.display()))?;
    let odb = repo.odb()?;
    let mut total = 0u64;
    for version in versions {
        let size = Oid::from_str(&version.blob)
            .and_then(|oid| odb.read_header(oid))
            .map_or(0, |(size, _)| size as u64);
        total = total.saturating_add(size);
    }
    Ok(total)
}

/// What the first pass reads a document's versions with.
struct Reading<'a> {
    git_dir: &'a Path,
    /// Newest first.
    versions: &'a [Version],
    texts: &'a Texts<'a>,
    comparer: &'a Comparer<'a>,
}

/// Versions per task of the first pass: each task reads one version more
/// than it compares (the older neighbour of its oldest), so longer runs
/// waste less, shorter ones spread a short history over more cores.
const RUN: usize = 16;

/// The first pass: every version read in runs of consecutive versions on
/// every core, each compared with the one before it. Outlines are dropped
/// as soon as their comparisons are made; whole texts (`keep_texts`) are
/// kept for the second pass.
fn changes(reading: &Reading<'_>, keep_texts: bool) -> Result<Changes> {
    let Reading {
        git_dir,
        versions,
        texts,
        comparer,
    } = *reading;
    let runs: Vec<std::ops::Range<usize>> = (0..versions.len())
        .step_by(RUN)
        .map(|start| start..(start + RUN).min(versions.len()))
        .collect();
    let compared: Vec<(Vec<Compared>, Option<Vec<diff::Block>>)> = runs
        .into_par_iter()
        .map_init(
            || Repository::open(git_dir),
            |repo, run| -> Result<_> {
                let repo = repo.as_ref().map_err(|err| {
                    anyhow::anyhow!("cannot open the repository {}: {err}", git_dir.display())
                })?;
                let read = |index: usize, whole: bool| -> Result<Read> {
                    let version = &versions[index];
                    Ok(if whole {
                        Read::Whole(texts.whole(repo, version)?)
                    } else {
                        Read::Outline(texts.outline(repo, version)?)
                    })
                };
                // Oldest first, so each version is read once and, unless
                // kept, held only until the next newer one is compared
                // with it. The older neighbour of the run's oldest belongs
                // to the next run, which keeps it if texts are kept.
                let mut older = match versions.get(run.end) {
                    Some(_) => Some(read(run.end, false)?),
                    None => None,
                };
                let mut out: Vec<Compared> = Vec::with_capacity(run.len());
                let starts_at_newest = run.start == 0;
                for index in run.rev() {
                    let text = read(index, keep_texts)?;
                    let comparison = older.as_ref().map(|old| {
                        comparer.compare(
                            (&versions[index + 1], old.blocks()),
                            (&versions[index], text.blocks()),
                        )
                    });
                    if let (Some(Read::Whole(old)), Some(last)) = (older.take(), out.last_mut()) {
                        last.text = Some(old);
                    }
                    out.push(Compared {
                        title: text.title().to_string(),
                        announced: text.announced(),
                        comparison,
                        text: None,
                    });
                    older = Some(text);
                }
                // `older` is now the run's newest version.
                let newest_blocks = starts_at_newest
                    .then(|| older.as_ref().map(|o| o.blocks().to_vec()))
                    .flatten();
                if let (Some(Read::Whole(newest)), Some(last)) = (older, out.last_mut()) {
                    last.text = Some(newest);
                }
                out.reverse();
                Ok((out, newest_blocks))
            },
        )
        .collect::<Result<_>>()?;
    let mut changes = Changes {
        titles: Vec::with_capacity(versions.len()),
        announced: Vec::with_capacity(versions.len()),
        comparisons: Vec::with_capacity(versions.len()),
        newest_blocks: Vec::new(),
        texts: Vec::with_capacity(versions.len()),
    };
    for (index, (run, newest_blocks)) in compared.into_iter().enumerate() {
        if index == 0 {
            changes.newest_blocks = newest_blocks.unwrap_or_default();
        }
        for compared in run {
            changes.titles.push(compared.title);
            changes.announced.push(compared.announced);
            changes.comparisons.push(compared.comparison);
            changes.texts.push(compared.text);
        }
    }
    Ok(changes)
}

/// One version after the first pass.
struct Compared {
    title: String,
    announced: Announced,
    /// Against the version before it; None for the oldest.
    comparison: Option<diff::Comparison>,
    /// Its whole text, when texts are kept.
    text: Option<VersionText>,
}

/// The second pass: each version read again and its pages rendered.
struct PagePass<'a> {
    input: &'a ArchiveInput<'a>,
    assets: Option<&'a AssetsThen<'a>>,
    versions: &'a [VersionContext],
    entries: &'a [timeline::Entry],
    newest_blocks: &'a [diff::Block],
    texts: &'a [Option<VersionText>],
    /// Reads again the texts not kept.
    reader: &'a Texts<'a>,
    comparer: &'a Comparer<'a>,
    /// The document's language's words, for the compare pages' summaries.
    wording: &'a SummaryWords,
    emit: Emit<'a>,
}

impl PagePass<'_> {
    /// Version `index`'s page, its change from the one before, and its
    /// comparison with the newest, each handed on as soon as it is made.
    fn version_pages(&self, repo: &Repository, index: usize) -> Result<()> {
        let (input, versions, emit) = (self.input, self.versions, self.emit);
        let version = &input.history.versions[index];
        let (rendered, blocks) = match self.texts.get(index) {
            Some(Some(text)) => (
                Cow::Borrowed(&text.rendered),
                Some(Cow::Borrowed(&text.blocks[..])),
            ),
            _ => {
                let (rendered, blocks) = self.reader.rendered(repo, version)?;
                (Cow::Owned(rendered), blocks.map(Cow::Owned))
            }
        };
        let mut files_then = Vec::new();
        let assets = self.assets.map(|assets| (repo, assets));
        let (path, page) =
            version_page(input, assets, versions, index, &rendered, &mut files_then)?;
        emit(path, page)?;
        for (path, bytes) in files_then {
            emit(path, bytes)?;
        }
        if let (Some(comparison), Some(previous)) =
            (&self.entries[index].comparison, versions.get(index + 1))
        {
            let (path, page) =
                change_page(input, index, &versions[index], previous, &comparison.html)?;
            emit(path, page)?;
        }
        // "What changed since this version": nothing for the newest; the
        // newest change's own redline for the one before it.
        let computed = match (index, &self.entries[0].comparison) {
            (0, _) | (1, Some(_)) => None,
            _ => Some(self.comparer.redline_reading(
                version,
                || match blocks {
                    Some(blocks) => Ok(blocks),
                    None => Ok(Cow::Owned(self.reader.outline(repo, version)?.blocks)),
                },
                (&input.history.versions[0], self.newest_blocks),
            )?),
        };
        let redline = match (index, &self.entries[0].comparison, &computed) {
            (0, _, _) => None,
            (1, Some(comparison), _) => Some((comparison.html.as_str(), &comparison.sections[..])),
            (_, _, Some(computed)) => Some((computed.html.as_str(), &computed.sections[..])),
            (_, _, None) => None,
        };
        let (path, page) = compare_page(
            input,
            self.wording,
            (&versions[index], &versions[0]),
            redline,
        )?;
        emit(path, page)
    }
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
    assets: Option<(&Repository, &AssetsThen<'_>)>,
    versions: &[VersionContext],
    index: usize,
    text: &Rendered,
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
        Some((repo, assets)) => rebase::rebase_with(
            &text.html,
            written_for(input, index),
            &pages::root_of(&version.url),
            |path| assets.place(repo, &version.commit, path, files_then),
        ),
        None => rebased(input, index, &version.url, &text.html),
    };
    context.insert(
        "page",
        &ArchivedPage {
            title: &version.title,
            content: &content,
            toc: &text.toc,
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

fn compare_page(
    input: &ArchiveInput<'_>,
    wording: &SummaryWords,
    (version, newest): (&VersionContext, &VersionContext),
    redline: Option<(&str, &[diff::SectionChange])>,
) -> Result<(String, Vec<u8>)> {
    let mut context = page_context(input, &version.compare_url);
    context.insert("version", version);
    context.insert("newest", newest);
    if let Some((html, sections)) = redline {
        context.insert("redline", html);
        context.insert("sections", sections);
        context.insert("summary", &diff::describe(sections, wording));
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
    context.insert(
        "summary",
        &diff::describe(&comparison.sections, &input.wording()),
    );
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
