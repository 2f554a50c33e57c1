//! Translations end to end: a site in English, German (file-name layout),
//! French (folder layout) and Arabic, built from real repositories with
//! scripted commits: URLs, `lang`/`dir`, hreflang both ways, the switcher,
//! sitemap alternates, `versions.json`, and whether a translation is
//! current or outdated.

use crate::harness::TestRepo;

const CONFIG: &str = r#"title = "Legal"
base_url = "https://example.com/"
default_language = "en"
binding_language = "en"

[languages.de]
title = "Rechtliches"

[languages.fr]
title = "Mentions légales"
content_dir = "content/fr"

[languages.ar]
title = "قانوني"

[email]
from = "Privacy Team <privacy@example.com>"
"#;

fn policy(title: &str, retention: &str) -> String {
    format!(
        "---\ntitle: {title}\n---\n\n## Data\n\nWe keep prompts for {retention}.\n\nWrite to the email adress on our site.\n"
    )
}

/// English, German, French and Arabic privacy policies, all committed at
/// once on March 3, 2026, and an English-only terms page.
fn four_languages() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("redline.toml", CONFIG)
        .write("content/privacy.md", policy("Privacy Policy", "30 days"))
        .write(
            "content/privacy.de.md",
            policy("Datenschutzerklärung", "30 Tage"),
        )
        .write(
            "content/fr/privacy.md",
            policy("Politique de confidentialité", "30 jours"),
        )
        .write("content/privacy.ar.md", policy("سياسة الخصوصية", "30 يومًا"))
        .write("content/terms.md", policy("Terms", "ever"));
    repo.commit("Publish the policies", "2026-03-03T10:00:00+00:00");
    repo
}

/// `(hreflang, href)` of every `<link rel="alternate" hreflang>` in a page.
fn hreflang_links(html: &str) -> Vec<(String, String)> {
    html.lines()
        .filter(|l| l.starts_with("<link rel=\"alternate\" hreflang=\""))
        .map(|l| {
            let attr = |name: &str| {
                let start = l.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
                l[start..start + l[start..].find('"').expect("closing quote")].to_string()
            };
            (attr("hreflang"), attr("href"))
        })
        .collect()
}

