//! Which changes a run announces, who is due each, and how they are grouped
//! into messages.
//! Pure: git and the ledger are asked beforehand and their answers passed in,
//! so every rule here is tested without a repository or a mail server.

use std::collections::HashSet;

use crate::history::changes::ChangeClass;
use crate::site::feeds::SiteChange;

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
    /// The document's id with a trailing `/` (`privacy/`): its first
    /// site-relative URL, so a moved document keeps its ledger entries.
    pub document: String,
}

impl ChangeKey {
    pub fn of(change: &SiteChange) -> ChangeKey {
        ChangeKey {
            commit: change.version.commit.clone(),
            document: change.document.key(),
        }
    }
}

/// The changes a run looks at, newest first as `changes` is: those worth
/// a notice (material; editorial too when asked) from the point `since` on,
/// which go to everyone, and any change in `owed` (an unfinished run's, or
/// a rejected one being retried), which goes only to whom it is owed.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub changes: Vec<SiteChange>,
    /// The changes `since` selects, for everyone in the recipients file.
    pub for_everyone: HashSet<ChangeKey>,
}

pub fn select(
    changes: &[SiteChange],
    since: &Since,
    include_editorial: bool,
    owed: &HashSet<ChangeKey>,
) -> Selection {
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
    let for_everyone: HashSet<ChangeKey> = candidates
        .into_iter()
        .filter(|c| match since {
            Since::Covered(commits) => !commits.contains(&c.version.commit),
            Since::From(seconds) => c.version.seconds >= *seconds,
            Since::NewestOnly => Some(&c.version.commit) == newest_commit.as_ref(),
        })
        .map(ChangeKey::of)
        .collect();
    let changes = changes
        .iter()
        .filter(|c| {
            let key = ChangeKey::of(c);
            for_everyone.contains(&key) || owed.contains(&key)
        })
        .cloned()
        .collect();
    Selection {
        changes,
        for_everyone,
    }
}

/// What one recipient is due of one selected change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    /// Send it.
    Send,
    /// The ledger says it was delivered.
    Delivered,
    /// The server refused it for good earlier, and no one asked to retry.
    Rejected,
    /// Not theirs: an old change owed only to others (they were added to
    /// the recipients file after it went out).
    NotTheirs,
}

/// Who is due what, from the selection and the ledger.
#[derive(Debug, Clone, Default)]
pub struct Audience {
    pub for_everyone: HashSet<ChangeKey>,
    /// (change, recipient) pairs earlier runs owe: what an unfinished run
    /// had left, and, with `--retry-failed`, what a server refused.
    pub owed: HashSet<(ChangeKey, String)>,
    pub delivered: HashSet<(ChangeKey, String)>,
    /// Refused for good and not to be retried.
    pub rejected: HashSet<(ChangeKey, String)>,
}

/// What one recipient gets of one notice.
#[derive(Debug, Clone)]
pub enum Share {
    /// A message with these of the notice's changes.
    Send(Vec<SiteChange>),
    /// Nothing: the server refused this change for good before.
    Refused(ChangeKey),
    /// Nothing: the ledger says it was delivered.
    AlreadySent,
    /// Nothing: none of it is theirs.
    Nothing,
}

impl Audience {
    /// What `recipient` gets of `notice`.
    pub fn share(&self, notice: &[SiteChange], recipient: &str) -> Share {
        let due: Vec<(&SiteChange, Due)> = notice
            .iter()
            .map(|c| (c, self.due(&ChangeKey::of(c), recipient)))
            .collect();
        let send: Vec<SiteChange> = due
            .iter()
            .filter(|(_, due)| *due == Due::Send)
            .map(|(c, _)| (*c).clone())
            .collect();
        if !send.is_empty() {
            return Share::Send(send);
        }
        if let Some((refused, _)) = due.iter().find(|(_, due)| *due == Due::Rejected) {
            return Share::Refused(ChangeKey::of(refused));
        }
        if due.iter().any(|(_, due)| *due == Due::Delivered) {
            Share::AlreadySent
        } else {
            Share::Nothing
        }
    }

