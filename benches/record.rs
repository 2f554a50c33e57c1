//! The record's cost: the full build of the synthetic repository by this
//! redline against a baseline binary (the build before a change, e.g. the
//! main branch), interleaved in one run so a burst of load elsewhere hits
//! both alike. Issue 13's budget: the cumulative and "what changed since"
//! redlines may not push the large full build past 1.5× the baseline.
//!
//! ```sh
//! git archive BASE | tar -x -C /tmp/base && (cd /tmp/base && cargo build --release)
//! REDLINE_BASELINE=/tmp/base/target/release/redline REDLINE_BENCH_SIZE=large \
//!     cargo bench --bench record
//! ```
//!
//! `REDLINE_BENCH_REPO=DIR` generates the repository into DIR and keeps it
//! (to profile a build of it).
//!
//! Each build writes into a fresh output folder (this machine's disk slows
//! file creation right after mass deletions); the folders go at the end.

mod measure;
mod synth;

use std::path::{Path, PathBuf};
use std::time::Instant;

use measure::{Spread, load_average, redline_build};

/// Built by cargo with the bench profile (release settings) before this runs.
const REDLINE: &str = env!("CARGO_BIN_EXE_redline");

fn main() {
    let Some(baseline) = std::env::var_os("REDLINE_BASELINE").map(PathBuf::from) else {
        println!(
            "set REDLINE_BASELINE to a redline binary built from the base commit (see benches/record.rs)"
        );
        return;
    };
    assert!(
        baseline.is_file(),
        "REDLINE_BASELINE={} is not a file",
        baseline.display()
    );
    let (documents, commits) = match std::env::var("REDLINE_BENCH_SIZE").as_deref() {
        Ok("large") => (100, 5_000),
        Ok("small") | Err(_) => (50, 500),
        Ok(other) => panic!("REDLINE_BENCH_SIZE is small or large, not {other:?}"),
    };
    let runs = measure::runs_from_env();

    let dir = tempfile::tempdir().expect("temp dir");
    // REDLINE_BENCH_REPO=DIR keeps the repository there for profiling.
    let repo = std::env::var_os("REDLINE_BENCH_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("repo"));
    let spec = synth::Spec {
        documents,
        commits,
        document_bytes: synth::DocumentBytes::Each(20_000),
        seed: 7,
        html_tables: false,
    };
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&repo);
    let stats = synth::generate(&repo, spec);
    println!(
        "repository: {spec:?}\n  {stats:?}\n  generated in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let current = Path::new(REDLINE);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let (mut files_before, mut files_after) = (0, 0);
    for run in 0..runs {
        let out = dir.path().join(format!("before-{run}"));
        before.push(redline_build(&repo, &baseline, &out, &[]));
        files_before = count_files(&out);
        let out = dir.path().join(format!("after-{run}"));
        after.push(redline_build(&repo, current, &out, &[]));
        files_after = count_files(&out);
    }
    let (seconds, rss) = (Spread::seconds, Spread::rss_mib);
    let (b, a) = (seconds(&before), seconds(&after));
    println!(
        "\nfull build, median of {runs} (min–max), load average now {}:",
        load_average()
    );
    println!(
        "  before: {:.2}s ({:.2}–{:.2}), {files_before} files, {:.0} MiB peak",
        b.median,
        b.min,
        b.max,
        rss(&before).median
    );
    println!(
        "  after:  {:.2}s ({:.2}–{:.2}), {files_after} files, {:.0} MiB peak",
        a.median,
        a.min,
        a.max,
        rss(&after).median
    );
    let ratio = a.median / b.median;
    println!(
        "  ratio after / before: {ratio:.2}× (budget ≤ 1.5×: {})",
        if ratio <= 1.5 { "met" } else { "NOT met" }
    );
}

fn count_files(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count()
}
