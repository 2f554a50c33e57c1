//! Values written in more than one way: link targets, e-mail addresses,
//! numbers and dates, each reduced to one canonical form, so the editorial
//! rule compares what they say rather than how they are typed.
//!
//! Canonical forms forget only what cannot change where a link goes or what
//! a value is: tracking parameters (`utm_*`, `gclid`, `fbclid`…), fragments,
//! `http` versus `https`, the case of a host, an empty path, thousands
//! separators, the spelling of a month. Anything else is kept, so when in
//! doubt two values differ and the change is material.

/// Query parameters that only track the visitor.
const TRACKING: &[&str] = &[
    "gclid", "fbclid", "msclkid", "dclid", "mc_cid", "mc_eid", "_ga",
];

/// File types a link can point to that are decoration, not text a policy
/// incorporates: images, fonts, scripts, style sheets.
const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "css", "js", "woff", "woff2",
    "ttf", "otf",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Number words that policies write as digits too (`thirty days`).
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Where a link goes, canonically; None when the target is not part of the
/// wording: empty, a fragment on the same page, or an image or other asset.
pub(super) fn link_target(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    if url.is_empty() {
        return None;
    }
    let (scheme, rest) = match url.split_once(':') {
        Some((scheme, rest)) if crate::text::urls::is_scheme(scheme) => {
            (scheme.to_ascii_lowercase(), rest)
        }
        _ => (String::new(), url),
    };
    match scheme.as_str() {
        "mailto" => {
            let address = rest.split_once('?').map_or(rest, |(address, _)| address);
            return Some(format!("mailto:{}", email(address)));
        }
        "tel" => {
            let digits: String = rest
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            return Some(format!("tel:{digits}"));
        }
        _ => {}
    }
    let (path_part, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (host, path) = match path_part.strip_prefix("//") {
        Some(authority_and_path) => {
            let cut = authority_and_path
                .find('/')
                .unwrap_or(authority_and_path.len());
            (
                authority_and_path[..cut].to_ascii_lowercase(),
                &authority_and_path[cut..],
            )
        }
        None => (String::new(), path_part),
    };
    if is_asset(path) {
        return None;
    }
    let path = if path == "/" && !host.is_empty() {
        ""
    } else {
        path
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or(pair).to_ascii_lowercase();
            !pair.is_empty() && !name.starts_with("utm_") && !TRACKING.contains(&name.as_str())
        })
        .collect();
    // `http` and `https` reach the same document.
    let scheme = match scheme.as_str() {
        "http" | "https" => "web",
        other => other,
    };
    let mut target = format!("{scheme}:{host}{path}");
    if !kept.is_empty() {
        target.push('?');
        target.push_str(&kept.join("&"));
    }
    Some(target)
}

fn is_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').is_some_and(|(_, extension)| {
        ASSET_EXTENSIONS
            .iter()
            .any(|asset| asset.eq_ignore_ascii_case(extension))
    })
}

/// An e-mail address with its domain case-folded (the mailbox part is kept
/// as written: `aup-exceptions` and `aup_exceptions` are two mailboxes).
pub(super) fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((mailbox, domain)) => format!("{mailbox}@{}", domain.to_ascii_lowercase()),
        None => address.to_string(),
    }
}

/// Whether a run of text without spaces is an e-mail address.
pub(super) fn is_email(text: &str) -> bool {
    let Some((mailbox, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let mailbox_ok = !mailbox.is_empty()
        && mailbox
            .chars()
            .all(|c| c.is_alphanumeric() || "._%+-'".contains(c));
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    mailbox_ok && domain_ok
}

/// Whether a run of text without spaces is a web address.
pub(super) fn is_web_address(text: &str) -> bool {
    let starts = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    };
    (starts("http://") || starts("https://") || starts("www.")) && text.len() > 7
}

/// A web address written in text, canonically (`www.x.com` reads as
/// `https://www.x.com`).
pub(super) fn web_address(text: &str) -> String {
    let with_scheme = if text.to_ascii_lowercase().starts_with("www.") {
        format!("https://{text}")
    } else {
        text.to_string()
    };
    link_target(&with_scheme).unwrap_or(with_scheme)
}

/// A number written with digits, canonically: thousands separators dropped
/// (`1,000` → `1000`), decimals kept. None when the digits are not one
/// number (`555.123.4567`): the caller reads each group on its own.
pub(super) fn number(written: &str) -> Option<String> {
    let groups: Vec<&str> = written.split(',').collect();
    let thousands = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..groups.len() - 1].iter().all(|g| g.len() == 3)
        && groups
            .last()
            .is_some_and(|g| g.split('.').next().is_some_and(|whole| whole.len() == 3));
    let plain = if thousands {
        written.replace(',', "")
    } else {
        written.to_string()
    };
    let dots = plain.matches('.').count();
    let commas = plain.matches(',').count();
    (dots + commas <= 1).then_some(plain)
}

