//! `redline init DIR`: a new policy site with a config, a sample policy and a
//! git repository holding a first commit, so history works at once.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use git2::{IndexAddOption, Repository, Signature};

/// Top-level settings first, the tables last and commented out, so a key a
/// user appends at the end is a top-level setting, not template data.
const CONFIG: &str = r#"# redline site settings. Every key is optional; an unknown key is an error.
title = "Legal"
# description = ""
# base_url = "https://example.com/legal/"  # canonical links, absolute sitemap
default_language = "en"
# timezone = "Europe/Berlin"        # default: each commit's own UTC offset
# date_format = "%B %-d, %Y"        # default: the language's own long date (CLDR)
# exclude = ["README.md"]          # left out of the site
# notice_days = 30                  # how long a material change is announced
# publish_authors = false           # name commit authors in versions.json and feeds
# publish_commit_subjects = false   # publish raw commit subjects there too

# Tables come last: every key below a [table] line belongs to that table.
# [email]                           # change notices (redline notify)
# from = "Privacy Team <privacy@example.com>"
#
# [extra]                           # anything; templates see it as site.extra
"#;

const SAMPLE: &str = r#"---
title: Privacy Policy
description: How we collect, use and protect personal data.
effective: 2026-01-01
---

This policy explains what personal data we collect, why, and the choices you
have. redline dates this page from git: edit it, commit, and "Last updated"
follows the last change a reader can see.

## What we collect

| Type of data | What we collect | Why |
| --- | --- | --- |
| Account | Name, e-mail address | To run your account |
| Usage | Pages visited, device type | To keep the service secure |

## Your rights

You can ask for a copy of your data, correct it, or have it deleted.

## Contact us

Write to privacy@example.com.
"#;

/// The built site, the folders a build makes beside it while it runs and
/// the notify lock are not sources; the notify ledger is
/// (keep it with the site).
const GITIGNORE: &str =
    "/public/\n/.redline/*.lock\n/.redline/cache/\n.redline-staging-*\n.redline-previous-*\n";

/// The config for `codes` (the default first).
fn site_config(codes: &[String]) -> String {
    let Some((default, others)) = codes.split_first() else {
        return CONFIG.to_string();
    };
    let mut config = CONFIG.replacen(
        "default_language = \"en\"",
        &format!("default_language = \"{default}\""),
        1,
    );
    for code in others {
        config.push_str(&format!(
            "\n[languages.{code}]                 # pages at /{}/…, from privacy.{code}.md\ntitle = \"Legal\"\n",
            code.to_ascii_lowercase()
        ));
    }
    config
}

/// Creates the site in `dir` (which may exist but must be empty), in
/// `languages` (the default first; none: English only).
pub fn init(dir: &Path, languages: &[String]) -> Result<()> {
    let codes: Vec<String> = languages
        .iter()
        .map(|code| crate::source::languages::parse_code(code, "--languages"))
        .collect::<Result<_>>()?;
    let config = site_config(&codes);
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; redline init only creates new sites (pick a new or empty folder)",
                dir.display()
            );
        }
    }
    fs::create_dir_all(dir.join("content"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files = vec![
        ("redline.toml".to_string(), config),
        ("content/privacy.md".to_string(), SAMPLE.to_string()),
        (".gitignore".to_string(), GITIGNORE.to_string()),
    ];
    for code in codes.iter().skip(1) {
        files.push((
            format!("content/privacy.{code}.md"),
            SAMPLE.replacen(
                "---\n\n",
                &format!("---\n\n<!-- The {code} translation of privacy.md: translate this text. Commit it with each material change of privacy.md, or readers are told it is out of date. -->\n\n"),
                1,
            ),
        ));
    }
    for (name, text) in &files {
        fs::write(dir.join(name), text)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))?;
    }
    first_commit(dir).context("the site was created, but its first git commit failed")
}

fn first_commit(dir: &Path) -> Result<()> {
    let repo = Repository::init(dir)?;
    let mut index = repo.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let signature = repo
        .signature()
        .or_else(|_| Signature::now("redline", "redline@localhost"))?;
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        "Start the policy site",
        &tree,
        &[],
    )?;
    Ok(())
}
