//! The recipients file: CSV `email,name,language` (name and language
//! optional) or one address a line. A bad line
//! is reported with its line number and skipped, never silently dropped; a
//! header line, blank lines and `#` comments are allowed.

use std::collections::HashSet;

use lettre::Address;

use crate::text::control_chars::one_line;

/// One person a notice is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: Address,
    /// Display name, already made one line (never empty when present).
    pub name: Option<String>,
    /// The language they read notices in (a checked BCP 47 code); none:
    /// the site's default language.
    pub language: Option<String>,
}

impl Recipient {
    /// The ledger's key: the address lower-cased. RFC 5321 lets a server
    /// treat `Bob@…` and `bob@…` as two mailboxes, but no real one does, and
    /// sending one person two copies is the failure to avoid.
    pub fn key(&self) -> String {
        self.email.to_string().to_lowercase()
    }
}

/// The recipients read from `text`, and one warning per skipped line naming
/// `origin` and the line number.
pub fn parse(origin: &str, text: &str) -> (Vec<Recipient>, Vec<String>) {
    let mut recipients = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_csv(line);
        let email = fields.first().map(|f| f.trim()).unwrap_or_default();
        if std::mem::take(&mut first) && email.eq_ignore_ascii_case("email") {
            continue;
        }
        let address = match email.parse::<Address>() {
            Ok(address) => address,
            Err(err) => {
                warnings.push(format!(
                    "{origin}:{number}: `{}` is not an email address ({err}); skipped",
                    one_line(email)
                ));
                continue;
            }
        };
        let name = fields.get(1).map(|n| one_line(n)).filter(|n| !n.is_empty());
        let mut recipient = Recipient {
            email: address,
            name,
            language: None,
        };
        if !seen.insert(recipient.key()) {
            warnings.push(format!(
                "{origin}:{number}: {} is listed twice; skipped the second",
                recipient.email
            ));
            continue;
        }
        // One warning a line at most: a duplicate is skipped before its
        // language is read.
        if let Some(code) = fields.get(2).map(|l| l.trim()).filter(|l| !l.is_empty()) {
            match crate::source::languages::parse_code(code, "language") {
                Ok(code) => recipient.language = Some(code),
                Err(_) => warnings.push(format!(
                    "{origin}:{number}: `{}` is not a language code (like de or pt-BR); {} gets notices in the default language",
                    one_line(code),
                    recipient.email
                )),
            }
        }
        recipients.push(recipient);
    }
    (recipients, warnings)
}

/// Splits one CSV line; fields may be quoted with `"` and `""` inside quotes
/// is a quote (RFC 4180), so `"Doe, Jane"` is one name.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_plain_lists_headers_and_comments() {
        let text = "email,name\n# staff\nalice@example.com,Alice Liddell\n\nbob@example.com\n\"carol@example.com\",\"Doe, Carol \"\"CJ\"\"\"\n";
        let (recipients, warnings) = parse("people.csv", text);
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<_> = recipients
            .iter()
            .map(|r| (r.email.to_string(), r.name.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("alice@example.com".into(), Some("Alice Liddell".into())),
                ("bob@example.com".into(), None),
                ("carol@example.com".into(), Some("Doe, Carol \"CJ\"".into())),
            ]
        );
    }

    #[test]
    fn a_third_column_gives_the_language_checked() {
        let text = "email,name,language\na@example.com,A,de\nb@example.com,,pt-br\nc@example.com,C,klingon\nd@example.com\nD@example.com,D,klingon\n";
        let (recipients, warnings) = parse("people.csv", text);
        let languages: Vec<Option<&str>> =
            recipients.iter().map(|r| r.language.as_deref()).collect();
        assert_eq!(languages, [Some("de"), Some("pt-BR"), None, None]);
        // The duplicate is skipped before its language is read: one warning a line.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("people.csv:4: `klingon` is not a language code"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].starts_with("people.csv:6: ") && warnings[1].contains("listed twice"),
            "{warnings:?}"
        );
    }

    #[test]
    fn invalid_and_duplicate_addresses_are_reported_with_their_line() {
        let text = "alice@example.com\nnot-an-address\nbob@\nAlice@EXAMPLE.com,Again\n";
        let (recipients, warnings) = parse("people.csv", text);
        assert_eq!(recipients.len(), 1);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].starts_with("people.csv:2: `not-an-address`"),
            "{}",
            warnings[0]
        );
        assert!(
            warnings[1].starts_with("people.csv:3: `bob@`"),
            "{}",
            warnings[1]
        );
        assert!(warnings[2].starts_with("people.csv:4:"), "{}", warnings[2]);
    }

    #[test]
    fn names_with_line_breaks_become_one_line() {
        let (recipients, _) = parse("p.csv", "eve@example.com,\"Eve\rBcc: all@example.com\"\n");
        assert_eq!(
            recipients[0].name.as_deref(),
            Some("Eve Bcc: all@example.com")
        );
    }
}
