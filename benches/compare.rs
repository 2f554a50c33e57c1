//! redline and Hugo side by side on the same synthetic policy repository.
//! Both are measured in the same run, interleaved, so every figure is a ratio
//! that a noisy machine disturbs less than the seconds themselves: the full
//! build (cold), current pages only, a rebuild after one new commit, peak
//! memory, and history extraction against git's own plumbing. It ends with a
//! cheap check of why redline exists: for how many documents Hugo's
//! `.Lastmod` differs from redline's `last_updated`.
//!
//! `REDLINE_BENCH_SIZE=small|large|policy` picks 50 documents / 500 commits
//! (the default), 100 / 5,000, or the policy repository: 64
//! documents of 5–300 KB, 1,000 commits. `REDLINE_BENCH_RUNS` sets the
//! repetitions (default 3). Hugo comes from Debian's packages and is
//! installed when missing.
//!
//! Cold builds write into a fresh folder each (this machine's disk slows file
//! creation right after mass deletions); the folders go at the end. The
//! rebuilds then build over the last cold run's folders.

mod hugo;
mod measure;
mod synth;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use measure::{Spread, git_plumbing, load_average, redline_build};
use redline::source::config::{Config, Overrides};

/// The binary's allocator, so the in-process history figure is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Built by cargo with the bench profile (release settings) before this runs.
const REDLINE: &str = env!("CARGO_BIN_EXE_redline");

fn main() {
    let (name, spec) = match std::env::var("REDLINE_BENCH_SIZE").as_deref() {
        Ok("large") => ("large", twenty_kb_documents(100, 5_000)),
        Ok("policy") => ("policy", synth::Spec::policy(1_000)),
        Ok("small") | Err(_) => ("small", twenty_kb_documents(50, 500)),
        Ok(other) => panic!("REDLINE_BENCH_SIZE is small, large or policy, not {other:?}"),
    };
    let runs = measure::runs_from_env();
    hugo::ensure_installed();

    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    let started = Instant::now();
    let stats = synth::generate(&repo, spec);
    hugo::write_site(&repo);
    println!(
        "{name} repository: {spec:?}\n  {stats:?}\n  generated in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {}, {}, {} cores, load average {}",
        hugo::version(),
        measure::first_line(REDLINE, &["--version"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

    let redline = Path::new(REDLINE);
    let out = |what: &str, run: usize| dir.path().join(format!("out/{what}-{run}"));

    // Each redline build its own cache folder: a cold build starts with
    // none (and fills it, as a first build does).
    let cache = |what: &str, run: usize| out(&format!("cache-{what}"), run);
    let with_cache = |folder: &Path| ["--cache".to_string(), folder.display().to_string()];

    // Cold: a fresh process and a fresh output folder each time, the three
    // builds interleaved so a burst of load elsewhere hits them alike.
    let (mut full, mut pages, mut hugo_cold) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let [flag, folder] = with_cache(&cache("pages", run));
        pages.push(redline_build(
            &repo,
            redline,
            &out("pages", run),
            &["--no-archive", &flag, &folder],
        ));
        let [flag, folder] = with_cache(&cache("redline", run));
        full.push(redline_build(
            &repo,
            redline,
            &out("redline", run),
            &[&flag, &folder],
        ));
        hugo_cold.push(hugo::build(&repo, &out("hugo", run)));
    }

    // Warm: the last cold outputs in place, one new commit to one document,
    // then a rebuild by each: redline without its cache, and with it (the
    // other cold output, whose cache and files are one commit behind); Hugo
    // keeps no cache between runs outside its server.
    let (redline_public, hugo_public) = (out("redline", runs - 1), out("hugo", runs - 1));
    assert!(
        runs >= 2,
        "the cached rebuild takes the second-to-last cold output"
    );
    let cached_public = out("redline", runs - 2);
    let [flag, folder] = with_cache(&cache("redline", runs - 2));
    let (mut full_warm, mut cached_warm, mut hugo_warm) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        commit_one_edit(&repo, run);
        full_warm.push(redline_build(
            &repo,
            redline,
            &redline_public,
            &["--no-cache"],
        ));
        cached_warm.push(redline_build(
            &repo,
            redline,
            &cached_public,
            &[&flag, &folder],
        ));
        hugo_warm.push(hugo::build(&repo, &hugo_public));
    }
    // History extraction in this process against git's plumbing over the same
    // first-parent walk and blobs.
    let config = Config::load(&Overrides {
        root: repo.clone(),
        ..Overrides::default()
    })
    .expect("config");
    let content = redline::source::content::load(&config, false).expect("content");
    let (mut history, mut git) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        redline::history::read(&config, &content.documents).expect("history");
        history.push(t.elapsed().as_secs_f64());
        git.push(git_plumbing(&repo).as_secs_f64());
    }

    println!(
        "\nmedian of {runs} (min–max), ratio = redline median / reference median, load average now {}:",
        load_average()
    );
    println!(
        "  {:<34} {:>24} {:>24} {:>8}  target",
        "figure", "redline", "reference", "ratio"
    );
    let seconds = Spread::seconds;
    let hugo_cold_s = seconds(&hugo_cold);
    row(
        "full build, cold (vs Hugo)",
        seconds(&full),
        hugo_cold_s,
        "s",
        3.0,
    );
    row(
        "current pages only (vs Hugo)",
        seconds(&pages),
        hugo_cold_s,
        "s",
        1.0,
    );
    row(
        "rebuild after 1 commit (vs Hugo)",
        seconds(&full_warm),
        seconds(&hugo_warm),
        "s",
        1.0,
    );
    row(
        "  the same, with the cache",
        seconds(&cached_warm),
        seconds(&hugo_warm),
        "s",
        1.0,
    );
    // CPU time (user + system, every thread) as well: a shared machine's
    // other load stretches wall time far more than it does CPU time.
    let cpu = Spread::cpu_seconds;
    row(
        "full build, CPU time (vs Hugo)",
        cpu(&full),
        cpu(&hugo_cold),
        "s",
        3.0,
    );
    row(
        "current pages only, CPU time",
        cpu(&pages),
        cpu(&hugo_cold),
        "s",
        1.0,
    );
    row(
        "rebuild after 1 commit, CPU time",
        cpu(&full_warm),
        cpu(&hugo_warm),
        "s",
        1.0,
    );
    let rss = Spread::rss_mib;
    row(
        "peak RSS, full build (vs Hugo)",
        rss(&full),
        rss(&hugo_cold),
        " MiB",
        1.0,
    );
    row(
        "history (vs git log + cat-file)",
        Spread::of(&history),
        Spread::of(&git),
        "s",
        2.0,
    );
    println!(
        "  (current pages only peaks at {:.0} MiB)",
        rss(&pages).median
    );

    // The last builds above saw the same commits, so their dates must agree
    // unless the two read history differently.
    let hugo_dates = hugo::lastmod(&hugo_public);
    let redline_dates = redline_last_updated(&redline_public.join("versions.json"));
    let differ: Vec<&String> = redline_dates
        .iter()
        .filter(|(source, date)| hugo_dates.get(*source) != Some(*date))
        .map(|(source, _)| source)
        .collect();
    println!(
        "\nlast updated: Hugo's .Lastmod differs from redline's last_updated for {} of {} documents{}",
        differ.len(),
        redline_dates.len(),
        differ
            .first()
            .map(|s| format!(
                " (e.g. {s}: Hugo {}, redline {})",
                hugo_dates.get(*s).map_or("none", String::as_str),
                redline_dates[*s]
            ))
            .unwrap_or_default()
    );
}

