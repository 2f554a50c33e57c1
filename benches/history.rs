//! History extraction on a synthetic repository (100 documents of 20 KB,
//! 5,000 first-parent commits with merges, renames and front-matter churn)
//! against git's own plumbing over the same work, measured in the same run:
//! `git log --first-parent --raw -M` plus `git cat-file --batch` of the
//! changed blobs. Prints the times, the ratio and peak memory, then the time
//! of the full build of the same repository (every version and redline),
//! and the share of it the editorial/material classifier takes (with the
//! dictionary, loaded in the timed part). Target: ≤ 5 %.

mod measure;
mod synth;

use std::time::{Duration, Instant};

use measure::{git_plumbing, median, peak_rss_kib};
use redline::source::config::{Config, Overrides};

/// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let commits: usize = std::env::var("REDLINE_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = synth::Spec {
        documents: 100,
        commits,
        document_bytes: synth::DocumentBytes::Each(20_000),
        seed: 7,
        html_tables: false,
    };
    let started = Instant::now();
    let stats = synth::generate(dir.path(), spec);
    println!(
        "synthetic repository: {spec:?}\n  {stats:?}\n  generated in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let config = Config::load(&Overrides {
        root: dir.path().to_path_buf(),
        ..Overrides::default()
    })
    .expect("config");
    let content = redline::source::content::load(&config, false).expect("content");

    let runs = 3;
    let mut redline_times = Vec::new();
    let mut git_times = Vec::new();
    let mut versions = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let history = redline::history::read(&config, &content.documents).expect("history");
        redline_times.push(t.elapsed());
        versions = history.docs.iter().map(|d| d.versions.len()).sum();
        git_times.push(git_plumbing(dir.path()));
    }
    let redline_median = median(&mut redline_times);
    let git_median = median(&mut git_times);
    println!("history extraction, median of {runs}:");
    println!(
        "  redline history::read      {:>8.3}s  ({versions} versions)",
        redline_median.as_secs_f64()
    );
    println!(
        "  git log + cat-file --batch {:>8.3}s",
        git_median.as_secs_f64()
    );
    println!(
        "  ratio redline / git        {:>8.2}x  (target ≤ 2x)",
        redline_median.as_secs_f64() / git_median.as_secs_f64()
    );
    println!("  peak RSS of this process   {:>8} KiB", peak_rss_kib());

    // Every version's blocks, read before the clock starts; then the rule on
    // each step from one version to the next, as a build runs it. First in
    // the process, so the dictionary's one-time load is counted.
    let history = redline::history::read(&config, &content.documents).expect("history");
    let repo = git2::Repository::open(dir.path()).expect("repository");
    let options = redline::text::markdown::MarkdownOptions::default();
    let texts: Vec<Vec<Vec<redline::diff::Block>>> = history
        .docs
        .iter()
        .map(|doc| {
            doc.versions
                .iter()
                .map(|v| {
                    let oid = git2::Oid::from_str(&v.blob).expect("blob id");
                    let blob = repo.find_blob(oid).expect("blob");
                    redline::site::archive::version_text(blob.content(), "policy", options).blocks
                })
                .collect()
        })
        .collect();
    let t = Instant::now();
    let typo = |text: &str| redline::diff::blocks("", text, options);
    let first = redline::diff::classify(&typo("We recieve it."), &typo("We receive it."));
    assert!(first.editorial, "{}", first.reason);
    let dictionary = t.elapsed();
    let t = Instant::now();
    let mut steps = 0;
    let mut editorial = 0;
    for versions in &texts {
        for pair in versions.windows(2) {
            steps += 1;
            editorial += usize::from(redline::diff::classify(&pair[1], &pair[0]).editorial);
        }
    }
    let classification = t.elapsed() + dictionary;
    if std::env::var_os("REDLINE_BENCH_PROFILE_CLASSIFY").is_some() {
        // The classifier alone, over and over: for `perf record`.
        let t = Instant::now();
        for _ in 0..20 {
            for versions in &texts {
                for pair in versions.windows(2) {
                    std::hint::black_box(redline::diff::classify(&pair[1], &pair[0]));
                }
            }
        }
        println!(
            "  20 more passes: {:.3}s each",
            t.elapsed().as_secs_f64() / 20.0
        );
        return;
    }

    // The whole site in memory: current pages, every version's page, every
    // redline, the feeds and versions.json.
    let t = Instant::now();
    let site = redline::site::generate(&config).expect("site");
    let full = t.elapsed();
    println!("full build (site::generate, in memory):");
    println!(
        "  {:>8.3}s  {} documents, {versions} versions, {} files",
        full.as_secs_f64(),
        site.documents,
        site.files.len()
    );
    println!("  peak RSS of this process   {:>8} KiB", peak_rss_kib());
    println!(
        "classification (editorial rule, one thread; loading the dictionary took {:.3}s of it):",
        dictionary.as_secs_f64()
    );
    println!(
        "  {:>8.3}s  {steps} changes, {editorial} editorial; {:.1} % of the full build (target ≤ 5 %)",
        classification.as_secs_f64(),
        share(classification, full)
    );
}

fn share(part: Duration, whole: Duration) -> f64 {
    100.0 * part.as_secs_f64() / whole.as_secs_f64()
}
