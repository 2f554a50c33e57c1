//! `hand-typed-date`: a body line that states when the policy was last
//! updated or takes effect ("Last Updated: January 2025", "Effective as of
//! 2026-03-03") and disagrees with what git and front matter say. The theme
//! shows the true date, so the usual fix is to delete the line.
//!
//! English phrasing only: it is the only language the theme speaks so far.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::Subject;
use crate::check::finding::{Finding, span};
use crate::source::lint_levels::Lint;

/// How precisely a hand-typed date was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Day,
    Month,
}

/// What a line claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    LastUpdated,
    Effective,
}

/// A date stated on a line, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stated {
    claim: Claim,
    year: i16,
    month: i8,
    day: Option<i8>,
    start: usize,
    end: usize,
}

const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

static STATED: LazyLock<Regex> = LazyLock::new(|| {
    let phrase = r"(?P<phrase>last[ -]?(?:updated|modified|revised|changed|reviewed)|date\s+of\s+(?:the\s+)?last\s+(?:revision|update|change)|(?:updated|revised)|effective(?:\s+date)?)";
    let glue = r"[\s*_:\-–—]*(?:(?:on|as\s+of|from|since|date|in)\b[\s*_:]*)?";
    let date = format!(
        r"(?P<date>(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})|(?P<m1>{MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTH})\.?,?\s+(?P<y2>\d{{4}})|(?P<m3>{MONTH})\.?,?\s+(?P<y3>\d{{4}}))"
    );
    // `_Effective date: 2026-01-15_`: emphasis marks are word characters
    // to `\b`, so the edges are spelled out.
    // Pattern text is a constant: it compiles, as the unit tests show.
    Regex::new(&format!(
        r"(?i)(?:^|[^\p{{L}}\p{{N}}]){phrase}\b{glue}{date}(?:[^\p{{L}}\p{{N}}]|$)"
    ))
    .expect("the date pattern compiles")
});

fn month_number(name: &str) -> Option<i8> {
    let name = name.to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    months
        .iter()
        .position(|m| name.starts_with(m))
        .and_then(|i| i8::try_from(i + 1).ok())
}

/// Every date stated on `line`.
fn stated_dates(line: &str) -> Vec<Stated> {
    STATED
        .captures_iter(line)
        .filter_map(|caps| {
            let (phrase, date) = (caps.name("phrase")?, caps.name("date")?);
            let (start, end) = (phrase.start(), date.end());
            let phrase = phrase.as_str().to_ascii_lowercase();
            let claim = if phrase.starts_with("effective") {
                Claim::Effective
            } else {
                Claim::LastUpdated
            };
            let number = |name: &str| caps.name(name).and_then(|m| m.as_str().parse::<i16>().ok());
            let (year, month, day) = if let Some(year) = number("iy") {
                (year, i8::try_from(number("im")?).ok()?, number("id"))
            } else if let Some(year) = number("y1") {
                (year, month_number(caps.name("m1")?.as_str())?, number("d1"))
            } else if let Some(year) = number("y2") {
                (year, month_number(caps.name("m2")?.as_str())?, number("d2"))
            } else {
                (
                    number("y3")?,
                    month_number(caps.name("m3")?.as_str())?,
                    None,
                )
            };
            let day = match day {
                Some(day) => Some(i8::try_from(day).ok()?),
                None => None,
            };
            // Not a real date ("2026-13-40"): not a claim this lint can judge.
            Date::new(year, month, day.unwrap_or(1)).ok()?;
            Some(Stated {
                claim,
                year,
                month,
                day,
                start,
                end,
            })
        })
        .collect()
}

impl Stated {
    fn precision(&self) -> Precision {
        if self.day.is_some() {
            Precision::Day
        } else {
            Precision::Month
        }
    }

    /// Whether the stated date names `truth` (to the month when no day was written).
    fn agrees_with(&self, truth: Date) -> bool {
        truth.year() == self.year
            && truth.month() == self.month
            && self.day.is_none_or(|day| day == truth.day())
    }
}

