//! A document's versions as readers navigate them: each version's permanent
//! slug, its change against the one before (class, summary, redline), its
//! standing today, and what the current page must announce. Pure: the texts
//! come in, the entries go out.

use jiff::civil::Date;
use rayon::prelude::*;

use crate::diff::{Block, Comparison, SummaryWords};
use crate::history::Version;
use crate::history::changes::{self, ChangeClass};
use crate::history::compared::Comparer;
use crate::history::standing::{self, Dated, Standing, Status};
use crate::text::markdown::Rendered;

/// One version's text, read from its commit.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionText {
    pub title: String,
    pub rendered: Rendered,
    pub blocks: Vec<Block>,
    pub effective: Option<Date>,
    pub notice: Option<String>,
}

/// What a version's own text says about its change: the date it takes
/// effect and the notice written for it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Announced {
    pub effective: Option<Date>,
    pub notice: Option<String>,
}

impl VersionText {
    pub fn announced(&self) -> Announced {
        Announced {
            effective: self.effective,
            notice: self.notice.clone(),
        }
    }
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
    /// Whether an author wrote `summary` (a `Notice:` trailer or front
    /// matter), rather than it being generated in the document's language.
    pub summary_by_author: bool,
    /// None for the first version.
    pub comparison: Option<Comparison>,
    pub effective: Option<Date>,
    /// Where the version stands on the build's day.
    pub standing: Standing,
}

/// Entries for `versions` (newest first, as history gives them), with their
/// texts and days in the same order, standing as of `today`. Warnings name
/// the commit they are about. `comparer` diffs each version with the one
/// before (or hands back the diff a build before made).
pub fn entries(
    versions: &[Version],
    texts: &[VersionText],
    days: &[Date],
    today: Date,
    comparer: &Comparer<'_>,
    wording: &SummaryWords,
) -> (Vec<Entry>, Vec<String>) {
    // Each change against the version before, on every core: a long
    // history of one large document is otherwise one thread's work.
    let comparisons: Vec<Option<Comparison>> = (0..texts.len())
        .into_par_iter()
        .map(|index| {
            let old = texts.get(index + 1)?;
            let new = &texts[index];
            Some(comparer.compare(
                (&versions[index + 1], &old.blocks),
                (&versions[index], &new.blocks),
            ))
        })
        .collect();
    let announced: Vec<Announced> = texts.iter().map(VersionText::announced).collect();
    entries_of(versions, &announced, comparisons, days, today, wording)
}

