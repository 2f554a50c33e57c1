//! Standing: which version of a document applies on which day, as of the
//! build's day. One model for every banner, table, notice, feed, email and
//! `versions.json`, so no two of them can disagree about the version in
//! force. Pure: days in, standings out.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Where a version stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Published, but its effective date is still ahead.
    #[serde(rename = "scheduled")]
    Scheduled,
    /// The text that applies today.
    #[serde(rename = "in force")]
    InForce,
    /// Replaced by a newer version that is in force.
    #[serde(rename = "superseded")]
    Superseded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "scheduled",
            Status::InForce => "in force",
            Status::Superseded => "superseded",
        }
    }
}

/// A version's status and the days it applies between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// Its effective date; its own day when it has none, or when the stated
    /// date is older than the version (a text cannot apply before it exists).
    pub applies_from: Date,
    /// The day the version that replaced it starts to apply; None while no
    /// newer version exists.
    pub applies_until: Option<Date>,
}

/// When a version was published and the effective date it states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub day: Date,
    pub effective: Option<Date>,
}

impl Dated {
    fn starts(self) -> Date {
        self.effective.map_or(self.day, |e| e.max(self.day))
    }
}

/// The standing of every version (newest first, as history gives them) on
/// `today`. The version in force is the newest one already applying; newer
/// ones are scheduled, older ones superseded. A version that a newer one
/// replaces no later than its own first day never applies on its own: it
/// is superseded even while its date is ahead (an editorial fix to a
/// scheduled change takes the change's place).
pub fn standings(versions: &[Dated], today: Date) -> Vec<Standing> {
    let in_force = versions.iter().position(|v| v.starts() <= today);
    versions
        .iter()
        .enumerate()
        .map(|(index, version)| {
            let applies_from = version.starts();
            // The first day any newer version applies: a newer one may take
            // effect before the one just above it.
            let applies_until = versions[..index]
                .iter()
                .map(|newer| newer.starts())
                .min()
                .map(|starts| starts.max(applies_from));
            let replaced_at_once = applies_until.is_some_and(|until| until <= applies_from);
            let status = match in_force {
                Some(current) if index == current => Status::InForce,
                Some(current) if index > current => Status::Superseded,
                _ if replaced_at_once => Status::Superseded,
                _ => Status::Scheduled,
            };
            Standing {
                status,
                applies_from,
                applies_until,
            }
        })
        .collect()
}

