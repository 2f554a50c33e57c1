//! Themes: a set of templates and static files. The default theme is embedded
//! in the binary so `redline` works from any folder after `cargo install`; a
//! theme folder `themes/<name>/` in the site root wins over the embedded copy,
//! and a site's own `templates/` and `static/` override single files of it.
//! Its words (`i18n/<code>.toml`) are the built-in tables, then the theme
//! folder's, then the site's `i18n/`, each over the one before key by key.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::source::content::{decode, display, is_hidden_or_scratch};
use crate::source::lfs;

/// The templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &["base.html", "index.html", "page.html", "404.html"];

const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "page.html",
        include_str!("../../themes/default/templates/page.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "version.html",
        include_str!("../../themes/default/templates/version.html"),
    ),
    (
        "versions.html",
        include_str!("../../themes/default/templates/versions.html"),
    ),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "change.html",
        include_str!("../../themes/default/templates/change.html"),
    ),
    (
        "compare.html",
        include_str!("../../themes/default/templates/compare.html"),
    ),
    (
        "draft.html",
        include_str!("../../themes/default/templates/draft.html"),
    ),
    (
        "changes.html",
        include_str!("../../themes/default/templates/changes.html"),
    ),
    (
        "atom.xml",
        include_str!("../../themes/default/templates/atom.xml"),
    ),
    (
        "withdrawn.html",
        include_str!("../../themes/default/templates/withdrawn.html"),
    ),
    (
        "redirect.html",
        include_str!("../../themes/default/templates/redirect.html"),
    ),
    (
        "email/notice.txt",
        include_str!("../../themes/default/templates/email/notice.txt"),
    ),
    (
        "email/notice.html",
        include_str!("../../themes/default/templates/email/notice.html"),
    ),
];

/// The built-in tables of the theme's words, one per language.
const DEFAULT_STRINGS: &[(&str, &str)] = &[
    ("en", include_str!("../../themes/default/i18n/en.toml")),
    ("de", include_str!("../../themes/default/i18n/de.toml")),
    ("fr", include_str!("../../themes/default/i18n/fr.toml")),
    ("es", include_str!("../../themes/default/i18n/es.toml")),
    ("ja", include_str!("../../themes/default/i18n/ja.toml")),
];

const DEFAULT_STATIC: &[(&str, &[u8])] = &[(
    "style.css",
    include_bytes!("../../themes/default/static/style.css"),
)];

/// One template: its name for `{% extends %}`, where it came from, its text.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    pub name: String,
    pub origin: String,
    pub text: String,
}

/// A file copied into the output as it is.
#[derive(Debug, Clone)]
pub struct StaticFile {
    /// Output path relative to the output root, `/` separators.
    pub output: String,
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// One table of words (`i18n/de.toml`): its language, origin and text.
#[derive(Debug, Clone)]
pub struct StringsSource {
    pub code: String,
    pub origin: String,
    pub text: String,
}

/// The merged theme: theme files with the site's overrides applied.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub templates: Vec<TemplateSource>,
    pub static_files: Vec<StaticFile>,
    /// Tables of words, later ones over earlier ones.
    pub strings: Vec<StringsSource>,
}

/// Loads theme `name` for the site at `root`, then the site's own
/// `templates/` and `static/` on top.
pub fn load(root: &Path, name: &str) -> Result<Theme> {
    let mut theme = base_theme(root, name)?;
    let site_templates = read_folder(root, &root.join("templates"))?;
    for (name, origin, bytes) in site_templates {
        let text = decode(&bytes)
            .with_context(|| format!("cannot read template {origin}"))?
            .to_string();
        theme.templates.retain(|t| t.name != name);
        theme.templates.push(TemplateSource { name, origin, text });
    }
    for (output, origin, bytes) in read_folder(root, &root.join("static"))? {
        theme.static_files.retain(|f| f.output != output);
        theme.static_files.push(StaticFile {
            output,
            origin,
            bytes,
        });
    }
    let mut strings = default_strings();
    strings.append(&mut theme.strings);
    strings.extend(strings_in(root, &root.join("i18n"))?);
    theme.strings = strings;
    for required in REQUIRED_TEMPLATES {
        if !theme.templates.iter().any(|t| t.name == *required) {
            bail!(
                "theme `{name}` has no template {required}; add templates/{required} to the theme or the site"
            );
        }
    }
    Ok(theme)
}

fn base_theme(root: &Path, name: &str) -> Result<Theme> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!(
            "theme name `{name}` is not a folder name; use `default` or the name of a folder under themes/"
        );
    }
    let dir = root.join("themes").join(name);
    if dir.is_dir() {
        return theme_from_folder(root, &dir);
    }
    if name == "default" {
        return Ok(embedded_default());
    }
    bail!(
        "unknown theme `{name}`: there is no folder themes/{name} in {}; use `default` (built in) or one of: {}",
        root.display(),
        available_themes(root).join(", ")
    )
}

