//! The site the server is showing, shared between the rebuild thread and the
//! request workers, and live reload: one broadcaster thread owns every open
//! event stream and tells each browser when a new build is in. A stream is
//! only a writer here, so an open tab holds no thread of its own and no
//! worker of the HTTP server.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::site::output::OutputSet;

/// How often an idle stream sends a comment, which also notices a closed tab.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// One state of the site: the newest good files and the newest error.
#[derive(Default)]
pub struct Snapshot {
    pub files: Option<Arc<OutputSet>>,
    pub error: Option<String>,
    /// Unique across server restarts: `<start time>-<build number>`.
    pub build_id: String,
}

/// The current snapshot.
pub struct Shared {
    current: Mutex<Arc<Snapshot>>,
    started: u128,
    builds: Mutex<u64>,
}

impl Shared {
    pub fn new() -> Shared {
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Shared {
            current: Mutex::new(Arc::new(Snapshot {
                build_id: format!("{started}-0"),
                ..Snapshot::default()
            })),
            started,
            builds: Mutex::new(0),
        }
    }

    /// The snapshot requests are answered from.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&lock(&self.current))
    }

    /// Publishes a rebuild's outcome: new files, or an error that keeps the
    /// last good files for assets.
    pub fn publish(&self, outcome: Result<OutputSet, String>) {
        let number = {
            let mut builds = lock(&self.builds);
            *builds += 1;
            *builds
        };
        let mut current = lock(&self.current);
        let build_id = format!("{}-{number}", self.started);
        *current = Arc::new(match outcome {
            Ok(files) => Snapshot {
                files: Some(Arc::new(files)),
                error: None,
                build_id,
            },
            Err(error) => Snapshot {
                files: current.files.clone(),
                error: Some(error),
                build_id,
            },
        });
    }
}

impl Default for Shared {
    fn default() -> Self {
        Shared::new()
    }
}

/// A poisoned lock only means another thread panicked; the data (an `Arc`
/// swapped whole) is still consistent, so keep serving.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The head of an event-stream reply, written by hand because the stream
/// never ends: a tiny_http `Response` needs its body up front. `retry`
/// makes the browser reconnect quickly after a restart.
const STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                           Cache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n";

/// One event stream's connection, as a writer.
pub type StreamWriter = Box<dyn Write + Send>;

enum Message {
    Open(StreamWriter),
    Build,
}

/// The handle to the broadcaster: hand it streams, tell it about builds.
#[derive(Clone)]
pub struct LiveReload {
    sender: Sender<Message>,
}

impl LiveReload {
    /// Starts the broadcaster, which keeps at most `max_streams` streams
    /// (the oldest is closed to make room: a tab reconnects by itself).
    pub fn start(shared: Arc<Shared>, max_streams: usize) -> std::io::Result<LiveReload> {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("redline-live-reload".into())
            .spawn(move || broadcast(&receiver, &shared, max_streams))?;
        Ok(LiveReload { sender })
    }

    /// Takes over an event-stream connection; nothing has been written to it.
    pub fn open(&self, writer: StreamWriter) {
        // The broadcaster only stops with the process.
        let _ = self.sender.send(Message::Open(writer));
    }

    /// Tells every stream about the build just published.
    pub fn announce(&self) {
        let _ = self.sender.send(Message::Build);
    }
}

/// The broadcaster's loop: streams in arrival order, oldest first.
fn broadcast(messages: &Receiver<Message>, shared: &Shared, max_streams: usize) {
    let mut streams: VecDeque<StreamWriter> = VecDeque::new();
    loop {
        match messages.recv_timeout(KEEPALIVE) {
            Ok(Message::Open(mut writer)) => {
                let first = format!("{STREAM_HEAD}{}", build_event(&shared.snapshot().build_id));
                if send(&mut writer, &first) {
                    streams.push_back(writer);
                }
                while streams.len() > max_streams {
                    streams.pop_front();
                }
            }
            Ok(Message::Build) => {
                let event = build_event(&shared.snapshot().build_id);
                streams.retain_mut(|writer| send(writer, &event));
            }
            Err(RecvTimeoutError::Timeout) => {
                streams.retain_mut(|writer| send(writer, KEEPALIVE_COMMENT));
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// What an idle stream sends every [`KEEPALIVE`]; a closed tab shows up as
/// a failed write.
const KEEPALIVE_COMMENT: &str = ": keepalive\n\n";

/// The event announcing a build; the page reloads if it is not its own.
pub fn build_event(build_id: &str) -> String {
    format!("event: build\ndata: {build_id}\n\n")
}

/// Writes and flushes; false when the browser has gone away.
fn send(writer: &mut StreamWriter, text: &str) -> bool {
    writer
        .write_all(text.as_bytes())
        .and_then(|()| writer.flush())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_build_keeps_the_last_good_files() {
        let shared = Shared::new();
        shared.publish(Ok(OutputSet::default()));
        let first = shared.snapshot();
        assert!(first.files.is_some() && first.error.is_none());
        shared.publish(Err("error: broken".into()));
        let second = shared.snapshot();
        assert!(second.files.is_some());
        assert_eq!(second.error.as_deref(), Some("error: broken"));
        assert_ne!(first.build_id, second.build_id);
    }

    /// A stream that records what it was sent, or refuses once told to.
    #[derive(Clone, Default)]
    struct Tab {
        received: Arc<Mutex<String>>,
        gone: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Write for Tab {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.gone.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            lock(&self.received).push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Tab {
        fn text(&self) -> String {
            lock(&self.received).clone()
        }
    }

    #[track_caller]
    fn eventually(what: &str, check: impl Fn() -> bool) {
        let started = std::time::Instant::now();
        while !check() {
            assert!(started.elapsed() < Duration::from_secs(30), "never: {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn streams_hear_the_current_build_then_each_new_one() {
        let shared = Arc::new(Shared::new());
        let live = LiveReload::start(Arc::clone(&shared), 8).unwrap();
        let tab = Tab::default();
        live.open(Box::new(tab.clone()));
        let first = shared.snapshot().build_id.clone();
        eventually("the stream head and current build", || {
            tab.text() == format!("{STREAM_HEAD}{}", build_event(&first))
        });
        shared.publish(Ok(OutputSet::default()));
        live.announce();
        let second = shared.snapshot().build_id.clone();
        eventually("the new build", || {
            tab.text().ends_with(&build_event(&second))
        });
    }

    #[test]
    fn past_the_cap_the_oldest_stream_is_closed_and_gone_tabs_are_dropped() {
        let shared = Arc::new(Shared::new());
        let live = LiveReload::start(Arc::clone(&shared), 2).unwrap();
        let tabs: Vec<Tab> = (0..3).map(|_| Tab::default()).collect();
        for tab in &tabs {
            live.open(Box::new(tab.clone()));
            eventually("the stream head", || !tab.text().is_empty());
        }
        // Only the broadcaster held the first tab's writer: dropped = closed.
        eventually("the oldest closed", || {
            Arc::strong_count(&tabs[0].received) == 1
        });
        tabs[1]
            .gone
            .store(true, std::sync::atomic::Ordering::SeqCst);
        shared.publish(Ok(OutputSet::default()));
        live.announce();
        let id = shared.snapshot().build_id.clone();
        eventually("the newest told", || {
            tabs[2].text().ends_with(&build_event(&id))
        });
        eventually("the gone tab dropped", || {
            Arc::strong_count(&tabs[1].received) == 1
        });
        assert!(!tabs[0].text().contains(&id));
    }
}
