//! Translations' cost: the same documents published in one language and in
//! five (English plus German, French, Spanish and Japanese translations of
//! every document, each with the same history), built into fresh output
//! folders. Target: the five-language site in ≤ 5.5× the one-language
//! site's time — each translation costs about what its source does, and
//! matching, hreflang links and freshness add little on top.
//!
//! `REDLINE_BENCH_DOCS` sets the number of source documents (default 40).

mod measure;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use measure::Spread;
use redline::source::config::{Config, Overrides};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DOCUMENTS: usize = 40;
const COMMITS: usize = 6;
const TRANSLATIONS: [&str; 4] = ["de", "fr", "es", "ja"];

fn main() {
    let documents: usize = std::env::var("REDLINE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DOCUMENTS);
    let one = site(documents, &[]);
    let five = site(documents, &TRANSLATIONS);
    let runs = 5;
    let mut one_times = Vec::new();
    let mut five_times = Vec::new();
    for run in 0..runs {
        one_times.push(build(one.path(), run));
        five_times.push(build(five.path(), run));
    }
    let one = Spread::of(&one_times);
    let five = Spread::of(&five_times);
    let ratio = five.median / one.median;
    println!(
        "languages: {documents} documents × {COMMITS} commits; 1 language {:.3}s (min {:.3}, max {:.3}), 5 languages {:.3}s (min {:.3}, max {:.3})",
        one.median, one.min, one.max, five.median, five.min, five.max
    );
    println!(
        "languages: 5 languages / 1 language = {ratio:.2}× (target ≤ 5.5×): {}",
        if ratio <= 5.5 { "ok" } else { "OVER" }
    );
}

/// A repository of `documents` policies, each changed in every one of
/// `COMMITS` commits, with a translation per code in `languages` changed in
/// the same commits.
fn site(documents: usize, languages: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let tables: String = languages
        .iter()
        .map(|code| format!("[languages.{code}]\n"))
        .collect();
    std::fs::write(
        root.join("redline.toml"),
        format!("base_url = \"https://example.com/\"\n{tables}"),
    )
    .expect("config");
    std::fs::create_dir_all(root.join("content")).expect("content");
    for commit in 0..COMMITS {
        for index in 0..documents {
            let text = document(index, commit);
            let name = |suffix: &str| root.join(format!("content/policy-{index:03}{suffix}.md"));
            std::fs::write(name(""), &text).expect("write");
            for code in languages {
                std::fs::write(name(&format!(".{code}")), &text).expect("write");
            }
        }
        git(root, &["add", "-A"]);
        let date = format!("2026-03-{:02}T10:00:00+00:00", commit + 1);
        let status = git_command(root)
            .args(["commit", "-q", "-m", &format!("Change {commit}")])
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .status()
            .expect("git commit");
        assert!(status.success());
    }
    dir
}

/// About 8 KB of policy text; each commit changes one retention period
/// (a material change) in every document.
fn document(index: usize, commit: usize) -> String {
    let mut text = format!("---\ntitle: Policy {index}\n---\n\n");
    for section in 0..16 {
        text.push_str(&format!(
            "## Section {section}\n\nWe keep the records of section {section} for {} days, and we delete them after that unless the law requires us to keep them longer. You can ask for a copy of them at any time by writing to privacy@example.com.\n\n",
            30 + if section == commit { commit } else { 0 }
        ));
        text.push_str("- We do not sell personal data.\n- We do not use advertising cookies.\n\n");
    }
    text
}

/// Seconds to build `root` into a fresh output folder.
fn build(root: &Path, run: usize) -> f64 {
    let config = Config::load(&Overrides {
        root: root.to_path_buf(),
        output: Some(format!("public-{run}").into()),
        ..Overrides::default()
    })
    .expect("config");
    let started = Instant::now();
    redline::site::build(&config).expect("build");
    started.elapsed().as_secs_f64()
}

fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com");
    command
}

fn git(dir: &Path, args: &[&str]) {
    let status = git_command(dir).args(args).status().expect("git runs");
    assert!(status.success(), "git {args:?}");
}
