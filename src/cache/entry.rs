//! One entry file's bytes: a header that says what wrote it and for which
//! key, then the value. Pure, so what counts as trustworthy is tested
//! without a disk.
//!
//! ```text
//! REDLINE-CACHE\n          magic
//! <format>\n               FORMAT, a number
//! <redline version>\n      CARGO_PKG_VERSION of the writer
//! <key, 64 hex>\n          the key the entry is stored under
//! <payload SHA-256, hex>\n what the payload must hash to
//! <payload>
//! ```
//!
//! The payload's hash makes a torn or overwritten entry (garbage written
//! over part of it) fail the check instead of being read as a wrong value.

use sha2::{Digest, Sha256};

const MAGIC: &str = "REDLINE-CACHE";

/// The layout of entries; raised when it changes.
pub const FORMAT: u32 = 2;

/// The redline that writes and reads entries.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The bytes of an entry holding `payload` under `key` (hex).
pub fn encode(key: &str, payload: &[u8]) -> Vec<u8> {
    let digest = hex::encode(Sha256::digest(payload));
    let mut bytes = format!("{MAGIC}\n{FORMAT}\n{VERSION}\n{key}\n{digest}\n").into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// The payload of an entry stored under `key`, if the entry is whole and
/// was written by this format and version of redline for that key.
pub fn decode<'a>(key: &str, bytes: &'a [u8]) -> Option<&'a [u8]> {
    let mut rest = bytes;
    let mut line = || {
        let end = memchr::memchr(b'\n', rest)?;
        let (line, after) = rest.split_at(end);
        rest = &after[1..];
        std::str::from_utf8(line).ok()
    };
    let format = FORMAT.to_string();
    let expected = [MAGIC, format.as_str(), VERSION, key];
    for wanted in expected {
        if line()? != wanted {
            return None;
        }
    }
    let digest = line()?.to_string();
    (hex::encode(Sha256::digest(rest)) == digest).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ab12";

    #[test]
    fn an_entry_reads_back_under_its_own_key_only() {
        let bytes = encode(KEY, b"{\"value\":1}\nmore");
        assert_eq!(decode(KEY, &bytes), Some(&b"{\"value\":1}\nmore"[..]));
        assert_eq!(decode("ab13", &bytes), None);
        assert_eq!(decode(KEY, &encode(KEY, b"")), Some(&b""[..]));
    }

    #[test]
    fn torn_overwritten_or_foreign_entries_are_not_trusted() {
        let bytes = encode(KEY, b"payload");
        // Torn: a write cut short, anywhere.
        for len in 0..bytes.len() {
            assert_eq!(decode(KEY, &bytes[..len]), None, "cut at {len}");
        }
        // One byte changed, anywhere.
        for at in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[at] ^= 0x20;
            assert_eq!(decode(KEY, &changed), None, "byte {at} changed");
        }
        // Written by another redline.
        let text = String::from_utf8(bytes).unwrap();
        let foreign = text.replacen(&format!("\n{VERSION}\n"), "\n0.0.0-other\n", 1);
        assert_ne!(foreign, text);
        assert_eq!(decode(KEY, foreign.as_bytes()), None);
        assert_eq!(decode(KEY, b"\xff\xfe garbage \n\n\n\n\n\n"), None);
    }
}
