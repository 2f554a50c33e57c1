//! redline and Hugo side by side on the same synthetic policy repository.
//! Both are measured in the same run, interleaved, so every figure is a ratio
//! that a noisy machine disturbs less than the seconds themselves: the full
//! build (cold), current pages only, a rebuild after one new commit, peak
//! memory, and history extraction against git's own plumbing. It ends with a
//! cheap check of why redline exists: for how many documents Hugo's
//! `.Lastmod` differs from redline's `last_updated`.
//!
//! `REDLINE_BENCH_SIZE=small|large` picks 50 documents / 500 commits (the
//! default) or 100 / 5,000; `REDLINE_BENCH_RUNS` the repetitions (default 3).
//! Hugo comes from Debian's packages and is installed when missing.

mod measure;
mod synth;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use measure::{Run, Spread, git_plumbing, run_measured};
use redline::source::config::{Config, Overrides};

/// The binary's allocator, so the in-process history figure is the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Built by cargo with the bench profile (release settings) before this runs.
const REDLINE: &str = env!("CARGO_BIN_EXE_redline");

#[derive(Debug, Clone, Copy)]
struct Size {
    name: &'static str,
    documents: usize,
    commits: usize,
}

const SMALL: Size = Size {
    name: "small",
    documents: 50,
    commits: 500,
};
const LARGE: Size = Size {
    name: "large",
    documents: 100,
    commits: 5_000,
};

