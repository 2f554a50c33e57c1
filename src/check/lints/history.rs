//! Lints on a document's versions: `stale-policy` (no new version for
//! `stale_months`), and, for the material changes the site still announces
//! (published within `notice_days`, or not yet in force),
//! `material-without-notice` and `short-notice-period`. Older changes are
//! history no commit can fix, so they are left alone. Only the versions
//! judged are read back from git (each with the one before it), so the
//! cost does not grow with the length of history.

use anyhow::Result;
use git2::Repository;
use jiff::civil::Date;

use super::Subject;
use crate::check::finding::Finding;
use crate::diff::SummaryWords;
use crate::history::Version;
use crate::history::changes::{ChangeClass, NOTICE_TRAILER};
use crate::history::compared::Comparer;
use crate::history::timeline::{self, VersionText};
use crate::render::pages::version_date;
use crate::site::archive;
use crate::source::lint_levels::Lint;

pub fn stale(subject: &Subject<'_>) -> Vec<Finding> {
    let months = subject.config.check.stale_months;
    let Some(newest) = subject.history.versions.first() else {
        return Vec::new();
    };
    let day = version_date(newest, subject.config);
    let due = day.checked_add(jiff::Span::new().months(i64::from(months)));
    if due.is_ok_and(|due| due >= subject.config.today) {
        return Vec::new();
    }
    vec![Finding::document(
        Lint::StalePolicy,
        &subject.doc.display_path,
        format!(
            "this policy has not changed since {day}, more than {months} months ago (stale_months = {months})"
        ),
        "review it and commit what has changed (California asks for a privacy policy reviewed at least every 12 months); a commit with `Policy-Change: editorial` records a review that changed wording only".into(),
    )]
}

/// How many of the newest versions were published within `notice_days`
/// of `today`.
fn recent(subject: &Subject<'_>) -> usize {
    let config = subject.config;
    let window_start = config
        .today
        .checked_sub(jiff::Span::new().days(i64::from(config.notice_days)))
        .unwrap_or(Date::MIN);
    subject
        .history
        .versions
        .iter()
        .take_while(|v| version_date(v, config) >= window_start)
        .count()
}

pub fn notices(subject: &Subject<'_>, repo: Option<&Repository>) -> Result<Vec<Finding>> {
    let Some(repo) = repo else {
        return Ok(Vec::new());
    };
    let config = subject.config;
    let versions = &subject.history.versions;
    let recent = recent(subject);
    let Some(newest) = versions.first() else {
        return Ok(Vec::new());
    };
    // Nothing recent: the newest version is judged only while it is not in
    // force yet, which its own text tells without a diff.
    if recent == 0 {
        let text = archive::read_texts(
            repo,
            std::slice::from_ref(newest),
            config.markdown_options(),
        )?;
        let pending = text
            .first()
            .and_then(|t| t.effective)
            .is_some_and(|e| e > config.today);
        if !pending {
            return Ok(Vec::new());
        }
    }
    let judged = recent.max(1);
    // Each judged version with the one before it, for its class.
    let read = (judged + 1).min(versions.len());
    let texts = archive::read_texts(repo, &versions[..read], config.markdown_options())?;
    let days: Vec<Date> = versions[..read]
        .iter()
        .map(|v| version_date(v, config))
        .collect();
    let comparer = Comparer {
        store: None,
        options: config.markdown_options(),
    };
    // Findings are for the site's authors: the summary they quote is English.
    let english = SummaryWords::english();
    let (entries, _) = timeline::entries(
        &versions[..read],
        &texts,
        &days,
        config.today,
        &comparer,
        &english,
    );
    let mut findings = Vec::new();
    for index in 0..judged.min(read) {
        let entry = &entries[index];
        let announced = index < recent || entry.standing.applies_from > config.today;
        if entry.class != ChangeClass::Material || !announced {
            continue;
        }
        let version = &versions[index];
        let short = &version.commit[..7.min(version.commit.len())];
        let what = format!("the material change of {} ({short})", entry.day);
        if !has_notice(version, &texts[index], texts.get(index + 1)) {
            findings.push(Finding::document(
                Lint::MaterialWithoutNotice,
                &subject.doc.display_path,
                format!(
                    "{what} is announced with only the generated summary: \"{}\"",
                    entry.summary
                ),
                format!(
                    "say in a sentence what changes for readers: a `{NOTICE_TRAILER}:` trailer in the commit message, or `notice:` in front matter"
                ),
            ));
        }
        if let Some(finding) = short_notice(subject, &what, entry.day, texts[index].effective) {
            findings.push(finding);
        }
    }
    Ok(findings)
}

/// A `Notice:` trailer, or a front-matter `notice` new in this version.
fn has_notice(version: &Version, text: &VersionText, previous: Option<&VersionText>) -> bool {
    let trailer = version
        .trailers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case(NOTICE_TRAILER) && !v.trim().is_empty());
    let front = fresh(text.notice.as_deref())
        .is_some_and(|n| Some(n) != fresh(previous.and_then(|p| p.notice.as_deref())));
    trailer || front
}

fn fresh(notice: Option<&str>) -> Option<&str> {
    notice.map(str::trim).filter(|n| !n.is_empty())
}

fn short_notice(
    subject: &Subject<'_>,
    what: &str,
    published: Date,
    effective: Option<Date>,
) -> Option<Finding> {
    let check = &subject.config.check;
    let min = check.min_notice_days;
    let earliest = published
        .checked_add(jiff::Span::new().days(i64::from(min)))
        .ok()?;
    let message = match effective {
        Some(effective) if effective < earliest => {
            let days = published.until(effective).map_or(0, |span| span.get_days());
            format!(
                "{what} takes effect on {effective}, {days} days after it was published; min_notice_days is {min}"
            )
        }
        None if check.notice_days_required => format!(
            "{what} has no effective date, so it took effect when published; min_notice_days is {min}"
        ),
        _ => return None,
    };
    Some(Finding::document(
        Lint::ShortNoticePeriod,
        &subject.doc.display_path,
        message,
        format!("set `effective: {earliest}` (or later) in the front matter of the change"),
    ))
}
