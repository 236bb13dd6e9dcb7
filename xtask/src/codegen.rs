//! `cargo xtask codegen [--check]`: the generated sections of README.md.
//!
//! xtask links no backend, so the capability table is read from the source: the list
//! of every capability is `Capability::ALL` in `core/src/capability.rs`, and each
//! backend declares its own in `pub const CAPABILITIES: Capabilities =
//! Capabilities::from_list(&[...])` in its `src/lib.rs`.

use std::fs;
use std::path::Path;

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

/// The capabilities backend `name` declares (`CAPABILITIES` in its `src/lib.rs`).
pub(crate) fn declared_capabilities(root: &Path, name: &str) -> Result<Vec<String>> {
    let path = workspace::backend_dir(root, name).join("src/lib.rs");
    let source =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    list_after(
        &source,
        "pub const CAPABILITIES: Capabilities",
        "from_list(&[",
    )
    .ok_or_else(|| {
        format!(
            "no `pub const CAPABILITIES: Capabilities = Capabilities::from_list(&[...])` in {}",
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

/// The Markdown capability table: one row per capability, one column per backend crate.
fn capability_table(root: &Path) -> Result<String> {
    let all = all_capabilities(root)?;
    let mut columns = Vec::new();
    for name in workspace::backend_crates(root) {
        let declared = declared_capabilities(root, name)?;
        if let Some(unknown) = declared.iter().find(|c| !all.contains(c)) {
            return Err(format!(
                "backend {name} declares `Capability::{unknown}`, which is not in Capability::ALL"
            )
            .into());
        }
        columns.push((name, declared));
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
            let cell = if declared.contains(capability) {
                "yes"
            } else {
                "—"
            };
            table.push_str(&format!(" {cell} |"));
        }
        table.push('\n');
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
        let backend = "pub const CAPABILITIES: Capabilities = \
                       Capabilities::from_list(&[Capability::Alpn]);";
        assert_eq!(
            list_after(
                backend,
                "pub const CAPABILITIES: Capabilities",
                "from_list(&["
            ),
            Some(vec!["Alpn".to_owned()])
        );
        assert_eq!(list_after(backend, "pub const ALL", "= ["), None);
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
        assert_eq!(table.lines().count(), all.len() + 2);
    }
}
