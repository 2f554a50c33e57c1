//! The front door. tiny_http parses and answers every request, but 0.12 has
//! no cap on connections, no deadline and no size limit for a request head,
//! and cannot take over a socket accepted elsewhere. So the gate accepts,
//! keeps at most [`Limits::connections`] open (closing the oldest still
//! sending its head), reads each head under one total deadline, refuses
//! bytes no request head may hold, then writes the head to tiny_http over a
//! private local socket and copies the answer back. It reads no field of the
//! request: what the head says is tiny_http's to parse.
//!
//! One request per connection: the gate passes on one head and closes after
//! the answer, so a connection cannot be kept alive to trickle a second head
//! past the deadline.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::backend::Backend;

/// How much the gate lets in.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections, event streams included. Kept well below 1,024 open
    /// files (a common default limit): a connection uses one descriptor
    /// while it sends its head and up to four while it is answered.
    pub connections: usize,
    /// From accepting a connection to the end of its head, however slowly
    /// the bytes come.
    pub head_deadline: Duration,
    /// Longest head; browsers send well under 2 KiB.
    pub head_bytes: usize,
    /// A client that takes no bytes of its answer for this long is dropped.
    pub write_timeout: Duration,
}

pub const LIMITS: Limits = Limits {
    connections: 400,
    head_deadline: Duration::from_secs(10),
    head_bytes: 16 * 1024,
    write_timeout: Duration::from_secs(10),
};

/// Accepts connections until the process ends.
pub fn run(listener: &TcpListener, backend: &Arc<Backend>, limits: Limits) {
    let open = Arc::new(Registry {
        open: Mutex::new(VecDeque::new()),
        limit: limits.connections,
    });
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors and the like: wait, then go on.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        next_id += 1;
        let client = Arc::new(stream);
        open.admit(next_id, &client);
        let ticket = Ticket {
            id: next_id,
            open: Arc::clone(&open),
        };
        let backend = Arc::clone(backend);
        // If no thread can be had, the connection is dropped here and
        // the next one is tried: the cap keeps this rare.
        let _ = std::thread::Builder::new()
            .name("redline-connection".into())
            .spawn(move || handle(&client, &ticket, &backend, limits));
    }
}

