//! `redline serve` end to end: the real binary on port 0, spoken to over real
//! HTTP with raw sockets (so traversal attempts arrive unnormalised), real
//! file edits and commits, and a real headless Chromium. Every wait polls a
//! condition with a generous timeout; nothing asserts how long anything took.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{TestRepo, policy};

const DATE: &str = "2026-03-03T10:00:00+00:00";
const TIMEOUT: Duration = Duration::from_secs(60);

/// A running `redline serve`, killed when dropped.
struct Server {
    child: Child,
    address: String,
    /// The line that announced the URL.
    announced: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    fn start_with(root: &Path, extra: &[&str]) -> Server {
        let port: &[&str] = if extra.contains(&"--port") {
            &[]
        } else {
            &["--port", "0"]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_redline"))
            .arg("serve")
            .args(port)
            .arg("--root")
            .arg(root)
            .args(extra)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redline serve starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut text = sink.lock().expect("stderr lock");
                text.push_str(&line);
                text.push('\n');
            }
        });
        let (sender, urls) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let line = urls.recv_timeout(TIMEOUT).unwrap_or_else(|_| {
            panic!(
                "redline serve printed no URL; stderr:\n{}",
                stderr.lock().expect("stderr lock")
            )
        });
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        assert!(
            extra.contains(&"--bind") || address.starts_with("127.0.0.1:"),
            "loopback by default: {address}"
        );
        Server {
            child,
            address,
            announced: line,
            stderr,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Sends `head` (request line and headers, without the blank line) as is.
    fn raw(&self, head: &[u8]) -> Reply {
        raw_request(&self.address, head)
    }

    fn request(&self, method: &str, target: &str) -> Reply {
        self.raw(format!("{method} {target} HTTP/1.1\r\nHost: {}", self.address).as_bytes())
    }

    fn get(&self, target: &str) -> Reply {
        self.request("GET", target)
    }

    /// Polls `target` until `check` holds; panics with the last reply if not.
    #[track_caller]
    fn wait_for(&self, target: &str, what: &str, check: impl Fn(&Reply) -> bool) -> Reply {
        let started = Instant::now();
        loop {
            let reply = self.get(target);
            if check(&reply) {
                return reply;
            }
            if started.elapsed() > TIMEOUT {
                panic!(
                    "{target} never showed {what}; last reply {}:\n{}\nserver stderr:\n{}",
                    reply.status,
                    reply.body,
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Opens the live-reload stream; build ids arrive on the receiver.
    fn events(&self) -> Receiver<String> {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        write!(
            stream,
            "GET /__redline/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.address
        )
        .expect("send");
        let (sender, ids) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("data: ")
                    && sender.send(id.to_string()).is_err()
                {
                    return;
                }
            }
        });
        ids
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

/// One request on a fresh connection, asking the server to close it. The
/// reply ends at its Content-Length (Chromium's DevTools server keeps the
/// connection open regardless) or at EOF. A connection closed without a
/// reply has status 0.
fn raw_request(address: &str, head: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    stream.write_all(head).expect("send");
    stream
        .write_all(b"\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|length| bytes.len() >= end + 4 + length) {
                break;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => bytes.extend_from_slice(&chunk[..read]),
        }
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Sends `bytes` exactly as given and reads the reply until the server
/// closes the connection (status 0: closed without a reply).
fn exact_request(address: &str, bytes: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
    stream.write_all(bytes).expect("send");
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    Reply {
        status: head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// Waits for a build id other than `seen` on the event stream.
#[track_caller]
fn next_build(ids: &Receiver<String>, seen: &str) -> String {
    let deadline = Instant::now() + TIMEOUT;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match ids.recv_timeout(left) {
            Ok(id) if id != seen => return id,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("no reload event after build {seen}");
}

fn site() -> TestRepo {
    TestRepo::committed(
        &[
            (
                "content/privacy.md",
                policy(
                    "Privacy Policy",
                    "## What we collect\n\nWe collect your email address.",
                ),
            ),
            ("content/terms.md", policy("Terms", "Be nice.")),
        ],
        DATE,
    )
}

#[test]
fn pages_follow_the_http_rules() {
    let repo = site();
    let server = Server::start(repo.path());

    let page = server.get("/privacy/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("We collect your email address."));
    assert!(
        page.body.contains("/__redline/events"),
        "live reload injected"
    );

    let redirect = server.get("/privacy");
    assert!(matches!(redirect.status, 301 | 308), "{}", redirect.head);
    assert_eq!(redirect.header("Location"), Some("/privacy/"));

    let missing = server.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's 404 page");

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(!css.body.contains("<script"), "only HTML gets the script");
    assert_eq!(
        server.get("/feed.xml").header("Content-Type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(
        server.get("/versions.json").header("Content-Type"),
        Some("application/json; charset=utf-8")
    );

    let head = server.request("HEAD", "/privacy/");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "", "HEAD has no body");
    assert_eq!(
        head.header("Content-Length"),
        page.header("Content-Length"),
        "HEAD announces the GET's length"
    );

    for method in ["POST", "PUT", "DELETE", "OPTIONS"] {
        let reply = server.request(method, "/privacy/");
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
    }
    assert!(!repo.exists("public"), "serve never writes public/");
}

#[test]
fn nothing_outside_the_site_is_served() {
    let repo = site();
    let outside = TestRepo::folder();
    outside.write("secret.txt", "TOP-SECRET-OUTSIDE");
    // Files are served from the site built in memory, so a path can only
    // name a file the build produced: symlinks cannot escape at serve time.
    // The build itself leaves out symlinks that point out of the site.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        repo.path().join("content/leak.txt"),
    )
    .expect("symlink");
    let server = Server::start(repo.path());
    let secret = "TOP-SECRET-OUTSIDE";

    let targets: &[&[u8]] = &[
        b"/../secret.txt",
        b"/../../../../etc/passwd",
        b"/privacy/../../etc/passwd",
        b"/privacy/../privacy/",
        b"/./privacy/",
        b"/privacy/%2e/",
        b"/%2e%2e/%2e%2e/etc/passwd",
        b"/%2E%2E/secret.txt",
        b"/..%2f..%2fetc%2fpasswd",
        b"/..%5c..%5cetc%5cpasswd",
        b"/privacy\\..\\..\\etc\\passwd",
        b"/c:/windows/win.ini",
        b"/C:%5cwindows%5cwin.ini",
        b"/privacy/index.html%00.txt",
        b"/%00",
        b"/%ff%fe/",
        b"/%c0%ae%c0%ae/etc/passwd",
        b"/%zz",
        b"http://127.0.0.1/privacy/",
        b"http://example.com/../etc/passwd",
        b"*",
    ];
    for target in targets {
        let mut head = b"GET ".to_vec();
        head.extend_from_slice(target);
        head.extend_from_slice(format!(" HTTP/1.1\r\nHost: {}", server.address).as_bytes());
        let reply = server.raw(&head);
        let shown = String::from_utf8_lossy(target);
        // 400, not 404: the target is refused for what it is, not looked
        // up (and not found) in the site.
        assert_eq!(reply.status, 400, "{shown} gave {}", reply.head);
        assert!(!reply.body.contains(secret) && !reply.body.contains("root:"));
    }

    // Raw bytes that are not UTF-8 in the request line.
    let reply = server.raw(b"GET /\xff\xfe/ HTTP/1.1\r\nHost: 127.0.0.1");
    assert_eq!(reply.status, 400, "{}", reply.head);

    let leak = server.get("/leak.txt");
    assert_eq!(leak.status, 404, "the outside file is not published");
    assert!(!leak.body.contains(secret));
    assert_eq!(server.get("/privacy/").status, 200, "still serving");
}

#[test]
fn edits_are_rebuilt_and_announced() {
    let repo = site();
    let server = Server::start(repo.path());
    let events = server.events();
    let first = next_build(&events, "");

    // A plain write.
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We collect your postal address."),
    );
    server.wait_for("/privacy/", "the plain write", |r| {
        r.body.contains("We collect your postal address.")
    });
    let second = next_build(&events, &first);

    // Write a temporary file, then rename it over the original (vim,
    // JetBrains and many tools save this way).
    let temporary = repo.path().join("content/.privacy.md.tmp-1234");
    std::fs::write(
        &temporary,
        policy("Privacy Policy", "We collect your phone number."),
    )
    .unwrap();
    std::fs::rename(&temporary, repo.path().join("content/privacy.md")).unwrap();
    server.wait_for("/privacy/", "the renamed file", |r| {
        r.body.contains("We collect your phone number.")
    });
    next_build(&events, &second);

    // A new document appears too.
    repo.write("content/cookies.md", policy("Cookies", "No cookies."));
    server.wait_for("/cookies/", "the new document", |r| {
        r.status == 200 && r.body.contains("No cookies.")
    });
    assert!(!repo.exists("public"), "serve never writes public/");
}

#[test]
fn errors_stay_in_view_and_recover() {
    let repo = site();
    let server = Server::start(repo.path());

    repo.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock content %}\n",
    );
    let broken = server.wait_for("/privacy/", "the template error", |r| r.status == 500);
    assert!(
        broken.body.contains("templates/page.html"),
        "{}",
        broken.body
    );
    assert!(
        broken.body.contains("/__redline/events"),
        "the error page reloads too"
    );
    assert!(server.stderr().contains("templates/page.html"));
    assert_eq!(server.get("/style.css").status, 200, "assets stay served");

    std::fs::remove_file(repo.path().join("templates/page.html")).unwrap();
    server.wait_for("/privacy/", "the page again", |r| {
        r.status == 200 && r.body.contains("We collect your email address.")
    });

    repo.write(
        "content/privacy.md",
        "---\ntitle: Privacy\ntopics: [a, b\n---\nText\n",
    );
    let broken = server.wait_for("/privacy/", "the front-matter error", |r| r.status == 500);
    assert!(
        broken.body.contains("content/privacy.md:"),
        "{}",
        broken.body
    );
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "Fixed text."),
    );
    server.wait_for("/privacy/", "the fixed page", |r| {
        r.status == 200 && r.body.contains("Fixed text.")
    });
}

#[test]
fn uncommitted_changes_get_a_draft_redline_and_a_commit_a_version() {
    let repo = site();
    let server = Server::start(repo.path());
    let page = server.get("/privacy/");
    assert!(!page.body.contains("Unpublished changes"));

    repo.write(
        "content/privacy.md",
        policy(
            "Privacy Policy",
            "## What we collect\n\nWe collect your email address and your location.",
        ),
    );
    let page = server.wait_for("/privacy/", "the unpublished banner", |r| {
        r.body.contains("Unpublished changes")
    });
    assert!(
        page.body.contains("privacy/changes/draft/"),
        "{}",
        page.body
    );
    let draft = server.get("/privacy/changes/draft/");
    assert_eq!(draft.status, 200);
    assert!(draft.body.contains("<ins>"), "{}", draft.body);
    assert!(draft.body.contains("location"));

    // Built sites carry neither the draft nor the script.
    repo.build();
    assert!(!repo.exists("public/privacy/changes/draft"));
    let built = repo.read("public/privacy/index.html");
    assert!(built.contains("Unpublished changes") && !built.contains("changes/draft"));
    assert!(!built.contains("<script"));
    std::fs::remove_dir_all(repo.path().join("public")).unwrap();

    repo.commit("Privacy: we collect location", "2026-03-10T10:00:00+00:00");
    server.wait_for("/versions.json", "the new version", |r| {
        serde_json::from_str::<serde_json::Value>(&r.body).is_ok_and(|v| {
            v["documents"]
                .as_array()
                .and_then(|docs| docs.iter().find(|d| d["url"] == "/privacy/"))
                .and_then(|d| d["versions"].as_array().map(Vec::len))
                == Some(2)
        })
    });
    let page = server.get("/privacy/");
    assert!(!page.body.contains("Unpublished changes"));
    assert_eq!(server.get("/privacy/changes/2026-03-10/").status, 200);
    assert_eq!(server.get("/privacy/changes/draft/").status, 404);
}

#[test]
fn event_streams_do_not_block_pages() {
    let repo = site();
    let server = Server::start(repo.path());
    let streams: Vec<_> = (0..12).map(|_| server.events()).collect();
    for stream in &streams {
        next_build(stream, "");
    }
    for _ in 0..5 {
        assert_eq!(server.get("/privacy/").status, 200);
    }
}

#[test]
fn only_requests_naming_this_server_are_answered() {
    // Regression: `Host: attacker.example` got the site, drafts included,
    // which is what a DNS-rebinding page in the browser would read.
    let repo = site();
    let server = Server::start(repo.path());
    let port: u16 = server.address.rsplit(':').next().unwrap().parse().unwrap();
    for host in [
        "attacker.example".to_string(),
        format!("attacker.example:{port}"),
        "localhost".to_string(),
        format!("localhost:{}", port.wrapping_add(1)),
    ] {
        for target in ["/privacy/", "/__redline/events"] {
            let reply = server.raw(format!("GET {target} HTTP/1.1\r\nHost: {host}").as_bytes());
            assert_eq!(reply.status, 421, "{host} {target}: {}", reply.head);
            assert!(!reply.body.contains("We collect"));
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = server.raw(format!("GET /privacy/ HTTP/1.1\r\nHost: {host}").as_bytes());
        assert_eq!(reply.status, 200, "{host}");
    }
    assert_eq!(server.raw(b"GET /privacy/ HTTP/1.1").status, 400, "no Host");
}

#[test]
fn every_interface_prints_a_reachable_url_and_answers_to_it() {
    let repo = site();
    let server = Server::start_with(repo.path(), &["--bind", "0.0.0.0"]);
    assert!(
        !server.address.starts_with("0.0.0.0"),
        "printed {}",
        server.address
    );
    assert!(
        server.announced.contains("listening on all interfaces"),
        "{}",
        server.announced
    );
    // The printed address is one of this machine's: connecting to it and
    // naming it in Host both work.
    let page = server.get("/privacy/");
    assert_eq!(page.status, 200, "{}", page.head);
    let port = server.address.rsplit(':').next().unwrap();
    let local = raw_request(
        &format!("127.0.0.1:{port}"),
        format!("GET /privacy/ HTTP/1.1\r\nHost: localhost:{port}").as_bytes(),
    );
    assert_eq!(local.status, 200);
    assert!(server.stderr().contains("other machines on the network"));
}

#[test]
fn malformed_requests_are_400() {
    let repo = site();
    let server = Server::start(repo.path());
    let address = server.address.clone();
    let host = format!("Host: {address}\r\n\r\n");
    let exact = |head: &str| exact_request(&address, format!("{head}{host}").as_bytes());

    // Regression: a CR in the query reached the Location header.
    let reply = exact("GET /privacy?a\rSet-Cookie:x=1 HTTP/1.1\r\n");
    assert_eq!(reply.status, 400, "{}", reply.head);
    assert!(reply.header("Set-Cookie").is_none() && reply.header("Location").is_none());
    let encoded = server.get("/privacy?a=%0d%0aSet-Cookie:x=1&b=<\"");
    assert_eq!(encoded.status, 308);
    assert_eq!(
        encoded.header("Location"),
        Some("/privacy/?a=%0d%0aSet-Cookie:x=1&b=%3C%22")
    );
    assert!(encoded.header("Set-Cookie").is_none());

    // Regression: `/privacy%2findex.html` was served though encoded
    // slashes were documented as 400.
    for target in [
        "/privacy%2findex.html",
        "/privacy%2Findex.html",
        "/privacy%5cindex.html",
    ] {
        assert_eq!(server.get(target).status, 400, "{target}");
    }

    // Regression: a head ending in a bare LF waited for the timeout.
    let bare = exact_request(
        &address,
        format!("GET /privacy/ HTTP/1.1\nHost: {address}\n\n").as_bytes(),
    );
    assert_eq!(bare.status, 400, "{}", bare.head);

    // Regression: a fourth word hid the version tiny_http reads (HTTP/2.0
    // here), and each such request hung one of its threads for good.
    for line in [
        "GET /",
        "GET",
        "GET  /privacy/ HTTP/1.1",
        "/ HTTP/1.1",
        "GET / HTTP/2.0 x",
        "GET /privacy/ HTTP/1.1 extra",
    ] {
        let reply = exact(&format!("{line}\r\n"));
        assert_eq!(reply.status, 400, "{line:?}: {}", reply.head);
    }
    // Regression: tiny_http 0.12 answers these 505 but never ends the
    // connection; the gate refuses them itself.
    for line in ["GET / HTTP/2.0", "GET / HTTP/3.0", "GET / HTTP/9.9"] {
        assert_eq!(exact(&format!("{line}\r\n")).status, 505, "{line}");
    }
    // A second request sent behind the first on one connection was never
    // checked by the gate: one request per connection, the rest is dropped.
    let pipelined = exact_request(
        &address,
        format!("GET /privacy/ HTTP/1.1\r\n{host}GET / HTTP/2.0 x\r\n{host}").as_bytes(),
    );
    assert_eq!(pipelined.status, 200, "{}", pipelined.head);
    assert!(!pipelined.body.contains("HTTP/1.1"), "one answer only");
    assert_eq!(server.get("/privacy/").status, 200, "still serving");
}

#[test]
fn clients_that_do_not_read_their_answer_do_not_stall_pages() {
    // Review finding: a worker wrote a large answer itself, so four clients
    // that requested one and never read it held every worker.
    let repo = site();
    repo.write("static/report.pdf", vec![b'x'; 4 * 1024 * 1024]);
    let server = Server::start(repo.path());
    let stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut stream = TcpStream::connect(&server.address).expect("connect");
            let head = format!(
                "GET /report.pdf HTTP/1.1\r\nHost: {}\r\n\r\n",
                server.address
            );
            stream.write_all(head.as_bytes()).expect("send");
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    assert_eq!(server.get("/privacy/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a page took {:?} behind clients that do not read",
        started.elapsed()
    );
    drop(stalled);
}

#[test]
fn trickling_connections_neither_starve_pages_nor_stay_open() {
    // Regression: a connection sending one byte every few seconds held a
    // thread forever (the timeout was per read); ~16,700 of them aborted
    // the server. Now at most a few hundred are kept (the oldest still
    // sending a head is closed to make room) and each head has one total
    // deadline. 2,000 client sockets need 2,000 open files in this process:
    // the machine's limit is 20,000.
    let repo = site();
    let mut server = Server::start(repo.path());
    let mut trickling: Vec<TcpStream> = (0..2_000)
        .map(|_| TcpStream::connect(&server.address).expect("connect"))
        .collect();
    for byte in b"GET" {
        for stream in &mut trickling {
            // Closed by the server to make room: that is the point.
            let _ = stream.write_all(&[*byte]);
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    let asked = Instant::now();
    let page = server.get("/privacy/");
    let took = asked.elapsed();
    assert_eq!(page.status, 200);
    assert!(took < Duration::from_secs(1), "a page took {took:?}");
    assert!(server.is_running());

    // Every trickling connection ends: closed to make room, or answered
    // 408 when its head deadline passes.
    let mut timed_out = 0;
    for stream in &mut trickling {
        stream.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        let mut reply = Vec::new();
        match stream.read_to_end(&mut reply) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(err) => panic!("a trickling connection stayed open: {err}"),
        }
        if reply.starts_with(b"HTTP/1.1 408") {
            timed_out += 1;
        }
    }
    assert!(timed_out > 0, "no head ran into its deadline");
    assert!(server.is_running());
    assert_eq!(server.get("/privacy/").status, 200);
}

#[test]
fn pages_are_answered_while_fifty_streams_are_open() {
    let repo = site();
    let server = Server::start(repo.path());
    let streams: Vec<_> = (0..50).map(|_| server.events()).collect();
    let first: Vec<String> = streams.iter().map(|s| next_build(s, "")).collect();
    let clients: Vec<_> = (0..20)
        .map(|_| {
            let address = server.address.clone();
            std::thread::spawn(move || {
                let head = format!("GET /privacy/ HTTP/1.1\r\nHost: {address}");
                (0..10)
                    .map(|_| raw_request(&address, head.as_bytes()).status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let statuses: Vec<u16> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("client"))
        .collect();
    assert_eq!(statuses, vec![200; 200]);

    // Every stream is still live: an edit reaches all fifty.
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We collect your shoe size."),
    );
    for (stream, seen) in streams.iter().zip(&first) {
        next_build(stream, seen);
    }
}

#[test]
fn past_the_stream_cap_the_oldest_stream_is_closed() {
    let repo = site();
    let server = Server::start(repo.path());
    // The cap is 64 (MAX_STREAMS in src/serve/mod.rs).
    let streams: Vec<_> = (0..65)
        .map(|_| {
            let stream = server.events();
            next_build(&stream, "");
            stream
        })
        .collect();
    assert!(
        matches!(
            streams[0].recv_timeout(TIMEOUT),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ),
        "the oldest stream was closed"
    );
    repo.write("content/privacy.md", policy("Privacy Policy", "Shorter."));
    let seen = streams[1]
        .recv_timeout(TIMEOUT)
        .expect("a later stream lives");
    assert!(!seen.is_empty());
}

#[test]
fn a_busy_port_is_an_error_naming_it() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let repo = site();
    let run = repo.redline(&["serve", "--port", &port]).failure();
    assert!(
        run.stderr.contains(&format!("port {port}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
}

/// Headless Chromium with its own profile; the process group is ended on drop.
struct Browser {
    child: Child,
    profile: tempfile::TempDir,
}

impl Browser {
    fn open(url: &str) -> Browser {
        let profile = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new("chromium");
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("chromium starts");
        Browser { child, profile }
    }

    /// The titles (and addresses) of the open pages, from the DevTools endpoint.
    fn titles(&self) -> Vec<String> {
        let Ok(port) = std::fs::read_to_string(self.profile.path().join("DevToolsActivePort"))
        else {
            return Vec::new();
        };
        let Some(port) = port.lines().next().filter(|p| !p.is_empty()) else {
            return Vec::new();
        };
        let address = format!("127.0.0.1:{port}");
        if TcpStream::connect(&address).is_err() {
            return Vec::new();
        }
        let reply = raw_request(
            &address,
            format!("GET /json/list HTTP/1.1\r\nHost: {address}").as_bytes(),
        );
        serde_json::from_str::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter(|t| t["type"] == "page")
            .map(|t| format!("{} <{}>", t["title"].as_str().unwrap_or(""), t["url"]))
            .collect()
    }

    #[track_caller]
    fn wait_for_title(&self, wanted: &str) {
        let started = Instant::now();
        loop {
            let titles = self.titles();
            if titles.iter().any(|t| t.contains(wanted)) {
                return;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "the browser never showed the title {wanted:?}; it shows {titles:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium starts helper processes in its group; end them all.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the browser tests can run: without chromium they fail, or are
/// skipped visibly with `REDLINE_SKIP_MISSING_TOOLS=1`.
#[track_caller]
pub fn chromium_available() -> bool {
    let installed = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    crate::harness::tool_available("chromium", installed, ".ci/run installs it")
}

#[test]
fn a_real_browser_reloads_by_itself() {
    if !chromium_available() {
        return;
    }
    let repo = site();
    let server = Server::start(repo.path());
    let browser = Browser::open(&server.url("/privacy/"));
    browser.wait_for_title("Privacy Policy —");

    // The title only changes in the browser if the page reloads by itself.
    repo.write(
        "content/privacy.md",
        policy("Privacy Notice", "We collect your email address."),
    );
    browser.wait_for_title("Privacy Notice —");
}

#[test]
fn polling_sees_edits_without_file_system_events() {
    let repo = site();
    let server = Server::start_with(repo.path(), &["--poll"]);
    repo.write(
        "content/privacy.md",
        policy("Privacy Policy", "We collect your fax number."),
    );
    server.wait_for("/privacy/", "the polled edit", |r| {
        r.body.contains("We collect your fax number.")
    });
}

#[test]
fn the_browser_reconnects_after_a_server_restart() {
    if !chromium_available() {
        return;
    }
    let repo = site();
    let server = Server::start(repo.path());
    let port = server
        .address
        .rsplit(':')
        .next()
        .expect("a port")
        .to_string();
    let browser = Browser::open(&server.url("/privacy/"));
    browser.wait_for_title("Privacy Policy —");

    drop(server);
    repo.write(
        "content/privacy.md",
        policy("Privacy Statement", "We collect your email address."),
    );
    // The same port, so the page's event stream finds the new server.
    let _server = Server::start_with(repo.path(), &["--port", &port]);
    browser.wait_for_title("Privacy Statement —");
}

/// Every file of a preview, as path → bytes.
fn preview_files(
    root: &Path,
    cache: &redline::site::reuse::PreviewCache,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let config = redline::source::config::Config::load(&redline::source::config::Overrides {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .expect("config loads");
    let site = redline::site::preview(&config, cache).expect("preview builds");
    site.files
        .paths()
        .map(|path| {
            (
                path.to_string(),
                site.files.get(path).expect("in memory").to_vec(),
            )
        })
        .collect()
}

#[test]
fn rebuilds_reuse_only_what_is_unchanged() {
    // The preview server keeps the history and the archives between builds;
    // whatever it reuses, each build must equal a build from nothing.
    let repo = TestRepo::committed(
        &[
            ("content/privacy.md", policy("Privacy", "We keep data.")),
            ("content/terms.md", policy("Terms", "Be nice.")),
        ],
        DATE,
    );
    repo.write(
        "content/privacy.md",
        policy("Privacy", "We keep data for 30 days."),
    );
    repo.commit("Privacy: retention", "2026-04-01T10:00:00+00:00");
    let cache = redline::site::reuse::PreviewCache::default();
    let fresh = || preview_files(repo.path(), &redline::site::reuse::PreviewCache::default());

    assert_eq!(preview_files(repo.path(), &cache), fresh());
    assert_eq!(cache.archives.reused(), 0);

    // An uncommitted edit: the draft redline changes, the archives do not
    // (once the document's "unpublished" state has been seen).
    repo.write("content/terms.md", policy("Terms", "Be very nice."));
    assert_eq!(preview_files(repo.path(), &cache), fresh());
    let before = cache.archives.reused();
    let history_before = cache.history.reused();
    repo.write("content/terms.md", policy("Terms", "Be extremely nice."));
    let files = preview_files(repo.path(), &cache);
    assert_eq!(files, fresh());
    assert_eq!(cache.archives.reused(), before + 2, "both archives reused");
    assert_eq!(cache.history.reused(), history_before + 1, "history reused");
    let draft = String::from_utf8(files["terms/changes/draft/index.html"].clone()).unwrap();
    assert!(draft.contains("extremely"), "{draft}");

    // A template edit renders every archive again.
    repo.write(
        "templates/version.html",
        "{% extends \"base.html\" %}{% block content %}Old version {{ version.date }}{% endblock content %}",
    );
    let before = cache.archives.reused();
    let files = preview_files(repo.path(), &cache);
    assert_eq!(files, fresh());
    assert_eq!(
        cache.archives.reused(),
        before,
        "nothing reused after a template edit"
    );
    assert!(
        files.values().any(|f| f.starts_with(b"<!DOCTYPE html>")
            && String::from_utf8_lossy(f).contains("Old version"))
    );

    // A commit changes the header's list (every page shows it), so every
    // archive renders again.
    repo.commit("Terms: tone", "2026-05-01T10:00:00+00:00");
    assert_eq!(preview_files(repo.path(), &cache), fresh());
    let before = cache.archives.reused();
    repo.write("content/terms.md", policy("Terms", "Be kind."));
    repo.commit("Terms: kinder", "2026-05-02T10:00:00+00:00");
    let history_before = cache.history.reused();
    assert_eq!(preview_files(repo.path(), &cache), fresh());
    assert_eq!(
        cache.history.reused(),
        history_before,
        "a commit: history read again"
    );
    assert_eq!(
        cache.archives.reused(),
        before,
        "the header changed: nothing reused"
    );

    // Without a header list, a commit renders only its document's archive.
    repo.write("redline.toml", "nav_limit = 1\n");
    assert_eq!(preview_files(repo.path(), &cache), fresh());
    let before = cache.archives.reused();
    repo.write("content/terms.md", policy("Terms", "Be kinder still."));
    repo.commit("Terms: kinder still", "2026-05-03T10:00:00+00:00");
    assert_eq!(preview_files(repo.path(), &cache), fresh());
    assert_eq!(
        cache.archives.reused(),
        before + 1,
        "privacy reused, terms rebuilt"
    );
}
