//! Which link and image targets may be published: relative ones and those
//! with a scheme in [`SAFE_SCHEMES`], read the way a browser reads them.
//! Markdown links, raw HTML and the classifier's link targets share it.

use std::borrow::Cow;

/// Link schemes that may become live links; anything else with a scheme
/// (`javascript:`, `vbscript:`, `data:`, `file:`, …) renders as an empty href.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Keeps a URL only when it is relative or uses a scheme in [`SAFE_SCHEMES`].
/// Browsers ignore tabs and newlines inside URLs and leading control
/// characters, so the scheme is read the way a browser would read it.
pub fn safe_url(url: &str) -> String {
    // Most links have no control characters to read past: no cleaned copy.
    let cleaned: Cow<str> = if url.bytes().any(|b| b <= b' ') {
        url.trim_start_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect::<String>()
            .into()
    } else {
        url.into()
    };
    match scheme(&cleaned) {
        Some(scheme) if !is_safe_scheme(scheme) => String::new(),
        _ => url.to_string(),
    }
}

fn is_safe_scheme(scheme: &str) -> bool {
    SAFE_SCHEMES
        .iter()
        .any(|safe| safe.eq_ignore_ascii_case(scheme))
}

/// The scheme of `url` (`https` in `https://…`), if it has one.
fn scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let candidate = &url[..colon];
    is_scheme(candidate).then_some(candidate)
}

/// Whether `candidate` is spelled as a URL scheme (RFC 3986: a letter, then
/// letters, digits, `+`, `-` or `.`).
pub fn is_scheme(candidate: &str) -> bool {
    candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        && candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
    #[test]
    fn safe_urls_read_the_scheme_as_a_browser_would(
        url in "[ \t\n\x01]{0,2}[jJhH][a-zA-Z:\t]{0,12}[:/]{0,3}x",
    ) {
        // The same rule, always through the cleaned copy.
        let cleaned: String = url
            .trim_start_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let live = scheme(&cleaned).is_none_or(is_safe_scheme);
        let expected = if live { url.clone() } else { String::new() };
        proptest::prop_assert_eq!(safe_url(&url), expected);
    }
    }

    #[test]
    fn relative_urls_and_safe_schemes_stay() {
        assert_eq!(safe_url("https://x.example/a:b"), "https://x.example/a:b");
        assert_eq!(safe_url("/privacy/#a:b"), "/privacy/#a:b");
        assert_eq!(
            safe_url("mailto:privacy@x.example"),
            "mailto:privacy@x.example"
        );
        assert_eq!(safe_url(" java\tscript:alert(1)"), "");
    }
}
