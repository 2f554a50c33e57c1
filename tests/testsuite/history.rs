//! History: how git commits become a document's versions and its "Last
//! updated" date (DESIGN.md: Version, History, Last updated), asserted on
//! `versions.json` and `redline log` in real repositories made with the git CLI.

use std::path::Path;

use serde_json::Value;

use crate::harness::{TestRepo, git_command, policy, run_redline};

const JAN: &str = "2026-01-01T10:00:00+00:00";
const FEB: &str = "2026-02-01T10:00:00+00:00";
const MAR: &str = "2026-03-03T10:00:00+00:00";
const APR: &str = "2026-04-01T10:00:00+00:00";

/// A document's versions in `versions.json`, newest first.
#[track_caller]
fn versions(repo: &TestRepo, url: &str) -> Vec<Value> {
    repo.document(url)["versions"]
        .as_array()
        .unwrap_or_else(|| panic!("{url} has no versions array"))
        .clone()
}

/// The commit ids of a document's versions, newest first.
#[track_caller]
fn commits(repo: &TestRepo, url: &str) -> Vec<String> {
    versions(repo, url)
        .iter()
        .map(|v| {
            v["commit"]
                .as_str()
                .expect("commit is a string")
                .to_string()
        })
        .collect()
}

/// A policy long enough (20+ lines) that git pairs a moved-and-edited copy
/// with its old path; `years` is the one word that changes between versions.
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

/// `versions.json` written to `dir/public`.
fn versions_json_in(dir: &Path) -> Value {
    let text =
        std::fs::read_to_string(dir.join("public/versions.json")).expect("versions.json exists");
    serde_json::from_str(&text).expect("versions.json is JSON")
}

// ---------------------------------------------------------------------------
// Merges and the first-parent line

#[test]
fn pr_merge_is_dated_by_the_merge_commit_not_the_side_branch() {
    // A bot's PR branch carries a commit dated after the merge base and after the merge itself.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We collect your email address."),
        "Add the privacy policy",
        JAN,
    );
    repo.checkout_new("bot/update");
    let side = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address and your name.",
        ),
        "Update the privacy policy",
        "2026-03-10T09:00:00+00:00",
    );
    repo.checkout("main");
    repo.commit_file(
        "content/terms.md",
        &policy("Terms", "Be nice."),
        "Add terms",
        FEB,
    );
    let merge = repo.merge(
        "bot/update",
        "Merge pull request #7 from bot/update",
        "2026-03-05T12:00:00+01:00",
    );
    repo.build();

    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [merge.clone(), v1], "{doc:#}");
    assert_ne!(merge, side);
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-05T12:00:00+01:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-05", "{doc:#}");
    assert_eq!(repo.version_days("/privacy/"), ["2026-03-05", "2026-01-01"]);
}

// ---------------------------------------------------------------------------
// Edits a reader cannot see

#[test]
fn mass_front_matter_edit_creates_no_version() {
    // A cleanup PR drops `redirect_from` from every policy, and a later one adds `topics`.
    let repo = TestRepo::new();
    let docs = [
        ("content/privacy.md", "/privacy/", "Privacy Policy"),
        ("content/terms.md", "/terms/", "Terms of Service"),
        ("content/cookies.md", "/cookies/", "Cookie Policy"),
    ];
    let body = |title: &str| format!("This is the {title}.\n\nWe mean every word of it.\n");
    for (path, _, title) in docs {
        repo.write(
            path,
            format!(
                "---\ntitle: {title}\nredirect_from: /old/{title}.html\n---\n\n{}",
                body(title)
            ),
        );
    }
    let v1 = repo.commit("Publish the policies", JAN);
    for (path, _, title) in docs {
        repo.write(path, format!("---\ntitle: {title}\n---\n\n{}", body(title)));
    }
    repo.commit("Drop redirect_from everywhere", FEB);
    for (path, _, title) in docs {
        repo.write(
            path,
            format!(
                "---\ntitle: {title}\ntopics: [legal, privacy]\n---\n\n{}",
                body(title)
            ),
        );
    }
    repo.commit("Add topics everywhere", MAR);
    repo.build();

    for (_, url, _) in docs {
        let doc = repo.document(url);
        assert_eq!(commits(&repo, url), [v1.as_str()], "{doc:#}");
        assert_eq!(doc["last_updated"], "2026-01-01", "{doc:#}");
    }
}

#[test]
fn html_comment_block_is_not_a_version() {
    // Legal adds a review note as an HTML comment between paragraphs.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address.\n\nWe never sell it.",
        ),
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address.\n\n<!-- Reviewed by legal, ticket LEGAL-42 -->\n\nWe never sell it.",
        ),
        "Add review note",
        FEB,
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");
}

#[test]
fn html_comment_above_the_leading_heading_is_not_a_version() {
    // A mass edit puts a "do not edit by hand" comment at the top of every file titled by its `# heading`.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        "# Privacy Policy\n\nWe collect your email address.\n",
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        "<!-- Generated from the legal CMS; do not edit by hand. -->\n\n# Privacy Policy\n\nWe collect your email address.\n",
        "Add header comment",
        FEB,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{doc:#}");
    assert_eq!(doc["title"], "Privacy Policy", "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-01-01", "{doc:#}");
}

#[test]
fn inline_html_comment_is_not_a_version() {
    // An editor leaves a TODO comment in the middle of a sentence.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for thirty days."),
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We keep your data <!-- TODO: confirm with DPO --> for thirty days.",
        ),
        "Add TODO",
        FEB,
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
}

