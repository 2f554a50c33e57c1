//! One change notice: its subject, its text and HTML bodies from the theme's
//! `email/notice.txt` and `email/notice.html`, and the RFC 5322 message
//! lettre builds from them. Every header value is made here, in code, from
//! text squeezed onto one line: no template and no title can add a header.

use crate::text::control_chars::one_line;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::recipients::Recipient;
use super::select::ChangeKey;
use crate::diff::{self, SummaryWords};
use crate::render::Renderer;
use crate::site::feeds::SiteChange;
use crate::source::config::{Config, EmailConfig};

/// The text and HTML templates of a notice.
pub const TEXT_TEMPLATE: &str = "email/notice.txt";
pub const HTML_TEMPLATE: &str = "email/notice.html";

/// A rendered notice for one recipient (or for the list, without one).
#[derive(Debug, Clone)]
pub struct Letter {
    pub to: Option<Recipient>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<…@host>`, the same on every run for the same changes and recipient,
    /// so a message re-sent after a dropped connection can be recognised.
    pub message_id: String,
    pub changes: Vec<NoticeChange>,
}

/// One change a letter announces, as `manifest.json` describes it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeChange {
    pub commit: String,
    /// The document's site-relative URL, as the ledger keys it.
    pub document: String,
    pub title: String,
    pub change: &'static str,
    pub url: String,
    pub diff_url: String,
    pub effective: String,
}

impl NoticeChange {
    pub fn key(&self) -> ChangeKey {
        ChangeKey {
            commit: self.commit.clone(),
            document: self.document.clone(),
        }
    }
}

/// The words a subject line is made of, in the reader's language.
pub struct SubjectWords {
    /// `{rest} and {last}`: the last two titles joined.
    list_last: String,
    /// What joins the titles before: `, `.
    list_separator: String,
    /// `changes effective {date}`, when every change shares its date.
    effective: String,
    /// `updated`, when they do not.
    updated: String,
    /// `{titles}: {when}`.
    line: String,
}

impl SubjectWords {
    /// The words of `lang` from the theme's tables; English for a key no
    /// table has.
    pub fn of(strings: &crate::render::i18n::Strings, lang: &str) -> Self {
        let english = Self::english();
        let word =
            |key: &str, fallback: String| strings.get(lang, key).map_or(fallback, str::to_string);
        Self {
            list_last: word("subject_list_last", english.list_last),
            list_separator: word("subject_list_separator", english.list_separator),
            effective: word("subject_effective", english.effective),
            updated: word("subject_updated", english.updated),
            line: word("subject_line", english.line),
        }
    }

    /// The English words, which a theme's tables may replace.
    pub fn english() -> Self {
        Self {
            list_last: "{rest} and {last}".into(),
            list_separator: ", ".into(),
            effective: "changes effective {date}".into(),
            updated: "updated".into(),
            line: "{titles}: {when}".into(),
        }
    }
}

/// `[prefix] Privacy Policy: changes effective April 1, 2026`.
pub fn subject(prefix: &str, changes: &[SiteChange], words: &SubjectWords) -> String {
    let titles: Vec<String> = changes
        .iter()
        .map(|c| one_line(&c.document.title))
        .collect();
    let titles = match titles.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => words
            .list_last
            .replace("{rest}", &rest.join(&words.list_separator))
            .replace("{last}", last),
    };
    let effective: Vec<&str> = changes
        .iter()
        .map(|c| c.version.effective.as_str())
        .collect();
    let when = match effective.first() {
        Some(first) if !first.is_empty() && effective.iter().all(|e| e == first) => {
            words.effective.replace("{date}", &one_line(first))
        }
        _ => words.updated.clone(),
    };
    let line = words
        .line
        .replace("{titles}", &titles)
        .replace("{when}", &when);
    let prefix = one_line(prefix);
    let text = if prefix.is_empty() {
        line
    } else {
        format!("{prefix} {line}")
    };
    one_line(&text)
}

#[derive(Serialize)]
struct SiteInfo<'a> {
    title: String,
    base_url: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct NoticeInfo {
    subject: String,
    changes: Vec<ChangeInfo>,
}

#[derive(Serialize)]
struct ChangeInfo {
    document: String,
    change: &'static str,
    commit: String,
    date: String,
    date_iso: String,
    /// The date, with the time of day when another version shares it.
    label: String,
    /// `scheduled`, `in force` or `superseded` as of the run's day.
    status: crate::history::standing::Status,
    /// The day the version starts to apply.
    applies_from: String,
    summary: String,
    sections_summary: String,
    sections: Vec<SectionInfo>,
    effective: String,
    effective_iso: String,
    document_url: String,
    version_url: String,
    /// Empty for a first version.
    diff_url: String,
    /// Told through a translation that does not show the change yet.
    outdated: bool,
    /// Then: the source's language (in itself) and its version's page.
    source_language: String,
    source_url: String,
}

#[derive(Serialize)]
struct SectionInfo {
    kind: diff::SectionChangeKind,
    title: String,
    previous_title: String,
    /// The section on the new version's page; empty when it was removed.
    url: String,
}

#[derive(Serialize)]
struct RecipientInfo {
    email: String,
    name: String,
}

/// Who reads a notice: the recipient (none: the list address) and the
/// site's translations, so each document reaches them in their language
/// when it has a translation in it.
pub struct Reader<'a> {
    pub recipient: Option<&'a Recipient>,
    pub translations: &'a [crate::site::TranslationOf],
}

impl Reader<'_> {
    /// The translation of `change`'s document in the reader's language.
    fn translation(
        &self,
        config: &Config,
        change: &SiteChange,
    ) -> Option<&crate::site::TranslationOf> {
        let language = self.recipient?.language.as_deref()?;
        if language == config.language {
            return None;
        }
        self.translations
            .iter()
            .find(|t| t.source_url == change.document.url && t.document.language == language)
    }

    /// `changes` as the reader gets them: each document that has a
    /// translation in their language named and linked as the translation
    /// (its version, class and redline stay the source's: the change told),
    /// with the language the notice is then written in.
    fn localize(&self, config: &Config, changes: &[SiteChange]) -> Localized {
        let mut language = config.language.clone();
        let mut notes = Vec::new();
        let localized = changes
            .iter()
            .map(|change| match self.translation(config, change) {
                None => {
                    notes.push(None);
                    change.clone()
                }
                Some(translation) => {
                    language = translation.document.language.clone();
                    let outdated = translation.status.as_ref().filter(|s| s.outdated);
                    notes.push(Some(Translated {
                        outdated: outdated.is_some(),
                        source_language: outdated
                            .map(|s| s.source_language.clone())
                            .unwrap_or_default(),
                        source_url: change.version.url.clone(),
                    }));
                    let mut change = change.clone();
                    change.document = translation.document.clone();
                    // Days in the reader's language.
                    let format = config.date_format(&language);
                    let version = &mut change.version;
                    for (human, iso) in [
                        (&mut version.label, &version.date_iso),
                        (&mut version.applies_from, &version.applies_from_iso),
                        (&mut version.effective, &version.effective_iso),
                    ] {
                        if let Ok(day) = iso.parse() {
                            *human = crate::source::dates::day(day, format).human;
                        }
                    }
                    change
                }
            })
            .collect();
        (localized, notes, language)
    }
}

/// The changes as told to one reader, how each is told, and in what language.
type Localized = (Vec<SiteChange>, Vec<Option<Translated>>, String);

/// A change told through a translation.
struct Translated {
    outdated: bool,
    /// The source's language: its code, then its name in itself.
    source_language: String,
    /// The source's version page, relative to the root.
    source_url: String,
}

/// What the two templates see: `site`, `notice`, `recipient`, `unsubscribe`,
/// and `lang`, the language they are written in.
fn context(
    config: &Config,
    base_url: &str,
    (changes, notes, lang): (&[SiteChange], &[Option<Translated>], &str),
    subject: String,
    recipient: Option<&Recipient>,
    wording: &SummaryWords,
) -> tera::Context {
    let link = |rel: &str| {
        if rel.is_empty() {
            String::new()
        } else {
            format!("{base_url}{rel}")
        }
    };
    let notice = NoticeInfo {
        subject,
        changes: changes
            .iter()
            .zip(notes)
            .map(|(c, note)| {
                let v = &c.version;
                let version_url = match note {
                    // A translation's page is its newest text.
                    Some(_) => link(&c.document.url),
                    None => link(&v.url),
                };
                ChangeInfo {
                    outdated: note.as_ref().is_some_and(|n| n.outdated),
                    source_language: note
                        .as_ref()
                        .map(|n| n.source_language.clone())
                        .unwrap_or_default(),
                    source_url: note
                        .as_ref()
                        .map(|n| link(&n.source_url))
                        .unwrap_or_default(),
                    document: one_line(&c.document.title),
                    change: v.change.as_str(),
                    commit: v.commit.clone(),
                    date: v.date.clone(),
                    date_iso: v.date_iso.clone(),
                    label: v.label.clone(),
                    status: v.status,
                    applies_from: v.applies_from.clone(),
                    summary: one_line(&v.summary),
                    sections_summary: one_line(&diff::describe(&v.sections, wording)),
                    sections: v
                        .sections
                        .iter()
                        .map(|s| SectionInfo {
                            kind: s.kind,
                            title: one_line(if s.introduction {
                                wording.text("summary_introduction")
                            } else {
                                &s.title
                            }),
                            previous_title: s
                                .previous_title
                                .as_deref()
                                .map(one_line)
                                .unwrap_or_default(),
                            url: s
                                .anchor
                                .as_ref()
                                .map(|a| format!("{version_url}#{a}"))
                                .unwrap_or_default(),
                        })
                        .collect(),
                    effective: v.effective.clone(),
                    effective_iso: v.effective_iso.clone(),
                    document_url: link(&c.document.url),
                    version_url,
                    diff_url: link(&v.diff_url),
                }
            })
            .collect(),
    };
    let mut context = tera::Context::new();
    context.insert("lang", lang);
    context.insert(
        "site",
        &SiteInfo {
            title: one_line(&config.title),
            base_url,
            language: &config.language,
        },
    );
    context.insert("notice", &notice);
    context.insert(
        "recipient",
        &RecipientInfo {
            email: recipient.map(|r| r.email.to_string()).unwrap_or_default(),
            name: recipient.and_then(|r| r.name.clone()).unwrap_or_default(),
        },
    );
    let unsubscribe = config
        .email
        .list_unsubscribe
        .iter()
        .find(|u| u.starts_with("http"))
        .or(config.email.list_unsubscribe.first())
        .cloned()
        .unwrap_or_default();
    context.insert("unsubscribe", &unsubscribe);
    context
}

/// Renders the notice of `changes` for `reader`, in their language where
/// the documents have a translation in it.
pub fn compose(
    renderer: &Renderer,
    config: &Config,
    base_url: &str,
    changes: &[SiteChange],
    reader: &Reader<'_>,
) -> Result<Letter> {
    let recipient = reader.recipient;
    let (mut localized, mut notes, lang) = reader.localize(config, changes);
    // Generated summaries in the notice's language; authors' as written.
    let wording = renderer.strings().summary_words(&lang);
    for change in &mut localized {
        change.version.reword(&wording);
    }
    for note in notes.iter_mut().flatten() {
        note.source_language = renderer
            .strings()
            .language_name(&note.source_language)
            .to_string();
    }
    let words = SubjectWords::of(renderer.strings(), &lang);
    let subject = subject(&config.email.subject_prefix, &localized, &words);
    let context = context(
        config,
        base_url,
        (&localized, &notes, &lang),
        subject.clone(),
        recipient,
        &wording,
    );
    let text = renderer.render(TEXT_TEMPLATE, &context)?;
    let html = renderer.render(HTML_TEMPLATE, &context)?;
    let keys: Vec<ChangeKey> = changes.iter().map(ChangeKey::of).collect();
    let link = |rel: &str| {
        if rel.is_empty() {
            String::new()
        } else {
            format!("{base_url}{rel}")
        }
    };
    Ok(Letter {
        to: recipient.cloned(),
        subject,
        text,
        html,
        message_id: message_id(base_url, &keys, recipient),
        changes: changes
            .iter()
            .map(|c| NoticeChange {
                commit: c.version.commit.clone(),
                document: c.document.key(),
                title: one_line(&c.document.title),
                change: c.version.change.as_str(),
                url: link(&c.version.url),
                diff_url: link(&c.version.diff_url),
                effective: c.version.effective_iso.clone(),
            })
            .collect(),
    })
}

/// A Message-ID from the changes and the recipient, at the site's host.
fn message_id(base_url: &str, keys: &[ChangeKey], recipient: Option<&Recipient>) -> String {
    let mut hash = Sha256::new();
    for key in keys {
        hash.update(key.commit.as_bytes());
        hash.update([0]);
        hash.update(key.document.as_bytes());
        hash.update([0]);
    }
    hash.update(recipient.map(Recipient::key).unwrap_or_default().as_bytes());
    let digest = hex::encode(hash.finalize());
    format!("<notice.{}@{}>", &digest[..32], host_of(base_url))
}

/// `example.com` of `https://example.com:8443/legal/`, letters, digits, `.`
/// and `-` only.
fn host_of(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host: String = rest
        .split(['/', ':', '@', '?', '#'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    if host.is_empty() {
        "redline.invalid".into()
    } else {
        host
    }
}

/// The RFC 5322 message: multipart/alternative (text, then HTML), UTF-8.
pub fn build(
    letter: &Letter,
    email: &EmailConfig,
    from: &Mailbox,
    date: SystemTime,
) -> Result<Message> {
    let mut builder = Message::builder()
        .from(clean_mailbox(from))
        .subject(one_line(&letter.subject))
        .date(date)
        .message_id(Some(letter.message_id.clone()))
        .user_agent(crate::GENERATOR.to_string());
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(clean_mailbox(reply_to));
    }
    let to = match (&letter.to, &email.to) {
        (Some(recipient), _) => Mailbox::new(
            recipient.name.as_deref().map(one_line),
            recipient.email.clone(),
        ),
        (None, Some(list)) => clean_mailbox(list),
        (None, None) => bail!(
            "a notice needs a recipient: pass --recipients FILE or set [email] to in redline.toml"
        ),
    };
    builder = builder.to(to);
    if !email.list_unsubscribe.is_empty() {
        let value = email
            .list_unsubscribe
            .iter()
            .map(|u| format!("<{u}>"))
            .collect::<Vec<_>>()
            .join(", ");
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            value,
        ));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            letter.text.clone(),
            letter.html.clone(),
        ))
        .context("cannot build the email message")
}

