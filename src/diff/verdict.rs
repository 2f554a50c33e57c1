//! The editorial rule's verdict on a change: its class and the reason,
//! shared by the rule (`editorial.rs`) and the unit-level fixes it reads.

/// The rule's verdict on a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub editorial: bool,
    /// Why, for people: `typo: recieve → receive (dictionary)`,
    /// `material: link target changed: … → …`.
    pub reason: String,
    /// The kind of difference that decided, in a few words
    /// (`link target changed`), for summaries.
    pub what: &'static str,
}

impl Verdict {
    pub(super) fn editorial(what: &'static str, reason: String) -> Self {
        Verdict {
            editorial: true,
            reason,
            what,
        }
    }

    pub(super) fn material(what: &'static str, detail: String) -> Self {
        // Summaries translate `what` by its key: each one must have one.
        debug_assert!(
            super::wording::ENGLISH
                .iter()
                .any(|(key, _)| *key == super::wording::what_key(what)),
            "`{what}` has no key in diff::wording::ENGLISH"
        );
        Verdict {
            editorial: false,
            reason: format!("material: {what}: {detail}"),
            what,
        }
    }
}