#[test]
fn rewrapping_lines_and_trailing_spaces_are_not_a_version() {
    // A formatter re-wraps paragraphs and an editor leaves trailing spaces behind.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address when you sign up,\nand your name when you give it to us.\n\nWe never sell your data.",
        ),
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address \nwhen you sign up, and your name when you\ngive it to us.   \n\n\nWe never sell your data.  ",
        ),
        "Reformat",
        FEB,
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");
}

#[test]
fn list_marker_change_is_not_a_version() {
    // A linter rewrites every `-` bullet as `*`.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect:\n\n- your email address\n- your name\n- your country",
        ),
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect:\n\n* your email address\n* your name\n* your country",
        ),
        "Use * bullets",
        FEB,
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");
}

#[test]
fn crlf_line_endings_are_not_a_version() {
    // Someone on Windows without autocrlf re-commits the file with CRLF line endings.
    let repo = TestRepo::new();
    let text = policy(
        "Privacy Policy",
        "We collect your email address.\n\nWe never sell it.",
    );
    let v1 = repo.commit_file("content/privacy.md", &text, "Add the privacy policy", JAN);
    repo.commit_file(
        "content/privacy.md",
        &text.replace('\n', "\r\n"),
        "CRLF",
        FEB,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{doc:#}");
    assert_eq!(doc["title"], "Privacy Policy", "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-01-01", "{doc:#}");
}

#[test]
fn byte_order_mark_is_not_a_version() {
    // A Windows editor saves the file with a UTF-8 byte-order mark.
    let repo = TestRepo::new();
    let text = policy("Privacy Policy", "We collect your email address.");
    let v1 = repo.commit_file("content/privacy.md", &text, "Add the privacy policy", JAN);
    repo.commit_file(
        "content/privacy.md",
        &format!("\u{feff}{text}"),
        "Save with BOM",
        FEB,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{doc:#}");
    assert_eq!(doc["title"], "Privacy Policy", "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-01-01", "{doc:#}");
}

#[test]
fn no_break_space_beside_a_space_is_not_a_version() {
    // Regression: a paste from a word processor left `location.\u{a0} ` in the
    // text; removing it was recorded as an editorial version though the
    // page looked the same.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We store your data in one location.\u{a0} We delete it after a year.\n\nWe keep backups in one location.\u{a0} ",
        ),
        "Add the privacy policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We store your data in one location. We delete it after a year.\n\nWe keep backups in one location.",
        ),
        "Remove stray no-break spaces",
        FEB,
    );
    let v3 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We store your data in one location. We delete it after a year.\n\nWe keep backups in\u{a0}two locations.",
        ),
        "Keep backups in two places",
        MAR,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v3, v1], "{doc:#}");
    assert_eq!(doc["versions"][0]["change"], "material", "{doc:#}");
}

#[test]
fn commit_whose_front_matter_does_not_parse_is_not_a_version() {
    // Regression: a commit broke the YAML header; it became a "material"
    // version showing the YAML as an <h2>, though no build of it could succeed.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for thirty days."),
        "Add the privacy policy",
        JAN,
    );
    let broken = repo.commit_file(
        "content/privacy.md",
        "---\ntitle: [Privacy Policy\n---\n\nWe keep your data for sixty days.\n",
        "Keep data longer",
        FEB,
    );
    let fixed = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for sixty days."),
        "Fix the front matter",
        MAR,
    );
    let run = repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [fixed.clone(), v1], "{doc:#}");
    // The fix is compared with the last good state: a material change.
    assert_eq!(doc["versions"][0]["change"], "material", "{doc:#}");
    let diff = repo.read("public/privacy/changes/2026-03-03/index.html");
    assert!(diff.contains("thirty"), "{diff}");
    assert!(!diff.contains("title: [Privacy"), "{diff}");
    for out in [
        run.stderr,
        repo.redline(&["log", "content/privacy.md"])
            .success()
            .stdout,
    ] {
        let warning = out
            .lines()
            .find(|l| l.contains(&broken[..7]))
            .unwrap_or_else(|| panic!("no warning names {}:\n{out}", &broken[..7]));
        assert!(warning.contains("content/privacy.md:3:"), "{warning}");
        assert!(warning.contains("invalid YAML front matter"), "{warning}");
    }
}

#[test]
fn broken_state_fixed_back_to_the_old_text_is_no_version_at_all() {
    // A bad header is committed and then repaired with the text unchanged.
    let repo = TestRepo::new();
    let text = policy("Privacy Policy", "We keep your data for thirty days.");
    let v1 = repo.commit_file("content/privacy.md", &text, "Add the privacy policy", JAN);
    repo.commit_file(
        "content/privacy.md",
        &text.replace(
            "title: Privacy Policy",
            "title: Privacy Policy\ndraft: maybe",
        ),
        "Mark as draft",
        FEB,
    );
    repo.commit_file("content/privacy.md", &text, "Revert", MAR);
    let run = repo.build();
    assert!(
        run.stderr.contains("`draft` must be true or false"),
        "{}",
        run.stderr
    );
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");
}

