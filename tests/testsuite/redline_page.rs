//! The redline page as a reader meets it: each change under the headings
//! it sits in, folds that name the sections they hide, the section summary
//! linking into the page, replaced words apart; and, in headless Chromium,
//! the version tables and redlines on a 390 px phone and in print.

use crate::harness::TestRepo;
use crate::harness::text_of;
use crate::serve::chromium_available;
use crate::theme::browser_report;

/// A long policy: twelve sections, each with a subsection, and the
/// retention table deep inside "How long we keep data" › "Retention periods".
fn long_policy(prompt_days: &str) -> String {
    let mut text = String::from("---\ntitle: Privacy Policy\n---\n\nWe are Frameloop.\n\n");
    for n in 1..=12 {
        text.push_str(&format!(
            "## Topic {n}\n\nWhat topic {n} covers, in one sentence.\n\n\
             ### Details of topic {n}\n\nThe first detail of topic {n}.\n\n\
             The second detail of topic {n}.\n\n"
        ));
        if n == 9 {
            text.push_str(&format!(
                "## How long we keep data\n\nWe keep data only as long as we need it.\n\n\
                 ### Retention periods\n\n| Data | Kept for |\n| --- | --- |\n\
                 | Account | While your account is open |\n\
                 | Prompts | {prompt_days} days |\n| Logs | 14 days |\n\n"
            ));
        }
    }
    text
}

/// A repository whose second version changes one table row deep down.
fn long_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &long_policy("90"),
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &long_policy("30"),
        "Keep prompts shorter",
        "2026-03-10T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    repo
}

/// Where `needle` starts in `html`; it must be there once.
#[track_caller]
fn position(html: &str, needle: &str) -> usize {
    assert_eq!(html.matches(needle).count(), 1, "{needle} once in\n{html}");
    html.find(needle).expect("found")
}

#[test]
fn a_change_deep_in_a_long_document_shows_under_its_own_heading_trail() {
    // The changed retention row showed under "Who we share data with": its
    // headings were folded into "19 unchanged blocks" above it.
    let repo = long_repo();
    let page = repo.read("public/privacy/changes/2026-03-10/index.html");
    let redline = &page[page.find("<div class=\"redline\">").expect("a redline")..];

    let h2 = position(
        redline,
        "<h2 id=\"how-long-we-keep-data\">How long we keep data</h2>",
    );
    let h3 = position(
        redline,
        "<h3 id=\"retention-periods\">Retention periods</h3>",
    );
    let row = position(redline, "<tr class=\"changed\">");
    assert!(h2 < h3 && h3 < row, "trail then change:\n{redline}");
    // Nothing folded or headed between the trail and the change but the
    // table's own unchanged rows.
    let between = &redline[h3 + 1..row];
    assert!(!between.contains("<details"), "{between}");
    assert!(
        !between.contains("<h2") && !between.contains("<h3"),
        "{between}"
    );
    let last_h2_before_row = redline[..row].rfind("<h2").expect("an h2");
    assert_eq!(
        last_h2_before_row, h2,
        "the change's own h2 is the last before it"
    );

    // The fold above names the sections it hides, politely cut.
    let fold = &redline[..h2];
    let summary = &fold[fold.rfind("<summary>").expect("a fold before the trail")..];
    assert!(
        summary.starts_with(
            "<summary>2 unchanged blocks, then 18 unchanged sections: “Topic 1”, \
             “Details of topic 1”, “Topic 2”, “Details of topic 2”, and 14 more</summary>"
        ),
        "{summary}"
    );
    // The topics after the change are folded and named too.
    let after = &redline[row..];
    assert!(
        after.contains("unchanged sections: “Topic 10”, “Details of topic 10”, “Topic 11”"),
        "{after}"
    );
}

