//! A content file's bytes: front matter split, Markdown rendered, and the
//! fingerprint history compares versions by.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline::text::attributes::AllowedClasses;
use redline::text::markdown::{self, HtmlMode, MarkdownOptions};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(split) = redline::source::frontmatter::split(text) {
        assert!(text.ends_with(split.body), "the body is the end of the text");
        for html in [HtmlMode::Sanitize, HtmlMode::Escape, HtmlMode::Trust] {
            let options = MarkdownOptions {
                html,
                classes: AllowedClasses::new(&["note".into()]),
            };
            markdown::render(split.body, options);
        }
    }
    let options = MarkdownOptions::default();
    let once = redline::history::fingerprint(bytes, "doc", options);
    assert_eq!(once, redline::history::fingerprint(bytes, "doc", options));
});