// ---------------------------------------------------------------------------
// Edits a reader can see

#[test]
fn text_change_is_a_version() {
    // Legal changes the retention period in the body.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for thirty days."),
        "Add the privacy policy",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for ninety days."),
        "Keep data longer",
        "2026-02-01T10:00:00+01:00",
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v2, v1], "{doc:#}");
    assert_eq!(
        doc["versions"][0]["date"], "2026-02-01T10:00:00+01:00",
        "{doc:#}"
    );
    // Authors and subjects only with the opt-ins (tests/testsuite/publish.rs).
    assert!(doc["versions"][0].get("subject").is_none(), "{doc:#}");
    assert!(doc["versions"][0].get("author").is_none(), "{doc:#}");
    assert_ne!(
        doc["versions"][0]["sha256"], doc["versions"][1]["sha256"],
        "{doc:#}"
    );
    assert_eq!(doc["sha256"], doc["versions"][0]["sha256"], "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-02-01", "{doc:#}");
}

#[test]
fn title_change_in_front_matter_is_a_version() {
    // The policy is renamed ("Privacy Policy" → "Privacy Notice") without touching the body.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We collect your email address."),
        "Add the privacy policy",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Notice", "We collect your email address."),
        "Rename to Privacy Notice",
        FEB,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v2, v1], "{doc:#}");
    assert_eq!(doc["title"], "Privacy Notice", "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-02-01", "{doc:#}");
}

#[test]
fn revert_to_older_text_is_a_new_version() {
    // A change is rolled back with `git revert`: readers see the old text again, as news.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for thirty days."),
        "Add the privacy policy",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep your data for ninety days."),
        "Keep data longer",
        FEB,
    );
    repo.git(&["revert", "--no-commit", "HEAD"]);
    let revert = repo.commit("Revert \"Keep data longer\"", MAR);
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [revert, v2, v1], "{doc:#}");
    assert_eq!(
        doc["versions"][0]["sha256"], doc["versions"][2]["sha256"],
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-03", "{doc:#}");
}

// ---------------------------------------------------------------------------
// Moves, renames, deletions

#[test]
fn move_into_subfolder_with_small_edit_keeps_history_and_is_a_version() {
    // A repo reorganisation moves the policy under legal/ and fixes one word in the same commit.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "two"),
        "Add",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "three"),
        "Longer",
        FEB,
    );
    std::fs::create_dir_all(repo.path().join("content/legal")).expect("mkdir");
    repo.git(&["mv", "content/privacy.md", "content/legal/privacy.md"]);
    let moved = repo.commit_file(
        "content/legal/privacy.md",
        &long_policy("Privacy Policy", "five"),
        "Move policies under legal/ and keep billing records longer",
        MAR,
    );
    repo.build();
    let doc = repo.document("/legal/privacy/");
    assert_eq!(doc["source"], "content/legal/privacy.md", "{doc:#}");
    assert_eq!(
        commits(&repo, "/legal/privacy/"),
        [moved, v2, v1],
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-03", "{doc:#}");
    let all = repo.versions();
    let urls: Vec<&Value> = all["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| &d["url"])
        .collect();
    assert_eq!(urls, ["/legal/privacy/"], "the old URL is gone");
}

#[test]
fn pure_rename_keeps_history_and_is_not_a_version() {
    // A file is moved into a sub-folder with `git mv` and nothing else.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "two"),
        "Add",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "three"),
        "Longer",
        FEB,
    );
    std::fs::create_dir_all(repo.path().join("content/legal")).expect("mkdir");
    repo.git(&["mv", "content/privacy.md", "content/legal/privacy.md"]);
    repo.commit("Move policies under legal/", MAR);
    repo.build();
    let doc = repo.document("/legal/privacy/");
    assert_eq!(commits(&repo, "/legal/privacy/"), [v2, v1], "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-02-01", "{doc:#}");
    assert_eq!(doc["unpublished"], false, "{doc:#}");
}

#[test]
fn deleted_and_readded_document_keeps_both_parts_of_its_history() {
    // A policy is withdrawn, then published again months later.
    let repo = TestRepo::new();
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "First text."),
        "Add",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Second text."),
        "Edit",
        FEB,
    );
    repo.git(&["rm", "-q", "content/privacy.md"]);
    repo.commit("Withdraw the privacy policy", MAR);
    let back = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Third text, published again."),
        "Publish the privacy policy again",
        APR,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [back, v2, v1], "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-04-01", "{doc:#}");
}

#[test]
fn deleting_one_policy_while_adding_an_unrelated_one_does_not_mix_their_histories() {
    // One PR retires the old privacy policy and publishes a new, unrelated cookie policy.
    let repo = TestRepo::new();
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "First text."),
        "Add",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Second text."),
        "Edit",
        FEB,
    );
    repo.git(&["rm", "-q", "content/privacy.md"]);
    let cookies = repo.commit_file(
        "content/cookies.md",
        &policy(
            "Cookie Policy",
            "We use one session cookie and nothing else.",
        ),
        "Retire the privacy policy, publish the cookie policy",
        MAR,
    );
    repo.build();
    let doc = repo.document("/cookies/");
    assert_eq!(commits(&repo, "/cookies/"), [cookies], "{doc:#}");
    assert_eq!(doc["source"], "content/cookies.md", "{doc:#}");
}

