//! The notice region of a document's page: one place above the text where
//! the most important message is prominent, the rest are quiet lines, and
//! no fact (such as the effective date) is said twice.

use crate::harness::TestRepo;

fn policy(effective: Option<&str>, days: &str) -> String {
    let effective = effective.map_or(String::new(), |day| format!("effective: {day}\n"));
    format!(
        "---\ntitle: Privacy Policy\n{effective}---\n\n## What we collect\n\nWe collect your email adress.\n\n## How long we keep data\n\nWe keep prompts for {days} days.\n"
    )
}

/// What a reader sees between the title and the table of contents: the
/// date line and the notice region.
fn region(repo: &TestRepo) -> String {
    let page = repo.read("public/privacy/index.html");
    let start = page.find("</h1>").expect("a title") + "</h1>".len();
    let end = start
        + page[start..]
            .find("<nav class=\"toc\"")
            .expect("a table of contents");
    page[start..end].trim().to_string()
}

/// Published March 2, then a material change on March 10 with a notice.
fn material(repo: &TestRepo, effective: Option<&str>) {
    repo.commit_file(
        "content/privacy.md",
        &policy(effective.map(|_| "2026-03-02"), "30"),
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(effective, "90"),
        "Keep prompts longer\n\nNotice: We now keep prompts for 90 days.",
        "2026-03-10T10:00:00+00:00",
    );
}

#[test]
fn material_only() {
    let repo = TestRepo::new();
    material(&repo, None);
    repo.build_on("2026-03-12");
    insta::assert_snapshot!(region(&repo));
}

#[test]
fn scheduled_material_and_editorial() {
    // Four boxes (with a draft) used to stand before the text, and the
    // effective date was printed three times.
    let repo = TestRepo::new();
    material(&repo, Some("2026-04-01"));
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-04-01"), "90").replace("adress", "address"),
        "Fix a typo",
        "2026-03-12T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    let region = region(&repo);
    assert_eq!(region.matches("April 1, 2026").count(), 1, "{region}");
    assert_eq!(region.matches("class=\"notice ").count(), 1, "{region}");
    insta::assert_snapshot!(region);

    // With uncommitted edits too: still one box, the date still once.
    repo.write(
        "content/privacy.md",
        policy(Some("2026-04-01"), "90").replace("adress", "address and name"),
    );
    repo.build_on("2026-03-20");
    let region = self::region(&repo);
    assert_eq!(region.matches("April 1, 2026").count(), 1, "{region}");
    assert_eq!(region.matches("class=\"notice ").count(), 1, "{region}");
    assert_eq!(
        region.matches("<li class=\"notices__line").count(),
        2,
        "{region}"
    );
    assert!(region.contains("notices__line--unpublished"), "{region}");
}

#[test]
fn draft_and_scheduled() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-04-01"), "30"),
        "Publish ahead of time",
        "2026-03-02T10:00:00+00:00",
    );
    repo.write(
        "content/privacy.md",
        policy(Some("2026-04-01"), "30").replace("adress", "address"),
    );
    repo.build_on("2026-03-20");
    let region = region(&repo);
    assert_eq!(region.matches("April 1, 2026").count(), 1, "{region}");
    insta::assert_snapshot!(region);
}

#[test]
fn in_force_changes_keep_the_effective_date_on_the_date_line() {
    let repo = TestRepo::new();
    material(&repo, Some("2026-03-10"));
    repo.build_on("2026-03-12");
    let region = region(&repo);
    // Last updated and in force the same day: each said once.
    assert_eq!(region.matches("March 10, 2026").count(), 2, "{region}");
    assert!(
        region.contains("Effective <time datetime=\"2026-03-10\">"),
        "{region}"
    );
    assert!(!region.contains("take effect"), "{region}");
}
