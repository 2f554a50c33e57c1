//! axe-core (npm's accessibility checker) run in headless Chromium over the
//! built site's kinds of page, in light and dark mode: zero violations.
//! The pages are served over HTTP by a small file server here, as a host
//! would serve them, so root-relative links (the 404 page's) resolve.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use crate::harness::{TestRepo, project_root};
use crate::serve::chromium_available;
use crate::theme::browser_report;

/// axe-core's browser build: `AXE_CORE_JS`, else `node_modules/` in the
/// project (.ci/run installs it).
fn axe_core() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("node_modules/axe-core/axe.min.js"));
    let js = std::fs::read_to_string(&path).ok();
    let found = crate::harness::tool_available(
        &format!("axe-core ({})", path.display()),
        js.is_some(),
        "npm install --no-save axe-core@4.14.1, as .ci/run does, or set AXE_CORE_JS",
    );
    js.filter(|_| found)
}

/// Runs axe on the page and leaves `{dark, violations}` on the body.
const RUN_AXE: &str = r#"<script>
axe.run().then((result) => document.body.setAttribute("data-axe", JSON.stringify({
  dark: matchMedia("(prefers-color-scheme: dark)").matches,
  violations: result.violations.map((v) => ({
    id: v.id,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
  })),
})));
</script>"#;

/// Serves `root` on a port of its own until the test ends: a folder's
/// `index.html`, else `404.html` with status 404.
fn serve(root: &Path) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(&root, stream);
        }
    });
    address
}

fn answer(root: &Path, mut stream: TcpStream) {
    let mut line = String::new();
    if BufReader::new(&stream).read_line(&mut line).is_err() {
        return;
    }
    let path = line.split(' ').nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut file = root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file = file.join("index.html");
    }
    let (status, body) = match std::fs::read(&file) {
        Ok(body) if !path.contains("..") => ("200 OK", body),
        _ => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
        ),
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("css") => "text/css",
        Some("xml") => "application/atom+xml",
        _ => "text/html; charset=utf-8",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// A site with every kind of notice, headings, a table, versions and redlines.
fn site() -> TestRepo {
    let text = |effective: &str, days: &str, extra: &str| {
        format!(
            "---\ntitle: Privacy Policy\neffective: {effective}\n---\n\n## What we collect\n\nWe collect your email adress{extra}.\n\n| Data | Why |\n| --- | --- |\n| Email | Sign-in |\n\n## How long we keep data\n\nWe keep prompts for {days} days. Read [the terms](../terms/).\n"
        )
    };
    let repo = TestRepo::new();
    repo.write("content/terms.md", "---\ntitle: Terms\n---\n\nBe kind.\n");
    repo.commit_file(
        "content/privacy.md",
        &text("2026-03-02", "30", ""),
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &text("2026-04-01", "90", ""),
        "Keep prompts longer\n\nNotice: We now keep prompts for 90 days.",
        "2026-03-10T10:00:00+00:00",
    );
    repo.commit_file(
        "content/privacy.md",
        &text("2026-04-01", "90", "").replace("adress", "address"),
        "Fix a typo",
        "2026-03-12T10:00:00+00:00",
    );
    repo
}

#[test]
fn axe_core_finds_no_violations_in_light_or_dark_mode() {
    if !chromium_available() {
        return;
    }
    let Some(axe) = axe_core() else {
        return;
    };
    let repo = site();
    repo.build_on("2026-03-20");
    let public = repo.path().join("public");
    let pages = [
        "index.html",
        "privacy/index.html",
        "privacy/versions/2026-03-02/index.html",
        "privacy/changes/2026-03-10/index.html",
        "privacy/versions/index.html",
        "changes/index.html",
        "404.html",
    ];
    let address = serve(&public);
    let mut found = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(public.join(page)).expect("built");
        let checked = html.replace(
            "</body>",
            &format!("<script>{axe}</script>{RUN_AXE}</body>"),
        );
        let copy = Path::new(page).with_file_name("axe-check.html");
        std::fs::write(public.join(&copy), checked).expect("write the copy");
        let url = format!("http://{address}/{}", copy.display());
        for (scheme, dark) in [("1", false), ("0", true)] {
            let report = browser_report(
                &url,
                &[&format!("--blink-settings=preferredColorScheme={scheme}")],
                "data-axe",
            );
            assert_eq!(report["dark"], dark, "the color scheme took: {report}");
            let violations = report["violations"].as_array().expect("violations");
            if !violations.is_empty() {
                found.push(format!("{page} (dark: {dark}): {report:#}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
