//! A deterministic synthetic policy repository, written with `git fast-import`
//! so thousands of commits take seconds: documents of a given size, a
//! first-parent line with PR merges whose side commits are dated after the
//! merge base, renames into folders, front-matter churn, re-wraps and
//! comment-only commits. Shared by the benchmarks.
//!
//! Documents are all one size or spread log-uniformly between two sizes, as
//! a real policy repository's are (a few large policies, many short
//! notices); the spread draws nothing from the commit stream's generator, so
//! a history is a prefix of any longer one with the same documents.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub documents: usize,
    pub commits: usize,
    pub document_bytes: DocumentBytes,
    pub seed: u64,
    /// Each section opens with a raw HTML data table (cells holding `<p>`
    /// and `<ul>`) made from its first paragraph, as large policy sites
    /// write them, so edits land inside the tables too.
    pub html_tables: bool,
}

/// How large the first version of each document is.
#[derive(Debug, Clone, Copy)]
pub enum DocumentBytes {
    /// Every document this size.
    Each(usize),
    /// Sizes at even steps on a log scale from `smallest` to `largest` (both
    /// included), handed to the documents in a shuffled, seeded order.
    LogUniform { smallest: usize, largest: usize },
}

impl DocumentBytes {
    /// The size of each of `documents` documents, in document order.
    fn sizes(self, documents: usize, seed: u64) -> Vec<usize> {
        match self {
            DocumentBytes::Each(bytes) => vec![bytes; documents],
            DocumentBytes::LogUniform { smallest, largest } => {
                let steps = documents.saturating_sub(1).max(1) as f64;
                let ratio = largest as f64 / smallest as f64;
                let mut sizes: Vec<usize> = (0..documents)
                    .map(|i| (smallest as f64 * ratio.powf(i as f64 / steps)).round() as usize)
                    .collect();
                // Fisher–Yates with its own generator, so the largest
                // document is not always the last one.
                let mut rng = Rng(seed.rotate_left(17) | 1);
                for i in (1..sizes.len()).rev() {
                    sizes.swap(i, rng.below(i + 1));
                }
                sizes
            }
        }
    }
}

impl Spec {
    /// The policy repository: 64 documents of 5–300 KB over
    /// `commits` first-parent commits (1,000 in the issue).
    pub fn policy(commits: usize) -> Spec {
        Spec {
            documents: 64,
            commits,
            document_bytes: DocumentBytes::LogUniform {
                smallest: 5_000,
                largest: 300_000,
            },
            seed: 7,
            html_tables: false,
        }
    }
}

/// What was generated.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub first_parent_commits: usize,
    pub merges: usize,
    pub renames: usize,
    pub invisible_edits: usize,
    pub visible_edits: usize,
    /// Markdown bytes written over the whole history, every commit's
    /// changed files counted (near the distinct historical text).
    pub markdown_bytes: usize,
}

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
}

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
    "generated",
    "content",
    "model",
    "training",
    "opt",
    "out",
    "contact",
    "policy",
    "law",
];

struct Doc {
    path: String,
    title: String,
    reviewed: u32,
    paragraphs: Vec<String>,
    comment: bool,
    wrap: usize,
    html_tables: bool,
}

impl Doc {
    fn text(&self) -> String {
        let mut text = format!(
            "---\ntitle: {}\nreviewed: r{}\n---\n\n",
            self.title, self.reviewed
        );
        if self.comment {
            text.push_str("<!-- reviewed by legal -->\n\n");
        }
        for (i, paragraph) in self.paragraphs.iter().enumerate() {
            if i % 6 == 0 {
                let _ = writeln!(text, "## Section {}\n", i / 6 + 1);
                if self.html_tables {
                    html_table(&mut text, paragraph);
                }
            }
            let mut column = 0;
            for word in paragraph.split(' ') {
                if column + word.len() > self.wrap {
                    text.push('\n');
                    column = 0;
                } else if column > 0 {
                    text.push(' ');
                    column += 1;
                }
                text.push_str(word);
                column += word.len();
            }
            text.push_str("\n\n");
        }
        text
    }
}

/// A data table in raw HTML, its cells from the words of `paragraph`.
fn html_table(text: &mut String, paragraph: &str) {
    let words: Vec<&str> = paragraph.trim_end_matches('.').split(' ').collect();
    text.push_str("<table>\n  <thead>\n    <tr><th>Data</th><th>Purpose</th><th>Legal basis</th></tr>\n  </thead>\n  <tbody>\n");
    for row in words.chunks(12).take(4) {
        let (data, rest) = row.split_at(row.len().min(2));
        let (purpose, basis) = rest.split_at(rest.len() / 2);
        let _ = writeln!(
            text,
            "    <tr>\n      <td><strong>{}</strong></td>\n      <td>\n        <p>{}:</p>\n        <ul>\n          <li>{}</li>\n        </ul>\n      </td>\n      <td><p>{}</p></td>\n    </tr>",
            data.join(" "),
            purpose.join(" "),
            basis.first().copied().unwrap_or("law"),
            basis.join(" "),
        );
    }
    text.push_str("  </tbody>\n</table>\n\n");
}

