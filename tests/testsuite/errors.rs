//! Every bad input gives one clear message naming the file (and line where
//! known), exit status 1, and no output written. Messages are snapshots.

use crate::harness::{TestRepo, policy};

const DATE: &str = "2026-03-03T10:00:00+00:00";

/// Builds and returns the redacted error text.
fn build_error(repo: &TestRepo, args: &[&str]) -> String {
    let run = repo.redline(args).failure();
    assert!(
        !repo.exists("public/versions.json"),
        "a failed build writes nothing"
    );
    repo.redact(&run.stderr)
}

fn committed(files: &[(&str, &[u8])]) -> TestRepo {
    TestRepo::committed(files, DATE)
}

#[test]
fn invalid_yaml_front_matter() {
    let repo = committed(&[(
        "content/privacy.md",
        b"---\ntitle: Privacy\ntopics: [a, b\n---\nText\n",
    )]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn wrong_type_in_front_matter() {
    let repo = committed(&[(
        "content/privacy.md",
        b"---\ntitle: Privacy\neffective: soon\n---\nText\n",
    )]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn unknown_config_key() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        (
            "redline.toml",
            b"title = \"Legal\"\nbase_ulr = \"https://example.com/\"\n",
        ),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn invalid_toml_config() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        ("redline.toml", b"title = \"Legal\n"),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn invalid_exclude_pattern() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        (
            "redline.toml",
            b"exclude = [\"README.md\", \"drafts/[a\"]\n",
        ),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn the_first_bad_file_in_folder_order_is_the_one_named() {
    // Files are read in parallel; the message must not depend on which
    // thread finished first.
    let mut files: Vec<(String, &[u8])> = (0..40)
        .map(|i| (format!("content/p{i:02}.md"), b"Fine.\n".as_slice()))
        .collect();
    files[7].1 = b"---\ntitle: [\n---\nx\n";
    files[31].1 = b"---\ntitle: [\n---\ny\n";
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let repo = committed(&files);
    for _ in 0..5 {
        let error = build_error(&repo, &["build"]);
        assert!(error.contains("content/p07.md:"), "{error}");
        assert!(!error.contains("p31"), "{error}");
    }
}

#[test]
fn non_utf8_file() {
    let repo = committed(&[(
        "content/privacy.md",
        b"---\ntitle: Privacy\n---\nCaf\xe9 au lait\n",
    )]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn missing_content_folder() {
    let repo = committed(&[("README.md", b"hi")]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn unknown_theme() {
    let repo = committed(&[("content/privacy.md", policy("Privacy", "x").as_bytes())]);
    insta::assert_snapshot!(build_error(&repo, &["build", "--theme", "fancy"]));
}

#[test]
fn template_syntax_error() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        ("templates/page.html", b"{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n"),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn template_extends_a_missing_parent() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        (
            "templates/page.html",
            b"{% extends \"layout.html\" %}\n{% block content %}x{% endblock content %}\n",
        ),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn template_render_error() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        ("templates/page.html", b"{% extends \"base.html\" %}\n{% block content %}{{ page.no_such_field }}{% endblock content %}\n"),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn two_documents_with_one_url() {
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        (
            "content/privacy/index.md",
            policy("Privacy too", "y").as_bytes(),
        ),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build"]));
}

#[test]
fn output_inside_content() {
    let repo = committed(&[("content/privacy.md", policy("Privacy", "x").as_bytes())]);
    insta::assert_snapshot!(build_error(&repo, &["build", "--output", "content/public"]));
}

#[test]
fn output_folder_that_redline_did_not_write() {
    // Never replace a folder of someone else's files.
    let repo = committed(&[
        ("content/privacy.md", policy("Privacy", "x").as_bytes()),
        ("src/main.rs", b"fn main(){}"),
    ]);
    insta::assert_snapshot!(build_error(&repo, &["build", "--output", "src"]));
    assert_eq!(repo.read("src/main.rs"), "fn main(){}");
}

#[test]
fn build_in_an_empty_folder_suggests_init() {
    // In a new, empty folder `build` said only that `content` was missing,
    // not how to start a site.
    let repo = TestRepo::folder();
    let message = build_error(&repo, &["build"]);
    insta::assert_snapshot!(message);
    // The suggested command is one that works.
    let command = message
        .split('`')
        .find(|part| part.starts_with("redline init "))
        .expect("an init command");
    let dir = command.trim_start_matches("redline init ");
    assert_eq!(dir, "[ROOT]", "{message}");
    repo.redline(&["init", repo.path().to_str().expect("UTF-8 temp path")])
        .success();
    repo.build();
}