pub(super) fn default_strings() -> Vec<StringsSource> {
    DEFAULT_STRINGS
        .iter()
        .map(|(code, text)| StringsSource {
            code: (*code).to_string(),
            origin: format!("the built-in default theme's i18n/{code}.toml"),
            text: (*text).to_string(),
        })
        .collect()
}

/// The `<code>.toml` files of an `i18n/` folder.
fn strings_in(root: &Path, dir: &Path) -> Result<Vec<StringsSource>> {
    let mut strings = Vec::new();
    for (name, origin, bytes) in read_folder(root, dir)? {
        let Some(code) = name.strip_suffix(".toml").filter(|c| !c.contains('/')) else {
            continue;
        };
        let text = decode(&bytes)
            .with_context(|| format!("cannot read {origin}"))?
            .to_string();
        strings.push(StringsSource {
            code: code.to_string(),
            origin,
            text,
        });
    }
    Ok(strings)
}

fn embedded_default() -> Theme {
    Theme {
        strings: Vec::new(),
        templates: DEFAULT_TEMPLATES
            .iter()
            .map(|(name, text)| TemplateSource {
                name: (*name).to_string(),
                origin: format!("the built-in default theme's {name}"),
                text: (*text).to_string(),
            })
            .collect(),
        static_files: DEFAULT_STATIC
            .iter()
            .map(|(output, bytes)| StaticFile {
                output: (*output).to_string(),
                origin: format!("the built-in default theme's {output}"),
                bytes: bytes.to_vec(),
            })
            .collect(),
    }
}

fn theme_from_folder(root: &Path, dir: &Path) -> Result<Theme> {
    let mut theme = Theme::default();
    for (name, origin, bytes) in read_folder(root, &dir.join("templates"))? {
        let text = decode(&bytes)
            .with_context(|| format!("cannot read template {origin}"))?
            .to_string();
        theme.templates.push(TemplateSource { name, origin, text });
    }
    for (output, origin, bytes) in read_folder(root, &dir.join("static"))? {
        theme.static_files.push(StaticFile {
            output,
            origin,
            bytes,
        });
    }
    theme.strings = strings_in(root, &dir.join("i18n"))?;
    // The archive's pages and feeds extend the theme's own base.html, so a
    // theme written before them (or without them) still gets them.
    for (name, text) in DEFAULT_TEMPLATES {
        let borrowed = !REQUIRED_TEMPLATES.contains(name);
        if borrowed && !theme.templates.iter().any(|t| t.name == *name) {
            theme.templates.push(TemplateSource {
                name: (*name).to_string(),
                origin: format!("the built-in default theme's {name}"),
                text: (*text).to_string(),
            });
        }
    }
    Ok(theme)
}

fn available_themes(root: &Path) -> Vec<String> {
    let mut names = vec!["default".to_string()];
    if let Ok(entries) = fs::read_dir(root.join("themes")) {
        names.extend(
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != "default"),
        );
    }
    names.sort();
    names
}

/// Every file under `dir` as (relative name with `/`, display origin, bytes);
/// a missing folder is empty.
fn read_folder(root: &Path, dir: &Path) -> Result<Vec<(String, String, Vec<u8>)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden_or_scratch(e.file_name()));
    for entry in walker {
        let entry = entry.with_context(|| format!("cannot read {}", display(root, dir)))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let path: PathBuf = entry.path().to_path_buf();
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        let name = rel
            .iter()
            .map(|c| c.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let origin = display(root, &path);
        let bytes = fs::read(&path).with_context(|| format!("cannot read {origin}"))?;
        lfs::check_not_pointer(&origin, &bytes)?;
        files.push((name, origin, bytes));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_has_every_required_template() {
        let theme = embedded_default();
        for required in REQUIRED_TEMPLATES {
            assert!(
                theme.templates.iter().any(|t| t.name == *required),
                "{required}"
            );
        }
        assert!(theme.static_files.iter().any(|f| f.output == "style.css"));
    }

    #[test]
    fn embedded_default_matches_the_repository_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
        for (name, text) in DEFAULT_TEMPLATES {
            assert_eq!(fs::read_to_string(dir.join(name)).unwrap(), *text, "{name}");
        }
        let on_disk = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter(|e| e.as_ref().unwrap().file_type().is_file())
            .count();
        assert_eq!(
            on_disk,
            DEFAULT_TEMPLATES.len(),
            "every template in themes/default is embedded"
        );
    }
}
