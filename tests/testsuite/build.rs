//! `redline build` end to end: the content model, rendering, themes, site
//! files and the output folder, asserted on the files a real build writes.

use crate::harness::{TestRepo, policy, project_root};

const DATE: &str = "2026-03-03T10:00:00+00:00";

/// A committed site with the given files.
fn site(files: &[(&str, &str)]) -> TestRepo {
    TestRepo::committed(files, DATE)
}

#[test]
fn example_site_builds_and_pages_match_snapshots() {
    // The example content in this repository, committed once, renders as reviewed.
    let repo = TestRepo::new();
    for name in ["privacy.md", "terms.md", "cookies.md", "index.md"] {
        let text = std::fs::read_to_string(project_root().join("content").join(name)).unwrap();
        repo.write(&format!("content/{name}"), text);
    }
    repo.write(
        "redline.toml",
        std::fs::read_to_string(project_root().join("redline.toml")).unwrap(),
    );
    repo.commit("Publish the policies", DATE);
    let run = repo.build();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    insta::assert_snapshot!(
        "example_cookies_page",
        repo.read("public/cookies/index.html")
    );
    insta::assert_snapshot!("example_home_page", repo.read("public/index.html"));
    let privacy = repo.read("public/privacy/index.html");
    assert!(privacy.contains("<table>"), "the data table renders");
    assert!(privacy.contains("Last updated <time datetime=\"2026-03-03\">March 3, 2026</time>"));
    assert!(privacy.contains("class=\"toc\""));
}

#[test]
fn urls_titles_and_front_matter() {
    // The layouts real policy repositories use: index.md folders, spaces, capitals, TOML.
    let repo = site(&[
        (
            "content/privacy/index.md",
            "---\ntitle: Privacy\ntopics: [data, ai]\n---\nText.\n",
        ),
        ("content/Terms of Service.md", "# Terms Heading\n\nText.\n"),
        (
            "content/ChatGPT/Cookie Policy.md",
            "+++\ntitle = \"Cookies\"\nslug = \"cookie-notice\"\n+++\nText.\n",
        ),
        ("content/untitled.md", "Just text.\n"),
        ("content/wip.md", "---\ndraft: true\n---\nNot yet.\n"),
        ("content/img/Diagram One.png", "PNG"),
    ]);
    repo.build();
    let urls: Vec<String> = repo.versions()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["url"].as_str().unwrap(),
                d["title"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        urls,
        [
            "/chatgpt/cookie-notice/ Cookies",
            "/privacy/ Privacy",
            "/terms-of-service/ Terms Heading",
            "/untitled/ untitled"
        ]
    );
    assert!(
        !repo.exists("public/wip/index.html"),
        "drafts are not built"
    );
    assert_eq!(
        repo.read("public/img/Diagram One.png"),
        "PNG",
        "assets are copied as they are"
    );
    let terms = repo.read("public/terms-of-service/index.html");
    assert_eq!(
        terms.matches("<h1").count(),
        1,
        "the leading # heading is the page title, once"
    );

    repo.redline(&["build", "--drafts"]).success();
    assert!(
        repo.exists("public/wip/index.html"),
        "--drafts builds drafts"
    );
}

