//! A version's text read back from its blob: split from its front matter
//! and parsed once for everything the archive takes of it — the page's
//! HTML, the blocks a redline compares, the title and what the text
//! announces. With a build's cache both halves are kept under what they
//! follow from (the blob, the title stem of its path, how Markdown is
//! rendered), so a rebuild parses only the blobs a new commit brought.
//!
//! Two entries per blob, not one: the archive's first pass needs only the
//! outline of a long document's versions, and should not read their HTML.

use anyhow::{Context, Result};
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use crate::cache::{Key, Store};
use crate::diff::{self, Block};
use crate::history::Version;
use crate::history::timeline::{Announced, VersionText};
use crate::source::content::title_stem;
use crate::source::frontmatter::{self, FrontMatter};
use crate::text::markdown::{self, MarkdownOptions, Rendered};

/// What comparing a version with its neighbours needs: [`VersionText`]
/// without the HTML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    pub title: String,
    pub announced: Announced,
    pub blocks: Vec<Block>,
}

/// An [`Outline`] as stored, borrowed from a whole text.
#[derive(Serialize)]
struct OutlineOf<'a> {
    title: &'a str,
    announced: Announced,
    blocks: &'a [Block],
}

/// A version's text as a reader saw it. A file that was not valid front
/// matter and Markdown back then is shown as it was, as plain Markdown.
pub fn version_text(bytes: &[u8], stem: &str, options: MarkdownOptions) -> VersionText {
    with_parsed(bytes, stem, options, |front, parsed, title| {
        let rendered = markdown::render_tree(parsed, options);
        text_of(front, parsed, title, rendered, options)
    })
}

/// A version's text from its parsed tree, rendered as `rendered`.
pub fn text_of(
    front: FrontMatter,
    parsed: &markdown::Parsed<'_>,
    title: String,
    rendered: Rendered,
    options: MarkdownOptions,
) -> VersionText {
    let blocks = diff::blocks_of_tree(&title, parsed.root, options);
    VersionText {
        title,
        rendered,
        blocks,
        effective: front.effective,
        notice: front.notice,
    }
}

/// [`version_text`] without rendering the HTML.
pub fn outline(bytes: &[u8], stem: &str, options: MarkdownOptions) -> Outline {
    with_parsed(bytes, stem, options, |front, parsed, title| Outline {
        blocks: diff::blocks_of_tree(&title, parsed.root, options),
        title,
        announced: Announced {
            effective: front.effective,
            notice: front.notice,
        },
    })
}

/// Splits and parses a version's bytes once, for `then` to take what it
/// needs of the tree.
fn with_parsed<T>(
    bytes: &[u8],
    stem: &str,
    options: MarkdownOptions,
    then: impl FnOnce(FrontMatter, &markdown::Parsed<'_>, String) -> T,
) -> T {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (front, body) = match frontmatter::split(text) {
        Ok(split) => (split.front, split.body),
        Err(_) => (FrontMatter::default(), text),
    };
    let arena = comrak::Arena::new();
    let parsed = markdown::parse(&arena, body, options);
    let title = frontmatter::resolve_title(&front, parsed.leading_title.as_deref(), stem);
    then(front, &parsed, title)
}

/// The blob `version` was read from.
pub fn read_blob<'r>(repo: &'r Repository, version: &Version) -> Result<git2::Blob<'r>> {
    Oid::from_str(&version.blob)
        .and_then(|oid| repo.find_blob(oid))
        .with_context(|| {
            format!(
                "cannot read {} as of commit {}",
                version.path, version.commit
            )
        })
}

/// Reads versions' texts, through `store` when the build has one.
#[derive(Debug, Clone, Copy)]
pub struct Texts<'a> {
    pub store: Option<&'a Store>,
    pub options: MarkdownOptions,
    /// Whether pages will be rendered: then a version parsed for its
    /// outline keeps its HTML too, for the page that will ask for it.
    pub pages: bool,
}