// ---------------------------------------------------------------------------
// Ignore-revs

/// A policy added, then a visible company-name change that the ignore list
/// will name: (repo, first commit, commit to ignore).
fn company_rename() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Acme Inc. collects your email address."),
        "Add the privacy policy",
        JAN,
    );
    let ignored = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Acme Corp. collects your email address."),
        "Rename the company everywhere",
        FEB,
    );
    (repo, v1, ignored)
}

#[test]
fn commit_listed_in_blame_ignore_revs_is_not_a_version() {
    // A mass find-and-replace is listed in .git-blame-ignore-revs so it never counts as a change.
    let (repo, v1, ignored) = company_rename();
    repo.commit_file(
        ".git-blame-ignore-revs",
        &format!("# company rename\n{ignored}\n"),
        "Ignore the rename",
        MAR,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-01-01", "{doc:#}");
}

#[test]
fn ignored_commit_that_readers_can_see_is_named_in_a_warning() {
    // Regression: a real wording change was listed in .git-blame-ignore-revs
    // and silently hidden; the live page's sha256 then matched no version.
    let (repo, v1, ignored) = company_rename();
    let reformat = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Acme Corp. collects\nyour email address."),
        "Re-wrap",
        MAR,
    );
    repo.commit_file(
        ".git-blame-ignore-revs",
        &format!("{ignored}\n{reformat}\n"),
        "Ignore the rename and the re-wrap",
        APR,
    );
    let run = repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(".git-blame-ignore-revs"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains(&ignored[..7]), "{}", run.stderr);
    assert!(warnings[0].contains("content/privacy.md"), "{}", run.stderr);
    // The re-wrap changes nothing a reader sees: ignoring it is fine.
    assert!(!run.stderr.contains(&reformat[..7]), "{}", run.stderr);
    let log = repo.redline(&["log", "/privacy/"]).success();
    assert!(log.stdout.contains(&ignored[..7]), "{}", log.stdout);
}

#[test]
fn ignore_revs_file_setting_names_another_file() {
    // The site keeps its ignore list somewhere else and says so in redline.toml.
    let (repo, v1, ignored) = company_rename();
    repo.write(
        "redline.toml",
        "ignore_revs_file = \"config/ignore-revs.txt\"\n",
    );
    repo.commit_file(
        "config/ignore-revs.txt",
        &format!("{ignored}\n"),
        "Ignore the rename",
        MAR,
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1]);
}

// ---------------------------------------------------------------------------
// File names

#[test]
fn file_names_with_spaces_and_non_ascii_have_urls_and_versions() {
    // Policy repos name files the way people title them: spaces, capitals, umlauts.
    let repo = TestRepo::new();
    repo.write(
        "content/Privacy Policy.md",
        policy("Privacy Policy", "First."),
    );
    repo.write(
        "content/Datenschutzerklärung.md",
        policy("Datenschutzerklärung", "Erstens."),
    );
    let v1 = repo.commit("Add the policies", JAN);
    repo.write(
        "content/Privacy Policy.md",
        policy("Privacy Policy", "Second."),
    );
    repo.write(
        "content/Datenschutzerklärung.md",
        policy("Datenschutzerklärung", "Zweitens."),
    );
    let v2 = repo.commit("Edit the policies", FEB);
    repo.build();

    let english = repo.document("/privacy-policy/");
    assert_eq!(
        english["source"], "content/Privacy Policy.md",
        "{english:#}"
    );
    assert_eq!(
        commits(&repo, "/privacy-policy/"),
        [v2.clone(), v1.clone()],
        "{english:#}"
    );
    let german = repo.document("/datenschutzerklärung/");
    assert_eq!(
        german["source"], "content/Datenschutzerklärung.md",
        "{german:#}"
    );
    assert_eq!(
        commits(&repo, "/datenschutzerklärung/"),
        [v2, v1],
        "{german:#}"
    );
    assert_eq!(german["unpublished"], false, "{german:#}");
}

// ---------------------------------------------------------------------------
// Dates

/// A repository with one document committed once at `author` / `committer`.
fn one_commit(author: &str, committer: &str, config: Option<&str>) -> TestRepo {
    let repo = TestRepo::new();
    if let Some(config) = config {
        repo.write("redline.toml", config);
    }
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We collect your email address."),
    );
    repo.commit_dated("Add the privacy policy", author, committer);
    repo.build();
    repo
}

