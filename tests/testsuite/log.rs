//! `redline log` as a terminal command: it stops quietly when its reader
//! does, never lets commit text drive the terminal, and answers a wrong
//! name with the right one.

use std::io::Read as _;
use std::process::Stdio;

use crate::harness::{TestRepo, policy, redline_command};

const JAN: &str = "2026-01-05T10:00:00+00:00";
const MAR: &str = "2026-03-03T10:00:00+00:00";

#[test]
fn log_into_a_closed_pipe_exits_quietly() {
    // `redline log | head -1` panicked on the broken pipe (exit 101 and a
    // "failed printing to stdout" message) once head stopped reading.
    let repo = TestRepo::new();
    for n in 0..40 {
        repo.commit_file(
            "content/privacy.md",
            &policy("Privacy", &format!("Version {n}.")),
            &format!("Change number {n}"),
            JAN,
        );
    }
    let mut child = redline_command(repo.path(), &["log", "content/privacy.md"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("redline runs");
    // The reader goes away before redline has written a byte.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr is text");
    let status = child.wait().expect("redline ends");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(status.code(), Some(101), "{stderr}");
    assert!(status.success(), "{status:?}: {stderr}");
}

#[test]
fn escape_sequences_in_commit_subjects_do_not_reach_the_terminal() {
    let repo = TestRepo::new();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "One."),
        "Publish \u{1b}]0;pwned\u{7}\u{1b}[2Jthe policy",
        JAN,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "Two."),
        "Shorter\n\nNotice: We keep data\u{1b}[31m for 30 days.",
        MAR,
    );
    let run = repo.redline(&["log", "content/privacy.md"]).success();
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(!run.stdout.contains('\u{7}'), "{:?}", run.stdout);
    assert!(
        run.stdout.contains("\u{fffd}[2Jthe policy"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("We keep data\u{fffd}[31m for 30 days."),
        "{}",
        run.stdout
    );
}

#[test]
fn one_version_is_singular() {
    let repo = TestRepo::committed(&[("content/privacy.md", policy("Privacy", "One."))], JAN);
    let run = repo.redline(&["log", "content/privacy.md"]).success();
    assert!(
        run.stdout.contains("(content/privacy.md), 1 version\n"),
        "{}",
        run.stdout
    );
    let build = repo.build();
    assert!(
        build.stderr.contains("built 1 document ("),
        "{}",
        build.stderr
    );
}

#[test]
fn a_renamed_document_is_named_by_its_new_file() {
    // After a rename, `log OLD` said "no document" and then suggested OLD,
    // the very path it had just rejected.
    let repo = TestRepo::new();
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "One."),
        "Publish",
        JAN,
    );
    repo.git(&["mv", "content/privacy.md", "content/data-policy.md"]);
    repo.commit("Rename the privacy policy", MAR);

    let run = repo.redline(&["log", "content/privacy.md"]).failure();
    assert!(
        run.stderr
            .contains("run `redline log content/data-policy.md`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("log content/privacy.md"),
        "{}",
        run.stderr
    );
    // The suggested command works.
    let renamed = repo.redline(&["log", "content/data-policy.md"]).success();
    assert!(
        renamed
            .stdout
            .contains("  initial    Publish  (Dana Counsel)\n"),
        "{}",
        renamed.stdout
    );

    let run = repo.redline(&["log", "content/cookies.md"]).failure();
    insta::assert_snapshot!(run.stderr, @"error: no document `content/cookies.md`; the documents are content/data-policy.md, content/terms.md; name one by its file or URL, e.g. `redline log content/data-policy.md` or `redline log /data-policy/`");
}
