//! The record readers rely on: which version applies on which day. Timeline
//! scenarios in scripted repositories, built "on" a chosen day through
//! `SOURCE_DATE_EPOCH`, asserting the words of every banner, the standing
//! fields of `versions.json` and that every linked redline exists.

use serde_json::Value;

use crate::harness::{TestRepo, run_redline_with};

fn policy(effective: Option<&str>, days: &str, extra: &str) -> String {
    let effective = effective.map_or(String::new(), |day| format!("effective: {day}\n"));
    format!(
        "---\ntitle: Privacy Policy\n{effective}---\n\n## What we collect\n\nWe collect your email adress.{extra}\n\n## How long we keep data\n\nWe keep prompts for {days} days.\n"
    )
}

/// A page's text between two markers, tags stripped and white space
/// collapsed: the words a reader sees.
fn words(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // A tag between a word and its full stop is no gap to a reader.
    text.replace(" .", ".")
        .replace(" ,", ",")
        .replace(" :", ":")
        .replace("( ", "(")
        .replace(" )", ")")
}

/// The words of a version page's standing banner.
fn banner(repo: &TestRepo, url: &str) -> String {
    let page = repo.read(&format!("public/{url}index.html"));
    let start = page
        .find("<div class=\"notice")
        .unwrap_or_else(|| panic!("no banner on {url}:\n{page}"));
    let end = start + page[start..].find("</div>").expect("the banner ends");
    words(&page[start..end])
}

/// The words of the current page's notice region.
fn notices(repo: &TestRepo) -> String {
    let page = repo.read("public/privacy/index.html");
    let Some(start) = page.find("<div class=\"notices\">") else {
        return String::new();
    };
    let end = start + page[start..].find("<nav class=\"toc\"").expect("a toc");
    words(&page[start..end])
}

/// The versions of `/privacy/` in versions.json, newest first.
fn versions(repo: &TestRepo) -> Vec<Value> {
    repo.document("/privacy/")["versions"]
        .as_array()
        .expect("versions")
        .clone()
}