#[test]
fn committer_date_dates_a_version_by_default() {
    // A PR written on March 1 is rebased and lands on March 8: readers were told on March 8.
    let repo = one_commit(
        "2026-03-01T09:00:00+00:00",
        "2026-03-08T09:00:00+00:00",
        None,
    );
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-08T09:00:00+00:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-08", "{doc:#}");
}

#[test]
fn date_source_author_uses_the_author_date() {
    // A site that dates changes by when they were written sets `date_source = "author"`.
    let repo = one_commit(
        "2026-03-01T09:00:00+00:00",
        "2026-03-08T09:00:00+00:00",
        Some("date_source = \"author\"\n"),
    );
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-01T09:00:00+00:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-01", "{doc:#}");
}

#[test]
fn late_evening_commit_at_minus_seven_keeps_its_own_day_by_default() {
    // A lawyer in Denver commits at 23:30 local time, which is already the next day in UTC.
    let date = "2026-03-03T23:30:00-07:00";
    let repo = one_commit(date, date, None);
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-03T23:30:00-07:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-03", "{doc:#}");
}

#[test]
fn site_timezone_moves_a_minus_seven_commit_to_the_next_day() {
    // The same Denver commit on a site that shows Berlin time.
    let date = "2026-03-03T23:30:00-07:00";
    let repo = one_commit(date, date, Some("timezone = \"Europe/Berlin\"\n"));
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-04T07:30:00+01:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-04", "{doc:#}");
}

#[test]
fn plus_fourteen_hours_keeps_its_own_day_and_utc_site_moves_it_back() {
    // A commit from Kiritimati (UTC+14) just after midnight is still the previous day in UTC.
    let date = "2026-03-04T00:30:00+14:00";
    let repo = one_commit(date, date, None);
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-04T00:30:00+14:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-04", "{doc:#}");

    let utc = one_commit(date, date, Some("timezone = \"UTC\"\n"));
    let doc = utc.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-03T10:30:00+00:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-03", "{doc:#}");
}

#[test]
fn minus_twelve_hours_keeps_its_own_day_and_plus_fourteen_site_is_two_days_later() {
    // A commit at 23:00 at UTC−12 is 01:00 two calendar days later in Kiritimati (UTC+14).
    let date = "2026-03-03T23:00:00-12:00";
    let repo = one_commit(date, date, None);
    let doc = repo.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-03T23:00:00-12:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-03", "{doc:#}");

    let utc = one_commit(date, date, Some("timezone = \"UTC\"\n"));
    assert_eq!(utc.document("/privacy/")["last_updated"], "2026-03-04");

    let kiritimati = one_commit(date, date, Some("timezone = \"Pacific/Kiritimati\"\n"));
    let doc = kiritimati.document("/privacy/");
    assert_eq!(
        doc["versions"][0]["date"], "2026-03-05T01:00:00+14:00",
        "{doc:#}"
    );
    assert_eq!(doc["last_updated"], "2026-03-05", "{doc:#}");
}

// ---------------------------------------------------------------------------
// Repository states

#[test]
fn shallow_clone_fails_with_advice_unless_allowed() {
    // CI checks out with depth 1 (the actions/checkout default).
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Two."),
        "v2",
        FEB,
    );
    let tip = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Three."),
        "v3",
        MAR,
    );
    repo.build();
    assert_eq!(repo.versions()["approximate_dates"], false);

    let ci = TestRepo::folder();
    let url = format!("file://{}", repo.path().display());
    let output = git_command(ci.path())
        .args(["clone", "-q", "--depth", "1", &url, "clone"])
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let clone = ci.path().join("clone");

    let run = run_redline(&clone, &["build"]).failure();
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git fetch --unshallow"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    assert!(
        !clone.join("public").exists(),
        "a refused build writes nothing"
    );

    run_redline(&clone, &["build", "--allow-shallow"]).success();
    let json = versions_json_in(&clone);
    assert_eq!(json["approximate_dates"], true, "{json:#}");
    let doc = &json["documents"][0];
    assert_eq!(doc["url"], "/privacy/", "{json:#}");
    assert_eq!(doc["versions"][0]["commit"], tip.as_str(), "{json:#}");
}

#[test]
fn repository_without_commits_builds_with_everything_unpublished() {
    // A brand-new site: `git init`, policies written, nothing committed yet.
    let repo = TestRepo::new();
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We collect your email address."),
    );
    let run = repo.build();
    assert!(run.stderr.contains("no commits"), "{}", run.stderr);
    let doc = repo.document("/privacy/");
    assert_eq!(doc["unpublished"], true, "{doc:#}");
    assert_eq!(doc["versions"], serde_json::json!([]), "{doc:#}");
    assert!(doc["last_updated"].is_null(), "{doc:#}");

    let run = repo.redline(&["build", "--strict"]).failure();
    assert!(run.stderr.contains("content/privacy.md"), "{}", run.stderr);
}

#[test]
fn bare_repository_fails_saying_it_has_no_work_tree() {
    // Regression: a build run in a bare repository (a server's copy) said
    // "the content folder does not exist", which sent people looking for it.
    let repo = TestRepo::committed(
        &[("content/privacy.md", policy("Privacy Policy", "One."))],
        JAN,
    );
    let bare = TestRepo::folder();
    let bare_dir = bare.path().join("policies.git");
    repo.git(&[
        "clone",
        "-q",
        "--bare",
        ".",
        &bare_dir.display().to_string(),
    ]);
    for args in [&["build"][..], &["log"], &["build", "--ref", "main"]] {
        let run = run_redline(&bare_dir, args).failure();
        let stderr = bare.redact(&run.stderr);
        assert!(
            stderr.contains("[ROOT]/policies.git is a bare git repository: it has no work tree"),
            "{stderr}"
        );
        assert!(
            stderr.contains("git clone [ROOT]/policies.git site"),
            "{stderr}"
        );
        assert!(!stderr.contains("content folder"), "{stderr}");
    }
}

#[test]
fn detached_head_builds_the_checked_out_commit() {
    // CI checks out a commit, not a branch (detached HEAD), one behind main.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Two."),
        "v2",
        FEB,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Three."),
        "v3",
        MAR,
    );
    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v2, v1], "{doc:#}");
    assert_eq!(doc["last_updated"], "2026-02-01", "{doc:#}");
    assert_eq!(doc["unpublished"], false, "{doc:#}");
}

