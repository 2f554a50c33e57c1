//! Dates as readers see them: an ISO day for machines (`2026-03-03`) and a
//! human one in the site's format (`March 3, 2026`), in the site's time zone.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};
use serde::Serialize;

/// A day, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub iso: String,
    pub human: String,
}

/// Formats `date` with a strftime `format` already checked by the config.
pub fn day(date: Date, format: &str) -> Day {
    Day {
        iso: date.to_string(),
        human: jiff::fmt::strtime::format(format, date).unwrap_or_else(|_| date.to_string()),
    }
}

/// The moment of a commit in the site's zone, or in the commit's own offset
/// when the site sets none, so a commit at 23:30 −07:00 keeps its own day.
pub fn zoned(seconds: i64, offset_minutes: i32, site_zone: Option<&TimeZone>) -> Zoned {
    let timestamp = Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH);
    let zone = match site_zone {
        Some(zone) => zone.clone(),
        None => Offset::from_seconds(offset_minutes.saturating_mul(60))
            .map(TimeZone::fixed)
            .unwrap_or(TimeZone::UTC),
    };
    timestamp.to_zoned_datetime(zone)
}

/// RFC 3339 with the numeric offset (`2026-03-03T10:00:00+01:00`).
pub fn rfc3339(zoned: &Zoned) -> String {
    jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%S%:z", zoned)
        .unwrap_or_else(|_| zoned.timestamp().to_string())
}

/// The time of day (`14:05`), as lists tell same-day versions apart.
pub fn time_of_day(zoned: &Zoned) -> String {
    jiff::fmt::strtime::format("%H:%M", zoned).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_offset_keeps_its_own_day() {
        // 2026-03-04T06:30:00Z is 23:30 on March 3 at -07:00.
        let z = zoned(1_772_605_800, -7 * 60, None);
        assert_eq!(z.date(), jiff::civil::date(2026, 3, 3));
        assert_eq!(rfc3339(&z), "2026-03-03T23:30:00-07:00");
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            zoned(1_772_605_800, -7 * 60, Some(&berlin)).date(),
            jiff::civil::date(2026, 3, 4)
        );
    }

    #[test]
    fn human_format() {
        assert_eq!(
            day(jiff::civil::date(2026, 3, 3), "%B %-d, %Y").human,
            "March 3, 2026"
        );
    }
}
