//! Git LFS pointers: a checkout without `git lfs` holds small pointer files
//! instead of the pages and images they stand for; the build stops with the
//! fix rather than publish them.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Fails when `bytes` are a Git LFS pointer: a checkout without `git lfs`
/// holds these small text files instead of the pages and images they
/// stand for, and publishing them would publish the pointers.
pub fn check_not_pointer(display_path: &str, bytes: &[u8]) -> Result<()> {
    if bytes.starts_with(b"version https://git-lfs.github.com/spec/v1") {
        bail!(
            "{display_path} is a Git LFS pointer, not the file itself: its content was never fetched.\n\
             Run `git lfs pull` (in CI: actions/checkout with `lfs: true`), then build again."
        );
    }
    Ok(())
}

/// [`check_not_pointer`] for a file on disk; pointers are under 1 KiB,
/// so larger files are not read.
pub fn check_small_file(display_path: &str, path: &Path) -> Result<()> {
    const POINTER_MAX: u64 = 1024;
    let size = fs::metadata(path)
        .with_context(|| format!("cannot read {display_path}"))?
        .len();
    if size < POINTER_MAX {
        let bytes = fs::read(path).with_context(|| format!("cannot read {display_path}"))?;
        check_not_pointer(display_path, &bytes)?;
    }
    Ok(())
}
