//! What changed, end to end: classes, summaries, notices, effective dates,
//! the archive's permanent pages, redlines and Atom feeds, from real
//! repositories built commit by commit.

use crate::harness::TestRepo;

const V1: &str = "---
title: Privacy Policy
effective: 2026-03-02
---

## What we collect

We collect your email adress and the prompts you write.

## How long we keep data

We keep prompts for 30 days.

## Contact

Write to privacy@frameloop.example.
";

/// Three versions: the first, a typo fix and (the same day) a material
/// change with a `Notice:` trailer that takes effect on April 1.
fn three_versions() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        V1,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    let v2 = V1.replace("adress", "address");
    repo.commit_file(
        "content/privacy.md",
        &v2,
        "Fix a typo",
        "2026-03-10T09:00:00+00:00",
    );
    let v3 = v2
        .replace("effective: 2026-03-02", "effective: 2026-04-01")
        .replace("30 days", "90 days")
        .replace(
            "## Contact",
            "## Children\n\nOur service is not for children under 13.\n\n## Contact",
        );
    repo.commit_file(
        "content/privacy.md",
        &v3,
        "Keep prompts longer\n\nNotice: We now keep prompts for 90 days.",
        "2026-03-10T15:00:00+00:00",
    );
    repo
}

fn field<'a>(versions: &'a serde_json::Value, key: &str) -> Vec<&'a serde_json::Value> {
    versions
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| &v[key])
        .collect()
}

#[test]
fn versions_json_says_what_each_change_was() {
    let repo = three_versions();
    repo.build_on("2026-03-20");
    let doc = repo.document("/privacy/");
    let versions = &doc["versions"];
    assert_eq!(
        field(versions, "change"),
        ["material", "editorial", "initial"]
    );
    assert_eq!(
        field(versions, "url"),
        [
            "/privacy/versions/2026-03-10-2/",
            "/privacy/versions/2026-03-10/",
            "/privacy/versions/2026-03-02/"
        ],
        "same-day versions get distinct permanent URLs"
    );
    assert_eq!(
        field(versions, "diff_url"),
        [
            &serde_json::json!("/privacy/changes/2026-03-10-2/"),
            &serde_json::json!("/privacy/changes/2026-03-10/"),
            &serde_json::Value::Null
        ]
    );
    assert_eq!(versions[0]["summary"], "We now keep prompts for 90 days.");
    assert_eq!(versions[0]["effective"], "2026-04-01");
    // Every URL the manifest names is a page the build wrote.
    for key in ["url", "diff_url"] {
        for url in field(versions, key).into_iter().filter_map(|u| u.as_str()) {
            assert!(repo.exists(&format!("public{url}index.html")), "{url}");
        }
    }
}

#[test]
fn a_material_change_is_announced_and_links_the_version_in_force() {
    let repo = three_versions();
    repo.build_on("2026-03-20");
    let page = repo.read("public/privacy/index.html");
    let notice = between(
        &page,
        "<section class=\"notice notice--material\"",
        "</section>",
    );
    insta::assert_snapshot!("material_notice", notice);
    assert!(
        notice.contains("href=\"../privacy/changes/2026-03-10-2/\""),
        "{notice}"
    );
    // The notice says when the change takes effect; no second box does.
    assert!(
        notice.contains("takes effect on <time datetime=\"2026-04-01\">"),
        "{notice}"
    );
    assert!(
        notice.contains("href=\"../privacy/versions/2026-03-10/\""),
        "the typo-fixed version is in force until April 1: {notice}"
    );
    assert!(!page.contains("notice--pending"), "{page}");

    // Once in effect and past notice_days, the page is quiet again.
    repo.build_on("2026-05-15");
    let page = repo.read("public/privacy/index.html");
    assert!(!page.contains("notice--material"), "{page}");
    assert!(!page.contains("notice--pending"), "{page}");
}

#[test]
fn an_editorial_change_gets_only_a_quiet_line() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        V1,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    let fixed = V1.replace("adress", "address");
    repo.commit_file(
        "content/privacy.md",
        &fixed,
        "Fix a typo",
        "2026-03-10T09:00:00+00:00",
    );
    repo.build_on("2026-03-11");
    let page = repo.read("public/privacy/index.html");
    assert!(!page.contains("notice--material"), "{page}");
    let line = between(
        &page,
        "<li class=\"notices__line notices__line--editorial\"",
        "</li>",
    );
    assert!(
        line.contains("href=\"../privacy/changes/2026-03-10/\""),
        "{line}"
    );
}

