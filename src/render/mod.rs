//! Templates: tera loaded from a [`Theme`], and the one place pages are turned
//! into HTML. Errors name the template file, its line, and the cause chain.

pub mod i18n;
pub mod pages;
pub mod print_urls;
pub mod reads;
pub mod rebase;
pub mod template_error;
#[cfg(test)]
pub(crate) mod testing;
pub mod theme;

use std::borrow::Cow;

use anyhow::{Context, Result};
use tera::{Template, Tera};

use crate::render::theme::Theme;
use crate::source::languages::Languages;
use crate::text::control_chars;

/// A ready set of templates. `Tera` is `Sync`, so pages render in parallel.
pub struct Renderer {
    tera: Tera,
    theme: Theme,
    strings: std::sync::Arc<i18n::Strings>,
    /// What loading the theme's words found missing.
    pub warnings: Vec<String>,
}

impl Renderer {
    /// Parses every template of the theme; the first bad one is the error.
    /// The theme's words are read for the site's `languages`.
    pub fn new(theme: Theme, languages: &Languages) -> Result<Renderer> {
        let codes: Vec<&str> = languages.list.iter().map(|l| l.code.as_str()).collect();
        let (strings, warnings) =
            i18n::Strings::load(&theme.strings, &languages.default_language().code, &codes)?;
        let strings = std::sync::Arc::new(strings);
        let mut tera = Tera::default();
        tera.register_function("t", i18n::function(strings.clone()));
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        let added = tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.text.as_str())),
        );
        if let Err(err) = added {
            // Name the template that does not parse on its own, if one
            // doesn't; templates are parsed one at a time only here.
            for template in &theme.templates {
                Template::new(&template.name, None, &template.text)
                    .map_err(anyhow::Error::new)
                    .with_context(|| format!("template {} cannot be parsed", template.origin))?;
            }
            return Err(anyhow::Error::new(err).context(
                "the templates do not fit together (check their {% extends %} and {% import %} names)",
            ));
        }
        Ok(Renderer {
            tera,
            theme,
            strings,
            warnings,
        })
    }

    /// Renders template `name` with `context`. The result holds no
    /// character XML forbids, whatever users typed into titles, front matter
    /// or commit messages: a control character makes a whole feed unreadable.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        let rendered = self.tera.render(name, context).map_err(|err| {
            let err = anyhow::Error::new(err);
            let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
            let templates = &self.theme.templates;
            let what = match template_error::locate(&chain, name, templates) {
                Some(at) => format!(
                    "template {}:{} failed (the first line that uses `{}`)",
                    at.origin, at.line, at.name
                ),
                None => {
                    let origin = templates
                        .iter()
                        .find(|t| t.name == name)
                        .map_or(name, |t| &t.origin);
                    format!("template {origin} failed")
                }
            };
            err.context(what)
        })?;
        let rendered = match control_chars::xml_safe(&rendered) {
            Cow::Borrowed(_) => rendered,
            Cow::Owned(safe) => safe,
        };
        // A page with an absolute address (base_url set) prints its
        // relative links' addresses.
        let page_url = context.get("canonical").and_then(|url| url.as_str());
        Ok(match page_url {
            Some(url) if !url.is_empty() && name.ends_with(".html") => {
                print_urls::mark(&rendered, url)
            }
            _ => rendered,
        })
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// The theme's words in every language.
    pub fn strings(&self) -> &i18n::Strings {
        &self.strings
    }
}
