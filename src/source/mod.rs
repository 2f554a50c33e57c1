//! Stage 2, source: where the site's inputs come from and what they say —
//! `redline.toml`, the repository (or a ref of it) and its work tree, the
//! content folder, front matter, exclusions, dates in the site's zone.
//! Imports only `text`.

pub mod at_ref;
pub mod config;
pub mod content;
pub mod dates;
pub mod document;
pub mod exclude;
pub mod frontmatter;
pub mod languages;
pub mod lfs;
pub mod lint_levels;
pub mod location;
pub mod paths;
pub mod repo;
pub mod translations;
pub mod worktree;