#[test]
fn unknown_front_matter_keys_reach_templates() {
    // Real repos carry keys like redirect_from and topics; templates may use them.
    let repo = site(&[
        (
            "content/privacy.md",
            "---\ntitle: Privacy\nredirect_from: /old-privacy/\ntopics: [data, ai]\n---\nText.\n",
        ),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}{% block content %}TOPICS={{ page.meta.topics | join(sep=\",\") }} FROM={{ page.meta.redirect_from }} CO={{ site.extra.company }}{% endblock content %}",
        ),
        ("redline.toml", "[extra]\ncompany = \"Frameloop\"\n"),
    ]);
    repo.build();
    let page = repo.read("public/privacy/index.html");
    assert!(page.contains("TOPICS=data,ai"), "{page}");
    assert!(page.contains("FROM=&#x2F;old-privacy&#x2F;"), "{page}");
    assert!(page.contains("CO=Frameloop"), "{page}");
    assert!(
        page.contains("<header"),
        "the override still extends the theme's base.html"
    );
}

#[test]
fn excluded_files_and_folders_are_not_published() {
    // Real repos keep a README and a LICENSE beside the policies, and notes
    // that are not policies; `exclude` leaves them out of the site.
    let repo = site(&[
        (
            "content/privacy.md",
            &policy("Privacy", "We collect little."),
        ),
        ("content/README.md", "# How to edit these policies\n"),
        ("content/LICENSE.txt", "CC-BY-4.0"),
        ("content/notes/plan.md", &policy("Plan", "Next quarter.")),
        ("content/legal/README.md", "# Legal team notes\n"),
        ("content/legal/terms.md", &policy("Terms", "Be kind.")),
        (
            "redline.toml",
            "exclude = [\"README.md\", \"/LICENSE*\", \"notes/\"]\n",
        ),
    ]);
    repo.build();
    assert!(repo.exists("public/privacy/index.html"));
    assert!(repo.exists("public/legal/terms/index.html"));
    for left_out in [
        "public/readme/index.html",
        "public/legal/readme/index.html",
        "public/LICENSE.txt",
        "public/notes/plan/index.html",
    ] {
        assert!(!repo.exists(left_out), "{left_out} was published");
    }
    let documents = repo.versions()["documents"].clone();
    let urls: Vec<&str> = documents
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["/legal/terms/", "/privacy/"]);
    let index = repo.read("public/index.html");
    assert!(!index.contains("How to edit"), "{index}");
}

#[test]
fn xss_in_markdown_stays_inert() {
    // A policy file is text from many hands; none of it may run in a reader's browser.
    let body = "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](&#106;avascript:alert(3))\n\n\
                <script>alert(4)</script>\n\n<img src=x onerror=alert(5)>\n\n\
                [d](data:text/html;base64,PHNjcmlwdD4=) <vbscript:msgbox>\n";
    let repo = site(&[("content/privacy.md", &policy("Privacy", body))]);
    repo.build();
    let page = repo.read("public/privacy/index.html");
    let content = &page[page.find("class=\"content\"").unwrap()..];
    assert!(!content.contains("<script"), "{content}");
    assert!(!content.contains("onerror"), "{content}");
    // The image itself is allowed; only its handler goes.
    assert!(content.contains("<img src=\"x\">"), "{content}");
    for scheme in ["javascript:", "vbscript:", "data:"] {
        assert!(
            !content.to_lowercase().contains(&format!("href=\"{scheme}")),
            "{scheme} in {content}"
        );
    }
}

#[test]
fn pathological_nesting_renders_without_crashing() {
    // 100,000 nested `>` or `[` must not overflow the stack or hang the build.
    let quotes = ">".repeat(100_000);
    let brackets = "[".repeat(100_000);
    let repo = site(&[
        ("content/quotes.md", &quotes),
        ("content/brackets.md", &brackets),
    ]);
    repo.build();
    assert!(
        repo.read("public/quotes/index.html")
            .contains("<blockquote>")
    );
    assert!(repo.read("public/brackets/index.html").contains("[[[["));
}

#[test]
fn site_files_with_base_url() {
    // Search engines and readers find the canonical, dated pages.
    let repo = site(&[
        ("content/privacy.md", &policy("Privacy", "Text.")),
        (
            "redline.toml",
            "base_url = \"https://legal.example.com/\"\n",
        ),
    ]);
    repo.build();
    let sitemap = repo.read("public/sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://legal.example.com/privacy/</loc>\n    <lastmod>2026-03-03</lastmod>"
        ),
        "{sitemap}"
    );
    assert!(
        repo.read("public/robots.txt")
            .contains("Sitemap: https://legal.example.com/sitemap.xml")
    );
    let page = repo.read("public/privacy/index.html");
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://legal.example.com/privacy/\">"),
        "{page}"
    );
    let not_found = repo.read("public/404.html");
    assert!(
        not_found.contains("href=\"https://legal.example.com/style.css\""),
        "{not_found}"
    );
}

#[test]
fn relative_links_without_base_url() {
    // Opened from any folder or host, the links still resolve.
    let repo = site(&[("content/legal/privacy.md", &policy("Privacy", "Text."))]);
    let run = repo.build();
    assert!(run.stderr.contains("base_url is not set"), "{}", run.stderr);
    let page = repo.read("public/legal/privacy/index.html");
    assert!(page.contains("href=\"../../style.css\""), "{page}");
    assert!(page.contains("href=\"../../legal/privacy/\""), "{page}");
    assert!(!page.contains("rel=\"canonical\""), "{page}");
}

