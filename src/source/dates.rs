//! Dates as readers see them: an ISO day for machines (`2026-03-03`) and a
//! human one in the site's format (`March 3, 2026`, `3. März 2026`), in the
//! site's time zone.

use anyhow::Context as _;
use std::sync::Arc;

use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::YMD;
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

/// How a language writes a day for people.
#[derive(Clone)]
pub enum DateFormat {
    /// A strftime pattern the config set (and checked at load).
    Pattern(String),
    /// The language's own long date from CLDR: month names and order
    /// (`3. März 2026`, `3 mars 2026`, `2026年3月3日`).
    Cldr {
        code: String,
        formatter: Arc<FixedCalendarDateTimeFormatter<Gregorian, YMD>>,
    },
}

impl DateFormat {
    /// The CLDR long date of `locale` (a checked BCP 47 code); CLDR falls
    /// back to the nearest language it has (and at last to its root).
    pub fn cldr(locale: &icu_locale_core::Locale) -> Option<DateFormat> {
        let formatter =
            FixedCalendarDateTimeFormatter::try_new(locale.clone().into(), YMD::long()).ok()?;
        Some(DateFormat::Cldr {
            code: locale.to_string(),
            formatter: Arc::new(formatter),
        })
    }
}

// Shown in cache keys: what decides the output, not the formatter's data.
impl std::fmt::Debug for DateFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateFormat::Pattern(pattern) => write!(f, "Pattern({pattern:?})"),
            DateFormat::Cldr { code, .. } => write!(f, "Cldr({code:?})"),
        }
    }
}

/// Formats `date` for people in `format`.
pub fn day(date: Date, format: &DateFormat) -> Day {
    let human = match format {
        DateFormat::Pattern(pattern) => jiff::fmt::strtime::format(pattern, date).ok(),
        DateFormat::Cldr { formatter, .. } => icu_calendar::Date::try_new_gregorian(
            date.year().into(),
            date.month() as u8,
            date.day() as u8,
        )
        .ok()
        .map(|gregorian| formatter.format(&gregorian).to_string()),
    };
    Day {
        iso: date.to_string(),
        human: human.unwrap_or_else(|| date.to_string()),
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

/// Checks a strftime `format` once, at load, so formatting never fails.
pub fn check_date_format(format: &str) -> anyhow::Result<()> {
    let probe = jiff::civil::date(2026, 3, 3);
    jiff::fmt::strtime::format(format, probe)
        .map(|_| ())
        .with_context(|| {
            format!(
                "{}: date_format `{format}` is not a valid strftime format",
                crate::source::paths::CONFIG_FILE
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_date_format_is_rejected() {
        assert!(check_date_format("%B %-d, %Y").is_ok());
        assert!(check_date_format("%Q").is_err());
    }

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
        let pattern = DateFormat::Pattern("%B %-d, %Y".into());
        assert_eq!(
            day(jiff::civil::date(2026, 3, 3), &pattern).human,
            "March 3, 2026"
        );
    }

    #[test]
    fn cldr_dates_use_each_language_s_month_names_and_order() {
        let human = |code: &str| {
            let locale: icu_locale_core::Locale = code.parse().expect("a valid code");
            let format = DateFormat::cldr(&locale).expect("CLDR has dates");
            day(jiff::civil::date(2026, 3, 3), &format).human
        };
        assert_eq!(human("en"), "March 3, 2026");
        assert_eq!(human("de"), "3. März 2026");
        assert_eq!(human("fr"), "3 mars 2026");
        assert_eq!(human("es"), "3 de marzo de 2026");
        assert_eq!(human("ja"), "2026年3月3日");
        assert_eq!(human("en-GB"), "3 March 2026");
    }
}