/// One connection: its head, then tiny_http's answer.
fn handle(client: &TcpStream, ticket: &Ticket, backend: &Backend, limits: Limits) {
    let mut client_io = client;
    let head = match read_head(client, limits) {
        Ok(head) => head,
        Err(Some(refusal)) => {
            let _ = client_io.write_all(&refusal);
            let _ = client.shutdown(Shutdown::Write);
            return;
        }
        Err(None) => return,
    };
    ticket.head_read();
    let _ = client.set_write_timeout(Some(limits.write_timeout));
    if let Some((status, why)) = request_line_problem(&head) {
        let _ = client_io.write_all(&refusal(status, why));
        return;
    }
    let Ok(mut upstream) = backend.connect() else {
        let _ = client_io.write_all(&refusal(503, "the server cannot take the request now"));
        return;
    };
    // An answer starts at once and an event stream sends a comment every
    // 15 s: silence longer than that means tiny_http is stuck, so let go.
    let _ = upstream.set_read_timeout(Some(UPSTREAM_SILENCE));
    if upstream.write_all(&head).is_err() {
        return;
    }
    // tiny_http sees the end of the connection after this head, so it
    // frees its worker as soon as the request is parsed.
    let _ = upstream.shutdown(Shutdown::Write);
    if is_event_stream(&head) {
        // Held by the broadcaster, not a worker: relayed as it comes.
        let _ = std::io::copy(&mut upstream, &mut client_io);
    } else {
        // A page is taken whole before the client gets a byte, so a client
        // that reads slowly holds this thread, never one of tiny_http's
        // few workers.
        let mut answer = Vec::new();
        if upstream.read_to_end(&mut answer).is_ok() {
            let _ = client_io.write_all(&answer);
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// Whether the head asks for the live-reload event stream.
fn is_event_stream(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let mut words = line.split(|&b| b == b' ').map(String::from_utf8_lossy);
    match (words.next(), words.next()) {
        (Some(method), Some(target)) => {
            super::http::classify(&method, &target) == super::http::Request::Events
        }
        _ => false,
    }
}

/// Longest silence from tiny_http while an answer is relayed.
const UPSTREAM_SILENCE: Duration = Duration::from_secs(30);

/// What is wrong with the request line, if anything: it must be exactly a
/// method, a target and `HTTP/1.1` or `HTTP/1.0`. tiny_http 0.12 takes the
/// third word for the version and answers other versions with a 505 while
/// the request's own writer still holds the connection, so it waits
/// forever; and extra words would be read differently by different parsers.
pub fn request_line_problem(head: &[u8]) -> Option<(u16, &'static str)> {
    let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
    let words: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    match words.as_slice() {
        [method, target, version] if !method.is_empty() && !target.is_empty() => {
            if *version == b"HTTP/1.1" || *version == b"HTTP/1.0" {
                None
            } else if version.starts_with(b"HTTP/") {
                Some((505, "the preview speaks HTTP/1.1 and HTTP/1.0"))
            } else {
                Some((400, "a malformed request line"))
            }
        }
        _ => Some((
            400,
            "a malformed request line (expected: METHOD TARGET HTTP/1.1)",
        )),
    }
}

/// Reads the head under the deadline. `Err(Some(reply))`: refuse with it;
/// `Err(None)`: the client left or was closed to make room.
fn read_head(client: &TcpStream, limits: Limits) -> Result<Vec<u8>, Option<Vec<u8>>> {
    let deadline = Instant::now() + limits.head_deadline;
    let mut bytes = Vec::with_capacity(1024);
    let mut scan = HeadScan::default();
    let mut chunk = [0u8; 4096];
    let mut client = client;
    loop {
        match scan.next(&bytes, limits.head_bytes) {
            Scan::Complete => {
                // One request per connection: bytes after the head (a
                // pipelined second request) were never checked, and go.
                let end =
                    memchr::memmem::find(&bytes, b"\r\n\r\n").map_or(bytes.len(), |at| at + 4);
                bytes.truncate(end);
                return Ok(bytes);
            }
            Scan::Invalid(why) => return Err(Some(refusal(400, why))),
            Scan::TooLong => {
                return Err(Some(refusal(431, "the request head is too long")));
            }
            Scan::Partial => {}
        }
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or_else(|| Some(too_slow(limits)))?;
        client.set_read_timeout(Some(left)).map_err(|_| None)?;
        match client.read(&mut chunk) {
            Ok(0) => return Err(None),
            Ok(read) => bytes.extend_from_slice(&chunk[..read]),
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(Some(too_slow(limits)));
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Err(None),
        }
    }
}

fn too_slow(limits: Limits) -> Vec<u8> {
    let why = format!(
        "the request head did not arrive within {} s",
        limits.head_deadline.as_secs()
    );
    refusal(408, &why)
}

/// How far a head is: the bytes a request head may hold are ASCII without
/// control characters but tab, with lines ended by CRLF (a bare CR or LF
/// would be read differently by different parsers, and tiny_http would
/// wait forever for a CRLF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    Partial,
    Complete,
    TooLong,
    Invalid(&'static str),
}

/// Checks the bytes of a head as they arrive, each byte once.
#[derive(Debug, Default)]
pub struct HeadScan {
    checked: usize,
}

impl HeadScan {
    /// `bytes`: everything received so far (it only grows).
    pub fn next(&mut self, bytes: &[u8], max: usize) -> Scan {
        while self.checked < bytes.len() {
            let i = self.checked;
            if i >= max {
                return Scan::TooLong;
            }
            match bytes[i] {
                b'\r' => match bytes.get(i + 1) {
                    None => return Scan::Partial,
                    Some(b'\n') => {}
                    Some(_) => return Scan::Invalid("a CR that does not end a line"),
                },
                b'\n' => {
                    if i == 0 || bytes[i - 1] != b'\r' {
                        return Scan::Invalid(
                            "a line ended by a bare LF (HTTP ends lines with CRLF)",
                        );
                    }
                    if i >= 3 && &bytes[i - 3..=i] == b"\r\n\r\n" {
                        return Scan::Complete;
                    }
                }
                b'\t' => {}
                byte if byte.is_ascii_control() => {
                    return Scan::Invalid("control characters in the request head");
                }
                byte if !byte.is_ascii() => {
                    return Scan::Invalid(
                        "bytes that are not ASCII in the request head (send them %-encoded)",
                    );
                }
                _ => {}
            }
            self.checked += 1;
        }
        Scan::Partial
    }
}

/// A complete plain-text answer for a connection refused before tiny_http
/// saw it.
pub fn refusal(status: u16, why: &str) -> Vec<u8> {
    let reason = match status {
        400 => "Bad Request",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "Service Unavailable",
    };
    let body = format!("{status} {reason}: {why}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The open connections, oldest first.
struct Registry {
    open: Mutex<VecDeque<Entry>>,
    limit: usize,
}

struct Entry {
    id: u64,
    stream: Arc<TcpStream>,
    sending_head: bool,
}

impl Registry {
    /// Counts a new connection in; at the limit, closes the oldest that is
    /// still sending its head (else the oldest), whose thread then ends.
    fn admit(&self, id: u64, stream: &Arc<TcpStream>) {
        let mut open = self.lock();
        if open.len() >= self.limit {
            let oldest = open.iter().position(|e| e.sending_head).unwrap_or(0);
            if let Some(entry) = open.remove(oldest) {
                let _ = entry.stream.shutdown(Shutdown::Both);
            }
        }
        open.push_back(Entry {
            id,
            stream: Arc::clone(stream),
            sending_head: true,
        });
    }

    fn find(open: &VecDeque<Entry>, id: u64) -> Option<usize> {
        open.binary_search_by_key(&id, |e| e.id).ok()
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A connection's place in the registry, given up when its thread ends.
struct Ticket {
    id: u64,
    open: Arc<Registry>,
}

impl Ticket {
    fn head_read(&self) {
        let mut open = self.open.lock();
        if let Some(at) = Registry::find(&open, self.id) {
            open[at].sending_head = false;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.open.lock();
        if let Some(at) = Registry::find(&open, self.id) {
            open.remove(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(bytes: &[u8]) -> Scan {
        HeadScan::default().next(bytes, 64)
    }

    #[test]
    fn a_head_is_complete_at_the_blank_line() {
        assert_eq!(scan(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Scan::Complete);
        assert_eq!(scan(b"GET / HTTP/1.1\r\nHost: a\r\n"), Scan::Partial);
        assert_eq!(scan(b"GET / HTTP/1.1\r"), Scan::Partial);
        assert_eq!(
            scan(b"GET / HTTP/1.1\r\nUser-Agent: a\tb\r\n\r\n"),
            Scan::Complete
        );
    }

    #[test]
    fn bytes_arriving_one_at_a_time_are_judged_the_same() {
        for head in [
            &b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            b"GET /a\rb HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\nHost: a\n\n",
        ] {
            let mut scanner = HeadScan::default();
            let mut last = Scan::Partial;
            for end in 1..=head.len() {
                last = scanner.next(&head[..end], 64);
                if last != Scan::Partial {
                    break;
                }
            }
            assert_eq!(last, scan(head), "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn bare_line_ends_controls_and_non_ascii_are_refused() {
        // Regression: a head ending in a bare LF waited for the timeout.
        assert!(matches!(scan(b"GET / HTTP/1.1\n\n"), Scan::Invalid(_)));
        assert!(matches!(
            scan(b"GET / HTTP/1.1\r\nHost: a\n\n"),
            Scan::Invalid(_)
        ));
        // Regression: a CR in the query reached the Location header.
        assert!(matches!(
            scan(b"GET /privacy?a\rSet-Cookie:x=1 HTTP/1.1\r\n\r\n"),
            Scan::Invalid(_)
        ));
        assert!(matches!(
            scan(b"GET /\x00 HTTP/1.1\r\n\r\n"),
            Scan::Invalid(_)
        ));
        assert!(matches!(
            scan(b"GET /\x7f HTTP/1.1\r\n\r\n"),
            Scan::Invalid(_)
        ));
        assert!(matches!(
            scan(b"GET /\xff\xfe/ HTTP/1.1\r\n\r\n"),
            Scan::Invalid(_)
        ));
    }

    #[test]
    fn a_head_past_the_limit_is_too_long() {
        let long = [b'a'; 100];
        assert_eq!(scan(&long), Scan::TooLong);
        assert_eq!(HeadScan::default().next(&long[..64], 64), Scan::Partial);
    }

    #[test]
    fn only_the_event_stream_is_relayed_as_it_comes() {
        let head = |target: &str| format!("GET {target} HTTP/1.1\r\nHost: a\r\n\r\n");
        let events = super::super::http::EVENTS_PATH;
        assert!(is_event_stream(head(events).as_bytes()));
        assert!(!is_event_stream(head("/privacy/").as_bytes()));
        assert!(!is_event_stream(
            format!("POST {events} HTTP/1.1\r\n\r\n").as_bytes()
        ));
    }

    #[test]
    fn request_lines_are_a_method_a_target_and_http_1() {
        let problem = |head: &[u8]| request_line_problem(head).map(|(status, _)| status);
        assert_eq!(problem(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"), None);
        assert_eq!(problem(b"GET / HTTP/1.0\r\n\r\n"), None);
        // Regression: tiny_http's 505 for these never finished.
        assert_eq!(problem(b"GET / HTTP/2.0\r\n\r\n"), Some(505));
        assert_eq!(problem(b"GET / HTTP/3.0\r\nHost: a\r\n\r\n"), Some(505));
        // Regression: a fourth word hid the version tiny_http reads.
        assert_eq!(problem(b"GET / HTTP/2.0 x\r\n\r\n"), Some(400));
        assert_eq!(problem(b"GET / HTTP/1.1 extra\r\n\r\n"), Some(400));
        assert_eq!(problem(b"GET /\r\n\r\n"), Some(400));
        assert_eq!(problem(b"GET  / HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(problem(b"GET / FTP/1.1\r\n\r\n"), Some(400));
    }

    #[test]
    fn refusals_are_complete_replies() {
        let text = String::from_utf8(refusal(400, "why")).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"));
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert_eq!(body, "400 Bad Request: why\n");
    }
}
