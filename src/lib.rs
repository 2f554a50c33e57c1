//! redline: policy sites from Markdown in git, with honest "Last updated"
//! dates and every version kept. The binary is a thin shell around [`run`].
//!
//! The code is laid out by stage, each importing only the stages above it:
//! `text` (one Markdown text, parsed) → `source` (config, repository,
//! content) → `diff` (two texts compared and classed) → `history` (git's
//! commits made versions, their standing and timeline) → `render` (theme,
//! templates, pages) → `site` (archive, feeds, files, the atomic output).
//! `cli`, `check`, `log`, `notify`, `serve` and `init` are drivers over them.
//! `cache`, the store that keeps values between builds, imports no stage;
//! history and site keep their values in it.

pub mod cache;
pub mod check;
pub mod cli;
pub mod diff;
pub mod history;
pub mod init;
pub mod log;
pub mod notify;
pub mod render;
pub mod report;
pub mod serve;
pub mod site;
pub mod source;
pub mod text;

use anyhow::Result;

use crate::cli::{CheckArgs, CheckFormat, Cli, Command, NotifyArgs, SiteArgs};
use crate::report::{Reporter, Verbosity};
use crate::source::config::{Config, Overrides};

/// `redline <version>`, for `<meta name="generator">` and `versions.json`.
pub const GENERATOR: &str = concat!("redline ", env!("CARGO_PKG_VERSION"));

/// Runs one command line.
pub fn run(cli: Cli) -> Result<()> {
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let reporter = Reporter { verbosity };
    match cli.command {
        Command::Build(args) => {
            let overrides = Overrides {
                output: args.output,
                base_url: args.base_url,
                theme: args.theme,
                drafts: args.drafts,
                strict: args.strict,
                no_archive: args.no_archive,
                cache: args.cache,
                no_cache: args.no_cache,
                ..site_overrides(args.site)
            };
            let (config, _at_ref) = source::at_ref::load_config(&overrides)?;
            if args.check {
                check_before_build(&config, reporter)?;
            }
            let summary = site::build(&config)?;
            for warning in &summary.warnings {
                reporter.warn(warning);
            }
            reporter.info(&format!(
                "built {} ({}) into {} in {:.2}s",
                report::count(summary.documents, "document"),
                report::count(summary.files, "file"),
                config.output_dir.display(),
                summary.seconds
            ));
            reporter.detail(&format!(
                "{} unchanged since the previous build, linked rather than written",
                report::count(summary.unchanged, "file")
            ));
            if let Some(cache) = &summary.cache {
                reporter.detail(&format!(
                    "cache {}: {} reused, {} made, {} read back by a later stage, {} no longer needed removed",
                    cache.dir.display(),
                    cache.reused,
                    cache.made,
                    cache.handed_on,
                    cache.removed
                ));
            }
            Ok(())
        }
        Command::Serve(args) => {
            let options = serve::ServeOptions {
                overrides: Overrides {
                    theme: args.theme,
                    drafts: args.drafts,
                    ..site_overrides(args.site)
                },
                bind: args.bind,
                port: args.port,
                open: args.open,
                poll: args.poll,
            };
            serve::serve(&options, reporter)
        }
        Command::Init(args) => {
            init::init(&args.dir, &args.languages)?;
            reporter.info(&format!(
                "created a policy site in {}; build it with: redline build --root {}",
                args.dir.display(),
                args.dir.display()
            ));
            Ok(())
        }
        Command::Log(args) => {
            let (config, _at_ref) = source::at_ref::load_config(&site_overrides(args.site))?;
            let verbose = reporter.verbosity == Verbosity::Verbose;
            let text = log::log(&config, args.document.as_deref(), verbose)?;
            report::print_stdout(&text)
        }
        Command::Notify(args) => run_notify(args, reporter),
        Command::Check(args) => run_check(args),
    }
}

