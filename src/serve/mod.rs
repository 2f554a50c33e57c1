//! `redline serve`: the site built in memory (never into `public/`), served
//! over HTTP on loopback, rebuilt when a source changes, with a live-reload
//! script injected into HTML responses only here, so built sites keep no
//! JavaScript. The pieces: `gate` accepts and bounds connections, `backend`
//! is tiny_http parsing each request, `host` decides which `Host` values are
//! answered, `path` turns a target into a site path and `http` answers (all
//! three pure), `reload` holds the current site and broadcasts build events,
//! `watch` turns file events into rebuilds. This file wires them together
//! with threads.

pub mod backend;
pub mod gate;
pub mod host;
pub mod http;
pub mod path;
pub mod reload;
pub mod watch;

use std::collections::HashSet;
use std::io::{ErrorKind, Write};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};

use crate::report::{Reporter, error_chain};
use crate::site;
use crate::site::reuse::PreviewCache;
use crate::source::config::{Config, Overrides};
use backend::Backend;
use reload::{LiveReload, Shared};
use watch::{SourceWatcher, Watched};

/// The port tried first when none is given; the next free one is taken if busy.
pub const DEFAULT_PORT: u16 = 4000;
/// Open live-reload streams; past this the oldest is closed (its tab
/// reconnects). A person previews in a handful of tabs.
const MAX_STREAMS: usize = 64;

/// What `redline serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub overrides: Overrides,
    pub bind: IpAddr,
    /// None: [`DEFAULT_PORT`] or the next free one. `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Open the site in the default browser.
    pub open: bool,
    /// Scan for changes instead of waiting for file-system events.
    pub poll: bool,
}

/// Serves until the process is stopped. Prints the URL on stdout.
pub fn serve(options: &ServeOptions, reporter: Reporter) -> Result<()> {
    let root = std::fs::canonicalize(&options.overrides.root).with_context(|| {
        format!(
            "the site root {} does not exist",
            options.overrides.root.display()
        )
    })?;
    let (listener, address) = bind(options.bind, options.port, reporter)?;
    let own = if options.bind.is_unspecified() {
        own_addresses(reporter)
    } else {
        Vec::new()
    };
    let url = host::reachable_url(address, &own);
    if !options.bind.is_loopback() {
        reporter.warn(&format!(
            "serving on {}: other machines on the network can see the preview, drafts included",
            options.bind
        ));
    }
    let builder = Builder {
        overrides: Overrides {
            root: root.clone(),
            // Links that use the base URL (the 404 page, canonical links)
            // stay on the preview.
            base_url: Some(url.clone()),
            ..options.overrides.clone()
        },
        reporter,
        last_warnings: Vec::new(),
        kept: PreviewCache::default(),
    };
    let shared = Arc::new(Shared::new());
    let live = LiveReload::start(Arc::clone(&shared), MAX_STREAMS)
        .context("cannot start the live-reload thread")?;
    let (stopped, why) = std::sync::mpsc::channel();
    let backend = Arc::new(Backend::start(backend::Answers {
        shared: Arc::clone(&shared),
        hosts: host::AllowedHosts::new(address, &own),
        live: live.clone(),
        stopped,
    })?);
    let watched = Watched {
        root: root.clone(),
        content_dir: root.join("content"),
        output_dir: root.join("public"),
        ignore_revs_file: root.join(".git-blame-ignore-revs"),
        git_dirs: git_dirs(&root),
    };
    let mut watcher = SourceWatcher::new(options.poll)?;
    // Watch before the first build, so an edit made during it is not lost.
    watcher.update(&watched)?;
    let mut rebuilds = Rebuilds {
        builder,
        shared,
        live,
    };
    // The URL is printed once there is something to see.
    let watched = rebuilds.rebuild(&mut watcher, watched);
    let all_interfaces = if address.ip().is_unspecified() {
        format!(" (listening on all interfaces, {address})")
    } else {
        String::new()
    };
    println!(
        "Serving {root_display} at {url}{all_interfaces}",
        root_display = root.display()
    );
    std::io::stdout().flush().ok();
    if options.open {
        open_browser(&url, reporter);
    }
    std::thread::Builder::new()
        .name("redline-watch".into())
        .spawn(move || rebuilds.run(watcher, watched))
        .context("cannot start the rebuild thread")?;
    std::thread::Builder::new()
        .name("redline-gate".into())
        .spawn(move || gate::run(&listener, &backend, gate::LIMITS))
        .context("cannot start the thread accepting connections")?;
    let why = why.recv().unwrap_or_default();
    bail!("the preview server stopped ({why}); start redline serve again")
}

/// The machine's own addresses, for `--bind 0.0.0.0`: the Host values
/// other machines use to reach it.
fn own_addresses(reporter: Reporter) -> Vec<IpAddr> {
    match if_addrs::get_if_addrs() {
        Ok(interfaces) => interfaces.iter().map(if_addrs::Interface::ip).collect(),
        Err(err) => {
            reporter.warn(&format!(
                "cannot list this machine's addresses ({err}); only localhost will be answered"
            ));
            Vec::new()
        }
    }
}

/// Loads the config and builds the site, remembering what to print.
struct Builder {
    overrides: Overrides,
    reporter: Reporter,
    last_warnings: Vec<String>,
    /// The history and each document's archive from the last build, reused
    /// while their inputs are unchanged: only what changed is rebuilt.
    kept: PreviewCache,
}

