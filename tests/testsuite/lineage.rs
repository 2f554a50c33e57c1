//! Lineage and permanent addresses (issue 14): a document stays itself
//! across renames, moves and re-creation; every address the site ever
//! published keeps answering (redirect or withdrawn page); feed entry ids
//! never change. Each scenario builds before and after the change and
//! compares the two sites.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{TestRepo, policy};

const JAN: &str = "2026-01-01T10:00:00+00:00";
const FEB: &str = "2026-02-01T10:00:00+00:00";
const MAR: &str = "2026-03-03T10:00:00+00:00";

/// A policy long enough that git pairs a moved-and-edited copy as a rename.
fn long_policy(title: &str, years: &str) -> String {
    let mut body = String::new();
    for i in 1..=20 {
        body.push_str(&format!(
            "Clause {i}. We process personal data only for the purposes stated in section {i}.\n\n"
        ));
    }
    body.push_str(&format!("We keep billing records for {years} years.\n"));
    policy(title, &body)
}

/// What one build published: every address and every feed entry id.
struct Published {
    urls: BTreeSet<String>,
    feed_ids: BTreeSet<String>,
}

/// Builds and reads back every address `versions.json` names (page,
/// version list, feed, version pages, redlines) and the site feed's ids.
#[track_caller]
fn publish(repo: &TestRepo) -> Published {
    repo.build();
    let mut urls = BTreeSet::new();
    for doc in repo.versions()["documents"].as_array().expect("documents") {
        let url = doc["url"].as_str().expect("url").to_string();
        urls.insert(format!("{url}versions/"));
        urls.insert(format!("{url}feed.xml"));
        for version in doc["versions"].as_array().expect("versions") {
            urls.insert(version["url"].as_str().expect("url").to_string());
            if let Some(diff) = version["diff_url"].as_str() {
                urls.insert(diff.to_string());
            }
        }
        urls.insert(url);
    }
    Published {
        urls,
        feed_ids: feed_ids(&repo.read("public/feed.xml")),
    }
}

fn feed_ids(xml: &str) -> BTreeSet<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|entry| entry.children().find(|n| n.has_tag_name("id")))
        .filter_map(|id| id.text().map(str::to_string))
        .collect()
}

/// The output file answering at a site address (`/a/` → `a/index.html`).
fn file_of(url: &str) -> String {
    let rel = url.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        format!("public/{rel}index.html")
    } else {
        format!("public/{rel}")
    }
}

/// Follows one redirect page at `url`: it refreshes to, links and names as
/// canonical the same address, runs no script; returns that address.
#[track_caller]
fn redirect_target(repo: &TestRepo, url: &str) -> Option<String> {
    let html = repo.read(&file_of(url));
    let refresh = html
        .split("http-equiv=\"refresh\" content=\"0; url=")
        .nth(1)?;
    let target = refresh.split('"').next().expect("a quoted refresh");
    assert!(!html.contains("<script"), "{url}: {html}");
    assert!(
        html.contains(&format!("href=\"{target}\">")),
        "{url}: {html}"
    );
    assert!(html.contains("rel=\"canonical\""), "{url}: {html}");
    // Relative to the redirect's own folder.
    let mut parts: Vec<&str> = url.trim_matches('/').split('/').collect();
    if !url.ends_with('/') {
        parts.pop();
    }
    for step in target.split_inclusive('/') {
        match step {
            "../" => {
                parts.pop();
            }
            _ => parts.push(step.trim_end_matches('/')),
        }
    }
    let resolved = format!("/{}", parts.join("/"));
    Some(if target.ends_with('/') {
        format!("{resolved}/")
    } else {
        resolved
    })
}

