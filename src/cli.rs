//! The command line, as clap derive types. These types stop here: `lib.rs`
//! resolves them into the library's own options before any work starts.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Write (and with --send, send) change-notice emails for material changes.
    Notify(NotifyArgs),
    /// Lint the policies for CI: hand-typed dates git contradicts, stale
    /// policies, material changes without notice, broken links, …; exits 1
    /// when a finding is at the `deny` level.
    Check(CheckArgs),
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

    /// The git revision whose first-parent history dates the documents
    /// (default: HEAD). The text is the working tree's: check REF out to
    /// publish the site as it was there.
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

    /// Build only the current pages: no version pages, redlines, changes
    /// page or feeds (for quick previews; the published site wants them).
    #[arg(long)]
    pub no_archive: bool,

    /// Run `redline check` first and build nothing when a finding is at the
    /// `deny` level (the previous output stays as it was).
    #[arg(long)]
    pub check: bool,

    /// Where to keep what a build can reuse in the next one, relative to
    /// the root (default: `.redline/cache`).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,

    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// How `redline check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style: the line quoted, a caret, `= help:`.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions workflow commands, shown on the pull request's diff.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// How to print the findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,

    /// Also check documents marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,

    /// Documents to check, by source path (`content/privacy.md`) or URL
    /// (`/privacy/`); default: all.
    #[arg(value_name = "DOC")]
    pub documents: Vec<String>,
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

    /// The site's languages, the default first (BCP 47 codes): each other
    /// one gets a `[languages.<code>]` table and a translation to fill in.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub languages: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// A document, by source path (`content/privacy.md`) or URL (`/privacy/`).
    pub document: Option<String>,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    #[command(flatten)]
    pub site: SiteArgs,

    /// Announce changes after this git revision (`git log REV..`) or from this
    /// date (`2026-03-01`, or RFC 3339). Default: after the last notice in the
    /// ledger; on first use, the newest change only.
    #[arg(long, value_name = "REV|DATE")]
    pub since: Option<String>,

    /// The folder for the `.eml` files and `manifest.json`, relative to the root.
    #[arg(long, value_name = "DIR")]
    pub outbox: PathBuf,

    /// Announce editorial changes too.
    #[arg(long)]
    pub include_editorial: bool,

    /// One message per recipient: CSV `email,name` or one address a line.
    #[arg(long, value_name = "FILE")]
    pub recipients: Option<PathBuf>,

    /// Announce documents changed in the same commit in one email.
    #[arg(long)]
    pub group: bool,

    /// Send the messages over SMTP (needs --smtp). User and password come from
    /// REDLINE_SMTP_USER and REDLINE_SMTP_PASSWORD.
    #[arg(long, requires = "smtp")]
    pub send: bool,

    /// The mail server: smtps://host:465 (TLS), smtp://host:587?tls=required
    /// (STARTTLS) or smtp://127.0.0.1:25 (plain, for local relays).
    #[arg(long, value_name = "URL", requires = "send")]
    pub smtp: Option<String>,

    /// Show what would be sent; write and send nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Try again the messages a mail server refused for good (a 5xx reply)
    /// on an earlier run; without it they are never sent again.
    #[arg(long)]
    pub retry_failed: bool,

    /// The URL the site is published at, for the emails' links.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}
