//! Redirects: every address a document ever had keeps answering. After a
//! rename or a new `slug`, each old address (the page, its version list,
//! every version page and redline, its feed) points to the new one; front
//! matter `aliases` (Hugo) and `redirect_from` (Jekyll) add more. Pure: the
//! list comes out of URLs and versions; the site writes the pages, a
//! `redirects.json` and a `_redirects` file (the format Netlify and
//! Cloudflare Pages read).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::render::pages::{self, VersionContext};

pub mod write;

/// One old address and where it now lives; both site-relative without a
/// leading `/` (`privacy/versions/2026-01-01/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    /// A page of the site may take this address back (a document created
    /// where another used to be): then the redirect yields. An address an
    /// author asked for never yields: it is an error to claim a real page.
    #[serde(skip)]
    pub yields: bool,
}

/// The redirects of a document now at `url` that was published at
/// `old_urls` before (both `/privacy/` style), for its `versions`.
pub fn moved(url: &str, old_urls: &[&str], versions: &[VersionContext]) -> Vec<Redirect> {
    let to = url.trim_start_matches('/');
    let mut redirects = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for old in old_urls {
        let from = old.trim_start_matches('/');
        if from == to || from.is_empty() || seen.contains(&from) {
            continue;
        }
        seen.push(from);
        let mut add = |from: String, to: String| {
            redirects.push(Redirect {
                from,
                to,
                yields: true,
            })
        };
        add(from.to_string(), to.to_string());
        if versions.is_empty() {
            continue;
        }
        add(
            pages::versions_index_url(from),
            pages::versions_index_url(to),
        );
        add(pages::feed_url(from), pages::feed_url(to));
        for version in versions {
            add(
                pages::version_url(from, &version.slug),
                pages::version_url(to, &version.slug),
            );
            if !version.diff_url.is_empty() {
                add(
                    pages::change_url(from, &version.slug),
                    pages::change_url(to, &version.slug),
                );
            }
        }
    }
    redirects
}

/// The addresses front matter asks for: `aliases` and `redirect_from`, each
/// a string or a list of strings, relative to the site root. Err names the
/// first address that is not a plain path inside the site (`..`, `.`, an
/// empty segment, white space, `\\`, `:`, `?`, `#` or control characters),
/// which could write outside the output or add rules to `_redirects`.
pub fn asked_for(meta: &Map<String, Value>, url: &str) -> Result<Vec<Redirect>, String> {
    let asked = asked_for_unchecked(meta, url);
    match asked.iter().find(|r| !is_plain_address(&r.from)) {
        Some(bad) => Err(bad.from.clone()),
        None => Ok(asked),
    }
}

/// Whether `address` (no leading `/`) names a path inside the site and
/// nothing else.
fn is_plain_address(address: &str) -> bool {
    let path = address.strip_suffix('/').unwrap_or(address);
    !path.is_empty()
        && path.split('/').all(|segment| {
            !matches!(segment, "" | "." | "..")
                && !segment.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, '\\' | ':' | '?' | '#')
                })
        })
}

fn asked_for_unchecked(meta: &Map<String, Value>, url: &str) -> Vec<Redirect> {
    let to = url.trim_start_matches('/');
    ["aliases", "redirect_from"]
        .iter()
        .filter_map(|key| meta.get(*key))
        .flat_map(|value| match value {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        })
        .map(|from| from.trim().trim_start_matches('/').to_string())
        .filter(|from| !from.is_empty() && from != to)
        .map(|from| Redirect {
            from,
            to: to.to_string(),
            yields: false,
        })
        .collect()
}

/// The output file that answers at `from`: a folder's `index.html`, or the
/// file itself for an address with an extension (`old.html`, `feed.xml`).
pub fn file_of(from: &str) -> String {
    let last = from.rsplit('/').next().unwrap_or(from);
    if from.ends_with('/') {
        format!("{from}index.html")
    } else if last.contains('.') {
        from.to_string()
    } else {
        format!("{from}/index.html")
    }
}

/// A URL for an HTML attribute: the characters HTML gives meaning escaped,
/// and nothing else, so the address stays readable.
pub fn attribute(url: &str) -> String {
    url.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `_redirects`: one `from to 301` line each, addresses from the root.
pub fn netlify(redirects: &[Redirect]) -> String {
    redirects
        .iter()
        .map(|r| format!("/{} /{} 301\n", r.from, r.to))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_addresses_become_redirects_to_the_page() {
        let meta: Map<String, Value> = serde_json::from_str(
            r#"{"aliases": "/old.html", "redirect_from": ["/a/", "b", 3, "/now/"]}"#,
        )
        .unwrap();
        let redirects = asked_for(&meta, "/now/").expect("plain addresses");
        let froms: Vec<&str> = redirects.iter().map(|r| r.from.as_str()).collect();
        assert_eq!(froms, ["old.html", "a/", "b"]);
        assert!(redirects.iter().all(|r| r.to == "now/" && !r.yields));
        assert_eq!(file_of("old.html"), "old.html");
        assert_eq!(file_of("a/"), "a/index.html");
        assert_eq!(file_of("b"), "b/index.html");
    }

    #[test]
    fn addresses_outside_the_site_or_that_add_rules_are_refused() {
        for bad in [
            "../../x/",
            "a/../../.bashrc",
            "./a",
            "a//b",
            "a b",
            "/* https://evil.example 301\n/x",
            "c:\\x",
            "a?b",
            "a\u{7}",
        ] {
            let meta: Map<String, Value> =
                serde_json::from_value(serde_json::json!({ "aliases": [bad] })).unwrap();
            assert_eq!(
                asked_for(&meta, "/now/").map(|_| ()),
                Err(bad.trim().trim_start_matches('/').to_string()),
                "{bad:?}"
            );
        }
    }
}
