//! The small files every site has beside its pages: `sitemap.xml` and
//! `robots.txt`. Pure functions of the page list.

use crate::text::control_chars::xml_safe;

/// One entry of the sitemap.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    /// Site path starting with `/`.
    pub path: String,
    /// `YYYY-MM-DD`, when known.
    pub lastmod: Option<String>,
    /// The page in other languages: (`hreflang`, path), `x-default` too.
    pub alternates: Vec<(String, String)>,
}

/// A sitemap (sitemaps.org 0.9). Locations are absolute when the site has a
/// base URL; without one they are root-relative and the build warns.
pub fn sitemap(base_url: Option<&str>, entries: &[SitemapEntry]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"",
    );
    if entries.iter().any(|e| !e.alternates.is_empty()) {
        xml.push_str(" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"");
    }
    xml.push_str(">\n");
    for entry in entries {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&escape_xml(&absolute(base_url, &entry.path)));
        xml.push_str("</loc>\n");
        if let Some(lastmod) = &entry.lastmod {
            xml.push_str("    <lastmod>");
            xml.push_str(&escape_xml(lastmod));
            xml.push_str("</lastmod>\n");
        }
        for (hreflang, path) in &entry.alternates {
            xml.push_str("    <xhtml:link rel=\"alternate\" hreflang=\"");
            xml.push_str(&escape_xml(hreflang));
            xml.push_str("\" href=\"");
            xml.push_str(&escape_xml(&absolute(base_url, path)));
            xml.push_str("\"/>\n");
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Allows everything and points at the sitemap when its address is known.
pub fn robots(base_url: Option<&str>) -> String {
    match base_url {
        Some(base) => format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_string(),
    }
}

/// `path` (starting with `/`) under the base URL, or as it is without one.
pub fn absolute(base_url: Option<&str>, path: &str) -> String {
    match base_url {
        Some(base) => format!("{base}{}", path.trim_start_matches('/')),
        None => path.to_string(),
    }
}

/// Escapes text for XML character data and attributes, leaving out what
/// XML forbids.
pub fn escape_xml(text: &str) -> String {
    let text = xml_safe(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_has_absolute_locations_and_lastmod() {
        let xml = sitemap(
            Some("https://example.com/legal/"),
            &[SitemapEntry {
                alternates: Vec::new(),
                path: "/privacy/".into(),
                lastmod: Some("2026-03-03".into()),
            }],
        );
        assert!(
            xml.contains("<loc>https://example.com/legal/privacy/</loc>"),
            "{xml}"
        );
        assert!(xml.contains("<lastmod>2026-03-03</lastmod>"), "{xml}");
        assert!(
            robots(Some("https://example.com/"))
                .contains("Sitemap: https://example.com/sitemap.xml")
        );
    }
}