    fn due(&self, change: &ChangeKey, recipient: &str) -> Due {
        let pair = (change.clone(), recipient.to_string());
        if self.delivered.contains(&pair) {
            Due::Delivered
        } else if self.rejected.contains(&pair) {
            Due::Rejected
        } else if self.for_everyone.contains(change) || self.owed.contains(&pair) {
            Due::Send
        } else {
            Due::NotTheirs
        }
    }
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
        let picked = select(&history(), &Since::NewestOnly, false, &HashSet::new()).changes;
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
        let material = select(&history(), &all, false, &HashSet::new()).changes;
        assert_eq!(material.len(), 3);
        let with_editorial = select(&history(), &all, true, &HashSet::new()).changes;
        assert_eq!(with_editorial.len(), 4);
        assert!(
            with_editorial
                .iter()
                .all(|c| c.version.change != ChangeClass::Initial)
        );
    }

    #[test]
    fn covered_commits_are_skipped_but_owed_changes_come_back_for_their_recipients_only() {
        let covered = Since::Covered(["c0", "c1", "c2", "c3"].map(String::from).into());
        assert!(
            select(&history(), &covered, false, &HashSet::new())
                .changes
                .is_empty()
        );
        let terms = ChangeKey {
            commit: "c3".into(),
            document: "terms/".into(),
        };
        let picked = select(&history(), &covered, false, &[terms.clone()].into());
        assert_eq!(keys(&picked.changes), [("c3".into(), "terms/".into())]);
        assert!(picked.for_everyone.is_empty());
        let audience = Audience {
            for_everyone: picked.for_everyone,
            owed: [(terms.clone(), "alice".to_string())].into(),
            ..Audience::default()
        };
        assert_eq!(audience.due(&terms, "alice"), Due::Send);
        assert_eq!(audience.due(&terms, "newcomer"), Due::NotTheirs);
    }

    #[test]
    fn delivered_and_rejected_pairs_are_not_sent_again() {
        let picked = select(&history(), &Since::NewestOnly, false, &HashSet::new());
        let privacy = ChangeKey::of(&picked.changes[0]);
        let audience = Audience {
            for_everyone: picked.for_everyone,
            delivered: [(privacy.clone(), "alice".to_string())].into(),
            rejected: [(privacy.clone(), "bob".to_string())].into(),
            ..Audience::default()
        };
        assert_eq!(audience.due(&privacy, "alice"), Due::Delivered);
        assert_eq!(audience.due(&privacy, "bob"), Due::Rejected);
        assert_eq!(audience.due(&privacy, "carol"), Due::Send);

        // In one notice with terms, alice gets terms alone and bob nothing.
        let notice = &picked.changes[..];
        let Share::Send(alice) = audience.share(notice, "alice") else {
            panic!("alice is due terms");
        };
        assert_eq!(keys(&alice), [("c3".into(), "terms/".into())]);
        let audience = Audience {
            for_everyone: [privacy.clone()].into(),
            ..audience
        };
        assert!(matches!(
            audience.share(notice, "alice"),
            Share::AlreadySent
        ));
        assert!(matches!(audience.share(notice, "bob"), Share::Refused(key) if key == privacy));
        assert!(matches!(
            audience.share(&notice[1..], "dan"),
            Share::Nothing
        ));
    }

    #[test]
    fn grouping_puts_one_commits_documents_together_oldest_first() {
        let picked = select(&history(), &Since::From(0), false, &HashSet::new()).changes;
        let apart = group(picked.clone(), false);
        assert_eq!(apart.len(), 3);
        assert_eq!(apart[0][0].version.commit, "c1");
        let together = group(picked, true);
        assert_eq!(together.len(), 2);
        assert_eq!(keys(&together[1]).len(), 2);
    }
}
