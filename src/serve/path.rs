//! Request targets as site paths, and back: the one percent-decoding of a
//! target into the key of a site file, and the re-encoding of a resolved
//! path for a `Location` header. Pure, and the first thing untrusted bytes
//! of a request meet after tiny_http, so it has its own property test and
//! fuzz target (through `http::site_path`).

/// The site path a request target names, without the leading `/`
/// (`privacy/`, `style.css`, `` for the home page), or why it names none.
///
/// Only origin-form targets (`/…`) without control characters anywhere
/// (query included) are accepted; the path is percent-decoded exactly once
/// and must then be UTF-8 without control characters, backslashes (plain or
/// encoded), encoded slashes, drive letters or `.`/`..` segments.
pub fn site_path(target: &str) -> Result<String, &'static str> {
    if !target.starts_with('/') {
        return Err("only paths starting with / are served (no absolute URIs)");
    }
    if target.chars().any(char::is_control) {
        return Err("control characters in the request target");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).map_err(|_| "the path is not UTF-8")?;
    if decoded.chars().any(char::is_control) {
        return Err("control characters in the path");
    }
    if decoded.contains('\\') {
        return Err("backslashes in the path");
    }
    let trailing = decoded.ends_with('/');
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Err("`.` or `..` in the path");
        }
        if segment.contains(':') {
            return Err("`:` in the path (drive letters and schemes are not paths)");
        }
        segments.push(segment);
    }
    let mut key = segments.join("/");
    if trailing && !key.is_empty() {
        key.push('/');
    }
    Ok(key)
}

/// Decodes `%XX` once. An encoded `/` or `\\` is refused rather than
/// decoded: it would either split a segment the client meant as one name or
/// smuggle a separator past the segment checks.
fn percent_decode(text: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let byte = bytes
                .get(i + 1..i + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("a malformed %-escape")?;
            if byte == b'/' || byte == b'\\' {
                return Err("an encoded slash or backslash (%2F, %5C) in the path");
            }
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Re-encodes a decoded site path: every byte but the unreserved and
/// sub-delimiter characters, `@` and `/` is escaped (spaces, `%`, non-ASCII).
fn encode_path(path: &str) -> String {
    encode(path.as_bytes(), b"/@", false)
}

/// Re-encodes a raw query: valid `%XX` escapes stay as they are, anything
/// that is not a query character is escaped.
fn encode_query(query: &str) -> String {
    encode(query.as_bytes(), b"/?:@", true)
}

fn encode(bytes: &[u8], also: &[u8], keep_escapes: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let kept_escape = keep_escapes
            && byte == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        if byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=".contains(&byte)
            || also.contains(&byte)
            || kept_escape
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where `/key` redirects: the resolved path re-encoded, a slash, and the
/// query re-encoded; nothing of the raw target reaches the header as it came.
pub fn folder_location(key: &str, target: &str) -> String {
    let query = target
        .split('#')
        .next()
        .and_then(|t| t.split_once('?'))
        .map(|(_, query)| format!("?{}", encode_query(query)))
        .unwrap_or_default();
    format!("/{}/{query}", encode_path(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_happens_once() {
        // `%252e%252e` decodes once to `%2e%2e`, a plain (missing) name.
        assert_eq!(site_path("/%252e%252e/x").unwrap(), "%2e%2e/x");
        assert_eq!(site_path("/a%20b/").unwrap(), "a b/");
    }

    #[test]
    fn encoded_separators_are_refused_not_decoded() {
        assert_eq!(
            site_path("/a%2fb"),
            Err("an encoded slash or backslash (%2F, %5C) in the path")
        );
        assert!(site_path("/a%5Cb").is_err());
        assert!(site_path("/a?x=%2f").is_ok(), "the query is not the path");
    }

    #[test]
    fn locations_are_the_re_encoded_path_and_query() {
        assert_eq!(folder_location("a b", "/a%20b"), "/a%20b/");
        assert_eq!(folder_location("%2e", "/%252e"), "/%252e/");
        assert_eq!(
            folder_location("ü", "/%C3%BC?x=%zz y#f"),
            "/%C3%BC/?x=%25zz%20y"
        );
    }
}
