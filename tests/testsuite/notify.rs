//! `redline notify` end to end: real repositories, the real binary, every
//! `.eml` parsed by a real MIME parser (mail-parser), and a real SMTP server
//! (mailin's state machine on a port-0 socket) that can drop the connection
//! half way so the ledger's exactly-once promise is tested for real.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, MimeHeaders};
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};

use crate::harness::{Run, TestRepo, run_redline_with};

const CONFIG: &str = r#"title = "Frameloop Legal"
base_url = "https://legal.frameloop.example/policies"

[email]
from = "Frameloop Privacy Désk <privacy@frameloop.example>"
reply_to = "Privacy Team <dpo@frameloop.example>"
to = "Frameloop users <announce@lists.frameloop.example>"
subject_prefix = "[Frameloop]"
list_unsubscribe = ["mailto:unsubscribe@frameloop.example", "https://frameloop.example/unsubscribe"]
"#;

const PRIVACY: &str = "---
title: Privacy Policy
effective: 2026-03-02
---

## What we collect

We collect your email address and the prompts you write.

## How long we keep data

We keep prompts for 30 days.

## Contact

Write to privacy@frameloop.example.
";

const TERMS: &str = "---
title: Terms of Service
---

## Using Frameloop

Be kind to other people.
";

/// A site with a privacy policy and terms, then a material change to both
/// in one commit (with a `Notice:` trailer), effective April 1.
fn site() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("redline.toml", CONFIG);
    repo.write("content/terms.md", TERMS);
    repo.commit_file(
        "content/privacy.md",
        PRIVACY,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    material_change(&repo);
    repo
}

fn material_change(repo: &TestRepo) -> String {
    let privacy = PRIVACY
        .replace("effective: 2026-03-02", "effective: 2026-04-01")
        .replace("30 days", "90 days")
        .replace(
            "## Contact",
            "## Children\n\nOur service is not for children under 13.\n\n## Contact",
        );
    repo.write(
        "content/terms.md",
        TERMS.replace("Be kind", "Be kind and honest"),
    );
    repo.commit_file(
        "content/privacy.md",
        &privacy,
        "Keep prompts longer\n\nPolicy-Change: material\nNotice: We now keep prompts for 90 days.",
        "2026-03-10T15:00:00+00:00",
    )
}

const EPOCH: &str = "1773792000"; // 2026-03-18T00:00:00Z

fn notify(repo: &TestRepo, args: &[&str]) -> Run {
    notify_with(repo, args, &[])
}

fn notify_with(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["notify"];
    all.extend_from_slice(args);
    let mut vars = vec![("SOURCE_DATE_EPOCH", EPOCH)];
    vars.extend_from_slice(env);
    run_redline_with(repo.path(), &all, &vars)
}

/// Every `.eml` in the outbox, by file name.
fn outbox(repo: &TestRepo, dir: &str) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(repo.path().join(dir))
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("eml"))
        })
        .collect()
}

pub(crate) fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default()
        .parse(bytes)
        .unwrap_or_else(|| panic!("not a message:\n{}", String::from_utf8_lossy(bytes)))
}

fn header_names(message: &mail_parser::Message<'_>) -> Vec<String> {
    message
        .headers()
        .iter()
        .map(|h| h.name().to_ascii_lowercase())
        .collect()
}

#[test]
fn the_outbox_holds_one_parsable_multipart_message_per_document() {
    let repo = site();
    notify(&repo, &["--outbox", "outbox"]).success();
    let files = outbox(&repo, "outbox");
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["0001-privacy-2026-03-10.eml", "0002-terms-2026-03-10.eml"]
    );
    let privacy = parse(&files["0001-privacy-2026-03-10.eml"]);
    assert_eq!(
        privacy.subject(),
        Some("[Frameloop] Privacy Policy: changes effective April 1, 2026")
    );
    let from = privacy.from().and_then(|a| a.first()).expect("From");
    assert_eq!(
        from.name(),
        Some("Frameloop Privacy Désk"),
        "non-ASCII names survive encoding"
    );
    assert_eq!(from.address(), Some("privacy@frameloop.example"));
    let reply_to = privacy
        .reply_to()
        .and_then(|a| a.first())
        .expect("Reply-To");
    assert_eq!(reply_to.address(), Some("dpo@frameloop.example"));
    assert!(privacy.date().is_some());
    let id = privacy.message_id().expect("Message-ID");
    assert!(id.ends_with("@legal.frameloop.example"), "{id}");
    assert_eq!(
        privacy
            .header_raw("List-Unsubscribe")
            .map(|v| v.replace("\r\n", "").trim().to_string())
            .as_deref(),
        Some("<mailto:unsubscribe@frameloop.example>, <https://frameloop.example/unsubscribe>")
    );
    let content_type = privacy.content_type().expect("Content-Type");
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(
        (privacy.text_body_count(), privacy.html_body_count()),
        (1, 1)
    );
    let text = privacy.body_text(0).expect("text");
    let html = privacy.body_html(0).expect("html");
    for body in [&text, &html] {
        assert!(body.contains("We now keep prompts for 90 days."), "{body}");
        assert!(
            body.contains("https://legal.frameloop.example/policies/privacy/versions/2026-03-10/"),
            "{body}"
        );
        assert!(
            body.contains("https://legal.frameloop.example/policies/privacy/changes/2026-03-10/"),
            "{body}"
        );
        assert!(body.contains("April 1, 2026"), "{body}");
    }
    assert!(!html.contains("<img") && !html.contains("<link") && !html.contains("<script"));
    let manifest: serde_json::Value =
        serde_json::from_str(&repo.read("outbox/manifest.json")).expect("manifest");
    let messages = manifest["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["file"], "0001-privacy-2026-03-10.eml");
    assert_eq!(messages[0]["message_id"], format!("<{id}>"));
    assert_eq!(messages[0]["changes"][0]["change"], "material");
    assert_eq!(
        messages[0]["changes"][0]["url"],
        "https://legal.frameloop.example/policies/privacy/versions/2026-03-10/"
    );
    assert!(
        !repo.exists(".redline/notify-ledger.json"),
        "writing is not sending"
    );
}

