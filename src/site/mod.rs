//! The pipeline: load → history → render → write. [`generate`] builds the
//! whole site in memory; [`build`] writes it to the output folder atomically;
//! [`preview`] is [`generate`] plus the draft redlines only the preview server
//! shows, so a built site never carries them.

pub mod archive;
pub mod feeds;
pub mod kept;
pub mod manifest;
pub mod output;
pub mod redirects;
pub mod reuse;
pub mod sitefiles;
pub mod translated;

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::{self, Store};
use crate::diff;
use crate::history::withdrawn;
use crate::history::{self, History};
use crate::render::Renderer;
use crate::render::pages::{self, DocSummary, Page};
use crate::render::theme;
use crate::site::archive::{ArchiveInput, DocArchive};
use crate::site::feeds::{ChangeRef, SiteChange};
use crate::site::output::{OutputSet, Sink, Staging};
use crate::site::reuse::{ArchiveCache, PreviewCache};
use crate::site::sitefiles::SitemapEntry;
use crate::source::config::Config;
use crate::source::content::{self, Content};
use crate::text::markdown;

/// A generated site. [`generate`] and [`preview`] keep every file's bytes
/// in `files`; [`build`] writes them to its staging folder as they are made,
/// so its `files` holds only their paths.
pub struct Generated {
    pub files: OutputSet,
    pub documents: usize,
    pub warnings: Vec<String>,
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildSummary {
    pub documents: usize,
    pub files: usize,
    pub warnings: Vec<String>,
    pub seconds: f64,
    /// Files that were the same as the previous output's, linked from it.
    pub unchanged: usize,
    /// What the cache saved (None: built without one).
    pub cache: Option<cache::Report>,
}

/// Builds the site and swaps it into the output folder.
pub fn build(config: &Config) -> Result<BuildSummary> {
    let started = Instant::now();
    let sources = [
        config.content_dir.as_path(),
        &config.root.join("templates"),
        &config.root.join("static"),
        &config.root.join("themes"),
    ];
    // An output that is a symbolic link keeps the link: its target is what
    // gets replaced.
    let output_dir = output::resolve(&config.output_dir)?;
    output::check_location(&output_dir, &config.root, &sources)?;
    let (staging, mut warnings) = Staging::beside(&output_dir)?;
    let store = config
        .cache_dir
        .as_deref()
        .filter(|dir| cache_placed_well(dir, &output_dir, config, &mut warnings))
        .map(Store::open);
    let sink = Sink::writing_to(staging.path()).reusing(&output_dir);
    let reuse = Reuse {
        archives: None,
        store: store.as_ref(),
    };
    let generated = generate_into(config, Mode::Publish, sink, None, reuse)?;
    let new_paths: BTreeSet<&str> = generated.files.paths().collect();
    output::record(staging.path(), new_paths.iter().copied())?;
    if output_dir.is_dir() {
        let carried = output::carry_foreign(&output_dir, staging.path(), &new_paths)?;
        if carried.unlisted && !carried.paths.is_empty() {
            warnings.push(unlisted_warning(&output_dir, &carried.paths));
        }
    }
    let mut all_warnings = generated.warnings;
    all_warnings.append(&mut warnings);
    all_warnings.extend(staging.swap_in()?);
    let cache = store.map(Store::finish);
    all_warnings.extend(cache.iter().flat_map(|c| c.warnings.iter().cloned()));
    Ok(BuildSummary {
        documents: generated.documents,
        files: generated.files.len(),
        warnings: all_warnings,
        seconds: started.elapsed().as_secs_f64(),
        unchanged: generated.files.linked(),
        cache,
    })
}

/// A cache in the output would be swapped away with the old site, and one
/// in the content folder (outside a hidden folder) published: a warning,
/// and no cache.
fn cache_placed_well(
    dir: &std::path::Path,
    output_dir: &std::path::Path,
    config: &Config,
    warnings: &mut Vec<String>,
) -> bool {
    let hidden = |rel: &std::path::Path| {
        rel.components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    };
    let inside = if dir.starts_with(output_dir) {
        output_dir
    } else if dir
        .strip_prefix(&config.content_dir)
        .is_ok_and(|rel| !hidden(rel))
    {
        &config.content_dir
    } else {
        return true;
    };
    warnings.push(format!(
        "the cache folder {} is inside {}, where builds would replace or publish it; building without the cache (pass --cache DIR outside it)",
        dir.display(),
        inside.display()
    ));
    false
}

/// The first build into an output made before builds listed their files
/// cannot tell stale pages from files of someone else's, and keeps both.
fn unlisted_warning(output_dir: &std::path::Path, kept: &[String]) -> String {
    let shown: Vec<&str> = kept.iter().take(5).map(String::as_str).collect();
    let more = kept.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "{} was built by an earlier redline that did not list its files, so what the new site does not write was kept: {}{more}; delete any that are stale pages (later builds remove only files they wrote)",
        output_dir.display(),
        shown.join(", ")
    )
}