/// Every address answers: a real page, or a redirect to one.
#[track_caller]
fn assert_all_answer(repo: &TestRepo, urls: &BTreeSet<String>) {
    for url in urls {
        assert!(repo.exists(&file_of(url)), "{url} no longer answers");
        if url.ends_with(".xml") {
            continue;
        }
        if let Some(target) = redirect_target(repo, url) {
            assert!(
                repo.exists(&file_of(&target)),
                "{url} redirects to {target}, which does not exist"
            );
            assert_eq!(
                redirect_target(repo, &target),
                None,
                "{url}: a redirect chain"
            );
        }
    }
}

fn commits(repo: &TestRepo, url: &str) -> Vec<String> {
    repo.document(url)["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["commit"].as_str().expect("commit").to_string())
        .collect()
}

#[test]
fn rename_with_edits_keeps_history_ids_and_every_old_address() {
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy", "two"),
        "Add",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy", "three"),
        "Edit",
        FEB,
    );
    let before = publish(&repo);
    repo.git(&["mv", "content/privacy.md", "content/privacy-policy.md"]);
    // As Jekyll sites do, the moved file also names its old address.
    let moved =
        long_policy("Privacy", "four").replacen("---\n", "---\nredirect_from: /privacy/\n", 1);
    let v3 = repo.commit_file("content/privacy-policy.md", &moved, "Rename and edit", MAR);
    let after = publish(&repo);
    assert_eq!(commits(&repo, "/privacy-policy/"), [v3, v2, v1]);
    assert_eq!(repo.document("/privacy-policy/")["id"], "privacy");
    assert!(
        before.feed_ids.is_subset(&after.feed_ids),
        "{:?} {:?}",
        before.feed_ids,
        after.feed_ids
    );
    assert_eq!(after.feed_ids.len(), 3);
    assert_all_answer(&repo, &before.urls);
    assert_eq!(
        redirect_target(&repo, "/privacy/").as_deref(),
        Some("/privacy-policy/")
    );
    // The old feed address still serves the feed, with the same ids.
    assert_eq!(
        feed_ids(&repo.read("public/privacy/feed.xml")),
        feed_ids(&repo.read("public/privacy-policy/feed.xml"))
    );
    let list: Value = serde_json::from_str(&repo.read("public/redirects.json")).expect("JSON");
    assert!(
        list["redirects"]
            .as_array()
            .expect("list")
            .iter()
            .any(|r| r["from"] == "/privacy/" && r["to"] == "/privacy-policy/"),
        "{list:#}"
    );
    assert!(
        repo.read("public/_redirects")
            .lines()
            .any(|l| l == "/privacy/ /privacy-policy/ 301")
    );
}

#[test]
fn slug_change_keeps_history_ids_and_every_old_address() {
    let repo = TestRepo::new();
    let v1 = repo.commit_file("content/terms.md", &policy("Terms", "Be nice."), "Add", JAN);
    let v2 = repo.commit_file(
        "content/terms.md",
        &policy("Terms", "Be kind."),
        "Edit",
        FEB,
    );
    let before = publish(&repo);
    repo.commit_file(
        "content/terms.md",
        "---\ntitle: Terms\nslug: terms-of-service\n---\n\nBe kind.\n",
        "New address",
        MAR,
    );
    let after = publish(&repo);
    assert_eq!(commits(&repo, "/terms-of-service/"), [v2, v1]);
    assert_eq!(before.feed_ids, after.feed_ids);
    assert_all_answer(&repo, &before.urls);
    assert_eq!(
        redirect_target(&repo, "/terms/versions/2026-01-01/").as_deref(),
        Some("/terms-of-service/versions/2026-01-01/")
    );
}

