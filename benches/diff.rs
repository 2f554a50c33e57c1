//! Redline speed: a ~100 KB synthetic policy (headings, paragraphs, nested
//! lists, tables) against three edits of it, each timed as `blocks` for both
//! versions plus `compare`, median of several runs. Target: a full rewrite in
//! ≤ 100 ms (release).
//!
//! - full rewrite: every paragraph, item, cell and heading redrawn from the
//!   same vocabulary (so most blocks still look alike and get paired and
//!   word-diffed: the hard case), sections in reverse order;
//! - reordered sections: the same headings in a shuffled order, every body
//!   rewritten (section matching, moves, per-section comparisons);
//! - one-paragraph edit: one number changed in the middle.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use redline::diff::{blocks, compare};
use redline::text::markdown::MarkdownOptions;

const TARGET_BYTES: usize = 104_000;
const RUNS: usize = 9;

const WORDS: &[&str] = &[
    "data",
    "personal",
    "we",
    "process",
    "your",
    "account",
    "video",
    "prompt",
    "retain",
    "days",
    "consent",
    "legitimate",
    "interest",
    "processor",
    "controller",
    "transfer",
    "rights",
    "access",
    "delete",
    "security",
    "service",
    "content",
    "model",
    "training",
    "opt",
    "out",
    "contact",
    "policy",
    "law",
    "30",
    "cookies",
    "share",
    "partners",
    "request",
    "email",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, no dependency.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn words(&mut self, n: usize) -> String {
        let words: Vec<&str> = (0..n).map(|_| WORDS[self.below(WORDS.len())]).collect();
        words.join(" ")
    }
}

/// One section's Markdown, its heading text given.
fn section(rng: &mut Rng, heading: &str, index: usize) -> String {
    let mut md = format!("## {heading}\n\n");
    for _ in 0..3 {
        let _ = writeln!(md, "{}.\n", rng.words(55));
    }
    for depth in [0, 0, 1, 0] {
        let _ = writeln!(md, "{}- {}", "  ".repeat(depth), rng.words(12));
    }
    md.push('\n');
    if index.is_multiple_of(4) {
        md.push_str("| Data | Purpose | Kept for |\n|---|---|---|\n");
        for _ in 0..5 {
            let _ = writeln!(
                md,
                "| {} | {} | {} days |",
                rng.words(2),
                rng.words(5),
                rng.below(400)
            );
        }
        md.push('\n');
    }
    md
}

fn headings(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{} {i}", rng.words(3))).collect()
}

fn document(rng: &mut Rng, headings: &[String]) -> String {
    let mut md = String::from("Introductory words about this policy.\n\n");
    for (i, heading) in headings.iter().enumerate() {
        md.push_str(&section(rng, heading, i));
    }
    md
}

/// How many sections make the target size.
fn section_count() -> usize {
    let mut rng = Rng(7);
    let one = section(&mut rng, "probe", 0).len() + section(&mut rng, "probe", 1).len();
    (2 * TARGET_BYTES).div_ceil(one)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Times blocks + compare; returns the median and the last comparison's
/// word counts and number of section entries.
fn time(old: &str, new: &str) -> (Duration, (usize, usize, usize)) {
    let options = MarkdownOptions::default();
    let mut times = Vec::with_capacity(RUNS);
    let mut summary = (0, 0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        let old_blocks = blocks("Privacy Policy", old, options);
        let new_blocks = blocks("Privacy Policy", new, options);
        let c = compare(&old_blocks, &new_blocks);
        times.push(start.elapsed());
        summary = (c.words_added, c.words_removed, c.sections.len());
        assert!(c.html.len() > 20);
    }
    (median(&mut times), summary)
}

fn main() {
    let n = section_count();
    let mut rng = Rng(0x5eed);
    let original_headings = headings(&mut rng, n);
    let original = document(&mut rng, &original_headings);

    let mut rewritten_headings = headings(&mut rng, n);
    rewritten_headings.reverse();
    let rewrite = document(&mut rng, &rewritten_headings);

    let mut shuffled = original_headings.clone();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    let reordered = document(&mut rng, &shuffled);

    let paragraph_start = original.len() / 2;
    let one_edit = match original[paragraph_start..].find(" 30 ") {
        Some(at) => {
            let at = paragraph_start + at;
            format!("{} 90 {}", &original[..at], &original[at + 4..])
        }
        None => original.replacen("Introductory", "Opening", 1),
    };

    println!(
        "policy of {:.0} KB, {n} sections; median of {RUNS} runs of blocks (both versions) + compare",
        original.len() as f64 / 1000.0
    );
    for (name, new) in [
        ("full rewrite", &rewrite),
        ("reordered sections, bodies rewritten", &reordered),
        ("one-paragraph edit", &one_edit),
    ] {
        let (median, (added, removed, sections)) = time(&original, new);
        println!(
            "  {name:<38} {:>8.2} ms   (+{added} −{removed} words, {sections} sections listed)",
            median.as_secs_f64() * 1000.0
        );
    }
}
