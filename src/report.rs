//! Talking to the terminal: warnings and progress go to stderr at the chosen
//! verbosity; an error is printed once, with its cause chain (as mdBook does).

use std::io::Write as _;

use crate::text::control_chars::terminal_text;

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Prints warnings and notes to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    pub verbosity: Verbosity,
}

impl Reporter {
    pub fn warn(&self, message: &str) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("warning: {}", terminal_text(message));
        }
    }

    pub fn info(&self, message: &str) {
        if self.verbosity >= Verbosity::Normal {
            eprintln!("{}", terminal_text(message));
        }
    }

    pub fn detail(&self, message: &str) {
        if self.verbosity >= Verbosity::Verbose {
            eprintln!("{}", terminal_text(message));
        }
    }
}

/// `1 version`, `2 versions`: a count with its (regular) noun.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Prints `text` on stdout. A reader that stops early (`redline log | head`)
/// closes the pipe: that ends the output quietly, as it does for git.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(err).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

/// `error: <message>` followed by one `Caused by:` line per cause.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut out = format!("error: {err}");
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    if !causes.is_empty() {
        out.push_str("\n\nCaused by:");
        for cause in causes {
            for (i, line) in cause.lines().enumerate() {
                out.push_str(if i == 0 { "\n    " } else { "\n      " });
                out.push_str(line);
            }
        }
    }
    terminal_text(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_a_thing_is_singular() {
        assert_eq!(count(1, "version"), "1 version");
        assert_eq!(count(0, "document"), "0 documents");
        assert_eq!(count(2, "file"), "2 files");
    }

    #[test]
    fn chain_is_printed_once_per_cause() {
        let err = anyhow::anyhow!("root cause")
            .context("middle")
            .context("top");
        assert_eq!(
            error_chain(&err),
            "error: top\n\nCaused by:\n    middle\n    root cause"
        );
    }
}
