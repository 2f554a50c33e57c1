//! Rendering throughput: a generated site of 1,000 documents of ~30 KB, built
//! by redline (in parallel) against comrak's own single-thread throughput on
//! the same Markdown, measured in the same run. Target: ≥ 1.5× on 2 cores.
//!
//! The site is written where `TMPDIR` points: `TMPDIR=/dev/shm` measures
//! the build without the disk.

mod measure;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use measure::cpu_seconds;
use rayon::prelude::*;
use redline::source::config::{Config, Overrides};
use redline::text::markdown::{self, MarkdownOptions};

/// The binary's allocator, so the figures are the binary's; the comrak
/// reference runs with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default site size; `REDLINE_BENCH_DOCS` overrides it. For profiling,
/// `REDLINE_BENCH_PROFILE=1` runs only the written build, ten times.
const DOCUMENTS: usize = 1_000;
const DOCUMENT_BYTES: usize = 30_000;

fn main() {
    let documents: usize = std::env::var("REDLINE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DOCUMENTS);
    let dir = tempfile::tempdir().expect("temp dir");
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).expect("content dir");
    let mut texts = Vec::new();
    for i in 0..documents {
        let text = document(i);
        std::fs::write(content.join(format!("policy-{i:04}.md")), &text).expect("write");
        texts.push(text);
    }
    let megabytes = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let config = Config::load(&Overrides {
        root: dir.path().to_path_buf(),
        ..Overrides::default()
    })
    .expect("config");

    if std::env::var_os("REDLINE_BENCH_PROFILE").is_some() {
        // The written build alone, over and over: for `perf record`.
        for _ in 0..10 {
            redline::site::build(&config).expect("build");
        }
        return;
    }

    let runs = 5;
    let options = comrak_reference_options();
    let mut comrak_times = Vec::new();
    let mut parallel_comrak_times = Vec::new();
    let mut markdown_times = Vec::new();
    let mut build_times = Vec::new();
    // CPU seconds of the whole process: the work done, whatever the
    // machine's other tenants do to the wall clock.
    let mut comrak_cpu = Vec::new();
    let mut build_cpu = Vec::new();
    // Cold builds first, each into a folder of its own, and nothing deleted
    // until the end: as in CI, no previous site and no thousands of files
    // just deleted (a file system without a journal, like this VM's ext4,
    // slows down creating files while many were deleted a minute ago).
    let mut outputs = Vec::new();
    for run in 0..runs {
        let t = Instant::now();
        let cpu = cpu_seconds();
        let mut bytes = 0;
        for text in &texts {
            bytes += comrak::markdown_to_html(text, &options).len();
        }
        comrak_times.push(t.elapsed());
        comrak_cpu.push(cpu_seconds() - cpu);
        assert!(bytes > 0);
        let t = Instant::now();
        let parallel_bytes: usize = texts
            .par_iter()
            .map(|text| comrak::markdown_to_html(text, &options).len())
            .sum();
        parallel_comrak_times.push(t.elapsed());
        assert_eq!(parallel_bytes, bytes);
        let t = Instant::now();
        let mut html = 0;
        for text in &texts {
            html += markdown::render(text, MarkdownOptions::default())
                .html
                .len();
        }
        markdown_times.push(t.elapsed());
        assert!(html > 0);
        let mut cold = config.clone();
        cold.output_dir = dir.path().join(format!("public-{run}"));
        let t = Instant::now();
        let cpu = cpu_seconds();
        redline::site::build(&cold).expect("build");
        build_times.push(t.elapsed());
        build_cpu.push(cpu_seconds() - cpu);
        outputs.push(cold);
    }
    // Still before anything is deleted.
    let floor = file_system_floor(dir.path(), &outputs[0].output_dir);
    let mut rebuild_times = Vec::new();
    let mut generate_times = Vec::new();
    let mut file_count = 0;
    for cold in &outputs {
        let t = Instant::now();
        redline::site::build(cold).expect("rebuild");
        rebuild_times.push(t.elapsed());
        let t = Instant::now();
        let generated = redline::site::generate(cold).expect("generate");
        generate_times.push(t.elapsed());
        assert_eq!(generated.documents, documents);
        file_count = generated.files.len();
    }
    let rate = |times: &mut Vec<Duration>| megabytes / median(times).as_secs_f64();
    let comrak = rate(&mut comrak_times);
    let parallel_comrak = rate(&mut parallel_comrak_times);
    let markdown = rate(&mut markdown_times);
    let build = rate(&mut build_times);
    let rebuild = rate(&mut rebuild_times);
    let generate = rate(&mut generate_times);
    let cores = rayon::current_num_threads();
    println!("{documents} documents, {megabytes:.1} MB of Markdown, median of {runs} runs");
    println!("  comrak markdown_to_html, one thread   {comrak:>8.1} MB/s  (the reference)");
    println!(
        "  comrak on {cores} threads                  {parallel_comrak:>8.1} MB/s  ({:.2}x: the ceiling for any build)",
        parallel_comrak / comrak
    );
    println!(
        "  redline Markdown only, one thread     {markdown:>8.1} MB/s  ({:.2}x: heading ids, safe links, normalising)",
        markdown / comrak
    );
    println!("  redline build (whole site, written)   {build:>8.1} MB/s");
    println!("  redline rebuild over the last site    {rebuild:>8.1} MB/s");
    println!("  redline generate (in memory, no IO)   {generate:>8.1} MB/s");
    println!(
        "  file system alone: {file_count} empty files in their folders, one thread: {:.2} s",
        floor.as_secs_f64()
    );
    let work = build_cpu.iter().sum::<f64>() / comrak_cpu.iter().sum::<f64>();
    if work.is_finite() {
        println!(
            "  CPU time, whole build / comrak        {work:>8.2}x  (the work; ≤ {:.2}x reaches 1.5x at this ceiling)",
            parallel_comrak / comrak / 1.5
        );
    }
    println!(
        "  ratio, whole build / comrak           {:>8.2}x  (target ≥ 1.5x)",
        build / comrak
    );
    println!(
        "  ratio, rebuild / comrak               {:>8.2}x",
        rebuild / comrak
    );
    println!(
        "  ratio, in memory / comrak             {:>8.2}x",
        generate / comrak
    );
}

