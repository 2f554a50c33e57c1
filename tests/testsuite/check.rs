//! `redline check`: one fixture per lint that triggers it and one that does
//! not, levels from config, front matter and inline comments, the four
//! output formats, `build --check`, and the example site and `init` passing
//! clean. Every run is pinned to a build day with `SOURCE_DATE_EPOCH`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::harness::{Run, TestRepo, policy, project_root, run_redline_with};

/// `SOURCE_DATE_EPOCH` for noon UTC on `day`.
fn epoch(day: &str) -> String {
    day.parse::<jiff::civil::Date>()
        .expect("a YYYY-MM-DD day")
        .at(12, 0, 0, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .expect("a real day")
        .timestamp()
        .as_second()
        .to_string()
}

/// `redline check ARGS` as if run on `day`.
fn check_on(repo: &TestRepo, day: &str, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    run_redline_with(repo.path(), &all, &[("SOURCE_DATE_EPOCH", &epoch(day))])
}

/// The findings of a `--format json` run on `day`, as (lint, level, line).
fn findings(repo: &TestRepo, day: &str) -> Vec<(String, String, Option<u64>)> {
    let run = check_on(repo, day, &["--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("json output");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["lint"].as_str().expect("lint").to_string(),
                f["level"].as_str().expect("level").to_string(),
                f["span"]["line"].as_u64(),
            )
        })
        .collect()
}

fn lints(repo: &TestRepo, day: &str) -> Vec<String> {
    findings(repo, day).into_iter().map(|f| f.0).collect()
}

const D1: &str = "2026-03-03T10:00:00+00:00";

fn one_policy(body: &str, date: &str) -> TestRepo {
    TestRepo::committed(&[("content/privacy.md", policy("Privacy", body))], date)
}

#[test]
fn hand_typed_month_that_git_contradicts_is_denied_on_its_line() {
    let repo = one_policy("Last Updated: January 2025\n\nWe keep data.", D1);
    let run = check_on(&repo, "2026-03-10", &[]).failure();
    // Front matter is 3 lines and a blank line: the body's first line is 5.
    assert!(
        run.stdout.contains("error[hand-typed-date]")
            && run.stdout.contains("--> content/privacy.md:5:1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2026-03-03"), "{}", run.stdout);
    assert!(run.stderr.contains("check found 1 error"), "{}", run.stderr);
}

#[test]
fn hand_typed_iso_date_that_git_contradicts_is_found() {
    let repo = one_policy(
        "**Last Updated:** 2026-03-03\n\nWe keep data.",
        "2026-04-10T09:00:00+00:00",
    );
    assert_eq!(
        findings(&repo, "2026-04-11"),
        [("hand-typed-date".into(), "deny".into(), Some(5))]
    );
}

#[test]
fn hand_typed_date_that_git_agrees_with_is_not_a_finding() {
    let repo = one_policy(
        "Last Updated: 2026-03-03\n\nEffective as of March 2026.",
        D1,
    );
    check_on(&repo, "2026-03-10", &[]).success();
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
}

#[test]
fn a_policy_unchanged_for_more_than_stale_months_is_stale() {
    let repo = one_policy("We keep data.", "2024-01-10T10:00:00+00:00");
    assert_eq!(lints(&repo, "2025-01-09"), Vec::<String>::new());
    assert_eq!(lints(&repo, "2025-01-11"), ["stale-policy"]);
    repo.write("redline.toml", "[check]\nstale_months = 24\n");
    repo.commit("Review every two years", "2024-01-11T10:00:00+00:00");
    assert_eq!(lints(&repo, "2025-01-11"), Vec::<String>::new());
}

/// A policy with a first version, then a material change committed with
/// `message` and `effective` in its front matter.
fn material_change(message: &str, effective: Option<&str>) -> TestRepo {
    let repo = one_policy("We keep data for 90 days.", "2026-01-05T10:00:00+00:00");
    let front = effective.map_or(String::new(), |e| format!("effective: {e}\n"));
    repo.write(
        "content/privacy.md",
        format!("---\ntitle: Privacy\n{front}---\n\nWe keep data for 400 days.\n"),
    );
    repo.commit(message, "2026-03-01T10:00:00+00:00");
    repo
}

