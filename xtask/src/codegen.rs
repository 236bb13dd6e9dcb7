//! `cargo xtask codegen [--check]`: the generated sections of README.md.
//!
//! xtask links no backend, so the capability table is read from the source: the list
//! of every capability is `Capability::ALL` in `core/src/capability.rs`, and each
//! backend declares its own, per role and with the reason for every gap, in
//! `pub const CAPABILITIES` in its `src/lib.rs` (read by `declared.rs`).

use std::fs;
use std::path::Path;

use crate::declared::{self, Declared, Roles};
use crate::{workspace, Result};

/// The line that opens the generated capability table in README.md.
const START: &str = "<!-- capabilities:start -->";

/// The line that closes it.
const END: &str = "<!-- capabilities:end -->";

/// Runs the task: rewrites the README section, or with `check` compares it.
pub(crate) fn run(check: bool) -> Result<()> {
    let root = workspace::root();
    let readme_path = root.join("README.md");
    if !readme_path.is_file() {
        return Err(format!(
            "{} does not exist yet; create it with a `{START}` / `{END}` section",
            readme_path.display()
        )
        .into());
    }
    let readme = fs::read_to_string(&readme_path)
        .map_err(|e| format!("cannot read {}: {e}", readme_path.display()))?;
    let table = capability_table(&root)?;
    let updated = splice(&readme, &table)?;
    // The performance sections, rendered from the committed snapshot docs/report.json.
    let updated = crate::report_perf::splice_readme(&root, &updated)?;
    crate::report_perf::codegen_docs(&root, check)?;
    if updated == readme {
        println!("codegen: README.md capability table is up to date");
        Ok(())
    } else if check {
        Err(
            "README.md's generated sections are stale (they differ from the backends' \
             CAPABILITIES or docs/report.json); run `cargo xtask codegen` and commit the result"
                .into(),
        )
    } else {
        fs::write(&readme_path, updated)
            .map_err(|e| format!("cannot write {}: {e}", readme_path.display()))?;
        println!("codegen: rewrote the capability table in README.md");
        Ok(())
    }
}

/// Every capability, in declaration order (`Capability::ALL`).
pub(crate) fn all_capabilities(root: &Path) -> Result<Vec<String>> {
    let path = root.join("core/src/capability.rs");
    let source =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    list_after(&source, "pub const ALL: [Capability;", "= [")
        .ok_or_else(|| {
            format!(
                "no `pub const ALL: [Capability; N] = [...]` in {}",
                path.display()
            )
        })
        .map_err(Into::into)
}

/// The `Capability::X` names in the bracketed list that follows `anchor` and then `open`.
fn list_after(source: &str, anchor: &str, open: &str) -> Option<Vec<String>> {
    let after_anchor = &source[source.find(anchor)? + anchor.len()..];
    let list = &after_anchor[after_anchor.find(open)? + open.len()..];
    let list = &list[..list.find(']')?];
    let mut names = Vec::new();
    for line in list.lines() {
        let code = line.split("//").next().unwrap_or("");
        for item in code
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let name = item.strip_prefix("Capability::")?;
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            names.push(name.to_owned());
        }
    }
    Some(names)
}

/// The Markdown capability table: one row per capability, one column per backend
/// crate (`yes` for both roles, else the one role, else `—`; a `*` marks a gap on
/// some platforms only), then every gap with the library limitation that forces it.
fn capability_table(root: &Path) -> Result<String> {
    let all = all_capabilities(root)?;
    let mut columns = Vec::new();
    for name in workspace::backend_crates(root) {
        columns.push((name, declared::read(root, name)?));
    }
    if columns.is_empty() {
        return Err("no backend crate found under backends/".into());
    }
    let mut table = String::from("| Capability |");
    for (name, _) in &columns {
        table.push_str(&format!(" {name} |"));
    }
    table.push_str("\n|---|");
    table.push_str(&":---:|".repeat(columns.len()));
    table.push('\n');
    for capability in &all {
        table.push_str(&format!("| `{capability}` |"));
        for (_, declared) in &columns {
            // The table describes every platform: roles as declared without the
            // platform-specific gaps, which the `*` points to.
            let everywhere = Declared {
                all: declared.all.clone(),
                lacks: declared
                    .lacks
                    .iter()
                    .filter(|l| l.cfg.is_none())
                    .map(|l| declared::SourceLack {
                        applies_here: true,
                        ..l.clone()
                    })
                    .collect(),
            };
            let mut cell = match everywhere.roles(capability) {
                Some(Roles::Both) => "yes".to_owned(),
                Some(one) => one.name().to_owned(),
                None => "—".to_owned(),
            };
            if declared
                .lacks
                .iter()
                .any(|l| l.cfg.is_some() && l.capability == *capability)
            {
                cell.push('*');
            }
            table.push_str(&format!(" {cell} |"));
        }
        table.push('\n');
    }
    table.push_str("\nWhat is not declared, and the library limitation that forces it:\n\n");
    for (name, declared) in &columns {
        for lack in &declared.lacks {
            let roles = match lack.roles {
                Roles::Both => "client and server".to_owned(),
                one => one.name().to_owned(),
            };
            let platform = lack
                .cfg
                .as_ref()
                .map(|c| format!(" (*where `{c}`)"))
                .unwrap_or_default();
            table.push_str(&format!(
                "- {name}, `{}`, {roles}{platform}: {}\n",
                lack.capability, lack.reason
            ));
        }
    }
    Ok(table)
}

/// `readme` with the text between the markers replaced by `table`.
fn splice(readme: &str, table: &str) -> Result<String> {
    let missing = || {
        format!(
            "README.md has no `{START}` ... `{END}` section; \
             add the two marker lines where the capability table belongs"
        )
    };
    let start = readme.find(START).ok_or_else(missing)? + START.len();
    let end = start + readme[start..].find(END).ok_or_else(missing)?;
    Ok(format!(
        "{}\n<!-- generated by `cargo xtask codegen` from each backend's CAPABILITIES; \
         do not edit -->\n\n{table}\n{}",
        &readme[..start],
        &readme[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_from_source() {
        let core = "impl Capability {\n    pub const ALL: [Capability; 2] = [\n        \
                    Capability::Tls12, // the floor\n        Capability::Tls13,\n    ];\n}";
        assert_eq!(
            list_after(core, "pub const ALL: [Capability;", "= ["),
            Some(vec!["Tls12".to_owned(), "Tls13".to_owned()])
        );
        assert_eq!(list_after(core, "pub const NONE", "= ["), None);
    }

    #[test]
    fn the_section_is_replaced_and_the_rest_kept() {
        let readme = format!("# t\n\n{START}\nold\n{END}\n\nmore\n");
        let spliced = splice(&readme, "| a |\n").unwrap();
        assert!(spliced.starts_with(&format!("# t\n\n{START}\n<!-- generated")));
        assert!(spliced.ends_with(&format!("\n\n| a |\n\n{END}\n\nmore\n")));
        assert_eq!(splice(&spliced, "| a |\n").unwrap(), spliced);
        assert!(splice("# no markers\n", "| a |\n").is_err());
    }

    #[test]
    fn the_table_matches_the_code() {
        let root = workspace::root();
        let all = all_capabilities(&root).unwrap();
        assert!(all.iter().any(|c| c == "Tls13"));
        let table = capability_table(&root).unwrap();
        let rows = table.lines().take_while(|l| l.starts_with('|')).count();
        assert_eq!(rows, all.len() + 2);
    }
}