fn clean_mailbox(mailbox: &Mailbox) -> Mailbox {
    Mailbox::new(
        mailbox
            .name
            .as_deref()
            .map(one_line)
            .filter(|n| !n.is_empty()),
        mailbox.email.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::changes::ChangeClass;
    use crate::notify::testing::change;

    #[test]
    fn subjects_name_documents_and_a_shared_effective_date() {
        let mut privacy = change("c1", "privacy/", ChangeClass::Material, 1);
        privacy.document.title = "Privacy Policy".into();
        privacy.version.effective = "April 1, 2026".into();
        assert_eq!(
            subject(
                "[Frameloop]",
                std::slice::from_ref(&privacy),
                &SubjectWords::english()
            ),
            "[Frameloop] Privacy Policy: changes effective April 1, 2026"
        );
        let mut terms = change("c1", "terms/", ChangeClass::Material, 1);
        terms.document.title = "Terms\r\nBcc: x@example.com".into();
        assert_eq!(
            subject("", &[privacy, terms], &SubjectWords::english()),
            "Privacy Policy and Terms Bcc: x@example.com: updated"
        );
    }

    #[test]
    fn message_ids_are_stable_and_at_the_sites_host() {
        let keys = [ChangeKey {
            commit: "c1".into(),
            document: "privacy/".into(),
        }];
        let a = message_id("https://legal.example.com:8443/x/", &keys, None);
        assert_eq!(
            a,
            message_id("https://legal.example.com:8443/x/", &keys, None)
        );
        assert!(
            a.starts_with("<notice.") && a.ends_with("@legal.example.com>"),
            "{a}"
        );
    }
}
