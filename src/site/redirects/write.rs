//! Writing redirects into the site: a page (or, for an old feed, the feed
//! itself) at every old address, then `redirects.json` and `_redirects`.

use anyhow::{Context, Result};

use super::{Redirect, asked_for, attribute, file_of, moved, netlify};
use crate::render::Renderer;
use crate::render::pages::{self, DocSummary, Page};
use crate::site::feeds;
use crate::site::output::Sink;
use crate::site::sitefiles;
use crate::source::config::Config;

/// Every address documents had before, answering with a redirect page (or,
/// for an old feed, the feed itself, so feed readers keep working), plus
/// `redirects.json` and `_redirects`. Redirects go in after every page: one
/// that would take a page's place yields when it comes from history and is
/// an error when front matter asked for it.
pub fn write(
    config: &Config,
    renderer: &Renderer,
    base: &tera::Context,
    pages: &[Page<'_>],
    summaries: &[DocSummary],
    sink: &Sink,
) -> Result<()> {
    let mut written = Vec::new();
    for (page, summary) in pages.iter().zip(summaries) {
        let old_urls: Vec<&str> = page
            .history
            .map(|h| h.versions.iter().map(|v| v.url.as_str()).collect())
            .unwrap_or_default();
        let versions: &[_] = if config.archive { &page.versions } else { &[] };
        let moved = moved(&page.doc.url, &old_urls, versions);
        let asked = asked_for(&page.doc.front.meta, &page.doc.url).map_err(|bad| {
            anyhow::anyhow!(
                "{}: front matter `aliases`/`redirect_from` names {bad:?}, which is not an address inside the site; write a path such as /old-privacy/ (no `..`, spaces, `?`, `#` or `:`)",
                page.doc.display_path
            )
        })?;
        for redirect in moved.into_iter().chain(asked) {
            let file = file_of(&redirect.from);
            // Front matter may name an old address history knows already.
            let same = written
                .iter()
                .any(|w: &Redirect| w.from == redirect.from && w.to == redirect.to);
            if same || (redirect.yields && sink.contains(&file)) {
                continue;
            }
            let bytes = if file.ends_with("feed.xml") {
                let mut context = base.clone();
                context.insert(
                    "feed",
                    &feeds::document_feed(config, summary, &page.versions),
                );
                renderer.render("atom.xml", &context)?
            } else {
                let target = format!("{}{}", pages::root_of(&file), redirect.to);
                let mut context = base.clone();
                let canonical = canonical(config, &format!("/{}", redirect.to));
                let canonical = if canonical.is_empty() {
                    &target
                } else {
                    &canonical
                };
                // Marked safe in the template: escaped here, `/` kept.
                context.insert("canonical", &attribute(canonical));
                context.insert("target", &attribute(&target));
                renderer.render("redirect.html", &context)?
            };
            let origin = if redirect.yields {
                format!("the old address of {}", page.doc.display_path)
            } else {
                format!("the aliases/redirect_from of {}", page.doc.display_path)
            };
            sink.insert(file, bytes.into_bytes(), origin)?;
            written.push(redirect);
        }
    }
    if written.is_empty() {
        return Ok(());
    }
    let list: Vec<serde_json::Value> = written
        .iter()
        .map(|r| serde_json::json!({"from": format!("/{}", r.from), "to": format!("/{}", r.to)}))
        .collect();
    let json = serde_json::to_vec_pretty(&serde_json::json!({ "redirects": list }))
        .context("cannot write redirects.json")?;
    sink.insert("redirects.json".into(), json, "the list of redirects")?;
    sink.insert(
        "_redirects".into(),
        netlify(&written).into_bytes(),
        "the list of redirects",
    )?;
    Ok(())
}

fn canonical(config: &Config, path: &str) -> String {
    config
        .base_url
        .as_deref()
        .map(|base| sitefiles::absolute(Some(base), path))
        .unwrap_or_default()
}
