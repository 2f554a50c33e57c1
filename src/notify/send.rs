//! Sending over SMTP with lettre, one message at a time, writing the ledger
//! after each one the server answered: accepted, or refused for good (5xx),
//! which is that recipient's failure and does not stop the others. The user name and password come only
//! from the environment (the caller reads them), never from the command line,
//! where every user of the machine can see them.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};

use super::Outgoing;
use super::ledger::{ChangeRecord, Ledger};
use super::select::ChangeKey;

/// The environment variables that hold the SMTP credentials.
pub const USER_VAR: &str = "REDLINE_SMTP_USER";
pub const PASSWORD_VAR: &str = "REDLINE_SMTP_PASSWORD";

/// How to reach the mail server.
#[derive(Debug, Clone)]
pub struct SmtpOptions {
    /// `smtp://host:port` (plain, for local relays), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://host:465` (TLS).
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// A transport for `options`, refusing URLs that carry credentials and
/// credentials that would travel unencrypted to another machine.
pub fn transport(options: &SmtpOptions) -> Result<SmtpTransport> {
    let url = options.url.trim();
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("smtp://")
        .or_else(|| lower.strip_prefix("smtps://"))
    else {
        bail!(
            "--smtp `{url}` is not an smtp:// or smtps:// URL; write it like smtps://mail.example.com:465, smtp://mail.example.com:587?tls=required or smtp://127.0.0.1:25"
        );
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        bail!(
            "--smtp must not contain a user or password (the command line is visible to every user of the machine); set {USER_VAR} and {PASSWORD_VAR} instead"
        );
    }
    let encrypted = lower.starts_with("smtps://") || lower.contains("tls=required");
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.starts_with("127.");
    let credentials = match (&options.user, &options.password) {
        (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.clone())),
        (None, None) => None,
        (Some(_), None) => {
            bail!("{USER_VAR} is set but {PASSWORD_VAR} is not; set both or neither")
        }
        (None, Some(_)) => {
            bail!("{PASSWORD_VAR} is set but {USER_VAR} is not; set both or neither")
        }
    };
    if credentials.is_some() && !encrypted && !local {
        bail!(
            "--smtp `{url}` is unencrypted, and the password would cross the network in the clear; use smtps://… or add ?tls=required for STARTTLS"
        );
    }
    let mut builder = SmtpTransport::from_url(url)
        .with_context(|| format!("--smtp `{url}` is not a usable SMTP URL"))?
        .timeout(Some(Duration::from_secs(30)));
    if let Some(credentials) = credentials {
        builder = builder.credentials(credentials);
    }
    Ok(builder.build())
}

/// How a sending run went.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    /// One line per message the server refused for good:
    /// `recipient (subject): reply`.
    pub rejected: Vec<String>,
}

/// What the run around the messages needs the ledger to know.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    /// Every change the run looked at, sent or not: when it ends, none of
    /// them is owed by it any more.
    pub handled: &'a [ChangeKey],
    /// Where the next run starts by default.
    pub last_notice: Option<ChangeRecord>,
    pub ledger_path: &'a Path,
}

/// Whether a failed message is that recipient's alone (a 5xx reply, such as
/// `550 mailbox unavailable`): record it and go on with the others. Anything
/// else (a 4xx, a dropped connection, a refused login) stops the run, and a
/// rerun resumes.
fn refused_for_good(err: &lettre::transport::smtp::Error) -> bool {
    let login = |code: u16| matches!(code, 530 | 534 | 535 | 538);
    err.is_permanent() && err.status().is_some_and(|code| !login(u16::from(code)))
}