#[test]
fn notice_bodies() {
    let repo = site();
    notify(&repo, &["--outbox", "outbox"]).success();
    let files = outbox(&repo, "outbox");
    let privacy = parse(&files["0001-privacy-2026-03-10.eml"]);
    insta::assert_snapshot!("notice_text", privacy.body_text(0).expect("text"));
    insta::assert_snapshot!("notice_html", privacy.body_html(0).expect("html"));
}

#[test]
fn grouped_documents_share_one_message_per_recipient() {
    let repo = site();
    repo.write(
        "people.csv",
        "email,name\nalice@example.com,Alice Liddell\nbob@example.com,\n",
    );
    notify(
        &repo,
        &["--outbox", "out", "--group", "--recipients", "people.csv"],
    )
    .success();
    let files = outbox(&repo, "out");
    assert_eq!(files.len(), 2, "{:?}", files.keys());
    let first = parse(files.values().next().expect("one"));
    assert_eq!(
        first.subject(),
        Some("[Frameloop] Privacy Policy and Terms of Service: updated")
    );
    let to = first.to().and_then(|a| a.first()).expect("To");
    assert_eq!(
        (to.name(), to.address()),
        (Some("Alice Liddell"), Some("alice@example.com"))
    );
    let text = first.body_text(0).expect("text");
    assert!(text.contains("Hello Alice Liddell,"), "{text}");
    assert!(text.contains("https://legal.frameloop.example/policies/terms/changes/2026-03-10/"));
}