#[test]
fn move_into_a_folder_index_with_a_rewrite_keeps_its_history() {
    // `taxes.md` deleted and `taxes/index.md` added in one commit with the
    // text rewritten: git sees no rename, the URL says it is one document.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/taxes.md",
        &policy("Taxes", "We file taxes."),
        "Add",
        JAN,
    );
    let before = publish(&repo);
    repo.git(&["rm", "-q", "content/taxes.md"]);
    let v2 = repo.commit_file(
        "content/taxes/index.md",
        &long_policy("Tax policy", "seven"),
        "Restructure",
        FEB,
    );
    let after = publish(&repo);
    assert_eq!(commits(&repo, "/taxes/"), [v2, v1]);
    assert!(before.feed_ids.is_subset(&after.feed_ids));
    assert_all_answer(&repo, &before.urls);
    assert!(!repo.exists("public/redirects.json"), "nothing moved");
}

#[test]
fn a_file_deleted_by_mistake_and_restored_keeps_its_history_and_ids() {
    let repo = TestRepo::new();
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy", "two"),
        "Add",
        JAN,
    );
    let before = publish(&repo);
    repo.git(&["rm", "-q", "content/privacy.md"]);
    repo.commit("Oops", FEB);
    let withdrawn = publish(&repo);
    assert_eq!(repo.document("/privacy/")["withdrawn"], "2026-02-01");
    let v3 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy", "three"),
        "Restore it, edited",
        MAR,
    );
    let after = publish(&repo);
    assert_eq!(commits(&repo, "/privacy/"), [v3, v1]);
    assert_eq!(repo.document("/privacy/")["withdrawn"], Value::Null);
    let versions_before = &before.feed_ids;
    assert!(versions_before.is_subset(&after.feed_ids));
    assert!(versions_before.is_subset(&withdrawn.feed_ids));
    assert_all_answer(&repo, &before.urls);
}

#[test]
fn a_path_renamed_away_and_created_again_is_a_new_document() {
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy", "two"),
        "Add",
        JAN,
    );
    let before = publish(&repo);
    repo.git(&["mv", "content/privacy.md", "content/privacy-eu.md"]);
    repo.commit("Rename for the EU", FEB);
    let fresh = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy (US)", "A new policy for the US."),
        "New US policy",
        MAR,
    );
    let after = publish(&repo);
    assert_eq!(commits(&repo, "/privacy-eu/"), [v1]);
    assert_eq!(commits(&repo, "/privacy/"), std::slice::from_ref(&fresh));
    assert_eq!(repo.document("/privacy-eu/")["id"], "privacy");
    // The new document's first URL is the old one's id: it gets its own.
    let fresh_id = format!("privacy-{}", &fresh[..7]);
    assert_eq!(repo.document("/privacy/")["id"], fresh_id.as_str());
    assert_eq!(after.feed_ids.len(), 2, "{:?}", after.feed_ids);
    assert!(before.feed_ids.is_subset(&after.feed_ids));
    // The old version's page moved with its document; /privacy/ is the new one.
    assert_all_answer(&repo, &before.urls);
    assert_eq!(
        redirect_target(&repo, "/privacy/versions/2026-01-01/").as_deref(),
        Some("/privacy-eu/versions/2026-01-01/")
    );
    assert_eq!(redirect_target(&repo, "/privacy/"), None);
}