#[test]
fn uncommitted_edit_is_unpublished_with_a_warning() {
    // An editor previews a local change before committing it.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "One, edited locally."),
    );
    let run = repo.build();
    assert!(run.stderr.contains("content/privacy.md"), "{}", run.stderr);
    let doc = repo.document("/privacy/");
    assert_eq!(doc["unpublished"], true, "{doc:#}");
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{doc:#}");
}

#[test]
fn untracked_document_is_unpublished() {
    // A new policy file exists on disk but was never added to git.
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    let run = repo.build();
    assert!(run.stderr.contains("content/terms.md"), "{}", run.stderr);
    let terms = repo.document("/terms/");
    assert_eq!(terms["unpublished"], true, "{terms:#}");
    assert_eq!(terms["versions"], serde_json::json!([]), "{terms:#}");
    assert_eq!(repo.document("/privacy/")["unpublished"], false);
}

#[test]
fn strict_build_fails_naming_the_uncommitted_document() {
    // The CI release job must never publish text that is not in git.
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    repo.commit_file(
        "content/terms.md",
        &policy("Terms", "Be nice."),
        "terms",
        JAN,
    );
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "One, edited locally."),
    );
    let run = repo.redline(&["build", "--strict"]).failure();
    assert!(run.stderr.contains("content/privacy.md"), "{}", run.stderr);
    assert!(
        run.stderr.contains("this document has changes"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("content/terms.md"), "{}", run.stderr);
    assert!(
        !repo.exists("public/versions.json"),
        "a failed build writes nothing"
    );
}

#[test]
fn clean_checkout_is_published_without_warning() {
    // The normal CI build of a clean checkout.
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    let run = repo.redline(&["build", "--strict"]).success();
    assert!(!run.stderr.contains("content/privacy.md"), "{}", run.stderr);
    assert!(!run.stderr.contains("uncommitted"), "{}", run.stderr);
    assert!(!run.stderr.contains("unpublished"), "{}", run.stderr);
    assert_eq!(repo.document("/privacy/")["unpublished"], false);
}

/// A repository whose work tree git checked out with CRLF line endings
/// (as Git for Windows does), set up by `configure`; returns it and the
/// commit that added the policy.
fn crlf_checkout(configure: impl Fn(&TestRepo)) -> (TestRepo, String) {
    let repo = TestRepo::new();
    configure(&repo);
    repo.write("content/terms.md", policy("Terms", "Be nice.\n\nBe fair."));
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy Policy",
            "We collect your email address.\n\nWe never sell it.",
        ),
        "Add the policies",
        JAN,
    );
    std::fs::remove_dir_all(repo.path().join("content")).expect("remove content");
    repo.git(&["checkout", "--", "content"]);
    assert!(
        repo.read("content/privacy.md").contains("\r\n"),
        "git checked the file out with CRLF"
    );
    (repo, v1)
}

/// A CRLF checkout is published as it is; a real local edit still is not.
fn assert_crlf_checkout_is_clean(repo: &TestRepo, v1: &str) {
    let run = repo.redline(&["build", "--strict"]).success();
    assert!(!run.stderr.contains("unpublished"), "{}", run.stderr);
    let doc = repo.document("/privacy/");
    assert_eq!(doc["unpublished"], false, "{doc:#}");
    assert_eq!(commits(repo, "/privacy/"), [v1], "{doc:#}");
    // The live page is the version readers were given.
    assert_eq!(doc["sha256"], doc["versions"][0]["sha256"], "{doc:#}");
    let log = repo.redline(&["log"]).success();
    assert!(!log.stdout.contains("unpublished"), "{}", log.stdout);

    repo.write(
        "content/privacy.md",
        policy(
            "Privacy Policy",
            "We collect your email address.\r\n\r\nWe sell it.",
        )
        .replace('\n', "\r\n"),
    );
    let run = repo.redline(&["build", "--strict"]).failure();
    assert!(run.stderr.contains("content/privacy.md"), "{}", run.stderr);
    assert!(!run.stderr.contains("content/terms.md"), "{}", run.stderr);
}

#[test]
fn autocrlf_checkout_is_published_not_uncommitted() {
    // Regression: with core.autocrlf=true (Git for Windows' default) every
    // document showed as unpublished and --strict failed on a clean tree.
    let (repo, v1) = crlf_checkout(|repo| {
        repo.git(&["config", "core.autocrlf", "true"]);
    });
    assert_crlf_checkout_is_clean(&repo, &v1);
}

#[test]
fn eol_crlf_attribute_checkout_is_published_not_uncommitted() {
    // The same, with line endings set by `.gitattributes` instead.
    let (repo, v1) = crlf_checkout(|repo| {
        repo.write(".gitattributes", "* text eol=crlf\n");
    });
    assert_crlf_checkout_is_clean(&repo, &v1);
}

