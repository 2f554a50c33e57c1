//! Absolute addresses for printed links: every relative link of a page
//! gets `data-print-url` with the address it resolves to, so the print
//! stylesheet can write it after the link (`attr()` cannot resolve a
//! relative `href` by itself). Done once, on the rendered HTML, so links
//! from the Markdown and from every template are covered alike; only when
//! the page has an absolute address (`base_url` is set).

/// The attribute the print stylesheet reads.
const ATTRIBUTE: &str = "data-print-url";

/// `html` with `data-print-url` added to each `<a>` whose `href` is
/// relative, resolved against `page_url` (the page's absolute address).
/// Links within the page (`#…`) and absolute ones are left as they are.
pub fn mark(html: &str, page_url: &str) -> String {
    // The page's address goes into attributes unescaped: one that would
    // need escaping (no real base_url does) is left out instead.
    let Some(origin) = origin(page_url).filter(|_| !page_url.contains(['"', '<', '>', '&'])) else {
        return html.to_string();
    };
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        let (before, tag_and_rest) = rest.split_at(at);
        out.push_str(before);
        let Some(end) = tag_and_rest.find('>') else {
            rest = tag_and_rest;
            break;
        };
        let tag = &tag_and_rest[..end];
        out.push_str(tag);
        if !tag.contains(ATTRIBUTE)
            && let Some(url) = href(tag).and_then(|href| resolve(origin, page_url, href))
        {
            out.push_str(&format!(" {ATTRIBUTE}=\"{url}\""));
        }
        rest = &tag_and_rest[end..];
    }
    out.push_str(rest);
    out
}

/// The `href` value of a tag as written (still HTML-escaped).
fn href(tag: &str) -> Option<&str> {
    let start = tag.find(" href=\"")? + " href=\"".len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// `https://host:port` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let host_len = url[after_scheme..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - after_scheme);
    Some(&url[..after_scheme + host_len])
}

/// The absolute address of a relative `href` on the page at `page_url`;
/// None for in-page links, absolute links and other schemes (`mailto:`).
fn resolve(origin: &str, page_url: &str, href: &str) -> Option<String> {
    if href.is_empty() || href.starts_with('#') || href.starts_with("//") || has_scheme(href) {
        return None;
    }
    let split = href.find(['?', '#']).unwrap_or(href.len());
    let (path, tail) = href.split_at(split);
    let base_path = if path.starts_with('/') {
        ""
    } else {
        let page_path = &page_url[origin.len()..];
        let page_path = &page_path[..page_path.find(['?', '#']).unwrap_or(page_path.len())];
        &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)]
    };
    let joined = format!("{base_path}{path}");
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = joined.split('/').collect();
    for (k, segment) in parts.iter().enumerate() {
        let last = k + 1 == parts.len();
        match *segment {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            segment => segments.push(segment),
        }
    }
    let mut path = segments.join("/");
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    Some(format!("{origin}{path}{tail}"))
}

/// Whether a reference starts with a scheme (`https:`, `mailto:`).
fn has_scheme(href: &str) -> bool {
    let Some(colon) = href.find(':') else {
        return false;
    };
    let scheme = &href[..colon];
    scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://legal.example/policies/privacy/versions/2026-03-02/";

    #[test]
    fn relative_links_resolve_as_a_browser_resolves_them() {
        let origin = origin(PAGE).unwrap();
        let at = |href| resolve(origin, PAGE, href);
        assert_eq!(
            at("../../").as_deref(),
            Some("https://legal.example/policies/privacy/")
        );
        assert_eq!(
            at("../../../../terms/#use").as_deref(),
            Some("https://legal.example/terms/#use")
        );
        assert_eq!(
            at("../../../../../../x").as_deref(),
            Some("https://legal.example/x")
        );
        assert_eq!(
            at("feed.xml").as_deref(),
            Some("https://legal.example/policies/privacy/versions/2026-03-02/feed.xml")
        );
        assert_eq!(
            at("/cookies/?a=1").as_deref(),
            Some("https://legal.example/cookies/?a=1")
        );
        assert_eq!(at("./").as_deref(), Some(PAGE));
        for left in [
            "#top",
            "",
            "https://x.example/",
            "mailto:a@b.example",
            "//cdn.example/",
        ] {
            assert_eq!(at(left), None, "{left}");
        }
    }

    #[test]
    fn only_relative_links_are_marked_and_nothing_else_changes() {
        let html = "<p><a href=\"../../\">Now</a> <a class=\"anchor\" href=\"#x\">#</a> \
                    <a href=\"https://x.example/\">x</a></p><abbr>a</abbr>";
        let marked = mark(html, PAGE);
        assert_eq!(
            marked,
            "<p><a href=\"../../\" data-print-url=\"https://legal.example/policies/privacy/\">Now</a> \
             <a class=\"anchor\" href=\"#x\">#</a> <a href=\"https://x.example/\">x</a></p><abbr>a</abbr>"
        );
        assert_eq!(mark(&marked, PAGE), marked, "marking twice adds nothing");
        assert_eq!(mark(html, "not a url"), html);
    }
}
