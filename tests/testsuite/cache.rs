//! The cache across builds, end to end: a rebuild that reuses it writes the
//! site a build without it writes, byte for byte; a damaged or foreign
//! entry is one warning and never trusted; the flags put it where asked or
//! nowhere; and output files that did not change are the previous build's
//! own files, linked, while a failed build leaves the previous site as it was.

use std::collections::BTreeMap;
use std::path::Path;

use crate::harness::{Run, TestRepo, policy, run_redline_with};

/// Noon on the day the tests build on, so notices do not move under them.
const EPOCH: (&str, &str) = ("SOURCE_DATE_EPOCH", "1775217600"); // 2026-04-03

/// Two documents with a few versions each: redlines to make and keep.
fn site() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("content/privacy.md", policy("Privacy", "We keep logs."));
    repo.write("content/terms.md", policy("Terms", "Be nice."));
    repo.commit("Publish", "2026-01-05T10:00:00+00:00");
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy",
            "We keep logs for 30 days.\n\n## Contact\n\nWrite to us.",
        ),
        "Say how long",
        "2026-02-01T10:00:00+00:00",
    );
    repo.commit_file(
        "content/terms.md",
        &policy("Terms", "Be nice to others."),
        "Kinder",
        "2026-02-10T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy",
            "We keep logs for 14 days.\n\n## Contact\n\nWrite to us at privacy@example.com.",
        ),
        "Shorter",
        "2026-03-01T10:00:00+00:00",
    );
    repo
}

fn build(repo: &TestRepo, args: &[&str]) -> Run {
    let mut all = vec!["-v", "build"];
    all.extend_from_slice(args);
    run_redline_with(repo.path(), &all, &[EPOCH]).success()
}

/// `(reused, made)` from a verbose build's cache line.
fn cache_counts(run: &Run) -> (usize, usize) {
    let counts = cache_line_counts(run);
    (counts[0], counts[1])
}

/// Values made by a build and read back by a later stage of it, from its
/// verbose cache line.
fn handed_on(run: &Run) -> usize {
    cache_line_counts(run)[2]
}

/// The counts in a verbose build's cache line, in order: reused, made,
/// read back, removed.
fn cache_line_counts(run: &Run) -> Vec<usize> {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("cache "))
        .unwrap_or_else(|| panic!("no cache line in:\n{}", run.stderr));
    let (_, counts) = line.rsplit_once(": ").expect("counts after the folder");
    counts
        .split(", ")
        .map(|part| {
            let number = part.split(' ').next().expect("a count");
            number
                .parse()
                .unwrap_or_else(|_| panic!("a count in {line}"))
        })
        .collect()
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let path = entry.path().strip_prefix(dir).expect("inside");
            let bytes = std::fs::read(entry.path()).expect("read");
            (path.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

#[track_caller]
fn assert_same_site(a: &Path, b: &Path) {
    let (a, b) = (files(a), files(b));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs");
    }
}

/// The cache's entry files.
fn entries(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|entry| entry.expect("walk"))
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.into_path())
        .collect()
}

#[test]
fn a_rebuild_after_a_commit_reuses_the_cache_and_writes_the_site_a_build_without_it_writes() {
    let repo = site();
    let cold = build(&repo, &[]);
    let (reused, made_cold) = cache_counts(&cold);
    assert_eq!(reused, 0, "{}", cold.stderr);
    assert!(made_cold > 0);
    assert!(!entries(&repo.path().join(".redline/cache")).is_empty());

    repo.commit_file(
        "content/privacy.md",
        &policy(
            "Privacy",
            "We keep logs for 7 days.\n\n## Contact\n\nWrite to us at privacy@example.com.",
        ),
        "Shorter still",
        "2026-04-01T10:00:00+00:00",
    );
    let warm = build(&repo, &[]);
    let (reused, made) = cache_counts(&warm);
    assert!(reused > 0, "the second build reuses: {}", warm.stderr);
    assert!(
        made < made_cold,
        "only what the commit brought is made again ({made} of {made_cold})"
    );
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));
    // The new version is there, with its redline.
    assert!(
        repo.read("public/privacy/changes/2026-04-01/index.html")
            .contains("7")
    );
}

