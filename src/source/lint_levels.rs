//! The lints' ids and how loud each one is: built-in defaults, then the
//! `[check]` table of `redline.toml`, then a document's front matter
//! (`check: {allow: [...]}`), then `<!-- redline-allow: id -->` on one line.
//! Pure and free of the rest of the crate, so the config stage can hold a
//! resolved [`CheckConfig`] without importing the driver.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

/// How a finding of a lint is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; `redline check` still exits 0.
    Warn,
    /// Reported; `redline check` exits 1 and `build --check` refuses to build.
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Deny => "error",
        }
    }
}

/// Every lint, by its stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lint {
    HandTypedDate,
    StalePolicy,
    MaterialWithoutNotice,
    ShortNoticePeriod,
    CheckBackWording,
    BrokenLink,
    Unpublished,
    IgnoredVisibleChange,
    OutdatedTranslation,
    RequiredSections,
    SanitizedHtml,
}

impl Lint {
    pub const ALL: [Lint; 11] = [
        Lint::HandTypedDate,
        Lint::StalePolicy,
        Lint::MaterialWithoutNotice,
        Lint::ShortNoticePeriod,
        Lint::CheckBackWording,
        Lint::BrokenLink,
        Lint::Unpublished,
        Lint::IgnoredVisibleChange,
        Lint::OutdatedTranslation,
        Lint::RequiredSections,
        Lint::SanitizedHtml,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Lint::HandTypedDate => "hand-typed-date",
            Lint::StalePolicy => "stale-policy",
            Lint::MaterialWithoutNotice => "material-without-notice",
            Lint::ShortNoticePeriod => "short-notice-period",
            Lint::CheckBackWording => "check-back-wording",
            Lint::BrokenLink => "broken-link",
            Lint::Unpublished => "unpublished",
            Lint::IgnoredVisibleChange => "ignored-visible-change",
            Lint::OutdatedTranslation => "outdated-translation",
            Lint::RequiredSections => "required-sections",
            Lint::SanitizedHtml => "sanitized-html",
        }
    }

    /// One line on what the lint looks for (SARIF rule descriptions).
    pub fn description(self) -> &'static str {
        match self {
            Lint::HandTypedDate => {
                "A hand-typed last-updated or effective date that git and front matter contradict"
            }
            Lint::StalePolicy => "A policy with no new version for more than stale_months",
            Lint::MaterialWithoutNotice => {
                "A material change announced with only the generated summary"
            }
            Lint::ShortNoticePeriod => {
                "A material change taking effect less than min_notice_days after publication"
            }
            Lint::CheckBackWording => {
                "Wording that leaves spotting changes to the reader instead of notifying them"
            }
            Lint::BrokenLink => {
                "A link to a page, heading, version or asset the site does not have"
            }
            Lint::Unpublished => "A document with uncommitted changes",
            Lint::IgnoredVisibleChange => {
                "A commit in the ignore-revs file that changes what readers see"
            }
            Lint::OutdatedTranslation => {
                "A translation older than a material change of its source (reserved)"
            }
            Lint::RequiredSections => {
                "A document missing a heading [check.required_sections] asks for"
            }
            Lint::SanitizedHtml => "Raw HTML the sanitizer takes out, so readers never see it",
        }
    }

    /// The level without any configuration: what is wrong for certain and
    /// fixable before publishing is `deny`; what needs a person's judgement
    /// is `warn`; opt-in lints are `allow`.
    pub fn default_level(self) -> Level {
        match self {
            Lint::HandTypedDate | Lint::BrokenLink | Lint::IgnoredVisibleChange => Level::Deny,
            Lint::StalePolicy
            | Lint::MaterialWithoutNotice
            | Lint::ShortNoticePeriod
            | Lint::CheckBackWording
            | Lint::Unpublished
            | Lint::OutdatedTranslation
            | Lint::SanitizedHtml => Level::Warn,
            // Does nothing until `[check.required_sections]` lists headings;
            // listing them is the opt-in, so it then denies.
            Lint::RequiredSections => Level::Deny,
        }
    }

    pub fn from_id(id: &str) -> Option<Lint> {
        Lint::ALL.into_iter().find(|lint| lint.id() == id.trim())
    }
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The `[check]` table as written.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckFile {
    deny: Vec<String>,
    warn: Vec<String>,
    allow: Vec<String>,
    stale_months: u32,
    min_notice_days: Option<u32>,
    required_sections: BTreeMap<String, Vec<String>>,
}

