//! What sanitizing raw HTML costs: the full build (every version's page and
//! redline, in memory) of a synthetic repository whose every section opens
//! with a raw HTML data table, once with `html = "sanitize"` and once with
//! `html = "trust"` (the same HTML published unsanitized), interleaved in
//! the same run. The difference is the sanitizer's share of the build.
//! Target: at most 10 % of the sanitized build's CPU time.
//!
//! `REDLINE_BENCH_COMMITS` (default 500) and `REDLINE_BENCH_RUNS` (default
//! 3) size it.

mod measure;
mod synth;

use std::time::{Duration, Instant};

use measure::{cpu_seconds, median};
use redline::source::config::{Config, Overrides};
use redline::text::markdown::HtmlMode;

/// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let commits = env("REDLINE_BENCH_COMMITS", 500);
    let runs = env("REDLINE_BENCH_RUNS", 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = synth::Spec {
        documents: 50,
        commits,
        document_bytes: synth::DocumentBytes::Each(20_000),
        seed: 7,
        html_tables: true,
    };
    let stats = synth::generate(dir.path(), spec);
    println!("synthetic repository with raw HTML tables: {spec:?}\n  {stats:?}");

    let config = Config::load(&Overrides {
        root: dir.path().to_path_buf(),
        ..Overrides::default()
    })
    .expect("config");
    let mut cpu = [Vec::new(), Vec::new()];
    let mut wall: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let modes = [HtmlMode::Trust, HtmlMode::Sanitize];
    let mut files = 0;
    for _ in 0..runs {
        for (i, mode) in modes.into_iter().enumerate() {
            let mut config = config.clone();
            config.html = mode;
            let started = Instant::now();
            let before = cpu_seconds();
            let site = redline::site::generate(&config).expect("site");
            cpu[i].push(cpu_seconds() - before);
            wall[i].push(started.elapsed());
            files = site.files.len();
        }
    }
    let cpu_median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let trust_cpu = cpu_median(&mut cpu[0]);
    let sanitize_cpu = cpu_median(&mut cpu[1]);
    let trust_wall = median(&mut wall[0]).as_secs_f64();
    let sanitize_wall = median(&mut wall[1]).as_secs_f64();
    println!("full build in memory ({files} files), median of {runs}:");
    println!("  html = \"trust\"     {trust_wall:>7.3}s wall  {trust_cpu:>7.2}s CPU");
    println!("  html = \"sanitize\"  {sanitize_wall:>7.3}s wall  {sanitize_cpu:>7.2}s CPU");
    println!(
        "  sanitizing's share of the build  {:>5.1} % CPU, {:>5.1} % wall  (target ≤ 10 %)",
        100.0 * (sanitize_cpu - trust_cpu) / sanitize_cpu,
        100.0 * (sanitize_wall - trust_wall) / sanitize_wall,
    );
}