/// A cold build parses each version once: history reads every blob to
/// tell versions apart and leaves the text it parsed in the cache, and the
/// archive's pages take the outline and the HTML from there. The proof is
/// in the counts: on a cold cache nothing is reused, and each of the five
/// versions' two halves is written once and read back once.
#[test]
fn a_cold_build_parses_each_version_once_handing_its_text_from_history_to_the_pages() {
    let repo = site();
    let cold = build(&repo, &[]);
    let cache = repo.path().join(".redline/cache");
    let outlines = entries(&cache.join("version-outline")).len();
    let pages = entries(&cache.join("version-html")).len();
    assert_eq!((outlines, pages), (5, 5), "{}", cold.stderr);
    assert_eq!(cache_counts(&cold).0, 0, "{}", cold.stderr);
    assert_eq!(handed_on(&cold), outlines + pages, "{}", cold.stderr);
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));

    // Without pages, history keeps no texts.
    build(
        &repo,
        &["--no-archive", "--cache", "bare", "--output", "bare-site"],
    );
    assert!(!entries(&repo.path().join("bare")).is_empty());
    assert!(!repo.exists("bare/version-outline"));
    assert!(!repo.exists("bare/version-html"));
}

#[test]
fn damaged_and_foreign_cache_entries_are_one_warning_and_never_trusted() {
    let repo = site();
    build(&repo, &[]);
    let cached = entries(&repo.path().join(".redline/cache"));
    assert!(cached.len() >= 4, "{cached:?}");
    for (index, entry) in cached.iter().enumerate() {
        if index % 2 == 0 {
            // Garbage over the start of the file, as a disk fault leaves it.
            let mut bytes = std::fs::read(entry).unwrap();
            let garbage = b"\x00\xffnot a cache entry\x13";
            let n = garbage.len().min(bytes.len());
            bytes[..n].copy_from_slice(&garbage[..n]);
            std::fs::write(entry, bytes).unwrap();
        } else {
            // Written by another version of redline.
            let text = String::from_utf8(std::fs::read(entry).unwrap()).unwrap();
            let mut lines: Vec<&str> = text.splitn(4, '\n').collect();
            lines[2] = "0.0.0-foreign";
            std::fs::write(entry, lines.join("\n")).unwrap();
        }
    }
    let run = build(&repo, &[]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("cache entr"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning:\n{}", run.stderr);
    // Versions' texts are not read damaged: history, finding their blobs'
    // facts damaged, parses the blobs and writes the texts again first.
    let texts = cached
        .iter()
        .filter(|entry| entry.to_string_lossy().contains("/version-"))
        .count();
    assert!(texts > 0);
    assert!(
        warnings[0].contains(&format!("ignored {} cache entries", cached.len() - texts)),
        "{}",
        warnings[0]
    );
    assert_eq!(cache_counts(&run).0, 0, "nothing damaged was used");
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));
    // The entries were made again: the next build trusts them, quietly.
    let next = build(&repo, &[]);
    assert!(!next.stderr.contains("cache entr"), "{}", next.stderr);
    assert!(cache_counts(&next).0 > 0);
}

/// Rewrites every entry of `kind` through `edit` of its payload, with a
/// header that checks out, as a redline that made that value would write.
fn rewrite_entries(cache: &Path, kind: &str, edit: impl Fn(&str) -> String) -> usize {
    use sha2::{Digest, Sha256};
    let mut rewritten = 0;
    for entry in entries(&cache.join(kind)) {
        let bytes = std::fs::read(&entry).expect("read the entry");
        let text = String::from_utf8(bytes).expect("an entry is UTF-8");
        let parts: Vec<&str> = text.splitn(6, '\n').collect();
        let payload = edit(parts[5]);
        if payload == parts[5] {
            continue;
        }
        let digest = hex::encode(Sha256::digest(payload.as_bytes()));
        let header = [parts[0], parts[1], parts[2], parts[3], &digest].join("\n");
        std::fs::write(&entry, format!("{header}\n{payload}")).expect("rewrite the entry");
        rewritten += 1;
    }
    rewritten
}

// What a rebuild saves: a version the cache holds is taken from it, not
// parsed again. The proof is an entry changed behind redline's back (with
// a header that checks out): the rebuild after a new commit shows its text.
#[test]
fn a_rebuild_takes_unchanged_versions_from_the_cache_instead_of_parsing_them() {
    let repo = site();
    build(&repo, &[]);
    let cache = repo.path().join(".redline/cache");
    let marked = |payload: &str| payload.replace("We keep logs.", "We keep CACHED logs.");
    assert_eq!(rewrite_entries(&cache, "version-html", marked), 1);
    assert!(!entries(&cache.join("version-outline")).is_empty());

    // A new version of the same document: its archive is built again, its
    // older versions' texts taken from the cache.
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "We keep logs for 7 days."),
        "Shorter still",
        "2026-03-10T10:00:00+00:00",
    );
    build(&repo, &[]);
    let first = repo.read("public/privacy/versions/2026-01-05/index.html");
    assert!(first.contains("We keep CACHED logs."), "{first}");
    build(&repo, &["--no-cache", "--output", "fresh"]);
    let parsed = repo.read("fresh/privacy/versions/2026-01-05/index.html");
    assert!(parsed.contains("We keep logs.") && !parsed.contains("CACHED"));
}

