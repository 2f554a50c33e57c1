//! Two versions compared, through the cache when the build has one. A
//! version's text follows from its blob, the title stem of its path and
//! how Markdown is rendered, so those name a comparison across builds: a
//! rebuild diffs only the pairs a new commit brought.

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
        let make = || diff::compare(old.1, new.1);
        match self.store {
            Some(store) => store.get_or_make(&self.key("comparison", old.0, new.0), make),
            None => make(),
        }
    }

    /// [`diff::redline`] of two versions, for "what changed since".
    pub fn redline(&self, old: Side<'_>, new: Side<'_>) -> Redline {
        let make = || diff::redline(old.1, new.1);
        match self.store {
            Some(store) => store.get_or_make(&self.key("redline", old.0, new.0), make),
            None => make(),
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