#[test]
fn a_material_change_with_only_the_generated_summary_lacks_a_notice() {
    let bare = material_change("Keep data longer", Some("2026-04-15"));
    assert_eq!(lints(&bare, "2026-03-02"), ["material-without-notice"]);
    // Once the change is no longer announced, it is history: not judged.
    assert_eq!(lints(&bare, "2026-05-20"), Vec::<String>::new());
    let noticed = material_change(
        "Keep data longer\n\nNotice: We now keep your data for 400 days.",
        Some("2026-04-15"),
    );
    assert_eq!(lints(&noticed, "2026-03-02"), Vec::<String>::new());
}

#[test]
fn a_material_change_taking_effect_too_soon_has_a_short_notice_period() {
    let notice = "Keep data longer\n\nNotice: We now keep your data for 400 days.";
    let soon = material_change(notice, Some("2026-03-11"));
    assert_eq!(lints(&soon, "2026-03-02"), ["short-notice-period"]);
    let run = check_on(&soon, "2026-03-02", &[]).success();
    assert!(
        run.stdout.contains("effective: 2026-03-31"),
        "{}",
        run.stdout
    );
    let enough = material_change(notice, Some("2026-03-31"));
    assert_eq!(lints(&enough, "2026-03-02"), Vec::<String>::new());
    // No effective date: judged only once min_notice_days is set.
    let undated = material_change(notice, None);
    assert_eq!(lints(&undated, "2026-03-02"), Vec::<String>::new());
    undated.write("redline.toml", "[check]\nmin_notice_days = 14\n");
    assert_eq!(lints(&undated, "2026-03-02"), ["short-notice-period"]);
}

#[test]
fn wording_that_leaves_changes_to_the_reader_is_found_across_lines() {
    let repo = one_policy(
        "We may change this policy.\nPlease review this policy\nperiodically for changes.",
        D1,
    );
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [("check-back-wording".into(), "warn".into(), Some(6))]
    );
    let fine = one_policy(
        "We will email you 30 days before a material change takes effect.",
        D1,
    );
    assert_eq!(lints(&fine, "2026-03-10"), Vec::<String>::new());
}

#[test]
fn links_to_old_addresses_aliases_and_withdrawn_documents_still_resolve() {
    let repo = TestRepo::committed(
        &[
            ("content/old-terms.md", policy("Terms", "Be nice.")),
            ("content/cookies.md", policy("Cookies", "We use cookies.")),
            (
                "content/privacy.md",
                "---\ntitle: Privacy\naliases: /privacy-policy/\n---\n\nSee [terms](/old-terms/), \
                 [old version](/old-terms/versions/2026-03-03/), [cookies](/cookies/) \
                 and [us](/privacy-policy/).\n"
                    .to_string(),
            ),
        ],
        D1,
    );
    repo.git(&["mv", "content/old-terms.md", "content/terms.md"]);
    repo.git(&["rm", "-q", "content/cookies.md"]);
    repo.commit(
        "Move the terms, withdraw cookies",
        "2026-03-04T10:00:00+00:00",
    );
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
    // The build writes a page at each of those addresses.
    repo.build();
    for page in [
        "old-terms",
        "old-terms/versions/2026-03-03",
        "cookies",
        "privacy-policy",
    ] {
        assert!(repo.exists(&format!("public/{page}/index.html")), "{page}");
    }
}

