//! `redline check` on the large synthetic repository (100 documents of
//! 20 KB, 5,000 first-parent commits) against the history read alone
//! (`content::load` + `history::read`, what `redline log` reads), in the
//! same run, interleaved, median of 3. Target: check ≤ history + 10 %.
//! Also `check` as of a day when no change is announced any more, which
//! leaves out classifying the changes of the last `notice_days` (the
//! synthetic repository makes about seven a day).

mod measure;
mod synth;

use std::time::{Duration, Instant};

use measure::median;
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

    let mut later = config.clone();
    later.today = config
        .today
        .checked_add(jiff::Span::new().years(1))
        .expect("a day");
    let runs = 3;
    let mut history_times: Vec<Duration> = Vec::new();
    let mut check_times: Vec<Duration> = Vec::new();
    let mut later_times: Vec<Duration> = Vec::new();
    let mut findings = std::collections::BTreeMap::new();
    for _ in 0..runs {
        let t = Instant::now();
        let content = redline::source::content::load(&config, false).expect("content");
        let history = redline::history::read(&config, &content.documents).expect("history");
        history_times.push(t.elapsed());
        drop((content, history));

        let t = Instant::now();
        let report = redline::check::check(&config, &redline::check::CheckOptions::default())
            .expect("check");
        check_times.push(t.elapsed());
        findings.clear();
        for finding in &report.findings {
            *findings.entry(finding.lint.id()).or_insert(0) += 1;
        }

        let t = Instant::now();
        redline::check::check(&later, &redline::check::CheckOptions::default()).expect("check");
        later_times.push(t.elapsed());
    }
    let history = median(&mut history_times).as_secs_f64();
    let check = median(&mut check_times).as_secs_f64();
    let later = median(&mut later_times).as_secs_f64();
    println!("median of {runs}, same run:");
    println!("  content + history read  {history:>8.3}s");
    println!("  redline check           {check:>8.3}s  (findings: {findings:?})");
    println!(
        "  check / history         {:>8.2}x  (+{:.1} %; target ≤ +10 %)",
        check / history,
        (check / history - 1.0) * 100.0
    );
    println!("  check, a year later     {later:>8.3}s  (no change announced any more)");
    println!(
        "  that / history          {:>8.2}x  (+{:.1} %)",
        later / history,
        (later / history - 1.0) * 100.0
    );
}
