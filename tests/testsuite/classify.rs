//! The editorial/material class against a labelled set of real-world edits,
//! run through the whole pipeline: each edit is a document in one git
//! repository, committed old → new → old, built once, and read back from
//! `versions.json`. The one unforgivable error is a material edit classed
//! editorial; the other way round is noise, counted and printed.

use crate::harness::TestRepo;

use Class::{Editorial as E, Material as M};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Editorial,
    Material,
}

impl Class {
    fn as_str(self) -> &'static str {
        match self {
            E => "editorial",
            M => "material",
        }
    }
}

/// (old text, new text, class of old → new, class of new → old).
const CASES: &[(&str, &str, Class, Class)] = &[
    // From review: each of these was classed editorial one way.
    (
        "We share deidentified data with partners.",
        "We share identified data with partners.",
        M,
        M,
    ),
    (
        "We share unencrypted backups.",
        "We share encrypted backups.",
        M,
        M,
    ),
    (
        "| Region | Basis |\n| --- | --- |\n| EEA | Contract |",
        "| Region | Basis |\n| --- | --- |\n| USA | Contract |",
        M,
        M,
    ),
    (
        "Contact <a href=\"mailto:aup-exceptions@example.com\">us</a> today.",
        "Contact <a href=\"mailto:aup_exceptions@example.com\">us</a> today.",
        M,
        M,
    ),
    (
        "<table><tr><td>We sell your data<td>Consent</table>",
        "<table><tr><td>We do not sell your data<td>Consent</table>",
        M,
        M,
    ),
    // Addresses and link targets are words.
    (
        "Write to [aup-exceptions@example.com](mailto:aup-exceptions@example.com) for exceptions.",
        "Write to [aup_exceptions@example.com](mailto:aup_exceptions@example.com) for exceptions.",
        M,
        M,
    ),
    (
        "Write to aup-exceptions@example.com for exceptions.",
        "Write to aup_exceptions@example.com for exceptions.",
        M,
        M,
    ),
    (
        "Email `privacy@example.com` for help.",
        "Email `privacy@example.org` for help.",
        M,
        M,
    ),
    (
        "Write to privacy@Example.com with questions.",
        "Write to privacy@example.com with questions.",
        E,
        E,
    ),
    (
        "The [Terms](https://example.com/terms) apply.",
        "The [Terms](https://example.com/legal/terms) apply.",
        M,
        M,
    ),
    (
        "The [Terms](https://example.com/terms) apply.",
        "The [Terms](https://example.org/terms) apply.",
        M,
        M,
    ),
    (
        "The [Terms](http://example.com/terms) apply.",
        "The [Terms](https://example.com/terms) apply.",
        E,
        E,
    ),
    (
        "The [Terms](https://example.com/terms) apply.",
        "The [Terms](https://example.com/terms?utm_source=email&utm_campaign=launch) apply.",
        E,
        E,
    ),
    (
        "The [Terms](https://example.com/terms) apply.",
        "The [Terms](https://example.com/terms#liability) apply.",
        E,
        E,
    ),
    (
        "The [Terms](https://example.com/terms?gclid=abc) apply.",
        "The [Terms](https://example.com/terms?fbclid=xyz) apply.",
        E,
        E,
    ),
    (
        "The [Terms](https://example.com/terms?version=2) apply.",
        "The [Terms](https://example.com/terms?version=3) apply.",
        M,
        M,
    ),
    (
        "Read our cookie policy.",
        "Read our [cookie policy](https://example.com/cookies).",
        M,
        M,
    ),
    (
        "We share data with [our partners](https://example.com/list).",
        "We share data with [our processors](https://example.com/list).",
        M,
        M,
    ),
    (
        "Visit www.example.com/privacy for details.",
        "Visit www.example.com/privacy-center for details.",
        M,
        M,
    ),
    (
        "Visit https://example.com/privacy for details.",
        "Visit http://example.com/privacy for details.",
        E,
        E,
    ),
    (
        "Our logo: ![logo](https://example.com/logo.png)",
        "Our logo: ![logo](https://example.com/logo-2025.png)",
        E,
        E,
    ),
    (
        "Service status: [![status](https://ci.example/badge.svg)](https://ci.example/a)",
        "Service status: [![status](https://ci.example/badge.svg)](https://ci.example/b)",
        E,
        E,
    ),
    (
        "Call us at [+1 555 123 4567](tel:+15551234567).",
        "Call us at [+1 555 123 4568](tel:+15551234568).",
        M,
        M,
    ),
    (
        "Call us at 555-123-4567.",
        "Call us at (555) 123-4567.",
        E,
        E,
    ),
    ("Call us at 555-123-4567.", "Call us at 555-123-4576.", M, M),
    // Strikethrough is meaning.
    ("We sell your data.", "We ~~sell~~ your data.", M, M),
    (
        "We ~~sell~~ share your data.",
        "We ~~share~~ sell your data.",
        M,
        M,
    ),
    (
        "We keep logs for ~~30~~ 90 days.",
        "We keep logs for 90 days.",
        M,
        M,
    ),
    // Sentence boundaries.
    (
        "We do not sell your data. For advertising, we share it with partners.",
        "We do not sell your data for advertising. We share it with partners.",
        M,
        M,
    ),
    (
        "We keep logs; we delete them after 30 days.",
        "We keep logs. We delete them after 30 days.",
        E,
        E,
    ),
    (
        "We keep logs, and we delete them.",
        "We keep logs. And we delete them.",
        M,
        M,
    ),
    (
        "We do not sell your data. Ever.",
        "We do not sell your data ever.",
        M,
        M,
    ),
    (
        "We keep data! You can ask us.",
        "We keep data? You can ask us.",
        E,
        E,
    ),
    ("We keep data for you.", "We keep data for you", E, E),
    (
        "We share data, e.g. with processors.",
        "We share data, e.g., with processors.",
        E,
        E,
    ),
    (
        "We keep logs. We share data.",
        "We share data. We keep logs.",
        M,
        M,
    ),
    // Typos, judged with the dictionary.
    ("We recieve your request.", "We receive your request.", E, M),
    (
        "If an error occured, we fix it.",
        "If an error occurred, we fix it.",
        E,
        M,
    ),
    (
        "Any modication will be posted.",
        "Any modification will be posted.",
        E,
        M,
    ),
    (
        "Teh policy applies to you.",
        "The policy applies to you.",
        E,
        M,
    ),
    (
        "We adress your concerns.",
        "We address your concerns.",
        E,
        M,
    ),
    (
        "Your privacy is importnat to us.",
        "Your privacy is important to us.",
        E,
        M,
    ),
    (
        "We do not shrae your data.",
        "We do not share your data.",
        E,
        M,
    ),
    ("We retain your data.", "We retrain your data.", M, M),
    (
        "Under this contract, you agree.",
        "Under this contact, you agree.",
        M,
        M,
    ),
    (
        "We send an annual report.",
        "We send an annul report.",
        M,
        M,
    ),
    ("The later date applies.", "The latter date applies.", M, M),
    (
        "We share data with three partners.",
        "We share data with there partners.",
        M,
        M,
    ),
    (
        "Residents of the United States.",
        "Residents of the Untied States.",
        M,
        M,
    ),
    (
        "We share data with Acxiom.",
        "We share data with Axiom.",
        M,
        M,
    ),
    ("We sell data.", "We tell data.", M, M),
    ("This may affect you.", "This may effect you.", M, M),
    ("We tell our partner.", "We tell our partners.", M, M),
    ("We disclose data.", "We disclosed data.", M, M),
    // Duplicated words.
    (
        "We send it to to partners.",
        "We send it to partners.",
        E,
        M,
    ),
    (
        "We share it with other other parties.",
        "We share it with other parties.",
        E,
        M,
    ),
    ("See the the policy.", "See the policy.", E, M),
    (
        "We do not not sell your data.",
        "We do sell your data.",
        M,
        M,
    ),
    (
        "Teh policy says we recieve requests.",
        "The policy says we receive requests.",
        E,
        M,
    ),
    (
        "- We recieve requests.\n- We adress them.\n- We keep logs.",
        "- We receive requests.\n- We address them.\n- We keep logs.",
        E,
        M,
    ),
    // Word boundaries.
    (
        "Please read theTOS carefully.",
        "Please read the TOS carefully.",
        E,
        E,
    ),
    (
        "Changes to this Policyvia email.",
        "Changes to this Policy via email.",
        E,
        E,
    ),
    (
        "You are not able to opt out.",
        "You are notable to opt out.",
        M,
        M,
    ),
    (
        "Your data is stored nowhere.",
        "Your data is stored now here.",
        M,
        M,
    ),
    ("Send us an e-mail.", "Send us an email.", E, E),
    (
        "You can re-enable cookies.",
        "You can reenable cookies.",
        E,
        E,
    ),
    (
        "We use third-party cookies.",
        "We use third party cookies.",
        E,
        E,
    ),
    (
        "Manage your account on line.",
        "Manage your account online.",
        E,
        E,
    ),
    ("Visit our web site.", "Visit our website.", E, E),
    ("We serve 1 000 users.", "We serve 1000 users.", M, M),
    // Dates and numbers as values.
    (
        "Last updated: 28 August 2025.",
        "Last updated: August 28, 2025.",
        E,
        E,
    ),
    (
        "Last updated: 28 August 2025.",
        "Last updated: 2025-08-28.",
        E,
        E,
    ),
    (
        "Last updated: August 28th, 2025.",
        "Last updated: Aug 28 2025.",
        E,
        E,
    ),
    (
        "Last updated: 28 August 2025.",
        "Last updated: 29 August 2025.",
        M,
        M,
    ),
    (
        "Last updated: 28 August 2025.",
        "Last updated: 28 August 2026.",
        M,
        M,
    ),
    ("Effective August 2025.", "Effective Aug 2025.", E, E),
    ("Effective 2025-08-28.", "Effective 2025-09-28.", M, M),
    (
        "We keep logs for 30 days.",
        "We keep logs for thirty days.",
        E,
        E,
    ),
    (
        "We keep logs for 30 days.",
        "We keep logs for 90 days.",
        M,
        M,
    ),
    (
        "We keep logs for thirty days.",
        "We keep logs for forty days.",
        M,
        M,
    ),
    ("Up to 1,000 requests.", "Up to 1000 requests.", E, E),
    ("Kept for 1.5 years.", "Kept for 15 years.", M, M),
    ("Up to 10,000 users.", "Up to 100,000 users.", M, M),
    (
        "We respond within a month.",
        "We respond within one month.",
        M,
        M,
    ),
    // Formatting, case and punctuation.
    ("We **do not** sell data.", "We do not sell data.", E, E),
    ("we keep data.", "We Keep Data.", E, E),
    ("We don't sell data.", "We don’t sell data.", E, E),
    ("Data (logs) are kept.", "Data — logs — are kept.", E, E),
    ("We keep \"logs\".", "We keep “logs.”", E, E),
    (
        "We keep data, logs and backups.",
        "We keep data; logs and backups.",
        M,
        M,
    ),
    // Words.
    ("We keep logs.", "We keep all logs.", M, M),
    ("We may share data.", "We will share data.", M, M),
    (
        "## Sharing\n\nWe share data.",
        "## Selling\n\nWe share data.",
        M,
        M,
    ),
    (
        "| Data | Kept for |\n|---|---|\n| Logs | 30 days |",
        "| Data | Kept for |\n|---|---|\n| Logs | 90 days |",
        M,
        M,
    ),
    (
        "| Data | Kept for |\n|---|---|\n| Logs | 30 days |",
        "| Data | Kept for |\n|---|---|\n| Logs | thirty days |",
        E,
        E,
    ),
    (
        "We collect your name and email.",
        "We collect your name and e-mail.",
        E,
        E,
    ),
];

