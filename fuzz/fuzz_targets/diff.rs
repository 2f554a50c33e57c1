//! Two versions of a document (split at the first NUL): the redline, the
//! section summary and the editorial rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline::diff;
use redline::text::markdown::MarkdownOptions;

fuzz_target!(|text: &str| {
    let (old, new) = text.split_once('\0').unwrap_or((text, ""));
    let options = MarkdownOptions::default();
    let old_blocks = diff::blocks("Old", old, options);
    let new_blocks = diff::blocks("New", new, options);
    let comparison = diff::compare(&old_blocks, &new_blocks);
    diff::describe(&comparison.sections);
    let same = diff::compare(&new_blocks, &new_blocks);
    assert_eq!(same.words_added + same.words_removed, 0, "a version equals itself");
});
