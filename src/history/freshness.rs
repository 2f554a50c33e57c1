//! Whether a translation is current: it is when its newest version is at
//! least as new as its source's newest material version (the same commit,
//! as when one merge brings both, counts), or when its front matter pins
//! (`translation_of_version`) a source version at least that new.
//! Editorial source changes never make a translation outdated. Pure: the
//! two documents' versions in, a verdict out.

use jiff::civil::Date;

/// What the verdict needs of a version (newest first in every slice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point<'a> {
    pub commit: &'a str,
    /// When it landed on the published branch.
    pub seconds: i64,
    /// Its day in the site's zone.
    pub day: Date,
    /// An initial or material change.
    pub material: bool,
}

/// A translation's standing against its source; indexes are into the
/// source's versions, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outdated: bool,
    /// The source's newest material version.
    pub changed: Option<usize>,
    /// The source version the translation was made from: the pinned one,
    /// else the newest no newer than the translation's newest version.
    pub translated: Option<usize>,
}

/// Judges a translation whose newest version is `translation` against its
/// `source`'s versions; `pin` is `translation_of_version` (a commit, at
/// least 7 hex digits, or a `YYYY-MM-DD` day). A pin that names no source
/// version is an error saying why.
pub fn judge(
    source: &[Point<'_>],
    translation: Option<&Point<'_>>,
    pin: Option<&str>,
) -> Result<Verdict, String> {
    let changed = source.iter().position(|v| v.material);
    let translated = match pin {
        Some(pin) => Some(pinned(source, pin)?),
        None => translation.and_then(|newest| {
            source
                .iter()
                .position(|v| v.commit == newest.commit || v.seconds <= newest.seconds)
        }),
    };
    let outdated = match (changed, pin, translation) {
        (None, _, _) => false,
        // Not committed yet: nothing to compare.
        (Some(_), None, None) => false,
        (Some(changed), Some(_), _) => translated.is_none_or(|at| at > changed),
        (Some(changed), None, Some(newest)) => {
            let material = &source[changed];
            !(material.commit == newest.commit || newest.seconds >= material.seconds)
        }
    };
    Ok(Verdict {
        outdated,
        changed,
        translated,
    })
}

/// The source version `pin` names: the one whose commit starts with it, or
/// the newest published on or before its day.
fn pinned(source: &[Point<'_>], pin: &str) -> Result<usize, String> {
    if let Ok(day) = pin.parse::<Date>() {
        return source
            .iter()
            .position(|v| v.day <= day)
            .ok_or_else(|| format!("the source has no version published on or before {day}"));
    }
    let hex = pin.len() >= 7 && pin.chars().all(|c| c.is_ascii_hexdigit());
    if !hex {
        return Err(format!(
            "`{pin}` is neither a commit (7 to 40 hex digits) nor a day (YYYY-MM-DD)"
        ));
    }
    let pin = pin.to_ascii_lowercase();
    source
        .iter()
        .position(|v| v.commit.starts_with(&pin))
        .ok_or_else(|| {
            format!(
                "commit {pin} made no version of the source; name one of its versions (`redline log` lists them) or a day"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(commit: &'static str, day: i8, material: bool) -> Point<'static> {
        Point {
            commit,
            seconds: i64::from(day) * 86_400,
            day: jiff::civil::date(2026, 3, day),
            material,
        }
    }

    #[test]
    fn a_translation_is_current_until_its_source_changes_materially_after_it() {
        // Source: initial on the 1st, editorial on the 5th, material on the 9th.
        let source = [
            point("ccc9999", 9, true),
            point("bbb5555", 5, false),
            point("aaa1111", 1, true),
        ];
        let judge_at = |newest: Point<'static>| judge(&source, Some(&newest), None).unwrap();
        // Made in the same merge as the material change.
        let same = judge_at(point("ccc9999", 9, true));
        assert!(!same.outdated);
        assert_eq!(same.translated, Some(0));
        // Made on the 6th: after the editorial change, before the material one.
        let behind = judge_at(point("ddd6666", 6, true));
        assert!(behind.outdated);
        assert_eq!((behind.changed, behind.translated), (Some(0), Some(1)));
        // Made after the material change.
        assert!(!judge_at(point("eee", 10, true)).outdated);
        // An editorial change after the translation leaves it current.
        let editorial_last = [point("bbb5555", 5, false), point("aaa1111", 1, true)];
        let verdict = judge(&editorial_last, Some(&point("x", 2, true)), None).unwrap();
        assert!(!verdict.outdated);
        assert_eq!(verdict.changed, Some(1));
    }

    #[test]
    fn a_pin_names_the_source_version_by_commit_or_day() {
        let source = [point("ccc9999", 9, true), point("aaa1111", 1, true)];
        // Committed last, but pinned to the older source version.
        let newest = point("fff", 20, true);
        let old = judge(&source, Some(&newest), Some("aaa1111")).unwrap();
        assert!(old.outdated);
        assert_eq!(old.translated, Some(1));
        assert!(
            !judge(&source, Some(&newest), Some("CCC9999"))
                .unwrap()
                .outdated
        );
        assert!(
            !judge(&source, Some(&newest), Some("2026-03-09"))
                .unwrap()
                .outdated
        );
        assert!(
            judge(&source, Some(&newest), Some("2026-03-08"))
                .unwrap()
                .outdated
        );
        let err = judge(&source, Some(&newest), Some("2026-02-01")).unwrap_err();
        assert!(err.contains("on or before 2026-02-01"), "{err}");
        let err = judge(&source, Some(&newest), Some("1234567")).unwrap_err();
        assert!(err.contains("made no version"), "{err}");
        assert!(judge(&source, Some(&newest), Some("latest")).is_err());
    }
}