fn document(case: usize, text: &str) -> String {
    format!(
        "---\ntitle: Case {case}\n---\n\n## Terms\n\n{text}\n\nThis policy applies to all users.\n"
    )
}

#[test]
fn no_material_edit_is_classed_editorial() {
    assert!(CASES.len() >= 80, "{} edit pairs", CASES.len());
    let repo = TestRepo::new();
    for (steps, date) in [
        (0, "2026-01-01T10:00:00+00:00"),
        (1, "2026-02-01T10:00:00+00:00"),
        (2, "2026-03-01T10:00:00+00:00"),
    ] {
        for (k, (old, new, _, _)) in CASES.iter().enumerate() {
            let text = if steps == 1 { new } else { old };
            repo.write(&format!("content/case-{k:03}.md"), document(k, text));
        }
        repo.commit(&format!("Step {steps}"), date);
    }
    repo.build_on("2026-06-01");

    let mut errors = Vec::new();
    let mut noise = Vec::new();
    let mut labelled = 0;
    for (k, &(old, new, forward, backward)) in CASES.iter().enumerate() {
        let doc = repo.document(&format!("/case-{k:03}/"));
        let versions = doc["versions"].as_array().expect("versions");
        assert_eq!(versions.len(), 3, "case {k} must make two changes: {doc:#}");
        // Newest first: new → old, then old → new.
        for (version, expected, from, to) in [
            (&versions[1], forward, old, new),
            (&versions[0], backward, new, old),
        ] {
            labelled += 1;
            let got = version["change"].as_str().expect("a class");
            let line = format!(
                "case {k}: {from:?} → {to:?}: expected {}, got {got}",
                expected.as_str()
            );
            match (expected, got) {
                (M, "editorial") => errors.push(line),
                (E, "material") => noise.push(line),
                (_, "editorial" | "material") => {}
                _ => panic!("{line}"),
            }
        }
    }
    println!(
        "{labelled} labelled edits; editorial → material noise: {}",
        noise.len()
    );
    for line in &noise {
        println!("  noise: {line}");
    }
    assert!(
        errors.is_empty(),
        "material edits classed editorial:\n{}",
        errors.join("\n")
    );
}

