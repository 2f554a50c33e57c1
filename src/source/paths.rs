//! The names the site gives to files: a document's URL from its path, the
//! stem that stands for a missing title, paths as messages print them, and
//! the config file's name.

use std::path::Path;

use anyhow::{Result, bail};

/// The site's settings file, at the site root.
pub const CONFIG_FILE: &str = "redline.toml";

/// `privacy.md` → `/privacy/`, `privacy/index.md` → `/privacy/`,
/// `Legal/Privacy Policy.md` → `/legal/privacy-policy/`. A `slug` replaces
/// the last part.
pub fn document_url(rel: &Path, slug: Option<&str>) -> Result<String> {
    let mut parts: Vec<String> = Vec::new();
    let components: Vec<_> = rel
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let Some((file, dirs)) = components.split_last() else {
        bail!("empty path")
    };
    for dir in dirs {
        parts.push(slugify(dir));
    }
    let stem = file
        .strip_suffix(".md")
        .or_else(|| file.strip_suffix(".markdown"))
        .unwrap_or(file);
    if !stem.eq_ignore_ascii_case("index") {
        parts.push(slugify(stem));
    }
    if let Some(slug) = slug {
        let slug = slugify(slug);
        match parts.last_mut() {
            Some(last) => *last = slug,
            None => parts.push(slug),
        }
    }
    if parts.iter().any(|p| p.is_empty()) {
        bail!(
            "a part of the path has no letters or digits; rename it or set `slug` in the front matter"
        );
    }
    Ok(if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    })
}

/// Lower-case letters and digits (any script) joined by single dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The name a document is called by when it has no title: the file stem, or
/// the folder's name for `index.md` (`/`-separated `path`).
pub fn title_stem(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if stem.eq_ignore_ascii_case("index") {
        path.rsplit('/').nth(1).unwrap_or(stem).to_string()
    } else {
        stem.to_string()
    }
}

/// A path relative to the root with `/` separators, for messages.
pub fn display(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.iter()
        .map(|c| c.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