#[test]
fn without_base_url_notify_says_how_to_set_it() {
    let repo = site();
    repo.write("redline.toml", CONFIG.replace("base_url", "# base_url"));
    let run = notify(&repo, &["--outbox", "outbox"]).failure();
    assert!(
        run.stderr.contains("set base_url in redline.toml"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--base-url"), "{}", run.stderr);
    notify(
        &repo,
        &["--outbox", "outbox", "--base-url", "https://x.example/"],
    )
    .success();
}

#[test]
fn a_bad_address_in_redline_toml_names_the_key() {
    let repo = site();
    repo.write(
        "redline.toml",
        CONFIG.replace("dpo@frameloop.example", "dpo at frameloop"),
    );
    let run = notify(&repo, &["--outbox", "outbox"]).failure();
    assert!(run.stderr.contains("[email] reply_to"), "{}", run.stderr);
}

#[test]
fn invalid_recipients_are_reported_with_their_line_and_skipped() {
    let repo = site();
    repo.write(
        "people.csv",
        "alice@example.com\nbob@@example.com\n\ncarol@example.com,Carol\n",
    );
    let run = notify(&repo, &["--outbox", "out", "--recipients", "people.csv"]).success();
    assert!(
        run.stderr.contains("people.csv:2: `bob@@example.com`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("skipped"), "{}", run.stderr);
    assert_eq!(
        outbox(&repo, "out").len(),
        4,
        "2 documents × 2 valid recipients"
    );
}

#[test]
fn header_injection_in_titles_summaries_and_names_adds_no_header() {
    let repo = TestRepo::new();
    repo.write("redline.toml", CONFIG);
    repo.commit_file(
        "content/privacy.md",
        PRIVACY,
        "Publish",
        "2026-03-02T10:00:00+00:00",
    );
    let evil = PRIVACY
        .replace(
            "title: Privacy Policy",
            "title: \"Privacy\\r\\nBcc: everyone@evil.example\\r\\n\\r\\nhi\"",
        )
        .replace("30 days", "90 days");
    repo.commit_file(
        "content/privacy.md",
        &evil,
        "Longer\n\nNotice: Keep.\rBcc: notice@evil.example\u{85}X-Evil: 1",
        "2026-03-10T15:00:00+00:00",
    );
    repo.write(
        "people.csv",
        "\"alice@example.com\",\"Alice\rBcc: name@evil.example\rX-Evil: 2\"\n",
    );
    notify(&repo, &["--outbox", "out", "--recipients", "people.csv"]).success();
    let files = outbox(&repo, "out");
    assert_eq!(files.len(), 1);
    let bytes = files.values().next().expect("one");
    let message = parse(bytes);
    let names = header_names(&message);
    assert!(
        !names.iter().any(|n| n == "bcc" || n == "x-evil"),
        "{names:?}"
    );
    assert_eq!(
        message.subject(),
        Some("[Frameloop] Privacy Bcc: everyone@evil.example hi: changes effective March 2, 2026")
    );
    let to = message.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name(), Some("Alice Bcc: name@evil.example X-Evil: 2"));
    assert_eq!(to.address(), Some("alice@example.com"));
    // The raw header block has no line that starts a header it shouldn't.
    let raw = String::from_utf8_lossy(bytes);
    let head = raw.split("\r\n\r\n").next().expect("headers");
    for line in head.lines() {
        assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{head}");
        assert!(!line.to_ascii_lowercase().starts_with("x-evil:"), "{head}");
    }
    assert_eq!(
        (message.text_body_count(), message.html_body_count()),
        (1, 1)
    );
}

#[test]
fn dry_run_shows_and_writes_nothing() {
    let repo = site();
    repo.write("people.csv", "alice@example.com\n");
    let run = notify(
        &repo,
        &["--outbox", "out", "--recipients", "people.csv", "--dry-run"],
    )
    .success();
    assert!(
        run.stdout
            .contains("would send to alice@example.com: [Frameloop] Privacy Policy"),
        "{}",
        run.stdout
    );
    assert!(!repo.exists("out"));
}

#[test]
fn editorial_changes_only_when_asked() {
    let repo = site();
    repo.commit_file(
        "content/terms.md",
        &TERMS.replace(
            "Be kind to other people.",
            "Be kind and honest to other people!",
        ),
        "Punctuation\n\nPolicy-Change: editorial",
        "2026-03-13T10:00:00+00:00",
    );
    notify(&repo, &["--outbox", "a"]).success();
    assert_eq!(
        outbox(&repo, "a").len(),
        2,
        "first use: the newest material change (both documents), not the editorial one"
    );
    notify(&repo, &["--outbox", "b", "--include-editorial"]).success();
    assert_eq!(
        outbox(&repo, "b").keys().collect::<Vec<_>>(),
        ["0001-terms-2026-03-13.eml"]
    );
    let since = ["--since", "2026-03-01", "--include-editorial"];
    notify(&repo, &[&["--outbox", "c"][..], &since].concat()).success();
    assert_eq!(outbox(&repo, "c").len(), 3);
}

// ---- SMTP -----------------------------------------------------------------

/// One message as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) to: Vec<String>,
    pub(crate) data: Vec<u8>,
}

#[derive(Default)]
pub(crate) struct Mailroom {
    pub(crate) received: Vec<Received>,
    /// Drop the connection (no reply) at the next MAIL after this many
    /// accepted messages; `None` never.
    drop_after: Option<usize>,
    /// Addresses whose RCPT is answered with this code instead of 250.
    refuse: Vec<(String, u16)>,
    /// Every RCPT address asked for, accepted or not.
    asked: Vec<String>,
    /// Refuse every RCPT with this code and one reply, as a server that
    /// will not relay for the sender does.
    refuse_all: Option<u16>,
    /// Stop answering part way through the message after this many
    /// accepted messages: its first lines are read, its end never is.
    stall_after: Option<usize>,
    /// Whether a message is stalled now.
    stalled: bool,
    /// Offer AUTH PLAIN (without TLS, as on a local relay) and require
    /// this user and password before any MAIL.
    require_auth: Option<(String, String)>,
    /// Every AUTH PLAIN attempt: (user, password).
    logins: Vec<(String, String)>,
}

#[derive(Clone)]
struct Sink {
    room: Arc<Mutex<Mailroom>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn auth_plain(&mut self, _authorization: &str, user: &str, password: &str) -> Response {
        let mut room = self.room.lock().expect("lock");
        room.logins.push((user.to_string(), password.to_string()));
        match &room.require_auth {
            Some((u, p)) if u == user && p == password => response::AUTH_OK,
            _ => response::INVALID_CREDENTIALS,
        }
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.trim_matches(['<', '>']).to_string();
        let mut room = self.room.lock().expect("lock");
        room.asked.push(to.clone());
        if let Some(code) = room.refuse_all {
            return Response::custom(code, "5.7.1 Relaying denied".to_string());
        }
        match room.refuse.iter().find(|(address, _)| *address == to) {
            // Worded as many servers word it: the same for every mailbox.
            Some((_, code)) => Response::custom(*code, "5.1.1 Mailbox unavailable".to_string()),
            None => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.room.lock().expect("lock").received.push(Received {
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
        });
        response::OK
    }
}

/// A real SMTP server on 127.0.0.1, port 0, one thread per connection. The
/// threads end with the test process.
pub(crate) fn smtp_server(drop_after: Option<usize>) -> (String, Arc<Mutex<Mailroom>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let room = Arc::new(Mutex::new(Mailroom {
        drop_after,
        ..Mailroom::default()
    }));
    let shared = Arc::clone(&room);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let room = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, room));
        }
    });
    (format!("smtp://127.0.0.1:{port}"), room)
}

