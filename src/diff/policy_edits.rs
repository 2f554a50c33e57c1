//! Realistic policy edits: snapshots, summaries, sentences and classification.

use super::tests::check_redline;
use super::*;

const TITLE: &str = "Privacy Policy";

const POLICY: &str = "\
We respect your privacy. This policy explains what we collect and why.

## What we collect

- Account details: your name and email address.
- Usage data, such as the pages you visit.
  - Device type and browser version.

## How long we keep data

We keep server logs for 30 days. Account data is kept while your account is open.

| Data | Kept for |
|---|---|
| Server logs | 30 days |
| Backups | 1 year |

## Sharing

We do not sell your personal data. We share it only with [processors](https://example.com/processors) who act on our behalf.

## Cookies

We use cookies to keep you signed in. You can turn them off in your browser.

## Your choices

You can access, correct or delete your data at any time.

## Contact

Write to privacy@example.com. You will receive a reply within a month.
";

fn policy_blocks(body: &str) -> Vec<Block> {
    blocks(TITLE, body, MarkdownOptions::default())
}

/// Compares the policy with an edited copy, checks the redline's properties,
/// and returns the comparison with a report for snapshots.
fn compare_policy(edited: &str) -> (Comparison, String) {
    compare_versions(POLICY, edited)
}

fn compare_versions(old: &str, new: &str) -> (Comparison, String) {
    let (old, new) = (policy_blocks(old), policy_blocks(new));
    check_redline(&old, &new);
    let c = compare(&old, &new);
    let report = format!(
        "{}\nwords: +{} -{}; editorial: {}\n{:#?}\n\n{}",
        describe_en(&c.sections),
        c.words_added,
        c.words_removed,
        c.editorial,
        c.sections,
        c.html
    );
    (c, report)
}

/// The policy with `from` replaced by `to`, which must occur.
fn edit_policy(from: &str, to: &str) -> String {
    assert!(POLICY.contains(from), "{from}");
    POLICY.replacen(from, to, 1)
}

#[test]
fn retention_period_change_is_material() {
    let edited = edit_policy("logs for 30 days", "logs for 90 days")
        .replace("| Server logs | 30 days |", "| Server logs | 90 days |");
    let (c, report) = compare_policy(&edited);
    assert!(!c.editorial);
    assert_eq!((c.words_added, c.words_removed), (2, 2));
    assert_eq!(
        describe_en(&c.sections),
        "Changed “How long we keep data” (2 words added, 2 removed)."
    );
    assert_eq!(
        c.sections[0].anchor.as_deref(),
        Some("how-long-we-keep-data")
    );
    insta::assert_snapshot!(report);
}

#[test]
fn added_section() {
    let edited = edit_policy(
        "## Cookies",
        "## Children\n\nOur service is not meant for children under 13.\n\n## Cookies",
    );
    let (c, report) = compare_policy(&edited);
    assert!(!c.editorial);
    assert_eq!(c.sections.len(), 1);
    assert_eq!(c.sections[0].kind, SectionChangeKind::Added);
    assert_eq!(c.sections[0].anchor.as_deref(), Some("children"));
    assert_eq!(describe_en(&c.sections), "Added “Children”.");
    insta::assert_snapshot!(report);
}

#[test]
fn removed_section() {
    let edited = edit_policy(
        "## Cookies\n\nWe use cookies to keep you signed in. You can turn them off in your browser.\n\n",
        "",
    );
    let (c, report) = compare_policy(&edited);
    assert_eq!(c.sections.len(), 1);
    assert_eq!(c.sections[0].kind, SectionChangeKind::Removed);
    assert_eq!(c.sections[0].anchor, None);
    assert_eq!(describe_en(&c.sections), "Removed “Cookies”.");
    insta::assert_snapshot!(report);
}

#[test]
fn moved_section() {
    let contact =
        "## Contact\n\nWrite to privacy@example.com. You will receive a reply within a month.\n";
    let edited = edit_policy(contact, "").replacen(
        "## What we collect",
        &format!("{contact}\n## What we collect"),
        1,
    );
    let (c, report) = compare_policy(&edited);
    assert!(!c.editorial, "a move changes the order of the words");
    assert_eq!(c.sections.len(), 1);
    assert_eq!(c.sections[0].kind, SectionChangeKind::Moved);
    assert_eq!((c.words_added, c.words_removed), (0, 0));
    assert_eq!(describe_en(&c.sections), "Moved “Contact”.");
    insta::assert_snapshot!(report);
}

#[test]
fn moved_section_counts_only_its_edits() {
    let contact =
        "## Contact\n\nWrite to privacy@example.com. You will receive a reply within a month.\n";
    let edited = edit_policy(contact, "").replacen(
        "## What we collect",
        "## Contact\n\nWrite to privacy@example.com. You will receive a reply within two weeks.\n\n## What we collect",
        1,
    );
    let (c, _) = compare_policy(&edited);
    assert_eq!(
        describe_en(&c.sections),
        "Moved “Contact” (2 words added, 2 removed)."
    );
}

#[test]
fn renamed_section() {
    let (c, report) = compare_policy(&edit_policy("## Your choices", "## Your rights"));
    assert_eq!(c.sections[0].kind, SectionChangeKind::Renamed);
    assert_eq!(
        c.sections[0].previous_title.as_deref(),
        Some("Your choices")
    );
    assert_eq!(c.sections[0].anchor.as_deref(), Some("your-rights"));
    assert_eq!(
        describe_en(&c.sections),
        "Renamed “Your choices” to “Your rights”."
    );
    insta::assert_snapshot!(report);
}

#[test]
fn table_row_added() {
    let edited = edit_policy(
        "| Backups | 1 year |\n",
        "| Backups | 1 year |\n| Support tickets | 2 years |\n",
    );
    let (c, report) = compare_policy(&edited);
    assert!(!c.editorial);
    assert_eq!((c.words_added, c.words_removed), (4, 0));
    assert!(
        c.html
            .contains("<tr class=\"added\"><td><ins>Support tickets</ins></td><td><ins>2 years</ins></td></tr>"),
        "{}",
        c.html
    );
    insta::assert_snapshot!(report);
}

#[test]
fn typo_fix_is_editorial() {
    let typo = edit_policy("will receive a reply", "will recieve a reply");
    let (c, report) = compare_versions(&typo, POLICY);
    assert!(c.editorial);
    assert_eq!(
        describe_en(&c.sections),
        "Changed “Contact” (1 word added, 1 removed)."
    );
    insta::assert_snapshot!(report);
}

#[test]
fn title_change_is_reported_first() {
    let old = blocks("Privacy Policy", POLICY, MarkdownOptions::default());
    let new = blocks("Privacy Notice", POLICY, MarkdownOptions::default());
    let c = compare(&old, &new);
    assert_eq!(
        describe_en(&c.sections),
        "Renamed “Privacy Policy” to “Privacy Notice”."
    );
    assert!(c.html.contains(
        "<p class=\"redline-title changed\">Privacy <del>Policy</del><span class=\"gap\"> </span><ins>Notice</ins></p>"
    ));
}

#[test]
fn one_paragraph_edit_folds_the_rest() {
    let (c, _) = compare_policy(&edit_policy("at any time", "at any time, free of charge"));
    assert!(
        c.html
            .contains("<details class=\"unchanged\"><summary>2 unchanged blocks, then 3 unchanged sections: “What we collect”, “How long we keep data”, “Sharing”</summary>"),
        "{}",
        c.html
    );
}

// ---------------------------------------------------------------------------
// Classification.
// ---------------------------------------------------------------------------

#[test]
fn punctuation_only_is_editorial() {
    let (c, _) = compare_policy(&edit_policy(
        "We do not sell your personal data.",
        "We do not sell your personal data;",
    ));
    assert!(c.editorial);
    assert_eq!((c.words_added, c.words_removed), (0, 0));
    assert_eq!(
        describe_en(&c.sections),
        "Punctuation or formatting changed in “Sharing”."
    );
}

#[test]
fn case_only_is_editorial() {
    let (c, _) = compare_policy(&edit_policy("Account details:", "account Details:"));
    assert!(c.editorial);
    assert!(!c.sections.is_empty());
}

#[test]
fn formatting_only_is_editorial() {
    let (c, _) = compare_policy(&edit_policy("We do not sell", "We do **not** sell"));
    assert!(c.editorial);
    assert!(c.sections.is_empty(), "bold is not in the text");
}

/// A link retargeted under the same text was "No changes to the wording"
/// and editorial: a link can incorporate another document by reference.
#[test]
fn link_target_change_is_material() {
    let edited = edit_policy(
        "(https://example.com/processors)",
        "(https://example.com/our-processors)",
    );
    let (c, _) = compare_policy(&edited);
    assert!(!c.editorial);
    assert_eq!(
        c.reason,
        "material: link target changed: web:example.com/processors → web:example.com/our-processors"
    );
    assert_eq!(
        describe_en(&c.sections),
        "Changed “Sharing” (link target changed)."
    );
}

#[test]
fn tracking_parameters_and_https_are_not_a_new_target() {
    let edited = edit_policy(
        "(https://example.com/processors)",
        "(http://example.com/processors?utm_source=mail#list)",
    );
    let (c, _) = compare_policy(&edited);
    assert!(c.editorial, "{}", c.reason);
    assert_eq!(describe_en(&c.sections), "No changes to the wording.");
}

/// `We ~~sell~~ your data` was "No changes to the wording", and the redline
/// showed nothing.
#[test]
fn strikethrough_is_meaning() {
    let (c, _) = compare_policy(&edit_policy("We do not sell", "We do not ~~sell~~"));
    assert!(!c.editorial);
    assert!(
        c.reason.starts_with("material: strikethrough added"),
        "{}",
        c.reason
    );
    assert!(c.html.contains("~~"), "{}", c.html);
    assert_eq!(
        describe_en(&c.sections),
        "Changed “Sharing” (strikethrough added)."
    );
}

#[test]
fn sell_to_tell_is_material() {
    let (c, _) = compare_policy(&edit_policy("We do not sell", "We do not tell"));
    assert!(!c.editorial);
}

#[test]
fn number_change_is_material() {
    let (c, _) = compare_policy(&edit_policy("| Backups | 1 year |", "| Backups | 2 year |"));
    assert!(!c.editorial);
    assert_eq!((c.words_added, c.words_removed), (1, 1));
}

#[test]
fn added_word_is_material() {
    let (c, _) = compare_policy(&edit_policy("We do not sell", "We do not usually sell"));
    assert!(!c.editorial);
}

// ---------------------------------------------------------------------------
// The sentence.
// ---------------------------------------------------------------------------

fn change(kind: SectionChangeKind, title: &str, added: usize, removed: usize) -> SectionChange {
    SectionChange {
        kind,
        title: title.to_string(),
        previous_title: None,
        anchor: None,
        words_added: added,
        words_removed: removed,
        meaning: None,
        introduction: false,
    }
}

/// The summary's sentence in English.
fn describe_en(sections: &[SectionChange]) -> String {
    describe(sections, &SummaryWords::english())
}

#[test]
fn describe_names_five_sections_then_counts() {
    use SectionChangeKind::*;
    let mut renamed = change(Renamed, "Your rights", 1, 1);
    renamed.previous_title = Some("Your choices".into());
    let sections = [
        change(Changed, "How long we keep data", 12, 3),
        change(Added, "Children", 9, 0),
        change(Removed, "Cookies", 0, 14),
        renamed,
        change(Moved, "Contact", 0, 0),
        change(Changed, "Sharing", 1, 0),
        change(Changed, "Security", 0, 1),
    ];
    assert_eq!(
        describe_en(&sections[..5]),
        "Changed “How long we keep data” (12 words added, 3 removed); added “Children”; \
         removed “Cookies”; renamed “Your choices” to “Your rights”; moved “Contact”."
    );
    assert_eq!(
        describe_en(&sections),
        "Changed “How long we keep data” (12 words added, 3 removed); added “Children”; \
         removed “Cookies”; renamed “Your choices” to “Your rights”; moved “Contact”; \
         and 2 more sections."
    );
    assert_eq!(
        describe_en(&sections[5..6]),
        "Changed “Sharing” (1 word added)."
    );
    assert_eq!(describe_en(&[]), "No changes to the wording.");
    assert_eq!(
        describe_en(&[change(Changed, "Introduction", 0, 0)]),
        "Punctuation or formatting changed in “Introduction”."
    );
}

#[test]
fn describe_counts_a_renamed_sections_body_edits() {
    let mut renamed = change(SectionChangeKind::Renamed, "Your rights", 5, 1);
    renamed.previous_title = Some("Your choices".into());
    assert_eq!(
        describe_en(&[renamed]),
        "Renamed “Your choices” to “Your rights” (5 words added, 1 removed)."
    );
}

// ---------------------------------------------------------------------------
// Odd inputs: no panics, still well-formed.
// ---------------------------------------------------------------------------

#[test]
fn control_characters_stay_well_formed() {
    let old = blocks("", "a\u{1}b & c\n", MarkdownOptions::default());
    let new = blocks("", "a\u{2}b < c\n", MarkdownOptions::default());
    let c = compare(&old, &new);
    let wrapped = format!("<root>{}</root>", c.html);
    assert!(roxmltree::Document::parse(&wrapped).is_ok(), "{}", c.html);
}

#[test]
fn empty_versions() {
    let c = compare(&[], &[]);
    assert_eq!(c.html, "<div class=\"redline\">\n</div>");
    assert!(c.editorial && c.sections.is_empty());
    let new = policy_blocks(POLICY);
    let c = compare(&[], &new);
    assert!(!c.editorial);
    check_redline(&[], &new);
}

/// The leading heading stopped being the title (a line was put above it):
/// the title is renamed and only the new line is counted, not the whole
/// body moving into the heading's section.
#[test]
fn title_source_change_counts_only_the_new_words() {
    let body = "# Privacy Policy\n\nWe keep logs.\n\n## Sharing\n\nWe do not sell data.\n";
    let old = blocks(
        "Privacy Policy",
        &body.replace("# Privacy Policy\n\n", ""),
        MarkdownOptions::default(),
    );
    let new = blocks(
        "privacy",
        &format!("Draft for review.\n\n{body}"),
        MarkdownOptions::default(),
    );
    let c = compare(&old, &new);
    assert_eq!(
        describe_en(&c.sections),
        "Renamed “Privacy Policy” to “privacy”; changed “Introduction” (3 words added)."
    );
}