/// [`entries`] from what each version announces and its comparison with
/// the version before (None for the oldest), all newest first.
pub fn entries_of(
    versions: &[Version],
    announced: &[Announced],
    mut comparisons: Vec<Option<Comparison>>,
    days: &[Date],
    today: Date,
    wording: &SummaryWords,
) -> (Vec<Entry>, Vec<String>) {
    let slugs = slugs(days);
    let dated: Vec<Dated> = days
        .iter()
        .zip(announced)
        .map(|(&day, text)| Dated {
            day,
            effective: text.effective,
        })
        .collect();
    let standings = standing::standings(&dated, today);
    let mut warnings = Vec::new();
    let mut entries: Vec<Entry> = Vec::with_capacity(versions.len());
    for index in (0..versions.len()).rev() {
        let (version, text) = (&versions[index], &announced[index]);
        let previous = announced.get(index + 1);
        let comparison = comparisons.get_mut(index).and_then(Option::take);
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
        let authored = changes::authored_summary(
            &version.trailers,
            text.notice.as_deref(),
            previous.and_then(|p| p.notice.as_deref()),
        );
        let summary_by_author = authored.is_some();
        let summary = authored.unwrap_or_else(|| {
            changes::generated_summary(comparison.as_ref().map(|c| c.sections.as_slice()), wording)
        });
        entries.push(Entry {
            slug: slugs[index].clone(),
            day: days[index],
            class,
            reason,
            summary,
            summary_by_author,
            comparison,
            effective: text.effective,
            standing: standings[index],
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
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notices {
    /// Every material change still announced, newest first: published
    /// within `notice_days`, or not yet in force. A later change never
    /// hides an earlier one.
    pub material: Vec<usize>,
    /// The newest version, when it is an editorial change: a quiet line.
    pub editorial: Option<usize>,
    /// The newest version takes effect after today.
    pub pending: bool,
    /// The version in force today (None if none is yet).
    pub in_force: Option<usize>,
    /// Where the cumulative redline of the announced changes starts: the
    /// version in force or the one before the oldest announced change,
    /// whichever is older. Its compare page shows everything since.
    pub since: Option<usize>,
}

pub fn notices(entries: &[Entry], today: Date, notice_days: u32) -> Notices {
    let mut notices = Notices::default();
    let Some(newest) = entries.first() else {
        return notices;
    };
    notices.material = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.class == ChangeClass::Material
                && (e.standing.status == Status::Scheduled
                    || days_between(e.day, today) <= i64::from(notice_days))
        })
        .map(|(index, _)| index)
        .collect();
    if newest.class == ChangeClass::Editorial {
        notices.editorial = Some(0);
    }
    notices.pending = newest.standing.status == Status::Scheduled;
    notices.in_force = entries
        .iter()
        .position(|e| e.standing.status == Status::InForce);
    notices.since = notices
        .material
        .last()
        .map(|&oldest| (oldest + 1).max(notices.in_force.unwrap_or(0)))
        .filter(|&since| since < entries.len());
    notices
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to)
        .map_or(i64::MAX, |span| i64::from(span.get_days()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff;
    use crate::text::markdown::{self, MarkdownOptions};
    use jiff::civil::date;

    fn version(commit: &str, trailers: &[(&str, &str)]) -> Version {
        Version {
            commit: commit.to_string(),
            seconds: 0,
            offset_minutes: 0,
            author: String::new(),
            subject: String::new(),
            trailers: trailers
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            path: "privacy.md".into(),
            url: "/privacy/".into(),
            blob: String::new(),
            sha256: String::new(),
        }
    }

    fn text(body: &str, effective: Option<Date>, notice: Option<&str>) -> VersionText {
        let options = MarkdownOptions::default();
        VersionText {
            title: "Privacy".into(),
            rendered: markdown::render(body, options),
            blocks: diff::blocks("Privacy", body, options),
            effective,
            notice: notice.map(str::to_string),
        }
    }

    /// Three versions, newest first: a punctuation fix on March 10; a
    /// material change on March 3 that takes effect on April 1, with its
    /// notice in the front matter; the first version, earlier that day.
    fn three_versions() -> (Vec<Version>, Vec<VersionText>, Vec<Date>) {
        let versions = vec![
            version("c3c3c3c3c3", &[]),
            version("c2c2c2c2c2", &[]),
            version("c1c1c1c1c1", &[]),
        ];
        let texts = vec![
            text(
                "## Data\n\nWe keep logs for 90 days!\n",
                None,
                Some("Logs are kept longer."),
            ),
            text(
                "## Data\n\nWe keep logs for 90 days.\n",
                Some(date(2026, 4, 1)),
                Some("Logs are kept longer."),
            ),
            text("## Data\n\nWe keep logs for 30 days.\n", None, None),
        ];
        let days = vec![date(2026, 3, 10), date(2026, 3, 3), date(2026, 3, 3)];
        (versions, texts, days)
    }

    /// [`entries`] in English on March 20, 2026, through `store` if given.
    fn entries_with(
        (versions, texts, days): &(Vec<Version>, Vec<VersionText>, Vec<Date>),
        store: Option<&crate::cache::Store>,
    ) -> (Vec<Entry>, Vec<String>) {
        let comparer = Comparer {
            store,
            options: MarkdownOptions::default(),
        };
        let english = SummaryWords::english();
        entries(
            versions,
            texts,
            days,
            date(2026, 3, 20),
            &comparer,
            &english,
        )
    }

    #[test]
    fn each_version_is_named_classed_and_summarised_against_the_one_before() {
        let (entries, warnings) = entries_with(&three_versions(), None);
        assert_eq!(warnings, Vec::<String>::new());
        let slugs: Vec<&str> = entries.iter().map(|e| e.slug.as_str()).collect();
        assert_eq!(slugs, ["2026-03-10", "2026-03-03-2", "2026-03-03"]);
        let classes: Vec<ChangeClass> = entries.iter().map(|e| e.class).collect();
        assert_eq!(
            classes,
            [
                ChangeClass::Editorial,
                ChangeClass::Material,
                ChangeClass::Initial
            ]
        );
        // The front matter's notice is told once, with the change it came
        // with; the next version repeats it and gets a generated summary.
        let summaries: Vec<(&str, bool)> = entries
            .iter()
            .map(|e| (e.summary.as_str(), e.summary_by_author))
            .collect();
        assert_eq!(
            summaries,
            [
                ("Punctuation or formatting changed in “Data”.", false),
                ("Logs are kept longer.", true),
                ("First published.", false),
            ]
        );
        // Each is compared with the version before it, the first with none.
        let words: Vec<Option<(usize, usize)>> = entries
            .iter()
            .map(|e| {
                e.comparison
                    .as_ref()
                    .map(|c| (c.words_added, c.words_removed))
            })
            .collect();
        assert_eq!(words, [Some((0, 0)), Some((1, 1)), None]);
        assert_eq!(entries[1].effective, Some(date(2026, 4, 1)));
        assert_eq!(entries[1].standing.applies_from, date(2026, 4, 1));
        // The fix of March 10 states no date, so it applies at once, before
        // the change it corrects ever took effect.
        assert_eq!(entries[1].standing.status, Status::Superseded);
        assert_eq!(entries[0].standing.status, Status::InForce);
        assert_eq!(entries[0].effective, None);
    }

    #[test]
    fn each_comparison_is_kept_under_the_two_versions_it_compares() {
        let mut history = three_versions();
        for (version, blob) in history.0.iter_mut().zip(["b3", "b2", "b1"]) {
            version.blob = blob.to_string();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::cache::Store::open(dir.path());
        entries_with(&history, Some(&store));
        // Asked again for the step from the first version to the second,
        // the store answers with what it kept, whatever blocks come along.
        let (versions, texts, _) = &history;
        let comparer = Comparer {
            store: Some(&store),
            options: MarkdownOptions::default(),
        };
        let same = &texts[0].blocks;
        let kept = comparer.compare((&versions[2], same), (&versions[1], same));
        assert_eq!((kept.words_added, kept.words_removed), (1, 1));
    }

    #[test]
    fn a_class_trailer_no_one_knows_is_a_warning_naming_the_commit() {
        let mut history = three_versions();
        history.0[1] = version("c2c2c2c2c2", &[("Policy-Change", "minor")]);
        history.0[0] = version("c3c3c3c3c3", &[("Policy-Change", "material")]);
        let (entries, warnings) = entries_with(&history, None);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("commit c2c2c2c: Policy-Change: `minor`"),
            "{warnings:?}"
        );
        // The author's word beats the rule; an unknown one leaves the rule's.
        assert_eq!(entries[0].class, ChangeClass::Material);
        assert_eq!(entries[1].class, ChangeClass::Material);
    }

    /// Entries (newest first) with their standing on `today`.
    fn entries_on(versions: &[(Date, ChangeClass, Option<Date>)], today: Date) -> Vec<Entry> {
        let dated: Vec<Dated> = versions
            .iter()
            .map(|&(day, _, effective)| Dated { day, effective })
            .collect();
        let standings = standing::standings(&dated, today);
        versions
            .iter()
            .zip(standings)
            .map(|(&(day, class, effective), standing)| Entry {
                slug: day.to_string(),
                day,
                class,
                reason: String::new(),
                summary: String::new(),
                summary_by_author: false,
                comparison: None,
                effective,
                standing,
            })
            .collect()
    }

    fn notices_on(versions: &[(Date, ChangeClass, Option<Date>)], today: Date) -> Notices {
        notices(&entries_on(versions, today), today, 30)
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
        let versions = [
            (date(2026, 3, 1), ChangeClass::Material, None),
            (date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        assert_eq!(notices_on(&versions, date(2026, 3, 31)).material, [0]);
        assert!(notices_on(&versions, date(2026, 4, 1)).material.is_empty());
    }

    #[test]
    fn an_editorial_change_after_a_material_one_keeps_the_notice() {
        let versions = [
            (date(2026, 3, 10), ChangeClass::Editorial, None),
            (date(2026, 3, 1), ChangeClass::Material, None),
            (date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        let n = notices_on(&versions, date(2026, 3, 12));
        assert_eq!(n.material, [1]);
        assert_eq!(n.editorial, Some(0));
        assert!(!n.pending);
        // The cumulative redline starts before the announced change.
        assert_eq!(n.since, Some(2));
    }

    #[test]
    fn a_material_change_with_no_version_before_it_has_no_redline_to_start() {
        // Entries that end with a material change (a list cut short by its
        // caller): nothing older is there for the redline to start from.
        let versions = [
            (date(2026, 3, 5), ChangeClass::Editorial, None),
            (date(2026, 3, 2), ChangeClass::Material, None),
        ];
        let n = notices_on(&versions, date(2026, 3, 10));
        assert_eq!(n.material, [1]);
        assert_eq!(n.since, None);
    }

    #[test]
    fn two_pending_material_changes_are_both_announced_newest_first() {
        let versions = [
            (
                date(2026, 3, 5),
                ChangeClass::Material,
                Some(date(2026, 5, 1)),
            ),
            (
                date(2026, 3, 2),
                ChangeClass::Material,
                Some(date(2026, 4, 1)),
            ),
            (date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        let n = notices_on(&versions, date(2026, 3, 20));
        assert_eq!(n.material, [0, 1]);
        assert_eq!(n.in_force, Some(2));
        assert_eq!(n.since, Some(2));
        // The older one in force and within notice_days, the newer still
        // pending: both announced, the redline from before the older one.
        let april = notices_on(&versions, date(2026, 4, 1));
        assert_eq!(april.material, [0, 1]);
        assert_eq!(april.in_force, Some(1));
        assert_eq!(april.since, Some(2));
        // Past notice_days the older one is no longer announced; the
        // redline starts at the version in force.
        let later = notices_on(&versions, date(2026, 4, 10));
        assert_eq!(later.material, [0]);
        assert_eq!(later.since, Some(1));
    }

    #[test]
    fn a_future_effective_date_links_the_version_in_force() {
        let versions = [
            (
                date(2026, 3, 1),
                ChangeClass::Material,
                Some(date(2026, 6, 1)),
            ),
            (date(2026, 1, 1), ChangeClass::Initial, None),
        ];
        // Announced until it takes effect, even past notice_days.
        let n = notices_on(&versions, date(2026, 5, 20));
        assert_eq!(n.material, [0]);
        assert!(n.pending);
        assert_eq!(n.in_force, Some(1));
        let after = notices_on(&versions, date(2026, 6, 1));
        assert!(!after.pending);
        assert!(after.material.is_empty());
        assert_eq!(after.since, None);
    }
}