#[test]
fn every_language_gets_its_urls_lang_dir_and_links_both_ways() {
    let repo = four_languages();
    let run = repo.build();
    for (path, lang) in [
        ("public/privacy/index.html", "<html lang=\"en\">"),
        ("public/de/privacy/index.html", "<html lang=\"de\">"),
        ("public/fr/privacy/index.html", "<html lang=\"fr\">"),
        (
            "public/ar/privacy/index.html",
            "<html lang=\"ar\" dir=\"rtl\">",
        ),
        ("public/de/index.html", "<html lang=\"de\">"),
        ("public/fr/changes/index.html", "<html lang=\"fr\">"),
        (
            "public/ar/privacy/versions/index.html",
            "<html lang=\"ar\" dir=\"rtl\">",
        ),
    ] {
        assert!(repo.read(path).contains(lang), "{path} lacks {lang}");
    }
    // hreflang: every page names all four, itself included, and x-default
    // is the English source.
    let expected = vec![
        ("en".to_string(), "https://example.com/privacy/".to_string()),
        ("x-default".into(), "https://example.com/privacy/".into()),
        // The other languages in the order of their codes.
        ("ar".into(), "https://example.com/ar/privacy/".into()),
        ("de".into(), "https://example.com/de/privacy/".into()),
        ("fr".into(), "https://example.com/fr/privacy/".into()),
    ];
    for url in ["privacy", "de/privacy", "fr/privacy", "ar/privacy"] {
        let html = repo.read(&format!("public/{url}/index.html"));
        assert_eq!(hreflang_links(&html), expected, "{url}");
    }
    // A document with no translation has no alternates and no switcher.
    let terms = repo.read("public/terms/index.html");
    assert!(hreflang_links(&terms).is_empty());
    assert!(!terms.contains("class=\"languages\""));
    // The switcher: plain links in each language's own name, the current
    // one marked, no script.
    let german = repo.read("public/de/privacy/index.html");
    let switcher = &german[german.find("<nav class=\"languages\"").expect("a switcher")..];
    let switcher = &switcher[..switcher.find("</nav>").expect("its end")];
    let links: Vec<&str> = switcher.lines().filter(|l| l.contains("<li>")).collect();
    assert_eq!(links.len(), 4, "{switcher}");
    assert!(
        links[0].contains("<a href=\"../../privacy/\" hreflang=\"en\" lang=\"en\"")
            && links[0].ends_with(">English</a></li>"),
        "{switcher}"
    );
    assert!(
        links[2].contains("<span aria-current=\"page\" lang=\"de\">Deutsch</span>"),
        "{switcher}"
    );
    assert!(
        links[3].contains("<a href=\"../../fr/privacy/\" hreflang=\"fr\"")
            && links[3].ends_with(">Français</a></li>"),
        "{switcher}"
    );
    assert!(!german.contains("<script"));
    // Each language's home lists its own documents only.
    let home_de = repo.read("public/de/index.html");
    assert!(home_de.contains("Datenschutzerklärung") && !home_de.contains(">Terms<"));
    assert!(repo.read("public/index.html").contains(">Terms<"));
    // Arabic has no table of the theme's words: one warning says so.
    assert!(
        run.stderr.contains("there is no i18n/ar.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_sitemap_pairs_every_translation_with_the_others() {
    let repo = four_languages();
    repo.build();
    let xml = repo.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("the sitemap is XML");
    let xhtml = "http://www.w3.org/1999/xhtml";
    let alternates = |loc: &str| -> Vec<(String, String)> {
        let url = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("url")
                    && n.children()
                        .any(|c| c.has_tag_name("loc") && c.text() == Some(loc))
            })
            .unwrap_or_else(|| panic!("no <url> for {loc} in {xml}"));
        url.children()
            .filter(|c| c.has_tag_name((xhtml, "link")))
            .map(|c| {
                (
                    c.attribute("hreflang").expect("hreflang").to_string(),
                    c.attribute("href").expect("href").to_string(),
                )
            })
            .collect()
    };
    let german = alternates("https://example.com/de/privacy/");
    for url in ["privacy", "de/privacy", "fr/privacy", "ar/privacy"] {
        // Both ways: every translation lists the same set.
        assert_eq!(alternates(&format!("https://example.com/{url}/")), german);
    }
    assert!(german.contains(&("ar".into(), "https://example.com/ar/privacy/".into())));
    assert!(german.contains(&("x-default".into(), "https://example.com/privacy/".into())));
    assert!(alternates("https://example.com/terms/").is_empty());
    assert!(
        alternates("https://example.com/fr/").is_empty(),
        "the French home is listed"
    );
}

#[test]
fn versions_json_names_each_document_s_language_and_source() {
    let repo = four_languages();
    repo.build();
    let english = repo.document("/privacy/");
    assert_eq!(english["language"], "en");
    assert!(english["translation_of"].is_null());
    let french = repo.document("/fr/privacy/");
    assert_eq!(french["language"], "fr");
    assert_eq!(french["translation_of"], "/privacy/");
    assert_eq!(french["source"], "content/fr/privacy.md");
    assert_eq!(french["translation"]["status"], "current");
    // Its own history: one version, its own commit.
    assert_eq!(repo.version_days("/fr/privacy/"), ["2026-03-03"]);
    assert_eq!(repo.document("/ar/privacy/")["language"], "ar");
}

/// The source changes materially on March 10; the German translation is
/// updated in the same merge, the French one is not.
fn source_changed_after() -> TestRepo {
    let repo = four_languages();
    repo.checkout_new("retention");
    repo.write("content/privacy.md", policy("Privacy Policy", "90 days"));
    repo.write(
        "content/privacy.de.md",
        policy("Datenschutzerklärung", "90 Tage"),
    );
    repo.commit("Keep prompts longer", "2026-03-09T10:00:00+00:00");
    repo.checkout("main");
    repo.merge("retention", "Merge retention", "2026-03-10T10:00:00+00:00");
    repo
}