/// A document whose history does not fit the archive's text budget is read
/// twice, outlines first: through the cache that path must write the same
/// site as the one that keeps texts, and as a build without the cache.
#[test]
fn versions_read_twice_or_kept_through_the_cache_make_the_site_a_build_without_it_makes() {
    let repo = site();
    let build_with = |budget: u64, cache: bool, output: &str| {
        let mut config =
            redline::source::config::Config::load(&redline::source::config::Overrides {
                root: repo.path().to_path_buf(),
                output: Some(output.into()),
                no_cache: !cache,
                ..Default::default()
            })
            .expect("config");
        config.archive_text_budget = budget;
        config.today = jiff::civil::date(2026, 4, 3);
        redline::site::build(&config).expect("the site builds")
    };
    // Cold, the second pass reads the HTML the first stored as it parsed.
    let cold = build_with(0, true, "public");
    let report = cold.cache.expect("a cache");
    assert!(report.made > 0 && report.handed_on > 0, "{report:?}");
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "We keep logs for 7 days."),
        "Shorter still",
        "2026-04-01T10:00:00+00:00",
    );
    let read_twice = build_with(0, true, "public");
    let report = read_twice.cache.expect("a cache");
    assert!(
        report.reused > 0 && report.warnings.is_empty(),
        "{report:?}"
    );
    build_with(u64::MAX, true, "kept");
    build_with(0, false, "fresh");
    let public = repo.path().join("public");
    assert_same_site(&public, &repo.path().join("fresh"));
    assert_same_site(&public, &repo.path().join("kept"));
}

#[test]
fn cache_puts_it_where_asked_and_no_cache_writes_none() {
    let repo = site();
    build(&repo, &["--no-cache"]);
    assert!(!repo.exists(".redline"), "--no-cache writes no .redline/");
    let run = build(&repo, &["--cache", "elsewhere/c"]);
    assert!(!repo.exists(".redline"));
    assert!(!entries(&repo.path().join("elsewhere/c")).is_empty());
    assert!(run.stderr.contains("elsewhere/c"), "{}", run.stderr);
    assert!(cache_counts(&build(&repo, &["--cache", "elsewhere/c"])).0 > 0);
}

#[test]
fn a_cache_folder_that_cannot_be_made_is_one_warning_and_the_build_goes_on() {
    let repo = site();
    repo.write("blocked", "a file where the cache folder would be");
    let run = build(&repo, &["--cache", "blocked/cache"]);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("the cache did not work"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning:\n{}", run.stderr);
    assert!(warnings[0].contains("blocked/cache"), "{}", warnings[0]);
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));
}