impl Texts<'_> {
    /// The whole text of `version`.
    pub fn whole(&self, repo: &Repository, version: &Version) -> Result<VersionText> {
        if let Some(store) = self.store {
            let outline = store.get::<Outline>(&self.key(OUTLINE, version));
            let rendered = store.get::<Rendered>(&self.key(HTML, version));
            if let (Some(outline), Some(rendered)) = (outline, rendered) {
                return Ok(joined(outline, rendered));
            }
        }
        let text = self.parse(repo, version)?;
        self.keep(version, &text);
        Ok(text)
    }

    /// The outline of `version`.
    pub fn outline(&self, repo: &Repository, version: &Version) -> Result<Outline> {
        let Some(store) = self.store else {
            let blob = read_blob(repo, version)?;
            return Ok(outline(
                blob.content(),
                &title_stem(&version.path),
                self.options,
            ));
        };
        let key = self.key(OUTLINE, version);
        if let Some(outline) = store.get(&key) {
            return Ok(outline);
        }
        if self.pages {
            let text = self.parse(repo, version)?;
            self.keep(version, &text);
            return Ok(split(text).0);
        }
        let blob = read_blob(repo, version)?;
        let made = outline(blob.content(), &title_stem(&version.path), self.options);
        store.put(&key, &made);
        Ok(made)
    }

    /// The HTML of `version`, and its blocks when it had to be parsed for
    /// it (from the store, only the HTML is read: the blocks are wanted
    /// only for a redline the store does not hold).
    pub fn rendered(
        &self,
        repo: &Repository,
        version: &Version,
    ) -> Result<(Rendered, Option<Vec<Block>>)> {
        if let Some(store) = self.store
            && let Some(rendered) = store.get(&self.key(HTML, version))
        {
            return Ok((rendered, None));
        }
        let text = self.parse(repo, version)?;
        self.keep(version, &text);
        Ok((text.rendered, Some(text.blocks)))
    }

    fn parse(&self, repo: &Repository, version: &Version) -> Result<VersionText> {
        let blob = read_blob(repo, version)?;
        Ok(version_text(
            blob.content(),
            &title_stem(&version.path),
            self.options,
        ))
    }

    /// Stores both halves of `text`; the HTML only when pages are rendered,
    /// so a build without pages does not ask the store to keep the HTML
    /// of only the versions it happened to parse.
    fn keep(&self, version: &Version, text: &VersionText) {
        self.keep_blob(&version.blob, &title_stem(&version.path), text);
    }

    /// [`Texts::keep`] for the text of `blob` at a path with title stem
    /// `stem`, as history's reading of every blob hands it over.
    pub fn keep_blob(&self, blob: &str, stem: &str, text: &VersionText) {
        let Some(store) = self.store else {
            return;
        };
        let outline = OutlineOf {
            title: &text.title,
            announced: text.announced(),
            blocks: &text.blocks,
        };
        store.put(&key(OUTLINE, blob, stem, self.options), &outline);
        if self.pages {
            store.put(&key(HTML, blob, stem, self.options), &text.rendered);
        }
    }

    fn key(&self, kind: &'static str, version: &Version) -> Key {
        key(
            kind,
            &version.blob,
            &title_stem(&version.path),
            self.options,
        )
    }

    /// Keeps both halves of `version`'s text in the store unread
    /// ([`Store::keep`]).
    pub fn keep_unread(&self, version: &Version) {
        if let Some(store) = self.store {
            store.keep(&self.key(OUTLINE, version));
            store.keep(&self.key(HTML, version));
        }
    }
}

/// Where one half of a blob's text is kept: it follows from the blob, the
/// title stem of its path and how Markdown is rendered.
fn key(kind: &'static str, blob: &str, stem: &str, options: MarkdownOptions) -> Key {
    Key::of(kind).part(blob).part(stem).debug(&options).finish()
}

/// The store's kinds for the two halves of a version's text.
const OUTLINE: &str = "version-outline";
const HTML: &str = "version-html";

fn joined(outline: Outline, rendered: Rendered) -> VersionText {
    VersionText {
        title: outline.title,
        rendered,
        blocks: outline.blocks,
        effective: outline.announced.effective,
        notice: outline.announced.notice,
    }
}

fn split(text: VersionText) -> (Outline, Rendered) {
    let outline = Outline {
        title: text.title,
        announced: Announced {
            effective: text.effective,
            notice: text.notice,
        },
        blocks: text.blocks,
    };
    (outline, text.rendered)
}
