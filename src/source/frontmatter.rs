//! Front matter: split a document's text into its YAML (`---`) or TOML
//! (`+++`) header and the Markdown body, and read the keys redline knows.
//! Keys it doesn't know are kept for templates, never rejected: real policy
//! repositories carry `redirect_from`, `versions`, `topics` and more.

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::source::location::line_col;

/// The keys redline understands, read from the header; `meta` holds them all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub slug: Option<String>,
    pub draft: bool,
    pub effective: Option<Date>,
    pub updated: Option<Date>,
    pub weight: Option<i64>,
    pub notice: Option<String>,
    /// A translation's source, when its path does not say it: the source's
    /// path under the content folder (`privacy.md`) or its URL (`/privacy/`).
    pub translation_of: Option<String>,
    /// The source version a translation was made from: a commit or a date.
    pub translation_of_version: Option<Pinned>,
    /// Every key of the header, known or not, for templates.
    pub meta: Map<String, Value>,
}

/// A value with the file line it was written on, to point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    pub value: String,
    pub line: usize,
}

/// A document's text split into header and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    pub front: FrontMatter,
    pub body: &'a str,
    /// The 1-based line of the source on which `body` starts.
    pub body_line: usize,
}

/// Why a header could not be read, with the 1-based position in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for FrontMatterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Toml,
}

/// Splits `text` (BOM already removed) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let Some((format, fence)) = opening_fence(text) else {
        return Ok(Split {
            front: FrontMatter::default(),
            body: text,
            body_line: 1,
        });
    };
    let header_start = first_line_end(text);
    let Some((header_end, body_start)) = closing_fence(text, header_start, fence) else {
        return Err(FrontMatterError {
            line: 1,
            column: 1,
            message: format!(
                "front matter opened with `{fence}` is never closed; add a line `{fence}` after it"
            ),
        });
    };
    let header = &text[header_start..header_end];
    // Line numbers in parser errors count from the header's first line, which
    // is line 2 of the file.
    let offset_lines = 1;
    let meta = match format {
        Format::Yaml => parse_yaml(header, offset_lines)?,
        Format::Toml => parse_toml(header, offset_lines)?,
    };
    let front = known_keys(meta, header, offset_lines)?;
    let body_line = text[..body_start].matches('\n').count() + 1;
    Ok(Split {
        front,
        body: &text[body_start..],
        body_line,
    })
}

fn opening_fence(text: &str) -> Option<(Format, &'static str)> {
    let first = text.lines().next()?.trim_end();
    match first {
        "---" => Some((Format::Yaml, "---")),
        "+++" => Some((Format::Toml, "+++")),
        _ => None,
    }
}

fn first_line_end(text: &str) -> usize {
    text.find('\n').map_or(text.len(), |i| i + 1)
}

/// Finds the closing fence line: returns (end of header, start of body).
fn closing_fence(text: &str, from: usize, fence: &str) -> Option<(usize, usize)> {
    let mut pos = from;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..line_end].trim_end();
        if line == fence || (fence == "---" && line == "...") {
            return Some((pos, line_end));
        }
        pos = line_end;
    }
    None
}

fn parse_yaml(header: &str, offset_lines: usize) -> Result<Map<String, Value>, FrontMatterError> {
    if header.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_yaml::from_str(header).map_err(|err| {
        let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        FrontMatterError {
            line: line + offset_lines,
            column,
            message: format!(
                "invalid YAML front matter: {}",
                strip_yaml_position(&err.to_string())
            ),
        }
    })?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(FrontMatterError {
            line: 1 + offset_lines,
            column: 1,
            message: "front matter must be a set of `key: value` lines".into(),
        }),
    }
}

/// serde_yaml appends " at line L column C"; we print the position ourselves.
fn strip_yaml_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

