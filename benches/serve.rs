//! `redline serve`: the time from saving a file to the rebuilt page being
//! served, measured from outside as an editor sees it: write the file, then
//! poll the page over HTTP until the new text is there. Median of several
//! edits, on the example site (this repository's `content/`, copied into a
//! one-commit repository) and on the synthetic repository of the history
//! benchmark (100 documents of 20 KB; `REDLINE_BENCH_COMMITS`, default
//! 1,000). Target: ≤ 200 ms on the example site. Then the latency of a page
//! under load: 200 clients ask for the same page at once, each on its own
//! connection, several rounds.

mod synth;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EDITS: usize = 9;
const CLIENTS: usize = 200;
const ROUNDS: usize = 5;

fn main() {
    let example = tempfile::tempdir().expect("temp dir");
    copy_example(example.path());
    git(example.path(), &["init", "-q", "-b", "main"]);
    git(example.path(), &["add", "-A"]);
    git(example.path(), &["commit", "-q", "-m", "Example site"]);
    report(
        "example site (3 documents)",
        &measure(example.path(), "content/privacy.md", "/privacy/"),
    );
    report_latency(
        "example site, /privacy/",
        &concurrent_latency(example.path(), "/privacy/"),
    );

    let commits: usize = std::env::var("REDLINE_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let synthetic = tempfile::tempdir().expect("temp dir");
    let spec = synth::Spec {
        documents: 100,
        commits,
        document_bytes: synth::DocumentBytes::Each(20_000),
        seed: 7,
        html_tables: false,
    };
    synth::generate(synthetic.path(), spec);
    let (source, url) = first_document(synthetic.path());
    report(
        &format!("synthetic repository ({spec:?})"),
        &measure(synthetic.path(), &source, &url),
    );
}

/// Saves `source` EDITS times with a new marker and times each until `url`
/// serves it.
fn measure(root: &Path, source: &str, url: &str) -> Vec<Duration> {
    let server = Server::start(root);
    let path = root.join(source);
    let original = std::fs::read_to_string(&path).expect("read the document");
    let mut times = Vec::new();
    for edit in 0..EDITS {
        let marker = format!("Benchmark marker {edit} {}", std::process::id());
        let started = Instant::now();
        std::fs::write(&path, format!("{original}\n\n{marker}\n")).expect("save");
        loop {
            if get(&server.address, url).contains(&marker) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{url} never showed the edit"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(started.elapsed());
        // Let the watcher settle so edits don't overlap.
        std::thread::sleep(Duration::from_millis(300));
    }
    times
}

fn report(name: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("save → served, {name}, {} edits:", times.len());
    println!(
        "  median {:>7.1} ms   min {:>7.1} ms   max {:>7.1} ms",
        ms(sorted[sorted.len() / 2]),
        ms(sorted[0]),
        ms(sorted[sorted.len() - 1])
    );
}

/// ROUNDS times, CLIENTS threads released together each GET `url` on a
/// fresh connection; every request's time from connect to the last byte.
fn concurrent_latency(root: &Path, url: &str) -> Vec<Duration> {
    let server = Server::start(root);
    let address = server.address.clone();
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        let start = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (start, address, url) = (start.clone(), address.clone(), url.to_string());
                std::thread::spawn(move || {
                    start.wait();
                    let started = Instant::now();
                    let reply = get(&address, &url);
                    assert!(reply.starts_with("HTTP/1.1 200"), "{reply:.200}");
                    started.elapsed()
                })
            })
            .collect();
        times.extend(clients.into_iter().map(|c| c.join().expect("client")));
        std::thread::sleep(Duration::from_millis(300));
    }
    times
}

fn report_latency(name: &str, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(sorted[((sorted.len() - 1) as f64 * q) as usize]);
    println!("page latency, {name}, {CLIENTS} concurrent requests × {ROUNDS} rounds:");
    println!(
        "  median {:>7.1} ms   p90 {:>7.1} ms   max {:>7.1} ms",
        at(0.5),
        at(0.9),
        at(1.0)
    );
}

struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redline"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("redline serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the URL line");
        let address = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .expect("a URL")
            .trim_end_matches('/')
            .to_string();
        Server { child, address }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(address: &str, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return String::new();
    };
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    );
    let mut body = String::new();
    let _ = stream.read_to_string(&mut body);
    body
}

fn copy_example(dir: &Path) {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("content")).expect("mkdir");
    for entry in std::fs::read_dir(project.join("content")).expect("content/") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join("content").join(entry.file_name())).expect("copy");
    }
    std::fs::copy(project.join("redline.toml"), dir.join("redline.toml")).expect("copy");
}

/// The first document of versions.json: its source path and URL.
fn first_document(root: &Path) -> (String, String) {
    let server = Server::start(root);
    let json: serde_json::Value = serde_json::from_str(
        get(&server.address, "/versions.json")
            .split_once("\r\n\r\n")
            .expect("reply")
            .1,
    )
    .expect("versions.json");
    let doc = &json["documents"][0];
    (
        doc["source"].as_str().expect("source").to_string(),
        doc["url"].as_str().expect("url").to_string(),
    )
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}
