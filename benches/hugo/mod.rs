//! Hugo as the reference build, set up and run one way for every benchmark
//! that compares with it: a minimal site over the repository's own
//! `content/` and a build into a given folder. Needs `mod measure;` beside it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use crate::measure::{self, Run, run_measured};

/// Installs Debian's Hugo (and `/usr/bin/time`, which measures it) when missing.
pub fn ensure_installed() {
    measure::ensure_installed("hugo", &["version"], "hugo");
    measure::ensure_installed("/usr/bin/time", &["--version"], "time");
}

/// Hugo's version line.
pub fn version() -> String {
    measure::first_line("hugo", &["version"])
}

/// Writes a minimal Hugo site over the repository's own `content/`: pages
/// with the title, navigation, `.Lastmod` and the content, a home page
/// listing every page, and nothing redline does not also build (no
/// taxonomies, no RSS). Hugo must run inside the repository for
/// `enableGitInfo` to find it.
pub fn write_site(repo: &Path) {
    let config = r#"baseURL = "https://example.com/"
title = "Legal"
enableGitInfo = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"#;
    let nav = r#"<nav>{{ range .Site.RegularPages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav>"#;
    let single = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{{{ .Title }}}}</title></head><body>
{nav}
<h1>{{{{ .Title }}}}</h1>
<p>Last updated <time datetime="{{{{ .Lastmod.UTC.Format "2006-01-02" }}}}">{{{{ .Lastmod.Format "January 2, 2006" }}}}</time></p>
{{{{ .Content }}}}
</body></html>
"#
    );
    let list = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{{{ .Title }}}}</title></head><body>
{nav}
<ul>{{{{ range .Pages }}}}<li><a href="{{{{ .RelPermalink }}}}">{{{{ .Title }}}}</a> {{{{ .Lastmod.Format "January 2, 2006" }}}}</li>{{{{ end }}}}</ul>
</body></html>
"#
    );
    // One `lastmod <path> <day>` line per page, for the date check.
    let index = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head><body>
<pre>
{{ range .Site.RegularPages }}lastmod {{ .File.Path }} {{ .Lastmod.UTC.Format "2006-01-02" }}
{{ end }}</pre>
</body></html>
"#;
    let layouts = repo.join("layouts/_default");
    std::fs::create_dir_all(&layouts).expect("layouts dir");
    std::fs::write(repo.join("config.toml"), config).expect("hugo config");
    std::fs::write(layouts.join("single.html"), single).expect("single.html");
    std::fs::write(layouts.join("list.html"), list).expect("list.html");
    std::fs::write(repo.join("layouts/index.html"), index).expect("index.html");
}

/// A Hugo build of `repo` into `destination` (absolute). Its `resources/`
/// cache is removed first, so every build is cold.
pub fn build(repo: &Path, destination: &Path) -> Run {
    let resources = repo.join("resources");
    if resources.exists() {
        std::fs::remove_dir_all(&resources).expect("remove Hugo's resources/");
    }
    let destination = destination.to_string_lossy();
    run_measured(
        repo,
        Path::new("hugo"),
        &["--quiet", "--destination", &destination],
    )
}

/// Hugo's last-modified day per source path relative to `content/`, from
/// the home page of a build in `public`.
pub fn lastmod(public: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(public.join("index.html")).expect("Hugo's index.html");
    text.lines()
        .filter_map(|l| l.strip_prefix("lastmod "))
        .filter_map(|l| l.split_once(' '))
        .map(|(path, day)| (path.to_string(), day.to_string()))
        .collect()
}
