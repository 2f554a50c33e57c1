//! Files under the content folder left out of the site: the `exclude`
//! patterns of `redline.toml`, for a README or LICENSE beside the policies.

use std::fmt;
use std::path::Path;

use anyhow::{Result, bail};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiled `exclude` patterns, matched against paths relative to the
/// content folder, the way `.gitignore` reads them: a pattern without a `/`
/// matches a name at any depth (`README.md`), one with a `/` matches from
/// the content folder (`legal/drafts/*.md`), and a trailing `/` matches
/// folders only (`notes/`), leaving out everything in them.
#[derive(Clone, Default)]
pub struct Exclude {
    patterns: Vec<String>,
    any: GlobSet,
    folders: GlobSet,
}

impl fmt::Debug for Exclude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Exclude").field(&self.patterns).finish()
    }
}

impl Exclude {
    /// `origin` names where the patterns were written, for errors.
    pub fn new(patterns: Vec<String>, origin: &str) -> Result<Exclude> {
        let mut any = GlobSetBuilder::new();
        let mut folders = GlobSetBuilder::new();
        for pattern in &patterns {
            let (body, folder_only) = match pattern.strip_suffix('/') {
                Some(body) => (body, true),
                None => (pattern.as_str(), false),
            };
            let anchored = body.contains('/');
            let body = body.trim_start_matches('/');
            if body.is_empty() {
                bail!(
                    "{origin}: exclude pattern `{pattern}` matches nothing; write a file or folder name such as \"README.md\" or \"notes/\""
                );
            }
            let glob = if anchored {
                body.to_string()
            } else {
                format!("**/{body}")
            };
            let glob = GlobBuilder::new(&glob)
                .literal_separator(true)
                .build()
                .map_err(|err| {
                    anyhow::anyhow!(
                        "{origin}: exclude pattern `{pattern}` is not a valid pattern ({}); write it like \"README.md\", \"notes/\" or \"legal/*.draft.md\"",
                        err.kind()
                    )
                })?;
            if folder_only {
                folders.add(glob);
            } else {
                any.add(glob);
            }
        }
        let build = |set: GlobSetBuilder| set.build().map_err(anyhow::Error::from);
        Ok(Exclude {
            patterns,
            any: build(any)?,
            folders: build(folders)?,
        })
    }

    /// Whether `rel`, a path relative to the content folder, is left out.
    pub fn matches(&self, rel: &Path, is_folder: bool) -> bool {
        self.any.is_match(rel) || (is_folder && self.folders.is_match(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exclude(patterns: &[&str]) -> Exclude {
        Exclude::new(patterns.iter().map(|p| p.to_string()).collect(), "test").unwrap()
    }

    #[test]
    fn names_match_at_any_depth_and_paths_from_the_content_folder() {
        let e = exclude(&["README.md", "legal/*.draft.md", "/LICENSE*"]);
        assert!(e.matches(Path::new("README.md"), false));
        assert!(e.matches(Path::new("team/README.md"), false));
        assert!(!e.matches(Path::new("README.md.bak/privacy.md"), false));
        assert!(e.matches(Path::new("legal/terms.draft.md"), false));
        assert!(!e.matches(Path::new("legal/sub/terms.draft.md"), false));
        assert!(!e.matches(Path::new("other/legal/terms.draft.md"), false));
        assert!(e.matches(Path::new("LICENSE.txt"), false));
        assert!(!e.matches(Path::new("privacy.md"), false));
    }

    #[test]
    fn a_trailing_slash_matches_folders_only() {
        let e = exclude(&["notes/"]);
        assert!(e.matches(Path::new("notes"), true));
        assert!(e.matches(Path::new("legal/notes"), true));
        assert!(!e.matches(Path::new("notes"), false));
    }

    #[test]
    fn bad_patterns_are_named() {
        let err = Exclude::new(vec!["[a".into()], "redline.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("redline.toml: exclude pattern `[a` is not a valid pattern"),
            "{err}"
        );
        let err = Exclude::new(vec!["/".into()], "redline.toml").unwrap_err();
        assert!(err.to_string().contains("matches nothing"), "{err}");
    }
}
