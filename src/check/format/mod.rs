//! The four ways `redline check` prints its findings: `human` (rustc and
//! clippy's layout), `github` (workflow commands that annotate a pull
//! request), `sarif` (2.1.0, for code-scanning dashboards) and `json`.

mod github;
mod human;
mod json;
mod sarif;

use super::Report;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
    Sarif,
}

/// The whole output of a run, ending in a newline.
pub fn render(format: Format, report: &Report) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
        Format::Sarif => sarif::render(report),
    }
}