fn parse_toml(header: &str, offset_lines: usize) -> Result<Map<String, Value>, FrontMatterError> {
    let table: toml::Table = toml::from_str(header).map_err(|err| {
        let (line, column) = err.span().map_or((1, 1), |s| line_col(header, s.start));
        FrontMatterError {
            line: line + offset_lines,
            column,
            message: format!("invalid TOML front matter: {}", err.message().trim_end()),
        }
    })?;
    Ok(table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect())
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn known_keys(
    meta: Map<String, Value>,
    header: &str,
    offset_lines: usize,
) -> Result<FrontMatter, FrontMatterError> {
    let wrong = |key: &str, expected: &str| FrontMatterError {
        line: key_line(header, key) + offset_lines,
        column: 1,
        message: format!("front matter key `{key}` must be {expected}"),
    };
    let string = |key: &str| -> Result<Option<String>, FrontMatterError> {
        match meta.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(wrong(key, "text")),
        }
    };
    let date = |key: &str| -> Result<Option<Date>, FrontMatterError> {
        match string(key)? {
            None => Ok(None),
            Some(s) => parse_date(&s)
                .map(Some)
                .ok_or_else(|| wrong(key, "a date written as YYYY-MM-DD (for example 2026-12-01)")),
        }
    };
    let draft = match meta.get("draft") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(wrong("draft", "true or false")),
    };
    let weight = match meta.get("weight") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .ok_or_else(|| wrong("weight", "a whole number"))?,
        ),
        Some(_) => return Err(wrong("weight", "a whole number")),
    };
    let updated = match date("updated")? {
        Some(d) => Some(d),
        None => date("last_updated")?,
    };
    Ok(FrontMatter {
        title: string("title")?.filter(|t| !t.is_empty()),
        description: string("description")?.filter(|t| !t.is_empty()),
        slug: string("slug")?.filter(|t| !t.is_empty()),
        draft,
        effective: date("effective")?,
        updated,
        weight,
        notice: string("notice")?.filter(|t| !t.is_empty()),
        translation_of: string("translation_of")?.filter(|t| !t.is_empty()),
        translation_of_version: string("translation_of_version")?
            .filter(|t| !t.is_empty())
            .map(|value| Pinned {
                value,
                line: key_line(header, "translation_of_version") + offset_lines,
            }),
        meta,
    })
}

/// Accepts `2026-12-01` and datetimes that start with a date (`2026-12-01T10:00:00Z`).
fn parse_date(text: &str) -> Option<Date> {
    let head = text.get(..10)?;
    let rest = &text[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    head.parse().ok()
}

/// The 1-based line of `key` in the header, for pointing at a bad value.
fn key_line(header: &str, key: &str) -> usize {
    header
        .lines()
        .position(|line| {
            let line = line.trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
        })
        .map_or(1, |i| i + 1)
}

/// The title: front matter `title`, else the body's leading `# heading`, else
/// the file name. History uses the same rule, so a title change is a version.
pub fn resolve_title(front: &FrontMatter, leading_title: Option<&str>, stem: &str) -> String {
    front
        .title
        .clone()
        .or_else(|| leading_title.map(str::to_string))
        .unwrap_or_else(|| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Hi\n\ntext\n").unwrap();
        assert_eq!(s.body, "# Hi\n\ntext\n");
        assert_eq!(s.front, FrontMatter::default());
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn yaml_known_and_unknown_keys() {
        let text = "---\ntitle: Privacy\ndraft: true\neffective: 2026-12-01\nredirect_from: [/old/]\n---\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(s.front.title.as_deref(), Some("Privacy"));
        assert!(s.front.draft);
        assert_eq!(s.front.effective, Some(jiff::civil::date(2026, 12, 1)));
        assert_eq!(s.front.meta["redirect_from"], serde_json::json!(["/old/"]));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 7);
    }

    #[test]
    fn toml_with_crlf() {
        let s = split("+++\r\ntitle = \"Terms\"\r\nupdated = 2026-01-02\r\n+++\r\nBody").unwrap();
        assert_eq!(s.front.title.as_deref(), Some("Terms"));
        assert_eq!(s.front.updated, Some(jiff::civil::date(2026, 1, 2)));
        assert_eq!(s.body, "Body");
    }

    #[test]
    fn yaml_error_has_file_line() {
        let err = split("---\ntitle: ok\nbad: [unclosed\n---\n").unwrap_err();
        assert!(err.line >= 3, "{err:?}");
        assert!(
            err.message.starts_with("invalid YAML front matter"),
            "{err:?}"
        );
    }

    #[test]
    fn wrong_type_points_at_key() {
        let err = split("---\ntitle: x\ndraft: maybe\n---\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("`draft` must be true or false"));
        let err = split("---\neffective: next week\n---\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn unclosed_front_matter() {
        let err = split("---\ntitle: x\n").unwrap_err();
        assert!(err.message.contains("never closed"));
    }

    #[test]
    fn horizontal_rule_later_is_not_front_matter() {
        let s = split("Intro\n\n---\n\nMore\n").unwrap();
        assert_eq!(s.body_line, 1);
    }
}