#[test]
fn the_section_summary_links_to_the_change_on_the_same_page() {
    let repo = long_repo();
    let page = repo.read("public/privacy/changes/2026-03-10/index.html");
    let summary = &page[position(&page, "class=\"change-summary\"")..];
    let summary = &summary[..summary.find("</section>").expect("the summary ends")];
    assert!(
        summary.contains("<a href=\"#retention-periods\">Retention periods</a>"),
        "{summary}"
    );
    // Every id the summary links to is a heading of the redline, once.
    for link in summary.split("href=\"#").skip(1) {
        let id = &link[..link.find('"').expect("quoted")];
        position(&page, &format!(" id=\"{id}\""));
    }
}

#[test]
fn a_replaced_word_reads_as_two_words() {
    // `90` struck and `30` inserted were copied (and read) as "9030".
    let repo = long_repo();
    let page = repo.read("public/privacy/changes/2026-03-10/index.html");
    let row = &page[position(&page, "<tr class=\"changed\">")..];
    let row = &row[..row.find("</tr>").expect("the row ends")];
    assert!(
        row.contains("<del>90</del><span class=\"gap\"> </span><ins>30</ins>"),
        "{row}"
    );
    assert!(text_of(row).contains("90 30 days"), "{}", text_of(row));
}

/// Appended to a built page: how wide the page and its tables are at the
/// window's width, then (with the print rules applied to the screen) how
/// insertions, deletions and links print.
const MEASURE: &str = r#"<script>
const width = innerWidth;
// The words a cell shows (text for screen readers only left out).
const words = (cell) => {
  const shown = cell.cloneNode(true);
  shown.querySelectorAll(".visually-hidden").forEach((hidden) => hidden.remove());
  return shown.textContent.trim().split(/\s+/).length;
};
const tables = [...document.querySelectorAll("main table")].map((table) => {
  const box = table.getBoundingClientRect();
  const style = getComputedStyle(table);
  return {
    left: Math.floor(box.left), right: Math.ceil(box.right),
    scrolls: table.scrollWidth > table.clientWidth,
    overflow_x: style.overflowX,
    // The narrowest cell showing more than three words, in ems.
    narrowest_text_cell: Math.min(...[...table.querySelectorAll("td")]
      .filter((cell) => words(cell) > 3)
      .map((cell) => cell.getBoundingClientRect().width / parseFloat(getComputedStyle(cell).fontSize))),
  };
});
const measured = { width, page_width: document.documentElement.scrollWidth, tables };
const print = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
  .filter((rule) => rule instanceof CSSMediaRule && rule.conditionText === "print")
  .flatMap((rule) => [...rule.cssRules].map((inner) => inner.cssText));
const printed = document.createElement("style");
printed.textContent = print.join("\n");
document.head.append(printed);
const mark = (selector) => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const style = getComputedStyle(element);
  return {
    line: style.textDecorationLine, style: style.textDecorationStyle,
    before: getComputedStyle(element, "::before").content,
    after: getComputedStyle(element, "::after").content,
  };
};
measured.print = {
  ins: mark(".redline ins"), del: mark(".redline del"),
  link: mark("main .redline-legend a"),
};
parent.document.body.setAttribute("data-measured", JSON.stringify(measured));
</script>"#;

/// The measurements of a built page in a frame `width` × 800 px (headless
/// Chromium's window is never narrower than 500 px; a frame is the page's
/// viewport as a phone's screen would be).
fn measure(repo: &TestRepo, page: &str, width: u32) -> serde_json::Value {
    let html = repo
        .read(page)
        .replace("</body>", &format!("{MEASURE}</body>"));
    let copy = repo.path().join(page).with_file_name("measured.html");
    std::fs::write(&copy, html).expect("write the copy");
    let frame = copy.with_file_name("phone.html");
    std::fs::write(
        &frame,
        format!(
            "<!doctype html><body style=\"margin:0\"><iframe src=\"measured.html\" \
             style=\"width:{width}px;height:800px;border:0\"></iframe></body>"
        ),
    )
    .expect("write the frame");
    browser_report(
        &format!("file://{}", frame.display()),
        &[
            "--window-size=1000,900",
            // The script reads the stylesheet's rules and its frame's
            // parent (file:// is cross-origin).
            "--allow-file-access-from-files",
        ],
        "data-measured",
    )
}

