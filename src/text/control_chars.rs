//! Control characters from users' text (titles, commit messages, `Notice:`
//! trailers; `\x0b` is what a line break pasted from Word becomes) kept out
//! of the places they break: XML and HTML files, and the terminal. One rule
//! per destination, applied where text leaves redline rather than at every
//! place it enters, so no new field can forget it.

use std::borrow::Cow;

/// `text` without the characters XML 1.0 forbids (C0 controls other than
/// tab, line feed and carriage return; U+FFFE and U+FFFF), so every XML and
/// HTML file redline writes parses. A vertical tab or form feed separates
/// words, so it becomes a space; the rest are dropped.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    if !has_xml_forbidden(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\u{0b}' | '\u{0c}' => Some(' '),
                c if is_xml_forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Whether XML 1.0 forbids `c` in a document.
pub fn is_xml_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{08}' | '\u{0b}' | '\u{0c}' | '\u{0e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// A byte scan: pages are long and almost never hold one. Whole chunks
/// are tested without branching (so the compiler vectorizes it), and
/// U+FFFE/U+FFFF are found by their lead byte (`EF BF BE`, `EF BF BF`).
fn has_xml_forbidden(text: &str) -> bool {
    let bytes = text.as_bytes();
    let control = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
    let has_control = bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | control(b)));
    has_control
        || memchr::memchr_iter(0xef, bytes)
            .any(|at| matches!(bytes.get(at + 1..at + 3), Some([0xbf, 0xbe | 0xbf])))
}

/// `text` as one line a terminal prints as it is: whitespace controls become
/// spaces and every other control character (ESC, which starts the
/// sequences that recolour, move the cursor or retitle the window; DEL; the
/// C1 controls) becomes U+FFFD, so a reader sees that something was there.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' => ' ',
                c if c.is_control() => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

/// [`terminal_safe`] line by line: the line breaks of a multi-line message
/// stay, everything else a terminal would act on does not.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(terminal_safe).collect();
    Cow::Owned(lines.join("\n"))
}

/// Appends `text` escaped for HTML element content and quoted attribute
/// values; characters XML 1.0 forbids become U+FFFD, so a reader sees that
/// something was there.
pub fn push_escaped(out: &mut String, text: &str) {
    // Runs of plain text are copied whole: redlines escape every block of
    // both versions, so this is one of a build's hottest loops. Every byte
    // it stops at is ASCII or the first of U+FFFE/U+FFFF's three, so the
    // runs are cut at character boundaries.
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let (mut run, mut at) = (0, 0);
    while at < bytes.len() {
        let (with, taken) = match bytes[at] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\t' | b'\n' | b'\r' => ("", 0),
            0..=0x1f => ("\u{FFFD}", 1),
            0xEF if bytes[at + 1..].starts_with(&[0xBF, 0xBE])
                || bytes[at + 1..].starts_with(&[0xBF, 0xBF]) =>
            {
                ("\u{FFFD}", 3)
            }
            _ => ("", 0),
        };
        if taken == 0 {
            at += 1;
            continue;
        }
        out.push_str(&text[run..at]);
        out.push_str(with);
        at += taken;
        run = at;
    }
    out.push_str(&text[run..]);
}

/// Control characters (CR, LF, tab, NEL, line and paragraph separators, …)
/// become spaces and runs of white space one space: a value that is one line
/// can never start a header or end the header block.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_line_turns_every_break_and_control_into_a_space() {
        assert_eq!(
            one_line("Privacy\r\nBcc: all@example.com\u{2028}x\u{85}y\t\u{0}z  "),
            "Privacy Bcc: all@example.com x y z"
        );
    }

    #[test]
    fn terminal_text_keeps_line_breaks_and_defuses_escapes() {
        assert_eq!(terminal_text("one\ntwo"), "one\ntwo");
        assert_eq!(
            terminal_text("550 \u{1b}]0;pwned\u{7}\nnext\tline"),
            "550 \u{fffd}]0;pwned\u{fffd}\nnext line"
        );
    }

    #[test]
    fn a_pasted_line_break_becomes_a_space_and_other_controls_go() {
        assert_eq!(xml_safe("We keep\u{0b}data"), "We keep data");
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\u{ffff}d"), "abcd");
        assert!(matches!(
            xml_safe("Tabs\tand\r\nlines stay, as does ü"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_cannot_reach_the_terminal() {
        assert_eq!(
            terminal_safe("Fix \u{1b}[31mred\u{1b}[0m\ttext"),
            "Fix \u{fffd}[31mred\u{fffd}[0m text"
        );
        assert_eq!(terminal_safe("C1\u{9b}2J"), "C1\u{fffd}2J");
        assert!(matches!(
            terminal_safe("Plain – “quoted”"),
            Cow::Borrowed(_)
        ));
    }

    /// What [`push_escaped`] does, a character at a time.
    fn escaped_char_by_char(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn escaping_replaces_markup_and_forbidden_characters() {
        let mut out = String::from("kept ");
        push_escaped(
            &mut out,
            "a<b> & \"c\"\u{0}\u{fffe}\u{ffff}\u{fffd}\u{efbf} ü\t\n",
        );
        assert_eq!(
            out,
            "kept a&lt;b&gt; &amp; &quot;c&quot;\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{efbf} ü\t\n"
        );
    }

    proptest! {
        // The byte scan against the rule it shortcuts, over text dense in
        // near misses: other characters with U+FFFE's lead bytes, allowed
        // controls, and chunk boundaries.
        #[test]
        fn the_byte_scan_finds_exactly_the_forbidden_characters(
            text in "[a\\t\\n\\r\\x01\\x0b\\x1f\\x{fffd}\\x{fffe}\\x{ffff}\\x{efbf}\\x{bfbe}ü]{0,150}"
        ) {
            prop_assert_eq!(has_xml_forbidden(&text), text.chars().any(is_xml_forbidden));
        }

        #[test]
        fn escaping_runs_matches_escaping_each_character(text in any::<String>()) {
            let mut out = String::new();
            push_escaped(&mut out, &text);
            prop_assert_eq!(out, escaped_char_by_char(&text));
        }

        #[test]
        fn escaping_near_the_forbidden_noncharacters_matches_too(
            text in proptest::collection::vec(
                prop::sample::select(vec!['\u{fffe}', '\u{ffff}', '\u{fffd}', '\u{efbf}', '\u{ffbe}', 'a', '<', '\u{0}']),
                0..12,
            )
        ) {
            let text: String = text.into_iter().collect();
            let mut out = String::new();
            push_escaped(&mut out, &text);
            prop_assert_eq!(out, escaped_char_by_char(&text));
        }

        #[test]
        fn xml_safe_text_has_no_forbidden_character_and_keeps_the_rest(text in any::<String>()) {
            let safe = xml_safe(&text);
            prop_assert!(!safe.chars().any(is_xml_forbidden));
            // Nothing but forbidden characters is dropped, and only the two
            // word-separating ones become spaces.
            let without_spaces = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
            let kept: String = text.chars().filter(|c| !is_xml_forbidden(*c)).collect();
            prop_assert_eq!(without_spaces(&safe), without_spaces(&kept));
            prop_assert_eq!(safe.chars().count(), kept.chars().count()
                + text.chars().filter(|c| matches!(c, '\u{0b}' | '\u{0c}')).count());
        }

        #[test]
        fn terminal_safe_text_has_no_control_character(text in any::<String>()) {
            let safe = terminal_safe(&text);
            prop_assert!(!safe.chars().any(char::is_control));
            prop_assert_eq!(safe.chars().count(), text.chars().count());
        }
    }
}
