//! Measuring helpers shared by the benchmarks: a median with its spread, peak
//! memory of this process or of a child (through `/usr/bin/time -v`, so no
//! unsafe `wait4`), a redline build into a given folder, the machine's load,
//! and git's own plumbing over the work redline's history pass does — the
//! reference the history figure is a ratio to.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The median of repeated measurements and their range.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Summarises `values`; panics on an empty slice (a bench with no runs is a bug).
    pub fn of(values: &[f64]) -> Spread {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Spread {
            median: sorted[sorted.len() / 2],
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

impl Spread {
    /// The wall seconds of `runs`.
    pub fn seconds(runs: &[Run]) -> Spread {
        Spread::of(&runs.iter().map(|r| r.seconds).collect::<Vec<_>>())
    }

    /// The CPU seconds (user and system) of `runs`.
    pub fn cpu_seconds(runs: &[Run]) -> Spread {
        Spread::of(&runs.iter().map(|r| r.cpu_seconds).collect::<Vec<_>>())
    }

    /// The peak resident memory of `runs`, in MiB.
    pub fn rss_mib(runs: &[Run]) -> Spread {
        Spread::of(
            &runs
                .iter()
                .map(|r| r.peak_rss_kib as f64 / 1024.0)
                .collect::<Vec<_>>(),
        )
    }
}

/// `REDLINE_BENCH_RUNS`, the repetitions of each measurement (default 3).
pub fn runs_from_env() -> usize {
    std::env::var("REDLINE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1)
}

pub fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Peak resident memory of this process so far, in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_string())
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// One run of a child process: wall time, CPU time (user and system, all
/// threads: what a busy shared machine disturbs least) and peak RSS.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub peak_rss_kib: u64,
}

/// Runs `program args` in `dir` under `/usr/bin/time -v`; panics with the
/// child's stderr when it fails, so a broken build is never timed.
pub fn run_measured(dir: &Path, program: &Path, args: &[&str]) -> Run {
    let report = tempfile::NamedTempFile::new().expect("time report file");
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .current_dir(dir)
        .arg("-v")
        .arg("-o")
        .arg(report.path())
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run /usr/bin/time");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = std::fs::read_to_string(report.path()).expect("read time report");
    let field = |name: &str| -> f64 {
        report
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("time -v reports {name}"))
    };
    Run {
        seconds,
        cpu_seconds: field("User time (seconds):") + field("System time (seconds):"),
        peak_rss_kib: field("Maximum resident set size (kbytes):") as u64,
    }
}

/// A redline build of `repo` into `output` (absolute, or relative to the
/// repository) with `extra` arguments such as `--no-archive`.
pub fn redline_build(repo: &Path, redline: &Path, output: &Path, extra: &[&str]) -> Run {
    let output = output.to_string_lossy();
    let mut args = vec!["-q", "build", "--root", ".", "--output", &output];
    args.extend_from_slice(extra);
    run_measured(repo, redline, &args)
}

/// Installs a Debian package when `program` does not answer.
pub fn ensure_installed(program: &str, args: &[&str], package: &str) {
    let answers = |p: &str| {
        Command::new(p)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if answers(program) {
        return;
    }
    println!("{program} is missing: apt-get install -y {package}");
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "-q", package])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        // A fresh machine may have no package lists yet.
        let _ = Command::new("apt-get").args(["update", "-q"]).status();
        assert!(
            install(),
            "could not install {package}; install it and run again"
        );
    }
    assert!(answers(program), "{program} still does not run");
}

/// The first line `program args` prints, or nothing.
pub fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default()
}

/// The 1, 5 and 15 minute load averages: the machine is shared, so every
/// table says how busy it was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The same walk as redline's history pass, with git's plumbing: first-parent
/// log with rename detection, then every changed Markdown blob through
/// `cat-file --batch`.
pub fn git_plumbing(repo: &Path) -> Duration {
    let started = Instant::now();
    let log = Command::new("git")
        .current_dir(repo)
        .args([
            "log",
            "--first-parent",
            "--raw",
            "-M",
            "--no-abbrev",
            "--format=%H %ct",
            "main",
        ])
        .output()
        .expect("git log");
    let text = String::from_utf8_lossy(&log.stdout);
    let mut ids = String::new();
    for line in text.lines().filter(|l| l.starts_with(':')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() >= 6
            && line.ends_with(".md")
            && fields[3] != "0000000000000000000000000000000000000000"
        {
            ids.push_str(fields[3]);
            ids.push('\n');
            ids.push_str(fields[2]);
            ids.push('\n');
        }
    }
    let mut cat = Command::new("git")
        .current_dir(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("git cat-file");
    let mut stdin = cat.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(ids.as_bytes()));
    let mut sink = Vec::new();
    cat.stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut sink)
        .expect("read");
    let _ = writer.join();
    let _ = cat.wait();
    started.elapsed()
}

/// User and system CPU seconds of this process so far, from `/proc` (in
/// clock ticks of 1/100 s); NaN where there is no `/proc`.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}