fn paragraph(rng: &mut Rng) -> String {
    let words: Vec<&str> = (0..60).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    format!("{}.", words.join(" "))
}

/// Generates the repository in `dir` (created) and checks out `main`.
pub fn generate(dir: &Path, spec: Spec) -> Stats {
    std::fs::create_dir_all(dir).expect("create repo dir");
    git(dir, &["init", "-q", "-b", "main"]);
    let mut rng = Rng(spec.seed.max(1));
    let sizes = spec.document_bytes.sizes(spec.documents, spec.seed);
    let mut docs: Vec<Doc> = (0..spec.documents)
        .map(|i| Doc {
            path: format!("content/policy-{i:03}.md"),
            title: format!("Policy {i}"),
            reviewed: 0,
            paragraphs: (0..(sizes[i] / 420).max(1))
                .map(|_| paragraph(&mut rng))
                .collect(),
            comment: false,
            wrap: 78,
            html_tables: spec.html_tables,
        })
        .collect();
    let mut stream = Vec::with_capacity(sizes.iter().sum::<usize>() * 2);
    let mut stats = Stats::default();
    let mut time: i64 = 1_735_700_000;
    let mut mark = 0usize;

    // The initial commit holds every document.
    mark += 1;
    let files: Vec<usize> = (0..docs.len()).collect();
    stats.markdown_bytes += write_commit(
        &mut stream,
        "main",
        mark,
        None,
        None,
        time,
        "Add the policies",
        &docs,
        &files,
        &[],
    );
    let mut main_tip = mark;
    stats.first_parent_commits += 1;

    while stats.first_parent_commits < spec.commits {
        time += 3_600 + rng.below(20_000) as i64;
        let d = rng.below(docs.len());
        let roll = rng.below(100);
        let mut renames = Vec::new();
        let (message, merge) = if roll < 50 {
            let p = rng.below(docs[d].paragraphs.len());
            docs[d].paragraphs[p] = paragraph(&mut rng);
            stats.visible_edits += 1;
            ("Update the wording", None)
        } else if roll < 62 {
            docs[d].reviewed += 1;
            stats.invisible_edits += 1;
            ("Bump the review marker", None)
        } else if roll < 68 {
            docs[d].wrap = if docs[d].wrap == 78 { 70 } else { 78 };
            stats.invisible_edits += 1;
            ("Re-wrap lines", None)
        } else if roll < 72 {
            docs[d].comment = !docs[d].comment;
            stats.invisible_edits += 1;
            ("Toggle the review comment", None)
        } else if roll < 75 && !docs[d].path.contains("/legal/") {
            let old = docs[d].path.clone();
            docs[d].path = old.replace("content/", "content/legal/");
            renames.push((old, docs[d].path.clone()));
            stats.renames += 1;
            ("Move into legal/", None)
        } else {
            // A PR: a side branch off main, its commit dated after the merge.
            let p = rng.below(docs[d].paragraphs.len());
            docs[d].paragraphs[p] = paragraph(&mut rng);
            mark += 1;
            stats.markdown_bytes += write_commit(
                &mut stream,
                "side",
                mark,
                Some(main_tip),
                None,
                time + 86_400,
                "Bot: update",
                &docs,
                &[d],
                &[],
            );
            stats.merges += 1;
            stats.visible_edits += 1;
            ("Merge pull request", Some(mark))
        };
        mark += 1;
        stats.markdown_bytes += write_commit(
            &mut stream,
            "main",
            mark,
            Some(main_tip),
            merge,
            time,
            message,
            &docs,
            &[d],
            &renames,
        );
        main_tip = mark;
        stats.first_parent_commits += 1;
    }

    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("write stream");
    assert!(
        child.wait().expect("fast-import").success(),
        "fast-import failed"
    );
    // Pack as a clone from a forge would be: fast-import's own pack deltas
    // each blob against the one before it, which no real checkout has.
    git(dir, &["repack", "-adfq"]);
    git(dir, &["checkout", "-q", "-f", "main"]);
    stats
}

#[allow(clippy::too_many_arguments)]
fn write_commit(
    out: &mut Vec<u8>,
    branch: &str,
    mark: usize,
    from: Option<usize>,
    merge: Option<usize>,
    time: i64,
    message: &str,
    docs: &[Doc],
    files: &[usize],
    renames: &[(String, String)],
) -> usize {
    let _ = write!(
        out,
        "commit refs/heads/{branch}\nmark :{mark}\nauthor Dana Counsel <dana@example.com> {time} +0000\ncommitter Merge Bot <bot@example.com> {time} +0000\ndata {}\n{message}\n",
        message.len()
    );
    if let Some(from) = from {
        let _ = writeln!(out, "from :{from}");
    }
    if let Some(merge) = merge {
        let _ = writeln!(out, "merge :{merge}");
    }
    for (old, new) in renames {
        let _ = writeln!(out, "R {old} {new}");
    }
    let mut markdown_bytes = 0;
    for &d in files {
        let text = docs[d].text();
        markdown_bytes += text.len();
        let _ = write!(
            out,
            "M 100644 inline {}\ndata {}\n{text}\n",
            docs[d].path,
            text.len()
        );
    }
    out.push(b'\n');
    markdown_bytes
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?} failed");
}
