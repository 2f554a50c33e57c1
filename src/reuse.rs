//! What the preview server keeps between builds, so a save renders again
//! only what could have changed: the history, until the commit, the
//! documents or the settings change; and each document's archive.
//!
//! A document's archive (every version's page, every redline, its feed) is a
//! function of its history, its summary, the site's config, the context
//! every page shares and the templates. Its key hashes all of them, so a
//! change to any one renders that archive again; a new commit changes the
//! history and with it the key.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

use crate::archive::DocArchive;
use crate::history::History;

/// Everything kept from one preview build for the next.
#[derive(Debug, Default)]
pub struct PreviewCache {
    pub history: HistoryCache,
    pub archives: ArchiveCache,
}

/// The last history read, under the key of what it was read for.
#[derive(Debug, Default)]
pub struct HistoryCache {
    last: Mutex<Option<(String, History)>>,
    reused: AtomicUsize,
}

impl HistoryCache {
    /// The history last read, if it was read under `key`.
    pub fn get(&self, key: &str) -> Option<History> {
        let hit = self
            .lock()
            .as_ref()
            .filter(|(stored, _)| stored == key)
            .map(|(_, history)| history.clone());
        if hit.is_some() {
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }

    pub fn put(&self, key: String, history: History) {
        *self.lock() = Some((key, history));
    }

    /// How many times the history was handed back instead of read, in all.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Option<(String, History)>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Each document's last archive, under the key of the inputs it was built from.
#[derive(Debug, Default)]
pub struct ArchiveCache {
    entries: Mutex<HashMap<String, (String, DocArchive)>>,
    reused: AtomicUsize,
}

impl ArchiveCache {
    /// The archive stored for `document`, if it was built under `key`.
    pub fn get(&self, document: &str, key: &str) -> Option<DocArchive> {
        let hit = self
            .lock()
            .get(document)
            .filter(|(stored, _)| stored == key)
            .map(|(_, archive)| archive.clone());
        if hit.is_some() {
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }

    pub fn put(&self, document: &str, key: String, archive: DocArchive) {
        self.lock().insert(document.to_string(), (key, archive));
    }

    /// Forgets documents that are no longer in the site.
    pub fn keep_only<'a>(&self, documents: impl IntoIterator<Item = &'a str>) {
        let keep: HashSet<&str> = documents.into_iter().collect();
        self.lock()
            .retain(|document, _| keep.contains(document.as_str()));
    }

    /// How many archives were handed back instead of built, in all.
    pub fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (String, DocArchive)>> {
        // Entries are replaced whole, so a panic elsewhere leaves none torn.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A key for inputs: the SHA-256 of their `Debug` forms, which show every
/// field.
pub fn key(parts: &[&dyn Debug]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(format!("{part:?}").as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_comes_back_only_under_its_own_key() {
        let cache = ArchiveCache::default();
        let archive = DocArchive {
            files: vec![("privacy/versions/index.html".into(), b"x".to_vec())],
            ..DocArchive::default()
        };
        cache.put("content/privacy.md", key(&[&"inputs", &1]), archive);
        assert!(
            cache
                .get("content/privacy.md", &key(&[&"inputs", &2]))
                .is_none()
        );
        let hit = cache
            .get("content/privacy.md", &key(&[&"inputs", &1]))
            .expect("same inputs, same archive");
        assert_eq!(hit.files[0].0, "privacy/versions/index.html");
        assert_eq!(cache.reused(), 1);
        cache.keep_only(["content/terms.md"]);
        assert!(
            cache
                .get("content/privacy.md", &key(&[&"inputs", &1]))
                .is_none()
        );
    }

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key(&[&"ab", &"c"]), key(&[&"a", &"bc"]));
    }
}
