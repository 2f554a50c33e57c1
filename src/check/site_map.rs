//! Every URL the built site answers, worked out without rendering it: the
//! pages, version pages, redlines, feeds, site files, theme files and
//! content assets `site::build` writes (a test holds the two together).
//! `broken-link` resolves links against it.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use crate::config::Config;
use crate::content::Content;
use crate::history::History;
use crate::pages::{self, version_date};
use crate::{output, theme, timeline};

/// A version page, for reading its heading ids when a link names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionRef {
    pub document: usize,
    pub version: usize,
}

#[derive(Debug, Default)]
pub struct SiteMap {
    /// Site paths with a leading `/`; folders end in `/` (`/privacy/`).
    pub paths: HashSet<String>,
    /// Current document pages by path, as indexes into the documents.
    pub documents: HashMap<String, usize>,
    pub versions: HashMap<String, VersionRef>,
}

impl SiteMap {
    pub fn new(config: &Config, content: &Content, history: &History) -> Result<SiteMap> {
        let mut map = SiteMap::default();
        for fixed in ["", "404.html", "sitemap.xml", "robots.txt", output::MARKER] {
            map.paths.insert(format!("/{fixed}"));
        }
        if config.archive {
            map.paths.insert("/changes/".into());
            map.paths.insert("/feed.xml".into());
        }
        for file in theme::load(&config.root, &config.theme)?.static_files {
            map.paths.insert(format!("/{}", file.output));
        }
        for asset in &content.assets {
            map.paths.insert(format!("/{}", asset.output));
        }
        for (index, (doc, doc_history)) in content.documents.iter().zip(&history.docs).enumerate() {
            let url = format!("/{}", doc.url.trim_start_matches('/'));
            map.paths.insert(url.clone());
            map.documents.insert(url.clone(), index);
            let versions = &doc_history.versions;
            if !config.archive || versions.is_empty() {
                continue;
            }
            map.paths
                .insert(format!("/{}", pages::versions_index_url(&url)));
            map.paths.insert(format!("/{}", pages::feed_url(&url)));
            let days: Vec<_> = versions.iter().map(|v| version_date(v, config)).collect();
            for (version, slug) in timeline::slugs(&days).iter().enumerate() {
                let page = format!("/{}", pages::version_url(&url, slug));
                map.paths.insert(page.clone());
                map.paths
                    .insert(format!("/{}", pages::compare_url(&url, slug)));
                map.versions.insert(
                    page,
                    VersionRef {
                        document: index,
                        version,
                    },
                );
                // The oldest version has no change before it.
                if version + 1 < versions.len() {
                    map.paths
                        .insert(format!("/{}", pages::change_url(&url, slug)));
                }
            }
        }
        Ok(map)
    }

    /// The site path a request for `path` is answered from: itself, its
    /// folder for `…/index.html`, or the folder a server redirects
    /// `/privacy` to.
    pub fn find(&self, path: &str) -> Option<String> {
        let folder = path.strip_suffix("index.html");
        let slashed = format!("{path}/");
        [Some(path), folder, Some(slashed.as_str())]
            .into_iter()
            .flatten()
            .find(|candidate| self.paths.contains(*candidate))
            .map(str::to_string)
    }
}
