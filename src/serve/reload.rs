//! The site the server is showing, shared between the rebuild thread and the
//! request threads, and the live-reload event stream that tells browsers a
//! new build is in. Each stream runs on its own thread and waits on a
//! condition variable, so open streams never hold up page requests.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::output::OutputSet;

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

/// The current snapshot, and a signal for the event streams.
pub struct Shared {
    current: Mutex<Arc<Snapshot>>,
    changed: Condvar,
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
            changed: Condvar::new(),
            started,
            builds: Mutex::new(0),
        }
    }

    /// The snapshot requests are answered from.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&lock(&self.current))
    }

    /// Publishes a rebuild's outcome: new files, or an error that keeps the
    /// last good files for assets. Wakes every event stream.
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
        self.changed.notify_all();
    }

    /// Waits until the build is no longer `seen`, or `timeout` passes.
    fn wait_for_change(&self, seen: &str, timeout: Duration) -> Arc<Snapshot> {
        let guard = lock(&self.current);
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |current| current.build_id == seen)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(&guard)
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

/// Streams `event: build` messages to one browser until it goes away.
/// `writer` is the connection; the status line and headers are written here.
pub fn stream_events(shared: &Shared, mut writer: impl Write) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
                Cache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n";
    if writer.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut seen = String::new();
    loop {
        let snapshot = shared.wait_for_change(&seen, KEEPALIVE);
        let message = if snapshot.build_id == seen {
            ": keepalive\n\n".to_string()
        } else {
            seen = snapshot.build_id.clone();
            format!("event: build\ndata: {seen}\n\n")
        };
        if writer
            .write_all(message.as_bytes())
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
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

    #[test]
    fn waiting_returns_on_a_new_build() {
        let shared = Arc::new(Shared::new());
        let seen = shared.snapshot().build_id.clone();
        let publisher = Arc::clone(&shared);
        let handle = std::thread::spawn(move || publisher.publish(Ok(OutputSet::default())));
        let next = shared.wait_for_change(&seen, Duration::from_secs(30));
        handle.join().unwrap();
        assert_ne!(next.build_id, seen);
    }
}
