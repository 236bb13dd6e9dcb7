//! What a backend declares, read from its source (xtask links no backend): its
//! `pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[...])` in
//! `src/lib.rs` — every capability of `Capability::ALL` for both roles, except the
//! `Lack::client(..)`, `Lack::server(..)` and `Lack::both(..)` entries, each naming a
//! capability and the library limitation that forces the gap, some under a
//! `#[cfg(...)]` line (a gap on some platforms only).

use std::fs;
use std::path::Path;

use crate::{workspace, Result};

/// The roles a gap is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Roles {
    Client,
    Server,
    Both,
}

impl Roles {
    /// `client`, `server`, `both`: as core's `Roles::name`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Roles::Client => "client",
            Roles::Server => "server",
            Roles::Both => "both",
        }
    }

    fn includes(self, role: Role) -> bool {
        matches!(
            (self, role),
            (Roles::Both, _) | (Roles::Client, Role::Client) | (Roles::Server, Role::Server)
        )
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Client,
    Server,
}

/// One `Lack` entry of a backend's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLack {
    /// The capability's name (`Tls13`).
    pub(crate) capability: String,
    /// The roles it is missing for.
    pub(crate) roles: Roles,
    /// The library limitation, as written.
    pub(crate) reason: String,
    /// The `cfg` predicate it is under, if any (`target_vendor = "apple"`).
    pub(crate) cfg: Option<String>,
    /// Whether it applies where xtask runs (always, without a `cfg`).
    pub(crate) applies_here: bool,
}

/// A backend's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// Every capability (`Capability::ALL`), in order.
    pub(crate) all: Vec<String>,
    /// The gaps, in source order.
    pub(crate) lacks: Vec<SourceLack>,
}

impl Declared {
    /// Whether `capability` is declared for `role` on this platform.
    pub(crate) fn supports(&self, capability: &str, role: Role) -> bool {
        self.all.iter().any(|c| c == capability)
            && !self
                .lacks
                .iter()
                .any(|l| l.applies_here && l.capability == capability && l.roles.includes(role))
    }

    /// Why `capability` is not declared for `role` on this platform, as written.
    pub(crate) fn reason(&self, capability: &str, role: Role) -> Option<&str> {
        self.lacks
            .iter()
            .find(|l| l.applies_here && l.capability == capability && l.roles.includes(role))
            .map(|l| l.reason.as_str())
    }

    /// The roles `capability` is declared for on this platform, `None` if neither.
    pub(crate) fn roles(&self, capability: &str) -> Option<Roles> {
        match (
            self.supports(capability, Role::Client),
            self.supports(capability, Role::Server),
        ) {
            (true, true) => Some(Roles::Both),
            (true, false) => Some(Roles::Client),
            (false, true) => Some(Roles::Server),
            (false, false) => None,
        }
    }

    /// The capabilities declared for both roles on this platform.
    pub(crate) fn both_roles(&self) -> Vec<String> {
        self.all
            .iter()
            .filter(|c| self.roles(c) == Some(Roles::Both))
            .cloned()
            .collect()
    }
}

/// Reads backend `name`'s declaration.
pub(crate) fn read(root: &Path, name: &str) -> Result<Declared> {
    let all = crate::codegen::all_capabilities(root)?;
    let path = workspace::backend_dir(root, name).join("src/lib.rs");
    let source =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let declared = parse(&source, all).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(unknown) = declared
        .lacks
        .iter()
        .find(|l| !declared.all.contains(&l.capability))
    {
        return Err(format!(
            "backend {name} names `Capability::{}`, which is not in Capability::ALL",
            unknown.capability
        )
        .into());
    }
    Ok(declared)
}

const ANCHOR: &str = "pub const CAPABILITIES: Capabilities";
const OPEN: &str = "all_except(&[";
const CLOSE: &str = "]);";

