//! The recipients CSV: every line is a recipient, a warning or skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (recipients, warnings) = redline::notify::recipients::parse("recipients.csv", text);
    assert!(recipients.len() + warnings.len() <= text.lines().count());
    for recipient in &recipients {
        if let Some(name) = &recipient.name {
            assert!(!name.is_empty() && !name.contains(['\r', '\n']));
        }
    }
});