fn serve(stream: TcpStream, room: Arc<Mutex<Mailroom>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let ip: IpAddr = [127, 0, 0, 1].into();
    let handler = Sink {
        room: Arc::clone(&room),
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut builder = SessionBuilder::new("sink.test");
    if room.lock().expect("lock").require_auth.is_some() {
        builder
            .enable_auth(AuthMechanism::Plain)
            .insecure_enable_plaintext_auth();
    }
    let mut session = builder.build(ip, handler);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    if session.greeting().write_to(&mut writer).is_err() {
        return;
    }
    let mut in_data = false;
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if in_data {
            let mut room = room.lock().expect("lock");
            if room.stall_after.is_some_and(|n| room.received.len() >= n) {
                // Mid-message: read on, answer nothing, until the client goes.
                room.stalled = true;
                drop(room);
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {}
                return;
            }
        }
        in_data = line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"DATA");
        if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"MAIL") {
            let room = room.lock().expect("lock");
            if room.drop_after.is_some_and(|n| room.received.len() >= n) {
                // A dropped connection: no reply, just gone.
                let _ = writer.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => {
                if response.write_to(&mut writer).is_err() {
                    return;
                }
                let _ = writer.flush();
            }
            // No STARTTLS is offered, so an upgrade never comes.
            Action::Close | Action::UpgradeTls => {
                let _ = response.write_to(&mut writer);
                return;
            }
            Action::NoReply => {}
        }
    }
}