/// The file system's own cost for the site's shape: every file of a built
/// site created empty in its folder, one thread. On a slow disk this, not
/// rendering, bounds the written build.
fn file_system_floor(dir: &Path, site: &Path) -> Duration {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|entry| entry.expect("walk the built site"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            entry
                .path()
                .strip_prefix(site)
                .expect("inside")
                .to_path_buf()
        })
        .collect();
    let floor = dir.join("floor");
    let t = Instant::now();
    for path in &files {
        let target = floor.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("floor folder");
        }
        std::fs::write(&target, b"").expect("floor file");
    }
    t.elapsed()
}

fn comrak_reference_options() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o
}

/// A policy-like document: headings, paragraphs, nested lists, a table.
fn document(seed: usize) -> String {
    let mut text = format!("---\ntitle: Policy {seed}\n---\n\n");
    let mut section = 0;
    while text.len() < DOCUMENT_BYTES {
        section += 1;
        text.push_str(&format!("## Section {section} of policy {seed}\n\n"));
        text.push_str(&format!(
            "We process **personal data** about you when you use the service{seed}. \
             This includes prompts, uploads and generated videos, kept for {section} days. \
             See [our contact page](https://example.com/contact) or write to privacy@example.com.\n\n"
        ));
        text.push_str(
            "- Account data\n  - name and e-mail address\n  - billing country\n- Usage data\n\n",
        );
        text.push_str("| Type | What | Why |\n|---|---|---|\n| Prompts | text you type | to make videos |\n| Uploads | images | reference |\n\n");
    }
    text
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