impl Builder {
    /// One build: the config is read again each time, so `redline.toml`
    /// edits apply without a restart.
    fn build(
        &mut self,
    ) -> (
        Option<Config>,
        Result<crate::site::output::OutputSet, String>,
    ) {
        let started = Instant::now();
        let config = match Config::load(&self.overrides) {
            Ok(config) => config,
            Err(err) => return (None, Err(self.report_error(&err))),
        };
        match site::preview(&config, &self.kept) {
            Ok(generated) => {
                if generated.warnings != self.last_warnings {
                    for warning in &generated.warnings {
                        self.reporter.warn(warning);
                    }
                    self.last_warnings = generated.warnings;
                }
                self.reporter.info(&format!(
                    "built {} in {} ms",
                    crate::report::count(generated.documents, "document"),
                    started.elapsed().as_millis()
                ));
                (Some(config), Ok(generated.files))
            }
            Err(err) => (Some(config), Err(self.report_error(&err))),
        }
    }

    fn report_error(&mut self, err: &anyhow::Error) -> String {
        let text = error_chain(err);
        eprintln!("{text}\nThe preview shows this error until the file is fixed.");
        // Print the warnings again once the site builds.
        self.last_warnings.clear();
        text
    }
}

/// The rebuild loop: wait for changes, rebuild, publish, repeat.
struct Rebuilds {
    builder: Builder,
    shared: Arc<Shared>,
    live: LiveReload,
}

impl Rebuilds {
    fn run(mut self, mut watcher: SourceWatcher, mut watched: Watched) {
        while let Some(changes) = watcher.next_batch(&watched) {
            self.builder
                .reporter
                .detail(&format!("changed: {}", describe(&changes)));
            watched = self.rebuild(&mut watcher, watched);
        }
        self.builder
            .reporter
            .warn("the file watcher stopped; restart redline serve to see new changes");
    }

    fn rebuild(&mut self, watcher: &mut SourceWatcher, mut watched: Watched) -> Watched {
        let (config, outcome) = self.builder.build();
        self.shared.publish(outcome);
        self.live.announce();
        if let Some(config) = config {
            watched.content_dir = config.content_dir;
            watched.output_dir = config.output_dir;
            watched.ignore_revs_file = config.ignore_revs_file;
        }
        if let Err(err) = watcher.update(&watched) {
            self.builder.reporter.warn(&error_chain(&err));
        }
        watched
    }
}

fn describe(changes: &HashSet<watch::Change>) -> String {
    let mut names: Vec<String> = changes.iter().map(|c| format!("{c:?}")).collect();
    names.sort();
    names.join(", ")
}

/// The git folders whose refs decide the published tip (none outside git).
fn git_dirs(root: &std::path::Path) -> Vec<PathBuf> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Vec::new();
    };
    let mut dirs = vec![repo.path().to_path_buf(), repo.commondir().to_path_buf()];
    for dir in &mut dirs {
        if let Ok(canonical) = std::fs::canonicalize(&*dir) {
            *dir = canonical;
        }
    }
    dirs.dedup();
    dirs
}

/// Binds the listener. An explicit port that is busy is an error naming it;
/// without one, the next free port after [`DEFAULT_PORT`] is taken.
fn bind(ip: IpAddr, port: Option<u16>, reporter: Reporter) -> Result<(TcpListener, SocketAddr)> {
    let listen = |port: u16| {
        TcpListener::bind((ip, port)).and_then(|l| l.local_addr().map(|address| (l, address)))
    };
    if let Some(port) = port {
        return listen(port).map_err(|err| match err.kind() {
            ErrorKind::AddrInUse => anyhow!(
                "port {port} on {ip} is already in use (another redline serve?); stop that program, or choose another port with --port N (--port 0 picks any free port)"
            ),
            _ => anyhow!(err).context(format!("cannot listen on {ip} port {port}")),
        });
    }
    for candidate in DEFAULT_PORT..DEFAULT_PORT + 20 {
        match listen(candidate) {
            Ok(bound) => {
                if candidate != DEFAULT_PORT {
                    reporter.info(&format!(
                        "port {DEFAULT_PORT} is in use; using port {candidate}"
                    ));
                }
                return Ok(bound);
            }
            Err(err) if err.kind() == ErrorKind::AddrInUse => continue,
            Err(err) => {
                return Err(anyhow!(err).context(format!("cannot listen on {ip} port {candidate}")));
            }
        }
    }
    bail!(
        "ports {DEFAULT_PORT} to {} on {ip} are all in use; choose one with --port N (--port 0 picks any free port)",
        DEFAULT_PORT + 19
    )
}

/// Opens the URL in the desktop's browser; failing that, says so and goes on.
fn open_browser(url: &str, reporter: Reporter) {
    let (program, args): (&str, &[&str]) = if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("cmd", &["/C", "start", ""])
    } else {
        ("xdg-open", &[])
    };
    if let Err(err) = std::process::Command::new(program)
        .args(args)
        .arg(url)
        .spawn()
    {
        reporter.warn(&format!(
            "--open: cannot start {program} ({err}); open {url} yourself"
        ));
    }
}
