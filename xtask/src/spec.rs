//! The requirement IDs of SPEC.md (`../shared/SPEC.md` from the workspace root) and
//! which of them no conformance case cites.
//!
//! A requirement is a line that starts with its bold ID: `**AREA-n** — text`. IDs are
//! never reused; a dropped one stays, marked *withdrawn*, and is not a gap.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the SPEC lives: the project's shared folder, beside the workspace.
pub(crate) fn spec_path(root: &Path) -> PathBuf {
    root.parent().unwrap_or(root).join("shared").join("SPEC.md")
}

/// Every live requirement ID, in document order, each once.
pub(crate) fn requirement_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("**") else {
            continue;
        };
        let Some((id, after)) = rest.split_once("**") else {
            continue;
        };
        if !is_requirement_id(id) || ids.iter().any(|known| known == id) {
            continue;
        }
        if after.to_ascii_lowercase().contains("*withdrawn*") {
            continue;
        }
        ids.push(id.to_owned());
    }
    ids
}

/// Whether `id` has the form `AREA-n`: an upper-case area (letters, then letters or
/// digits), a hyphen, a decimal number.
pub(crate) fn is_requirement_id(id: &str) -> bool {
    let Some((area, number)) = id.split_once('-') else {
        return false;
    };
    area.starts_with(|c: char| c.is_ascii_uppercase())
        && area
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
}

/// The IDs of `ids` that `cited` lacks, in `ids`' order.
/// The `("ID", "text")` entries of the constant `name` in the conformance crate's
/// `elsewhere.rs` (IDs checked outside the suite, or not yet, with the reason).
pub(crate) fn listed_in(source: &str, name: &str) -> Vec<(String, String)> {
    let Some(start) = source.find(&format!("pub const {name}")) else {
        return Vec::new();
    };
    let block = &source[start..];
    let block = &block[..block.find("];").unwrap_or(block.len())];
    block
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("(\"")?;
            let (id, rest) = rest.split_once('"')?;
            let text = rest.trim_start_matches([',', ' ']).strip_prefix('"')?;
            let text = text.strip_suffix("\"),")?;
            Some((id.to_owned(), text.replace("\\\"", "\"")))
        })
        .collect()
}

/// Where the conformance crate lists SPEC IDs checked elsewhere or not yet.
pub(crate) fn elsewhere_path(root: &Path) -> PathBuf {
    root.join("conformance/src/elsewhere.rs")
}

pub(crate) fn uncovered<'a>(ids: &'a [String], cited: &BTreeSet<&str>) -> Vec<&'a str> {
    ids.iter()
        .map(String::as_str)
        .filter(|id| !cited.contains(id))
        .collect()
}

/// The IDs of `cited` that are not requirements of the SPEC (typos, or IDs the SPEC
/// dropped without marking them withdrawn), sorted.
pub(crate) fn unknown<'a>(ids: &[String], cited: &BTreeSet<&'a str>) -> Vec<&'a str> {
    cited
        .iter()
        .copied()
        .filter(|id| !ids.iter().any(|known| known == id))
        .collect()
}

/// `ids` grouped by area, in order: `[("INIT", ["INIT-1", "INIT-3"]), …]`, for a
/// compact listing.
pub(crate) fn by_area<'a>(ids: &[&'a str]) -> Vec<(&'a str, Vec<&'a str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for id in ids {
        let area = id.split_once('-').map_or(*id, |(area, _)| area);
        match groups.iter_mut().find(|(a, _)| *a == area) {
            Some((_, list)) => list.push(id),
            None => groups.push((area, vec![id])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
# spec

**IDs.** Requirements have IDs `AREA-n`.

### INIT

**INIT-1** — No set-up call is needed. *Gate:* all

**INIT-2** — Safe repeatedly. *Gate:* all
Mentions **INIT-9** inline, which is not a requirement line.

**INIT-3** — *withdrawn* (merged into INIT-2).

### SEC

**SEC-4** — Hostile input.
 **SEC-7** — indented: not a requirement line.
**SEC-4** — a duplicate is listed once.
**X509-1** — areas may hold digits.
**sec-5** — lower case is not an ID.
";

    #[test]
    fn ids_are_collected_in_order() {
        assert_eq!(
            requirement_ids(SPEC),
            ["INIT-1", "INIT-2", "SEC-4", "X509-1"]
        );
    }

    #[test]
    fn elsewhere_entries_are_read() {
        let source = "pub const CHECKED_ELSEWHERE: &[(&str, &str)] = &[\n    (\"IMPL-7\", \"xtask test\"),\n];\npub const NOT_YET_COVERED: &[(&str, &str)] = &[\n    (\"KEY-9\", \"not yet\"),\n];\n";
        assert_eq!(
            listed_in(source, "CHECKED_ELSEWHERE"),
            vec![("IMPL-7".to_owned(), "xtask test".to_owned())]
        );
        assert_eq!(
            listed_in(source, "NOT_YET_COVERED"),
            vec![("KEY-9".to_owned(), "not yet".to_owned())]
        );
    }

    #[test]
    fn id_shape() {
        assert!(is_requirement_id("PROTO-16"));
        assert!(is_requirement_id("X509-1"));
        assert!(!is_requirement_id("IDs."));
        assert!(!is_requirement_id("PROTO-"));
        assert!(!is_requirement_id("PROTO-1a"));
        assert!(!is_requirement_id("9P-1"));
        assert!(!is_requirement_id("Proto-1"));
    }

    #[test]
    fn uncovered_and_unknown() {
        let ids = requirement_ids(SPEC);
        let cited: BTreeSet<&str> = ["INIT-2", "SEC-4", "SEC-99"].into_iter().collect();
        assert_eq!(uncovered(&ids, &cited), ["INIT-1", "X509-1"]);
        assert_eq!(unknown(&ids, &cited), ["SEC-99"]);
        assert_eq!(
            by_area(&["INIT-1", "INIT-4", "SEC-2"]),
            [("INIT", vec!["INIT-1", "INIT-4"]), ("SEC", vec!["SEC-2"])]
        );
    }

    #[test]
    fn the_spec_sits_beside_the_workspace() {
        assert_eq!(
            spec_path(Path::new("/work/main")),
            Path::new("/work/shared/SPEC.md")
        );
    }
}