#[test]
fn the_policy_change_trailer_beats_the_default_rule_both_ways() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        V1,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    let typo = V1.replace("adress", "address");
    repo.commit_file(
        "content/privacy.md",
        &typo,
        "Fix a typo\n\nPolicy-Change: material",
        "2026-03-03T10:00:00+00:00",
    );
    let longer = typo.replace("30 days", "31 days");
    repo.commit_file(
        "content/privacy.md",
        &longer,
        "Correct the retention period\n\nPolicy-Change: editorial",
        "2026-03-04T10:00:00+00:00",
    );
    let unknown = longer.replace("31 days", "32 days");
    repo.commit_file(
        "content/privacy.md",
        &unknown,
        "Change retention\n\nPolicy-Change: major",
        "2026-03-05T10:00:00+00:00",
    );
    let run = repo.build_on("2026-03-06");
    let versions = &repo.document("/privacy/")["versions"];
    assert_eq!(
        field(versions, "change"),
        ["material", "editorial", "material", "initial"]
    );
    assert!(
        run.stderr.contains("Policy-Change: `major` is neither"),
        "an unknown class is reported: {}",
        run.stderr
    );
}

#[test]
fn a_front_matter_notice_is_not_repeated_for_the_next_change() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        V1,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    let v2 = V1.replace("30 days", "60 days").replace(
        "title: Privacy Policy",
        "title: Privacy Policy\nnotice: Prompts are kept for 60 days.",
    );
    repo.commit_file(
        "content/privacy.md",
        &v2,
        "Retention",
        "2026-03-03T10:00:00+00:00",
    );
    let v3 = v2.replace("privacy@frameloop.example", "dpo@frameloop.example");
    repo.commit_file(
        "content/privacy.md",
        &v3,
        "New contact",
        "2026-03-04T10:00:00+00:00",
    );
    repo.build_on("2026-03-05");
    let versions = &repo.document("/privacy/")["versions"];
    assert_eq!(versions[1]["summary"], "Prompts are kept for 60 days.");
    let generated = versions[0]["summary"].as_str().expect("summary");
    assert!(
        !generated.contains("60 days") && generated.contains("Contact"),
        "the stale notice is not repeated; the summary names the changed section: {generated}"
    );
}

#[test]
fn archived_versions_say_they_are_superseded_and_keep_their_text() {
    let repo = three_versions();
    repo.build_on("2026-03-20");
    let first = repo.read("public/privacy/versions/2026-03-02/index.html");
    assert!(
        first.contains("This version applied from <time datetime=\"2026-03-02\">March 2, 2026</time> to <time datetime=\"2026-03-10\">March 10, 2026</time>."),
        "{first}"
    );
    assert!(first.contains("email adress"), "the old text, typo and all");
    assert!(
        first.contains("href=\"../../../privacy/\""),
        "links the current page"
    );
    let newest = repo.read("public/privacy/versions/2026-03-10-2/index.html");
    // The newest version is scheduled for April 1: it says so and names
    // the version in force, which says until when it applies.
    assert!(
        newest.contains(
            "This version takes effect on <time datetime=\"2026-04-01\">April 1, 2026</time>."
        ),
        "{newest}"
    );
    let in_force = repo.read("public/privacy/versions/2026-03-10/index.html");
    assert!(
        in_force.contains("This version applies until <time datetime=\"2026-04-01\">April 1, 2026</time>, when <a href=\"../../../privacy/versions/2026-03-10-2/\">the new version</a> takes effect."),
        "{in_force}"
    );
    let list = repo.read("public/privacy/versions/index.html");
    for slug in ["2026-03-10-2", "2026-03-10", "2026-03-02"] {
        assert!(
            list.contains(&format!("privacy/versions/{slug}/")),
            "{slug}"
        );
    }
    let changes = repo.read("public/changes/index.html");
    let newest_at = changes
        .find("changes/2026-03-10-2/")
        .expect("newest change listed");
    let older_at = changes
        .find("changes/2026-03-10/")
        .expect("older change listed");
    assert!(newest_at < older_at, "the changes page lists newest first");
}