#[test]
fn a_translation_updated_in_the_same_merge_is_current_and_one_left_behind_is_outdated() {
    let repo = source_changed_after();
    repo.build_on("2026-03-12");
    let german = repo.document("/de/privacy/");
    assert_eq!(german["translation"]["status"], "current", "{german:#}");
    let de_html = repo.read("public/de/privacy/index.html");
    assert!(!de_html.contains("notice--outdated"));

    let french = repo.document("/fr/privacy/");
    assert_eq!(french["translation"]["status"], "outdated", "{french:#}");
    assert_eq!(french["translation"]["source_changed"], "2026-03-10");
    let english = repo.document("/privacy/");
    let first = english["versions"][1]["commit"].as_str().expect("commit");
    assert_eq!(french["translation"]["translated_commit"], first);
    assert_eq!(
        french["translation"]["compare_url"],
        english["versions"][1]["compare_url"]
    );
    let fr_html = repo.read("public/fr/privacy/index.html");
    assert!(
        fr_html.contains("Cette traduction n’est plus à jour"),
        "{fr_html}"
    );
    assert!(
        fr_html.contains("a été modifié de manière substantielle le 10 mars 2026"),
        "{fr_html}"
    );
    // Links: the source's version of March 10 and the redline since the
    // version the translation was made from, both pages that exist.
    let version = english["versions"][0]["url"].as_str().expect("url");
    let compare = english["versions"][1]["compare_url"].as_str().expect("url");
    for url in [version, compare] {
        assert!(
            fr_html.contains(&format!("href=\"../..{url}\"")),
            "{url} in {fr_html}"
        );
        assert!(repo.exists(&format!("public{url}index.html")), "{url}");
    }
    // binding_language: which text prevails, in French.
    assert!(fr_html.contains("En cas de divergence, la version English fait foi."));
}