fn run_check(args: CheckArgs) -> Result<()> {
    let overrides = Overrides {
        drafts: args.drafts,
        ..site_overrides(args.site)
    };
    let (config, _at_ref) = source::at_ref::load_config(&overrides)?;
    let options = check::CheckOptions {
        documents: args.documents,
    };
    let report = check::check(&config, &options)?;
    let format = match args.format {
        CheckFormat::Human => check::format::Format::Human,
        CheckFormat::Json => check::format::Format::Json,
        CheckFormat::Github => check::format::Format::Github,
        CheckFormat::Sarif => check::format::Format::Sarif,
    };
    report::print_stdout(&check::format::render(format, &report))?;
    denied(&report)
}

/// `build --check`: the findings on stderr, and no build on a `deny`.
fn check_before_build(config: &Config, reporter: Reporter) -> Result<()> {
    let report = check::check(config, &check::CheckOptions::default())?;
    let denied_any = report.count(source::lint_levels::Level::Deny) > 0;
    if denied_any || (!report.findings.is_empty() && reporter.verbosity > Verbosity::Quiet) {
        eprint!(
            "{}",
            check::format::render(check::format::Format::Human, &report)
        );
    }
    denied(&report).map_err(|err| err.context("--check: nothing was built"))
}

fn denied(report: &check::Report) -> Result<()> {
    let errors = report.count(source::lint_levels::Level::Deny);
    if errors > 0 {
        anyhow::bail!(
            "check found {} at the deny level; fix them, or lower their level in redline.toml [check] (see the README's \"Checking policies\")",
            report::count(errors, "error")
        );
    }
    Ok(())
}

fn run_notify(args: NotifyArgs, reporter: Reporter) -> Result<()> {
    let messages = |n| report::count(n, "message");
    let overrides = Overrides {
        base_url: args.base_url,
        ..site_overrides(args.site)
    };
    let config = Config::load(&overrides)?;
    // The one place the SMTP credentials are read: the environment, never argv.
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let options = notify::NotifyOptions {
        since: args.since,
        outbox: config.root.join(args.outbox),
        include_editorial: args.include_editorial,
        recipients: args.recipients,
        group: args.group,
        dry_run: args.dry_run,
        send: args.send.then(|| notify::SmtpOptions {
            url: args.smtp.unwrap_or_default(),
            user: env(notify::send::USER_VAR),
            password: env(notify::send::PASSWORD_VAR),
        }),
        retry_failed: args.retry_failed,
    };
    let report = notify::notify(&config, &options)?;
    for warning in &report.warnings {
        reporter.warn(warning);
    }
    if !report.not_retried.is_empty() {
        reporter.warn(&format!(
            "not sent again, as a mail server refused {} for good before (fix the address and pass --retry-failed, or remove it from the recipients file):\n  {}",
            messages(report.not_retried.len()),
            report.not_retried.join("\n  ")
        ));
    }
    if reporter.verbosity >= Verbosity::Normal && !report.lines.is_empty() {
        let lines = report.lines.join("\n") + "\n";
        report::print_stdout(&text::control_chars::terminal_text(&lines))?;
    }
    let already = if report.already_sent > 0 {
        format!(" ({} already sent, per the ledger)", report.already_sent)
    } else {
        String::new()
    };
    let summary = if options.dry_run {
        format!(
            "dry run: {} would be sent{already}",
            messages(report.messages)
        )
    } else if options.send.is_some() {
        format!(
            "sent {}; copies in {}{already}",
            messages(report.sent),
            options.outbox.display()
        )
    } else {
        format!(
            "wrote {} to {}{already}",
            messages(report.messages),
            options.outbox.display()
        )
    };
    reporter.info(&summary);
    if !report.rejected.is_empty() {
        anyhow::bail!(
            "the mail server refused {} for good; every other message was sent. The ledger {} records the refusals, and no run sends them again unless you pass --retry-failed (after fixing the address or the recipients file):\n  {}",
            messages(report.rejected.len()),
            notify::ledger::LEDGER_FILE,
            report.rejected.join("\n  ")
        );
    }
    Ok(())
}

fn site_overrides(site: SiteArgs) -> Overrides {
    Overrides {
        root: site.root,
        content: site.content,
        git_ref: site.git_ref,
        allow_shallow: site.allow_shallow,
        ..Overrides::default()
    }
}
