//! One HTTP/1.1 connection on its own thread: read the request head, answer
//! with [`http::respond`] or keep an event stream open, then close.
//!
//! Why not tiny_http: its connection pool (0.12, `util/task_pool.rs`) decides
//! whether to start a thread from a count of idle threads that still includes
//! threads already woken for other connections. When several connections
//! arrive at once, some are queued behind threads that never come back,
//! because a live-reload stream holds its thread for as long as the tab is
//! open. Measured: of 12 event streams opened together, 4 were never
//! answered, and pages queued the same way. A thread per connection and
//! `Connection: close` have no such queue; the preview needs nothing more.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::http::{self, Reply};
use super::reload::{self, Shared};

/// Longest request head accepted; browsers send a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// A client that sends no complete head in this time is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request line, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
}

/// Serves one connection until its answer is written (or its stream ends).
pub fn handle(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Some(bytes) = read_head(&mut stream) else {
        return;
    };
    let head = match parse_head(&bytes) {
        Ok(head) => head,
        Err(reply) => {
            let _ = write_reply(&mut stream, &reply, false);
            return;
        }
    };
    match http::classify(&head.method, &head.target) {
        http::Request::Events => reload::stream_events(shared, stream),
        http::Request::Site => {
            let snapshot = shared.snapshot();
            let state = http::SiteState {
                files: snapshot.files.as_deref(),
                error: snapshot.error.as_deref(),
                build_id: &snapshot.build_id,
            };
            let reply = http::respond(&state, &head.method, &head.target);
            // The browser may have gone away; nothing to do about it.
            let _ = write_reply(&mut stream, &reply, head.method == "HEAD");
        }
    }
}

/// Reads up to the blank line ending the head (None: the client went away,
/// was too slow, or sent too much; a too-long head is answered first).
fn read_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&chunk[..read]);
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            bytes.truncate(end);
            return Some(bytes);
        }
        if bytes.len() > MAX_HEAD {
            let reply = plain(431, "431 Request Header Fields Too Large\n");
            let _ = write_reply(stream, &reply, false);
            return None;
        }
    }
}

/// Checks the request line of `head` (the bytes before the blank line).
pub fn parse_head(head: &[u8]) -> Result<Head, Reply> {
    let bad = |why: &str| plain(400, &format!("400 Bad Request: {why}\n"));
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = std::str::from_utf8(line).map_err(|_| bad("the request line is not UTF-8"))?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not `METHOD TARGET HTTP/1.1`"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("no method"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(plain(505, "505 HTTP Version Not Supported\n"));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
    })
}

fn write_reply(stream: &mut impl Write, reply: &Reply, head_only: bool) -> std::io::Result<()> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    stream.write_all(out.as_bytes())?;
    if !head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

fn plain(status: u16, message: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
        body: message.as_bytes().to_vec(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_are_parsed() {
        let head = parse_head(b"GET /privacy/ HTTP/1.1\r\nHost: x").unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/privacy/");
        assert_eq!(parse_head(b"HEAD / HTTP/1.0").unwrap().method, "HEAD");
    }

    #[test]
    fn malformed_request_lines_are_4xx_or_505() {
        for line in [
            &b"GET /\xff\xfe/ HTTP/1.1"[..],
            b"GET / HTTP/1.1 extra",
            b"GET /",
            b"",
            b"get / HTTP/1.1",
            b"GET  / HTTP/1.1",
        ] {
            let status = parse_head(line).unwrap_err().status;
            assert_eq!(status, 400, "{}", String::from_utf8_lossy(line));
        }
        assert_eq!(parse_head(b"GET / HTTP/2.0").unwrap_err().status, 505);
    }

    #[test]
    fn replies_close_and_head_has_no_body() {
        let reply = plain(200, "hello");
        let mut out = Vec::new();
        write_reply(&mut out, &reply, true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Content-Length: 5\r\nConnection: close\r\n\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
