//! The command line, as clap derive types. These types stop here: `lib.rs`
//! resolves them into the library's own options before any work starts.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Policy sites from Markdown in git: honest "Last updated" dates, every
/// version kept, and what changed.
#[derive(Debug, Parser)]
#[command(name = "redline", version, about, propagate_version = true)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about what is being done.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (default `public/`).
    Build(BuildArgs),
    /// Preview the site with live reload and redlines of uncommitted changes;
    /// never writes the output folder.
    Serve(ServeArgs),
    /// Scaffold a new policy site in DIR, with a git repository and a first commit.
    Init(InitArgs),
    /// Show a document's versions, or every document's last-updated date.
    Log(LogArgs),
}

/// Where the site is and how to read it; shared by every command that loads a site.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's root folder (holds `redline.toml`, `content/`, `templates/`).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    /// The content folder, relative to the root (default: `content`).
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// The git revision whose first-parent history is published (default: HEAD).
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// Build from a shallow clone anyway; dates may be wrong and are marked approximate.
    #[arg(long)]
    pub allow_shallow: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// The output folder, relative to the root (default: `public`).
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// The URL the site is published at, e.g. `https://example.com/legal/`.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// The theme: `default` (built in) or the name of a folder under `themes/`.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Also build documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,

    /// Fail instead of warning when a document has uncommitted changes.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// The address to listen on; the default keeps the preview on this machine.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// The port (default: 4000, or the next free one); 0 picks any free port.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,

    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,

    /// Scan for changes every 300 ms instead of waiting for file-system
    /// events (network mounts, containers).
    #[arg(long)]
    pub poll: bool,

    /// The theme: `default` (built in) or the name of a folder under `themes/`.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Also show documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create (it may exist, but must be empty).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// A document, by source path (`content/privacy.md`) or URL (`/privacy/`).
    pub document: Option<String>,
}