/// Sends `outgoing` in order. Before the first message, the ledger records
/// who each handled change is owed to, and `last_notice`; after each message
/// the server answered, it records the delivery or the refusal and forgets
/// what is no longer owed, so at the end nothing of the run's is unfinished.
pub fn deliver(
    transport: &impl Transport<Error = lettre::transport::smtp::Error>,
    outgoing: &[Outgoing],
    ledger: &mut Ledger,
    run: &Run<'_>,
) -> Result<Sent> {
    let changes_of =
        |out: &Outgoing| -> Vec<ChangeKey> { out.letter.changes.iter().map(|c| c.key()).collect() };
    let pending: Vec<(ChangeKey, String)> = outgoing
        .iter()
        .flat_map(|out| {
            changes_of(out)
                .into_iter()
                .map(|change| (change, out.recipient.clone()))
        })
        .collect();
    ledger.begin(run.handled, &pending);
    // From here on the next run starts after these changes by default:
    // what this one still owes them is in `unfinished`, recipient by
    // recipient, so someone added to the recipients file meanwhile does not
    // get a notice that already went out.
    if run.last_notice.is_some() {
        ledger.last_notice.clone_from(&run.last_notice);
    }
    ledger.save(run.ledger_path)?;
    let mut sent = Sent::default();
    // Refusals wait here until the server has accepted a message or the
    // run ends: until then, they may be the server refusing every message.
    let mut refusals: Vec<(&Outgoing, String)> = Vec::new();
    for (index, out) in outgoing.iter().enumerate() {
        match transport.send(&out.message) {
            Ok(_) => {
                record_refusals(ledger, &mut refusals);
                ledger.delivered_to(&changes_of(out), &out.recipient, &out.letter.message_id);
                sent.sent += 1;
            }
            Err(err) if refused_for_good(&err) => {
                if sent.sent > 0 {
                    ledger.rejected_for(&changes_of(out), &out.recipient, &err.to_string());
                } else {
                    refusals.push((out, err.to_string()));
                }
                sent.rejected
                    .push(format!("{} ({}): {err}", out.to.email, out.letter.subject));
            }
            Err(err) => {
                let refused = if sent.rejected.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; refused for good so far, and recorded: {}",
                        sent.rejected.join("; ")
                    )
                };
                record_refusals(ledger, &mut refusals);
                ledger.save(run.ledger_path)?;
                return Err(anyhow::Error::new(err)).with_context(|| {
                    format!(
                        "sending to {} failed after {} of {} messages{refused}; the ledger {} records what was sent, so run the same command again to send the rest exactly once",
                        out.to.email,
                        index,
                        outgoing.len(),
                        run.ledger_path.display()
                    )
                });
            }
        }
        ledger.save(run.ledger_path).with_context(|| {
            format!(
                "the server answered the message to {} but the ledger could not record it",
                out.to.email
            )
        })?;
    }
    if let Some(reply) = server_wide(&refusals) {
        bail!(
            "the mail server refused every message, to {} different recipients, with the same reply, so it refuses the sender or this client rather than each of them: {reply}; check `from` and the server's settings, then run the same command again (nothing was recorded as refused)",
            refusals.len()
        );
    }
    record_refusals(ledger, &mut refusals);
    ledger.save(run.ledger_path)?;
    Ok(sent)
}

/// The reply, when every message of a run was refused for good with the
/// same one and to more than one recipient: the server refuses the sender
/// (relaying denied, a policy block), not each mailbox.
fn server_wide<'a>(refusals: &'a [(&Outgoing, String)]) -> Option<&'a str> {
    let pairs: Vec<(&str, &str)> = refusals
        .iter()
        .map(|(out, reply)| (out.recipient.as_str(), reply.as_str()))
        .collect();
    same_reply_to_several(&pairs)
}

/// The reply every `(recipient, reply)` pair shares, when there are at
/// least two recipients among them.
fn same_reply_to_several<'a>(refusals: &[(&str, &'a str)]) -> Option<&'a str> {
    let (first, reply) = refusals.first()?;
    let same = refusals.iter().all(|(_, r)| r == reply);
    let several = refusals.iter().any(|(recipient, _)| recipient != first);
    (same && several).then_some(*reply)
}

/// Records the refusals held back, now that they are the recipients' own.
fn record_refusals(ledger: &mut Ledger, refusals: &mut Vec<(&Outgoing, String)>) {
    for (out, reply) in refusals.drain(..) {
        let changes: Vec<ChangeKey> = out.letter.changes.iter().map(|c| c.key()).collect();
        ledger.rejected_for(&changes, &out.recipient, &reply);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(url: &str, user: Option<&str>) -> SmtpOptions {
        SmtpOptions {
            url: url.into(),
            user: user.map(String::from),
            password: user.map(|_| "secret".to_string()),
        }
    }

    #[test]
    fn only_one_reply_to_several_recipients_is_the_servers_own() {
        let relay = "554 Relaying denied";
        assert_eq!(
            same_reply_to_several(&[("ann", relay), ("bob", relay)]),
            Some(relay)
        );
        // One mailbox refused twice is that mailbox, not the server.
        assert_eq!(
            same_reply_to_several(&[("ann", relay), ("ann", relay)]),
            None
        );
        assert_eq!(
            same_reply_to_several(&[("ann", relay), ("bob", "550 No such user")]),
            None
        );
        assert_eq!(same_reply_to_several(&[]), None);
    }

    #[test]
    fn urls_with_credentials_are_refused() {
        let err = transport(&options("smtps://me:pw@mail.example.com", None)).unwrap_err();
        assert!(err.to_string().contains(USER_VAR), "{err}");
    }

    #[test]
    fn passwords_never_travel_unencrypted_to_another_host() {
        assert!(transport(&options("smtp://mail.example.com:25", Some("me"))).is_err());
        assert!(transport(&options("smtp://127.0.0.1:2525", Some("me"))).is_ok());
        // Every loopback name and address is this machine.
        assert!(transport(&options("smtp://localhost:25", Some("me"))).is_ok());
        assert!(transport(&options("smtp://127.0.0.2:25", Some("me"))).is_ok());
        assert!(transport(&options("smtp://[::1]:25", Some("me"))).is_ok());
        assert!(transport(&options("smtps://mail.example.com", Some("me"))).is_ok());
        assert!(
            transport(&options(
                "smtp://mail.example.com:587?tls=required",
                Some("me")
            ))
            .is_ok()
        );
        assert!(transport(&options("http://mail.example.com", None)).is_err());
    }
}
