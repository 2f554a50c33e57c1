//! Rebasing relative links: an archived version is shown at
//! `<doc>/versions/<day>/`, two folders below the page its text was written
//! for, so its relative links and images (`../images/logo.png`) would point
//! elsewhere. Each relative `href` and `src` is resolved against the page
//! the version was published at, then written relative to the page it is
//! shown on. Pure: HTML in, HTML out.

/// Rewrites the relative `href="…"` and `src="…"` values in `html` (as the
/// renderer writes them: double-quoted) from pages at `written_for` (a
/// folder URL, `/privacy/`) to a page whose way back to the site root is
/// `root` (`../../../`). Other URLs are left alone; so is a `<a href>` that
/// only names a fragment or query.
pub fn rebase(html: &str, written_for: &str, root: &str) -> String {
    rebase_with(html, written_for, root, |path| path.to_string())
}

/// [`rebase`], with each resolved path (from the site root, no leading `/`)
/// passed through `place` first: where the file it names is kept.
pub fn rebase_with(
    html: &str,
    written_for: &str,
    root: &str,
    mut place: impl FnMut(&str) -> String,
) -> String {
    const ATTRIBUTES: [&[u8]; 2] = [b" href=\"", b" src=\""];
    let bytes = html.as_bytes();
    let find = |needle: &[u8], from: usize| {
        memchr::memmem::find(&bytes[from..], needle).map(|at| (from + at, needle.len()))
    };
    // The next match of each attribute, searched again only once passed,
    // so a page of many links and no images is read once, not once a link.
    let mut next = ATTRIBUTES.map(|needle| find(needle, 0));
    let mut out = String::with_capacity(html.len());
    let mut done = 0;
    while let Some((at, skip)) = next.iter().flatten().min().copied() {
        let value_start = at + skip;
        let Some(len) = memchr::memchr(b'"', &bytes[value_start..]) else {
            break;
        };
        out.push_str(&html[done..value_start]);
        let value = &html[value_start..value_start + len];
        match resolve(value, written_for) {
            Some(path) => {
                out.push_str(root);
                out.push_str(&place(&path));
            }
            None => out.push_str(value),
        }
        done = value_start + len;
        for (found, needle) in next.iter_mut().zip(ATTRIBUTES) {
            if found.is_some_and(|(p, _)| p < done) {
                *found = find(needle, done);
            }
        }
    }
    out.push_str(&html[done..]);
    out
}

/// `value` resolved against the folder `base`, as a path from the site root
/// without its leading `/`; None when it is not a relative path.
fn resolve(value: &str, base: &str) -> Option<String> {
    let first = value.chars().next()?;
    if matches!(first, '/' | '#' | '?') || has_scheme(value) {
        return None;
    }
    let (path, suffix) = value
        .find(['?', '#'])
        .map_or((value, ""), |at| value.split_at(at));
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for segment in path.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            segment => parts.push(segment),
        }
    }
    let mut resolved = parts.join("/");
    let folder = matches!(path, "." | "..")
        || path.ends_with('/')
        || path.ends_with("/.")
        || path.ends_with("/..");
    if folder && !resolved.is_empty() {
        resolved.push('/');
    }
    resolved.push_str(suffix);
    Some(resolved)
}

fn has_scheme(value: &str) -> bool {
    value
        .split_once(':')
        .is_some_and(|(scheme, _)| crate::text::urls::is_scheme(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_as_on_the_page_they_were_written_for() {
        let html = r##"<p><img src="../images/logo.png" alt="x"> <a href="terms/#a">t</a> <a href="https://x.example/">x</a> <a href="/abs/">a</a> <a href="#top">top</a> <a href="./">here</a></p>"##;
        let rebased = rebase(html, "/privacy/", "../../../");
        assert_eq!(
            rebased,
            r##"<p><img src="../../../images/logo.png" alt="x"> <a href="../../../privacy/terms/#a">t</a> <a href="https://x.example/">x</a> <a href="/abs/">a</a> <a href="#top">top</a> <a href="../../../privacy/">here</a></p>"##
        );
    }

    #[test]
    fn a_dot_names_the_folder_it_stands_in() {
        let html = r#"<a href=".">here</a> <a href="..">up</a>"#;
        assert_eq!(
            rebase(html, "/legal/privacy/", "../../../"),
            r#"<a href="../../../legal/privacy/">here</a> <a href="../../../legal/">up</a>"#
        );
    }

    #[test]
    fn a_value_left_open_ends_the_rewrite_without_losing_text() {
        let html = "<a href=\"x";
        assert_eq!(rebase(html, "/p/", "../"), html);
    }

    /// The rule read the simple way: search both attributes afresh from
    /// where the last value ended.
    fn rebase_simply(html: &str, written_for: &str, root: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        loop {
            let href = rest.find(" href=\"").map(|at| at + 7);
            let src = rest.find(" src=\"").map(|at| at + 6);
            let Some(start) = [href, src].into_iter().flatten().min() else {
                break;
            };
            let Some(len) = rest[start..].find('"') else {
                break;
            };
            out.push_str(&rest[..start]);
            let value = &rest[start..start + len];
            match resolve(value, written_for) {
                Some(path) => out.push_str(&format!("{root}{path}")),
                None => out.push_str(value),
            }
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        out
    }

    proptest::proptest! {
        #[test]
        fn rebasing_matches_the_simple_reading(
            html in "( href=\"| src=\"|a|\\.\\./|/|#|\"|<img|x:y){0,24}",
        ) {
            proptest::prop_assert_eq!(
                rebase(&html, "/privacy/", "../../"),
                rebase_simply(&html, "/privacy/", "../../")
            );
        }
    }
}
