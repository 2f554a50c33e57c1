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
        Verdict {
            editorial: false,
            reason: format!("material: {what}: {detail}"),
            what,
        }
    }
}