/// `(status, applies_from, applies_until)` of every version, newest first.
fn standings(repo: &TestRepo) -> Vec<(String, String, Option<String>)> {
    versions(repo)
        .iter()
        .map(|v| {
            (
                v["status"].as_str().expect("status").to_string(),
                v["applies_from"]
                    .as_str()
                    .expect("applies_from")
                    .to_string(),
                v["applies_until"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn standing(status: &str, from: &str, until: Option<&str>) -> (String, String, Option<String>) {
    (status.into(), from.into(), until.map(str::to_string))
}

/// Every `href` on a page that points inside the site, resolved against
/// the page's folder, must name a file of the build.
#[track_caller]
fn assert_links_resolve(repo: &TestRepo, url: &str) {
    let page = repo.read(&format!("public/{url}index.html"));
    let folder = repo.path().join("public").join(url);
    for href in page
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        if href.starts_with("http") || href.starts_with('#') || href.starts_with("mailto:") {
            continue;
        }
        let path = href.split('#').next().unwrap_or_default();
        let target = folder.join(path);
        let target = if path.ends_with('/') || path.is_empty() {
            target.join("index.html")
        } else {
            target
        };
        assert!(
            target.exists(),
            "{url} links {href}, which the build did not write"
        );
    }
}

/// The redline page behind a `versions.json` URL, which must exist.
#[track_caller]
fn page_at(repo: &TestRepo, url: &str) -> String {
    let path = format!("public{url}index.html");
    assert!(repo.exists(&path), "{url} was not built");
    repo.read(&path)
}

/// Published March 2; a material change on March 10 that takes effect on
/// April 1.
fn scheduled(repo: &TestRepo) {
    repo.commit_file(
        "content/privacy.md",
        &policy(None, "30", ""),
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-04-01"), "90", ""),
        "Keep prompts longer\n\nNotice: We now keep prompts for 90 days.",
        "2026-03-10T10:00:00+00:00",
    );
}

#[test]
fn a_scheduled_change_leaves_the_version_in_force_saying_so() {
    // The current page linked "the version of March 2" as the one that
    // applies, and that page said "This version is superseded".
    let repo = TestRepo::new();
    scheduled(&repo);
    repo.build_on("2026-03-20");

    let region = notices(&repo);
    assert!(
        region.contains("This version takes effect on April 1, 2026. Until then, the version of March 2, 2026 applies."),
        "{region}"
    );
    assert_eq!(
        banner(&repo, "privacy/versions/2026-03-10/"),
        "This version takes effect on April 1, 2026. Until then, the version of March 2, 2026 applies."
    );
    let in_force = banner(&repo, "privacy/versions/2026-03-02/");
    assert_eq!(
        in_force,
        "This version applies until April 1, 2026, when the new version takes effect. What changed since this version"
    );
    assert!(!in_force.contains("superseded"), "{in_force}");
    assert_eq!(
        standings(&repo),
        [
            standing("scheduled", "2026-04-01", None),
            standing("in force", "2026-03-02", Some("2026-04-01")),
        ]
    );
    let versions = versions(&repo);
    let compare = page_at(
        &repo,
        versions[1]["compare_url"].as_str().expect("compare_url"),
    );
    assert!(compare.contains("<ins>90</ins>"), "{compare}");
    page_at(
        &repo,
        versions[0]["compare_url"].as_str().expect("compare_url"),
    );
    for url in [
        "privacy/",
        "privacy/versions/",
        "privacy/versions/2026-03-02/",
        "privacy/versions/2026-03-10/",
        "privacy/compare/2026-03-02/",
    ] {
        assert_links_resolve(&repo, url);
    }
    let list = words(&repo.read("public/privacy/versions/index.html"));
    assert!(list.contains("Scheduled from April 1, 2026"), "{list}");
    assert!(list.contains("In force until April 1, 2026"), "{list}");
}

#[test]
fn a_scheduled_change_whose_date_passes_flips_every_banner() {
    let repo = TestRepo::new();
    scheduled(&repo);
    repo.build_on("2026-03-31");
    assert_eq!(standings(&repo)[0].0, "scheduled");

    repo.build_on("2026-04-01");
    assert_eq!(
        standings(&repo),
        [
            standing("in force", "2026-04-01", None),
            standing("superseded", "2026-03-02", Some("2026-04-01")),
        ]
    );
    assert_eq!(
        banner(&repo, "privacy/versions/2026-03-02/"),
        "This version applied from March 2, 2026 to April 1, 2026. The current version is the version of March 10, 2026. What changed since this version"
    );
    assert!(
        banner(&repo, "privacy/versions/2026-03-10/").starts_with("This is the current version."),
    );
    let region = notices(&repo);
    assert!(!region.contains("takes effect"), "{region}");
    // Still inside notice_days: the change stays announced.
    assert!(
        region.contains("We now keep prompts for 90 days."),
        "{region}"
    );
}

#[test]
fn two_pending_material_changes_are_both_announced_with_one_cumulative_redline() {
    // The second change used to replace the first in the notice, and the
    // redline covered only the last commit.
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy(None, "30", ""),
        "Publish",
        "2026-01-05T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-04-01"), "90", ""),
        "Keep prompts longer\n\nNotice: We now keep prompts for 90 days.",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            Some("2026-05-01"),
            "90",
            " We also collect your phone number.",
        ),
        "Collect phone numbers\n\nNotice: We now collect your phone number.",
        "2026-03-05T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");

    let region = notices(&repo);
    let newer = region
        .find("March 5, 2026: We now collect your phone number. Takes effect on May 1, 2026.")
        .unwrap_or_else(|| panic!("the newer change is announced: {region}"));
    let older = region
        .find("March 2, 2026: We now keep prompts for 90 days. Takes effect on April 1, 2026.")
        .unwrap_or_else(|| panic!("the older change is still announced: {region}"));
    assert!(newer < older, "newest first: {region}");
    assert!(
        region.contains("See everything that changed since the version of January 5, 2026"),
        "{region}"
    );
    let cumulative = page_at(&repo, "/privacy/compare/2026-01-05/");
    assert!(cumulative.contains("<ins>90</ins>"), "{cumulative}");
    assert!(cumulative.contains("phone"), "{cumulative}");
    assert_links_resolve(&repo, "privacy/");

    assert_eq!(
        standings(&repo),
        [
            standing("scheduled", "2026-05-01", None),
            standing("scheduled", "2026-04-01", Some("2026-05-01")),
            standing("in force", "2026-01-05", Some("2026-04-01")),
        ]
    );
    assert_eq!(
        banner(&repo, "privacy/versions/2026-03-02/"),
        "This version takes effect on April 1, 2026. Until then, the version of January 5, 2026 applies. What changed since this version"
    );
    assert_eq!(
        banner(&repo, "privacy/versions/2026-01-05/"),
        "This version applies until April 1, 2026, when the new version takes effect. What changed since this version"
    );
}