#[test]
fn links_to_pages_headings_versions_and_assets_the_site_lacks_are_broken() {
    let repo = TestRepo::committed(
        &[
            (
                "content/privacy.md",
                policy(
                    "Privacy",
                    "## Contact\n\nSee [terms](/terms/#fees), [contact](#contact), \
                     [v1](versions/2026-03-03/#contact) and ![logo](../logo.png).\n\n\
                     Broken: [gone](/gone/), [no heading](../terms/#nothing), \
                     [no version](versions/2020-01-01/), [old heading](versions/2026-03-03/#removed), \
                     ![no image](/missing.png)\n",
                ),
            ),
            ("content/terms.md", policy("Terms", "## Fees\n\nNone.")),
            ("content/logo.png", "png".to_string()),
        ],
        D1,
    );
    let found = findings(&repo, "2026-03-10");
    assert_eq!(
        found,
        vec![("broken-link".to_string(), "deny".to_string(), Some(9)); 5],
        "{found:?}"
    );
    let run = check_on(&repo, "2026-03-10", &["--format", "json"]);
    for target in [
        "/gone/",
        "#nothing",
        "/privacy/versions/2020-01-01/",
        "#removed",
        "/missing.png",
    ] {
        assert!(run.stdout.contains(target), "{target}: {}", run.stdout);
    }
}

#[test]
fn raw_html_the_sanitizer_takes_out_is_reported_on_its_line() {
    let table = "We keep data.\n\n<table><tr><td><p>Kept</p></td></tr></table>";
    let repo = one_policy(table, D1);
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
    let repo = one_policy(
        &format!(
            "{table}\n\n<p onclick=\"track()\">Click</p>\n\n<iframe src=\"https://x.example\"></iframe>"
        ),
        D1,
    );
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [
            ("sanitized-html".into(), "warn".into(), Some(9)),
            ("sanitized-html".into(), "warn".into(), Some(11)),
        ]
    );
    let human = check_on(&repo, "2026-03-10", &[]);
    assert!(
        human.stdout.contains("the onclick attribute") && human.stdout.contains("<iframe>"),
        "{}",
        human.stdout
    );
}

#[test]
fn uncommitted_changes_are_unpublished() {
    let repo = one_policy("We keep data.", D1);
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
    repo.write(
        "content/privacy.md",
        policy("Privacy", "We keep less data."),
    );
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [("unpublished".into(), "warn".into(), None)]
    );
}

#[test]
fn an_ignored_commit_that_readers_can_see_is_denied() {
    let repo = one_policy("We keep data.", D1);
    repo.write("content/privacy.md", policy("Privacy", "We keep   data."));
    let invisible = repo.commit("Reflow", "2026-03-04T10:00:00+00:00");
    repo.write(".git-blame-ignore-revs", format!("{invisible}\n"));
    repo.commit("Ignore the reflow", "2026-03-04T11:00:00+00:00");
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
    repo.write("content/privacy.md", policy("Privacy", "We sell data."));
    let visible = repo.commit("Sneaky", "2026-03-05T10:00:00+00:00");
    repo.write(
        ".git-blame-ignore-revs",
        format!("{invisible}\n{visible}\n"),
    );
    repo.commit("Ignore it", "2026-03-05T11:00:00+00:00");
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [("ignored-visible-change".into(), "deny".into(), None)]
    );
}

#[test]
fn required_sections_are_opt_in_and_matched_case_insensitively() {
    let repo = one_policy(
        "## Contact us\n\nWrite to us.\n\n## Your  Rights\n\nMany.",
        D1,
    );
    assert_eq!(lints(&repo, "2026-03-10"), Vec::<String>::new());
    repo.write(
        "redline.toml",
        "[check.required_sections]\n\"privacy*.md\" = [\"contact us\", \"your rights\", \"How long we keep data\"]\n\"terms.md\" = [\"Fees\"]\n",
    );
    let run = check_on(&repo, "2026-03-10", &[]).failure();
    assert_eq!(lints(&repo, "2026-03-10"), ["required-sections"]);
    assert!(
        run.stdout.contains("\"How long we keep data\""),
        "{}",
        run.stdout
    );
}