/// The short commit ids in `text` replaced, for snapshots.
fn redact_commits(repo: &TestRepo, text: &str) -> String {
    let log = repo.git(&["log", "--format=%h"]);
    log.lines().fold(text.to_string(), |text, short| {
        text.replace(short, "<commit>")
    })
}

const BODY: &str = "We respect your privacy. This policy says what we collect.

## What we collect

Your name and email address, and the pages you visit.

## How long we keep data

We keep server logs for 30 days.

## Sharing

We do not sell your personal data.

## Contact

Write to privacy@example.com.
";

/// An empty link added above the first heading flipped the title from the
/// heading to the file name, and the summary read "11,663 words removed".
#[test]
fn invisible_elements_above_the_heading_do_not_flip_the_title() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &format!("# Privacy Policy\n\n{BODY}"),
        "Publish",
        "2026-01-01T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &format!("[](https://example.com/top)\n\n# Privacy Policy\n\n{BODY}"),
        "Add an anchor link above the title",
        "2026-02-01T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &format!(
            "[![build](https://ci.example/badge.svg)](https://ci.example)\n<!-- legal -->\n\n# Privacy Policy\n\n{BODY}"
        ),
        "Add a badge",
        "2026-03-01T10:00:00+00:00",
    );
    // A real change of title source: the heading is no longer first, so the
    // title is the file name; only the new line counts as added words.
    repo.commit_file(
        "content/privacy.md",
        &format!("Draft for review.\n\n# Privacy Policy\n\n{BODY}"),
        "Add a draft line",
        "2026-04-01T10:00:00+00:00",
    );
    let run = repo.redline(&["log", "-v", "content/privacy.md"]).success();
    insta::assert_snapshot!(redact_commits(&repo, &run.stdout));
    repo.build_on("2026-06-01");
    let doc = repo.document("/privacy/");
    let classes: Vec<&str> = doc["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["change"].as_str().unwrap_or_default())
        .collect();
    // The badge's alt text is a word a screen reader reads: material, but
    // one word, under the same title.
    assert_eq!(classes, ["material", "material", "editorial", "initial"]);
}

/// Every section moved: reported as moves with no words added or removed.
#[test]
fn whole_body_reorder_summary() {
    let repo = TestRepo::new();
    let sections: Vec<&str> = BODY.split("\n## ").collect();
    let reordered = format!(
        "{}\n## {}\n## {}\n## {}\n## {}",
        sections[0], sections[4], sections[3], sections[2], sections[1]
    );
    repo.commit_file(
        "content/privacy.md",
        &format!("---\ntitle: Privacy Policy\n---\n\n{BODY}"),
        "Publish",
        "2026-01-01T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &format!("---\ntitle: Privacy Policy\n---\n\n{reordered}\n"),
        "Reorder every section",
        "2026-02-01T10:00:00+00:00",
    );
    let run = repo.redline(&["log", "-v", "content/privacy.md"]).success();
    insta::assert_snapshot!(redact_commits(&repo, &run.stdout));
}