#[test]
fn an_editorial_fix_never_hides_a_pending_material_change() {
    let repo = TestRepo::new();
    scheduled(&repo);
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-04-01"), "90", "").replace("adress", "address"),
        "Fix a typo",
        "2026-03-12T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    let region = notices(&repo);
    assert!(
        region.contains("We now keep prompts for 90 days."),
        "{region}"
    );
    assert!(
        region.contains("Editorial changes on March 12, 2026"),
        "{region}"
    );
    assert!(
        region.contains("See everything that changed since the version of March 2, 2026"),
        "{region}"
    );
    let cumulative = page_at(&repo, "/privacy/compare/2026-03-02/");
    assert!(cumulative.contains("<ins>90</ins>"), "{cumulative}");
    assert!(cumulative.contains("<ins>address"), "{cumulative}");
    assert_eq!(
        standings(&repo),
        [
            standing("scheduled", "2026-04-01", None),
            standing("superseded", "2026-04-01", Some("2026-04-01")),
            standing("in force", "2026-03-02", Some("2026-04-01")),
        ]
    );
    assert!(
        banner(&repo, "privacy/versions/2026-03-10/")
            .starts_with("This version was replaced before it took effect (April 1, 2026). The current version is the version of March 2, 2026."),
    );

    // The version in force hands over to the fix, not to the version it
    // replaced.
    let in_force = repo.read("public/privacy/versions/2026-03-02/index.html");
    assert!(
        in_force.contains("privacy/versions/2026-03-12/\">the new version</a> takes effect."),
        "{in_force}"
    );

    // Past the effective date, still inside notice_days of the material
    // change: the notice stays, the fix is a quiet line.
    repo.build_on("2026-04-02");
    let region = notices(&repo);
    assert!(
        region.contains("We now keep prompts for 90 days."),
        "{region}"
    );
    assert!(!region.contains("takes effect"), "{region}");
}

/// Three versions on November 28 after one on November 2.
fn three_in_one_day(repo: &TestRepo) {
    repo.commit_file(
        "content/privacy.md",
        &policy(None, "30", ""),
        "Publish",
        "2026-11-02T10:00:00+00:00",
    );
    for (days, time) in [("60", "09:00"), ("90", "13:30"), ("120", "17:45")] {
        repo.commit_file(
            "content/privacy.md",
            &policy(None, days, ""),
            &format!("Keep prompts for {days} days"),
            &format!("2026-11-28T{time}:00+00:00"),
        );
    }
}