/// What a generation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The published site, as `redline build` writes it.
    Publish,
    /// The preview server's site: also a redline of every document's
    /// uncommitted changes (`<doc>/changes/draft/`), linked from its banner.
    Preview,
}

/// Loads, reads history and renders: the whole site as files in memory.
pub fn generate(config: &Config) -> Result<Generated> {
    generate_into(
        config,
        Mode::Publish,
        Sink::in_memory(),
        None,
        Reuse::default(),
    )
}

/// The site as the preview server shows it: [`generate`] plus draft redlines.
/// The history and the archives whose inputs have not changed since the last
/// preview with the same `cache` are taken from it instead of made again.
pub fn preview(config: &Config, cache: &PreviewCache) -> Result<Generated> {
    let reuse = Reuse {
        archives: Some(&cache.archives),
        store: None,
    };
    generate_into(config, Mode::Preview, Sink::in_memory(), Some(cache), reuse)
}

/// What a generation may take from earlier ones instead of making again.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// The preview server's archives from its last build.
    pub archives: Option<&'a ArchiveCache>,
    /// The cache on disk that `redline build` keeps between builds.
    pub store: Option<&'a Store>,
}

fn generate_into(
    config: &Config,
    mode: Mode,
    sink: Sink,
    cache: Option<&PreviewCache>,
    reuse: Reuse<'_>,
) -> Result<Generated> {
    let mut content = content::load(config, config.drafts)?;
    let kept = cache.map(|c| &c.history);
    let history = history::read_with(
        config,
        &content.documents,
        kept,
        reuse.store,
        config.archive,
    )?;
    content.withdrawn = withdrawn::documents(config, &content, &history)?;
    let renderer = Renderer::new(theme::load(&config.root, &config.theme)?, &config.languages)?;
    render_site(config, &content, &history, &renderer, mode, sink, reuse)
}

/// A translation as `redline notify` reads it to a recipient in its language.
#[derive(Debug, Clone)]
pub struct TranslationOf {
    /// The source's URL relative to the root (`privacy/`).
    pub source_url: String,
    pub document: DocSummary,
    pub status: Option<pages::TranslationStatus>,
}

/// What `redline notify` announces: every version of every document that
/// translates nothing, with its change, newest first (without rendering any
/// page), and each translation, to read a notice in its language.
pub fn changes(config: &Config) -> Result<(Vec<SiteChange>, Vec<TranslationOf>, Vec<String>)> {
    let mut content = content::load(config, config.drafts)?;
    let history = history::read(config, &content.documents)?;
    content.withdrawn = withdrawn::documents(config, &content, &history)?;
    let (mut changes, statuses, warnings) = judged(config, &content, &history, true)?;
    let mut translations = Vec::new();
    for (index, status) in statuses.into_iter().enumerate() {
        let Some(source) = content.translations.source[index] else {
            continue;
        };
        let url = |i: usize| content.documents[i].url.trim_start_matches('/').to_string();
        let own = url(index);
        let Some(document) = changes
            .iter()
            .find(|c| c.document.url == own)
            .map(|c| c.document.clone())
        else {
            continue;
        };
        translations.push(TranslationOf {
            source_url: url(source),
            document,
            status,
        });
    }
    // A translation's changes are told as its source's, in the reader's language.
    changes.retain(|c| {
        !translations
            .iter()
            .any(|t| t.document.url == c.document.url)
    });
    Ok((changes, translations, warnings))
}

/// [`changes`] for content and history already read.
pub fn changes_of(
    config: &Config,
    content: &Content,
    history: &History,
) -> Result<(Vec<SiteChange>, Vec<String>)> {
    let (changes, _, warnings) = judged(config, content, history, false)?;
    Ok((changes, warnings))
}