/// Waits (at most 10 s) until the server has `count` messages.
pub(crate) fn wait_for(room: &Arc<Mutex<Mailroom>>, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let received = room.lock().expect("lock").received.clone();
        if received.len() >= count || Instant::now() > deadline {
            return received;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub(crate) fn recipients_of(received: &[Received]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for message in received {
        for to in &message.to {
            *counts
                .entry(to.trim_matches(['<', '>']).to_string())
                .or_insert(0) += 1;
        }
    }
    counts
}

/// Arguments that send one message per person in `people.csv`, one per
/// changed document, through `smtp`.
fn send_to_people(smtp: &str) -> [&str; 7] {
    [
        "--outbox",
        "out",
        "--recipients",
        "people.csv",
        "--send",
        "--smtp",
        smtp,
    ]
}

const PEOPLE: &str = "email,name\nalice@example.com,Alice\nbob@example.com,Bob\ncarol@example.com,Carol\ndan@example.com,Dan\n";

#[test]
fn send_delivers_one_message_to_every_recipient() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    let args = [
        "--outbox",
        "out",
        "--group",
        "--recipients",
        "people.csv",
        "--send",
        "--smtp",
        &url,
    ];
    let run = notify(&repo, &args).success();
    assert!(run.stderr.contains("sent 4 messages"), "{}", run.stderr);
    let received = wait_for(&room, 4);
    let counts = recipients_of(&received);
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    for message in &received {
        let parsed = parse(&message.data);
        assert!(
            parsed
                .subject()
                .is_some_and(|s| s.starts_with("[Frameloop]"))
        );
        assert_eq!((parsed.text_body_count(), parsed.html_body_count()), (1, 1));
    }
    let ledger: serde_json::Value =
        serde_json::from_str(&repo.read(".redline/notify-ledger.json")).expect("ledger");
    assert_eq!(
        ledger["deliveries"].as_array().map(Vec::len),
        Some(8),
        "2 changes × 4 people"
    );
    assert_eq!(ledger["unfinished"].as_array().map(Vec::len), Some(0));

    // A rerun sends nothing: the ledger's last notice is the newest change.
    let again = notify(&repo, &args).success();
    assert!(again.stderr.contains("sent 0 messages"), "{}", again.stderr);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(room.lock().expect("lock").received.len(), 4);
}

#[test]
fn a_dropped_connection_then_a_rerun_delivers_each_message_exactly_once() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(Some(3));
    // Not grouped: 2 documents × 4 people = 8 messages; the server drops the
    // connection when the 4th begins.
    let args = send_to_people(&url);
    let run = notify(&repo, &args).failure();
    assert!(
        run.stderr.contains("after 3 of 8 messages"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run the same command again"),
        "{}",
        run.stderr
    );
    assert_eq!(wait_for(&room, 3).len(), 3);

    room.lock().expect("lock").drop_after = None;
    let rerun = notify(&repo, &args).success();
    assert!(rerun.stderr.contains("sent 5 messages"), "{}", rerun.stderr);
    assert!(rerun.stderr.contains("3 already sent"), "{}", rerun.stderr);
    let received = wait_for(&room, 8);
    assert_eq!(received.len(), 8);
    let mut pairs: Vec<(String, String)> = received
        .iter()
        .map(|m| {
            let parsed = parse(&m.data);
            (
                m.to.join(","),
                parsed.subject().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 8, "every (recipient, notice) once: {pairs:?}");
    let counts = recipients_of(&received);
    assert!(counts.values().all(|n| *n == 2), "{counts:?}");

    // The next change goes to everyone once, and nothing old comes back.
    let before = received.len();
    repo.commit_file(
        "content/privacy.md",
        &PRIVACY.replace("30 days", "7 days"),
        "Shorter\n\nPolicy-Change: material",
        "2026-03-15T10:00:00+00:00",
    );
    let next = notify(&repo, &args).success();
    assert!(next.stderr.contains("sent 4 messages"), "{}", next.stderr);
    assert_eq!(wait_for(&room, before + 4).len(), before + 4);
}

#[test]
fn smtp_credentials_never_come_from_the_command_line() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let run = notify(&repo, &send_to_people("smtps://me:pw@mail.example.com")).failure();
    assert!(run.stderr.contains("REDLINE_SMTP_USER"), "{}", run.stderr);
    assert!(!repo.exists(".redline/notify-ledger.json"));
}

#[test]
fn a_second_sending_run_at_the_same_time_sends_nothing() {
    // Two `--send` runs at once would both read the same ledger and send the
    // same notices; the second one stops before it sends anything.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    let args = send_to_people(&url);
    std::fs::create_dir_all(repo.path().join(".redline")).unwrap();
    let other_run = std::fs::File::create(repo.path().join(".redline/notify-ledger.lock")).unwrap();
    other_run.try_lock().unwrap();
    let run = notify(&repo, &args).failure();
    assert!(
        run.stderr.contains("another `redline notify --send`"),
        "{}",
        run.stderr
    );
    assert!(!repo.exists(".redline/notify-ledger.json"));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(room.lock().expect("lock").received.len(), 0);

    drop(other_run);
    let run = notify(&repo, &args).success();
    assert!(run.stderr.contains("sent 8 messages"), "{}", run.stderr);
    assert_eq!(recipients_of(&wait_for(&room, 8)).len(), 4);
}

#[test]
fn a_server_that_refuses_everyone_alike_refuses_the_sender_and_nothing_is_marked_failed() {
    // Relaying denied for the configured sender: no recipient is at fault,
    // so none is skipped for good; the fixed setup then reaches everyone.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse_all = Some(554);
    let args = send_to_people(&url);
    let run = notify(&repo, &args).failure();
    assert!(run.stderr.contains("refuses the sender"), "{}", run.stderr);
    assert!(run.stderr.contains("Relaying denied"), "{}", run.stderr);
    let after = ledger(&repo);
    assert_eq!(
        after["failures"].as_array().map(Vec::len),
        Some(0),
        "{after}"
    );
    room.lock().expect("lock").refuse_all = None;
    notify(&repo, &args).success();
    let counts = recipients_of(&wait_for(&room, 8));
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert!(counts.values().all(|n| *n == 2), "{counts:?}");
}

#[test]
fn refusals_after_a_delivery_are_the_recipients_own_even_when_they_end_the_run_alike() {
    // The server took messages before refusing the last two recipients with
    // the same reply: it does not refuse the sender, so each refusal is
    // recorded as that recipient's.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse = vec![
        ("carol@example.com".into(), 550),
        ("dan@example.com".into(), 550),
    ];
    let run = notify(&repo, &send_to_people(&url)).failure();
    assert!(!run.stderr.contains("refuses the sender"), "{}", run.stderr);
    assert!(run.stderr.contains("sent 4 messages"), "{}", run.stderr);
    assert!(
        run.stderr.contains("refused 4 messages for good"),
        "{}",
        run.stderr
    );
    let failures = ledger(&repo)["failures"].clone();
    let refused: std::collections::BTreeSet<&str> = failures
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|f| f["recipient"].as_str())
        .collect();
    assert_eq!(
        refused.into_iter().collect::<Vec<_>>(),
        ["carol@example.com", "dan@example.com"],
        "{failures}"
    );
    assert_eq!(failures.as_array().map(Vec::len), Some(4), "{failures}");
}

#[test]
fn a_refusal_before_the_first_delivery_is_recorded_once_the_server_takes_one() {
    // Until the server accepts a message, a refusal may be the server's; the
    // first delivery shows it was the first recipient's own.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse = vec![("alice@example.com".into(), 550)];
    let run = notify(&repo, &send_to_people(&url)).failure();
    assert!(run.stderr.contains("sent 6 messages"), "{}", run.stderr);
    let failures = ledger(&repo)["failures"].clone();
    let failures = failures.as_array().expect("failures");
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures
            .iter()
            .all(|f| f["recipient"] == "alice@example.com"),
        "{failures:?}"
    );
}

fn ledger(repo: &TestRepo) -> serde_json::Value {
    serde_json::from_str(&repo.read(".redline/notify-ledger.json")).expect("ledger")
}

fn asked(room: &Arc<Mutex<Mailroom>>) -> usize {
    room.lock().expect("lock").asked.len()
}

