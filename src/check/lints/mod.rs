//! The lints, one module each (or a small group that reads the same
//! facts). Each takes a [`Subject`], one document with what the driver read
//! about it, and returns findings at the lint's default level; the driver
//! applies the configured levels.

pub mod dates;
pub mod history;
pub mod links;
pub mod publish;
pub mod sanitized;
pub mod sections;
pub mod wording;

use crate::history::DocHistory;
use crate::source::config::Config;
use crate::source::content::Document;

/// One document and what is known about it.
pub struct Subject<'a> {
    pub config: &'a Config,
    pub doc: &'a Document,
    pub history: &'a DocHistory,
    /// The body's lines, without their line endings.
    body_lines: Vec<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn new(config: &'a Config, doc: &'a Document, history: &'a DocHistory) -> Subject<'a> {
        Subject {
            config,
            doc,
            history,
            body_lines: doc.body.lines().collect(),
        }
    }

    /// The body's lines with their 0-based index in the body.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        self.body_lines.iter().copied().enumerate()
    }

    /// The body line at `index` (empty past the end).
    pub fn line(&self, index: usize) -> &'a str {
        self.body_lines.get(index).copied().unwrap_or_default()
    }

    /// The 1-based line in the file of body line `index`.
    pub fn file_line(&self, index: usize) -> usize {
        self.doc.body_line + index
    }

    /// The body line for a 1-based line of the body (comrak's positions).
    pub fn body_index(&self, body_line: usize) -> usize {
        body_line.saturating_sub(1)
    }
}