#[test]
fn three_versions_in_one_day_are_told_apart_everywhere() {
    // Three identical "November 28, 2026" links, and a redline dated
    // November 28 "compared with the version of November 28, 2026".
    let repo = TestRepo::new();
    three_in_one_day(&repo);
    repo.build_on("2026-11-29");

    let list = words(&repo.read("public/privacy/versions/index.html"));
    for time in ["09:00", "13:30", "17:45"] {
        assert!(
            list.contains(&format!("November 28, 2026, {time}")),
            "{list}"
        );
    }
    assert!(list.contains("November 2, 2026 initial"), "{list}");
    let redline = words(&repo.read("public/privacy/changes/2026-11-28-3/index.html"));
    assert!(
        redline.contains("Changes to Privacy Policy on November 28, 2026, 17:45"),
        "{redline}"
    );
    assert!(
        redline.contains("Compared with the version of November 28, 2026, 13:30:"),
        "{redline}"
    );
    let first_of_day = words(&repo.read("public/privacy/changes/2026-11-28/index.html"));
    assert!(
        first_of_day.contains("Compared with the version of November 2, 2026:"),
        "{first_of_day}"
    );

    let middle = repo.read("public/privacy/versions/2026-11-28-2/index.html");
    assert!(
        middle.contains("<title>Privacy Policy (November 28, 2026, 13:30)"),
        "{middle}"
    );
    let nav = words(&middle[middle.find("class=\"version-nav\"").expect("nav")..]);
    assert!(
        nav.contains("Previous version (November 28, 2026, 09:00) · Redline of this version · What changed since this version · Next version (November 28, 2026, 17:45) · All versions"),
        "{nav}"
    );
    assert!(
        middle.contains("privacy/changes/2026-11-28-2/\">Redline of this version"),
        "{middle}"
    );
    assert!(
        words(&middle).contains("This version applied on November 28, 2026, until a newer version replaced it the same day."),
        "{middle}"
    );
    assert_links_resolve(&repo, "privacy/versions/2026-11-28-2/");

    let feed = repo.read("public/privacy/feed.xml");
    for time in ["09:00", "13:30", "17:45"] {
        assert!(
            feed.contains(&format!(
                "material change, November 28, 2026, {time}</title>"
            )),
            "{feed}"
        );
    }
    let changes = words(&repo.read("public/changes/index.html"));
    assert!(changes.contains("November 28, 2026, 13:30"), "{changes}");

    assert_eq!(
        standings(&repo),
        [
            standing("in force", "2026-11-28", None),
            standing("superseded", "2026-11-28", Some("2026-11-28")),
            standing("superseded", "2026-11-28", Some("2026-11-28")),
            standing("superseded", "2026-11-02", Some("2026-11-28")),
        ]
    );
    for version in versions(&repo) {
        page_at(&repo, version["compare_url"].as_str().expect("compare_url"));
    }
}

#[test]
fn same_day_versions_are_told_apart_in_the_notice_email() {
    let repo = TestRepo::new();
    repo.write(
        "redline.toml",
        "title = \"Frameloop\"\nbase_url = \"https://legal.frameloop.example/\"\n\n[email]\nfrom = \"privacy@frameloop.example\"\nto = \"announce@frameloop.example\"\n",
    );
    three_in_one_day(&repo);
    run_redline_with(
        repo.path(),
        &["notify", "--since", "2026-11-27", "--outbox", "outbox"],
        &[("SOURCE_DATE_EPOCH", "1795953600")],
    )
    .success();
    let mut texts = String::new();
    for entry in std::fs::read_dir(repo.path().join("outbox")).expect("outbox") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "eml") {
            let bytes = std::fs::read(&path).expect("eml");
            let message = mail_parser::MessageParser::default()
                .parse(&bytes[..])
                .expect("a message");
            texts.push_str(&message.body_text(0).expect("a text body"));
        }
    }
    for time in ["09:00", "13:30", "17:45"] {
        assert!(
            texts.contains(&format!("Published: November 28, 2026, {time}")),
            "{texts}"
        );
    }
}

/// Two changes announced before either took effect, on a document never in
/// force before: the first was replaced before it took effect, and its page
/// says so without a version in force to name (the build used to fail).
#[test]
fn a_version_replaced_before_any_took_effect_says_none_is_in_force_yet() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-06-01"), "30", ""),
        "Announce",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(Some("2026-05-01"), "90", ""),
        "Announce again",
        "2026-03-10T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    assert_eq!(
        standings(&repo),
        [
            standing("scheduled", "2026-05-01", None),
            standing("superseded", "2026-06-01", Some("2026-06-01")),
        ]
    );
    let first = banner(&repo, "privacy/versions/2026-03-02/");
    assert!(
        first.starts_with("This version was replaced before it took effect (June 1, 2026). No version is in force yet: the current text has not taken effect."),
        "{first}"
    );
    let page = repo.read("public/privacy/versions/2026-03-02/index.html");
    assert!(
        page.contains("href=\"../../../privacy/\">the current text</a>"),
        "{page}"
    );
}