#[test]
fn levels_come_from_config_then_front_matter_then_the_line() {
    let body = "Last updated: 2020-01-01\n\nLast updated: 2021-01-01 <!-- redline-allow: hand-typed-date -->\n\n<!-- redline-allow: hand-typed-date -->\nLast updated: 2022-01-01\n\nReview this page regularly.";
    let repo = one_policy(body, D1);
    // The comment silences its own line, or the next when alone on its line.
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [
            ("hand-typed-date".into(), "deny".into(), Some(5)),
            ("check-back-wording".into(), "warn".into(), Some(12)),
        ]
    );
    repo.write(
        "redline.toml",
        "[check]\nwarn = [\"hand-typed-date\"]\ndeny = [\"check-back-wording\"]\n",
    );
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [
            ("hand-typed-date".into(), "warn".into(), Some(5)),
            ("check-back-wording".into(), "deny".into(), Some(12)),
        ]
    );
    repo.write(
        "content/privacy.md",
        format!("---\ntitle: Privacy\ncheck:\n  allow: [check-back-wording]\n---\n\n{body}\n"),
    );
    assert_eq!(
        findings(&repo, "2026-03-10"),
        [
            ("unpublished".into(), "warn".into(), None),
            ("hand-typed-date".into(), "warn".into(), Some(7)),
        ]
    );
}

#[test]
fn an_unknown_lint_id_is_an_error_naming_where_it_is() {
    let repo = one_policy("Text. <!-- redline-allow: hand-typed-dates -->", D1);
    let run = check_on(&repo, "2026-03-10", &[]).failure();
    assert!(
        run.stderr
            .contains("content/privacy.md:5: `hand-typed-dates` in `redline-allow` is not a lint"),
        "{}",
        run.stderr
    );
    repo.write("redline.toml", "[check]\nallow = [\"broken-links\"]\n");
    let run = check_on(&repo, "2026-03-10", &[]).failure();
    assert!(
        run.stderr.contains("`broken-links` is not a lint"),
        "{}",
        run.stderr
    );
    let usage = check_on(&repo, "2026-03-10", &["--format", "xml"]);
    assert_eq!(usage.code, 2, "{}", usage.stderr);
}

/// A site with one finding of each level, for the format snapshots.
fn formats_fixture() -> TestRepo {
    one_policy(
        "Last Updated: January 2025\n\nPlease check this page regularly. See [terms](/terms/).",
        D1,
    )
}

#[test]
fn human_output_quotes_the_line_with_a_caret_and_help() {
    let run = check_on(&formats_fixture(), "2026-03-10", &[]).failure();
    insta::assert_snapshot!("check_human", run.stdout);
}

#[test]
fn json_output() {
    let run = check_on(&formats_fixture(), "2026-03-10", &["--format", "json"]).failure();
    insta::assert_snapshot!("check_json", run.stdout);
}

#[test]
fn github_output_is_workflow_commands() {
    let run = check_on(&formats_fixture(), "2026-03-10", &["--format", "github"]).failure();
    insta::assert_snapshot!("check_github", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    for line in lines {
        // ::COMMAND key=value,key=value::MESSAGE, with no raw newline.
        let rest = line.strip_prefix("::").expect("starts with ::");
        let (head, message) = rest.split_once("::").expect("a :: before the message");
        let (command, properties) = head.split_once(' ').expect("command and properties");
        assert!(matches!(command, "error" | "warning"), "{command}");
        let properties: Vec<(&str, &str)> = properties
            .split(',')
            .map(|p| p.split_once('=').expect("key=value"))
            .collect();
        assert_eq!(properties[0], ("file", "content/privacy.md"));
        assert!(properties.iter().any(|(k, _)| *k == "title"));
        for (key, value) in &properties {
            assert!(
                ["file", "line", "col", "endColumn", "title"].contains(key),
                "{key}"
            );
            assert!(!value.contains([':', ',']), "{value}");
        }
        assert!(
            !message.is_empty() && message.contains("%0Ahelp: "),
            "{message}"
        );
    }
}

#[test]
fn sarif_output_has_the_required_fields_of_2_1_0() {
    let run = check_on(&formats_fixture(), "2026-03-10", &["--format", "sarif"]).failure();
    insta::assert_snapshot!("check_sarif", run.stdout);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["tool"]["driver"]["name"], "redline");
    let rules: Vec<&str> = runs[0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    for result in results {
        let rule = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index], rule);
        assert!(
            result["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(matches!(
            result["level"].as_str(),
            Some("error" | "warning")
        ));
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "content/privacy.md");
        assert!(
            location["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
    }
}