#[test]
fn a_deleted_document_is_withdrawn_with_its_whole_archive() {
    let repo = TestRepo::new();
    repo.write("content/privacy.md", policy("Privacy", "We keep little."));
    let v1 = repo.commit_file("content/terms.md", &policy("Terms", "Be nice."), "Add", JAN);
    let v2 = repo.commit_file(
        "content/terms.md",
        &policy("Terms", "Be kind."),
        "Edit",
        FEB,
    );
    let before = publish(&repo);
    repo.git(&["rm", "-q", "content/terms.md"]);
    repo.commit("Withdraw the terms", MAR);
    let after = publish(&repo);
    let terms = repo.document("/terms/");
    assert_eq!(terms["withdrawn"], "2026-03-03", "{terms:#}");
    assert_eq!(commits(&repo, "/terms/"), [v2, v1]);
    assert_all_answer(&repo, &before.urls);
    let page = repo.read("public/terms/index.html");
    assert!(page.contains("Withdrawn on"), "{page}");
    for version in repo.document("/terms/")["versions"]
        .as_array()
        .expect("versions")
    {
        let url = version["url"]
            .as_str()
            .expect("url")
            .trim_start_matches('/');
        assert!(
            page.contains(&format!("../{url}")),
            "{url} not linked: {page}"
        );
    }
    let home = repo.read("public/index.html");
    let (current, withdrawn) = home
        .split_once("Withdrawn documents")
        .expect("a withdrawn list");
    assert!(
        current.contains("Privacy") && !current.contains(">Terms<"),
        "{home}"
    );
    assert!(withdrawn.contains(">Terms<"), "{home}");
    // The site feed keeps every version and adds the withdrawal.
    assert!(before.feed_ids.is_subset(&after.feed_ids));
    assert_eq!(after.feed_ids.len(), before.feed_ids.len() + 1);
    assert!(after.feed_ids.contains("urn:redline:terms/withdrawn/"));
    // notify announces it as material.
    repo.write(
        "redline.toml",
        "base_url = \"https://example.com/\"\n[email]\nfrom = \"Legal <legal@example.com>\"\nto = \"list@example.com\"\n",
    );
    let outbox = repo.path().join("outbox");
    repo.redline(&["notify", "--since", "2026-03-01", "--outbox", "outbox"])
        .success();
    let mails: Vec<String> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("mail"))
        .collect();
    assert!(
        mails.iter().any(|m| m.contains("Withdrawn on")),
        "{mails:?}"
    );
}

#[test]
fn redirect_from_and_aliases_answer_and_may_not_take_a_page() {
    let repo = TestRepo::new();
    repo.write(
        "content/cookies.md",
        "---\ntitle: Cookies\nredirect_from: [/cookie-policy/, /old/cookies.html]\naliases: /biscuits/\n---\n\nWe use cookies.\n",
    );
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    repo.commit("Add", JAN);
    repo.build();
    for old in ["/cookie-policy/", "/old/cookies.html", "/biscuits/"] {
        let target = redirect_target(&repo, old);
        assert_eq!(target.as_deref(), Some("/cookies/"), "{old}");
    }
    repo.commit_file(
        "content/cookies.md",
        "---\ntitle: Cookies\nredirect_from: /terms/\n---\n\nWe use cookies.\n",
        "Claim the terms' address",
        FEB,
    );
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains("content/terms.md") && run.stderr.contains("content/cookies.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_alias_outside_the_site_is_refused_and_nothing_is_written_there() {
    let repo = TestRepo::committed(
        &[(
            "content/cookies.md",
            "---\ntitle: Cookies\naliases: [\"../../escaped/\"]\n---\n\nWe use cookies.\n",
        )],
        JAN,
    );
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains("content/cookies.md") && run.stderr.contains("../../escaped/"),
        "{}",
        run.stderr
    );
    let above = repo.path().parent().expect("a parent").join("escaped");
    assert!(!above.exists() && !repo.exists("escaped") && !repo.exists("public"));
}

/// The `src` and `href` values of a built page, resolved from its folder.
fn resolved_links(repo: &TestRepo, page_url: &str) -> Vec<String> {
    let html = repo.read(&file_of(page_url));
    let mut links = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for value in html.split(attribute).skip(1) {
            let value = value.split('"').next().unwrap_or_default();
            if value.starts_with("../") && !value.contains("style.css") {
                let mut parts: Vec<&str> = page_url.trim_matches('/').split('/').collect();
                for step in value.split('/') {
                    match step {
                        ".." => {
                            parts.pop();
                        }
                        "" => {}
                        step => parts.push(step),
                    }
                }
                let trailing = if value.ends_with('/') { "/" } else { "" };
                links.push(format!("/{}{trailing}", parts.join("/")));
            }
        }
    }
    links
}

