//! A change's class (`initial`, `editorial`, `material`) and its human
//! summary, decided from the diff, the commit's trailers and front matter.
//! Authors have the last word: the `Policy-Change:` trailer beats the
//! default rule and the `Notice:` trailer beats every other summary.

use serde::{Deserialize, Serialize};

use crate::diff::{self, SectionChange, SummaryWords};

/// How much a change matters to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeClass {
    /// The first version.
    Initial,
    /// Wording that changes nothing a reader relies on.
    Editorial,
    /// Everything else: announced prominently and by email.
    Material,
}

impl ChangeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::Initial => "initial",
            ChangeClass::Editorial => "editorial",
            ChangeClass::Material => "material",
        }
    }
}

/// The trailer that states a change's class.
pub const CLASS_TRAILER: &str = "Policy-Change";
/// The trailer that states a change's summary for readers.
pub const NOTICE_TRAILER: &str = "Notice";

/// The class of a change. `first` marks a document's first version, which is
/// always `initial`; otherwise a valid `Policy-Change` trailer wins over the
/// default rule. An unknown trailer value comes back as a warning.
pub fn classify(
    trailers: &[(String, String)],
    first: bool,
    editorial_by_rule: bool,
) -> (ChangeClass, Option<String>) {
    if first {
        return (ChangeClass::Initial, None);
    }
    let by_rule = if editorial_by_rule {
        ChangeClass::Editorial
    } else {
        ChangeClass::Material
    };
    let Some(stated) = trailer(trailers, CLASS_TRAILER).last() else {
        return (by_rule, None);
    };
    match stated.to_ascii_lowercase().as_str() {
        "editorial" => (ChangeClass::Editorial, None),
        "material" => (ChangeClass::Material, None),
        _ => (
            by_rule,
            Some(format!(
                "{CLASS_TRAILER}: `{stated}` is neither `editorial` nor `material`; the default rule called it {}",
                by_rule.as_str()
            )),
        ),
    }
}

/// Why a change has its class, for `redline log -v`: the first version, the
/// author's trailer, or the default rule's reason.
pub fn reason(trailers: &[(String, String)], first: bool, rule: Option<&str>) -> String {
    if first {
        return "initial: the first version".to_string();
    }
    let stated = trailer(trailers, CLASS_TRAILER)
        .last()
        .filter(|s| matches!(s.to_ascii_lowercase().as_str(), "editorial" | "material"));
    match (stated, rule) {
        (Some(stated), Some(rule)) => {
            format!("stated in the commit ({CLASS_TRAILER}: {stated}); the rule: {rule}")
        }
        (Some(stated), None) => format!("stated in the commit ({CLASS_TRAILER}: {stated})"),
        (None, Some(rule)) => rule.to_string(),
        (None, None) => String::new(),
    }
}

/// The summary an author wrote, if any: the `Notice:` trailer(s), else the
/// front matter `notice:` when it differs from the previous version's (a
/// stale summary is never repeated). Without one, readers see
/// [`generated_summary`].
pub fn authored_summary(
    trailers: &[(String, String)],
    notice: Option<&str>,
    previous_notice: Option<&str>,
) -> Option<String> {
    let stated: Vec<&str> = trailer(trailers, NOTICE_TRAILER)
        .filter(|t| !t.is_empty())
        .collect();
    if !stated.is_empty() {
        return Some(stated.join(" "));
    }
    notice
        .map(str::trim)
        .filter(|n| !n.is_empty() && Some(*n) != previous_notice.map(str::trim))
        .map(str::to_string)
}

/// The summary made from the redline's sections (None: the first version),
/// in `wording`'s language.
pub fn generated_summary(sections: Option<&[SectionChange]>, wording: &SummaryWords) -> String {
    match sections {
        Some(sections) => diff::describe(sections, wording),
        None => wording.text("summary_first_published").to_string(),
    }
}

/// The values of trailer `key` (case-insensitive), in message order.
fn trailer<'a>(trailers: &'a [(String, String)], key: &'a str) -> impl Iterator<Item = &'a str> {
    trailers
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trailers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_first_version_is_initial_whatever_the_trailer_says() {
        let t = trailers(&[("Policy-Change", "material")]);
        assert_eq!(classify(&t, true, false), (ChangeClass::Initial, None));
    }

    #[test]
    fn without_a_trailer_the_rule_decides() {
        assert_eq!(classify(&[], false, true).0, ChangeClass::Editorial);
        assert_eq!(classify(&[], false, false).0, ChangeClass::Material);
    }

    #[test]
    fn the_trailer_wins_over_the_rule_both_ways() {
        let material = trailers(&[("policy-change", "Material")]);
        assert_eq!(classify(&material, false, true).0, ChangeClass::Material);
        let editorial = trailers(&[("Policy-Change", "editorial")]);
        assert_eq!(classify(&editorial, false, false).0, ChangeClass::Editorial);
    }

    #[test]
    fn an_unknown_class_falls_back_to_the_rule_with_a_warning() {
        let t = trailers(&[("Policy-Change", "major")]);
        let (class, warning) = classify(&t, false, true);
        assert_eq!(class, ChangeClass::Editorial);
        let warning = warning.expect("a warning");
        assert!(warning.contains("`major`"), "{warning}");
    }

    #[test]
    fn the_reason_names_who_decided() {
        let rule = "typo: recieve → receive (dictionary)";
        assert_eq!(reason(&[], true, None), "initial: the first version");
        assert_eq!(reason(&[], false, Some(rule)), rule);
        let stated = trailers(&[("Policy-Change", "material")]);
        assert_eq!(
            reason(&stated, false, Some(rule)),
            "stated in the commit (Policy-Change: material); the rule: typo: recieve → receive (dictionary)"
        );
        // An unknown value is not a statement: the rule decided.
        let unknown = trailers(&[("Policy-Change", "minor")]);
        assert_eq!(reason(&unknown, false, Some(rule)), rule);
    }

    #[test]
    fn the_notice_trailer_beats_front_matter_and_the_generated_summary() {
        let t = trailers(&[("Notice", "We now keep prompts for 30 days.")]);
        let s = authored_summary(&t, Some("Front matter notice"), None);
        assert_eq!(s.as_deref(), Some("We now keep prompts for 30 days."));
    }

    #[test]
    fn a_front_matter_notice_is_used_once_then_ignored() {
        let fresh = authored_summary(&[], Some("New retention rules."), Some("Old"));
        assert_eq!(fresh.as_deref(), Some("New retention rules."));
        let stale = authored_summary(
            &[],
            Some("New retention rules."),
            Some("New retention rules."),
        );
        assert_eq!(stale, None);
        assert_eq!(authored_summary(&[], Some("  "), None), None);
    }

    #[test]
    fn a_generated_summary_speaks_the_wording_given() {
        let english = SummaryWords::english();
        assert_eq!(generated_summary(None, &english), "First published.");
        assert_eq!(
            generated_summary(Some(&[]), &english),
            "No changes to the wording."
        );
        let table = [("summary_first_published", "Erstmals veröffentlicht.")];
        let german = SummaryWords::new(
            |key| table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v),
            None,
        );
        assert_eq!(generated_summary(None, &german), "Erstmals veröffentlicht.");
    }
}
