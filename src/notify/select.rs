//! Which changes a run announces and how they are grouped into messages.
//! Pure: git and the ledger are asked beforehand and their answers passed in,
//! so every rule here is tested without a repository or a mail server.

use std::collections::HashSet;

use crate::changes::ChangeClass;
use crate::feeds::SiteChange;

/// From where on changes are announced, resolved against the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Changes in commits not reachable from a revision (`git log REV..`):
    /// these are the commits that are.
    Covered(HashSet<String>),
    /// Changes published at or after this moment (seconds since 1970).
    From(i64),
    /// First use: only the newest change (with any documents changed in the
    /// same commit).
    NewestOnly,
}

/// What `--since` was given as, before git is asked about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinceArg {
    Revision(String),
    Date(jiff::civil::Date),
    Moment(jiff::Timestamp),
}

impl SinceArg {
    /// `2026-03-01` and RFC 3339 moments are dates; anything else is a git
    /// revision (a commit id, tag or branch).
    pub fn parse(text: &str) -> SinceArg {
        let text = text.trim();
        if let Ok(moment) = text.parse::<jiff::Timestamp>() {
            return SinceArg::Moment(moment);
        }
        if text.len() == 10
            && let Ok(date) = text.parse::<jiff::civil::Date>()
        {
            return SinceArg::Date(date);
        }
        SinceArg::Revision(text.to_string())
    }
}

/// One change a notice announces: the key the ledger records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeKey {
    pub commit: String,
    /// The document's site-relative URL (`privacy/`).
    pub document: String,
}

impl ChangeKey {
    pub fn of(change: &SiteChange) -> ChangeKey {
        ChangeKey {
            commit: change.version.commit.clone(),
            document: change.document.url.clone(),
        }
    }
}

/// The changes worth a notice (material; editorial too when asked), newest
/// first as `changes` is, from the point `since` on; plus any change in
/// `unfinished` (a run that died half way), so its remaining recipients
/// still get it.
pub fn select(
    changes: &[SiteChange],
    since: &Since,
    include_editorial: bool,
    unfinished: &HashSet<ChangeKey>,
) -> Vec<SiteChange> {
    let wanted = |c: &&SiteChange| match c.version.change {
        ChangeClass::Material => true,
        ChangeClass::Editorial => include_editorial,
        ChangeClass::Initial => false,
    };
    let candidates: Vec<&SiteChange> = changes.iter().filter(wanted).collect();
    let newest_commit = candidates
        .iter()
        .max_by_key(|c| c.version.seconds)
        .map(|c| c.version.commit.clone());
    candidates
        .into_iter()
        .filter(|c| {
            unfinished.contains(&ChangeKey::of(c))
                || match since {
                    Since::Covered(commits) => !commits.contains(&c.version.commit),
                    Since::From(seconds) => c.version.seconds >= *seconds,
                    Since::NewestOnly => Some(&c.version.commit) == newest_commit.as_ref(),
                }
        })
        .cloned()
        .collect()
}

/// Splits the selected changes into notices, oldest first so mail arrives in
/// the order things happened. With `together`, documents changed in the same
/// commit share one notice.
pub fn group(mut changes: Vec<SiteChange>, together: bool) -> Vec<Vec<SiteChange>> {
    changes.sort_by(|a, b| {
        (a.version.seconds, &a.version.commit, &a.document.title).cmp(&(
            b.version.seconds,
            &b.version.commit,
            &b.document.title,
        ))
    });
    let mut notices: Vec<Vec<SiteChange>> = Vec::new();
    for change in changes {
        match notices.last_mut() {
            Some(last)
                if together
                    && last.first().map(|c| &c.version.commit) == Some(&change.version.commit) =>
            {
                last.push(change);
            }
            _ => notices.push(vec![change]),
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::testing::change;

    fn keys(changes: &[SiteChange]) -> Vec<(String, String)> {
        changes
            .iter()
            .map(|c| (c.version.commit.clone(), c.document.url.clone()))
            .collect()
    }

    fn history() -> Vec<SiteChange> {
        // Newest first, as site::changes returns them.
        vec![
            change("c3", "privacy/", ChangeClass::Material, 300),
            change("c3", "terms/", ChangeClass::Material, 300),
            change("c2", "privacy/", ChangeClass::Editorial, 200),
            change("c1", "privacy/", ChangeClass::Material, 100),
            change("c0", "privacy/", ChangeClass::Initial, 50),
        ]
    }

    #[test]
    fn since_text_is_a_date_a_moment_or_a_revision() {
        assert_eq!(
            SinceArg::parse("2026-03-01"),
            SinceArg::Date(jiff::civil::date(2026, 3, 1))
        );
        assert!(matches!(
            SinceArg::parse("2026-03-01T10:00:00+01:00"),
            SinceArg::Moment(_)
        ));
        assert_eq!(SinceArg::parse("v1.2"), SinceArg::Revision("v1.2".into()));
        assert_eq!(
            SinceArg::parse("abc1234"),
            SinceArg::Revision("abc1234".into())
        );
    }

    #[test]
    fn first_use_announces_the_newest_commit_only() {
        let picked = select(&history(), &Since::NewestOnly, false, &HashSet::new());
        assert_eq!(
            keys(&picked),
            [
                ("c3".into(), "privacy/".into()),
                ("c3".into(), "terms/".into())
            ]
        );
    }

    #[test]
    fn editorial_and_initial_changes_need_asking_or_never_come() {
        let all = Since::From(0);
        let material = select(&history(), &all, false, &HashSet::new());
        assert_eq!(material.len(), 3);
        let with_editorial = select(&history(), &all, true, &HashSet::new());
        assert_eq!(with_editorial.len(), 4);
        assert!(
            with_editorial
                .iter()
                .all(|c| c.version.change != ChangeClass::Initial)
        );
    }

    #[test]
    fn covered_commits_are_skipped_but_unfinished_changes_come_back() {
        let covered = Since::Covered(["c0", "c1", "c2", "c3"].map(String::from).into());
        assert!(select(&history(), &covered, false, &HashSet::new()).is_empty());
        let unfinished: HashSet<ChangeKey> = [ChangeKey {
            commit: "c3".into(),
            document: "terms/".into(),
        }]
        .into();
        let picked = select(&history(), &covered, false, &unfinished);
        assert_eq!(keys(&picked), [("c3".into(), "terms/".into())]);
    }

    #[test]
    fn grouping_puts_one_commits_documents_together_oldest_first() {
        let picked = select(&history(), &Since::From(0), false, &HashSet::new());
        let apart = group(picked.clone(), false);
        assert_eq!(apart.len(), 3);
        assert_eq!(apart[0][0].version.commit, "c1");
        let together = group(picked, true);
        assert_eq!(together.len(), 2);
        assert_eq!(keys(&together[1]).len(), 2);
    }
}
