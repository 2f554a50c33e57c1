//! Stage 1, text: what one Markdown text is once parsed — comrak's HTML with
//! redline's options, sanitized raw HTML, heading anchors, attribute lists —
//! and which URLs may be published. Knows nothing of sites, git or config.

pub mod anchors;
pub mod attributes;
pub mod control_chars;
pub mod markdown;
pub mod sanitize;
pub mod urls;
