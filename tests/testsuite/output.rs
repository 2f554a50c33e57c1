//! The output folder end to end: a failed build changes nothing, a build
//! removes only files it wrote (never through a symbolic link), and the
//! leftovers of interrupted builds are cleaned up by the next one.

use std::path::Path;
use std::process::Command;

use crate::harness::{TestRepo, policy, run_redline};

const DATE: &str = "2026-03-03T10:00:00+00:00";

/// A committed site with the given files.
fn site(files: &[(&str, &str)]) -> TestRepo {
    TestRepo::committed(files, DATE)
}

/// Names in `dir` that a build made beside an output (`.redline-*`; not
/// the site's own `.redline/` folder, where the cache is).
fn redline_entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".redline-"))
        .collect()
}

/// Folders a build left beside the output (`.redline-staging-*`,
/// `.redline-previous-*`).
fn staging_leftovers(repo: &TestRepo) -> Vec<String> {
    redline_entries(repo.path())
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    // The live site must never be half-replaced by a broken build.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "First text."))]);
    repo.build();
    let before = repo.read("public/privacy/index.html");
    let manifest_before = repo.read("public/versions.json");
    repo.write(
        "content/privacy.md",
        "---\ntitle: [broken\n---\nSecond text.\n",
    );
    repo.write("content/new.md", "New.\n");
    repo.redline(&["build"]).failure();
    assert_eq!(repo.read("public/privacy/index.html"), before);
    assert_eq!(repo.read("public/versions.json"), manifest_before);
    assert!(!repo.exists("public/new/index.html"));
    let leftovers = staging_leftovers(&repo);
    assert!(
        leftovers.is_empty(),
        "no staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_build_that_fails_half_way_through_writing_leaves_nothing_behind() {
    // A build writes pages into its staging folder as it renders them; one
    // that fails after the archive is written must still change nothing.
    let repo = site(&[
        ("content/privacy.md", &policy("Privacy", "First text.")),
        ("content/terms.md", &policy("Terms", "Terms text.")),
    ]);
    repo.build();
    let before = repo.read("public/privacy/index.html");
    repo.write(
        "templates/page.html",
        "{% if page.title == \"Terms\" %}{{ no_such_variable }}{% endif %}{{ page.title }}",
    );
    let run = repo.redline(&["build"]).failure();
    assert!(run.stderr.contains("no_such_variable"), "{}", run.stderr);
    assert_eq!(repo.read("public/privacy/index.html"), before);
    let leftovers = staging_leftovers(&repo);
    assert!(
        leftovers.is_empty(),
        "staging folder removed: {leftovers:?}"
    );
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_symbolic_link_keeps_the_link_and_its_target_s_other_files() {
    // `public` links to a folder a web server serves, holding a CNAME the
    // build did not write: the build replaces the site inside the target,
    // keeps the CNAME, and leaves the link a link.
    let parent = TestRepo::folder();
    run_redline(parent.path(), &["init", "s"]).success();
    let site = parent.path().join("s");
    run_redline(&site, &["build"]).success();
    let www = parent.path().join("www");
    std::fs::rename(site.join("public"), &www).unwrap();
    std::os::unix::fs::symlink("../www", site.join("public")).unwrap();
    std::fs::write(www.join("CNAME"), "keep\n").unwrap();

    run_redline(&site, &["build"]).success();
    assert_eq!(
        std::fs::read_to_string(www.join("CNAME")).unwrap(),
        "keep\n"
    );
    assert!(www.join("privacy/index.html").is_file());
    assert!(www.join("versions.json").is_file());
    let public = std::fs::symlink_metadata(site.join("public")).unwrap();
    assert!(public.file_type().is_symlink(), "public is still a link");
    assert!(
        redline_entries(&site).is_empty(),
        "{:?}",
        redline_entries(&site)
    );
    assert!(
        redline_entries(parent.path()).is_empty(),
        "{:?}",
        redline_entries(parent.path())
    );

    // Again, now that the CNAME is known not to be ours.
    run_redline(&site, &["build"]).success();
    assert_eq!(
        std::fs::read_to_string(www.join("CNAME")).unwrap(),
        "keep\n"
    );
}

#[test]
fn an_output_from_before_builds_listed_their_files_keeps_everything_unknown() {
    // The first build after an upgrade cannot tell a stale page from a
    // CNAME: both stay, and the build says so; the next one knows.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.build();
    std::fs::remove_file(repo.path().join("public/.redline-written")).unwrap();
    repo.write("public/CNAME", "policies.example.com\n");
    repo.write("public/old/index.html", "a page of a retired policy");
    let run = repo.build();
    assert!(
        run.stderr.contains("did not list its files"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("CNAME, old"), "{}", run.stderr);
    assert_eq!(repo.read("public/CNAME"), "policies.example.com\n");
    let run = repo.build();
    assert!(!run.stderr.contains("did not list"), "{}", run.stderr);
    assert!(repo.exists("public/CNAME"));
}

#[test]
fn files_the_build_did_not_write_survive_rebuilds_and_stale_pages_go() {
    // `old.md` is never committed: once deleted, nothing keeps its page.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.write("content/old.md", policy("Old", "y"));
    repo.build();
    repo.write("public/CNAME", "policies.example.com\n");
    repo.write(
        "public/.well-known/security.txt",
        "Contact: mailto:x@example.com\n",
    );
    repo.write("public/privacy/owner-notes.txt", "theirs\n");
    std::fs::remove_file(repo.path().join("content/old.md")).expect("remove");
    repo.build();
    assert!(
        !repo.exists("public/old/index.html"),
        "a page no longer built goes"
    );
    assert_eq!(repo.read("public/CNAME"), "policies.example.com\n");
    assert!(repo.exists("public/.well-known/security.txt"));
    assert_eq!(repo.read("public/privacy/owner-notes.txt"), "theirs\n");
    let written = repo.read("public/.redline-written");
    assert!(
        written.lines().any(|l| l == "privacy/index.html"),
        "{written}"
    );
    assert!(!written.contains("CNAME"), "{written}");
}

#[test]
fn a_new_page_over_a_file_the_build_did_not_write_is_refused() {
    // The build may not delete someone else's file to put its own there.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.build();
    repo.write("public/CNAME", "policies.example.com\n");
    repo.write("static/CNAME", "legal.example.com\n");
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains("CNAME was not written by redline"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("static folder"), "{}", run.stderr);
    assert_eq!(repo.read("public/CNAME"), "policies.example.com\n");
    assert!(staging_leftovers(&repo).is_empty());
}

#[test]
fn the_next_build_removes_what_interrupted_builds_left() {
    // What a killed build leaves: a staging folder no process holds, and a
    // previous site moved aside but never removed.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.build();
    repo.write(".redline-staging-Ab12Cd/privacy/index.html", "half a site");
    repo.write(".redline-previous-4242/index.html", "an old site");
    let run = repo.build();
    assert!(
        staging_leftovers(&repo).is_empty(),
        "{:?}",
        staging_leftovers(&repo)
    );
    assert!(!run.stderr.contains("cannot remove"), "{}", run.stderr);
}

#[test]
fn a_killed_build_s_staging_folder_is_removed_by_the_next() {
    // A real build, killed with SIGKILL while it writes: whatever it leaves
    // is gone after the next build, and the site is whole.
    let mut files = Vec::new();
    for i in 0..300 {
        files.push((
            format!("content/p{i}.md"),
            policy(&format!("P{i}"), &"Words. ".repeat(400)),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = site(&refs);
    let mut child = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["build", "--quiet"])
        .current_dir(repo.path())
        .spawn()
        .expect("redline");
    // Kill it once its staging folder exists (or whenever it ends first).
    let started = std::time::Instant::now();
    while staging_leftovers(&repo).is_empty()
        && child.try_wait().expect("wait").is_none()
        && started.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the build ended before it could be killed"
    );
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert!(
        !staging_leftovers(&repo).is_empty(),
        "the kill left a staging folder"
    );
    repo.build();
    assert!(
        staging_leftovers(&repo).is_empty(),
        "{:?}",
        staging_leftovers(&repo)
    );
    assert!(repo.exists("public/p299/index.html"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_previous_site_that_cannot_be_removed_is_a_warning_once_the_new_one_is_live() {
    // A file no one may remove in the old site: the new site goes live, the
    // build succeeds and says what is left; once the file may go, the next
    // build removes it.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "First."))]);
    repo.build();
    let stuck = repo.path().join("public/privacy/stuck.txt");
    std::fs::write(&stuck, "x").unwrap();
    let mut immutable = Immutable::set(&stuck);
    repo.write("content/privacy.md", policy("Privacy", "Second."));
    repo.commit("Second text", "2026-03-05T10:00:00+00:00");
    let run = repo.build();
    assert!(
        run.stderr.contains("the previous one could not be removed"),
        "{}",
        run.stderr
    );
    assert!(repo.read("public/privacy/index.html").contains("Second."));
    // The old site, with the stuck file, waits beside the output.
    let left = staging_leftovers(&repo);
    assert_eq!(left.len(), 1, "{left:?}");
    immutable.moved_to(&repo.path().join(&left[0]).join("privacy/stuck.txt"));
    // While the file is stuck, each build says the leftover is still there.
    let run = repo.build();
    assert!(
        run.stderr.contains(&format!(
            "cannot remove {}",
            repo.path().join(&left[0]).display()
        )) && run.stderr.contains("remove it by hand"),
        "{}",
        run.stderr
    );
    drop(immutable);
    let run = repo.build();
    assert!(
        !run.stderr.contains("could not be removed"),
        "{}",
        run.stderr
    );
    assert!(
        staging_leftovers(&repo).is_empty(),
        "{:?}",
        staging_leftovers(&repo)
    );
}

/// A file no build can remove, for as long as this lives: immutable
/// (`chattr +i`) for root, whom permissions do not stop, else a file in a
/// read-only folder.
#[cfg(target_os = "linux")]
struct Immutable {
    file: std::path::PathBuf,
    as_root: bool,
}

#[cfg(target_os = "linux")]
impl Immutable {
    fn set(path: &Path) -> Immutable {
        let uid = Command::new("id").arg("-u").output().expect("id -u");
        let as_root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let status = if as_root {
            Command::new("chattr").arg("+i").arg(path).status()
        } else {
            Command::new("chmod")
                .arg("a-w")
                .arg(path.parent().expect("folder"))
                .status()
        };
        assert!(
            status.is_ok_and(|s| s.success()),
            "cannot make {} unremovable (as root this needs chattr and a file system with immutable files)",
            path.display()
        );
        Immutable {
            file: path.to_path_buf(),
            as_root,
        }
    }

    fn moved_to(&mut self, path: &Path) {
        assert!(path.is_file(), "{} is not a file", path.display());
        self.file = path.to_path_buf();
    }
}

#[cfg(target_os = "linux")]
impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = if self.as_root {
            Command::new("chattr").arg("-i").arg(&self.file).status()
        } else {
            Command::new("chmod")
                .arg("u+w")
                .arg(self.file.parent().expect("folder"))
                .status()
        };
    }
}

#[test]
fn init_ignores_what_builds_make_beside_the_output() {
    let parent = TestRepo::folder();
    run_redline(parent.path(), &["init", "s"]).success();
    let site = parent.path().join("s");
    for path in [
        "public/index.html",
        ".redline-staging-x1/a.html",
        ".redline-previous-9/a.html",
    ] {
        let target = site.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, "x").unwrap();
    }
    let status = crate::harness::git_command(&site)
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "");
}

#[test]
fn rebuilds_leave_no_folder_beside_the_output() {
    // Each swap leaves the old site under a staging name for a moment; a
    // build that never removed it would leave a whole copy per rebuild.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "First."))]);
    repo.build();
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "Second."),
        "Second text",
        "2026-03-05T10:00:00+00:00",
    );
    repo.build();
    repo.build();
    assert!(
        staging_leftovers(&repo).is_empty(),
        "{:?}",
        staging_leftovers(&repo)
    );
    assert!(repo.read("public/privacy/index.html").contains("Second."));
}

#[cfg(target_os = "linux")]
#[test]
fn a_reader_never_finds_the_site_missing_through_rebuilds() {
    // A web server serving `public/` while CI rebuilds it: the two folders
    // trade places in one step, so no request between builds finds nothing.
    // Each build runs under strace, which holds it 20 ms after every
    // rename, as a busy machine might: a site moved aside in one rename and
    // the new one moved in with another leaves a gap no reader can miss.
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let strace = Command::new("strace").arg("-V").output();
    if !crate::harness::tool_available(
        "strace",
        strace.is_ok_and(|o| o.status.success()),
        "apt-get install strace, as .ci/run does",
    ) {
        return;
    }
    let repo = site(&[("content/privacy.md", &policy("Privacy", "First."))]);
    repo.build();
    let manifest = repo.path().join("public/versions.json");
    let done = Arc::new(AtomicBool::new(false));
    let (reads, missing) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let reader = {
        let (manifest, done) = (manifest.clone(), done.clone());
        let (reads, missing) = (reads.clone(), missing.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if std::fs::File::open(&manifest).is_err() {
                    missing.fetch_add(1, Ordering::Relaxed);
                }
                reads.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        })
    };
    for _ in 0..20 {
        let status = Command::new("strace")
            .args(["-f", "-qq", "-o", "/dev/null"])
            .args(["-e", "trace=rename,renameat,renameat2"])
            .args(["-e", "inject=rename,renameat,renameat2:delay_exit=20000"])
            .args(["--", env!("CARGO_BIN_EXE_redline"), "build", "--quiet"])
            .current_dir(repo.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("strace runs");
        assert!(status.success(), "the build under strace failed: {status}");
    }
    done.store(true, Ordering::Relaxed);
    reader.join().expect("reader");
    let (reads, missing) = (
        reads.load(Ordering::Relaxed),
        missing.load(Ordering::Relaxed),
    );
    assert!(reads > 100, "the reader hardly ran: {reads} reads");
    assert_eq!(
        missing, 0,
        "{missing} of {reads} reads found no versions.json"
    );
    assert!(repo.read("public/privacy/index.html").contains("First."));
}

#[test]
fn an_unreadable_list_of_written_files_stops_the_build() {
    // Without the list every unknown file would be kept, stale pages
    // included; a list that exists but cannot be read is an error naming
    // it, not a reason to keep everything.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.build();
    let list = repo.path().join("public/.redline-written");
    std::fs::remove_file(&list).expect("the list is there");
    std::fs::create_dir(&list).expect("a folder in its place");
    let run = repo.redline(&["build"]).failure();
    assert!(
        run.stderr.contains("cannot read") && run.stderr.contains(".redline-written"),
        "{}",
        run.stderr
    );
    assert!(staging_leftovers(&repo).is_empty());
}

#[cfg(unix)]
#[test]
fn an_owner_s_symbolic_link_in_the_output_survives_rebuilds() {
    // A deploy step links `public/current` to a page: the link is not the
    // build's, so the next site carries it over, as a link.
    let repo = site(&[("content/privacy.md", &policy("Privacy", "x"))]);
    repo.build();
    let link = repo.path().join("public/current");
    std::os::unix::fs::symlink("privacy/index.html", &link).expect("symlink");
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "y"),
        "Edit",
        "2026-03-05T10:00:00+00:00",
    );
    repo.build();
    let kind = std::fs::symlink_metadata(&link).expect("the link is kept");
    assert!(kind.file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).expect("link"),
        Path::new("privacy/index.html")
    );
    assert!(repo.read("public/current").contains("<p>y</p>"));
}
