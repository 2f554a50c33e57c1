//! One finding: which lint, how loud, where, what is wrong and how to fix
//! it. Every output format reads these and nothing else.

use serde::Serialize;

use crate::source::lint_levels::{Level, Lint};

/// A place in a source file; `line` and `column` are 1-based, the column
/// counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
    /// The whole line, for quoting.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(serialize_with = "lint_id")]
    pub lint: Lint,
    pub level: Level,
    /// The document's path relative to the site root (`content/privacy.md`).
    pub file: String,
    /// None for findings about the whole document (its history, its sections).
    pub span: Option<Span>,
    pub message: String,
    pub help: String,
}

fn lint_id<S: serde::Serializer>(lint: &Lint, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(lint.id())
}

impl Finding {
    /// A finding about the whole document, at the lint's default level
    /// (the driver applies the configured one).
    pub fn document(lint: Lint, file: &str, message: String, help: String) -> Finding {
        Finding {
            lint,
            level: lint.default_level(),
            file: file.to_string(),
            span: None,
            message,
            help,
        }
    }

    /// A finding at `column` (1-based, in characters) of `line` of `text`.
    pub fn at(lint: Lint, file: &str, span: Span, message: String, help: String) -> Finding {
        Finding {
            span: Some(span),
            ..Finding::document(lint, file, message, help)
        }
    }
}

/// A [`Span`] for the byte range `start..end` of line `line` (1-based in
/// the file) whose text is `text`.
pub fn span(line: usize, text: &str, start: usize, end: usize) -> Span {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let column = text.get(..start).map_or(1, |t| t.chars().count() + 1);
    let width = text.get(start..end).map_or(1, |t| t.chars().count().max(1));
    Span {
        line,
        column,
        width,
        text: text.to_string(),
    }
}
