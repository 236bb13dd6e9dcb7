//! Tidy: the repository's invariants as ordinary tests (after rust-analyzer's
//! `xtask/src/tidy.rs`), so `cargo test -p xtask` — and `cargo xtask test`, through
//! `cargo test --workspace` — fails when one is broken:
//!
//! - no Rust source file over [`MAX_LINES`] lines unless [`LONG_FILES`] says why;
//! - `missing_docs` stays on for every crate of the workspace, and nothing allows it away;
//! - no reference to a document outside the repository (a design note, a numbered issue
//!   of the tracker): the sources and this repository's documents must stand alone;
//!   SPEC IDs and the `../shared/SPEC.md` path the suite reads are not such references;
//! - every file path ARCHITECTURE.md names in backticks exists.
//!
//! The tables below are exact: an entry that no longer applies fails too, so they shrink
//! as the code is fixed. This file is the one place allowed to spell the patterns it
//! looks for.

use std::path::{Path, PathBuf};

use crate::workspace;

/// The longest a source file may be without a reason in [`LONG_FILES`].
const MAX_LINES: usize = 600;

/// The source files allowed over [`MAX_LINES`], each with why. Keep the reasons true;
/// remove an entry when its file is split.
const LONG_FILES: &[(&str, &str)] = &[(
    "core/src/context.rs",
    "One concept, the abstract context: its options, the key material read at \
         `build()` and the builder with one documented setter per option (close to forty \
         public functions); the builder and the options it fills read best side by side.",
)];

/// References to documents outside the repository that are still allowed: (file, the
/// reference as written). Empty, and it should stay so: say the thing itself (a SPEC ID
/// is fine).
const OUTSIDE_REFERENCES_TO_REMOVE: &[(&str, &str)] = &[];

/// Paths in backticks in ARCHITECTURE.md that name another project's file, not ours.
const FOREIGN_PATHS: &[(&str, &str)] = &[(
    "tests/util.rs",
    "quinn-proto's test helper, cited as the model of core's `Pair`",
)];

/// This file, which spells the patterns it looks for.
const THIS_FILE: &str = "xtask/src/tidy.rs";