#[test]
fn an_editorial_source_change_after_the_translation_leaves_it_current() {
    let repo = four_languages();
    let fixed = policy("Privacy Policy", "30 days").replace("adress", "address");
    repo.write("content/privacy.md", &fixed);
    repo.commit("Fix a typo", "2026-03-06T10:00:00+00:00");
    repo.build_on("2026-03-08");
    let english = repo.document("/privacy/");
    let classes: Vec<&str> = english["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["change"].as_str().expect("class"))
        .collect();
    assert_eq!(classes, ["editorial", "initial"], "{english:#}");
    let german = repo.document("/de/privacy/");
    assert_eq!(german["translation"]["status"], "current", "{german:#}");
    assert!(
        !repo
            .read("public/de/privacy/index.html")
            .contains("notice--outdated")
    );
}

#[test]
fn a_pinned_source_version_decides_and_a_bad_pin_names_the_line() {
    let repo = source_changed_after();
    let english_first = {
        repo.build_on("2026-03-12");
        repo.document("/privacy/")["versions"][1]["commit"]
            .as_str()
            .expect("commit")
            .to_string()
    };
    // The German text was committed last, but says it translates the
    // first English version: outdated.
    let pinned = format!(
        "---\ntitle: Datenschutzerklärung\ntranslation_of_version: {}\n---\n\n## Data\n\nWe keep prompts for 90 Tage.\n\nWrite to the email adress on our site.\n",
        &english_first[..10]
    );
    repo.write("content/privacy.de.md", &pinned);
    repo.commit("Pin the German source", "2026-03-11T10:00:00+00:00");
    repo.build_on("2026-03-12");
    let german = repo.document("/de/privacy/");
    assert_eq!(german["translation"]["status"], "outdated", "{german:#}");
    let html = repo.read("public/de/privacy/index.html");
    assert!(html.contains("Diese Übersetzung ist veraltet"), "{html}");
    assert!(
        html.contains("am 10. März 2026 wesentlich geändert"),
        "{html}"
    );
    // Pinned by day to the material change: current.
    repo.write(
        "content/privacy.de.md",
        pinned.replace(&english_first[..10], "2026-03-10"),
    );
    repo.commit("Pin by day", "2026-03-11T11:00:00+00:00");
    repo.build_on("2026-03-12");
    assert_eq!(
        repo.document("/de/privacy/")["translation"]["status"],
        "current"
    );
    // A pin that names nothing: an error naming file and line.
    repo.write(
        "content/privacy.de.md",
        pinned.replace(&english_first[..10], "deadbeef"),
    );
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains(
            "content/privacy.de.md:3: translation_of_version: commit deadbeef made no version"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_language_code_is_an_error_naming_it() {
    let repo = TestRepo::committed(
        &[
            ("redline.toml", "[languages.gr]\n"),
            ("content/privacy.md", "# Privacy\n"),
        ],
        "2026-03-03T10:00:00+00:00",
    );
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr
            .contains("[languages.gr]: `gr` is not a known language"),
        "{}",
        run.stderr
    );
}

/// The words and dates each language's page shows, one line each.
fn localized_lines(html: &str) -> String {
    localized_lines_of(
        html,
        &[
            "<p class=\"meta\">",
            "<h2 id=\"versions-title\">",
            "<tr><th scope=\"col\">",
            "<td>",
            "<a class=\"skip-link\"",
            "<h1>",
        ],
    )
}

/// The text of each line of `html` that starts with one of `wanted`.
fn localized_lines_of(html: &str, wanted: &[&str]) -> String {
    html.lines()
        .map(str::trim)
        .filter(|line| wanted.iter().any(|w| line.starts_with(w)))
        // Addresses are not words: keep the text.
        .map(crate::harness::text_of)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dates_and_words_are_in_each_language() {
    let repo = TestRepo::new();
    repo.write(
        "redline.toml",
        "[languages.de]\n[languages.fr]\n[languages.es]\n[languages.ja]\n",
    );
    for code in ["", ".de", ".fr", ".es", ".ja"] {
        repo.write(
            &format!("content/privacy{code}.md"),
            policy("Privacy", "30 days"),
        );
    }
    repo.commit("Publish", "2026-03-03T10:00:00+00:00");
    let run = repo.build();
    assert!(!run.stderr.contains("i18n/"), "{}", run.stderr);
    let mut all = String::new();
    for prefix in ["", "de/", "fr/", "es/", "ja/"] {
        let html = repo.read(&format!("public/{prefix}privacy/index.html"));
        all.push_str(&format!(
            "== /{prefix}privacy/\n{}\n",
            localized_lines(&html)
        ));
        let version = repo.read(&format!(
            "public/{prefix}privacy/versions/2026-03-03/index.html"
        ));
        all.push_str(&format!(
            "== /{prefix}privacy/versions/2026-03-03/\n{}\n",
            localized_lines(&version)
        ));
        let versions = repo.read(&format!("public/{prefix}privacy/versions/index.html"));
        all.push_str(&format!(
            "== /{prefix}privacy/versions/\n{}\n",
            localized_lines(&versions)
        ));
    }
    insta::assert_snapshot!(all);
}

/// The sentences of a redline, compare or version page, tags dropped.
fn sentence_lines(html: &str) -> String {
    let wanted = ["<title>", "<h1>", "<h2", "<p", "<li>", "</strong>"];
    let lines: Vec<&str> = html
        .lines()
        .map(str::trim)
        .skip_while(|line| !line.starts_with("<title>"))
        .collect();
    let body = lines.join("\n");
    localized_lines_of(&body, &wanted)
}

#[test]
fn the_german_redline_compare_and_version_pages_read_german() {
    let repo = TestRepo::new();
    repo.write("redline.toml", "[languages.de]\n")
        .write("content/privacy.md", policy("Privacy", "30 days"))
        .write("content/privacy.de.md", policy("Datenschutz", "30 Tage"));
    repo.commit("Publish", "2026-03-03T10:00:00+00:00");
    repo.write("content/privacy.md", policy("Privacy", "90 days"))
        .write("content/privacy.de.md", policy("Datenschutz", "90 Tage"));
    repo.commit(
        "Keep prompts longer\n\nPolicy-Change: material",
        "2026-04-01T10:00:00+00:00",
    );
    let run = repo.build();
    assert!(!run.stderr.contains("i18n/"), "{}", run.stderr);
    let mut all = String::new();
    for page in [
        "changes/2026-04-01",
        "compare/2026-03-03",
        "versions/2026-03-03",
        "versions/2026-04-01",
    ] {
        let html = repo.read(&format!("public/de/privacy/{page}/index.html"));
        all.push_str(&format!(
            "== /de/privacy/{page}/\n{}\n",
            sentence_lines(&html)
        ));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn a_missing_word_falls_back_to_the_default_language_with_one_warning() {
    let repo = TestRepo::new();
    repo.write("redline.toml", "[languages.nl]\n")
        .write(
            "i18n/nl.toml",
            "language_name = \"Nederlands\"\nlast_updated = \"Laatst bijgewerkt\"\n",
        )
        .write("content/privacy.md", policy("Privacy", "30 days"))
        .write("content/privacy.nl.md", policy("Privacy", "30 dagen"))
        .write("content/terms.md", policy("Terms", "ever"))
        .write("content/terms.nl.md", policy("Voorwaarden", "altijd"));
    repo.commit("Publish", "2026-03-03T10:00:00+00:00");
    let run = repo.build();
    let warned = |key: &str| {
        run.stderr
            .matches(&format!("i18n/nl.toml has no `{key}`"))
            .count()
    };
    assert_eq!(warned("version_history"), 1, "{}", run.stderr);
    assert_eq!(warned("skip_link"), 1, "{}", run.stderr);
    assert_eq!(warned("last_updated"), 0, "{}", run.stderr);
    let html = repo.read("public/nl/privacy/index.html");
    assert!(
        html.contains("Laatst bijgewerkt <time datetime=\"2026-03-03\">3 maart 2026</time>"),
        "{html}"
    );
    assert!(html.contains(">Version history</h2>"), "{html}");
    assert!(
        html.contains("<span aria-current=\"page\" lang=\"nl\">Nederlands</span>"),
        "{html}"
    );
}

#[test]
fn redline_log_says_which_translations_are_outdated() {
    let repo = source_changed_after();
    let run = repo.redline(&["log"]).success();
    let line = |url: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(&format!(" {url}  ")))
            .unwrap_or_else(|| panic!("no {url} in {}", run.stdout))
            .to_string()
    };
    assert!(
        line("/fr/privacy/").ends_with(
            "(fr translation, outdated: the en source changed materially on 2026-03-10)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        line("/de/privacy/").ends_with("(de translation, current)"),
        "{}",
        run.stdout
    );
    assert!(!line("/privacy/").contains("translation"), "{}", run.stdout);
    let one = repo.redline(&["log", "/fr/privacy/"]).success();
    assert!(
        one.stdout
            .lines()
            .next()
            .is_some_and(|l| l.contains("outdated")),
        "{}",
        one.stdout
    );
}

#[test]
fn init_with_languages_scaffolds_a_bilingual_site_that_builds() {
    let parent = TestRepo::folder();
    crate::harness::run_redline(parent.path(), &["init", "site", "--languages", "en,de"]).success();
    let site = parent.path().join("site");
    crate::harness::run_redline(&site, &["build"]).success();
    let german = std::fs::read_to_string(site.join("public/de/privacy/index.html")).expect("built");
    assert!(german.contains("<html lang=\"de\">"));
    assert!(german.contains("Zuletzt geändert"), "{german}");
    assert!(!german.contains("notice--outdated"));
    let run =
        crate::harness::run_redline(parent.path(), &["init", "other", "--languages", "en,xx"])
            .failure();
    assert!(run.stderr.contains("`xx`"), "{}", run.stderr);
}

#[test]
fn the_example_site_s_german_translation_lags_one_material_change() {
    // content/privacy.de.md pins the English version before the 30-day
    // deletion change, so the example shows the outdated notice.
    let out = TestRepo::folder();
    let output = out.path().join("public");
    let output = output.to_str().expect("UTF-8 temp path");
    crate::harness::run_redline(
        &crate::harness::project_root(),
        &["build", "--output", output],
    )
    .success();
    let html = std::fs::read_to_string(out.path().join("public/de/privacy/index.html"))
        .expect("the German page");
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("Diese Übersetzung ist veraltet"), "{html}");
    assert!(html.contains("Bei Abweichungen ist die Fassung in English maßgeblich."));
    let versions: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("public/versions.json")).expect("versions.json"),
    )
    .expect("JSON");
    let german = versions["documents"]
        .as_array()
        .and_then(|docs| docs.iter().find(|d| d["url"] == "/de/privacy/"))
        .expect("the German document");
    assert_eq!(german["translation"]["status"], "outdated", "{german:#}");
}

/// `redline notify` for the changes since March 5 to `people.csv`, on
/// March 12, 2026, plus `extra`.
fn notify_people(repo: &TestRepo, extra: &[&str]) -> crate::harness::Run {
    let mut args = vec![
        "notify",
        "--outbox",
        "out",
        "--recipients",
        "people.csv",
        "--since",
        "2026-03-05",
    ];
    args.extend_from_slice(extra);
    crate::harness::run_redline_with(repo.path(), &args, &[("SOURCE_DATE_EPOCH", "1773309600")])
}

#[test]
fn each_recipient_gets_the_notice_in_their_language_exactly_once() {
    let repo = source_changed_after();
    repo.write(
        "people.csv",
        "email,name,language\nann@example.com,Ann\ndora@example.com,Dora,de\nfleur@example.com,Fleur,fr\njun@example.com,Jun,ja\n",
    );
    notify_people(&repo, &[]).success();
    let mut messages: Vec<String> = std::fs::read_dir(repo.path().join("out"))
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| std::fs::read_to_string(p).expect("eml"))
        .collect();
    messages.sort();
    // One change (the English policy's, told through its translations), four people.
    assert_eq!(messages.len(), 4, "{messages:#?}");
    let to = |address: &str| -> String {
        let found: Vec<&String> = messages
            .iter()
            .filter(|m| {
                m.lines()
                    .any(|l| l.starts_with("To:") && l.contains(address))
            })
            .collect();
        assert_eq!(found.len(), 1, "{address}: {messages:#?}");
        let raw = found[0].as_bytes();
        let parsed = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a message");
        format!(
            "{}\n{}",
            parsed.subject().unwrap_or_default(),
            parsed.body_text(0).expect("text")
        )
    };
    let ann = to("ann@example.com");
    assert!(
        ann.contains("Hello Ann,") && ann.contains("Privacy Policy"),
        "{ann}"
    );
    let subject = |message: &str| message.lines().next().unwrap_or_default().to_string();
    assert_eq!(subject(&ann), "Privacy Policy: updated", "{ann}");
    let dora = to("dora@example.com");
    assert!(dora.contains("Guten Tag Dora,"), "{dora}");
    assert_eq!(
        subject(&dora),
        "Datenschutzerklärung: aktualisiert",
        "{dora}"
    );
    assert!(
        dora.contains("Wir haben unsere Datenschutzerklärung aktualisiert."),
        "{dora}"
    );
    assert!(dora.contains("https://example.com/de/privacy/"), "{dora}");
    assert!(!dora.contains("Diese Übersetzung enthält"), "{dora}");
    let fleur = to("fleur@example.com");
    assert!(fleur.contains("Bonjour Fleur,"), "{fleur}");
    assert_eq!(
        subject(&fleur),
        "Politique de confidentialité : mise à jour",
        "{fleur}"
    );
    assert!(fleur.contains("https://example.com/fr/privacy/"), "{fleur}");
    assert!(fleur.contains("Publié le : 10 mars 2026"), "{fleur}");
    assert!(
        fleur.contains(
            "Cette traduction ne reflète pas encore la modification ; l’original (English) oui :"
        ),
        "{fleur}"
    );
    // The summary made from the redline is written in each reader's language.
    assert!(
        ann.contains("Changed “Data” (1 word added, 1 removed)."),
        "{ann}"
    );
    assert!(
        dora.contains("„Data“ geändert (1 Wort hinzugefügt, 1 entfernt)."),
        "{dora}"
    );
    assert!(
        fleur.contains("Modification de « Data » (1 mot ajouté, 1 supprimé(s))."),
        "{fleur}"
    );
    let dora_html = messages
        .iter()
        .find(|m| m.contains("dora@example.com"))
        .map(|m| {
            let parsed = mail_parser::MessageParser::default()
                .parse(m.as_bytes())
                .expect("a message");
            parsed.body_html(0).expect("an HTML part").to_string()
        })
        .unwrap_or_default();
    assert!(
        dora_html.contains("Geändert: <a href=\"https://example.com/de/privacy/#data\""),
        "{dora_html}"
    );
    assert!(!dora_html.contains("changed:"), "{dora_html}");
    // No Japanese translation: the default language's notice.
    let jun = to("jun@example.com");
    assert!(
        jun.contains("Hello Jun,") && jun.contains("Privacy Policy"),
        "{jun}"
    );
}