/// One line of the table; `unit` follows each median ("s", " MiB").
fn row(name: &str, redline: Spread, reference: Spread, unit: &str, target: f64) {
    let ratio = redline.median / reference.median;
    let cell = |s: Spread| format!("{:.2}{unit} ({:.2}–{:.2})", s.median, s.min, s.max);
    println!(
        "  {name:<34} {:>24} {:>24} {ratio:>7.2}×  ≤ {target}× {}",
        cell(redline),
        cell(reference),
        if ratio <= target { "met" } else { "NOT met" },
    );
}

/// `documents` of 20 KB each over `commits` first-parent commits.
fn twenty_kb_documents(documents: usize, commits: usize) -> synth::Spec {
    synth::Spec {
        documents,
        commits,
        document_bytes: synth::DocumentBytes::Each(20_000),
        seed: 7,
        html_tables: false,
    }
}

/// Appends a paragraph to one document and commits it a day after the tip,
/// as an editor would.
fn commit_one_edit(repo: &Path, run: usize) {
    let files = git_output(repo, &["ls-files", "content"]);
    let files: Vec<&str> = files.lines().filter(|f| f.ends_with(".md")).collect();
    let file = repo.join(files[(run * 7) % files.len()]);
    let mut text = std::fs::read_to_string(&file).expect("read document");
    text.push_str(&format!(
        "\nWe now keep support tickets for {} days.\n",
        30 + run
    ));
    std::fs::write(&file, text).expect("write document");
    let tip: i64 = git_output(repo, &["log", "-1", "--format=%ct"])
        .trim()
        .parse()
        .expect("tip time");
    let date = format!("@{} +0000", tip + 86_400);
    let status = Command::new("git")
        .current_dir(repo)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .args([
            "-c",
            "user.name=Dana Counsel",
            "-c",
            "user.email=dana@example.com",
            "commit",
            "-q",
            "-a",
            "-m",
            "Keep support tickets longer",
        ])
        .status()
        .expect("git commit");
    assert!(status.success(), "git commit failed");
}

/// redline's last-updated day per source path relative to `content/`.
fn redline_last_updated(manifest: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(manifest).expect("versions.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("versions.json is JSON");
    json["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| {
            let source = d["source"].as_str().unwrap_or_default();
            let source = source.strip_prefix("content/").unwrap_or(source);
            let day = d["last_updated"].as_str().unwrap_or("none");
            (source.to_string(), day.to_string())
        })
        .collect()
}

fn git_output(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(repo)
        .args(args)
        .output()
        .expect("git");
    assert!(output.status.success(), "git {args:?} failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
