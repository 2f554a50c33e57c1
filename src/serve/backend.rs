//! tiny_http behind the gate: it parses each request head the gate passes
//! on, and a few workers answer with [`http::respond`], after checking the
//! `Host`. An event-stream request leaves tiny_http at once: its writer goes
//! to the live-reload broadcaster (`Request::into_writer`), and since the
//! gate ends each connection after one head, tiny_http's own thread for the
//! connection is free as soon as the head is parsed. No worker waits on a
//! stream, so pages never queue behind open tabs.
//!
//! tiny_http listens on a socket only the gate can reach: a Unix socket in
//! a private temporary folder (on other systems, a loopback port).

use std::io;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use anyhow::{Context, Result, anyhow};

use super::host::AllowedHosts;
use super::http::{self, Reply};
use super::reload::{LiveReload, Shared};

/// Threads answering parsed requests; an answer is a lookup and a copy.
const WORKERS: usize = 4;

/// A connection from the gate to tiny_http.
#[cfg(unix)]
pub type Upstream = std::os::unix::net::UnixStream;
#[cfg(not(unix))]
pub type Upstream = std::net::TcpStream;

/// What the workers answer from, and where they say that tiny_http stopped.
pub struct Answers {
    pub shared: Arc<Shared>,
    pub hosts: AllowedHosts,
    pub live: LiveReload,
    pub stopped: Sender<String>,
}

/// The running tiny_http server and where the gate reaches it.
pub struct Backend {
    #[cfg(unix)]
    socket: std::path::PathBuf,
    #[cfg(unix)]
    _folder: tempfile::TempDir,
    #[cfg(not(unix))]
    address: std::net::SocketAddr,
}

impl Backend {
    /// Starts tiny_http and its workers.
    pub fn start(answers: Answers) -> Result<Backend> {
        #[cfg(unix)]
        let (listener, backend) = {
            let folder = tempfile::Builder::new()
                .prefix("redline-serve-")
                .tempdir()
                .context("cannot make a private folder for the server's socket")?;
            let socket = folder.path().join("http.sock");
            let listener = std::os::unix::net::UnixListener::bind(&socket)
                .with_context(|| format!("cannot listen on {}", socket.display()))?;
            let backend = Backend {
                socket,
                _folder: folder,
            };
            (tiny_http::Listener::from(listener), backend)
        };
        #[cfg(not(unix))]
        let (listener, backend) = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .context("cannot listen on a loopback port")?;
            let address = listener.local_addr()?;
            (tiny_http::Listener::from(listener), Backend { address })
        };
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|err| anyhow!("cannot start the HTTP server: {err}"))?;
        let server = Arc::new(server);
        let answers = Arc::new(answers);
        for _ in 0..WORKERS {
            let (server, answers) = (Arc::clone(&server), Arc::clone(&answers));
            std::thread::Builder::new()
                .name("redline-worker".into())
                .spawn(move || work(&server, &answers))
                .context("cannot start a worker thread")?;
        }
        Ok(backend)
    }

    /// A new connection to tiny_http.
    pub fn connect(&self) -> io::Result<Upstream> {
        #[cfg(unix)]
        return Upstream::connect(&self.socket);
        #[cfg(not(unix))]
        return Upstream::connect(self.address);
    }
}

fn work(server: &tiny_http::Server, answers: &Answers) {
    loop {
        match server.recv() {
            Ok(request) => answer(answers, request),
            Err(err) => {
                // tiny_http stops accepting after an error: the preview is
                // dead, and `serve` ends with this error rather than hang.
                let _ = answers.stopped.send(err.to_string());
                return;
            }
        }
    }
}

fn answer(answers: &Answers, request: tiny_http::Request) {
    let hosts: Vec<&str> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str())
        .collect();
    if let Some(reply) = http::host_refusal(&answers.hosts, &hosts) {
        send(request, reply);
        return;
    }
    let method = request.method().as_str().to_string();
    let target = request.url().to_string();
    match http::classify(&method, &target) {
        http::Request::Events => answers.live.open(request.into_writer()),
        http::Request::Site => {
            let snapshot = answers.shared.snapshot();
            let state = http::SiteState {
                files: snapshot.files.as_deref(),
                error: snapshot.error.as_deref(),
                build_id: &snapshot.build_id,
            };
            send(request, http::respond(&state, &method, &target));
        }
    }
}

/// Hands a reply to tiny_http, which writes it (the body left out for HEAD).
fn send(request: tiny_http::Request, reply: Reply) {
    let mut response = tiny_http::Response::from_data(reply.body)
        .with_status_code(reply.status)
        // Always Content-Length, never chunked: HEAD announces the length.
        .with_chunked_threshold(usize::MAX);
    for (name, value) in reply.headers {
        // Our header values are plain ASCII; one that is not is left out.
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The browser may have gone away; nothing to do about it.
    let _ = request.respond(response);
}
