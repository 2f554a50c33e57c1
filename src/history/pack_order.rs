//! Where each object sits in the repository's packs, so blobs can be read
//! in the order git wrote them.
//!
//! A pack stores most versions of a file as deltas on other versions, and
//! git writes a delta's base before the delta. libgit2 keeps the bases it
//! rebuilt in a small cache (16 MiB, emptied whole when full), so reading
//! a document's blobs in history order, whose delta chains run in no such
//! order, rebuilds the same chains again and again: on a 1,000-commit
//! repository that is 5 s of inflating for 90 MB of text, against 0.8 s
//! in pack order. Order is only a hint: an object in no pack, or a pack
//! index this cannot read, keeps its place in history order.

use std::path::Path;

use git2::Oid;

/// The position of objects in the packs of one repository.
#[derive(Debug, Default)]
pub struct PackOrder {
    indexes: Vec<PackIndex>,
}

impl PackOrder {
    /// Reads the pack indexes of the repository whose shared git folder is
    /// `common_dir` (`Repository::commondir`). Unreadable ones are skipped.
    pub fn read(common_dir: &Path) -> PackOrder {
        let Ok(entries) = std::fs::read_dir(common_dir.join("objects").join("pack")) else {
            return PackOrder::default();
        };
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "idx"))
            .collect();
        paths.sort();
        let indexes = paths
            .iter()
            .filter(|path| std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_INDEX_BYTES))
            .filter_map(|path| std::fs::read(path).ok())
            .filter_map(PackIndex::new)
            .collect();
        PackOrder { indexes }
    }

    /// Where `oid` is stored: its pack (in file-name order) and offset in
    /// it, or None for an object in no pack this read.
    pub fn position(&self, oid: Oid) -> Option<(usize, u64)> {
        self.indexes
            .iter()
            .enumerate()
            .find_map(|(pack, index)| Some((pack, index.offset(oid.as_bytes())?)))
    }
}

/// Larger indexes (tens of millions of objects) are not read: a policy
/// site's history gains too little from the order to pay for it.
const MAX_INDEX_BYTES: u64 = 64 << 20;

/// A version-2 pack index (`git help format-pack`): a fan-out table of
/// 256 counts, the sorted object names, their CRCs, 4-byte offsets, and
/// 8-byte offsets for packs over 2 GiB.
#[derive(Debug)]
struct PackIndex {
    bytes: Vec<u8>,
    count: usize,
}

const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: usize = 8;
const FAN_OUT: usize = 256 * 4;
const NAME: usize = 20;

impl PackIndex {
    fn new(bytes: Vec<u8>) -> Option<PackIndex> {
        if bytes.get(..4)? != MAGIC || be32(&bytes, 4)? != 2 {
            return None;
        }
        let count = be32(&bytes, HEADER + FAN_OUT - 4)? as usize;
        let index = PackIndex { bytes, count };
        // Names, CRCs and short offsets must all be there.
        (index.bytes.len() >= index.large_offsets()).then_some(index)
    }

    fn offset(&self, name: &[u8]) -> Option<u64> {
        let first = *name.first()? as usize;
        let start = match first {
            0 => 0,
            _ => be32(&self.bytes, HEADER + (first - 1) * 4)? as usize,
        };
        let end = be32(&self.bytes, HEADER + first * 4)? as usize;
        let names = HEADER + FAN_OUT;
        let (mut low, mut high) = (start, end.min(self.count));
        while low < high {
            let middle = (low + high) / 2;
            let at = names + middle * NAME;
            match self.bytes.get(at..at + NAME)?.cmp(name) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return self.offset_at(middle),
            }
        }
        None
    }

    fn offset_at(&self, position: usize) -> Option<u64> {
        let short = be32(&self.bytes, self.short_offsets() + position * 4)?;
        if short & 0x8000_0000 == 0 {
            return Some(u64::from(short));
        }
        let at = self.large_offsets() + (short & 0x7fff_ffff) as usize * 8;
        let large = self.bytes.get(at..at + 8)?;
        Some(u64::from_be_bytes(large.try_into().ok()?))
    }

    fn short_offsets(&self) -> usize {
        HEADER + FAN_OUT + self.count * (NAME + 4)
    }

    fn large_offsets(&self) -> usize {
        self.short_offsets() + self.count * 4
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn positions_are_the_offsets_git_reports_and_loose_objects_have_none() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        for round in 0..12 {
            let text: String = (0..200)
                .map(|line| format!("line {line} of round {}\n", round * (line % 3)))
                .collect();
            std::fs::write(root.join("policy.md"), text).unwrap();
            git(root, &["add", "."]);
            git(
                root,
                &[
                    "-c",
                    "user.name=T",
                    "-c",
                    "user.email=t@example.com",
                    "commit",
                    "-qm",
                    &format!("round {round}"),
                ],
            );
        }
        git(root, &["gc", "-q", "--aggressive"]);
        std::fs::write(root.join("loose.md"), "not packed\n").unwrap();
        let loose = git(root, &["hash-object", "-w", "loose.md"]);

        let order = PackOrder::read(&root.join(".git"));
        let pack = git(root, &["rev-parse", "--git-path", "objects/pack"]);
        let index = std::fs::read_dir(root.join(pack.trim()))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "idx"))
            .unwrap();
        let listed = git(root, &["verify-pack", "-v", index.to_str().unwrap()]);
        let mut checked = 0;
        for line in listed.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let Some(oid) = fields.first().and_then(|f| Oid::from_str(f).ok()) else {
                continue;
            };
            if fields.len() < 5 {
                continue;
            }
            let offset: u64 = fields[4].parse().unwrap();
            assert_eq!(order.position(oid), Some((0, offset)), "{line}");
            checked += 1;
        }
        assert!(checked >= 36, "12 commits, trees and blobs: {checked}");
        assert_eq!(order.position(Oid::from_str(loose.trim()).unwrap()), None);
    }

    #[test]
    fn a_repository_without_packs_or_with_a_damaged_index_has_no_positions() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PackOrder::read(dir.path()).indexes.len(), 0);
        let packs = dir.path().join("objects").join("pack");
        std::fs::create_dir_all(&packs).unwrap();
        std::fs::write(packs.join("pack-a.idx"), b"\xfftOc\0\0\0\x02short").unwrap();
        std::fs::write(packs.join("pack-b.idx"), b"version one").unwrap();
        let order = PackOrder::read(dir.path());
        assert_eq!(order.indexes.len(), 0);
        assert_eq!(order.position(Oid::ZERO_SHA1), None);
    }
}