/// Each current document's standing as a translation (None for one that
/// translates nothing), in the order of `content.documents`, with every
/// change as [`changes_of`] gives them: what `redline log` reports.
pub fn translations_of(
    config: &Config,
    content: &Content,
    history: &History,
) -> Result<(Vec<SiteChange>, Vec<Option<pages::TranslationStatus>>)> {
    let (changes, statuses, _) = judged(config, content, history, true)?;
    Ok((changes, statuses))
}

type Judged = (
    Vec<SiteChange>,
    Vec<Option<pages::TranslationStatus>>,
    Vec<String>,
);

fn judged(
    config: &Config,
    content: &Content,
    history: &History,
    translations: bool,
) -> Result<Judged> {
    let mut pages = current_pages(config, content, history);
    let summaries: Vec<DocSummary> = pages.iter().map(|p| p.summary(config)).collect();
    let base = tera::Context::new();
    let run = ArchiveRun {
        config,
        history,
        renderer: None,
        base: &base,
        mode: Mode::Publish,
        sink: &Sink::in_memory(),
        cache: None,
        store: None,
        assets_now: None,
    };
    let archives = build_archives(&run, &mut pages, &summaries)?;
    let mut warnings = history.warnings.clone();
    warnings.extend(archives.into_iter().flat_map(|a| a.warnings));
    let statuses = if translations {
        translated::link(content, &mut pages, None);
        translated::judge(config, content, &mut pages, None)?;
        pages
            .iter()
            .take(content.documents.len())
            .map(|p| p.translation.clone())
            .collect()
    } else {
        Vec::new()
    };
    let withdrawals: Vec<_> = pages.iter().map(Page::withdrawal).collect();
    let changes = site_changes(&pages, &summaries, &withdrawals)
        .into_iter()
        .map(ChangeRef::to_owned)
        .collect();
    Ok((changes, statuses, warnings))
}

/// Every document rendered as it is now, with its history; then every
/// withdrawn document, as it last was.
fn current_pages<'a>(config: &Config, content: &'a Content, history: &'a History) -> Vec<Page<'a>> {
    let options = config.markdown_options();
    let documents: Vec<_> = content
        .documents
        .iter()
        .zip(&history.docs)
        .chain(
            content
                .withdrawn
                .iter()
                .zip(&history.withdrawn)
                // A draft deleted was never a document of the site.
                .filter(|(doc, _)| !doc.front.draft || config.drafts),
        )
        .collect();
    let mut pages: Vec<Page<'a>> = documents
        .into_par_iter()
        .map(|(doc, doc_history)| {
            Page::new(
                doc,
                markdown::render(&doc.body, options),
                Some(doc_history),
                config,
            )
        })
        .collect();
    pages::unique_ids(&mut pages);
    pages
}

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    language: &'a str,
    extra: &'a serde_json::Value,
}

#[derive(Serialize)]
struct SectionContext {
    title: String,
    content: String,
}