#[test]
fn a_recipient_refused_for_good_blocks_no_one_and_is_retried_only_when_asked() {
    // Regression: a 550 to one RCPT stopped the run there, every rerun
    // stopped at the same recipient, and "run the same command again" looped.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse = vec![("bob@example.com".into(), 550)];
    let args = send_to_people(&url);
    let run = notify(&repo, &args).failure();
    assert!(run.stderr.contains("sent 6 messages"), "{}", run.stderr);
    assert!(
        run.stderr.contains("refused 2 messages for good"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("bob@example.com ([Frameloop] Privacy Policy"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(550)"), "{}", run.stderr);
    assert!(run.stderr.contains("--retry-failed"), "{}", run.stderr);
    let counts = recipients_of(&wait_for(&room, 6));
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        [
            ("alice@example.com".to_string(), 2),
            ("carol@example.com".to_string(), 2),
            ("dan@example.com".to_string(), 2)
        ]
    );
    let after_first = ledger(&repo);
    let failures = after_first["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures.iter().all(|f| f["recipient"] == "bob@example.com"
            && f["reply"].as_str().is_some_and(|r| r.contains("550"))),
        "{failures:?}"
    );
    assert_eq!(after_first["deliveries"].as_array().map(Vec::len), Some(6));
    assert_eq!(after_first["unfinished"].as_array().map(Vec::len), Some(0));

    // A rerun sends nothing and does not ask the server about bob again.
    let asked_before = asked(&room);
    let again = notify(&repo, &args).success();
    assert!(again.stderr.contains("sent 0 messages"), "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("bob@example.com (Terms of Service): permanent error (550)"),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("--retry-failed"), "{}", again.stderr);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(asked(&room), asked_before);
    assert_eq!(room.lock().expect("lock").received.len(), 6);

    // Once bob's mailbox works, --retry-failed sends him what he missed,
    // and only that.
    room.lock().expect("lock").refuse.clear();
    let retry_args = [&args[..], &["--retry-failed"]].concat();
    let retry = notify(&repo, &retry_args).success();
    assert!(retry.stderr.contains("sent 2 messages"), "{}", retry.stderr);
    let received = wait_for(&room, 8);
    assert_eq!(received.len(), 8);
    assert!(
        recipients_of(&received).values().all(|n| *n == 2),
        "{:?}",
        recipients_of(&received)
    );
    let after_retry = ledger(&repo);
    assert_eq!(after_retry["failures"].as_array().map(Vec::len), Some(0));
    assert_eq!(after_retry["deliveries"].as_array().map(Vec::len), Some(8));
    let last = notify(&repo, &retry_args).success();
    assert!(last.stderr.contains("sent 0 messages"), "{}", last.stderr);
}

#[test]
fn a_temporary_refusal_stops_the_run_and_a_rerun_resumes_exactly_once() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse = vec![("carol@example.com".into(), 450)];
    let args = send_to_people(&url);
    let run = notify(&repo, &args).failure();
    assert!(
        run.stderr
            .contains("sending to carol@example.com failed after 2 of 8 messages"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("run the same command again"),
        "{}",
        run.stderr
    );
    assert_eq!(wait_for(&room, 2).len(), 2);
    assert_eq!(ledger(&repo)["failures"].as_array().map(Vec::len), Some(0));

    room.lock().expect("lock").refuse.clear();
    let rerun = notify(&repo, &args).success();
    assert!(rerun.stderr.contains("sent 6 messages"), "{}", rerun.stderr);
    let received = wait_for(&room, 8);
    assert_eq!(received.len(), 8);
    assert!(recipients_of(&received).values().all(|n| *n == 2));
    assert_eq!(
        ledger(&repo)["unfinished"].as_array().map(Vec::len),
        Some(0)
    );
}

#[test]
fn a_resumed_run_finishes_its_notice_and_newcomers_get_only_later_ones() {
    // Regression: a run that died after every privacy notice but before the
    // terms ones left privacy `unfinished` after the rerun, for good, so
    // anyone added to the recipients file later was sent that old notice.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(Some(4));
    let args = send_to_people(&url);
    let run = notify(&repo, &args).failure();
    assert!(
        run.stderr.contains("after 4 of 8 messages"),
        "{}",
        run.stderr
    );
    assert_eq!(
        ledger(&repo)["unfinished"].as_array().map(Vec::len),
        Some(1),
        "only terms is still owed: {}",
        ledger(&repo)
    );

    // Eve joins before the rerun: the interrupted notice is not hers.
    repo.write("people.csv", format!("{PEOPLE}eve@example.com,Eve\n"));
    room.lock().expect("lock").drop_after = None;
    let rerun = notify(&repo, &args).success();
    assert!(rerun.stderr.contains("sent 4 messages"), "{}", rerun.stderr);
    let received = wait_for(&room, 8);
    assert_eq!(received.len(), 8);
    assert!(!recipients_of(&received).contains_key("eve@example.com"));
    assert_eq!(ledger(&repo)["unfinished"], serde_json::json!([]));

    let again = notify(&repo, &args).success();
    assert!(again.stderr.contains("sent 0 messages"), "{}", again.stderr);
    // Unless --since says otherwise.
    let since = ["--since", "2026-03-01", "--dry-run"];
    let dry = notify(&repo, &[&args[..], &since].concat()).success();
    assert!(
        dry.stdout.contains("would send to Eve <eve@example.com>"),
        "{}",
        dry.stdout
    );
    assert!(dry.stderr.contains("dry run: 2 messages"), "{}", dry.stderr);

    // The next notice goes to everyone, Eve included, once.
    repo.commit_file(
        "content/privacy.md",
        &PRIVACY.replace("30 days", "7 days"),
        "Shorter\n\nPolicy-Change: material",
        "2026-03-15T10:00:00+00:00",
    );
    let next = notify(&repo, &args).success();
    assert!(next.stderr.contains("sent 5 messages"), "{}", next.stderr);
    let received = wait_for(&room, 13);
    assert_eq!(received.len(), 13);
    let to_eve: Vec<&Received> = received
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("eve@example.com")))
        .collect();
    assert_eq!(to_eve.len(), 1);
    let text = parse(&to_eve[0].data)
        .body_text(0)
        .expect("text")
        .into_owned();
    assert!(text.contains("/privacy/versions/2026-03-15/"), "{text}");
    assert!(!text.contains("/versions/2026-03-10/"), "{text}");
}

