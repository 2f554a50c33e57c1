//! How a full build grows with history: the same 64 policy documents of
//! 5–300 KB at 1×, 2×, 4× and 8× the commits, each built by redline and by
//! Hugo in the same run. Time should grow linearly with the history (the
//! same cost per added commit at every step) and peak memory stay flat
//! (within 1.5× from 1× to 8×), since memory should be bounded by the
//! largest document, not by the length of history. Beside wall time it
//! prints CPU time (user + system), which a busy shared machine disturbs far
//! less, and judges linearity on both.
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
            // A fresh cache folder too: a cold build, as a first build is.
            let cache = dir.path().join(format!("out/cache-{}-{run}", size.commits));
            let cache = cache.display().to_string();
            size.redline.push(redline_build(
                &size.repo,
                redline,
                &out,
                &["--cache", &cache],
            ));
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
        "  {:>7} {:>8} {:>9} {:>7} {:>7} {:>9} {:>7} {:>11} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "commits",
        "versions",
        "redline s",
        "Hugo s",
        "ratio",
        "redline",
        "Hugo",
        "redline MiB",
        "Hugo MiB",
        "time",
        "RSS",
        "s per 1k",
        "CPU s per"
    );
    println!(
        "  {:>7} {:>8} {:>9} {:>7} {:>7} {:>9} {:>7} {:>11} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "", "", "", "", "", "CPU s", "CPU s", "", "", "vs 1×", "vs 1×", "added", "1k added"
    );
    let median = |spread: fn(&[Run]) -> Spread, runs: &[Run]| spread(runs).median;
    let (first_s, first_mib) = (
        median(Spread::seconds, &sizes[0].redline),
        median(Spread::rss_mib, &sizes[0].redline),
    );
    // The cost of the commits added since the size before: constant when the
    // build is linear in history, whatever its fixed cost.
    let (mut wall_steps, mut cpu_steps) = (Vec::new(), Vec::new());
    for (i, size) in sizes.iter().enumerate() {
        let s = median(Spread::seconds, &size.redline);
        let cpu = median(Spread::cpu_seconds, &size.redline);
        let hugo_s = median(Spread::seconds, &size.hugo);
        let mib = median(Spread::rss_mib, &size.redline);
        let step = |spread: fn(&[Run]) -> Spread| {
            let before = &sizes[i.checked_sub(1)?];
            let added = (size.commits - before.commits) as f64 / 1_000.0;
            Some((median(spread, &size.redline) - median(spread, &before.redline)) / added)
        };
        let (wall_step, cpu_step) = (step(Spread::seconds), step(Spread::cpu_seconds));
        wall_steps.extend(wall_step);
        cpu_steps.extend(cpu_step);
        let cell = |step: Option<f64>| step.map_or("—".to_string(), |p| format!("{p:.2}"));
        println!(
            "  {:>7} {:>8} {:>9.2} {:>7.2} {:>6.1}× {:>9.2} {:>7.2} {:>11.0} {:>8.0} {:>8.2}× {:>8.2}× {:>9} {:>9}",
            size.commits,
            size.versions,
            s,
            hugo_s,
            s / hugo_s,
            cpu,
            median(Spread::cpu_seconds, &size.hugo),
            mib,
            median(Spread::rss_mib, &size.hugo),
            s / first_s,
            mib / first_mib,
            cell(wall_step),
            cell(cpu_step),
        );
    }

    let last = &sizes[sizes.len() - 1];
    let rss_growth = median(Spread::rss_mib, &last.redline) / first_mib;
    println!(
        "\npeak RSS 8× / 1×: {rss_growth:.2}× (target ≤ 1.5×: {})",
        verdict(rss_growth <= 1.5)
    );
    // Linear: the last doubling costs as much per added commit as the first,
    // within the noise a shared machine allows.
    for (what, steps) in [("wall", &wall_steps), ("CPU", &cpu_steps)] {
        if let (Some(first_step), Some(last_step)) = (steps.first(), steps.last()) {
            let bend = last_step / first_step;
            println!(
                "{what} time per added commit, last step / first step: {bend:.2}× (linear ≈ 1×, target ≤ 1.5×: {})",
                verdict(bend <= 1.5)
            );
        }
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