#[test]
fn no_source_file_is_too_long_without_a_reason() {
    let root = workspace::root();
    let mut problems = Vec::new();
    for path in files(&root, &["rs"]) {
        let name = relative(&root, &path);
        let lines = read(&path).lines().count();
        let listed = LONG_FILES.iter().any(|(file, _)| *file == name);
        if lines > MAX_LINES && !listed {
            problems.push(format!(
                "{name} has {lines} lines (over {MAX_LINES}): split it into files of one \
                 concept each, or add it to LONG_FILES in {THIS_FILE} with the reason"
            ));
        }
        if lines <= MAX_LINES && listed {
            problems.push(format!(
                "{name} has {lines} lines now: remove its entry from LONG_FILES in {THIS_FILE}"
            ));
        }
    }
    for (file, reason) in LONG_FILES {
        if !root.join(file).is_file() {
            problems.push(format!(
                "LONG_FILES in {THIS_FILE} lists {file}, which does not exist"
            ));
        }
        if !reason.trim_end().ends_with('.') || reason.split_whitespace().count() < 8 {
            problems.push(format!(
                "LONG_FILES in {THIS_FILE}: the reason for {file} must be a sentence"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn missing_docs_is_not_weakened() {
    let root = workspace::root();
    let manifest = read(&root.join("Cargo.toml"));
    let lints = section(&manifest, "[workspace.lints.rust]");
    assert!(
        lints.lines().any(|line| {
            let line = line.replace(' ', "");
            ["warn", "deny", "forbid"]
                .iter()
                .any(|level| line == format!("missing_docs=\"{level}\""))
        }),
        "Cargo.toml's [workspace.lints.rust] must keep `missing_docs = \"warn\"` (or \
         stricter); found:\n{lints}"
    );
    let mut problems = Vec::new();
    let mut crates = members(&manifest);
    crates.push(String::from("."));
    for member in crates {
        let path = root.join(&member).join("Cargo.toml");
        let lints = section(&read(&path), "[lints]");
        if lints
            .lines()
            .all(|line| line.replace(' ', "") != "workspace=true")
        {
            problems.push(format!(
                "{}: needs `[lints] workspace = true`, or the workspace's missing_docs does \
                 not apply to it",
                relative(&root, &path)
            ));
        }
    }
    for path in files(&root, &["rs"]) {
        let name = relative(&root, &path);
        if name == THIS_FILE {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            let line = line.replace(' ', "");
            if ["allow(missing_docs", "expect(missing_docs"]
                .iter()
                .any(|weaker| line.contains(weaker))
            {
                problems.push(format!(
                    "{name}:{}: missing_docs allowed away; document the items instead",
                    n + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_reference_to_documents_outside_the_repository() {
    let root = workspace::root();
    let mut found: Vec<(String, usize, String)> = Vec::new();
    for path in files(&root, &["rs", "md", "toml"]) {
        let name = relative(&root, &path);
        if name == THIS_FILE {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            for reference in outside_references(line) {
                found.push((name.clone(), n + 1, reference));
            }
        }
    }
    let mut problems = Vec::new();
    for (file, line, reference) in &found {
        if !OUTSIDE_REFERENCES_TO_REMOVE.contains(&(file.as_str(), reference.as_str())) {
            problems.push(format!(
                "{file}:{line}: `{reference}` points at a document outside the repository; \
                 say the thing itself (a SPEC ID is fine)"
            ));
        }
    }
    for (file, reference) in OUTSIDE_REFERENCES_TO_REMOVE {
        if !found.iter().any(|(f, _, r)| f == file && r == reference) {
            problems.push(format!(
                "{file} no longer has `{reference}`: remove its entry from \
                 OUTSIDE_REFERENCES_TO_REMOVE in {THIS_FILE}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn outside_references_are_recognised() {
    assert_eq!(
        outside_references("see DESIGN.md, fact 5; Issue 6 and issue #7"),
        ["DESIGN.md", "Issue 6", "issue #7"]
    );
    assert_eq!(
        outside_references("the issues after it; reissue 3; (cloudflare/boring issue 197)"),
        Vec::<String>::new()
    );
    assert_eq!(
        outside_references("//! Issue 6: a/ issue 7, /b issue 8"),
        ["Issue 6", "issue 7", "issue 8"]
    );
    assert_eq!(outside_references("issues 6 and 7"), ["issues 6"]);
    assert_eq!(
        outside_references("SPEC HS-1, `../shared/SPEC.md`, ARCHITECTURE.md"),
        Vec::<String>::new()
    );
}

#[test]
fn architecture_names_only_paths_that_exist() {
    let root = workspace::root();
    let text = read(&root.join("ARCHITECTURE.md"));
    let bases = crate_dirs(&root);
    let mut problems = Vec::new();
    let mut checked = 0;
    for token in code_spans(&text) {
        if !looks_like_a_path(&token) || FOREIGN_PATHS.iter().any(|(p, _)| *p == token) {
            continue;
        }
        checked += 1;
        for path in expand_braces(&token) {
            if !bases.iter().any(|base| exists(&base.join(&path))) {
                problems.push(format!(
                    "ARCHITECTURE.md names `{path}`, which is not a path of the repository \
                     (from the root or a crate)"
                ));
            }
        }
    }
    assert!(
        checked > 10,
        "ARCHITECTURE.md names {checked} paths; the reader is broken"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn architecture_paths_are_read_as_paths() {
    assert_eq!(
        code_spans("a `core/src/conn/` b\n```\nnot `this/one`\n```\n`x/\ny.rs`"),
        ["core/src/conn/", "x/ y.rs"]
    );
    assert!(looks_like_a_path("backends/ossl-common/*.rs"));
    assert!(looks_like_a_path("conn/tls.rs"));
    for not_ours in [
        "../shared/SPEC.md",
        "target/peer/<backend>/",
        "$UNITLS_OUTCOME_FILE",
        "Read | Write",
        "lib.rs",
    ] {
        assert!(!looks_like_a_path(not_ours), "{not_ours}");
    }
    assert_eq!(
        expand_braces("backends/{openssl,boring}/tests/interop.rs"),
        [
            "backends/openssl/tests/interop.rs",
            "backends/boring/tests/interop.rs"
        ]
    );
}

/// The references to outside documents in `line`, as written: `DESIGN.md` and a
/// numbered issue (`issue 6`, `Issue #6`) — except an upstream project's issue
/// (`cloudflare/boring issue 197`), which anyone can look up.
fn outside_references(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("DESIGN.md") {
        found.push(line[at..at + "DESIGN.md".len()].to_owned());
    }
    let lower = line.to_ascii_lowercase();
    for (at, _) in lower.match_indices("issue") {
        let before = &line[..at];
        if before.ends_with(|c: char| c.is_alphanumeric()) {
            continue; // "reissue"
        }
        let rest = &lower[at + "issue".len()..];
        let after_s = rest.strip_prefix('s').unwrap_or(rest);
        let gap = after_s.len() - after_s.trim_start_matches([' ', '#']).len();
        let number = after_s[gap..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        if gap == 0 || number == 0 {
            continue;
        }
        let upstream = before
            .split_whitespace()
            .last()
            .is_some_and(|word| is_repository(word.trim_start_matches('(')));
        if !upstream {
            let end = at + "issue".len() + (rest.len() - after_s.len()) + gap + number;
            found.push(line[at..end].to_owned());
        }
    }
    found
}

/// Whether `word` reads `owner/name`, as GitHub names a repository.
fn is_repository(word: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    word.split_once('/')
        .is_some_and(|(owner, name)| part(owner) && part(name))
}

/// The inline code spans of Markdown `text` (outside fenced blocks), line breaks inside
/// a span read as spaces.
fn code_spans(text: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    prose
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|span| span.replace('\n', " "))
        .collect()
}

/// Whether a code span names a file or folder of the repository: it has a `/` and
/// nothing a path of ours cannot have (spaces, placeholders, variables, a way out).
fn looks_like_a_path(span: &str) -> bool {
    span.contains('/')
        && !span.starts_with("../")
        && !span.contains("://")
        && !span.contains("::")
        && !span
            .chars()
            .any(|c| c.is_whitespace() || "<>$()|\"'".contains(c))
}

/// `a/{b,c}/d` as `a/b/d` and `a/c/d` (one brace group).
fn expand_braces(path: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (path.find('{'), path.find('}')) else {
        return vec![path.to_owned()];
    };
    path[open + 1..close]
        .split(',')
        .map(|choice| format!("{}{choice}{}", &path[..open], &path[close + 1..]))
        .collect()
}

/// Whether `path` exists; a `*` in its last component matches any name.
fn exists(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some((prefix, suffix)) = name.split_once('*') else {
        return path.exists();
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
    })
}

/// Where a path in ARCHITECTURE.md may start: the root, and each crate's folder and
/// `src/` (the text says `conn/tls.rs` inside core's sources, `tests/conformance.rs`
/// inside a backend).
fn crate_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.to_path_buf()];
    for manifest in files(root, &["toml"]) {
        if manifest.file_name().is_some_and(|n| n == "Cargo.toml") {
            if let Some(dir) = manifest.parent() {
                dirs.push(dir.to_path_buf());
                dirs.push(dir.join("src"));
            }
        }
    }
    dirs
}

/// The workspace members named in the root manifest's `members = [...]`.
fn members(manifest: &str) -> Vec<String> {
    let workspace = section(manifest, "[workspace]");
    let Some(start) = workspace.find("members") else {
        return Vec::new();
    };
    let list = &workspace[start..];
    let (Some(open), Some(close)) = (list.find('['), list.find(']')) else {
        return Vec::new();
    };
    list[open + 1..close]
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The lines of a TOML `header` section, up to the next header.
fn section(toml: &str, header: &str) -> String {
    toml.lines()
        .skip_while(|line| line.trim() != header)
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file under `root` with one of `extensions`, skipping build output (`target/`
/// wherever it is, as in `examples/feature-selection/target`) and hidden folders.
fn files(root: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    dirs.push(path);
                }
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let path = path.strip_prefix(root).unwrap_or(path);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The text of a file (lossy: a tidy check must not stop at one odd octet).
fn read(path: &Path) -> String {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes).into_owned()
}
