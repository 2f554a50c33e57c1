//! Every URL the built site answers, worked out without rendering it: the
//! pages, version pages, redlines, feeds, site files, theme files and
//! content assets `site::build` writes (a test holds the two together).
//! `broken-link` resolves links against it.

use std::collections::{HashMap, HashSet};

use anyhow::Result;

use crate::history::timeline;
use crate::history::{History, Version};
use crate::render::pages::{self, version_date};
use crate::render::theme;
use crate::site::{output, redirects};
use crate::source::config::Config;
use crate::source::content::Content;

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
            // Addresses front matter asks for answer with a redirect page.
            for redirect in redirects::asked_for(&doc.front.meta, &doc.url).unwrap_or_default() {
                map.paths.insert(format!("/{}", redirect.from));
            }
            let versions = &doc_history.versions;
            if !config.archive || versions.is_empty() {
                continue;
            }
            let slugs = map.add_archive(config, &url, versions);
            for (version, slug) in slugs.iter().enumerate() {
                map.versions.insert(
                    format!("/{}", pages::version_url(&url, slug)),
                    VersionRef {
                        document: index,
                        version,
                    },
                );
            }
            // Every address the document had before a move keeps answering.
            let mut old_urls: Vec<&str> = versions.iter().map(|v| v.url.as_str()).collect();
            old_urls.sort_unstable();
            old_urls.dedup();
            for old in old_urls {
                let old = format!("/{}", old.trim_start_matches('/'));
                if old != url && old != "/" {
                    map.paths.insert(old.clone());
                    map.add_archive(config, &old, versions);
                }
            }
        }
        // A withdrawn document's page and archive stay on the site.
        for withdrawn in &history.withdrawn {
            if let Some(newest) = withdrawn.versions.first() {
                let url = format!("/{}", newest.url.trim_start_matches('/'));
                map.paths.insert(url.clone());
                if config.archive {
                    map.add_archive(config, &url, &withdrawn.versions);
                }
            }
        }
        Ok(map)
    }

    /// The archive of versions (newest first) under the document address
    /// `url`: its version list, feed, and each version's page, redline and
    /// comparison with today's text. Returns the versions' slugs.
    fn add_archive(&mut self, config: &Config, url: &str, versions: &[Version]) -> Vec<String> {
        self.paths
            .insert(format!("/{}", pages::versions_index_url(url)));
        self.paths.insert(format!("/{}", pages::feed_url(url)));
        let days: Vec<_> = versions.iter().map(|v| version_date(v, config)).collect();
        let slugs = timeline::slugs(&days);
        for (version, slug) in slugs.iter().enumerate() {
            self.paths
                .insert(format!("/{}", pages::version_url(url, slug)));
            self.paths
                .insert(format!("/{}", pages::compare_url(url, slug)));
            // The oldest version has no change before it.
            if version + 1 < versions.len() {
                self.paths
                    .insert(format!("/{}", pages::change_url(url, slug)));
            }
        }
        slugs
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
