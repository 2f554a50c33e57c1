//! Fidelity to real policy files: raw HTML tables sanitized (not dropped),
//! kramdown/goldmark attribute lists read, and history comparing what the
//! page shows — in repositories shaped like a large Jekyll policy site.

use std::path::Path;

use crate::harness::TestRepo;

/// A notice in the style of a Jekyll policy repository: front matter with
/// keys redline does not know, headings with `{: #id }`, a date line with
/// `{: datetime=… }`, and the data table in raw HTML with `<p>` and `<ul>`
/// inside its cells.
fn notice(basis_for_email: &str) -> String {
    format!(
        r#"---
title: Privacy Notice
redirect_from: /privacy/
topics: [privacy]
---

Effective October 31, 2025
{{: datetime="2025-10-31" }}

## Information we collect {{: #markup }}

We collect the data listed below.

<table>
  <thead>
    <tr><th>Data</th><th>Purpose</th><th>Legal basis</th></tr>
  </thead>
  <tbody>
    <tr>
      <td><strong>Account data</strong></td>
      <td>
        <p>To run your account:</p>
        <ul>
          <li>signing in</li>
          <li>support requests</li>
        </ul>
      </td>
      <td><p>Contract</p></td>
    </tr>
    <tr>
      <td><strong>Email address</strong></td>
      <td><p>To send service notices.</p></td>
      <td><p>{basis_for_email}</p></td>
    </tr>
  </tbody>
</table>

## How long we keep it {{#retention}}

We keep account data while your account is open.
"#
    )
}