/// The same notices through a real SMTP server: each recipient gets one
/// message, in their language, and a second run sends none (the ledger).
#[test]
fn mixed_languages_go_through_smtp_once_each() {
    use crate::notify::{parse, recipients_of, smtp_server, wait_for};
    let repo = source_changed_after();
    repo.write(
        "people.csv",
        "email,name,language\nann@example.com,Ann\ndora@example.com,Dora,de\nfleur@example.com,Fleur,fr\n",
    );
    let (url, room) = smtp_server(None);
    let send = || notify_people(&repo, &["--send", "--smtp", &url]).success();
    let first = send();
    assert!(first.stderr.contains("sent 3 messages"), "{}", first.stderr);
    let received = wait_for(&room, 3);
    let counts = recipients_of(&received);
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let greeting = |address: &str| {
        let message = received
            .iter()
            .find(|m| m.to.iter().any(|to| to.contains(address)))
            .unwrap_or_else(|| panic!("nothing for {address}"));
        let parsed = parse(&message.data);
        parsed.body_text(0).expect("a text part").to_string()
    };
    assert!(greeting("ann@").contains("Hello Ann,"));
    assert!(greeting("dora@").contains("Guten Tag Dora,"));
    assert!(greeting("fleur@").contains("Bonjour Fleur,"));
    let again = send();
    assert!(again.stderr.contains("sent 0 messages"), "{}", again.stderr);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(room.lock().expect("lock").received.len(), 3);
}

