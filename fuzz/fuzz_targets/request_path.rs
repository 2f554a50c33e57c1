//! The preview server's request targets: a path is accepted only when it
//! stays inside the site.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline::serve::http;

fuzz_target!(|target: &str| {
    http::classify("GET", target);
    if let Ok(path) = http::site_path(target) {
        assert!(!path.starts_with('/'), "{path}");
        assert!(!path.contains('\\') && !path.chars().any(char::is_control), "{path}");
        assert!(path.split('/').all(|s| s != ".." && s != "."), "{path}");
    }
});
