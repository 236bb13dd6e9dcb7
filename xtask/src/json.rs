//! A small JSON value, its pretty printer and a parser, so xtask needs no serde: the
//! printer writes report.json, the parser reads the conformance runner's outcome lines.

use std::fmt::Write as _;

/// A JSON value, with object members kept in insertion order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
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
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
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

    /// Parses one JSON text (RFC 8259); anything but whitespace after the value is an
    /// error.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut parser = Parser { text, pos: 0 };
        let value = parser.value(0)?;
        parser.skip_space();
        if parser.pos < text.len() {
            return Err(parser.error("trailing characters after the value"));
        }
        Ok(value)
    }

    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string value.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items of an array value.
    pub(crate) fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
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

/// The deepest nesting [`Json::parse`] accepts (no stack overflow on hostile input).
const MAX_DEPTH: usize = 64;

/// A recursive-descent JSON parser over `text`, at byte offset `pos`.
struct Parser<'a> {
    /// The whole text.
    text: &'a str,
    /// The next byte to read.
    pos: usize,
}

impl Parser<'_> {
    /// An error message naming the offset.
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at offset {}: {what}", self.pos)
    }

    /// The next byte, if any, without consuming it.
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips JSON whitespace.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `literal` or fails.
    fn expect(&mut self, literal: &str) -> Result<(), String> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(self.error(&format!("expected `{literal}`")))
        }
    }

    /// One value, nested `depth` deep.
    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        match self.peek() {
            Some(b'n') => self.expect("null").map(|()| Json::Null),
            Some(b't') => self.expect("true").map(|()| Json::Bool(true)),
            Some(b'f') => self.expect("false").map(|()| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error("expected `,` or `]`")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_space();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a member name"));
                    }
                    let key = self.string()?;
                    self.skip_space();
                    self.expect(":")?;
                    members.push((key, self.value(depth + 1)?));
                    self.skip_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(self.error("expected `,` or `}`")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    /// A number: an `Int` if it has no fraction or exponent and fits, else a `Float`.
    fn number(&mut self) -> Result<Json, String> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut integral = true;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos > from
        };
        if !digits(&mut self.pos) {
            return Err(self.error("expected digits"));
        }
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if !digits(&mut self.pos) {
                return Err(self.error("expected digits after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integral = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(&mut self.pos) {
                return Err(self.error("expected exponent digits"));
            }
        }
        let literal = &self.text[start..self.pos];
        if integral {
            if let Ok(n) = literal.parse::<i64>() {
                return Ok(Json::Int(n));
            }
        }
        literal
            .parse::<f64>()
            .map(Json::Float)
            .map_err(|e| self.error(&format!("bad number `{literal}`: {e}")))
    }

    /// A string literal, the opening quote at `pos`.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(stop) = rest.find(|c: char| c == '"' || c == '\\' || u32::from(c) < 0x20)
            else {
                return Err(self.error("unterminated string"));
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.pos += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                _ => return Err(self.error("control character in a string")),
            }
        }
    }

    /// The character of a `\uXXXX` escape (the `\u` consumed), pairing surrogates;
    /// a lone surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.text[self.pos..].starts_with("\\u") {
            let saved = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            self.pos = saved;
        }
        Ok(char::from_u32(first).unwrap_or('\u{fffd}'))
    }

    /// Four hex digits.
    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|e| self.error(&e.to_string()))
    }
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

    #[test]
    fn parse_reads_what_the_runner_writes() {
        let line = r#"{"backend":"rustls","id":"a_1","spec":["A-1","B-2"],"outcome":"fail","detail":"x\n\"y\"\\ \u00e9\ud83d\ude00\u0001"}"#;
        let value = Json::parse(line).unwrap();
        assert_eq!(value.get("backend").and_then(Json::as_str), Some("rustls"));
        let spec: Vec<&str> = value
            .get("spec")
            .and_then(Json::as_array)
            .unwrap()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        assert_eq!(spec, ["A-1", "B-2"]);
        assert_eq!(
            value.get("detail").and_then(Json::as_str),
            Some("x\n\"y\"\\ é😀\u{1}")
        );
        assert_eq!(value.get("missing"), None);
    }

    #[test]
    fn parse_scalars_and_round_trip() {
        let value = Json::parse(" [null, true, false, -12, 1.5e2, {}, [], \"\"] ").unwrap();
        assert_eq!(
            value,
            Json::Array(vec![
                Json::Null,
                Json::Bool(true),
                Json::Bool(false),
                Json::Int(-12),
                Json::Float(150.0),
                Json::Object(vec![]),
                Json::Array(vec![]),
                Json::str(""),
            ])
        );
        let nested = Json::object([
            ("s", Json::str("tab\there \u{7f}")),
            (
                "list",
                Json::Array(vec![Json::object([("k", Json::Int(1))])]),
            ),
        ]);
        assert_eq!(Json::parse(&nested.to_pretty()).unwrap(), nested);
    }

    #[test]
    fn parse_rejects_bad_input() {
        for bad in [
            "",
            "{",
            "{\"a\" 1}",
            "[1,]",
            "\"open",
            "\"a\nb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "01x",
            "1 2",
            "-",
            "1.",
            "nul",
            "{1: 2}",
        ] {
            assert!(Json::parse(bad).is_err(), "accepted {bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(&deep).is_err());
    }
}