#[test]
fn archived_versions_keep_relative_images_and_links_working() {
    // `![logo](../images/logo.png)` works on /privacy/; on
    // /privacy/versions/<day>/ it pointed at /privacy/versions/images/.
    let repo = TestRepo::new();
    repo.write("content/images/logo.png", b"\x89PNG fake");
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy",
            "![Our logo](../images/logo.png)\n\nSee the [terms](../terms/).",
        ),
        "Add",
        JAN,
    );
    repo.build();
    let version = "/privacy/versions/2026-01-01/";
    let links = resolved_links(&repo, version);
    assert!(links.contains(&"/images/logo.png".to_string()), "{links:?}");
    assert!(links.contains(&"/terms/".to_string()), "{links:?}");
    for link in &links {
        assert!(
            repo.exists(&file_of(link)),
            "{link} from {version} does not exist"
        );
    }
    // The logo is replaced later: the old version still shows the old one.
    repo.write("content/images/logo.png", b"\x89PNG new logo");
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy",
            "![Our logo](../images/logo.png)\n\nSee the [terms](../terms/) and more.",
        ),
        "New logo",
        FEB,
    );
    repo.build();
    let image = |page: &str| {
        let links = resolved_links(&repo, page);
        let image = links
            .iter()
            .find(|l| l.ends_with("logo.png"))
            .unwrap_or_else(|| panic!("no logo on {page}: {links:?}"))
            .clone();
        std::fs::read(repo.path().join(file_of(&image))).expect("the image exists")
    };
    assert_eq!(image(version), b"\x89PNG fake");
    assert_eq!(image("/privacy/versions/2026-02-01/"), b"\x89PNG new logo");
}

#[test]
fn feed_ids_survive_a_new_base_url_with_feed_id_base() {
    let repo = TestRepo::new();
    repo.write("redline.toml", "base_url = \"https://old.example/\"\n");
    repo.commit_file("content/privacy.md", &policy("Privacy", "Hi."), "Add", JAN);
    let before = publish(&repo);
    assert!(
        before
            .feed_ids
            .contains("https://old.example/privacy/versions/2026-01-01/"),
        "{:?}",
        before.feed_ids
    );
    repo.write(
        "redline.toml",
        "base_url = \"https://new.example/\"\nfeed_id_base = \"https://old.example/\"\n",
    );
    repo.commit("Move the site", FEB);
    let after = publish(&repo);
    assert_eq!(before.feed_ids, after.feed_ids);
    let feed = repo.read("public/feed.xml");
    let doc = roxmltree::Document::parse(&feed).expect("XML");
    let links: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("link"))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(
        links.contains(&"https://new.example/privacy/versions/2026-01-01/"),
        "{links:?}"
    );
}

#[test]
fn ref_builds_the_site_as_the_ref_has_it_while_another_branch_is_checked_out() {
    // `--ref` dated documents from REF but rendered the working tree's
    // text, so with another branch checked out every page was "unpublished".
    let repo = TestRepo::new();
    repo.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}V1 TEMPLATE {{ page.content | safe }}{% endblock content %}",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "Old text."),
        "Add",
        JAN,
    );
    repo.git(&["tag", "v1"]);
    repo.checkout_new("next");
    repo.git(&["rm", "-q", "templates/page.html"]);
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "New text."),
        "Edit",
        FEB,
    );
    repo.redline(&["build", "--ref", "v1"]).success();
    let page = repo.read("public/privacy/index.html");
    assert!(
        page.contains("V1 TEMPLATE") && page.contains("Old text."),
        "{page}"
    );
    assert!(!page.contains("New text."), "{page}");
    let doc = repo.document("/privacy/");
    assert_eq!(doc["unpublished"], false, "{doc:#}");
    assert_eq!(doc["versions"].as_array().map(Vec::len), Some(1), "{doc:#}");
    // The work tree is left as it was.
    assert!(repo.read("content/privacy.md").contains("New text."));
}