#[test]
fn default_theme_has_no_scripts_cookies_or_other_origins() {
    // A privacy policy site must not track its readers.
    let repo = site(&[
        (
            "content/privacy.md",
            &policy("Privacy", "See [the regulator](https://edpb.example/)."),
        ),
        (
            "redline.toml",
            "base_url = \"https://legal.example.com/\"\n",
        ),
    ]);
    repo.build();
    for file in [
        "public/index.html",
        "public/privacy/index.html",
        "public/404.html",
    ] {
        let html = repo.read(file);
        assert!(!html.contains("<script"), "{file}");
        assert!(!html.contains("<iframe"), "{file}");
        for tag in ["<link ", "<img ", "<source "] {
            for (at, _) in html.match_indices(tag) {
                let element = &html[at..at + html[at..].find('>').unwrap()];
                let external = element.contains("href=\"http") || element.contains("src=\"http");
                let allowed = element.contains("rel=\"canonical\"")
                    || element.contains("https://legal.example.com/");
                assert!(!external || allowed, "{file}: {element}");
            }
        }
    }
    let css = repo.read("public/style.css");
    assert!(css.contains("prefers-color-scheme: dark"));
    assert!(css.contains("@media print"));
    assert!(
        !css.contains("@import") && !css.contains("url(http"),
        "no remote CSS"
    );
}

#[test]
fn empty_content_folder_builds_a_site_that_says_so() {
    // A new site with no policies yet still builds, and warns.
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join("content")).unwrap();
    let run = repo.build();
    assert!(
        run.stderr.contains("there are no documents"),
        "{}",
        run.stderr
    );
    assert!(
        repo.read("public/index.html")
            .contains("There are no documents yet.")
    );
}

#[test]
fn a_rebuild_replaces_the_output_and_drops_stale_pages() {
    // A page no longer built disappears from the output: a document never
    // committed, then deleted. (A committed one deleted stays on record as
    // withdrawn: see lineage.rs.)
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.write("content/old.md", policy("Old", "y"));
    repo.build();
    assert!(repo.exists("public/old/index.html"));
    std::fs::remove_file(repo.path().join("content/old.md")).expect("remove");
    repo.build();
    assert!(!repo.exists("public/old/index.html"));
    assert!(repo.exists("public/privacy/index.html"));
}