#[test]
fn quiet_prints_no_line_per_message_but_still_prints_errors() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let run = notify(
        &repo,
        &["-q", "--outbox", "out", "--recipients", "people.csv"],
    )
    .success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert_eq!(outbox(&repo, "out").len(), 8);
    let loud = notify(&repo, &["--outbox", "out2", "--recipients", "people.csv"]).success();
    assert_eq!(loud.stdout.lines().count(), 8, "{}", loud.stdout);

    let (url, room) = smtp_server(None);
    room.lock().expect("lock").refuse = vec![("dan@example.com".into(), 550)];
    let failed = notify(&repo, &[&["-q"][..], &send_to_people(&url)].concat()).failure();
    assert_eq!(failed.stdout, "");
    assert!(failed.stderr.starts_with("error: "), "{}", failed.stderr);
    assert!(
        failed.stderr.contains("dan@example.com"),
        "{}",
        failed.stderr
    );
}

#[test]
fn one_message_is_counted_as_one_message() {
    let repo = site();
    repo.write("people.csv", "alice@example.com\n");
    let args = ["--outbox", "out", "--group", "--recipients", "people.csv"];
    let run = notify(&repo, &args).success();
    assert!(run.stderr.contains("wrote 1 message to"), "{}", run.stderr);
    let (url, _room) = smtp_server(None);
    let send = [&args[..], &["--send", "--smtp", &url]].concat();
    let sent = notify(&repo, &send).success();
    assert!(sent.stderr.contains("sent 1 message;"), "{}", sent.stderr);
}

/// `redline notify ARGS` started, not waited for.
fn spawn_notify(repo: &TestRepo, args: &[&str]) -> std::process::Child {
    let mut all = vec!["notify"];
    all.extend_from_slice(args);
    crate::harness::redline_command(repo.path(), &all)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redline runs")
}