/// The dates a line may truly state: for "last updated", the newest
/// version's day (or front matter `updated` when it is trusted), and today
/// as well while the document has uncommitted changes (its next version is
/// dated when it is committed); for "effective", front matter `effective`,
/// else the day the newest version was published.
fn truths(subject: &Subject<'_>, claim: Claim) -> Vec<Date> {
    let config = subject.config;
    let newest = subject
        .history
        .versions
        .first()
        .map(|v| crate::render::pages::version_date(v, config));
    let updated = if config.trust_front_matter_dates {
        subject.doc.front.updated.or(newest)
    } else {
        newest.or(subject.doc.front.updated)
    };
    let mut truths: Vec<Date> = match claim {
        Claim::LastUpdated => updated.into_iter().collect(),
        Claim::Effective => subject
            .doc
            .front
            .effective
            .or(updated)
            .into_iter()
            .collect(),
    };
    if subject.history.unpublished || truths.is_empty() {
        truths.push(config.today);
    }
    truths
}

pub fn check(subject: &Subject<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, line) in subject.lines() {
        for stated in stated_dates(line) {
            let truths = truths(subject, stated.claim);
            if truths.iter().any(|&truth| stated.agrees_with(truth)) {
                continue;
            }
            let Some(&truth) = truths.first() else {
                continue;
            };
            let written = &line[stated.start..stated.end];
            let (what, source) = match stated.claim {
                Claim::LastUpdated if subject.history.versions.is_empty() => (
                    "last changed",
                    "it has no committed version yet".to_string(),
                ),
                Claim::LastUpdated => (
                    "last changed",
                    format!("git says it last changed on {truth}"),
                ),
                Claim::Effective if subject.doc.front.effective.is_some() => (
                    "takes effect",
                    format!("front matter says `effective: {truth}`"),
                ),
                Claim::Effective => (
                    "took effect",
                    format!("it took effect when last published, on {truth}"),
                ),
            };
            let right = match stated.precision() {
                Precision::Day => truth.to_string(),
                Precision::Month => {
                    jiff::fmt::strtime::format("%B %Y", truth).unwrap_or_else(|_| truth.to_string())
                }
            };
            findings.push(Finding::at(
                Lint::HandTypedDate,
                &subject.doc.display_path,
                span(subject.file_line(index), line, stated.start, stated.end),
                format!("`{written}` says when this policy {what}, but {source}"),
                format!(
                    "delete the line: the page already shows the date from git (or write {right})"
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<(Claim, i16, i8, Option<i8>)> {
        let found = stated_dates(line);
        assert!(found.len() <= 1, "{found:?}");
        found
            .into_iter()
            .next()
            .map(|s| (s.claim, s.year, s.month, s.day))
    }

    #[test]
    fn the_common_ways_of_typing_a_date_are_read() {
        use Claim::*;
        assert_eq!(
            one("Last Updated: January 2025"),
            Some((LastUpdated, 2025, 1, None))
        );
        assert_eq!(
            one("**Last updated:** 2026-03-03"),
            Some((LastUpdated, 2026, 3, Some(3)))
        );
        assert_eq!(
            one("Last updated: April 20, 2023"),
            Some((LastUpdated, 2023, 4, Some(20)))
        );
        assert_eq!(
            one("Effective as of 3 March 2026"),
            Some((Effective, 2026, 3, Some(3)))
        );
        assert_eq!(
            one("Date of last revision: Sept. 1st, 2024"),
            Some((LastUpdated, 2024, 9, Some(1)))
        );
        assert_eq!(
            one("_Effective date: 2026-01-15_"),
            Some((Effective, 2026, 1, Some(15)))
        );
        assert_eq!(
            one("Revised on July 4, 2022."),
            Some((LastUpdated, 2022, 7, Some(4)))
        );
    }

    #[test]
    fn dates_that_are_not_about_the_policy_are_left_alone() {
        assert_eq!(
            one("We updated our systems in 2024 to delete data sooner."),
            None
        );
        assert_eq!(
            one("Accounts created before March 2024 keep their plan."),
            None
        );
        assert_eq!(
            one("Effective immediately, we delete prompts after 30 days."),
            None
        );
        assert_eq!(one("Last updated: 2026-13-40"), None);
    }

    #[test]
    fn a_month_agrees_with_any_day_of_it() {
        let stated = &stated_dates("Last updated: March 2026")[0];
        assert!(stated.agrees_with(jiff::civil::date(2026, 3, 31)));
        assert!(!stated.agrees_with(jiff::civil::date(2026, 4, 1)));
    }
}
