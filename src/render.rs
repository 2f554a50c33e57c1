//! Templates: tera loaded from a [`Theme`], and the one place pages are turned
//! into HTML. Errors name the template file, its line, and the cause chain.

use anyhow::{Context, Result};
use tera::{Template, Tera};

use crate::theme::Theme;

/// A ready set of templates. `Tera` is `Sync`, so pages render in parallel.
pub struct Renderer {
    tera: Tera,
    theme: Theme,
}

impl Renderer {
    /// Parses every template of the theme; the first bad one is the error.
    pub fn new(theme: Theme) -> Result<Renderer> {
        for template in &theme.templates {
            Template::new(&template.name, None, &template.text)
                .map_err(anyhow::Error::new)
                .with_context(|| format!("template {} cannot be parsed", template.origin))?;
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.text.as_str())),
        )
        .map_err(anyhow::Error::new)
        .context(
            "the templates do not fit together (check their {% extends %} and {% import %} names)",
        )?;
        Ok(Renderer { tera, theme })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(anyhow::Error::new)
            .with_context(|| {
                let origin = self
                    .theme
                    .templates
                    .iter()
                    .find(|t| t.name == name)
                    .map_or(name, |t| &t.origin);
                format!("template {origin} failed")
            })
    }

    pub fn theme(&self) -> &Theme {
        &self.theme
    }
}