impl Default for CheckFile {
    fn default() -> Self {
        CheckFile {
            deny: Vec::new(),
            warn: Vec::new(),
            allow: Vec::new(),
            stale_months: DEFAULT_STALE_MONTHS,
            min_notice_days: None,
            required_sections: BTreeMap::new(),
        }
    }
}

/// California asks for a privacy policy reviewed at least every 12 months.
pub const DEFAULT_STALE_MONTHS: u32 = 12;
/// The notice period most policies promise for material changes.
pub const DEFAULT_MIN_NOTICE_DAYS: u32 = 30;

/// The `[check]` table resolved: a level for every lint and the thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    pub levels: BTreeMap<Lint, Level>,
    pub stale_months: u32,
    /// The notice period a material change's effective date must give.
    pub min_notice_days: u32,
    /// `min_notice_days` was written in the config: a material change with
    /// no effective date then counts as taking effect when published.
    pub notice_days_required: bool,
    /// Glob (relative to the content folder) → headings it must contain.
    pub required_sections: Vec<(String, Vec<String>)>,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            levels: Levels::defaults().0,
            stale_months: DEFAULT_STALE_MONTHS,
            min_notice_days: DEFAULT_MIN_NOTICE_DAYS,
            notice_days_required: false,
            required_sections: Vec::new(),
        }
    }
}

impl CheckConfig {
    pub fn resolve(file: CheckFile) -> Result<CheckConfig> {
        let levels = Levels::defaults().with_lists(
            "redline.toml [check]",
            &file.allow,
            &file.warn,
            &file.deny,
        )?;
        for (glob, headings) in &file.required_sections {
            if let Err(err) = globset::Glob::new(glob) {
                bail!("redline.toml [check.required_sections]: `{glob}` is not a glob ({err})");
            }
            if headings.iter().any(|h| h.trim().is_empty()) {
                bail!("redline.toml [check.required_sections] `{glob}`: a heading is empty");
            }
        }
        Ok(CheckConfig {
            levels: levels.0,
            stale_months: file.stale_months,
            min_notice_days: file.min_notice_days.unwrap_or(DEFAULT_MIN_NOTICE_DAYS),
            notice_days_required: file.min_notice_days.is_some(),
            required_sections: file.required_sections.into_iter().collect(),
        })
    }

    pub fn level(&self, lint: Lint) -> Level {
        self.levels
            .get(&lint)
            .copied()
            .unwrap_or(lint.default_level())
    }
}

/// A level for every lint.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels(pub BTreeMap<Lint, Level>);

impl Levels {
    pub fn defaults() -> Levels {
        Levels(
            Lint::ALL
                .into_iter()
                .map(|lint| (lint, lint.default_level()))
                .collect(),
        )
    }

    /// These levels with `allow`, `warn` and `deny` lists applied; `where_`
    /// names the lists in the error about an unknown id.
    pub fn with_lists(
        mut self,
        where_: &str,
        allow: &[String],
        warn: &[String],
        deny: &[String],
    ) -> Result<Levels> {
        for (level, ids) in [
            (Level::Allow, allow),
            (Level::Warn, warn),
            (Level::Deny, deny),
        ] {
            for id in ids {
                let Some(lint) = Lint::from_id(id) else {
                    let known: Vec<&str> = Lint::ALL.iter().map(|l| l.id()).collect();
                    bail!(
                        "{where_}: `{id}` is not a lint; the lints are {}",
                        known.join(", ")
                    );
                };
                self.0.insert(lint, level);
            }
        }
        Ok(self)
    }

    pub fn get(&self, lint: Lint) -> Level {
        self.0.get(&lint).copied().unwrap_or(lint.default_level())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for lint in Lint::ALL {
            assert_eq!(Lint::from_id(lint.id()), Some(lint));
        }
        let mut ids: Vec<&str> = Lint::ALL.iter().map(|l| l.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), Lint::ALL.len());
    }

    #[test]
    fn config_lists_override_defaults_and_unknown_ids_are_named() {
        let file: CheckFile =
            toml::from_str("allow = [\"broken-link\"]\ndeny = [\"stale-policy\"]\n").unwrap();
        let config = CheckConfig::resolve(file).unwrap();
        assert_eq!(config.level(Lint::BrokenLink), Level::Allow);
        assert_eq!(config.level(Lint::StalePolicy), Level::Deny);
        assert_eq!(config.level(Lint::CheckBackWording), Level::Warn);
        let file: CheckFile = toml::from_str("warn = [\"broken-links\"]\n").unwrap();
        let err = CheckConfig::resolve(file).unwrap_err().to_string();
        assert!(err.contains("`broken-links` is not a lint"), "{err}");
    }
}
