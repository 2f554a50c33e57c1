//! Sending over SMTP with lettre, one message at a time, writing the ledger
//! after each one the server accepted. The user name and password come only
//! from the environment (the caller reads them), never from the command line,
//! where every user of the machine can see them.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{SmtpTransport, Transport};

use super::Outgoing;
use super::ledger::{ChangeRecord, Delivery, Ledger};

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
}

/// Sends `outgoing` in order. Before the first message, its changes are
/// marked unfinished in the ledger; after each accepted message the ledger
/// records it; at the end, `last_notice` is set and nothing is unfinished.
pub fn deliver(
    transport: &impl Transport<Error = lettre::transport::smtp::Error>,
    outgoing: &[Outgoing],
    ledger: &mut Ledger,
    ledger_path: &std::path::Path,
    last_notice: Option<ChangeRecord>,
) -> Result<Sent> {
    let keys: Vec<ChangeRecord> = outgoing
        .iter()
        .flat_map(|o| {
            o.letter
                .changes
                .iter()
                .map(|c| ChangeRecord::from(&c.key()))
        })
        .collect();
    ledger.unfinished.extend(keys.iter().cloned());
    ledger.save(ledger_path)?;
    let mut sent = Sent::default();
    for (index, out) in outgoing.iter().enumerate() {
        if let Err(err) = transport.send(&out.message) {
            return Err(anyhow::Error::new(err)).with_context(|| {
                format!(
                    "sending to {} failed after {} of {} messages; the ledger {} records what was sent, so run the same command again to send the rest exactly once",
                    out.to.email,
                    index,
                    outgoing.len(),
                    ledger_path.display()
                )
            });
        }
        let sent_at = jiff::Timestamp::now().to_string();
        for change in &out.letter.changes {
            ledger.deliveries.push(Delivery {
                commit: change.commit.clone(),
                document: change.document.clone(),
                recipient: out.recipient.clone(),
                message_id: out.letter.message_id.clone(),
                sent_at: sent_at.clone(),
            });
        }
        ledger.save(ledger_path).with_context(|| {
            format!(
                "the message to {} was sent but the ledger could not record it",
                out.to.email
            )
        })?;
        sent.sent += 1;
    }
    for key in &keys {
        ledger.unfinished.remove(key);
    }
    if last_notice.is_some() {
        ledger.last_notice = last_notice;
    }
    ledger.save(ledger_path)?;
    Ok(sent)
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
    fn urls_with_credentials_are_refused() {
        let err = transport(&options("smtps://me:pw@mail.example.com", None)).unwrap_err();
        assert!(err.to_string().contains(USER_VAR), "{err}");
    }

    #[test]
    fn passwords_never_travel_unencrypted_to_another_host() {
        assert!(transport(&options("smtp://mail.example.com:25", Some("me"))).is_err());
        assert!(transport(&options("smtp://127.0.0.1:2525", Some("me"))).is_ok());
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
