//! How a full build grows with history: the same 64 policy documents of
//! 5–300 KB at 1×, 2×, 4× and 8× the commits, each built by redline and by
//! Hugo in the same run. Time should grow linearly with the history (the
//! same cost per added commit at every step) and peak memory stay flat
//! (within 1.5× from 1× to 8×), since memory should be bounded by the
//! largest document, not by the length of history.
//!
//! `REDLINE_SCALING_BASE=<commits>` sets the 1× history (default 125, so 8×
//! is the 1,000-commit policy repository); `REDLINE_BENCH_RUNS` the
//! repetitions (default 3). The four histories share their documents and
//! each is a prefix of the next. Runs are interleaved over the sizes so a
//! burst of load elsewhere hits them alike. Every build writes into a fresh
//! folder on the temp dir's disk (this machine's disk slows file creation
//! right after mass deletions); the folders go at the end.

mod hugo;
mod measure;
mod synth;

use std::path::{Path, PathBuf};
use std::time::Instant;

use measure::{Run, Spread, load_average, redline_build};

/// Built by cargo with the bench profile (release settings) before this runs.
const REDLINE: &str = env!("CARGO_BIN_EXE_redline");

const FACTORS: [usize; 4] = [1, 2, 4, 8];

/// One history length and its builds.
struct Size {
    commits: usize,
    repo: PathBuf,
    versions: usize,
    redline: Vec<Run>,
    hugo: Vec<Run>,
}

fn main() {
    let base: usize =
        match std::env::var("REDLINE_SCALING_BASE") {
            Ok(v) => v.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| {
                panic!("REDLINE_SCALING_BASE is a number of commits, not {v:?}")
            }),
            Err(_) => 125,
        };
    let runs = measure::runs_from_env();
    hugo::ensure_installed();

    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let mut sizes: Vec<Size> = FACTORS
        .iter()
        .map(|factor| {
            let commits = base * factor;
            let repo = dir.path().join(format!("repo-{commits}"));
            let stats = synth::generate(&repo, synth::Spec::policy(commits));
            hugo::write_site(&repo);
            println!("{commits} commits: {stats:?}");
            Size {
                commits,
                repo,
                versions: 0,
                redline: Vec::new(),
                hugo: Vec::new(),
            }
        })
        .collect();
    println!(
        "repositories: {:?}, generated in {:.1}s",
        synth::Spec::policy(base),
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
    for run in 0..runs {
        for size in &mut sizes {
            let out = dir
                .path()
                .join(format!("out/redline-{}-{run}", size.commits));
            size.redline
                .push(redline_build(&size.repo, redline, &out, &[]));
            size.versions = versions_in(&out.join("versions.json"));
            let out = dir.path().join(format!("out/hugo-{}-{run}", size.commits));
            size.hugo.push(hugo::build(&size.repo, &out));
        }
    }

    println!(
        "\nfull build, median of {runs}, fresh output folders on disk, load average now {}:",
        load_average()
    );
    println!(
        "  {:>7} {:>8} {:>9} {:>7} {:>8} {:>11} {:>8} {:>12} {:>12} {:>15}",
        "commits",
        "versions",
        "redline s",
        "Hugo s",
        "ratio",
        "redline MiB",
        "Hugo MiB",
        "time vs 1×",
        "RSS vs 1×",
        "s per 1k added"
    );
    let first = &sizes[0];
    let (first_s, first_mib) = (
        Spread::seconds(&first.redline).median,
        Spread::rss_mib(&first.redline).median,
    );
    let mut marginal = Vec::new();
    let mut previous: Option<(usize, f64)> = None;
    for size in &sizes {
        let (s, hugo_s) = (
            Spread::seconds(&size.redline).median,
            Spread::seconds(&size.hugo).median,
        );
        let (mib, hugo_mib) = (
            Spread::rss_mib(&size.redline).median,
            Spread::rss_mib(&size.hugo).median,
        );
        // The cost of the commits added since the size before: constant
        // when the build is linear in history, whatever its fixed cost.
        let per_thousand = previous
            .map(|(commits, seconds)| (s - seconds) / (size.commits - commits) as f64 * 1_000.0);
        marginal.extend(per_thousand);
        previous = Some((size.commits, s));
        println!(
            "  {:>7} {:>8} {:>9.2} {:>7.2} {:>7.1}× {:>11.0} {:>8.0} {:>11.2}× {:>11.2}× {:>15}",
            size.commits,
            size.versions,
            s,
            hugo_s,
            s / hugo_s,
            mib,
            hugo_mib,
            s / first_s,
            mib / first_mib,
            per_thousand.map_or("—".to_string(), |p| format!("{p:.2}")),
        );
    }

    let last = &sizes[sizes.len() - 1];
    let rss_growth = Spread::rss_mib(&last.redline).median / first_mib;
    println!(
        "\npeak RSS 8× / 1×: {rss_growth:.2}× (target ≤ 1.5×: {})",
        verdict(rss_growth <= 1.5)
    );
    // Linear: the last doubling's cost per added commit is the first's,
    // within the noise a shared machine allows.
    if let (Some(first_step), Some(last_step)) = (marginal.first(), marginal.last()) {
        let bend = last_step / first_step;
        println!(
            "time per added commit, last step / first step: {bend:.2}× (linear ≈ 1×, target ≤ 1.5×: {})",
            verdict(bend <= 1.5)
        );
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// The versions redline published, from its `versions.json`.
fn versions_in(manifest: &Path) -> usize {
    let text = std::fs::read_to_string(manifest).expect("versions.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("versions.json is JSON");
    json["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["versions"].as_array().map_or(0, Vec::len))
        .sum()
}