/// The declaration in `source`, over the capabilities `all`.
fn parse(source: &str, all: Vec<String>) -> std::result::Result<Declared, String> {
    let missing = || format!("no `{ANCHOR} = Capabilities::all_except(&[...]);`");
    let after = &source[source.find(ANCHOR).ok_or_else(missing)? + ANCHOR.len()..];
    let list = &after[after.find(OPEN).ok_or_else(missing)? + OPEN.len()..];
    let list = &list[..list.find(CLOSE).ok_or_else(missing)?];
    let mut lacks = Vec::new();
    let mut rest = list;
    while let Some(at) = rest.find("Lack::") {
        let before = &rest[..at];
        let cfg = before
            .rfind("#[cfg(")
            .map(|c| &before[c + "#[cfg(".len()..])
            .filter(|c| !c.contains("Lack::"))
            .and_then(|c| c.find(")]").map(|end| c[..end].trim().to_owned()));
        rest = &rest[at + "Lack::".len()..];
        let roles = if rest.starts_with("client(") {
            Roles::Client
        } else if rest.starts_with("server(") {
            Roles::Server
        } else if rest.starts_with("both(") {
            Roles::Both
        } else {
            return Err(format!("unknown `Lack::` constructor at `{}`", head(rest)));
        };
        let cap_at = rest
            .find("Capability::")
            .ok_or_else(|| format!("no `Capability::` after `Lack::{}`", head(rest)))?;
        rest = &rest[cap_at + "Capability::".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let capability = rest[..end].to_owned();
        rest = &rest[end..];
        let (reason, after_reason) = string_literal(rest)
            .ok_or_else(|| format!("no reason text for `Capability::{capability}`"))?;
        rest = after_reason;
        let applies_here = match &cfg {
            Some(predicate) => cfg_holds(predicate)?,
            None => true,
        };
        lacks.push(SourceLack {
            capability,
            roles,
            reason,
            cfg,
            applies_here,
        });
    }
    Ok(Declared { all, lacks })
}

fn head(text: &str) -> &str {
    &text[..text.len().min(30)]
}

/// The first string literal in `text` (a `\` at a line's end continues it, skipping
/// the next line's indentation), and the text after it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let start = text.find('"')? + 1;
    let mut out = String::new();
    let mut chars = text[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &text[start + i + 1..])),
            '\\' => match chars.next()?.1 {
                '\n' => {
                    let rest = &text[start + i + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..rest[..skip].chars().count() {
                        chars.next();
                    }
                }
                'n' => out.push('\n'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Whether a `cfg` predicate holds where xtask runs (the platform it was built for,
/// which is the one it tests): the few forms the declarations use.
fn cfg_holds(predicate: &str) -> std::result::Result<bool, String> {
    let p = predicate.trim();
    if let Some(inner) = p.strip_prefix("not(").and_then(|r| r.strip_suffix(')')) {
        return cfg_holds(inner).map(|b| !b);
    }
    let value = |key: &str| {
        p.strip_prefix(key)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
            .map(|r| r.trim().trim_matches('"').to_owned())
    };
    if let Some(vendor) = value("target_vendor") {
        return Ok(vendor == "apple" && cfg!(target_vendor = "apple"));
    }
    if let Some(os) = value("target_os") {
        return Ok(os == std::env::consts::OS);
    }
    match p {
        "windows" => Ok(cfg!(windows)),
        "unix" => Ok(cfg!(unix)),
        _ => Err(format!(
            "the cfg predicate `{p}` is not one xtask can evaluate (declared.rs)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"
/// Docs.
pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[
    Lack::server(
        Capability::Tls13,
        "the acceptor profile sets \
         NO_TLSV1_3",
    ),
    #[cfg(not(unix))]
    Lack::client(Capability::Tls13, "no \"1.3\" here"),
    Lack::both(Capability::KeyLog, "no hook"),
]);
"#;

    fn all() -> Vec<String> {
        ["Tls12", "Tls13", "KeyLog"].map(String::from).to_vec()
    }

    #[test]
    fn lacks_are_read_with_roles_reasons_and_platforms() {
        let declared = parse(SOURCE, all()).unwrap();
        assert_eq!(declared.lacks.len(), 3);
        assert_eq!(
            declared.lacks[0].reason,
            "the acceptor profile sets NO_TLSV1_3"
        );
        assert_eq!(declared.lacks[1].reason, "no \"1.3\" here");
        assert_eq!(declared.lacks[1].cfg.as_deref(), Some("not(unix)"));
        assert_eq!(declared.lacks[1].applies_here, !cfg!(unix));
        assert_eq!(declared.lacks[0].cfg, None);
        assert!(declared.supports("Tls12", Role::Server));
        assert!(!declared.supports("Tls13", Role::Server));
        assert_eq!(declared.supports("Tls13", Role::Client), cfg!(unix));
        assert_eq!(declared.roles("KeyLog"), None);
        assert_eq!(declared.both_roles(), vec!["Tls12".to_owned()]);
    }

    #[test]
    fn a_declaration_without_lacks_declares_everything() {
        let source = "pub const CAPABILITIES: Capabilities = Capabilities::all_except(&[]);";
        let declared = parse(source, all()).unwrap();
        assert_eq!(declared.both_roles(), all());
        assert!(parse("pub const OTHER: u8 = 1;", all()).is_err());
    }

    #[test]
    fn every_backend_declaration_reads() {
        let root = workspace::root();
        for name in workspace::backend_crates(&root) {
            let declared = read(&root, name).unwrap();
            assert!(declared.lacks.iter().all(|l| l.reason.len() > 10), "{name}");
        }
    }
}
