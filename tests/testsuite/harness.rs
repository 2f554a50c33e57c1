//! `TestRepo`: a temporary git repository with scripted commits, dates,
//! branches and merges (through the git CLI, as users make them), and helpers
//! to run `redline` in it and read what it wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub struct TestRepo {
    dir: TempDir,
}

/// The result of one `redline` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts exit status 0 and returns self.
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "redline failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts exit status 1 and returns self.
    #[track_caller]
    pub fn failure(self) -> Run {
        assert_eq!(
            self.code, 1,
            "expected an error:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl TestRepo {
    /// A new repository on branch `main`, no commits.
    pub fn new() -> TestRepo {
        let repo = TestRepo::folder();
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A repository with `files` committed in one commit at `date`.
    pub fn committed<T: AsRef<[u8]>>(files: &[(&str, T)], date: &str) -> TestRepo {
        let repo = TestRepo::new();
        for (path, bytes) in files {
            repo.write(path, bytes);
        }
        repo.commit("Add files", date);
        repo
    }

    /// A plain folder that is not a git repository.
    pub fn folder() -> TestRepo {
        TestRepo {
            dir: tempfile::Builder::new()
                .prefix("redline-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders).
    pub fn write(&self, path: &str, text: impl AsRef<[u8]>) -> &Self {
        let target = self.path().join(path);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, text).expect("write");
        self
    }

    pub fn read(&self, path: &str) -> String {
        let target = self.path().join(path);
        std::fs::read_to_string(&target)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", target.display()))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.path().join(path).exists()
    }

    /// Runs git with a fixed identity and no user or system config.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_dated(args, None, None)
    }

    #[track_caller]
    fn git_dated(&self, args: &[&str], author: Option<&str>, committer: Option<&str>) -> String {
        let mut command = git_command(self.path());
        command.args(args);
        if let Some(date) = author {
            command.env("GIT_AUTHOR_DATE", date);
        }
        if let Some(date) = committer {
            command.env("GIT_COMMITTER_DATE", date);
        }
        let output = command.output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Stages everything and commits at `date` (ISO 8601 with offset) as
    /// both author and committer date; returns the commit id.
    #[track_caller]
    pub fn commit(&self, message: &str, date: &str) -> String {
        self.commit_dated(message, date, date)
    }

    #[track_caller]
    pub fn commit_dated(&self, message: &str, author_date: &str, committer_date: &str) -> String {
        self.git(&["add", "-A"]);
        self.git_dated(
            &["commit", "-q", "--allow-empty", "-m", message],
            Some(author_date),
            Some(committer_date),
        );
        self.head()
    }

    /// Writes one file and commits it.
    #[track_caller]
    pub fn commit_file(&self, path: &str, text: &str, message: &str, date: &str) -> String {
        self.write(path, text);
        self.commit(message, date)
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn checkout_new(&self, branch: &str) -> &Self {
        self.git(&["checkout", "-q", "-b", branch]);
        self
    }

    pub fn checkout(&self, branch: &str) -> &Self {
        self.git(&["checkout", "-q", branch]);
        self
    }

    /// Merges `branch` into the current branch with a merge commit at `date`.
    #[track_caller]
    pub fn merge(&self, branch: &str, message: &str, date: &str) -> String {
        self.git_dated(
            &["merge", "-q", "--no-ff", "-m", message, branch],
            Some(date),
            Some(date),
        );
        self.head()
    }

    /// Runs `redline ARGS` in the repository.
    pub fn redline(&self, args: &[&str]) -> Run {
        run_redline(self.path(), args)
    }

    /// `redline build`, which must succeed; returns the run.
    #[track_caller]
    pub fn build(&self) -> Run {
        self.redline(&["build"]).success()
    }

    /// `redline build` as if run on `day` (`YYYY-MM-DD`, via
    /// `SOURCE_DATE_EPOCH`), which must succeed.
    #[track_caller]
    pub fn build_on(&self, day: &str) -> Run {
        let epoch = day
            .parse::<jiff::civil::Date>()
            .expect("a YYYY-MM-DD day")
            .at(12, 0, 0, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .expect("a real day")
            .timestamp()
            .as_second()
            .to_string();
        run_redline_with(self.path(), &["build"], &[("SOURCE_DATE_EPOCH", &epoch)]).success()
    }

    /// The built `public/versions.json`.
    pub fn versions(&self) -> serde_json::Value {
        serde_json::from_str(&self.read("public/versions.json")).expect("versions.json is JSON")
    }

    /// One document of `versions.json`, by URL.
    #[track_caller]
    pub fn document(&self, url: &str) -> serde_json::Value {
        let versions = self.versions();
        versions["documents"]
            .as_array()
            .and_then(|docs| docs.iter().find(|d| d["url"] == url))
            .cloned()
            .unwrap_or_else(|| panic!("no document {url} in {versions:#}"))
    }

    /// Dates (`YYYY-MM-DD` of the RFC 3339 date) of a document's versions, newest first.
    pub fn version_days(&self, url: &str) -> Vec<String> {
        self.document(url)["versions"]
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| v["date"].as_str().expect("date")[..10].to_string())
            .collect()
    }

    /// Replaces the temp path in text, for snapshots.
    pub fn redact(&self, text: &str) -> String {
        let real = std::fs::canonicalize(self.path()).unwrap_or_else(|_| self.path().to_path_buf());
        text.replace(&real.display().to_string(), "[ROOT]")
            .replace(&self.path().display().to_string(), "[ROOT]")
    }
}

/// git with a fixed identity, ignoring the user's and system's configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dana Counsel")
        .env("GIT_AUTHOR_EMAIL", "dana@example.com")
        .env("GIT_COMMITTER_NAME", "Merge Bot")
        .env("GIT_COMMITTER_EMAIL", "bot@example.com");
    command
}

pub fn run_redline(dir: &Path, args: &[&str]) -> Run {
    run_redline_with(dir, args, &[])
}

/// Runs the real binary in `dir` with extra environment variables. The
/// build day is today unless `SOURCE_DATE_EPOCH` is among them.
pub fn run_redline_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output: Output = redline_command(dir, args)
        .envs(env.iter().copied())
        .output()
        .expect("redline runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The real binary, ready to run `redline ARGS` in `dir`, for tests that
/// need the process itself (its pipes, its exit signal).
pub fn redline_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_redline"));
    command
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    command
}

/// The repository's own folder (for the example site).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A short policy with a title and `sections` paragraphs of text.
pub fn policy(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{body}\n")
}

/// Whether a test can use a tool it needs (`available`). A missing tool
/// fails the test, unless `REDLINE_SKIP_MISSING_TOOLS=1` says to skip it
/// (not honoured with `CI` set); a skip is written straight to the
/// terminal, past the test harness's capture, with the test's name, so
/// the run's output shows it.
#[track_caller]
pub fn tool_available(tool: &str, available: bool, how_to_install: &str) -> bool {
    if available {
        return true;
    }
    let opted_out = std::env::var("REDLINE_SKIP_MISSING_TOOLS").is_ok_and(|v| v == "1")
        && std::env::var_os("CI").is_none();
    assert!(
        opted_out,
        "this test needs {tool}, which is missing: {how_to_install}; \
         or set REDLINE_SKIP_MISSING_TOOLS=1 to skip it (outside CI)"
    );
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let note = format!("SKIPPED {test}: {tool} is missing (REDLINE_SKIP_MISSING_TOOLS=1)\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
    false
}

/// The text of HTML with the tags taken out, as copying it would give.
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}
