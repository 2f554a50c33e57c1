//! Watching the site's sources with notify. Folders are watched, not files,
//! so editors that save by writing a temporary file and renaming it over the
//! original are seen; [`classify`] (pure) decides which paths matter; bursts
//! of events are debounced into one rebuild.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode};

/// How long the sources must be quiet before a rebuild: long enough to
/// gather one save's burst (write, rename, chmod), short enough to feel live.
pub const QUIET: Duration = Duration::from_millis(40);
/// A rebuild starts at the latest this long after the first event, even if
/// events keep coming (a checkout of many files).
const MAX_WAIT: Duration = Duration::from_millis(1000);
/// `--poll`: how often the poll watcher scans.
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// Where the site's sources are: what [`classify`] compares paths with.
#[derive(Debug, Clone)]
pub struct Watched {
    pub root: PathBuf,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub ignore_revs_file: PathBuf,
    /// The repository's git folder and, for a linked work tree, the common
    /// one; `HEAD`, `packed-refs` and `refs/` there move the published tip.
    pub git_dirs: Vec<PathBuf>,
}

/// What kind of source changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    Content,
    Theme,
    Config,
    /// A commit, checkout or reset: versions may have changed.
    Git,
    /// The watcher lost events (queue overflow, an error): rebuild anyway.
    Rescan,
}

/// Whether a changed path matters to the site, and how.
pub fn classify(path: &Path, watched: &Watched) -> Option<Change> {
    let name = path.file_name()?.to_string_lossy();
    if is_editor_scratch(&name) {
        return None;
    }
    for git_dir in &watched.git_dirs {
        if let Ok(rel) = path.strip_prefix(git_dir) {
            let first = rel.iter().next()?.to_string_lossy();
            let is_ref = first == "refs" && !name.ends_with(".lock");
            return (rel == Path::new("HEAD") || rel == Path::new("packed-refs") || is_ref)
                .then_some(Change::Git);
        }
    }
    if path.starts_with(&watched.output_dir) {
        return None;
    }
    if path == watched.ignore_revs_file {
        return Some(Change::Config);
    }
    if let Ok(rel) = path.strip_prefix(&watched.content_dir) {
        let hidden = rel.iter().any(|c| c.to_string_lossy().starts_with('.'));
        return (!hidden).then_some(Change::Content);
    }
    let rel = path.strip_prefix(&watched.root).ok()?;
    let first = rel.iter().next()?.to_string_lossy();
    match first.as_ref() {
        "templates" | "static" | "themes" | "i18n" => Some(Change::Theme),
        crate::source::config::CONFIG_FILE if rel.iter().count() == 1 => Some(Change::Config),
        _ => None,
    }
}

/// Swap, backup and lock files editors write beside the file being edited:
/// vim (`.x.swp`, `x~`, `4913`), emacs (`#x#`, `.#x`), JetBrains
/// (`x___jb_tmp___`), and the usual `.tmp`/`.bak`.
pub fn is_editor_scratch(name: &str) -> bool {
    name == "4913"
        || name == ".DS_Store"
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".crswap"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
}

type Events = Receiver<notify::Result<notify::Event>>;

/// A notify watcher (native or polling) and the folders it watches.
pub struct SourceWatcher {
    inner: Box<dyn notify::Watcher + Send>,
    events: Events,
    watching: HashSet<PathBuf>,
}

