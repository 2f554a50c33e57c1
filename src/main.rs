//! The `redline` binary: parse the command line, run, print an error once and
//! pick the exit status. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use redline::cli::Cli;

/// Rendering allocates many small strings on both cores at once; with glibc's
/// allocator that was a fifth of a build's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with exit 0, usage errors
            // to stderr with exit 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    match redline::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", redline::report::error_chain(&err));
            ExitCode::from(1)
        }
    }
}
