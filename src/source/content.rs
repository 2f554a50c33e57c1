//! Documents: find every Markdown file under the content folder, read its
//! front matter, and give it a URL. Other files there are assets, copied as
//! they are. This is the "load" step; it reads files (in parallel) and
//! nothing else.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::source::config::Config;
pub use crate::source::document::Document;
use crate::source::frontmatter;
pub use crate::source::paths::{display, document_url, slugify, title_stem};
use crate::source::{lfs, repo};

/// A file under the content folder that is not Markdown, copied as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    pub path: PathBuf,
    /// The output path relative to the output root, with `/` separators.
    pub output: String,
}

/// Everything under the content folder.
#[derive(Debug, Default)]
pub struct Content {
    /// Documents in a stable order (by URL); drafts are left out unless asked for.
    pub documents: Vec<Document>,
    /// `content/index.md`, which introduces the home page rather than being a
    /// document of its own.
    pub home: Option<Document>,
    /// The other languages' home pages (`index.de.md`, `de/index.md`).
    pub translated_homes: Vec<Document>,
    pub assets: Vec<Asset>,
    /// Documents deleted from the content folder, read back from their last
    /// version (see [`crate::history::withdrawn`]); filled in once history is read.
    pub withdrawn: Vec<Document>,
    /// Which document translates which (by index into `documents`).
    pub translations: crate::source::translations::Translations,
    /// Files left out, with why (symlinks pointing out of the site).
    pub warnings: Vec<String>,
}

/// A folder with nothing in it, where `redline init` would start a site.
/// The build's own staging folder (`.redline-staging-…`, made before the
/// content is read) does not count.
fn is_empty_folder(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(".redline-"))
        })
    })
}

/// Reads the site's content folder, leaving out what its `exclude` matches.
pub fn load(config: &Config, include_drafts: bool) -> Result<Content> {
    let (root, content_dir, exclude) = (&config.root, &config.content_dir, &config.exclude);
    if !content_dir.is_dir() {
        if let Some(git_dir) = repo::bare_repository(root) {
            return Err(repo::no_work_tree(&git_dir));
        }
        if is_empty_folder(root) {
            bail!(
                "{} is empty: there is no content folder `{}` to build; start a policy site here with `redline init {}`",
                root.display(),
                display(root, content_dir),
                root.display()
            );
        }
        bail!(
            "the content folder `{}` does not exist in {}; create it and put your policies in it as Markdown files, or pass --content DIR",
            display(root, content_dir),
            root.display()
        );
    }
    let mut content = Content::default();
    let mut markdown = Vec::new();
    let walker = walkdir::WalkDir::new(content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(is_hidden_or_scratch(e.file_name())
                    || exclude.matches(
                        e.path().strip_prefix(content_dir).unwrap_or(e.path()),
                        e.file_type().is_dir(),
                    ))
        });
    for entry in walker {
        let entry = entry
            .with_context(|| format!("cannot read the content folder {}", content_dir.display()))?;
        if !entry.file_type().is_file() && !is_symlinked_file(entry.path()) {
            continue;
        }
        if entry.path_is_symlink() && !links_inside(root, entry.path()) {
            content.warnings.push(format!(
                "{} is a symlink to a file outside the site root; it is left out so nothing outside the site is published (copy the file in instead)",
                display(root, entry.path())
            ));
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        if is_markdown(entry.path()) {
            markdown.push((entry.path().to_path_buf(), rel.to_path_buf()));
        } else {
            lfs::check_small_file(&display(root, entry.path()), entry.path())?;
            content.assets.push(Asset {
                path: entry.path().to_path_buf(),
                output: asset_output(rel),
            });
        }
    }
    // Read and split in parallel; the first error in walk order is reported,
    // so the message does not depend on which thread finished first.
    let read: Vec<Result<Document>> = markdown
        .par_iter()
        .map(|(path, rel)| read_document(config, path, rel))
        .collect();
    for document in read {
        let document = document?;
        if document.front.draft && !include_drafts {
            continue;
        }
        if document.url == config.languages.get(&document.language).url_prefix {
            if document.language == config.language {
                content.home = Some(document);
            } else {
                content.translated_homes.push(document);
            }
        } else {
            content.documents.push(document);
        }
    }
    check_unique_urls(&content.documents)?;
    content.documents.sort_by(|a, b| a.url.cmp(&b.url));
    content.translations =
        crate::source::translations::link(&content.documents, &config.languages)?;
    Ok(content)
}

