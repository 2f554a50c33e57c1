//! Rendering throughput: a generated site of 1,000 documents of ~30 KB, built
//! by redline (in parallel) against comrak's own single-thread throughput on
//! the same Markdown, measured in the same run. Target: ≥ 1.5× on 2 cores.

use std::path::Path;
use std::time::{Duration, Instant};

use redline::config::{Config, Overrides};
use redline::output::OutputSet;

/// The binary's allocator, so the figures are the binary's; the comrak
/// reference runs with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default site size; `REDLINE_BENCH_DOCS` overrides it (for profiling).
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

    let runs = 5;
    let mut comrak_times = Vec::new();
    let mut build_times = Vec::new();
    let mut rebuild_times = Vec::new();
    let mut generate_times = Vec::new();
    let mut floor_times = Vec::new();
    let mut file_count = 0;
    let options = comrak_reference_options();
    for _ in 0..runs {
        let t = Instant::now();
        let mut bytes = 0;
        for text in &texts {
            bytes += comrak::markdown_to_html(text, &options).len();
        }
        comrak_times.push(t.elapsed());
        assert!(bytes > 0);
        // Cold, as in CI: no previous site to move aside and delete.
        let _ = std::fs::remove_dir_all(&config.output_dir);
        let t = Instant::now();
        redline::site::build(&config).expect("build");
        build_times.push(t.elapsed());
        let t = Instant::now();
        redline::site::build(&config).expect("rebuild");
        rebuild_times.push(t.elapsed());
        let t = Instant::now();
        let generated = redline::site::generate(&config).expect("generate");
        generate_times.push(t.elapsed());
        assert_eq!(generated.documents, documents);
        floor_times.push(file_system_floor(dir.path(), &generated.files));
        file_count = generated.files.len();
    }
    let comrak = megabytes / median(&mut comrak_times).as_secs_f64();
    let build = megabytes / median(&mut build_times).as_secs_f64();
    let floor = median(&mut floor_times).as_secs_f64();
    let rebuild = megabytes / median(&mut rebuild_times).as_secs_f64();
    let generate = megabytes / median(&mut generate_times).as_secs_f64();
    println!("{documents} documents, {megabytes:.1} MB of Markdown, median of {runs} runs");
    println!("  comrak markdown_to_html, one thread  {comrak:>8.1} MB/s");
    println!("  redline build (whole site, written)  {build:>8.1} MB/s");
    println!("  redline rebuild over the last site   {rebuild:>8.1} MB/s");
    println!("  redline generate (in memory, no IO)  {generate:>8.1} MB/s");
    println!(
        "  file system alone: {file_count} empty files in their folders, one thread: {floor:.2} s"
    );
    println!(
        "  ratio, whole build / comrak          {:>8.2}x  (target ≥ 1.5x)",
        build / comrak
    );
    println!(
        "  ratio, rebuild / comrak              {:>8.2}x",
        rebuild / comrak
    );
    println!(
        "  ratio, in memory / comrak            {:>8.2}x",
        generate / comrak
    );
}

/// The file system's own cost for the site's shape: every output file
/// created empty in its folder, one thread, then removed (not timed). On a
/// slow disk this, not rendering, bounds the written build.
fn file_system_floor(dir: &Path, files: &OutputSet) -> Duration {
    let floor = dir.join("floor");
    let t = Instant::now();
    for path in files.paths() {
        let target = floor.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("floor folder");
        }
        std::fs::write(&target, b"").expect("floor file");
    }
    let elapsed = t.elapsed();
    std::fs::remove_dir_all(&floor).expect("remove floor");
    elapsed
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