/// The value of a number word (`thirty` → 30).
pub(super) fn number_word(folded: &str) -> Option<u32> {
    if !(3..=9).contains(&folded.len()) {
        return None;
    }
    NUMBER_WORDS
        .iter()
        .find(|(word, _)| *word == folded)
        .map(|&(_, value)| value)
}

/// The month (1–12) a folded word names: the full name or a usual
/// abbreviation (`aug`, `sept`).
pub(super) fn month(folded: &str) -> Option<u32> {
    let folded = folded.trim_end_matches('.');
    if !(3..=9).contains(&folded.len())
        || !folded.starts_with(['j', 'f', 'm', 'a', 's', 'o', 'n', 'd'])
    {
        return None;
    }
    MONTHS
        .iter()
        .position(|name| {
            *name == folded || (folded.len() <= 4 && folded != "marc" && name.starts_with(folded))
        })
        .and_then(|index| u32::try_from(index + 1).ok())
}

/// A day of the month written as digits, maybe with an ordinal suffix
/// (`28`, `28th`, `1st`).
pub(super) fn day(written: &str) -> Option<u32> {
    let lower = written.to_ascii_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower);
    let day: u32 = digits.parse().ok()?;
    (1..=31).contains(&day).then_some(day)
}

/// A four-digit year.
pub(super) fn year(written: &str) -> Option<u32> {
    let year: u32 = written.parse().ok()?;
    (written.len() == 4 && (1000..=2999).contains(&year)).then_some(year)
}

/// An ISO date written as one run (`2025-08-28`), canonically.
pub(super) fn iso_date(text: &str) -> Option<String> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (year(y)?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| date(y, m, Some(d)))
}

/// The canonical form of a date.
pub(super) fn date(year: u32, month: u32, day: Option<u32>) -> String {
    match day {
        Some(day) => format!("date:{year:04}-{month:02}-{day:02}"),
        None => format!("date:{year:04}-{month:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_forget_only_tracking_fragments_and_scheme() {
        let same = [
            ("https://example.com/terms", "http://example.com/terms"),
            (
                "https://example.com/terms?utm_source=mail&utm_medium=x",
                "https://example.com/terms",
            ),
            (
                "https://example.com/terms?gclid=1#part",
                "https://EXAMPLE.com/terms",
            ),
            ("https://example.com/", "https://example.com"),
            // A colon after the path is no scheme.
            ("/terms?utm_campaign=spring:2025", "/terms"),
            ("mailto:privacy@Example.COM", "mailto:privacy@example.com"),
            ("tel:+1-555-123-4567", "tel:+15551234567"),
        ];
        for (a, b) in same {
            assert_eq!(link_target(a), link_target(b), "{a} {b}");
        }
        let different = [
            ("https://example.com/terms", "https://example.com/privacy"),
            ("https://example.com/terms", "https://example.org/terms"),
            (
                "https://example.com/terms?v=2",
                "https://example.com/terms?v=3",
            ),
            ("mailto:aup-exceptions@x.com", "mailto:aup_exceptions@x.com"),
            ("/terms", "/privacy"),
            ("tel:+15551234567", "tel:+15551234568"),
        ];
        for (a, b) in different {
            assert_ne!(link_target(a), link_target(b), "{a} {b}");
        }
        for ignored in ["#section", "", "https://x.com/badge.svg", "logo.PNG"] {
            assert_eq!(link_target(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn numbers_and_dates() {
        assert_eq!(number("1,000").as_deref(), Some("1000"));
        assert_eq!(number("1,000,000.5").as_deref(), Some("1000000.5"));
        assert_eq!(number("1.5").as_deref(), Some("1.5"));
        assert_eq!(number("555.123.4567"), None);
        assert_eq!(month("Aug".to_lowercase().as_str()), Some(8));
        assert_eq!(month("sept"), Some(9));
        assert_eq!(month("mar"), Some(3));
        assert_eq!(month("ma"), None);
        assert_eq!(day("28th"), Some(28));
        assert_eq!(day("32"), None);
        assert_eq!(iso_date("2025-08-28"), Some(date(2025, 8, Some(28))));
        assert_eq!(iso_date("2025-13-28"), None);
        for not_iso in ["2025-8-28", "2025-08-8", "2025-08-28-01"] {
            assert_eq!(iso_date(not_iso), None, "{not_iso}");
        }
        assert_eq!(year("2025"), Some(2025));
        for not_a_year in ["02025", "0999", "3000", "999"] {
            assert_eq!(year(not_a_year), None, "{not_a_year}");
        }
        assert!(is_email("aup_exceptions@example.com"));
        assert!(!is_email("@example.com"));
        for not_an_address in [
            "privacy@localhost",
            "privacy@.example.com",
            "a@example.com/help",
        ] {
            assert!(!is_email(not_an_address), "{not_an_address}");
        }
        assert!(is_web_address("www.example.com/x"));
        // Something must follow the prefix: the shortest real address has
        // eight characters.
        assert!(is_web_address("www.x.io"));
        assert!(!is_web_address("www.abc"));
    }
}
