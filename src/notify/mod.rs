//! `redline notify`: change-notice emails for material changes, from the same
//! data as the site. The steps read in order: pick the changes
//! ([`select`]), read who gets them ([`recipients`]), render each notice
//! ([`message`]), write the outbox ([`outbox`]), and send with a ledger
//! ([`send`], [`ledger`]) so every recipient gets each notice exactly once.

pub mod ledger;
pub mod message;
pub mod outbox;
pub mod recipients;
pub mod select;
pub mod send;

#[cfg(test)]
pub(crate) mod testing;

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use lettre::Message;
use lettre::message::Mailbox;

use crate::render::Renderer;
use crate::render::theme;
use crate::site;
use crate::site::feeds::SiteChange;
use crate::source::config::Config;
use ledger::{ChangeRecord, Ledger};
use recipients::Recipient;
use select::{ChangeKey, Share, Since, SinceArg};
pub use send::SmtpOptions;

/// What a `redline notify` run does, resolved from the command line.
#[derive(Debug, Clone, Default)]
pub struct NotifyOptions {
    /// A git revision or a date; `None`: since the ledger's last notice.
    pub since: Option<String>,
    /// Where the `.eml` files and `manifest.json` go, absolute.
    pub outbox: PathBuf,
    pub include_editorial: bool,
    pub recipients: Option<PathBuf>,
    /// One message per commit for all the documents it changed.
    pub group: bool,
    /// Show what would be sent; write and send nothing.
    pub dry_run: bool,
    /// Send over SMTP (else only write the outbox).
    pub send: Option<SmtpOptions>,
    /// Try again the messages a server refused for good (5xx) before.
    pub retry_failed: bool,
}

/// One message ready to write and send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub letter: message::Letter,
    pub message: Message,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Mailbox,
    pub list_unsubscribe: Vec<String>,
    /// The ledger's key for the recipient.
    pub recipient: String,
}

/// What a run did, for the terminal.
#[derive(Debug, Default)]
pub struct NotifyReport {
    pub warnings: Vec<String>,
    /// One line per message: written, sent or (dry run) to be sent.
    pub lines: Vec<String>,
    pub messages: usize,
    /// Messages left out because the ledger says they were delivered.
    pub already_sent: usize,
    /// Messages left out because a server refused them for good before
    /// (`recipient (document): reply`), as `--retry-failed` would retry them.
    pub not_retried: Vec<String>,
    pub sent: usize,
    /// Messages this run's server refused for good: `recipient (subject): reply`.
    pub rejected: Vec<String>,
}

/// Runs `redline notify`.
pub fn notify(config: &Config, options: &NotifyOptions) -> Result<NotifyReport> {
    let base_url = config.base_url.as_deref().context(
        "notices need absolute links: set base_url in redline.toml (e.g. base_url = \"https://example.com/legal/\") or pass --base-url",
    )?;
    let from = config.email.from.clone().context(
        "notices need a sender: set from in the [email] table of redline.toml (e.g. from = \"Privacy Team <privacy@example.com>\")",
    )?;
    let mut report = NotifyReport::default();
    let recipients = read_recipients(config, options, &mut report.warnings)?;
    let (changes, translations, warnings) = site::changes(config)?;
    report.warnings.extend(warnings);

    let ledger_path = ledger::path(&config.root);
    // Held to the end of the run: the ledger read here is the one written.
    let _sending = match options.send {
        Some(_) if !options.dry_run => Some(ledger::lock(&ledger_path)?),
        _ => None,
    };
    let mut ledger = Ledger::load(&ledger_path)?;
    let since = resolve_since(config, options.since.as_deref(), &ledger)?;
    let rejected = ledger.rejected();
    let mut audience = select::Audience {
        owed: ledger.owed(),
        delivered: ledger.delivered(),
        ..select::Audience::default()
    };
    if options.retry_failed {
        audience.owed.extend(rejected.keys().cloned());
    } else {
        audience.rejected = rejected.keys().cloned().collect();
    }
    // Refused changes are looked at even when not retried, to say so.
    let owed_changes = audience
        .owed
        .iter()
        .chain(&audience.rejected)
        .map(|(c, _)| c.clone())
        .collect();
    let selection = select::select(&changes, &since, options.include_editorial, &owed_changes);
    audience.for_everyone = selection.for_everyone;
    let handled: Vec<ChangeKey> = selection.changes.iter().map(ChangeKey::of).collect();
    let last_notice = newest(&selection.changes, ledger.last_notice.as_ref(), &changes);
    let notices = select::group(selection.changes, options.group);

    let renderer = Renderer::new(theme::load(&config.root, &config.theme)?, &config.languages)?;
    let date = message_date()?;
    let mut outgoing = Vec::new();
    for notice in &notices {
        for recipient in &recipients {
            let to = to_mailbox(config, recipient.as_ref())?;
            let key = recipient
                .as_ref()
                .map_or_else(|| mailbox_key(&to), Recipient::key);
            let missing = match audience.share(notice, &key) {
                Share::Send(changes) => changes,
                Share::Refused(change) => {
                    let title = notice
                        .iter()
                        .find(|c| ChangeKey::of(c) == change)
                        .map_or("", |c| c.document.title.as_str());
                    let reply = rejected.get(&(change, key)).map_or("", String::as_str);
                    report
                        .not_retried
                        .push(format!("{} ({title}): {reply}", to.email));
                    continue;
                }
                Share::AlreadySent => {
                    report.already_sent += 1;
                    continue;
                }
                Share::Nothing => continue,
            };
            let reader = message::Reader {
                recipient: recipient.as_ref(),
                translations: &translations,
            };
            let letter = message::compose(&renderer, config, base_url, &missing, &reader)?;
            let message = message::build(&letter, &config.email, &from, date)?;
            outgoing.push(Outgoing {
                letter,
                message,
                from: from.clone(),
                reply_to: config.email.reply_to.clone(),
                to,
                list_unsubscribe: config.email.list_unsubscribe.clone(),
                recipient: key,
            });
        }
    }
    report.messages = outgoing.len();

    if options.dry_run {
        for out in &outgoing {
            report
                .lines
                .push(format!("would send to {}: {}", out.to, out.letter.subject));
        }
        return Ok(report);
    }
    let names = outbox::write(&options.outbox, &outgoing)?;
    for (name, out) in names.iter().zip(&outgoing) {
        report
            .lines
            .push(format!("{name}: to {}: {}", out.to, out.letter.subject));
    }
    if let Some(smtp) = &options.send {
        let transport = send::transport(smtp)?;
        let run = send::Run {
            handled: &handled,
            last_notice,
            ledger_path: &ledger_path,
        };
        let sent = send::deliver(&transport, &outgoing, &mut ledger, &run)?;
        report.sent = sent.sent;
        report.rejected = sent.rejected;
    }
    Ok(report)
}