#[test]
fn a_run_killed_while_the_server_stalls_mid_message_resumes_with_exactly_the_rest() {
    // A CI job killed (SIGKILL: no clean-up at all) while the mail server
    // is slow to take the 4th message: the ledger still reads, and the
    // rerun sends the 5 messages not yet delivered, none twice.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").stall_after = Some(3);
    let args = send_to_people(&url);
    let mut child = spawn_notify(&repo, &args);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !room.lock().expect("lock").stalled {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run ended before the server stalled"
        );
        assert!(Instant::now() < deadline, "the server never stalled");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    assert_eq!(room.lock().expect("lock").received.len(), 3);
    let after = ledger(&repo);
    assert_eq!(
        after["deliveries"].as_array().map(Vec::len),
        Some(3),
        "{after}"
    );

    room.lock().expect("lock").stall_after = None;
    let rerun = notify(&repo, &args).success();
    assert!(rerun.stderr.contains("sent 5 messages"), "{}", rerun.stderr);
    assert!(rerun.stderr.contains("3 already sent"), "{}", rerun.stderr);
    let received = wait_for(&room, 8);
    let mut pairs: Vec<(String, String)> = received
        .iter()
        .map(|m| {
            let subject = parse(&m.data).subject().unwrap_or_default().to_string();
            (m.to.join(","), subject)
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(received.len(), 8);
    assert_eq!(pairs.len(), 8, "every (recipient, notice) once: {pairs:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_killed_as_it_writes_the_ledger_leaves_one_that_reads() {
    // strace kills the run (SIGKILL) at its first write into the ledger
    // file itself: the moment a crash would cut a ledger rewritten in place
    // down to nothing. Written beside it and renamed over it, the ledger is
    // never written in place, so the run goes on to the end; either way the
    // ledger must read and a rerun send exactly what is left.
    let strace = std::process::Command::new("strace").arg("-V").output();
    if !crate::harness::tool_available(
        "strace",
        strace.is_ok_and(|o| o.status.success()),
        "apt-get install strace, as .ci/run does",
    ) {
        return;
    }
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    let args = send_to_people(&url);
    notify(&repo, &args).success();
    assert_eq!(wait_for(&room, 8).len(), 8);
    repo.commit_file(
        "content/privacy.md",
        &PRIVACY.replace("30 days", "7 days"),
        "Shorter\n\nPolicy-Change: material",
        "2026-03-15T10:00:00+00:00",
    );
    let ledger_path = repo.path().join(".redline/notify-ledger.json");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-P"])
        .arg(&ledger_path)
        .args(["-e", "trace=write,writev,pwrite64"])
        .args(["-e", "inject=write,writev,pwrite64:signal=KILL"])
        .args(["--", env!("CARGO_BIN_EXE_redline"), "notify"])
        .args(args)
        .current_dir(repo.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("strace runs");
    let text = std::fs::read_to_string(&ledger_path).expect("the ledger is there");
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
    assert!(
        parsed.is_ok(),
        "the ledger does not read after the run ({status}): {text:?}"
    );
    let sent = room.lock().expect("lock").received.len() - 8;
    let rerun = notify(&repo, &args).success();
    assert!(
        rerun
            .stderr
            .contains(&format!("sent {} messages", 4 - sent)),
        "{sent} sent before: {}",
        rerun.stderr
    );
    let counts = recipients_of(&wait_for(&room, 12));
    assert!(counts.values().all(|n| *n == 3), "{counts:?}");
}

#[test]
fn credentials_from_the_environment_log_in_with_auth_plain() {
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let (url, room) = smtp_server(None);
    room.lock().expect("lock").require_auth = Some(("notices".into(), "s3cret pass".into()));
    let args = send_to_people(&url);

    // Without credentials the server takes nothing.
    notify(&repo, &args).failure();
    assert_eq!(room.lock().expect("lock").received.len(), 0);

    let wrong = [
        ("REDLINE_SMTP_USER", "notices"),
        ("REDLINE_SMTP_PASSWORD", "guess"),
    ];
    let run = notify_with(&repo, &args, &wrong).failure();
    assert!(
        !run.stderr.contains("guess"),
        "no password in errors: {}",
        run.stderr
    );
    assert_eq!(room.lock().expect("lock").received.len(), 0);

    let right = [
        ("REDLINE_SMTP_USER", "notices"),
        ("REDLINE_SMTP_PASSWORD", "s3cret pass"),
    ];
    let run = notify_with(&repo, &args, &right).success();
    assert!(run.stderr.contains("sent 8 messages"), "{}", run.stderr);
    assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    assert_eq!(wait_for(&room, 8).len(), 8);
    let room = room.lock().expect("lock");
    assert!(
        room.logins
            .contains(&("notices".into(), "s3cret pass".into()))
    );
    assert!(room.logins.contains(&("notices".into(), "guess".into())));
}

#[test]
fn credentials_are_never_sent_over_plain_smtp_to_another_machine() {
    // smtp:// to a host that is not this machine would carry the password
    // in the clear: refused before any connection, whatever the host.
    let repo = site();
    repo.write("people.csv", PEOPLE);
    let credentials = [
        ("REDLINE_SMTP_USER", "notices"),
        ("REDLINE_SMTP_PASSWORD", "s3cret"),
    ];
    for url in ["smtp://mail.example.com:587", "smtp://192.0.2.10:25"] {
        let run = notify_with(&repo, &send_to_people(url), &credentials).failure();
        assert!(run.stderr.contains("unencrypted"), "{url}: {}", run.stderr);
        assert!(run.stderr.contains("smtps://"), "{url}: {}", run.stderr);
        assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
    }
    assert!(!repo.exists(".redline/notify-ledger.json"));
}

#[test]
fn since_a_revision_announces_the_changes_after_it_whatever_their_dates() {
    // `--since v1` means the commits `git log v1..` lists: a change landed
    // after the tag carries an older date (a rebased branch keeps its
    // committer date), and is announced all the same.
    let repo = site();
    let first = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);
    repo.git(&["tag", "announced"]);
    repo.commit_file(
        "content/privacy.md",
        &PRIVACY.replace("30 days", "7 days"),
        "Shorter\n\nPolicy-Change: material",
        "2026-03-05T10:00:00+00:00",
    );
    notify(&repo, &["--outbox", "tag", "--since", "announced"]).success();
    assert_eq!(
        outbox(&repo, "tag").keys().collect::<Vec<_>>(),
        ["0001-privacy-2026-03-05.eml"]
    );
    notify(&repo, &["--outbox", "id", "--since", &first]).success();
    assert_eq!(
        outbox(&repo, "id").keys().collect::<Vec<_>>(),
        [
            "0001-privacy-2026-03-05.eml",
            "0002-privacy-2026-03-10.eml",
            "0003-terms-2026-03-10.eml"
        ]
    );
    // A date, by contrast, goes by the dates.
    notify(&repo, &["--outbox", "date", "--since", "2026-03-06"]).success();
    assert_eq!(outbox(&repo, "date").len(), 2);

    let run = notify(&repo, &["--outbox", "bad", "--since", "no-such-tag"]).failure();
    assert!(run.stderr.contains("no-such-tag"), "{}", run.stderr);
}
