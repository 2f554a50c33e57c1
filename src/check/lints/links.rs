//! `broken-link`: links and images whose target the built site does not
//! have — another document, a heading (`#id`) of this or another page, an
//! archived version (and a heading in it), an asset. Targets resolve the
//! way a browser resolves them from the page's URL, against the
//! [`SiteMap`]. Links to other sites are not fetched; a link to the site's
//! own `base_url` is checked like a relative one.

use std::collections::{HashMap, HashSet};

use comrak::nodes::{AstNode, NodeValue};

use super::Subject;
use crate::check::finding::{Finding, span};
use crate::check::site_map::{SiteMap, VersionRef};
use crate::source::lint_levels::Lint;

/// A link as written, with where it is.
#[derive(Debug, Clone)]
pub struct LinkRef {
    pub url: String,
    /// 0-based body line and byte column.
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub image: bool,
}

/// Every link and image of a parsed body, in order.
pub fn links<'a>(root: &'a AstNode<'a>) -> Vec<LinkRef> {
    root.descendants()
        .filter_map(|node| {
            let data = node.data.borrow();
            let (url, image) = match &data.value {
                NodeValue::Link(link) => (link.url.clone(), false),
                NodeValue::Image(link) => (link.url.clone(), true),
                _ => return None,
            };
            let start = data.sourcepos.start;
            let end = data.sourcepos.end;
            let end_column = if end.line == start.line {
                end.column
            } else {
                start.column
            };
            Some(LinkRef {
                url,
                line: start.line.saturating_sub(1),
                column: start.column.saturating_sub(1),
                end_column,
                image,
            })
        })
        .collect()
}

/// The `id` attributes of rendered HTML: the fragments a link may name.
pub fn ids(html: &str) -> HashSet<String> {
    html.match_indices(" id=\"")
        .filter_map(|(at, needle)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

/// What a link names in the site, once resolved.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Another site, or a scheme such as `mailto:`: not checked.
    Elsewhere,
    /// A site path (leading `/`) and a fragment.
    Site {
        path: String,
        fragment: Option<String>,
    },
}

/// Resolves `url` from the page at `page` (`/privacy/`).
fn resolve(url: &str, page: &str, base_url: Option<&str>) -> Target {
    let url = url.trim();
    let local = match base_url {
        Some(base) if url.starts_with(base) => {
            // The base URL's own path is the site root.
            format!("/{}", &url[base.len()..])
        }
        _ => url.to_string(),
    };
    if local.is_empty() || local.starts_with("//") || has_scheme(&local) {
        return Target::Elsewhere;
    }
    let (rest, fragment) = match local.split_once('#') {
        Some((rest, fragment)) => (rest, Some(percent_decode(fragment))),
        None => (local.as_str(), None),
    };
    let rest = rest.split('?').next().unwrap_or_default();
    let joined = if rest.is_empty() {
        page.to_string()
    } else if rest.starts_with('/') {
        rest.to_string()
    } else {
        let folder = &page[..page.rfind('/').map_or(0, |i| i + 1)];
        format!("{folder}{rest}")
    };
    Target::Site {
        path: normalize(&percent_decode(&joined)),
        fragment,
    }
}

fn has_scheme(url: &str) -> bool {
    url.split_once(':')
        .is_some_and(|(scheme, _)| crate::text::urls::is_scheme(scheme))
}

/// `/a/./b/../c` → `/a/c`, keeping a trailing `/`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    parts.push("");
                }
            }
            ".." => {
                parts.pop();
                if last {
                    parts.push("");
                }
            }
            "" if !last => {}
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Heading ids of archived versions, read from git the first time a link
/// names one with a fragment.
pub struct VersionIds<'a> {
    pub repo: Option<&'a git2::Repository>,
    pub history: &'a crate::history::History,
    pub options: crate::text::markdown::MarkdownOptions,
    cache: HashMap<String, Option<HashSet<String>>>,
}

impl<'a> VersionIds<'a> {
    pub fn new(
        repo: Option<&'a git2::Repository>,
        history: &'a crate::history::History,
        options: crate::text::markdown::MarkdownOptions,
    ) -> Self {
        VersionIds {
            repo,
            history,
            options,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, path: &str, at: VersionRef) -> Option<&HashSet<String>> {
        let (repo, history, options) = (self.repo, self.history, self.options);
        self.cache
            .entry(path.to_string())
            .or_insert_with(|| {
                let version = history.docs.get(at.document)?.versions.get(at.version)?;
                let texts =
                    crate::site::archive::read_texts(repo?, std::slice::from_ref(version), options)
                        .ok()?;
                texts.first().map(|text| ids(&text.rendered.html))
            })
            .as_ref()
    }
}

pub fn check(
    subject: &Subject<'_>,
    links: &[LinkRef],
    site: &SiteMap,
    document_ids: &[HashSet<String>],
    version_ids: &mut VersionIds<'_>,
) -> Vec<Finding> {
    let page = format!("/{}", subject.doc.url.trim_start_matches('/'));
    let base_url = subject.config.base_url.as_deref();
    let mut findings = Vec::new();
    for link in links {
        let Target::Site { path, fragment } = resolve(&link.url, &page, base_url) else {
            continue;
        };
        let problem = match site.find(&path) {
            None => Some(format!(
                "`{}` links to {path}, which the site does not have",
                link.url
            )),
            Some(found) => fragment.filter(|f| !f.is_empty()).and_then(|fragment| {
                let known = if let Some(&document) = site.documents.get(&found) {
                    document_ids
                        .get(document)
                        .map(|ids| ids.contains(&fragment))
                } else if let Some(&version) = site.versions.get(&found) {
                    version_ids
                        .get(&found, version)
                        .map(|ids| ids.contains(&fragment))
                } else {
                    // Pages the theme makes: their ids are its business.
                    None
                };
                (known == Some(false)).then(|| {
                    format!(
                        "`{}` links to #{fragment} on {found}, which has no such heading",
                        link.url
                    )
                })
            }),
        };
        let Some(message) = problem else { continue };
        let line = subject.line(link.line);
        let what = if link.image { "image" } else { "link" };
        findings.push(Finding::at(
            Lint::BrokenLink,
            &subject.doc.display_path,
            span(subject.file_line(link.line), line, link.column, link.end_column),
            message,
            format!("point the {what} at a page the site has (links between documents are site URLs such as `/terms/`, or `../terms/#id`), or remove it"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str) -> Target {
        resolve(url, "/privacy/", Some("https://example.com/legal/"))
    }

    fn at(path: &str, fragment: Option<&str>) -> Target {
        Target::Site {
            path: path.into(),
            fragment: fragment.map(str::to_string),
        }
    }

    #[test]
    fn links_resolve_as_a_browser_resolves_them() {
        assert_eq!(site("../terms/"), at("/terms/", None));
        assert_eq!(site("#contact"), at("/privacy/", Some("contact")));
        assert_eq!(site("/terms/#fees"), at("/terms/", Some("fees")));
        assert_eq!(
            site("versions/2026-03-03/"),
            at("/privacy/versions/2026-03-03/", None)
        );
        assert_eq!(
            site("https://example.com/legal/terms/"),
            at("/terms/", None)
        );
        assert_eq!(
            site("../img/My%20Logo.png?v=2"),
            at("/img/My Logo.png", None)
        );
        assert_eq!(site("https://other.example/"), Target::Elsewhere);
        assert_eq!(site("mailto:privacy@example.com"), Target::Elsewhere);
        assert_eq!(site("//cdn.example/x.js"), Target::Elsewhere);
    }
}