#[test]
fn a_cache_folder_inside_the_output_or_the_content_is_refused_with_a_warning() {
    let repo = site();
    for folder in ["public/cache", "content/cache"] {
        let run = build(&repo, &["--cache", folder]);
        assert!(
            run.stderr.contains("building without the cache"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("\ncache "),
            "no cache used: {}",
            run.stderr
        );
        assert!(!repo.exists(folder), "{folder} not made");
    }
    // A hidden folder in the content is never published: it may hold it.
    let run = build(&repo, &["--cache", "content/.cache"]);
    assert!(cache_counts(&run).1 > 0, "{}", run.stderr);
    assert!(!repo.exists("public/.cache") && !repo.exists("public/cache"));
}

#[test]
fn init_ignores_the_cache_but_not_the_notify_ledger() {
    let parent = TestRepo::folder();
    crate::harness::run_redline(parent.path(), &["init", "s"]).success();
    let site = parent.path().join("s");
    let ignored = |path: &str| {
        crate::harness::git_command(&site)
            .args(["check-ignore", "-q", path])
            .status()
            .expect("git runs")
            .success()
    };
    assert!(ignored(".redline/cache/blob-facts/ab/cdef"));
    // The ledger is kept with the site (committed), so it must not be.
    assert!(!ignored(".redline/notify-ledger.json"));
}

#[cfg(unix)]
mod links {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    fn inodes(dir: &Path) -> BTreeMap<String, u64> {
        files(dir)
            .into_keys()
            .map(|path| {
                let inode = std::fs::metadata(dir.join(&path)).expect("meta").ino();
                (path, inode)
            })
            .collect()
    }

    #[test]
    fn unchanged_output_files_are_the_previous_build_s_and_changed_ones_are_new() {
        let repo = site();
        build(&repo, &[]);
        let public = repo.path().join("public");
        let (before, inodes_before) = (files(&public), inodes(&public));
        repo.commit_file(
            "content/terms.md",
            &policy("Terms", "Be nice to everyone."),
            "Kinder still",
            "2026-04-01T10:00:00+00:00",
        );
        let run = build(&repo, &[]);
        let (after, inodes_after) = (files(&public), inodes(&public));
        let (mut linked, mut written) = (0, 0);
        for (path, bytes) in &after {
            // The list of written files is made beside the site, not by it.
            let Some(old) = before.get(path).filter(|_| path != ".redline-written") else {
                continue;
            };
            if old == bytes {
                assert_eq!(inodes_after[path], inodes_before[path], "{path} linked");
                linked += 1;
            } else {
                assert_ne!(inodes_after[path], inodes_before[path], "{path} new");
                written += 1;
            }
        }
        assert!(
            after["privacy/index.html"] == before["privacy/index.html"],
            "privacy did not change"
        );
        assert!(
            linked > 0 && written > 0,
            "{linked} linked, {written} written"
        );
        assert!(
            run.stderr.contains(&format!(
                "{linked} files unchanged since the previous build"
            )),
            "{}",
            run.stderr
        );
        // Nothing else names them once the previous site is gone.
        let page = std::fs::metadata(public.join("privacy/index.html")).unwrap();
        assert_eq!(page.nlink(), 1);
    }

    #[test]
    fn a_page_edited_in_the_output_is_written_again_not_linked() {
        let repo = site();
        build(&repo, &[]);
        let page = repo.path().join("public/privacy/index.html");
        let built = std::fs::read(&page).unwrap();
        // Same size, other bytes: only a comparison of the bytes can tell.
        let edited: Vec<u8> = built
            .iter()
            .map(|&b| if b == b'k' { b'K' } else { b })
            .collect();
        assert_ne!(edited, built);
        std::fs::write(&page, &edited).unwrap();
        build(&repo, &[]);
        assert!(std::fs::read(&page).unwrap() == built);
    }

    #[test]
    fn a_failed_build_after_linking_leaves_the_previous_site_as_it_was() {
        let repo = site();
        build(&repo, &[]);
        let public = repo.path().join("public");
        let (before, inodes_before) = (files(&public), inodes(&public));
        // Fails on the terms page, after the privacy archive (linked) is in
        // the staging folder.
        repo.write(
            "templates/page.html",
            "{% if page.title == \"Terms\" %}{{ no_such_variable }}{% endif %}{{ page.title }}",
        );
        let run = run_redline_with(repo.path(), &["-v", "build"], &[EPOCH]).failure();
        assert!(run.stderr.contains("no_such_variable"), "{}", run.stderr);
        assert_same_site_files(&before, &files(&public));
        assert_eq!(inodes(&public), inodes_before);
        for path in before.keys() {
            let meta = std::fs::metadata(public.join(path)).unwrap();
            assert_eq!(meta.nlink(), 1, "{path}: no staging folder still names it");
        }
    }

    fn assert_same_site_files(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (path, bytes) in a {
            assert!(bytes == &b[path], "{path} changed");
        }
    }
}

/// A rebuild takes the archive of a document the new commit did not touch
/// whole from the previous output: its pages are linked, and what the rest
/// of the site learns of its versions comes from the cache, not from
/// reading and diffing them again. The proof is an entry changed behind
/// redline's back: the site-wide changes page shows its text.
#[test]
fn a_rebuild_takes_an_untouched_documents_archive_whole_from_the_previous_output() {
    let repo = site();
    build(&repo, &[]);
    let cache = repo.path().join(".redline/cache");
    let marked = |payload: &str| payload.replacen("\"summary\":\"", "\"summary\":\"KEPT ", 1);
    assert_eq!(
        rewrite_entries(&cache, "archive", marked),
        2,
        "one per document"
    );

    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "We keep logs for 7 days."),
        "Shorter still",
        "2026-04-01T10:00:00+00:00",
    );
    let run = build(&repo, &[]);
    let changes = repo.read("public/changes/index.html");
    assert_eq!(changes.matches("KEPT ").count(), 1, "{changes}");
    let terms = repo.document("/terms/");
    let summary = terms["versions"][0]["summary"].as_str().unwrap_or_default();
    assert!(summary.starts_with("KEPT "), "{terms}");
    let privacy = repo.document("/privacy/").to_string();
    assert!(
        !privacy.contains("KEPT"),
        "the touched archive is built again"
    );
    // The untouched archive's pages are the previous build's files.
    assert!(
        run.stderr.contains("linked rather than written"),
        "{}",
        run.stderr
    );
    assert!(repo.exists("public/terms/versions/2026-01-05/index.html"));
}