/// Renders every page and site file from loaded content and history.
pub fn render_site(
    config: &Config,
    content: &Content,
    history: &History,
    renderer: &Renderer,
    mode: Mode,
    sink: Sink,
    reuse: Reuse<'_>,
) -> Result<Generated> {
    let options = config.markdown_options();
    let mut warnings = config.warnings.clone();
    warnings.extend(history.warnings.iter().cloned());
    warnings.extend(content.warnings.iter().cloned());
    warnings.extend(renderer.warnings.iter().cloned());
    let mut pages = current_pages(config, content, history);
    translated::link(content, &mut pages, Some(renderer.strings()));
    check_unpublished(config, &pages, &mut warnings)?;
    check_front_matter_dates(config, &pages, &mut warnings);
    report_sanitized_html(&pages, &mut warnings);
    if pages.is_empty() {
        warnings.push(format!(
            "there are no documents in {}: the site says so; add Markdown files to publish policies",
            content::display(&config.root, &config.content_dir)
        ));
    }
    if config.base_url.is_none() {
        warnings.push(
            "base_url is not set: pages have no canonical link and sitemap.xml lists relative URLs; set base_url in redline.toml or pass --base-url"
                .into(),
        );
    }

    let page_summaries: Vec<DocSummary> = pages.iter().map(|p| p.summary(config)).collect();
    let (mut summaries, mut withdrawn): (Vec<DocSummary>, Vec<DocSummary>) = page_summaries
        .iter()
        .cloned()
        .partition(|s| s.withdrawn.is_empty());
    pages::sort_for_navigation(&mut summaries);
    withdrawn.sort_by(|a, b| b.withdrawn_iso.cmp(&a.withdrawn_iso));
    let site = SiteContext {
        title: &config.title,
        description: &config.description,
        base_url: config.base_url.as_deref().unwrap_or(""),
        language: &config.language,
        extra: &config.extra,
    };
    let mut base = tera::Context::new();
    base.insert("site", &site);
    // Every page gets the header's list; only the index gets every document,
    // so a page's context does not grow with the size of the site.
    let navigation: &[DocSummary] = if summaries.len() <= config.nav_limit {
        &summaries
    } else {
        &[]
    };
    base.insert("navigation", navigation);
    base.insert("generator", crate::GENERATOR);
    base.insert("current_url", "");
    base.insert("description", &config.description);
    base.insert("lang", &config.language);
    base.insert("dir", config.languages.default_language().dir());
    base.insert("language_root", "");

    base.insert("archive", &config.archive);
    let assets_now = assets_now(content);
    let archives = if config.archive {
        let run = ArchiveRun {
            assets_now: Some(&assets_now),
            config,
            history,
            renderer: Some(renderer),
            base: &base,
            mode,
            sink: &sink,
            cache: reuse.archives,
            store: reuse.store,
        };
        build_archives(&run, &mut pages, &page_summaries)?
    } else {
        Vec::new()
    };
    for (page, archive) in pages.iter().zip(archives) {
        warnings.extend(
            archive
                .warnings
                .into_iter()
                .map(|w| format!("{}: {w}", page.doc.display_path)),
        );
    }
    translated::judge(config, content, &mut pages, Some(renderer.strings()))?;
    if config.archive {
        render_changes(config, renderer, &base, &pages, &page_summaries, &sink)?;
    }

    pages.par_iter().try_for_each(|page| -> Result<()> {
        let mut context = translated::language_base(config, &base, &page.doc.language, &summaries);
        context.insert("root", &page.root());
        context.insert("canonical", &canonical(config, &page.doc.url));
        let page_context = page.context(config);
        // Top-level copies so base.html never tests `page is defined`:
        // tera clones the tested value, the whole page, on every test.
        context.insert("current_url", &page_context.summary.url);
        context.insert("description", &page_context.summary.description);
        context.insert("page", &page_context);
        context.insert("alternates", &page.alternates);
        let template = if page.withdrawn() {
            "withdrawn.html"
        } else {
            "page.html"
        };
        let html = renderer
            .render(template, &context)
            .with_context(|| format!("cannot render {}", page.doc.display_path))?;
        sink.insert(
            format!("{}index.html", page.rel_url()),
            html.into_bytes(),
            page.doc.display_path.clone(),
        )
    })?;

    for language in &config.languages.list {
        let home_doc = if language.code == config.language {
            content.home.as_ref()
        } else {
            content
                .translated_homes
                .iter()
                .find(|d| d.language == language.code)
        };
        let home = home_doc.map(|doc| markdown::render(&doc.body, options));
        let mine = |list: &[DocSummary]| -> Vec<DocSummary> {
            list.iter()
                .filter(|d| !config.languages.multilingual() || d.language == language.code)
                .cloned()
                .collect()
        };
        let prefix = language.url_prefix.trim_start_matches('/');
        let mut context = translated::language_base(config, &base, &language.code, &summaries);
        context.insert("root", &pages::root_of(prefix));
        context.insert("canonical", &canonical(config, &language.url_prefix));
        context.insert("documents", &mine(&summaries));
        context.insert("withdrawn", &mine(&withdrawn));
        context.insert(
            "alternates",
            &home_alternates(config, renderer, &language.code),
        );
        let section_title = home_doc
            .and_then(|d| d.front.title.clone())
            .or_else(|| home.as_ref().and_then(|h| h.leading_title.clone()))
            .unwrap_or_else(|| language.title.clone());
        context.insert(
            "section",
            &SectionContext {
                title: section_title,
                content: home.map(|h| h.html).unwrap_or_default(),
            },
        );
        let origin = home_doc.map_or("the home page".to_string(), |d| d.display_path.clone());
        sink.insert(
            format!("{prefix}index.html"),
            renderer.render("index.html", &context)?.into_bytes(),
            origin,
        )?;
    }

    let mut context = base.clone();
    let absolute_root = config.base_url.clone().unwrap_or_else(|| "/".into());
    context.insert("root", &absolute_root);
    context.insert("canonical", "");
    sink.insert(
        "404.html".into(),
        renderer.render("404.html", &context)?.into_bytes(),
        "the 404 page",
    )?;

    for file in &renderer.theme().static_files {
        sink.insert(file.output.clone(), file.bytes.clone(), file.origin.clone())?;
    }
    for asset in &content.assets {
        let bytes = std::fs::read(&asset.path)
            .with_context(|| format!("cannot read {}", asset.path.display()))?;
        sink.insert(
            asset.output.clone(),
            bytes,
            content::display(&config.root, &asset.path),
        )?;
    }

    let base_url = config.base_url.as_deref();
    let mut entries = vec![SitemapEntry {
        path: "/".into(),
        lastmod: pages
            .iter()
            .filter_map(|p| p.last_updated.as_ref().map(|d| d.iso.clone()))
            .max(),
        alternates: Vec::new(),
    }];
    entries.extend(
        config.languages.list[1..]
            .iter()
            .map(|l| translated::home_entry(&l.url_prefix, &pages, &l.code)),
    );
    entries.extend(pages.iter().map(|p| SitemapEntry {
        path: p.doc.url.clone(),
        lastmod: p.last_updated.as_ref().map(|d| d.iso.clone()),
        alternates: translated::sitemap_alternates(p),
    }));
    sink.insert(
        "sitemap.xml".into(),
        sitefiles::sitemap(base_url, &entries).into_bytes(),
        "the sitemap",
    )?;
    sink.insert(
        "robots.txt".into(),
        sitefiles::robots(base_url).into_bytes(),
        "robots.txt",
    )?;

    redirects::write::write(config, renderer, &base, &pages, &page_summaries, &sink)?;

    let hashes: Vec<String> = pages.par_iter().map(current_sha256).collect();
    let manifest = manifest::manifest(&pages, &hashes, history.approximate);
    let json = serde_json::to_vec_pretty(&manifest).context("cannot write versions.json")?;
    sink.insert(output::MARKER.into(), json, "versions.json")?;

    Ok(Generated {
        files: sink.finish(),
        documents: pages.len(),
        warnings,
    })
}

