//! A document's versions as readers navigate them: each version's permanent
//! slug, its change against the one before (class, summary, redline), and
//! what the current page must announce today. Pure: the texts come in, the
//! entries go out.

use jiff::civil::Date;

use crate::changes::{self, ChangeClass};
use crate::diff::{self, Block, Comparison};
use crate::history::Version;
use crate::markdown::Rendered;

/// One version's text, read from its commit.
#[derive(Debug, Clone)]
pub struct VersionText {
    pub title: String,
    pub rendered: Rendered,
    pub blocks: Vec<Block>,
    pub effective: Option<Date>,
    pub notice: Option<String>,
}

/// One version with its change against the previous one.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The version's permanent name in URLs: its day, with `-2`, `-3`… for
    /// later versions of the same day. Earlier versions keep theirs when a
    /// new one arrives, because slugs are handed out oldest first.
    pub slug: String,
    pub day: Date,
    pub class: ChangeClass,
    /// Why the change has its class (see [`changes::reason`]).
    pub reason: String,
    pub summary: String,
    /// None for the first version.
    pub comparison: Option<Comparison>,
    pub effective: Option<Date>,
}

impl Entry {
    /// The day the version applies from: its effective date, else its own day.
    pub fn in_force_from(&self) -> Date {
        self.effective.unwrap_or(self.day)
    }
}

/// Entries for `versions` (newest first, as history gives them), with their
/// texts and days in the same order. Warnings name the commit they are about.
pub fn entries(
    versions: &[Version],
    texts: &[VersionText],
    days: &[Date],
) -> (Vec<Entry>, Vec<String>) {
    let slugs = slugs(days);
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::with_capacity(versions.len());
    for index in (0..versions.len()).rev() {
        let (version, text) = (&versions[index], &texts[index]);
        let previous = texts.get(index + 1);
        let comparison = previous.map(|old| diff::compare(&old.blocks, &text.blocks));
        let (class, warning) = changes::classify(
            &version.trailers,
            previous.is_none(),
            comparison.as_ref().is_some_and(|c| c.editorial),
        );
        let reason = changes::reason(
            &version.trailers,
            previous.is_none(),
            comparison.as_ref().map(|c| c.reason.as_str()),
        );
        if let Some(warning) = warning {
            warnings.push(format!(
                "commit {}: {warning}",
                &version.commit[..7.min(version.commit.len())]
            ));
        }
        let summary = changes::summary(
            &version.trailers,
            text.notice.as_deref(),
            previous.and_then(|p| p.notice.as_deref()),
            || match &comparison {
                Some(comparison) => diff::describe(&comparison.sections),
                None => "First published.".to_string(),
            },
        );
        entries.push(Entry {
            slug: slugs[index].clone(),
            day: days[index],
            class,
            reason,
            summary,
            comparison,
            effective: text.effective,
        });
    }
    entries.reverse();
    (entries, warnings)
}

/// Slugs for days given newest first: `2026-03-03`, then `2026-03-03-2`…
/// counted from the oldest version of that day.
pub fn slugs(days: &[Date]) -> Vec<String> {
    let mut slugs = vec![String::new(); days.len()];
    let mut seen: std::collections::HashMap<Date, usize> = std::collections::HashMap::new();
    for index in (0..days.len()).rev() {
        let count = seen.entry(days[index]).or_default();
        *count += 1;
        slugs[index] = match *count {
            1 => days[index].to_string(),
            n => format!("{}-{n}", days[index]),
        };
    }
    slugs
}

/// What the current page announces on `today`, as indexes into the entries
/// (newest first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The newest material change still announced: published within
    /// `notice_days`, or not yet in effect.
    pub notice: Option<usize>,
    /// The newest version, when it is an editorial change: a quiet line.
    pub editorial: Option<usize>,
    /// The newest version takes effect after today.
    pub pending: bool,
    /// While pending: the version in force today (None if none is yet).
    pub in_force: Option<usize>,
}

pub fn standing(entries: &[Entry], today: Date, notice_days: u32) -> Standing {
    let mut standing = Standing::default();
    let Some(newest) = entries.first() else {
        return standing;
    };
    standing.notice = entries.iter().position(|e| {
        e.class == ChangeClass::Material
            && (e.in_force_from() > today || days_between(e.day, today) <= i64::from(notice_days))
    });
    if newest.class == ChangeClass::Editorial {
        standing.editorial = Some(0);
    }
    if newest.in_force_from() > today {
        standing.pending = true;
        standing.in_force = entries.iter().position(|e| e.in_force_from() <= today);
    }
    standing
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to)
        .map_or(i64::MAX, |span| i64::from(span.get_days()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn entry(day: Date, class: ChangeClass, effective: Option<Date>) -> Entry {
        Entry {
            slug: day.to_string(),
            day,
            class,
            reason: String::new(),
            summary: String::new(),
            comparison: None,
            effective,
        }
    }

    #[test]
    fn same_day_versions_get_distinct_slugs_counted_from_the_oldest() {
        let d = date(2026, 3, 3);
        let e = date(2026, 3, 4);
        assert_eq!(
            slugs(&[e, d, d, d]),
            ["2026-03-04", "2026-03-03-3", "2026-03-03-2", "2026-03-03"]
        );
    }

    #[test]
    fn a_material_change_is_announced_for_notice_days() {
        let entries = [
            entry(date(2026, 3, 1), ChangeClass::Material, None),
            entry(date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        assert_eq!(standing(&entries, date(2026, 3, 31), 30).notice, Some(0));
        assert_eq!(standing(&entries, date(2026, 4, 1), 30).notice, None);
    }

    #[test]
    fn an_editorial_change_after_a_material_one_keeps_the_notice() {
        let entries = [
            entry(date(2026, 3, 10), ChangeClass::Editorial, None),
            entry(date(2026, 3, 1), ChangeClass::Material, None),
            entry(date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        let s = standing(&entries, date(2026, 3, 12), 30);
        assert_eq!(s.notice, Some(1));
        assert_eq!(s.editorial, Some(0));
        assert!(!s.pending);
    }

    #[test]
    fn a_future_effective_date_links_the_version_in_force() {
        let entries = [
            entry(
                date(2026, 3, 1),
                ChangeClass::Material,
                Some(date(2026, 6, 1)),
            ),
            entry(date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        // Announced until it takes effect, even past notice_days.
        let s = standing(&entries, date(2026, 5, 20), 30);
        assert_eq!(s.notice, Some(0));
        assert!(s.pending);
        assert_eq!(s.in_force, Some(1));
        let after = standing(&entries, date(2026, 6, 1), 30);
        assert!(!after.pending);
        assert_eq!(after.notice, None);
    }
}