#[test]
fn a_withdrawn_german_document_says_so_in_german() {
    let repo = TestRepo::new();
    repo.write("redline.toml", "[languages.de]\n")
        .write("content/privacy.md", policy("Privacy", "30 days"))
        .write("content/terms.md", policy("Terms", "ever"))
        .write("content/terms.de.md", policy("Bedingungen", "immer"));
    repo.commit("Publish", "2026-03-03T10:00:00+00:00");
    repo.git(&["rm", "-q", "content/terms.md", "content/terms.de.md"]);
    repo.commit("Withdraw the terms", "2026-04-01T10:00:00+00:00");
    let run = repo.build();
    assert!(!run.stderr.contains("i18n/"), "{}", run.stderr);
    let german = repo.read("public/de/terms/index.html");
    assert!(
        german.contains("<strong>Zurückgezogen am <time datetime=\"2026-04-01\">1. April 2026</time>.</strong> Dieses Dokument gilt nicht mehr."),
        "{german}"
    );
    assert!(german.contains("— erste Fassung"), "{german}");
    let english = repo.read("public/terms/index.html");
    assert!(
        english.contains("<strong>Withdrawn on <time datetime=\"2026-04-01\">April 1, 2026</time>.</strong> This document no longer applies."),
        "{english}"
    );
    // The withdrawal on each language's changes page, in that language.
    let changes = repo.read("public/de/changes/index.html");
    assert!(
        changes.contains("Zurückgezogen am 1. April 2026: Dieses Dokument gilt nicht mehr."),
        "{changes}"
    );
    let changes = repo.read("public/changes/index.html");
    assert!(
        changes.contains("Withdrawn on April 1, 2026: this document no longer applies."),
        "{changes}"
    );
}
