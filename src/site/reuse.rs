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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::history::cache::HistoryCache;
use crate::site::archive::DocArchive;

/// Everything kept from one preview build for the next.
#[derive(Debug, Default)]
pub struct PreviewCache {
    pub history: HistoryCache,
    pub archives: ArchiveCache,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::cache::key;

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
}