/// Reads one Markdown file into a document; `rel` is its path under the
/// content folder.
pub fn read_document(config: &Config, path: &Path, rel: &Path) -> Result<Document> {
    let display_path = display(&config.root, path);
    let mut text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::InvalidData => {
            // Read again as bytes, to say where the first bad byte is.
            let bytes = fs::read(path).with_context(|| format!("cannot read {display_path}"))?;
            let err = decode(&bytes).err().map_or_else(
                || "the file changed while it was read; build again".to_string(),
                |err| err.to_string(),
            );
            bail!("{display_path}:{err}");
        }
        Err(err) => return Err(err).with_context(|| format!("cannot read {display_path}")),
    };
    lfs::check_not_pointer(&display_path, text.as_bytes())?;
    let unmarked = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let split =
        frontmatter::split(unmarked).map_err(|err| anyhow::anyhow!("{display_path}:{err}"))?;
    let body_start = text.len() - split.body.len();
    let body_line = split.body_line;
    let front = split.front;
    let rel = display(Path::new(""), rel);
    let url = config
        .languages
        .document_url(&rel, front.slug.as_deref())
        .with_context(|| format!("{display_path}: cannot make a URL from this file name"))?;
    let located = config.languages.locate(&rel);
    let translation_key = document_url(Path::new(&located.rel), None)
        .with_context(|| format!("{display_path}: cannot make a URL from this file name"))?;
    // The body is the end of the text: keep it in the buffer it was read into.
    text.drain(..body_start);
    Ok(Document {
        path: path.to_path_buf(),
        display_path,
        url,
        language: config.languages.list[located.language].code.clone(),
        translation_key,
        front,
        body: text,
        body_line,
    })
}

/// A file that is not UTF-8: where the first bad byte is, so the author can find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    pub line: usize,
    pub byte: u8,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the file is not valid UTF-8 (byte 0x{:02x}); save it as UTF-8",
            self.line, self.byte
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// UTF-8 only; a leading byte-order mark is dropped.
pub fn decode(bytes: &[u8]) -> Result<&str, NotUtf8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|err| {
        let good = &bytes[..err.valid_up_to()];
        NotUtf8 {
            line: good.iter().filter(|&&b| b == b'\n').count() + 1,
            byte: bytes[err.valid_up_to()],
        }
    })
}

/// Folders are slugged like documents so an image beside `Legal/Privacy.md`
/// lands beside `/legal/privacy/`; the file name itself is kept.
fn asset_output(rel: &Path) -> String {
    let components: Vec<_> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    match components.split_last() {
        Some((file, dirs)) => {
            let mut parts: Vec<String> = dirs.iter().map(|d| slugify(d)).collect();
            parts.push(file.clone());
            parts.join("/")
        }
        None => String::new(),
    }
}

fn check_unique_urls(documents: &[Document]) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for doc in documents {
        if let Some(other) = seen.insert(&doc.url, &doc.display_path) {
            bail!(
                "{other} and {} would both be written to {}; rename one of them or give one a different `slug` in its front matter",
                doc.display_path,
                doc.url
            );
        }
    }
    Ok(())
}

pub fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Dot files, editor swap and backup files never become part of the site.
pub fn is_hidden_or_scratch(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || [".swp", ".swx", ".tmp", ".bak"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// A symlink whose target, resolved, is inside the site root.
fn links_inside(root: &Path, link: &Path) -> bool {
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    fs::canonicalize(link).is_ok_and(|target| target.starts_with(root))
}

fn is_symlinked_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_from_paths() {
        let url = |p: &str| document_url(Path::new(p), None).unwrap();
        assert_eq!(url("privacy.md"), "/privacy/");
        assert_eq!(url("privacy/index.md"), "/privacy/");
        assert_eq!(url("Privacy Policy.md"), "/privacy-policy/");
        assert_eq!(url("ChatGPT/Privacy Policy.md"), "/chatgpt/privacy-policy/");
        assert_eq!(url("Datenschutzerklärung.md"), "/datenschutzerklärung/");
        assert_eq!(url("index.md"), "/");
        assert_eq!(
            document_url(Path::new("a/b.md"), Some("Data Policy")).unwrap(),
            "/a/data-policy/"
        );
        assert!(document_url(Path::new("!!!.md"), None).is_err());
    }

    #[test]
    fn slugs_are_clean() {
        assert_eq!(
            slugify("  Terms of Service (2026) "),
            "terms-of-service-2026"
        );
        assert_eq!(slugify("A--B__C"), "a-b-c");
    }

    #[test]
    fn non_utf8_names_the_line() {
        let err = decode(b"ok\nstill ok\nbad \xff here").unwrap_err();
        assert_eq!(
            err,
            NotUtf8 {
                line: 3,
                byte: 0xff
            }
        );
        assert_eq!(decode(b"\xEF\xBB\xBFhi").unwrap(), "hi");
    }

    #[test]
    fn assets_keep_file_names() {
        assert_eq!(
            asset_output(Path::new("Legal Docs/Logo.PNG")),
            "legal-docs/Logo.PNG"
        );
    }
}
