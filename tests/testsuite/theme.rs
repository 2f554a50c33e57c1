//! The default theme's layout, measured in headless Chromium: the built
//! pages are copied with a small script that writes the boxes it measures
//! into the DOM, which `--dump-dom` prints.

use std::process::{Command, Stdio};

use crate::harness::{TestRepo, policy};
use crate::serve::chromium_available;

/// Appended to a built page: the left edges of the main column's first
/// line and of the footer's, in CSS pixels; the redline title's type, if
/// the page has one; then, with the print rules applied to the screen, how
/// the footer's links display.
const MEASURE: &str = r#"<script>
const left = (selector) => Math.round(document.querySelector(selector).getBoundingClientRect().left);
const measured = { main: left("main h1"), footer: left(".site-footer p") };
const title = document.querySelector(".redline-title");
if (title) {
  const style = getComputedStyle(title);
  measured.title = { weight: style.fontWeight, size: parseFloat(style.fontSize),
    body: parseFloat(getComputedStyle(document.querySelector(".redline p:not(.redline-title)")).fontSize) };
}
const print = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
  .filter((rule) => rule instanceof CSSMediaRule && rule.conditionText === "print")
  .flatMap((rule) => [...rule.cssRules].map((inner) => inner.cssText));
const printed = document.createElement("style");
printed.textContent = print.join("\n");
document.head.append(printed);
measured.print = {
  footer_links: [...document.querySelectorAll(".site-footer a")]
    .map((a) => a.offsetParent === null ? "hidden" : "shown"),
};
document.body.setAttribute("data-measured", JSON.stringify(measured));
</script>"#;

/// The measurements of `page` (a built HTML file) at `width` × 900 px.
fn measure(repo: &TestRepo, page: &str, width: u32) -> serde_json::Value {
    let html = repo
        .read(page)
        .replace("</body>", &format!("{MEASURE}</body>"));
    let copy = repo.path().join(page).with_file_name("measured.html");
    std::fs::write(&copy, html).expect("write the copy");
    browser_report(
        &format!("file://{}", copy.display()),
        &[
            &format!("--window-size={width},900"),
            // The script reads the stylesheet's rules (file:// is cross-origin).
            "--allow-file-access-from-files",
        ],
        "data-measured",
    )
}

/// Loads `url` in headless Chromium (with `args`), lets its scripts run,
/// and returns the JSON the page left in `<body attribute="…">`.
pub fn browser_report(url: &str, args: &[&str], attribute: &str) -> serde_json::Value {
    let profile = tempfile::tempdir().expect("temp dir");
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // Time for asynchronous scripts before the DOM is printed.
            "--virtual-time-budget=20000",
            "--dump-dom",
        ])
        .args(args)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let key = format!("{attribute}=\"");
    let start = dom
        .find(&key)
        .unwrap_or_else(|| panic!("nothing reported by {url}:\n{dom}"))
        + key.len();
    let end = start + dom[start..].find('"').expect("attribute ends");
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
fn the_footer_lines_up_with_the_content_column() {
    // The footer's 70ch column was measured at its smaller type, so at
    // 1280 px its text started 41 px right of the page's.
    if !chromium_available() {
        return;
    }
    let repo = TestRepo::committed(
        &[(
            "content/privacy.md",
            policy("Privacy Policy", "We keep data."),
        )],
        "2026-03-02T10:00:00+00:00",
    );
    repo.build();
    for width in [1280, 800, 375] {
        let boxes = measure(&repo, "public/privacy/index.html", width);
        assert_eq!(boxes["main"], boxes["footer"], "at {width} px: {boxes}");
    }
}

#[test]
fn the_redline_title_is_set_like_a_heading_and_footer_links_do_not_print() {
    // The redline's title was an unstyled paragraph, and the print
    // stylesheet hid a `.site-footer nav` that never existed.
    if !chromium_available() {
        return;
    }
    let repo = TestRepo::committed(
        &[(
            "content/privacy.md",
            policy("Privacy Policy", "We keep data."),
        )],
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Notice", "We keep data longer."),
        "Rename",
        "2026-03-10T10:00:00+00:00",
    );
    repo.build();
    let boxes = measure(&repo, "public/privacy/changes/2026-03-10/index.html", 1280);
    let title = &boxes["title"];
    assert_eq!(title["weight"], "700", "{boxes}");
    let (size, body) = (title["size"].as_f64(), title["body"].as_f64());
    assert!(size > body.map(|b| b * 1.2), "{boxes}");
    let links = boxes["print"]["footer_links"].as_array().expect("links");
    assert!(!links.is_empty(), "{boxes}");
    assert!(links.iter().all(|l| l == "hidden"), "{boxes}");
}

/// Every link of a page as (accessible name, href): its `aria-label`, else
/// its text with tags (visually hidden ones included) removed.
fn links(html: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<a ") {
        rest = &rest[start..];
        let open_end = rest.find('>').expect("the tag ends");
        let tag = &rest[..open_end];
        let close = rest.find("</a>").expect("the link ends");
        let attribute = |name: &str| {
            let key = format!(" {name}=\"");
            tag.find(&key).map(|at| {
                let value = &tag[at + key.len()..];
                value[..value.find('"').expect("quoted")].to_string()
            })
        };
        let mut text = String::new();
        let mut in_tag = false;
        for c in rest[open_end + 1..close].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let name = attribute("aria-label")
            .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
        links.push((name, attribute("href").unwrap_or_default()));
        rest = &rest[close..];
    }
    links
}

/// Names used for more than one target: `name → targets`.
fn ambiguous(links: &[(String, String)]) -> Vec<String> {
    let mut targets: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
        Default::default();
    for (name, href) in links {
        targets.entry(name).or_default().insert(href);
    }
    targets
        .into_iter()
        .filter(|(_, hrefs)| hrefs.len() > 1)
        .map(|(name, hrefs)| format!("{name:?} → {hrefs:?}"))
        .collect()
}

#[test]
fn repeated_links_have_names_that_tell_their_targets_apart() {
    // /changes/ said "This version" and "Redline" for every change, and the
    // version tables named each redline by its class alone.
    let repo = TestRepo::new();
    for (day, text) in [
        ("2026-03-02T10:00:00+00:00", "We keep data."),
        ("2026-03-10T09:00:00+00:00", "We keep data for a year."),
        ("2026-03-10T15:00:00+00:00", "We keep data for two years."),
        (
            "2026-03-12T10:00:00+00:00",
            "We keep your data for two years.",
        ),
    ] {
        repo.write("content/privacy.md", policy("Privacy Policy", text));
        repo.write("content/terms.md", policy("Terms", text));
        repo.commit("Change", day);
    }
    repo.build_on("2026-03-20");
    for page in [
        "public/changes/index.html",
        "public/privacy/index.html",
        "public/privacy/versions/index.html",
    ] {
        let links = links(&repo.read(page));
        assert!(links.len() > 8, "{page}: {links:?}");
        assert_eq!(ambiguous(&links), Vec::<String>::new(), "{page}");
    }
}
