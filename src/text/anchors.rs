//! Heading ids as GitHub makes them, the same as comrak's `Anchorizer`:
//! lower case, letters, marks, numbers, `_` and `-` kept, spaces made `-`,
//! and `-1`, `-2`, … added to repeats. Written again here because a page of
//! many headings spent more time in comrak's version (two maps, three copies
//! per heading) than in rendering its own table of contents.

use std::collections::HashSet;

use finl_unicode::categories::CharacterCategories;

/// The ids given so far in one document.
#[derive(Debug, Default)]
pub struct Anchors {
    taken: HashSet<String>,
}

impl Anchors {
    /// Reserves an id given by the author, so no generated id repeats it.
    pub fn claim(&mut self, id: &str) {
        self.taken.insert(id.to_string());
    }

    /// The id for a heading with this text, unique in the document.
    pub fn anchorize(&mut self, heading: &str) -> String {
        let base = slug(heading);
        // Every `base-k` below the first free one is taken, so counting from
        // 0 picks what comrak's remembered next suffix picks.
        let mut id = base.clone();
        let mut suffix = 0;
        while self.taken.contains(&id) {
            suffix += 1;
            id = format!("{base}-{suffix}");
        }
        self.taken.insert(id.clone());
        id
    }
}

fn slug(heading: &str) -> String {
    let mut id = String::with_capacity(heading.len());
    if heading.is_ascii() {
        for b in heading.bytes() {
            match b {
                b'A'..=b'Z' => id.push(b.to_ascii_lowercase() as char),
                b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => id.push(b as char),
                b' ' => id.push('-'),
                _ => {}
            }
        }
        return id;
    }
    for c in heading.to_lowercase().chars() {
        if c == ' ' {
            id.push('-');
        } else if c == '-'
            || c.is_letter()
            || c.is_mark()
            || c.is_number()
            || c.is_punctuation_connector()
        {
            id.push(c);
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn ids_are_the_ones_comrak_gives(
            headings in proptest::collection::vec(
                "[aA1 \\-_.!'é\u{301}\u{130}Σß٣\u{2003}‿]{0,6}|section|a-1|a",
                0..10,
            ),
        ) {
            let mut ours = Anchors::default();
            let mut comrak = comrak::Anchorizer::new();
            for heading in &headings {
                proptest::prop_assert_eq!(ours.anchorize(heading), comrak.anchorize(heading));
            }
        }
    }

    #[test]
    fn repeats_are_numbered_around_ids_already_given() {
        let mut anchors = Anchors::default();
        let ids: Vec<String> = ["Data", "Data-1", "Data", "Your Rights!", "data"]
            .iter()
            .map(|h| anchors.anchorize(h))
            .collect();
        assert_eq!(ids, ["data", "data-1", "data-2", "your-rights", "data-3"]);
    }
}