/// What every document's archive is built with.
struct ArchiveRun<'a> {
    config: &'a Config,
    history: &'a History,
    /// None: the versions and their changes only, no pages (for notify).
    renderer: Option<&'a Renderer>,
    base: &'a tera::Context,
    mode: Mode,
    sink: &'a Sink,
    /// Archives from the last preview, reused when their inputs match.
    cache: Option<&'a ArchiveCache>,
    /// Redlines kept on disk by earlier builds.
    store: Option<&'a Store>,
    /// The site's files now (output path → git blob id), so old versions
    /// keep the files they linked to as they were (None: not kept).
    assets_now: Option<&'a HashMap<String, git2::Oid>>,
}

/// Reads every document's versions back from git and renders its archive,
/// one document per task, the largest first so the longest task does not
/// start last; each task opens its own handle on the repository and hands
/// its pages to `sink` as soon as they are rendered.
fn build_archives(
    run: &ArchiveRun<'_>,
    pages: &mut [Page<'_>],
    summaries: &[DocSummary],
) -> Result<Vec<DocArchive>> {
    let ArchiveRun {
        config,
        history,
        renderer,
        base,
        mode,
        cache,
        ..
    } = *run;
    let Some(git_dir) = &history.repository else {
        return Ok(pages.iter().map(|_| DocArchive::default()).collect());
    };
    if let Some(cache) = cache {
        cache.keep_only(pages.iter().map(|p| p.doc.display_path.as_str()));
    }
    // What every archive depends on besides its own document.
    let templates = renderer.map(|r| &r.theme().templates);
    let prefix = git2::Repository::open(git_dir)
        .ok()
        .and_then(|repo| {
            let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
            Some(crate::source::repo::repo_path(
                &workdir,
                &config.content_dir,
            ))
        })
        .map(|p| if p.is_empty() { p } else { p + "/" })
        .unwrap_or_default();
    let assets_now = run.assets_now.filter(|_| renderer.is_some());
    let kept_key = renderer
        .filter(|_| run.store.is_some() && mode == Mode::Publish)
        .map(|r| {
            let shared_key = kept::shared_key(config, r.theme(), assets_now, &prefix);
            (shared_key, kept::navigation_reads(r.theme(), base))
        });
    let shared = Shared {
        git_dir,
        prefix,
        assets_now,
        key: cache.map(|_| crate::history::cache::key(&[config, base, &templates, &mode])),
        kept_key,
        options: config.markdown_options(),
    };
    let mut work: Vec<(usize, &mut Page<'_>, &DocSummary)> = pages
        .iter_mut()
        .zip(summaries)
        .enumerate()
        .map(|(index, (page, summary))| (index, page, summary))
        .collect();
    work.sort_by_key(|(_, page, _)| std::cmp::Reverse(archive_weight(page)));
    let mut built: Vec<(usize, DocArchive)> = work
        .into_iter()
        .par_bridge()
        .map_init(
            || git2::Repository::open(git_dir),
            |repo, (index, page, summary)| {
                if page.history.is_none() {
                    return Ok((index, DocArchive::default()));
                }
                let repo = repo.as_ref().map_err(|err| {
                    anyhow::anyhow!("cannot open the repository {}: {err}", git_dir.display())
                })?;
                let archive = document_archive(run, &shared, summaries, repo, page, summary)?;
                Ok((index, archive))
            },
        )
        .collect::<Result<_>>()?;
    built.sort_by_key(|(index, _)| *index);
    Ok(built.into_iter().map(|(_, archive)| archive).collect())
}

/// What every document's archive task shares, worked out once.
struct Shared<'a> {
    git_dir: &'a std::path::Path,
    /// The content folder, repository-relative, with a trailing `/`.
    prefix: String,
    assets_now: Option<&'a HashMap<String, git2::Oid>>,
    /// The preview cache's key for what every archive depends on besides
    /// its own document (None: no preview cache).
    key: Option<String>,
    /// The same for archives kept whole from the previous build's output,
    /// with what their templates read of the navigation (None: no cache,
    /// or no pages).
    kept_key: Option<(String, crate::render::reads::Reads)>,
    options: crate::text::markdown::MarkdownOptions,
}

/// One document's archive, its pages handed to the sink as they are made;
/// the preview's draft redline too when it asks for one.
fn document_archive(
    run: &ArchiveRun<'_>,
    shared: &Shared<'_>,
    summaries: &[DocSummary],
    repo: &git2::Repository,
    page: &mut Page<'_>,
    summary: &DocSummary,
) -> Result<DocArchive> {
    let ArchiveRun {
        config,
        renderer,
        base,
        mode,
        sink,
        cache,
        ..
    } = *run;
    let Shared {
        git_dir,
        ref prefix,
        assets_now,
        key: ref shared_key,
        ref kept_key,
        options,
    } = *shared;
    let Some(doc_history) = page.history else {
        return Ok(DocArchive::default());
    };
    // The archive's pages speak the document's language.
    let base = &translated::language_base(config, base, &summary.language, summaries);
    let input = ArchiveInput {
        git_dir,
        config,
        renderer,
        base,
        document: summary,
        history: doc_history,
        store: run.store,
    };
    let assets = assets_now.map(|now| archive::AssetsThen { prefix, now });
    let origin = format!("the archive of {}", page.doc.display_path);
    let emit = |path: String, bytes: Vec<u8>| -> Result<()> {
        if path.starts_with(archive::OLD_ASSETS) {
            // Named by content: another version may have it already.
            sink.insert_once(path, bytes, "a file as old versions linked it")
        } else {
            sink.insert(path, bytes, origin.as_str())
        }
    };
    let key = shared_key
        .as_ref()
        .map(|shared| crate::history::cache::key(&[shared, summary, doc_history]));
    let document = page.doc.display_path.as_str();
    let reused = cache
        .zip(key.as_ref())
        .and_then(|(cache, key)| cache.get(document, key));
    let kept_key = run
        .store
        .zip(kept_key.as_ref())
        .map(|(store, (shared, reads))| {
            (
                store,
                kept::key(shared, (base, reads), summary, doc_history),
            )
        });
    let mut archive = match (reused, cache.zip(key)) {
        (None, None) if let Some((store, key)) = &kept_key => {
            let made_from = (doc_history, &input.texts(), &input.comparer());
            let kept = kept::Kept { store, key, sink };
            kept.take_or_build(&origin, made_from, &emit, |emit| {
                archive::build(&input, assets.as_ref(), emit)
            })?
        }
        (Some(archive), _) => {
            for (path, bytes) in &archive.files {
                emit(path.clone(), bytes.clone())?;
            }
            archive
        }
        (None, Some((cache, key))) => {
            // The preview keeps the pages too, to hand them
            // back while the document's inputs are the same.
            let kept = std::sync::Mutex::new(Vec::new());
            let keep = |path: String, bytes: Vec<u8>| -> Result<()> {
                kept.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((path.clone(), bytes.clone()));
                emit(path, bytes)
            };
            let mut archive = archive::build(&input, assets.as_ref(), &keep)?;
            archive.files = kept
                .into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache.put(document, key, archive.clone());
            archive
        }
        (None, None) => archive::build(&input, assets.as_ref(), &emit)?,
    };
    let wants_draft = mode == Mode::Preview && page.unpublished() && renderer.is_some();
    let newest_text = if wants_draft {
        let newest = doc_history.versions.get(..1).unwrap_or_default();
        archive::read_texts(repo, newest, options)?
            .into_iter()
            .next()
    } else {
        None
    };
    if wants_draft
        && let Some(newest) = archive.versions.first()
        && let Some(newest_text) = newest_text
    {
        let current = diff::blocks(&page.title, &page.doc.body, options);
        let (path, bytes) = archive::draft_page(&input, newest, &newest_text, &current)?;
        page.draft_url = pages::draft_url(&page.doc.url);
        emit(path, bytes)?;
    }
    archive.files = Vec::new();
    page.versions = std::mem::take(&mut archive.versions);
    page.notices = std::mem::take(&mut archive.notices);
    Ok(archive)
}

/// How long a document's archive takes to build, roughly: its versions
/// times its length, as every version is rendered and diffed.
fn archive_weight(page: &Page<'_>) -> usize {
    let versions = page.history.map_or(0, |h| h.versions.len());
    versions.saturating_mul(page.doc.body.len().max(1))
}

/// The site-wide changes page and feed.
fn render_changes(
    config: &Config,
    renderer: &Renderer,
    base: &tera::Context,
    pages: &[Page<'_>],
    summaries: &[DocSummary],
    sink: &Sink,
) -> Result<()> {
    // Each withdrawal is told in its document's language.
    let withdrawals: Vec<_> = pages
        .iter()
        .zip(summaries)
        .map(|(page, summary)| {
            let mut withdrawal = page.withdrawal()?;
            withdrawal.reword(&renderer.strings().summary_words(&summary.language));
            Some(withdrawal)
        })
        .collect();
    let changes = site_changes(pages, summaries, &withdrawals);
    // One changes page per language, each listing its own documents' changes.
    for language in &config.languages.list {
        let mine: Vec<&ChangeRef<'_>> = changes
            .iter()
            .filter(|c| !config.languages.multilingual() || c.document.language == language.code)
            .collect();
        let prefix = language.url_prefix.trim_start_matches('/');
        let mut context = translated::language_base(config, base, &language.code, summaries);
        context.insert("root", &pages::root_of(&format!("{prefix}changes/")));
        context.insert(
            "canonical",
            &canonical(config, &format!("{}changes/", language.url_prefix)),
        );
        context.insert("changes", &mine);
        sink.insert(
            format!("{prefix}changes/index.html"),
            renderer.render("changes.html", &context)?.into_bytes(),
            "the changes page",
        )?;
    }
    let mut context = base.clone();
    context.insert("feed", &feeds::site_feed(config, &changes));
    sink.insert(
        "feed.xml".into(),
        renderer.render("atom.xml", &context)?.into_bytes(),
        "the site feed",
    )?;
    Ok(())
}

/// The git blob id of every file the content folder publishes, by output path.
fn assets_now(content: &Content) -> HashMap<String, git2::Oid> {
    content
        .assets
        .iter()
        .filter_map(|asset| {
            let id = git2::Oid::hash_file(git2::ObjectType::Blob, &asset.path).ok()?;
            Some((asset.output.clone(), id))
        })
        .collect()
}

/// Every version of every document, and every withdrawal (one per page,
/// as [`Page::withdrawal`] makes them), newest first: borrowed, so the list
/// grows by two references per version, not by copies of them.
fn site_changes<'a>(
    pages: &'a [Page<'_>],
    summaries: &'a [DocSummary],
    withdrawals: &'a [Option<pages::VersionContext>],
) -> Vec<ChangeRef<'a>> {
    let mut changes: Vec<ChangeRef<'a>> = pages
        .iter()
        .zip(summaries)
        .zip(withdrawals)
        .flat_map(|((page, document), withdrawal)| {
            page.versions
                .iter()
                .chain(withdrawal)
                .map(move |version| ChangeRef { document, version })
        })
        .collect();
    changes.sort_by(|a, b| {
        (b.version.seconds, &a.document.url).cmp(&(a.version.seconds, &b.document.url))
    });
    changes
}