/// The recipients file's people, or one list recipient (`None`: the
/// `[email] to` address) without one.
fn read_recipients(
    config: &Config,
    options: &NotifyOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<Option<Recipient>>> {
    let Some(path) = &options.recipients else {
        if config.email.to.is_none() {
            bail!(
                "no one to send notices to: pass --recipients FILE (CSV `email,name` or one address a line) or set to in the [email] table of redline.toml"
            );
        }
        return Ok(vec![None]);
    };
    let bytes = fs::read(path)
        .with_context(|| format!("cannot read the recipients file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("the recipients file {} is not UTF-8 text", path.display()))?;
    let (people, problems) = recipients::parse(&path.display().to_string(), &text);
    warnings.extend(problems);
    if people.is_empty() {
        bail!(
            "the recipients file {} names no valid address",
            path.display()
        );
    }
    Ok(people.into_iter().map(Some).collect())
}

fn to_mailbox(config: &Config, recipient: Option<&Recipient>) -> Result<Mailbox> {
    match (recipient, &config.email.to) {
        (Some(r), _) => Ok(Mailbox::new(r.name.clone(), r.email.clone())),
        (None, Some(list)) => Ok(list.clone()),
        (None, None) => {
            bail!("a notice needs a recipient: pass --recipients FILE or set [email] to")
        }
    }
}

fn mailbox_key(mailbox: &Mailbox) -> String {
    Recipient {
        email: mailbox.email.clone(),
        name: None,
        language: None,
    }
    .key()
}

/// `--since`, or the ledger's last notice, or (first use) the newest change.
fn resolve_since(config: &Config, since: Option<&str>, ledger: &Ledger) -> Result<Since> {
    let Some(text) = since else {
        return match &ledger.last_notice {
            Some(last) => covered_by(config, &last.commit).with_context(|| {
                format!(
                    "the ledger's last notice {} is not in this repository's history",
                    last.commit
                )
            }),
            None => Ok(Since::NewestOnly),
        };
    };
    match SinceArg::parse(text) {
        SinceArg::Moment(moment) => Ok(Since::From(moment.as_second())),
        SinceArg::Date(date) => {
            let zone = config.timezone.clone().unwrap_or(jiff::tz::TimeZone::UTC);
            let start = date
                .at(0, 0, 0, 0)
                .to_zoned_datetime(zone)
                .with_context(|| format!("--since {text}: not a day in the site's time zone"))?;
            Ok(Since::From(start.timestamp().as_second()))
        }
        SinceArg::Revision(rev) => covered_by(config, &rev).with_context(|| {
            format!("--since {rev}: not a commit, tag or branch here, nor a date like 2026-03-01")
        }),
    }
}

/// Every commit reachable from `rev`: the changes they made are covered.
fn covered_by(config: &Config, rev: &str) -> Result<Since> {
    let repo = git2::Repository::discover(&config.root)
        .with_context(|| format!("{} is not in a git repository", config.root.display()))?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    let mut walk = repo.revwalk().context("cannot walk the history")?;
    walk.push(commit.id()).context("cannot walk the history")?;
    let mut covered = HashSet::new();
    for id in walk {
        covered.insert(id.context("cannot walk the history")?.to_string());
    }
    Ok(Since::Covered(covered))
}

/// The newest of the selected changes and the ledger's last notice: where
/// the next run starts by default.
fn newest(
    selected: &[SiteChange],
    last: Option<&ChangeRecord>,
    changes: &[SiteChange],
) -> Option<ChangeRecord> {
    let seconds_of = |record: &ChangeRecord| {
        changes
            .iter()
            .find(|c| c.version.commit == record.commit)
            .map_or(i64::MIN, |c| c.version.seconds)
    };
    let candidate = selected
        .iter()
        .max_by_key(|c| c.version.seconds)
        .map(|c| ChangeRecord::from(&ChangeKey::of(c)));
    match (candidate, last) {
        (Some(new), Some(old)) if seconds_of(old) > seconds_of(&new) => Some(old.clone()),
        (Some(new), _) => Some(new),
        (None, old) => old.cloned(),
    }
}

/// The `Date` header: now, or `SOURCE_DATE_EPOCH` for reproducible outboxes.
fn message_date() -> Result<SystemTime> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => {
            let seconds: u64 = value.trim().parse().with_context(|| {
                format!("SOURCE_DATE_EPOCH `{value}` is not a number of seconds since 1970")
            })?;
            Ok(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(seconds))
        }
        Err(_) => Ok(SystemTime::now()),
    }
}
