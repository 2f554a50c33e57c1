//! A document of the site: one Markdown file, read and split, with its URL
//! and language decided. Made by `content`, matched to its translations by
//! `translations`.

use std::path::PathBuf;

use crate::source::frontmatter::FrontMatter;

/// A Markdown file, read and split, with its URL decided.
#[derive(Debug, Clone)]
pub struct Document {
    /// Absolute path on disk.
    pub path: PathBuf,
    /// The path relative to the site root, with `/` separators, for messages
    /// and templates (`content/privacy.md`).
    pub display_path: String,
    /// The site URL path, starting and ending with `/` (`/privacy/`,
    /// `/de/privacy/`).
    pub url: String,
    /// The language it is written in (a code of the site's languages).
    pub language: String,
    /// What matches a translation to its source: the URL its path makes
    /// with the language marks taken out and no slug (`/privacy/` for
    /// `privacy.de.md`).
    pub translation_key: String,
    pub front: FrontMatter,
    /// The Markdown body, front matter removed.
    pub body: String,
    /// The file's line the body starts on, from 1: a body line `n` is the
    /// file's line `body_line + n - 1`.
    pub body_line: usize,
}