#[test]
fn folder_outside_git_uses_front_matter_dates() {
    // Someone builds a downloaded zip of the policies, with no .git folder.
    let repo = TestRepo::folder();
    repo.write(
        "content/privacy.md",
        "---\ntitle: Privacy Policy\nupdated: 2026-02-01\n---\n\nWe collect your email address.\n",
    );
    let run = repo.build();
    assert!(
        run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
    let doc = repo.document("/privacy/");
    assert_eq!(doc["last_updated"], "2026-02-01", "{doc:#}");
    assert_eq!(doc["versions"], serde_json::json!([]), "{doc:#}");
}

#[test]
fn ref_option_publishes_another_branch() {
    // The site is built from the `next` branch while `main` is checked out.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    repo.checkout_new("next");
    let next = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Two."),
        "v2",
        FEB,
    );
    repo.checkout("main");

    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1.as_str()]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");

    repo.redline(&["build", "--ref", "next"]).success();
    assert_eq!(commits(&repo, "/privacy/"), [next, v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-02-01");
}

#[test]
fn submodule_in_the_repository_does_not_break_the_build() {
    // The site repo vendors a theme or tool as a git submodule.
    let lib = TestRepo::new();
    lib.commit_file("README.md", "A library.\n", "Init", JAN);
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "v1",
        JAN,
    );
    let lib_path = lib.path().display().to_string();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        &lib_path,
        "vendor/lib",
    ]);
    repo.commit("Add a submodule", FEB);
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Two."),
        "v2",
        MAR,
    );
    repo.build();
    let doc = repo.document("/privacy/");
    assert_eq!(commits(&repo, "/privacy/"), [v2, v1], "{doc:#}");
    assert_eq!(doc["unpublished"], false, "{doc:#}");
}

#[test]
fn content_folder_that_is_a_submodule_fails_naming_it() {
    // Regression: the policies live in their own repository, mounted as the
    // site's content folder; every document showed as unpublished, with no
    // versions and no error.
    let policies = TestRepo::new();
    policies.commit_file("privacy.md", &policy("Privacy Policy", "One."), "v1", JAN);
    let repo = TestRepo::new();
    repo.commit_file("README.md", "The site.\n", "Init", JAN);
    let policies_path = policies.path().display().to_string();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        &policies_path,
        "content",
    ]);
    repo.commit("Add the policies as a submodule", FEB);
    for command in ["build", "log"] {
        let run = repo.redline(&[command]).failure();
        assert!(
            run.stderr.contains("content is a git submodule"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("content/privacy.md"), "{}", run.stderr);
    }
    assert!(!repo.exists("public/versions.json"));
}

/// The text Git LFS leaves in a checkout that did not fetch the file.
const LFS_POINTER: &str = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";

#[test]
fn git_lfs_pointers_stop_the_build_naming_the_file() {
    // Regression: a checkout without `git lfs pull` published the pointer
    // files as a policy page and as images.
    for pointer in ["content/privacy.md", "content/logo.png", "static/logo.png"] {
        let repo = TestRepo::new();
        repo.write("content/terms.md", policy("Terms", "Be nice."));
        repo.write(
            ".gitattributes",
            "*.png filter=lfs diff=lfs merge=lfs -text\n",
        );
        repo.commit_file(pointer, LFS_POINTER, "Add files", JAN);
        let run = repo.redline(&["build"]).failure();
        assert!(
            run.stderr.contains(&format!(
                "{pointer} is a Git LFS pointer, not the file itself"
            )),
            "{pointer}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("git lfs pull"), "{}", run.stderr);
        assert!(!repo.exists("public/versions.json"), "{pointer}");
    }
}

// ---------------------------------------------------------------------------
// redline log

/// Two documents; privacy has two versions and one front-matter-only commit.
fn log_site() -> (TestRepo, Vec<(String, &'static str)>, String) {
    let repo = TestRepo::new();
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "One."),
        "Publish the policies",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "Two."),
        "Keep data for ninety days",
        MAR,
    );
    let silent = repo.commit_file(
        "content/privacy.md",
        "---\ntitle: Privacy Policy\ntopics: [legal]\n---\n\nTwo.\n",
        "Add topics",
        APR,
    );
    (
        repo,
        vec![
            (v2, "Keep data for ninety days"),
            (v1, "Publish the policies"),
        ],
        silent,
    )
}

#[test]
fn log_lists_every_document() {
    // An editor asks which policies exist and when each last changed.
    let (repo, _, _) = log_site();
    let run = repo.redline(&["log"]).success();
    let line = |url: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(url))
            .unwrap_or_else(|| panic!("no line for {url}:\n{}", run.stdout))
            .to_string()
    };
    let privacy = line("/privacy/");
    assert!(privacy.contains("content/privacy.md"), "{privacy}");
    assert!(privacy.contains("2026-03-03"), "{privacy}");
    let terms = line("/terms/");
    assert!(terms.contains("content/terms.md"), "{terms}");
    assert!(terms.contains("2026-01-01"), "{terms}");
}