/// Every file the build wrote, with its text.
fn written(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read output folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

#[test]
fn a_raw_html_table_is_shown_and_attribute_lists_become_ids() {
    let repo = TestRepo::committed(
        &[("content/notice.md", notice("Legitimate interests"))],
        "2026-03-03T10:00:00+00:00",
    );
    let run = repo.build();
    let page = repo.read("public/notice/index.html");
    for text in [
        "<th>Legal basis</th>",
        "<strong>Account data</strong>",
        "<p>To run your account:</p>",
        "<li>support requests</li>",
        "<p>Legitimate interests</p>",
    ] {
        assert!(page.contains(text), "{text} missing from {page}");
    }
    assert!(!page.contains("raw HTML omitted"), "{page}");
    assert!(
        page.contains("<h2 id=\"markup\">Information we collect"),
        "{page}"
    );
    assert!(
        page.contains("<h2 id=\"retention\">How long we keep it"),
        "{page}"
    );
    assert!(
        page.contains("href=\"#markup\""),
        "table of contents: {page}"
    );
    assert!(page.contains("<p>Effective October 31, 2025</p>"), "{page}");
    // Nothing was removed, so nothing is reported.
    assert!(!run.stderr.contains("raw HTML"), "{}", run.stderr);

    // The second commit edits one cell; every output file is then checked.
    repo.write("content/notice.md", notice("Consent"));
    repo.commit("Email notices need consent", "2026-04-01T10:00:00+00:00");
    repo.build();
    for (path, text) in written(&repo.path().join("public")) {
        assert!(!text.contains("{:"), "an attribute list shows in {path}");
        assert!(!text.contains("{#"), "an attribute list shows in {path}");
    }
}

#[test]
fn an_edit_inside_a_raw_html_cell_is_a_material_version_with_a_word_redline() {
    let repo = TestRepo::committed(
        &[("content/notice.md", notice("Legitimate interests"))],
        "2026-03-03T10:00:00+00:00",
    );
    repo.write("content/notice.md", notice("Consent"));
    repo.commit("Email notices need consent", "2026-04-01T10:00:00+00:00");
    repo.build();
    let document = repo.document("/notice/");
    let versions = document["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2, "{document:#}");
    assert_eq!(versions[0]["change"], "material", "{document:#}");
    let redline = repo.read("public/notice/changes/2026-04-01/index.html");
    // The change is inside the row, inside its cell, word by word.
    let row = redline
        .split("<tr")
        .find(|row| row.contains("Email address"))
        .unwrap_or_else(|| panic!("no row for the email address in {redline}"));
    let cell = row
        .split("<td")
        .find(|cell| cell.contains("Consent"))
        .unwrap_or_else(|| panic!("no cell with the new basis in {row}"));
    assert!(cell.contains("<del>Legitimate interests</del>"), "{cell}");
    assert!(cell.contains("<ins>Consent</ins>"), "{cell}");
    assert!(
        !redline.contains("<del>Account"),
        "only the edited cell changed: {redline}"
    );
}

#[test]
fn changing_only_an_attribute_list_is_not_a_version() {
    let repo = TestRepo::committed(
        &[("content/notice.md", notice("Consent"))],
        "2026-03-03T10:00:00+00:00",
    );
    let restyled = notice("Consent").replace(
        "We collect the data listed below.",
        "We collect the data listed below.\n{: .lead }",
    );
    repo.write("content/notice.md", restyled);
    repo.commit("Style the lead paragraph", "2026-04-01T10:00:00+00:00");
    // A new anchor for a heading changes no text either.
    let renamed = notice("Consent").replace("{: #markup }", "{: #what-we-collect }");
    repo.write("content/notice.md", renamed);
    repo.commit("Rename the anchor", "2026-04-02T10:00:00+00:00");
    repo.build();
    assert_eq!(repo.version_days("/notice/"), ["2026-03-03"]);
    assert!(
        repo.read("public/notice/index.html")
            .contains("id=\"what-we-collect\"")
    );
    // The live page's hash is the version's: the page counts as published.
    let document = repo.document("/notice/");
    assert_eq!(
        document["sha256"], document["versions"][0]["sha256"],
        "{document}"
    );
}

#[test]
fn classes_the_site_allows_are_kept_and_are_not_a_version() {
    let repo = TestRepo::committed(
        &[
            ("content/notice.md", notice("Consent")),
            ("redline.toml", "allowed_classes = [\"lead\"]\n".into()),
        ],
        "2026-03-03T10:00:00+00:00",
    );
    let styled = notice("Consent")
        .replace(
            "We collect the data listed below.",
            "We collect the data listed below.\n{: .lead .shout }",
        )
        .replace("{: #markup }", "{: #markup .lead }");
    repo.write("content/notice.md", styled);
    repo.commit("Style the lead paragraph", "2026-04-01T10:00:00+00:00");
    repo.build();
    let page = repo.read("public/notice/index.html");
    assert!(
        page.contains("<p class=\"lead\">We collect the data listed below.</p>"),
        "{page}"
    );
    assert!(page.contains("<h2 id=\"markup\" class=\"lead\">"), "{page}");
    assert!(!page.contains("shout") && !page.contains("data-redline"));
    // Styling changes no text: still one version, and the page is it.
    assert_eq!(repo.version_days("/notice/"), ["2026-03-03"]);
    let document = repo.document("/notice/");
    assert_eq!(document["sha256"], document["versions"][0]["sha256"]);

    repo.write("redline.toml", "allowed_classes = [\".lead\"]\n");
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains("`allowed_classes` lists \".lead\"")
            && run.stderr.contains("write `note`, not `.note`"),
        "{}",
        run.stderr
    );
}

/// Each case is a known way past filters (OWASP's filter-evasion cheat
/// sheet and the usual HTML sanitizer test suites).
const EVASIONS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://x.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror\n=alert(1)>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">newline</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">entities</a>",
    "<a href=\" &#14;  javascript:alert(1)\">leading</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<math><a xlink:href=\"javascript:alert(1)\">m</a></math>",
    "<style>@import 'https://x.example/xss.css';</style>",
    "<style><img src=\"</style><img src=x onerror=alert(1)//\">",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<p/onmouseover=alert(1)>slash</p>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<a href=\"https://x.example\" onclick=\"alert(1)\">click</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<table background=\"javascript:alert(1)\"><tr><td>t</td></tr></table>",
    "[md](javascript:alert(1)) [md2](&#106;avascript:alert(1))",
];

/// The attributes of a tag as written out (`name="value"` or a bare name),
/// values still escaped.
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = tag.trim_start_matches(|c: char| !c.is_whitespace());
    loop {
        rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        if name_end == 0 {
            return found;
        }
        let name = &rest[..name_end];
        rest = &rest[name_end..];
        let value = match rest.strip_prefix("=\"") {
            Some(quoted) => {
                let end = quoted.find('"').unwrap_or(quoted.len());
                rest = quoted.get(end + 1..).unwrap_or("");
                &quoted[..end]
            }
            None => "",
        };
        found.push((name.trim_end_matches('/'), value));
    }
}