#[test]
fn a_sites_changes_template_sees_each_change_whole() {
    // The changes page lists every version borrowed, not copied; a site's
    // own template still sees each change and its document whole, the
    // withdrawal of a deleted document included.
    let repo = three_versions();
    repo.commit_file(
        "content/terms.md",
        "# Terms\n\nBe kind.\n",
        "Publish the terms",
        "2026-03-11T10:00:00+00:00",
    );
    repo.git(&["rm", "-q", "content/terms.md"]);
    let withdrawn = repo.commit("Withdraw the terms", "2026-03-12T10:00:00+00:00");
    repo.write(
        "templates/changes.html",
        "{% for c in changes %}{{ c.document.id }} {{ c.document.title }} | {{ c.version.short_commit }} {{ c.version.slug }} {{ c.version.change }} {{ c.version.sections | length }} {{ c.version.words_added }}\n{% endfor %}",
    );
    repo.build_on("2026-03-20");
    let listed = repo.read("public/changes/index.html");
    let lines: Vec<&str> = listed.lines().collect();
    let commits = repo.git(&["log", "--format=%h", "--abbrev=7"]);
    let short: Vec<&str> = commits.lines().collect();
    assert_eq!(lines.len(), 5, "{listed}");
    assert_eq!(
        lines[0],
        format!("terms Terms | {} withdrawn material 0 0", &withdrawn[..7])
    );
    assert!(
        lines[1].starts_with(&format!("terms Terms | {} ", short[1])),
        "{listed}"
    );
    for (line, commit) in lines[2..].iter().zip(&short[2..]) {
        assert!(line.starts_with("privacy Privacy Policy | "), "{listed}");
        assert!(line.contains(&format!(" {commit} ")), "{listed}");
    }
    // The newest change of the privacy policy adds a section and words.
    let counts: Vec<&str> = lines[2].rsplit(' ').take(2).collect();
    assert!(lines[2].contains(" material "), "{listed}");
    assert!(!counts.contains(&"0"), "sections and words added: {listed}");
}

#[test]
fn the_redline_page_shows_deletions_and_insertions() {
    let repo = three_versions();
    repo.build_on("2026-03-20");
    let page = repo.read("public/privacy/changes/2026-03-10-2/index.html");
    let article = between(&page, "<article>", "</article>");
    insta::assert_snapshot!("redline_page", article);
    assert!(article.contains("<del>30</del>"), "{article}");
    assert!(article.contains("<ins>90</ins>"), "{article}");
}

#[test]
fn permanent_urls_and_feed_ids_survive_new_versions() {
    let repo = three_versions();
    repo.build_on("2026-03-20");
    let before = entry_ids(&repo.read("public/privacy/feed.xml"));
    assert_eq!(before.len(), 3, "one entry per version");
    let first_text = content_of(&repo.read("public/privacy/versions/2026-03-02/index.html"));

    let v4 = repo
        .read("content/privacy.md")
        .replace("not for children under 13", "not for children under 16");
    repo.commit_file(
        "content/privacy.md",
        &v4,
        "Raise the age",
        "2026-03-10T18:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    let after = entry_ids(&repo.read("public/privacy/feed.xml"));
    assert_eq!(after.len(), 4);
    assert_eq!(&after[1..], &before[..], "old entries keep their ids");
    assert!(repo.exists("public/privacy/versions/2026-03-10-3/index.html"));
    assert_eq!(
        content_of(&repo.read("public/privacy/versions/2026-03-02/index.html")),
        first_text,
        "an old version's text stays at its address when a new version arrives"
    );
    let site_ids = entry_ids(&repo.read("public/feed.xml"));
    assert_eq!(site_ids, after, "the site feed lists the same entries");
}

/// Parses an Atom feed with a real XML parser, checks the elements RFC 4287
/// requires, and returns the entry ids in order.
fn entry_ids(xml: &str) -> Vec<String> {
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "{xml}");
    fn child<'a, 'input>(
        node: roxmltree::Node<'a, 'input>,
        name: &str,
    ) -> roxmltree::Node<'a, 'input> {
        node.children()
            .find(|c| c.has_tag_name((ATOM, name)))
            .unwrap_or_else(|| panic!("<{name}> missing in {:?}", node.tag_name()))
    }
    for name in ["id", "title", "updated", "author"] {
        child(feed, name);
    }
    let mut ids = Vec::new();
    for entry in feed.children().filter(|c| c.has_tag_name((ATOM, "entry"))) {
        for name in ["title", "updated", "link", "summary"] {
            child(entry, name);
        }
        let updated = child(entry, "updated").text().unwrap_or_default();
        assert!(
            updated.parse::<jiff::Timestamp>().is_ok(),
            "updated is RFC 3339: {updated}"
        );
        ids.push(child(entry, "id").text().unwrap_or_default().to_string());
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique: {ids:?}");
    ids
}

fn content_of(page: &str) -> String {
    between(page, "<div class=\"content\">", "</div>").to_string()
}

/// The text from `start` through the first `end` after it.
#[track_caller]
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {text}"));
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &text[from..from + to + end.len()]
}