#[test]
fn init_scaffolds_a_site_that_builds_with_history() {
    // `redline init` gives a working site with a first commit, so dates work at once.
    let parent = TestRepo::folder();
    crate::harness::run_redline(parent.path(), &["init", "mysite"]).success();
    let site = parent.path().join("mysite");
    assert!(site.join(".git").is_dir());
    let run = crate::harness::run_redline(&site, &["build"]).success();
    assert!(!run.stderr.contains("unpublished"), "{}", run.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("public/versions.json")).unwrap())
            .unwrap();
    assert_eq!(
        manifest["documents"][0]["versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    crate::harness::run_redline(parent.path(), &["init", "mysite"]).failure();
}

#[test]
fn a_key_appended_to_the_init_config_is_a_top_level_setting() {
    // `redline init`'s redline.toml used to end with `[extra]`, so a setting
    // appended at the end became template data and did nothing.
    let parent = TestRepo::folder();
    crate::harness::run_redline(parent.path(), &["init", "mysite"]).success();
    let site = parent.path().join("mysite");
    let config = std::fs::read_to_string(site.join("redline.toml")).unwrap();
    let appended = format!("{config}base_url = \"https://example.com/legal/\"\n");
    std::fs::write(site.join("redline.toml"), appended).unwrap();
    let run = crate::harness::run_redline(&site, &["build"]).success();
    assert!(!run.stderr.contains("[extra]"), "{}", run.stderr);
    let sitemap = std::fs::read_to_string(site.join("public/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.com/legal/privacy/</loc>"),
        "{sitemap}"
    );

    // Every commented-out setting is a real one: uncommented, they build.
    let uncommented: String = config
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(setting) if setting.contains(" = ") || setting.starts_with('[') => setting,
            _ => line,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(uncommented.contains("\n[extra]"), "{uncommented}");
    std::fs::write(site.join("redline.toml"), &uncommented).unwrap();
    let run = crate::harness::run_redline(&site, &["build"]).success();
    assert!(
        !run.stderr.contains("warning"),
        "{}\n{uncommented}",
        run.stderr
    );
}

#[test]
fn site_templates_override_theme_templates_one_by_one() {
    // A site changes its footer without copying the whole theme.
    let repo = site(&[
        ("content/privacy.md", &policy("Privacy", "Text.")),
        (
            "templates/404.html",
            "{% extends \"base.html\" %}{% block content %}Lost? Custom.{% endblock content %}",
        ),
        ("static/extra.css", "body{}"),
    ]);
    repo.build();
    assert!(repo.read("public/404.html").contains("Lost? Custom."));
    let page = repo.read("public/privacy/index.html");
    assert!(
        page.contains("<p>Text.</p>"),
        "pages without an override keep the theme's page.html: {page}"
    );
    assert!(page.contains("class=\"site-footer\""), "{page}");
    assert_eq!(repo.read("public/extra.css"), "body{}");
    assert!(
        repo.exists("public/style.css"),
        "the theme's own static files stay"
    );
}

#[test]
fn version_flag_and_usage_errors() {
    // Scripts rely on exit status 2 for usage errors and 0 for --version.
    let repo = TestRepo::folder();
    let run = repo.redline(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("redline "));
    let run = repo.redline(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(repo.redline(&["frobnicate"]).code, 2);
}

/// A symlink in the content folder is published only when it points inside
/// the site: one pointing out of it would copy an outside file into public/.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_left_out() {
    let repo = site(&[
        ("content/privacy.md", &policy("Privacy", "Text.")),
        ("shared/logo.svg", "<svg/>"),
    ]);
    let outside = TestRepo::folder();
    outside.write("secret.txt", "outside");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        repo.path().join("content/secret.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        repo.path().join("shared/logo.svg"),
        repo.path().join("content/logo.svg"),
    )
    .unwrap();
    let run = repo.build();
    assert!(!repo.exists("public/secret.txt"));
    assert!(
        run.stderr
            .contains("content/secret.txt is a symlink to a file outside the site root"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read("public/logo.svg"), "<svg/>");
}

#[test]
fn the_header_lists_documents_up_to_nav_limit() {
    // A handful of policies sit in every page's header; past `nav_limit` the
    // header stops listing them and the index is the list.
    let repo = site(&[
        ("redline.toml", "nav_limit = 2\n"),
        ("content/privacy.md", "# Privacy\n\nText.\n"),
        ("content/terms.md", "# Terms\n\nText.\n"),
    ]);
    repo.build();
    let privacy = repo.read("public/privacy/index.html");
    assert!(privacy.contains("class=\"site-nav\""), "{privacy}");
    assert!(
        privacy.contains("href=\"../terms/\">Terms</a>"),
        "{privacy}"
    );
    assert!(privacy.contains("href=\"../privacy/\" aria-current=\"page\">Privacy</a>"));

    repo.write("content/cookies.md", "# Cookies\n\nText.\n");
    repo.commit("Add the cookie policy", DATE);
    repo.build();
    let privacy = repo.read("public/privacy/index.html");
    assert!(!privacy.contains("class=\"site-nav\""), "{privacy}");
    assert!(!privacy.contains("href=\"../terms/\""), "{privacy}");
    let index = repo.read("public/index.html");
    for url in ["privacy/", "terms/", "cookies/"] {
        assert!(index.contains(&format!("href=\"{url}\"")), "{url}: {index}");
    }
}

#[test]
fn a_setting_appended_after_extra_is_pointed_at() {
    // `base_url = …` appended to the end of redline.toml landed in [extra]
    // and silently set nothing.
    let repo = site(&[
        ("content/privacy.md", &policy("Privacy", "Text.")),
        (
            "redline.toml",
            "title = \"Legal\"\n\n[extra]\nfooter = \"Acme\"\nbase_url = \"https://legal.example.com/\"\n",
        ),
    ]);
    let run = repo.build();
    assert!(
        run.stderr.contains(
            "warning: `base_url` is inside [extra] in redline.toml (line 5), so it only reaches templates as site.extra.base_url; move it above the [extra] table to set it"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`footer`"), "{}", run.stderr);
    let log = repo.redline(&["log"]).success();
    assert!(
        log.stdout.contains("`base_url` is inside [extra]"),
        "{}",
        log.stdout
    );
}

/// Every `(loc, lastmod)` of a sitemap, read as XML in the sitemap
/// namespace.
fn sitemap_entries(xml: &str) -> Vec<(String, String)> {
    const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset", "{xml}");
    assert_eq!(root.tag_name().namespace(), Some(NS), "{xml}");
    let child = |url: roxmltree::Node<'_, '_>, name: &str| {
        let found: Vec<_> = url
            .children()
            .filter(|n| n.is_element() && n.tag_name().name() == name)
            .collect();
        assert_eq!(found.len(), 1, "one <{name}> per <url>: {xml}");
        assert_eq!(found[0].tag_name().namespace(), Some(NS));
        found[0].text().unwrap_or_default().to_string()
    };
    root.children()
        .filter(|n| n.is_element())
        .map(|url| {
            assert_eq!(url.tag_name().name(), "url", "{xml}");
            (child(url, "loc"), child(url, "lastmod"))
        })
        .collect()
}

#[test]
fn the_sitemap_is_xml_listing_every_page_with_its_last_change() {
    let repo = TestRepo::new();
    repo.write(
        "redline.toml",
        "base_url = \"https://legal.example.com/a&b/\"\n",
    );
    repo.write("content/privacy.md", policy("Privacy", "First."));
    repo.commit_file(
        "content/Terms of Service.md",
        &policy("Terms", "Be kind."),
        "Publish",
        "2026-03-03T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "Second."),
        "Change the privacy policy",
        "2026-04-05T23:30:00-02:00",
    );
    repo.build();
    let base = "https://legal.example.com/a&b";
    assert_eq!(
        sitemap_entries(&repo.read("public/sitemap.xml")),
        [
            (format!("{base}/"), "2026-04-05".to_string()),
            (format!("{base}/privacy/"), "2026-04-05".to_string()),
            (
                format!("{base}/terms-of-service/"),
                "2026-03-03".to_string()
            ),
        ]
    );
}

/// A policy whose hand-typed `updated:` (January 15, 2025) is older than
/// the commit that last changed it (March 3, 2026).
fn front_matter_dated(config: &str) -> TestRepo {
    site(&[
        (
            "content/privacy.md",
            "---\ntitle: Privacy\nupdated: 2025-01-15\n---\n\nWe keep data.\n",
        ),
        ("redline.toml", config),
    ])
}

#[test]
fn history_dates_win_over_front_matter_unless_trusted_and_the_mismatch_is_a_warning() {
    let repo = front_matter_dated("");
    let run = repo.build();
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-03-03");
    let page = repo.read("public/privacy/index.html");
    assert!(page.contains("<time datetime=\"2026-03-03\">"), "{page}");
    assert!(!page.contains("2025-01-15"), "{page}");
    let warning = "content/privacy.md: front matter says updated 2025-01-15, \
                   but the text last changed on 2026-03-03";
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("using the history; set trust_front_matter_dates = true"),
        "{}",
        run.stderr
    );

    let trusted = front_matter_dated("trust_front_matter_dates = true\n");
    let run = trusted.build();
    assert_eq!(trusted.document("/privacy/")["last_updated"], "2025-01-15");
    let page = trusted.read("public/privacy/index.html");
    assert!(page.contains("<time datetime=\"2025-01-15\">"), "{page}");
    assert!(run.stderr.contains(warning), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("using the front matter (trust_front_matter_dates = true)"),
        "{}",
        run.stderr
    );
}

#[test]
fn front_matter_that_agrees_with_the_history_is_no_warning() {
    let repo = site(&[(
        "content/privacy.md",
        "---\ntitle: Privacy\nupdated: 2026-03-03\n---\n\nWe keep data.\n",
    )]);
    let run = repo.build();
    assert!(!run.stderr.contains("front matter says"), "{}", run.stderr);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-03-03");
}