#[test]
fn nothing_executable_survives_the_sanitizer() {
    let body = EVASIONS.join("\n\n");
    let repo = TestRepo::committed(
        &[(
            "content/policy.md",
            format!("---\ntitle: Policy\n---\n\nIntro.\n\n{body}\n"),
        )],
        "2026-03-03T10:00:00+00:00",
    );
    let run = repo.build();
    let page = repo.read("public/policy/index.html");
    let content = &page[page.find("class=\"content\"").expect("content")..];
    let content = &content[..content.find("class=\"versions\"").expect("versions")];
    let lower = content.to_lowercase();
    assert!(!lower.contains("<script"), "{content}");
    assert!(!lower.contains("<style"), "{content}");
    assert!(
        !lower.contains("<iframe") && !lower.contains("<svg"),
        "{content}"
    );
    assert!(!lower.contains("style="), "{content}");
    // No event handler attribute and no dangerous URL in any tag.
    for tag in lower.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        for (name, value) in attributes(tag) {
            assert!(
                !name.starts_with("on"),
                "handler {name} in <{tag}>: {content}"
            );
            if matches!(name, "href" | "src") {
                let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                for scheme in ["javascript:", "vbscript:", "data:"] {
                    assert!(!value.starts_with(scheme), "{scheme} URL in <{tag}>");
                }
            }
        }
    }
    // Text next to the removed parts stays; what went is named once, with
    // its line.
    assert!(
        content.contains("<a href=\"https://x.example\">click</a>"),
        "{content}"
    );
    // Not HTML to CommonMark, so shown as the text it is.
    assert!(
        content.contains("&lt;p/onmouseover=alert(1)&gt;slash"),
        "{content}"
    );
    for reported in [
        "content/policy.md:7: raw HTML: <script> removed",
        "content/policy.md:15: raw HTML: the onerror attribute removed",
        "raw HTML: a javascript: URL removed",
        "raw HTML: <iframe> removed",
        "raw HTML: the style attribute removed",
    ] {
        assert!(
            run.stderr.contains(reported),
            "{reported} not in {}",
            run.stderr
        );
    }
    assert_eq!(
        run.stderr.matches("<script> removed").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn escape_shows_raw_html_as_text_and_trust_passes_it() {
    let body = "---\ntitle: Policy\n---\n\n<b onclick=\"x()\">Bold</b> text\n";
    let repo = TestRepo::committed(
        &[
            ("content/policy.md", body),
            ("redline.toml", "html = \"escape\"\n"),
        ],
        "2026-03-03T10:00:00+00:00",
    );
    repo.build();
    let page = repo.read("public/policy/index.html");
    assert!(
        page.contains("&lt;b onclick=&quot;x()&quot;&gt;Bold&lt;/b&gt; text"),
        "{page}"
    );

    repo.write("redline.toml", "unsafe_html = true\n");
    let run = repo.build();
    assert!(
        run.stderr
            .contains("`unsafe_html` in redline.toml is deprecated"),
        "{}",
        run.stderr
    );
    let page = repo.read("public/policy/index.html");
    assert!(page.contains("<b onclick=\"x()\">Bold</b> text"), "{page}");
}