#[test]
fn with_a_base_url_feed_ids_and_links_are_absolute_permalinks() {
    let repo = three_versions();
    repo.write(
        "redline.toml",
        "base_url = \"https://legal.example.com/\"\n",
    );
    repo.commit("Configure the site", "2026-03-11T10:00:00+00:00");
    repo.build_on("2026-03-20");
    let xml = repo.read("public/privacy/feed.xml");
    let ids = entry_ids(&xml);
    assert_eq!(
        ids[0], "https://legal.example.com/privacy/versions/2026-03-10-2/",
        "{xml}"
    );
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("link"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(!hrefs.is_empty());
    for href in hrefs {
        assert!(href.starts_with("https://legal.example.com/"), "{href}");
    }
}

#[test]
fn no_archive_builds_only_the_current_pages() {
    let repo = three_versions();
    repo.redline(&["build", "--no-archive"]).success();
    let page = repo.read("public/privacy/index.html");
    assert!(
        page.contains("Last updated <time datetime=\"2026-03-10\">"),
        "{page}"
    );
    for gone in [
        "public/privacy/versions",
        "public/privacy/changes",
        "public/privacy/feed.xml",
        "public/changes",
        "public/feed.xml",
    ] {
        assert!(!repo.exists(gone), "{gone}");
    }
    assert!(
        !page.contains("feed.xml"),
        "no link to a feed that was not built"
    );
}

#[test]
fn control_characters_pasted_from_word_leave_feeds_valid_xml() {
    // A vertical tab (a line break pasted from Word) in a `Notice:` trailer
    // and in a title made feed.xml unreadable to every feed reader.
    let repo = TestRepo::new();
    repo.write(
        "content/privacy.md",
        "# Privacy\u{0b}Policy\n\nWe keep data.\n",
    );
    repo.write(
        "content/terms.md",
        "---\ntitle: \"Terms of\\vService\\u0001\"\n---\n\nBe nice.\n",
    );
    repo.commit("Publish", "2026-03-02T10:00:00+00:00");
    repo.write(
        "content/privacy.md",
        "# Privacy\u{0b}Policy\n\nWe keep data for 90 days.\n",
    );
    repo.commit(
        "Keep data longer\n\nPolicy-Change: material\nNotice: We now keep data\u{0b}for 90 days.\u{1b}",
        "2026-03-10T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    for feed in [
        "public/feed.xml",
        "public/privacy/feed.xml",
        "public/terms/feed.xml",
    ] {
        let xml = repo.read(feed);
        entry_ids(&xml);
        assert!(
            !xml.contains(['\u{0b}', '\u{1}', '\u{1b}']),
            "{feed}:\n{xml}"
        );
    }
    let xml = repo.read("public/privacy/feed.xml");
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"We now keep data for 90 days."), "{xml}");
    assert!(
        texts.iter().any(|t| t.starts_with("Privacy Policy")),
        "{xml}"
    );
    for page in [
        "public/index.html",
        "public/privacy/index.html",
        "public/terms/index.html",
        "public/sitemap.xml",
    ] {
        let text = repo.read(page);
        assert!(
            !text.contains(['\u{0b}', '\u{1}', '\u{1b}']),
            "{page}:\n{text}"
        );
    }
    assert!(
        repo.read("public/terms/index.html")
            .contains("Terms of Service")
    );
}

/// A long history is archived in runs of versions, its texts read again
/// for the pages unless they fit the budget: both ways write the same
/// site, byte for byte, run boundaries included.
#[test]
fn texts_kept_or_read_again_make_the_same_archive() {
    let repo = TestRepo::new();
    let mut text = V1.to_string();
    for day in 1..=37 {
        // Every commit changes what a reader sees: a new section, a
        // reworded retention period, or a new contact address.
        let retention = format!("We keep prompts for {} days.", 30 + day);
        let contact = format!("Write to privacy{day}@frameloop.example.");
        text = match day % 3 {
            0 => text.replace(
                text.lines()
                    .find(|l| l.starts_with("We keep prompts"))
                    .unwrap_or_default(),
                &retention,
            ),
            1 => format!("{text}\n## Section {day}\n\nWe added clause {day}.\n"),
            _ => text.replace(
                text.lines()
                    .find(|l| l.starts_with("Write to"))
                    .unwrap_or_default(),
                &contact,
            ),
        };
        repo.commit_file(
            "content/privacy.md",
            &text,
            &format!("Change {day}"),
            &format!("2026-01-{:02}T10:00:00+00:00", day.min(28)),
        );
    }
    let generate = |budget: u64| {
        let mut config =
            redline::source::config::Config::load(&redline::source::config::Overrides {
                root: repo.path().to_path_buf(),
                ..Default::default()
            })
            .expect("config");
        config.archive_text_budget = budget;
        redline::site::generate(&config).expect("the site builds")
    };
    let kept = generate(u64::MAX);
    let read_again = generate(0);
    let paths: Vec<&str> = kept.files.paths().collect();
    assert_eq!(paths, read_again.files.paths().collect::<Vec<_>>());
    let versions = paths
        .iter()
        .filter(|p| p.starts_with("privacy/versions/2026-"))
        .count();
    assert_eq!(versions, 37, "{paths:?}");
    for path in paths {
        assert!(
            kept.files.get(path) == read_again.files.get(path),
            "{path} differs"
        );
    }
}