/// A kept archive is taken only while its pages in the output are the
/// files the build that made it wrote: a page edited by hand, or one
/// deleted, has the archive built again, and the site is the one a build
/// without the cache writes.
#[test]
fn an_archive_whose_pages_changed_in_the_output_is_built_again() {
    let repo = site();
    build(&repo, &[]);
    let page = "public/terms/versions/2026-01-05/index.html";
    let original = repo.read(page);
    repo.write(
        page,
        original.replace("Be nice.", "Be nice. EDITED BY HAND"),
    );
    std::fs::remove_file(
        repo.path()
            .join("public/privacy/versions/2026-01-05/index.html"),
    )
    .expect("remove a page");
    build(&repo, &[]);
    assert_eq!(repo.read(page), original);
    assert!(repo.exists("public/privacy/versions/2026-01-05/index.html"));
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));
}

/// What every archive follows from is part of its key: a setting the pages
/// show builds every archive again, untouched documents included.
#[test]
fn a_changed_setting_builds_every_archive_again() {
    let repo = site();
    build(&repo, &[]);
    let page = "public/terms/versions/2026-01-05/index.html";
    assert!(!repo.read(page).contains("Renamed Site"));
    let config = if repo.exists("redline.toml") {
        repo.read("redline.toml")
    } else {
        String::new()
    };
    repo.write(
        "redline.toml",
        format!("title = \"Renamed Site\"\n{config}"),
    );
    build(&repo, &[]);
    assert!(
        repo.read(page).contains("Renamed Site"),
        "{}",
        repo.read(page)
    );
    build(&repo, &["--no-cache", "--output", "fresh"]);
    assert_same_site(&repo.path().join("public"), &repo.path().join("fresh"));
}

/// Two documents whose old versions show the same old image share its
/// copy under `_assets/`: taking one archive whole links that copy, and
/// the other archive is still taken whole, not built again because the
/// shared file now has two names.
#[test]
fn archives_sharing_an_old_file_are_both_taken_whole() {
    let repo = TestRepo::new();
    let with_logo =
        |title: &str, body: &str| policy(title, &format!("{body}\n\n![logo](../logo.png)"));
    repo.write("content/logo.png", "first logo");
    repo.write("content/privacy.md", with_logo("Privacy", "We keep logs."));
    repo.write("content/terms.md", with_logo("Terms", "Be nice."));
    repo.commit("Publish", "2026-01-05T10:00:00+00:00");
    repo.write("content/logo.png", "second logo");
    repo.write(
        "content/privacy.md",
        with_logo("Privacy", "We keep logs for 30 days."),
    );
    repo.write("content/terms.md", with_logo("Terms", "Be nice to others."));
    repo.commit("New logo", "2026-02-01T10:00:00+00:00");
    build(&repo, &[]);
    let shared: Vec<_> = entries(&repo.path().join("public/_assets"));
    assert_eq!(shared.len(), 1, "one copy of the old logo: {shared:?}");

    let cache = repo.path().join(".redline/cache");
    let marked = |payload: &str| payload.replacen("\"summary\":\"", "\"summary\":\"KEPT ", 1);
    assert_eq!(rewrite_entries(&cache, "archive", marked), 2);
    repo.write("notes.txt", "not part of the site");
    repo.commit("Notes", "2026-03-01T10:00:00+00:00");
    // One thread, so one archive has linked the copy before the other
    // looks at it.
    let one_thread = ("RAYON_NUM_THREADS", "1");
    run_redline_with(repo.path(), &["-v", "build"], &[EPOCH, one_thread]).success();
    for url in ["/privacy/", "/terms/"] {
        let document = repo.document(url);
        let summary = document["versions"][0]["summary"]
            .as_str()
            .unwrap_or_default();
        assert!(
            summary.starts_with("KEPT "),
            "{url} was built again: {document}"
        );
    }
    assert_eq!(entries(&repo.path().join("public/_assets")).len(), 1);
}