fn main() {
    let size = match std::env::var("REDLINE_BENCH_SIZE").as_deref() {
        Ok("large") => LARGE,
        Ok("small") | Err(_) => SMALL,
        Ok(other) => panic!("REDLINE_BENCH_SIZE is small or large, not {other:?}"),
    };
    let runs: usize = std::env::var("REDLINE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    ensure_installed("hugo", &["version"], "hugo");
    ensure_installed("/usr/bin/time", &["--version"], "time");

    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    let hugo_public = dir.path().join("hugo-public");
    let spec = synth::Spec {
        documents: size.documents,
        commits: size.commits,
        document_bytes: 20_000,
        seed: 7,
        html_tables: false,
    };
    let started = Instant::now();
    let stats = synth::generate(&repo, spec);
    write_hugo_site(&repo, &hugo_public);
    println!(
        "{} repository: {spec:?}\n  {stats:?}\n  generated in {:.1}s",
        size.name,
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {}, {}, {} cores, load average {}",
        first_line("hugo", &["version"]),
        first_line(REDLINE, &["--version"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

    let redline = Path::new(REDLINE);
    let hugo = Path::new("hugo");
    let full_args = ["-q", "build", "--root", "."];
    let pages_args = ["-q", "build", "--root", ".", "--no-archive"];
    let uncached_args = ["-q", "build", "--root", ".", "--no-cache"];
    let cached = ["-q", "build", "--root", ".", "--output", "public-cached"];
    let hugo_args = ["--quiet"];

    // Cold: a fresh process and empty output folders each time, the three
    // builds interleaved so a burst of load elsewhere hits them alike.
    let (mut full, mut pages, mut hugo_cold) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        remove(&repo.join("public"));
        remove(&repo.join(".redline"));
        pages.push(run_measured(&repo, redline, &pages_args));
        remove(&repo.join("public"));
        remove(&repo.join(".redline"));
        full.push(run_measured(&repo, redline, &full_args));
        remove(&hugo_public);
        remove(&repo.join("resources"));
        hugo_cold.push(run_measured(&repo, hugo, &hugo_args));
    }

    // Warm: outputs in place, one new commit to one document, then a
    // rebuild by each: redline without its cache, and with it (its own
    // output folder, whose cache and files are one commit behind); Hugo
    // keeps no cache between runs outside its server.
    run_measured(&repo, redline, &cached);
    let (mut full_warm, mut cached_warm, mut hugo_warm) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        commit_one_edit(&repo, run);
        full_warm.push(run_measured(&repo, redline, &uncached_args));
        cached_warm.push(run_measured(&repo, redline, &cached));
        hugo_warm.push(run_measured(&repo, hugo, &hugo_args));
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
    let seconds = |runs: &[Run]| Spread::of(&runs.iter().map(|r| r.seconds).collect::<Vec<_>>());
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
        0.5,
    );
    row(
        "  the same, with the cache",
        seconds(&cached_warm),
        seconds(&hugo_warm),
        "s",
        1.0,
    );
    let rss = |runs: &[Run]| {
        Spread::of(
            &runs
                .iter()
                .map(|r| r.peak_rss_kib as f64 / 1024.0)
                .collect::<Vec<_>>(),
        )
    };
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
    let hugo_dates = hugo_lastmod(&hugo_public.join("index.html"));
    let redline_dates = redline_last_updated(&repo.join("public/versions.json"));
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

/// Installs a Debian package when `program` does not answer.
fn ensure_installed(program: &str, args: &[&str], package: &str) {
    let answers = |p: &str| {
        Command::new(p)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if answers(program) {
        return;
    }
    println!("{program} is missing: apt-get install -y {package}");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", package])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        // A fresh machine may have no package lists yet.
        let _ = Command::new("apt-get").args(["update", "-q"]).status();
        assert!(
            install(),
            "could not install {package}; install it and run again"
        );
    }
    assert!(answers(program), "{program} still does not run");
}

/// A minimal Hugo site over the repository's own `content/`: pages with the
/// title, navigation, `.Lastmod` and the content, a home page listing every
/// page, and nothing redline does not also build (no taxonomies, no RSS).
/// Hugo must run inside the repository for `enableGitInfo` to find it.
fn write_hugo_site(repo: &Path, publish: &Path) {
    let config = format!(
        r#"baseURL = "https://example.com/"
title = "Legal"
enableGitInfo = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
publishDir = "{}"
"#,
        publish.display()
    );
    let nav = r#"<nav>{{ range .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>"#;
    let single = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{{{ .Title }}}}</title></head><body>
{nav}
<h1>{{{{ .Title }}}}</h1>
<p>Last updated <time datetime="{{{{ .Lastmod.UTC.Format "2006-01-02" }}}}">{{{{ .Lastmod.Format "January 2, 2006" }}}}</time></p>
{{{{ .Content }}}}
</body></html>
"#
    );
    let list = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{{{ .Title }}}}</title></head><body>
{nav}
<ul>{{{{ range .Pages }}}}<li><a href="{{{{ .RelPermalink }}}}">{{{{ .Title }}}}</a> {{{{ .Lastmod.Format "January 2, 2006" }}}}</li>{{{{ end }}}}</ul>
</body></html>
"#
    );
    // One `lastmod <path> <day>` line per page, for the date check.
    let index = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head><body>
<pre>
{{ range .Site.RegularPages }}lastmod {{ .File.Path }} {{ .Lastmod.UTC.Format "2006-01-02" }}
{{ end }}</pre>
</body></html>
"#;
    let layouts = repo.join("layouts/_default");
    std::fs::create_dir_all(&layouts).expect("layouts dir");
    std::fs::write(repo.join("config.toml"), config).expect("hugo config");
    std::fs::write(layouts.join("single.html"), single).expect("single.html");
    std::fs::write(layouts.join("list.html"), list).expect("list.html");
    std::fs::write(repo.join("layouts/index.html"), index).expect("index.html");
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

/// Hugo's last-modified day per source path relative to `content/`.
fn hugo_lastmod(index: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(index).expect("Hugo's index.html");
    text.lines()
        .filter_map(|l| l.strip_prefix("lastmod "))
        .filter_map(|l| l.split_once(' '))
        .map(|(path, day)| (path.to_string(), day.to_string()))
        .collect()
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

fn remove(path: &PathBuf) {
    if path.exists() {
        std::fs::remove_dir_all(path).expect("remove output folder");
    }
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

fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