impl SourceWatcher {
    /// A native watcher, or with `poll` one that scans every few hundred ms
    /// (for network mounts and containers, where no events arrive).
    pub fn new(poll: bool) -> Result<SourceWatcher> {
        let (sender, events) = mpsc::channel();
        let inner: Box<dyn notify::Watcher + Send> = if poll {
            // Contents too, not just times: a save caught between its
            // truncate and its write leaves the same mtime (the clock is
            // coarse), and the finished file would never be seen.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Box::new(
                notify::PollWatcher::new(sender, config)
                    .context("cannot start the polling file watcher")?,
            )
        } else {
            Box::new(notify::recommended_watcher(sender).context(
                "cannot start the file watcher; try --poll, which scans for changes instead",
            )?)
        };
        Ok(SourceWatcher {
            inner,
            events,
            watching: HashSet::new(),
        })
    }

    /// Watches every source folder that exists and is not watched yet (a
    /// `templates/` created after start is picked up on the next change).
    pub fn update(&mut self, watched: &Watched) -> Result<()> {
        let mut folders = vec![
            (watched.root.clone(), RecursiveMode::NonRecursive),
            (watched.content_dir.clone(), RecursiveMode::Recursive),
        ];
        for name in ["templates", "static", "themes", "i18n"] {
            folders.push((watched.root.join(name), RecursiveMode::Recursive));
        }
        for git_dir in &watched.git_dirs {
            folders.push((git_dir.clone(), RecursiveMode::NonRecursive));
            folders.push((git_dir.join("refs"), RecursiveMode::Recursive));
        }
        for (folder, mode) in folders {
            if !folder.is_dir() || self.watching.contains(&folder) {
                continue;
            }
            self.inner
                .watch(&folder, mode)
                .with_context(|| format!("cannot watch {} for changes", folder.display()))?;
            self.watching.insert(folder);
        }
        Ok(())
    }

    /// Blocks until a relevant change, then until the sources are quiet;
    /// returns what changed (None when the watcher has stopped).
    pub fn next_batch(&self, watched: &Watched) -> Option<HashSet<Change>> {
        let mut changes = HashSet::new();
        while changes.is_empty() {
            collect(self.events.recv().ok(), watched, &mut changes)?;
        }
        let deadline = Instant::now() + MAX_WAIT;
        while Instant::now() < deadline {
            match self.events.recv_timeout(QUIET) {
                Ok(event) => {
                    collect(Some(event), watched, &mut changes);
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(changes)
    }
}

fn collect(
    event: Option<notify::Result<notify::Event>>,
    watched: &Watched,
    changes: &mut HashSet<Change>,
) -> Option<()> {
    match event? {
        Err(_) => {
            changes.insert(Change::Rescan);
        }
        Ok(event) if event.need_rescan() => {
            changes.insert(Change::Rescan);
        }
        // Opening or reading a file (our own rebuild does) changes nothing.
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
        Ok(event) => changes.extend(event.paths.iter().filter_map(|p| classify(p, watched))),
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched() -> Watched {
        Watched {
            root: "/site".into(),
            content_dir: "/site/content".into(),
            output_dir: "/site/public".into(),
            ignore_revs_file: "/site/.git-blame-ignore-revs".into(),
            git_dirs: vec!["/site/.git".into()],
        }
    }

    fn kind(path: &str) -> Option<Change> {
        classify(Path::new(path), &watched())
    }

    #[test]
    fn sources_are_classified() {
        assert_eq!(kind("/site/content/privacy.md"), Some(Change::Content));
        assert_eq!(kind("/site/content/legal/logo.png"), Some(Change::Content));
        assert_eq!(kind("/site/templates/page.html"), Some(Change::Theme));
        assert_eq!(kind("/site/static/style.css"), Some(Change::Theme));
        assert_eq!(kind("/site/i18n/de.toml"), Some(Change::Theme));
        assert_eq!(
            kind("/site/themes/plain/templates/base.html"),
            Some(Change::Theme)
        );
        assert_eq!(kind("/site/templates"), Some(Change::Theme));
        assert_eq!(kind("/site/redline.toml"), Some(Change::Config));
        assert_eq!(kind("/site/.git-blame-ignore-revs"), Some(Change::Config));
    }

    #[test]
    fn git_tip_moves_are_seen_but_not_object_writes() {
        assert_eq!(kind("/site/.git/HEAD"), Some(Change::Git));
        assert_eq!(kind("/site/.git/refs/heads/main"), Some(Change::Git));
        assert_eq!(kind("/site/.git/packed-refs"), Some(Change::Git));
        assert_eq!(kind("/site/.git/refs/heads/main.lock"), None);
        assert_eq!(kind("/site/.git/objects/ab/cdef"), None);
        assert_eq!(kind("/site/.git/index"), None);
        assert_eq!(kind("/site/.git/HEAD.lock"), None);
    }

    #[test]
    fn output_scratch_and_unrelated_files_are_ignored() {
        assert_eq!(kind("/site/public/privacy/index.html"), None);
        assert_eq!(kind("/site/README.md"), None);
        assert_eq!(kind("/site/target/debug/redline"), None);
        assert_eq!(kind("/site/content/.privacy.md.swp"), None);
        assert_eq!(kind("/site/content/privacy.md~"), None);
        assert_eq!(kind("/site/content/4913"), None);
        assert_eq!(kind("/site/content/.#privacy.md"), None);
        assert_eq!(kind("/site/content/#privacy.md#"), None);
        assert_eq!(kind("/site/content/privacy.md___jb_tmp___"), None);
        assert_eq!(kind("/site/content/.hidden/x.md"), None);
        assert_eq!(kind("/elsewhere/x.md"), None);
    }
}
