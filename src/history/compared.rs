//! Two versions compared, through the cache when the build has one. A
//! version's text follows from its blob, the title stem of its path and
//! how Markdown is rendered, so those name a comparison across builds: a
//! rebuild diffs only the pairs a new commit brought.

use std::borrow::Cow;
use std::time::Instant;

use crate::cache::{Key, Store};
use crate::diff::{self, Block, Comparison, Redline};
use crate::history::Version;
use crate::source::content::title_stem;
use crate::text::markdown::MarkdownOptions;

/// Compares versions' texts, keeping the results in `store` (if any).
#[derive(Debug, Clone, Copy, Default)]
pub struct Comparer<'a> {
    pub store: Option<&'a Store>,
    /// How the texts were rendered (part of what names them).
    pub options: MarkdownOptions,
}

/// A version with the blocks of the text read from its blob.
pub type Side<'a> = (&'a Version, &'a [Block]);

impl Comparer<'_> {
    /// [`diff::compare`] of two versions: the step from `old` to `new`.
    pub fn compare(&self, old: Side<'_>, new: Side<'_>) -> Comparison {
        self.through_store("comparison", old, new, || diff::compare(old.1, new.1))
    }

    /// [`diff::redline`] of two versions, for "what changed since".
    pub fn redline(&self, old: Side<'_>, new: Side<'_>) -> Redline {
        self.through_store("redline", old, new, || diff::redline(old.1, new.1))
    }

    /// [`Comparer::redline`] with the old side's blocks read only when the
    /// store does not hold the redline already.
    pub fn redline_reading<'b>(
        &self,
        old: &Version,
        old_blocks: impl FnOnce() -> anyhow::Result<Cow<'b, [Block]>>,
        new: Side<'_>,
    ) -> anyhow::Result<Redline> {
        let key = self
            .store
            .map(|store| (store, self.key("redline", old, new.0)));
        if let Some(kept) = key.as_ref().and_then(|(store, key)| store.get(key)) {
            return Ok(kept);
        }
        let blocks = old_blocks()?;
        Ok(made(key, || diff::redline(&blocks, new.1)))
    }

    /// The stored result, else `make`'s ([`made`]).
    fn through_store<T>(
        &self,
        kind: &'static str,
        old: Side<'_>,
        new: Side<'_>,
        make: impl FnOnce() -> T,
    ) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let key = self
            .store
            .map(|store| (store, self.key(kind, old.0, new.0)));
        if let Some(kept) = key.as_ref().and_then(|(store, key)| store.get(key)) {
            return kept;
        }
        made(key, make)
    }

    /// Keeps the comparison of `old` with `new` and the redline between
    /// them in the store unread ([`Store::keep`]).
    pub fn keep_unread(&self, old: &Version, new: &Version) {
        if let Some(store) = self.store {
            store.keep(&self.key("comparison", old, new));
            store.keep(&self.key("redline", old, new));
        }
    }

    fn key(&self, kind: &'static str, old: &Version, new: &Version) -> Key {
        Key::of(kind)
            .part(&old.blob)
            .part(title_stem(&old.path))
            .part(&new.blob)
            .part(title_stem(&new.path))
            .debug(&self.options)
            .finish()
    }
}

/// `make`'s result, stored under `key` (if any) only when it finished
/// within [`diff::BUDGET`]: past it, a diff may have fallen back to a
/// coarser result that a quieter machine would not, and a build with the
/// cache must write what one without it writes.
fn made<T: serde::Serialize>(key: Option<(&Store, Key)>, make: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let made = make();
    if let Some((store, key)) = key
        && started.elapsed() < diff::BUDGET
    {
        store.put(&key, &made);
    }
    made
}
