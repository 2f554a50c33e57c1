//! What a built site publishes from git: by default no commit author, e-mail
//! address, subject, body or branch name reaches any output file or change
//! notice; `publish_authors` and `publish_commit_subjects` opt in.

use std::path::Path;

use mail_parser::MessageParser;

use crate::harness::{TestRepo, git_command, policy, run_redline_with};

const AUTHOR: &str = "Zephyrine Quillfeather";
const AUTHOR_EMAIL: &str = "zq.private@corp-internal.example";
const COMMITTER: &str = "Oswin Brackenridge";
const COMMITTER_EMAIL: &str = "ob.private@corp-internal.example";
const SUBJECT: &str = "Remove clause per dispute with Xylocorp";
const SIDE_SUBJECT: &str = "Draft wording from the side branch qv";
const BODY: &str = "Internal ticket LEGAL-7781 says keep this quiet";
const MERGE_BODY: &str = "Approved by outside counsel in thread 9931";
const BRANCH: &str = "hush/renegotiation-qq";
const NOTICE: &str = "We now keep your data for ninety days.";

/// Every git fact the site must keep to itself unless told otherwise.
const PRIVATE: &[&str] = &[
    AUTHOR,
    AUTHOR_EMAIL,
    COMMITTER,
    COMMITTER_EMAIL,
    SUBJECT,
    SIDE_SUBJECT,
    BODY,
    MERGE_BODY,
    BRANCH,
    "corp-internal",
];

const EMAIL_CONFIG: &str = "[email]\nfrom = \"Frameloop Privacy <privacy@frameloop.example>\"\nto = \"announce@lists.frameloop.example\"\n";

/// A policy published by a unique author with an internal subject, then
/// changed materially on a side branch and merged with git's merge subject
/// (which names the branch), an internal body and the reader's notice.
fn site(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "redline.toml",
        format!("base_url = \"https://legal.frameloop.example/\"\n{config}\n{EMAIL_CONFIG}"),
    );
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We keep your data for thirty days."),
    );
    commit_as(&repo, SUBJECT, "2026-03-02T10:00:00+00:00");
    repo.checkout_new(BRANCH);
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We keep your data for ninety days."),
    );
    commit_as(
        &repo,
        &format!("{SIDE_SUBJECT}\n\n{BODY}"),
        "2026-03-10T10:00:00+00:00",
    );
    repo.checkout("main");
    let message = format!(
        "{}\n\n{MERGE_BODY}\n\nPolicy-Change: material\nNotice: {NOTICE}",
        merge_subject()
    );
    let merge = git_command(repo.path())
        .args(["merge", "-q", "--no-ff", "-m", &message, BRANCH])
        .envs(identity("2026-03-10T12:00:00+00:00"))
        .output()
        .expect("git merge runs");
    assert!(merge.status.success(), "{merge:?}");
    repo
}

fn merge_subject() -> String {
    format!("Merge branch '{BRANCH}'")
}

fn identity(date: &str) -> [(&'static str, String); 6] {
    [
        ("GIT_AUTHOR_NAME", AUTHOR.to_string()),
        ("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL.to_string()),
        ("GIT_COMMITTER_NAME", COMMITTER.to_string()),
        ("GIT_COMMITTER_EMAIL", COMMITTER_EMAIL.to_string()),
        ("GIT_AUTHOR_DATE", date.to_string()),
        ("GIT_COMMITTER_DATE", date.to_string()),
    ]
}

fn commit_as(repo: &TestRepo, message: &str, date: &str) {
    repo.git(&["add", "-A"]);
    let output = git_command(repo.path())
        .args(["commit", "-q", "-m", message])
        .envs(identity(date))
        .output()
        .expect("git commit runs");
    assert!(output.status.success(), "{output:?}");
}

const DAY: &str = "1773835200"; // 2026-03-18T12:00:00Z

/// Builds the site and writes the change notices; returns every file of the
/// site and the outbox, e-mail bodies decoded, as (path, text).
fn everything_published(repo: &TestRepo) -> Vec<(String, String)> {
    let env = [("SOURCE_DATE_EPOCH", DAY)];
    run_redline_with(repo.path(), &["build"], &env).success();
    run_redline_with(
        repo.path(),
        &["notify", "--since", "2026-03-05", "--outbox", "outbox"],
        &env,
    )
    .success();
    let mut files = Vec::new();
    for folder in ["public", "outbox"] {
        collect(&repo.path().join(folder), &mut files);
    }
    let emails: Vec<(String, String)> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".eml"))
        .map(|(path, raw)| {
            let message = MessageParser::default()
                .parse(raw.as_bytes())
                .unwrap_or_else(|| panic!("{path} is not a message"));
            let text = [message.body_text(0), message.body_html(0)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            (format!("{path} (decoded)"), text)
        })
        .collect();
    assert!(!emails.is_empty(), "notify wrote no e-mail");
    files.extend(emails);
    files
}

fn collect(dir: &Path, files: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            let bytes = std::fs::read(&path).expect("readable");
            files.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
}

/// The files that contain `needle`.
fn holding<'a>(files: &'a [(String, String)], needle: &str) -> Vec<&'a str> {
    files
        .iter()
        .filter(|(_, text)| text.contains(needle))
        .map(|(path, _)| path.as_str())
        .collect()
}

