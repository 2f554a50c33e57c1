//! The preview server's memory of the last history read: handed back while
//! the commit, the documents and the settings are the same, so a save that
//! touches none of them reads no git. Keys hash the inputs' `Debug` forms.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sha2::{Digest, Sha256};

use crate::history::History;

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
    fn keys_separate_their_parts() {
        assert_ne!(key(&[&"ab", &"c"]), key(&[&"a", &"bc"]));
    }
}
