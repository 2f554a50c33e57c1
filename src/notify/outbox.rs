//! The outbox: one `.eml` file per message and a `manifest.json` that
//! describes each one for mail-provider APIs. A rerun replaces what an
//! earlier run wrote; a folder redline did not write is never emptied.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::Outgoing;
use super::message::NoticeChange;

/// The manifest's name in the outbox.
pub const MANIFEST: &str = "manifest.json";

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    messages: Vec<ManifestEntry<'a>>,
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    file: String,
    message_id: &'a str,
    from: String,
    reply_to: Option<String>,
    to: String,
    to_name: Option<&'a str>,
    subject: &'a str,
    list_unsubscribe: &'a [String],
    changes: &'a [NoticeChange],
    text: &'a str,
    html: &'a str,
}

/// Writes every message into `dir` (created if needed); returns the files'
/// names in order.
pub fn write(dir: &Path, outgoing: &[Outgoing]) -> Result<Vec<String>> {
    prepare(dir)?;
    let mut entries = Vec::new();
    let mut names = Vec::new();
    for (index, out) in outgoing.iter().enumerate() {
        let name = file_name(index, out);
        let path = dir.join(&name);
        fs::write(&path, out.message.formatted())
            .with_context(|| format!("cannot write {}", path.display()))?;
        entries.push(ManifestEntry {
            file: name.clone(),
            message_id: &out.letter.message_id,
            from: out.from.to_string(),
            reply_to: out.reply_to.as_ref().map(ToString::to_string),
            to: out.to.email.to_string(),
            to_name: out.to.name.as_deref(),
            subject: &out.letter.subject,
            list_unsubscribe: &out.list_unsubscribe,
            changes: &out.letter.changes,
            text: &out.letter.text,
            html: &out.letter.html,
        });
        names.push(name);
    }
    let manifest = Manifest {
        generator: crate::GENERATOR,
        messages: entries,
    };
    let json = serde_json::to_string_pretty(&manifest).context("cannot encode manifest.json")?;
    let path = dir.join(MANIFEST);
    fs::write(&path, json + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(names)
}

/// An empty or missing folder, or one holding an earlier outbox (whose
/// `.eml` files and manifest are removed); anything else is refused.
fn prepare(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the outbox {}", dir.display()))?;
    let entries: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("cannot read the outbox {}", dir.display()))?
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read the outbox {}", dir.display()))?;
    if entries.is_empty() {
        return Ok(());
    }
    let ours = |name: &str| name == MANIFEST || name.ends_with(".eml");
    let has_manifest = entries.iter().any(|e| e.file_name() == MANIFEST);
    let foreign: Vec<String> = entries
        .iter()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !ours(n))
        .collect();
    if !has_manifest || !foreign.is_empty() {
        bail!(
            "the outbox {} holds files redline did not write ({}); choose an empty or new folder",
            dir.display(),
            if foreign.is_empty() {
                "no manifest.json".to_string()
            } else {
                foreign.join(", ")
            }
        );
    }
    for entry in entries {
        let path = entry.path();
        fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// `0001-privacy-2026-03-10-2.eml`: order, then the first document's version.
fn file_name(index: usize, out: &Outgoing) -> String {
    let label = out
        .letter
        .changes
        .first()
        .map(|c| {
            let slug = c
                .url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default();
            format!("{}-{slug}", c.document.trim_matches('/'))
        })
        .unwrap_or_default();
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let label = label.trim_matches('-');
    format!("{:04}-{label}.eml", index + 1)
}
