//! Property tests over the parsers of untrusted bytes — content files (front
//! matter, Markdown, the fingerprint history compares), the recipients CSV,
//! the diff and the preview server's request paths: on any input they
//! answer without panicking, and what they accept keeps its promises. The
//! same properties are the fuzz targets in `fuzz/`, run there for longer.

use proptest::prelude::*;
use redline::diff;
use redline::history;
use redline::notify::recipients;
use redline::serve::http;
use redline::source::frontmatter;
use redline::text::attributes::AllowedClasses;
use redline::text::markdown::{self, HtmlMode, MarkdownOptions};

const OPTIONS: MarkdownOptions = MarkdownOptions {
    html: HtmlMode::Sanitize,
    classes: AllowedClasses::NONE,
};

/// Text built from the pieces that make front matter and Markdown
/// interesting, so short cases reach deep into the parsers.
fn document() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "---\n",
        "+++\n",
        "title: T\n",
        "title = \"T\"\n",
        "effective: 2026-13-40\n",
        "draft: [\n",
        "# Head\n",
        "## Sub {#id}\n",
        "- item\n",
        "1. one\n",
        "\n",
        "| a | b |\n|---|---|\n",
        "<table><tr><td>x</td></tr></table>\n",
        "<!-- note -->\n",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>\n",
        "{: #id .c k=\"v\" }\n",
        "<td>\n\n",
        "</tr>\n",
        "[link](javascript:alert(1))\n",
        "~~gone~~ ",
        "\u{a0} ",
        "\r\n",
        "\u{feff}",
        "\u{0b}",
        "`code`",
        "> quote\n",
        "```\nfence\n",
        "word ",
    ]);
    prop::collection::vec(
        prop_oneof![piece.prop_map(str::to_owned), "\\PC{0,6}"],
        0..24,
    )
    .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn content_files_split_render_and_fingerprint_without_panicking(text in document()) {
        if let Ok(split) = frontmatter::split(&text) {
            prop_assert!(text.ends_with(split.body));
            prop_assert!(split.body_line >= 1);
            let rendered = markdown::render(split.body, OPTIONS);
            prop_assert!(!rendered.html.contains("<script"));
        }
        let once = history::fingerprint(text.as_bytes(), "doc", OPTIONS);
        prop_assert_eq!(once, history::fingerprint(text.as_bytes(), "doc", OPTIONS));
    }

    #[test]
    fn front_matter_errors_point_inside_the_file(text in document()) {
        if let Err(err) = frontmatter::split(&text) {
            prop_assert!(err.line >= 1 && err.line <= text.lines().count().max(1) + 1, "{}", err);
            prop_assert!(!err.message.is_empty());
        }
    }

    #[test]
    fn every_recipients_line_is_a_recipient_a_warning_or_skipped(
        lines in prop::collection::vec(
            prop_oneof![
                Just("email,name".to_owned()),
                Just("# comment".to_owned()),
                "[a-z]{1,5}@[a-z]{1,5}\\.(com|de)(,\"[A-Za-z ,\"]{0,8}\"?)?",
                "\\PC{0,12}",
            ],
            0..12,
        )
    ) {
        let text = lines.join("\n");
        let (people, warnings) = recipients::parse("recipients.csv", &text);
        // A line is a recipient, a warning, both (a recipient whose
        // language column is no language code gets the default language,
        // and a warning), or skipped: never two warnings or two people.
        prop_assert!(people.len() <= text.lines().count());
        let mut warned_lines = std::collections::HashSet::new();
        for warning in &warnings {
            prop_assert!(warning.starts_with("recipients.csv:"), "{}", warning);
            let line = warning.split(':').nth(1).unwrap_or_default().to_string();
            prop_assert!(warned_lines.insert(line), "two warnings for one line: {:?}", warnings);
        }
        for person in &people {
            if let Some(name) = &person.name {
                prop_assert!(!name.is_empty() && !name.contains(['\r', '\n']));
            }
        }
    }

    #[test]
    fn two_versions_compare_and_a_version_equals_itself(old in document(), new in document()) {
        let old_blocks = diff::blocks("Old", &old, OPTIONS);
        let new_blocks = diff::blocks("New", &new, OPTIONS);
        let comparison = diff::compare(&old_blocks, &new_blocks);
        diff::describe(&comparison.sections, &diff::SummaryWords::english());
        let same = diff::compare(&new_blocks, &new_blocks);
        prop_assert_eq!(same.words_added + same.words_removed, 0);
        prop_assert!(same.sections.is_empty(), "{:?}", same.sections);
    }

    #[test]
    fn request_heads_are_judged_alike_however_they_arrive(
        head in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            "[A-Z]{1,5} /[a-z%?\r\n\t ]{0,20} HTTP/1\\.[01](\r\n[A-Za-z]{1,8}: [a-z\r\n]{0,10}){0,3}\r\n\r\n"
                .prop_map(String::into_bytes),
        ],
        cut in 0usize..80,
    ) {
        use redline::serve::gate::{HeadScan, Scan};
        let whole = HeadScan::default().next(&head, 64);
        let cut = cut.min(head.len());
        let mut scan = HeadScan::default();
        let first = scan.next(&head[..cut], 64);
        let split = if first == Scan::Partial { scan.next(&head, 64) } else { first };
        prop_assert_eq!(whole, split);
        if whole == Scan::Complete {
            let end = head.windows(4).position(|w| w == b"\r\n\r\n");
            prop_assert!(end.is_some());
            let end = end.unwrap_or_default();
            prop_assert!(head[..end].iter().all(|&b| b.is_ascii() && (b >= 0x20 || b"\r\n\t".contains(&b)) && b != 0x7f));
        }
    }

    #[test]
    fn accepted_request_paths_stay_inside_the_site(
        target in prop_oneof![
            "/[a-z./%0-9A-F\\\\?#]{0,16}",
            "/(%2[eE]|%2[fF]|%5[cC]|\\.|/|%00|%0[dD]|a){0,8}",
            "\\PC{0,12}",
        ]
    ) {
        http::classify("GET", &target);
        if let Ok(path) = http::site_path(&target) {
            prop_assert!(!path.starts_with('/'), "{}", path);
            prop_assert!(!path.contains('\\') && !path.chars().any(char::is_control), "{}", path);
            prop_assert!(path.split('/').all(|s| s != ".." && s != "."), "{}", path);
        }
    }
}