/// The index of the version in force, if any is yet.
pub fn in_force(standings: &[Standing]) -> Option<usize> {
    standings.iter().position(|s| s.status == Status::InForce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn dated(day: Date, effective: Option<Date>) -> Dated {
        Dated { day, effective }
    }

    fn statuses(standings: &[Standing]) -> Vec<Status> {
        standings.iter().map(|s| s.status).collect()
    }

    #[test]
    fn a_scheduled_version_leaves_the_previous_one_in_force_until_its_date() {
        let versions = [
            dated(date(2026, 11, 28), Some(date(2026, 12, 15))),
            dated(date(2026, 11, 1), None),
        ];
        let before = standings(&versions, date(2026, 12, 14));
        assert_eq!(
            statuses(&before),
            [Status::Scheduled, Status::InForce],
            "the linked version in force is never called superseded"
        );
        assert_eq!(before[1].applies_from, date(2026, 11, 1));
        assert_eq!(before[1].applies_until, Some(date(2026, 12, 15)));
        assert_eq!(before[0].applies_from, date(2026, 12, 15));
        assert_eq!(before[0].applies_until, None);
        let on_the_day = standings(&versions, date(2026, 12, 15));
        assert_eq!(statuses(&on_the_day), [Status::InForce, Status::Superseded]);
    }

    #[test]
    fn without_effective_dates_each_version_applies_from_its_own_day() {
        let versions = [
            dated(date(2026, 3, 10), None),
            dated(date(2026, 3, 10), None),
            dated(date(2026, 3, 1), None),
        ];
        let s = standings(&versions, date(2026, 3, 10));
        assert_eq!(
            statuses(&s),
            [Status::InForce, Status::Superseded, Status::Superseded]
        );
        assert_eq!(s[2].applies_until, Some(date(2026, 3, 10)));
        assert_eq!(s[1].applies_from, date(2026, 3, 10));
        assert_eq!(in_force(&s), Some(0));
    }

    #[test]
    fn two_scheduled_versions_each_wait_for_their_own_date() {
        let versions = [
            dated(date(2026, 3, 5), Some(date(2026, 5, 1))),
            dated(date(2026, 3, 2), Some(date(2026, 4, 1))),
            dated(date(2026, 1, 1), None),
        ];
        let s = standings(&versions, date(2026, 3, 20));
        assert_eq!(
            statuses(&s),
            [Status::Scheduled, Status::Scheduled, Status::InForce]
        );
        assert_eq!(s[1].applies_until, Some(date(2026, 5, 1)));
        let april = standings(&versions, date(2026, 4, 10));
        assert_eq!(
            statuses(&april),
            [Status::Scheduled, Status::InForce, Status::Superseded]
        );
    }

    #[test]
    fn a_stale_effective_date_does_not_predate_the_version() {
        let versions = [
            dated(date(2026, 6, 1), Some(date(2026, 1, 1))),
            dated(date(2026, 1, 1), Some(date(2026, 1, 1))),
        ];
        let s = standings(&versions, date(2026, 6, 2));
        assert_eq!(s[0].applies_from, date(2026, 6, 1));
        assert_eq!(s[1].applies_until, Some(date(2026, 6, 1)));
    }

    #[test]
    fn a_scheduled_change_fixed_before_its_date_is_replaced_by_the_fix() {
        let versions = [
            dated(date(2026, 3, 12), Some(date(2026, 4, 1))),
            dated(date(2026, 3, 10), Some(date(2026, 4, 1))),
            dated(date(2026, 3, 2), None),
        ];
        let s = standings(&versions, date(2026, 3, 20));
        assert_eq!(
            statuses(&s),
            [Status::Scheduled, Status::Superseded, Status::InForce]
        );
        assert_eq!(s[2].applies_until, Some(date(2026, 4, 1)));
        assert_eq!(in_force(&s), Some(2));
    }

    #[test]
    fn nothing_is_in_force_before_the_first_effective_date() {
        let versions = [dated(date(2026, 3, 2), Some(date(2026, 4, 1)))];
        let s = standings(&versions, date(2026, 3, 20));
        assert_eq!(statuses(&s), [Status::Scheduled]);
        assert_eq!(in_force(&s), None);
    }

    #[test]
    fn a_version_replaced_before_its_date_is_superseded_and_applied_for_no_day() {
        // Scheduled for May, then replaced by a text that applies at once.
        let versions = [
            dated(date(2026, 3, 5), None),
            dated(date(2026, 3, 2), Some(date(2026, 5, 1))),
            dated(date(2026, 1, 1), None),
        ];
        let s = standings(&versions, date(2026, 3, 20));
        assert_eq!(
            statuses(&s),
            [Status::InForce, Status::Superseded, Status::Superseded]
        );
        assert_eq!(s[1].applies_until, Some(s[1].applies_from));
    }

    #[test]
    fn a_version_applies_until_the_first_newer_one_takes_effect() {
        // Newest first: published Mar 12 for Apr 1, Mar 10 for Apr 15, Mar 1.
        let versions = [
            dated(date(2026, 3, 12), Some(date(2026, 4, 1))),
            dated(date(2026, 3, 10), Some(date(2026, 4, 15))),
            dated(date(2026, 3, 1), None),
        ];
        let standings = standings(&versions, date(2026, 3, 20));
        assert_eq!(standings[2].status, Status::InForce);
        assert_eq!(standings[2].applies_until, Some(date(2026, 4, 1)));
        assert_eq!(standings[1].status, Status::Superseded);
    }
}