/// A policy with a wide table, changed three times with long summaries
/// and effective dates, on a site with a `base_url`.
fn phone_site() -> TestRepo {
    let text = |effective: &str, days: &str| {
        format!(
            "---\ntitle: Privacy Policy\neffective: {effective}\n---\n\n## How long we keep data\n\n\
             | Data | Kept for | Why we keep it | Where it is stored |\n| --- | --- | --- | --- |\n\
             | Prompts | {days} days | To answer your questions and improve safety | Servers in the European Union |\n\n\
             ## Contact\n\nWrite to us through [the terms](../terms/).\n"
        )
    };
    let repo = TestRepo::new();
    repo.write(
        "redline.toml",
        "title = \"Frameloop Legal\"\nbase_url = \"https://legal.frameloop.example/\"\n",
    );
    repo.write("content/terms.md", "---\ntitle: Terms\n---\n\nBe kind.\n");
    repo.commit_file(
        "content/privacy.md",
        &text("2026-03-02", "30"),
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &text("2026-04-01", "90"),
        "Keep prompts longer\n\nNotice: We now keep the prompts you write for ninety days, so that \
         abuse investigations can look further back.",
        "2026-03-10T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &text("2026-05-01", "60"),
        "Keep prompts shorter\n\nNotice: We now keep the prompts you write for sixty days after \
         listening to your feedback on the previous change.",
        "2026-03-12T10:00:00+00:00",
    );
    repo.build_on("2026-03-20");
    repo
}

#[test]
fn version_tables_and_redlines_fit_a_phone_and_print_their_marks() {
    // At 390 px the version table's Summary column was one word a line and
    // its Effective column off screen; printed, insertions and links were
    // the same plain underline, and relative links printed no address.
    if !chromium_available() {
        return;
    }
    let repo = phone_site();
    let pages = [
        "public/privacy/index.html",
        "public/privacy/versions/index.html",
        "public/privacy/versions/2026-03-02/index.html",
        "public/privacy/changes/2026-03-12/index.html",
        "public/changes/index.html",
    ];
    for page in pages {
        let measured = measure(&repo, page, 390);
        let width = measured["width"].as_i64().expect("a width");
        assert_eq!(width, 390, "{page}: {measured}");
        assert!(
            measured["page_width"].as_i64() <= Some(width),
            "{page} scrolls sideways: {measured}"
        );
        for table in measured["tables"].as_array().expect("tables") {
            assert!(
                table["left"].as_i64() >= Some(0) && table["right"].as_i64() <= Some(width),
                "{page}: a table overflows the viewport: {table}"
            );
            if table["scrolls"] == true {
                assert_eq!(table["overflow_x"], "auto", "{page}: {table}");
            }
            if let Some(narrowest) = table["narrowest_text_cell"].as_f64() {
                assert!(
                    narrowest >= 8.0,
                    "{page}: a text column is {narrowest} em wide: {table}"
                );
            }
        }
    }

    let redline = measure(&repo, "public/privacy/changes/2026-03-12/index.html", 390);
    let print = &redline["print"];
    assert_eq!(print["ins"]["line"], "underline", "{print}");
    assert_eq!(print["ins"]["style"], "double", "{print}");
    assert_eq!(print["del"]["line"], "line-through", "{print}");
    for (mark, before, after) in [("ins", "\"{+\"", "\"+}\""), ("del", "\"[-\"", "\"-]\"")] {
        assert_eq!(print[mark]["before"], before, "{print}");
        assert_eq!(print[mark]["after"], after, "{print}");
    }
    // A plain underline, and the version's absolute address after it.
    assert_eq!(print["link"]["style"], "solid", "{print}");
    assert_eq!(
        print["link"]["after"],
        "\" (https://legal.frameloop.example/privacy/versions/2026-03-10/)\"",
        "{print}"
    );
}