#[test]
fn log_of_a_document_prints_one_line_per_version() {
    // An editor checks the version history of one policy in the terminal.
    let (repo, expected, silent) = log_site();
    let run = repo.redline(&["log", "content/privacy.md"]).success();
    let mut version_lines = 0;
    for line in run.stdout.lines() {
        if expected.iter().any(|(sha, _)| line.contains(&sha[..7])) {
            version_lines += 1;
        }
    }
    assert_eq!(version_lines, expected.len(), "{}", run.stdout);
    for (sha, subject) in &expected {
        let matching: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.contains(&sha[..7]))
            .collect();
        assert_eq!(matching.len(), 1, "{}", run.stdout);
        assert!(matching[0].contains(subject), "{}", run.stdout);
    }
    assert!(!run.stdout.contains(&silent[..7]), "{}", run.stdout);
    assert!(!run.stdout.contains("Add topics"), "{}", run.stdout);
    // Each version says what kind of change it was.
    let line_of = |sha: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(&sha[..7]))
            .expect("a line")
    };
    assert!(
        line_of(&expected[0].0).contains("material"),
        "{}",
        run.stdout
    );
    assert!(
        line_of(&expected[1].0).contains("initial"),
        "{}",
        run.stdout
    );
    // Newest first.
    let first = run.stdout.find(&expected[0].0[..7]).expect("newest");
    let second = run.stdout.find(&expected[1].0[..7]).expect("oldest");
    assert!(first < second, "{}", run.stdout);
}

#[test]
fn an_ignored_move_with_a_reflow_keeps_the_older_versions() {
    // A restructure moves the policy into a folder and re-wraps a line in
    // the same commit, and is listed in .git-blame-ignore-revs: it is no
    // version, but the history before the move still is.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "five"),
        "Add the privacy policy",
        JAN,
    );
    let v2 = repo.commit_file(
        "content/privacy.md",
        &long_policy("Privacy Policy", "seven"),
        "Keep billing records longer",
        FEB,
    );
    repo.git(&["mv", "content/privacy.md", "content/privacy-policy.md"]);
    let reflowed = long_policy("Privacy Policy", "seven").replace(
        "only for the purposes stated in section 3.",
        "only for the purposes\nstated in section 3.",
    );
    let moved = repo.commit_file(
        "content/privacy-policy.md",
        &reflowed,
        "Move and re-wrap",
        MAR,
    );
    repo.commit_file(
        ".git-blame-ignore-revs",
        &format!("# the restructure\n{moved}\n"),
        "Ignore the restructure",
        APR,
    );
    let run = repo.build();
    assert_eq!(
        commits(&repo, "/privacy-policy/"),
        [v2, v1],
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.document("/privacy-policy/")["last_updated"],
        "2026-02-01"
    );
}

#[test]
fn a_merge_that_brings_only_an_invisible_change_is_no_version() {
    // A bot's PR re-wraps a paragraph and drops a front-matter key: the
    // merge changes the file on the published line, not what readers see.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        "---\ntitle: Privacy Policy\nowner: legal\n---\n\nWe keep your email address for thirty days.\n",
        "Publish",
        JAN,
    );
    repo.checkout_new("reflow");
    repo.commit_file(
        "content/privacy.md",
        "---\ntitle: Privacy Policy\n---\n\nWe keep your email\naddress for thirty days.\n",
        "Re-wrap",
        FEB,
    );
    repo.checkout("main");
    let merge = repo.merge("reflow", "Merge the re-wrap", MAR);
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v1], "{merge} is no version");
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-01-01");
}

#[test]
fn a_fast_forward_merge_makes_each_of_its_commits_a_version() {
    // With no merge commit, the branch's commits are the published line
    // itself, each landing at its own date.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 30 days."),
        "Publish",
        JAN,
    );
    repo.checkout_new("longer");
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 60 days."),
        "Longer",
        FEB,
    );
    let v3 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 90 days."),
        "Longer still",
        MAR,
    );
    repo.checkout("main");
    repo.git(&["merge", "-q", "--ff-only", "longer"]);
    assert_eq!(repo.head(), v3, "fast-forwarded");
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [v3, v2, v1]);
    assert_eq!(
        repo.version_days("/privacy/"),
        ["2026-03-03", "2026-02-01", "2026-01-01"]
    );
}

#[test]
fn a_conflict_resolved_to_new_text_is_a_version_of_the_merge() {
    // main says 60 days, the branch 90; the merge settles on 45: a text
    // neither parent had, published by the merge commit. The branch's 90
    // never reached readers.
    let repo = TestRepo::new();
    let v1 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 30 days."),
        "Publish",
        JAN,
    );
    repo.checkout_new("side");
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 90 days."),
        "Ninety",
        FEB,
    );
    repo.checkout("main");
    let v2 = repo.commit_file(
        "content/privacy.md",
        &policy("Privacy Policy", "We keep data for 60 days."),
        "Sixty",
        FEB,
    );
    let conflicted = git_command(repo.path())
        .args(["merge", "-q", "--no-ff", "side"])
        .output()
        .expect("git merge runs");
    assert!(!conflicted.status.success(), "the merge conflicts");
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We keep data for 45 days."),
    );
    let merge = repo.commit("Merge side: settle on 45 days", MAR);
    assert_eq!(
        repo.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
    repo.build();
    assert_eq!(commits(&repo, "/privacy/"), [merge, v2, v1]);
    assert_eq!(repo.document("/privacy/")["last_updated"], "2026-03-03");
    let page = repo.read("public/privacy/index.html");
    assert!(
        page.contains("45 days") && !page.contains("90 days"),
        "{page}"
    );
}