#[test]
fn by_default_no_author_address_subject_body_or_branch_is_published() {
    let repo = site("title = \"Frameloop Legal\"\n");
    let files = everything_published(&repo);
    for private in PRIVATE {
        assert_eq!(holding(&files, private), Vec::<&str>::new(), "{private}");
    }
    // What the author wrote for readers is published.
    assert!(
        holding(&files, NOTICE)
            .iter()
            .any(|p| p.ends_with("versions.json")),
        "the Notice: trailer is in versions.json"
    );
    assert!(!holding(&files, NOTICE).is_empty());
    // The feeds speak for the site.
    let feed = repo.read("public/feed.xml");
    assert!(
        feed.contains("<author><name>Frameloop Legal</name></author>"),
        "{feed}"
    );
}

#[test]
fn feeds_name_the_company_when_the_site_has_one() {
    let repo = site("title = \"Frameloop Legal\"\n[extra]\ncompany = \"Frameloop Inc.\"\n");
    let files = everything_published(&repo);
    for private in PRIVATE {
        assert_eq!(holding(&files, private), Vec::<&str>::new(), "{private}");
    }
    let feed = repo.read("public/privacy/feed.xml");
    assert_eq!(
        feed.matches("<author><name>Frameloop Inc.</name></author>")
            .count(),
        3,
        "the feed and both entries: {feed}"
    );
}

#[test]
fn the_opt_ins_publish_authors_and_subjects_and_nothing_more() {
    let repo = site("publish_authors = true\npublish_commit_subjects = true\n");
    let files = everything_published(&repo);
    let versions = repo.read("public/versions.json");
    let doc = repo.document("/privacy/");
    let newest = &doc["versions"][0];
    assert_eq!(newest["author"], AUTHOR, "{versions}");
    assert_eq!(newest["subject"], merge_subject(), "{versions}");
    assert_eq!(doc["versions"][1]["subject"], SUBJECT, "{versions}");
    let feed = repo.read("public/privacy/feed.xml");
    assert!(
        feed.contains(&format!("<author><name>{AUTHOR}</name></author>")),
        "{feed}"
    );
    assert!(!holding(&files, SUBJECT).is_empty());
    // Addresses, bodies and side-branch commits stay private even then.
    for private in [
        AUTHOR_EMAIL,
        COMMITTER,
        COMMITTER_EMAIL,
        SIDE_SUBJECT,
        BODY,
        MERGE_BODY,
    ] {
        assert_eq!(holding(&files, private), Vec::<&str>::new(), "{private}");
    }
}

#[test]
fn only_one_opt_in_publishes_only_its_own_fact() {
    let repo = site("publish_commit_subjects = true\n");
    repo.build_on("2026-03-18");
    let doc = repo.document("/privacy/");
    assert_eq!(doc["versions"][1]["subject"], SUBJECT, "{doc:#}");
    assert!(doc["versions"][0].get("author").is_none(), "{doc:#}");
    let repo = site("publish_authors = true\n");
    repo.build_on("2026-03-18");
    let doc = repo.document("/privacy/");
    assert_eq!(doc["versions"][0]["author"], AUTHOR, "{doc:#}");
    assert!(doc["versions"][0].get("subject").is_none(), "{doc:#}");
}

#[test]
fn redline_log_shows_authors_and_subjects_without_the_opt_ins() {
    let repo = site("");
    let run = repo.redline(&["log", "privacy"]).success();
    assert!(run.stdout.contains(SUBJECT), "{}", run.stdout);
    assert!(run.stdout.contains(AUTHOR), "{}", run.stdout);
}