#[test]
fn build_check_refuses_on_deny_and_leaves_the_previous_site() {
    let repo = one_policy("We keep data.", D1);
    repo.redline(&["build", "--check"]).success();
    let before = repo.read("public/versions.json");
    let page = repo.read("public/privacy/index.html");
    repo.write(
        "content/privacy.md",
        policy("Privacy", "Last updated: 2019-05-01\n\nWe keep less data."),
    );
    repo.commit("Less data", "2026-03-05T10:00:00+00:00");
    let run = repo.redline(&["build", "--check"]).failure();
    assert!(
        run.stderr.contains("error[hand-typed-date]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--check: nothing was built"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.read("public/versions.json"), before);
    assert_eq!(repo.read("public/privacy/index.html"), page);
    // Without --check the build goes ahead.
    repo.build();
    assert_ne!(repo.read("public/versions.json"), before);
}

#[test]
fn the_example_site_and_init_pass_clean() {
    let example = run_redline_with(
        &project_root(),
        &["check"],
        &[("SOURCE_DATE_EPOCH", &epoch("2026-11-28"))],
    )
    .success();
    assert!(
        example
            .stdout
            .ends_with("check: 0 errors, 0 warnings in 4 documents\n"),
        "{}",
        example.stdout
    );
    let dir = TestRepo::folder();
    let site = dir.path().join("site");
    let site = site.to_str().expect("utf-8 path");
    crate::harness::run_redline(dir.path(), &["init", site]).success();
    let run = crate::harness::run_redline(dir.path(), &["check", "--root", site]).success();
    assert!(
        run.stdout.contains("0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_site_map_is_exactly_what_the_build_writes() {
    let repo = TestRepo::committed(
        &[
            ("content/privacy.md", policy("Privacy", "One.")),
            ("content/legal/terms.md", policy("Terms", "Two.")),
            ("content/img/logo.png", "png".to_string()),
        ],
        D1,
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "One more."),
        "Edit",
        "2026-03-03T12:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &policy("Privacy", "Two more."),
        "Edit",
        "2026-03-05T12:00:00+00:00",
    );
    repo.build();
    let public = repo.path().join("public");
    let written: BTreeSet<String> = walkdir::WalkDir::new(&public)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(&public)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            format!("/{}", rel.strip_suffix("index.html").unwrap_or(&rel))
        })
        .filter(|p| !p.starts_with("/.redline"))
        .collect();
    let config = redline::source::config::Config::load(&redline::source::config::Overrides {
        root: repo.path().to_path_buf(),
        ..Default::default()
    })
    .expect("config");
    let content = redline::source::content::load(&config, false).expect("content");
    let history = redline::history::read(&config, &content.documents).expect("history");
    let map =
        redline::check::site_map::SiteMap::new(&config, &content, &history).expect("site map");
    let mapped: BTreeSet<String> = map.paths.into_iter().collect();
    assert_eq!(mapped, written);
}

#[test]
fn the_github_workflow_parses_and_fetches_the_whole_history() {
    let path = project_root().join("examples/ci/github-pages.yml");
    let text = std::fs::read_to_string(&path).expect("the workflow exists");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let steps: Vec<&serde_yaml::Value> = workflow["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_sequence().into_iter().flatten())
        .collect();
    let checkout = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout"))
        })
        .expect("a checkout step");
    assert_eq!(checkout["with"]["fetch-depth"].as_u64(), Some(0));
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("redline check --format github")),
        "{runs:?}"
    );
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/deploy-pages"))
    }));
    let gitlab = std::fs::read_to_string(project_root().join("examples/ci/gitlab-ci.yml"))
        .expect("the GitLab file");
    let gitlab: serde_yaml::Value = serde_yaml::from_str(&gitlab).expect("valid YAML");
    assert_eq!(gitlab["variables"]["GIT_DEPTH"].as_u64(), Some(0));
}
