//! Redline benchmark (filled in with the diff engine).
fn main() {}