/// The home page in every language, for its `hreflang` links and switcher.
fn home_alternates(config: &Config, renderer: &Renderer, current: &str) -> Vec<pages::Alternate> {
    if !config.languages.multilingual() {
        return Vec::new();
    }
    config
        .languages
        .list
        .iter()
        .enumerate()
        .map(|(index, language)| pages::Alternate {
            language: language.code.clone(),
            name: renderer.strings().language_name(&language.code).to_string(),
            url: language.url_prefix.trim_start_matches('/').to_string(),
            current: language.code == current,
            source: index == 0,
        })
        .collect()
}

fn canonical(config: &Config, path: &str) -> String {
    config
        .base_url
        .as_deref()
        .map(|base| sitefiles::absolute(Some(base), path))
        .unwrap_or_default()
}

fn current_sha256(page: &Page<'_>) -> String {
    let mut hasher = Sha256::new();
    history::visible_hash(&mut hasher, &page.title, &page.rendered.html);
    hex::encode(hasher.finalize())
}

fn check_unpublished(
    config: &Config,
    pages: &[Page<'_>],
    warnings: &mut Vec<String>,
) -> Result<()> {
    let unpublished: Vec<&str> = pages
        .iter()
        .filter(|p| p.unpublished())
        .map(|p| p.doc.display_path.as_str())
        .collect();
    if unpublished.is_empty() {
        return Ok(());
    }
    let list = unpublished.join(", ");
    if config.strict {
        let which = if unpublished.len() == 1 {
            "this document has"
        } else {
            "these documents have"
        };
        bail!(
            "--strict: {which} changes that are not committed: {list}; commit them or build without --strict"
        );
    }
    warnings.push(format!(
        "built from uncommitted changes, marked unpublished: {list}"
    ));
    Ok(())
}

/// What the HTML sanitizer took out of each page, each kind once, so
/// nothing disappears silently.
fn report_sanitized_html(pages: &[Page<'_>], warnings: &mut Vec<String>) {
    for page in pages.iter().filter(|p| !p.withdrawn()) {
        for removal in &page.rendered.removed {
            warnings.push(format!(
                "{}:{}: raw HTML: {} removed (not on the allowlist of html = \"sanitize\"); \
                 remove it, or set html = \"trust\" in redline.toml if this site's HTML is trusted",
                page.doc.display_path,
                page.doc.body_line + removal.line.saturating_sub(1),
                removal.what,
            ));
        }
    }
}

fn check_front_matter_dates(config: &Config, pages: &[Page<'_>], warnings: &mut Vec<String>) {
    for page in pages.iter().filter(|p| !p.withdrawn()) {
        let (Some(updated), Some(newest)) = (
            page.doc.front.updated,
            page.history.and_then(|h| h.versions.first()),
        ) else {
            continue;
        };
        let zoned = crate::source::dates::zoned(
            newest.seconds,
            newest.offset_minutes,
            config.timezone.as_ref(),
        );
        if zoned.date() != updated {
            let used = if config.trust_front_matter_dates {
                "using the front matter (trust_front_matter_dates = true)"
            } else {
                "using the history; set trust_front_matter_dates = true to use the front matter"
            };
            warnings.push(format!(
                "{}: front matter says updated {updated}, but the text last changed on {} ({}); {used}",
                page.doc.display_path,
                zoned.date(),
                &newest.commit[..7.min(newest.commit.len())]
            ));
        }
    }
}
