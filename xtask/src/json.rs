//! A small JSON value and its pretty printer, so report.json needs no serde.

use std::fmt::Write as _;

/// A JSON value, with object members kept in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// An integer.
    Int(i64),
    /// A number with a fractional part, printed with three decimals.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub(crate) fn str(value: impl Into<String>) -> Self {
        Json::Str(value.into())
    }

    /// A string value, or `null`.
    pub(crate) fn opt_str(value: Option<impl Into<String>>) -> Self {
        value.map_or(Json::Null, Json::str)
    }

    /// An object from `(key, value)` pairs.
    pub(crate) fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Json)>) -> Self {
        Json::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// The value as pretty-printed JSON text, with a final newline.
    pub(crate) fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    /// Appends the value at indentation level `level`.
    fn write(&self, out: &mut String, level: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Float(x) if x.is_finite() => {
                let _ = write!(out, "{x:.3}");
            }
            Json::Float(_) => out.push_str("null"),
            Json::Str(s) => write_string(out, s),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(members) if members.is_empty() => out.push_str("{}"),
            Json::Array(items) if items.iter().all(Json::is_scalar) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, level);
                }
                out.push(']');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, level + 1);
                    item.write(out, level + 1);
                }
                out.push('\n');
                indent(out, level);
                out.push(']');
            }
            Json::Object(members) if members.iter().all(|(_, v)| v.is_scalar()) => {
                let mut line = String::from("{");
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        line.push_str(", ");
                    }
                    write_string(&mut line, key);
                    line.push_str(": ");
                    value.write(&mut line, level);
                }
                line.push('}');
                if line.len() + 2 * level <= INLINE_WIDTH {
                    out.push_str(&line);
                } else {
                    write_members(out, members, level);
                }
            }
            Json::Object(members) => write_members(out, members, level),
        }
    }

    /// Whether the value is neither an array nor an object.
    fn is_scalar(&self) -> bool {
        !matches!(self, Json::Array(_) | Json::Object(_))
    }
}

/// The widest line an object with only scalar members may take before it is broken up.
const INLINE_WIDTH: usize = 100;

/// Appends an object's members one per line.
fn write_members(out: &mut String, members: &[(String, Json)], level: usize) {
    out.push('{');
    for (i, (key, value)) in members.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        indent(out, level + 1);
        write_string(out, key);
        out.push_str(": ");
        value.write(out, level + 1);
    }
    out.push('\n');
    indent(out, level);
    out.push('}');
}

/// Appends two spaces per level.
fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Appends `s` as a JSON string literal.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let value = Json::str("a\"b\\c\nd\u{1}é");
        assert_eq!(value.to_pretty(), "\"a\\\"b\\\\c\\nd\\u0001é\"\n");
    }

    #[test]
    fn nested_values_are_indented() {
        let value = Json::object([
            ("n", Json::Int(2)),
            ("x", Json::Float(1.5)),
            ("list", Json::Array(vec![Json::str("a"), Json::Null])),
            ("empty", Json::Array(vec![])),
            (
                "objects",
                Json::Array(vec![Json::object([("k", Json::Int(1))])]),
            ),
        ]);
        let expected = r#"{
  "n": 2,
  "x": 1.500,
  "list": ["a", null],
  "empty": [],
  "objects": [
    {"k": 1}
  ]
}
"#;
        assert_eq!(value.to_pretty(), expected);
    }
}
