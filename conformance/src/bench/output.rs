//! The bench binary's output: one JSON object per line, for `cargo xtask report`.

use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::Write as _;

use super::stats::Summary;

/// A JSON value (just what the lines need).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Num(f64),
    Int(i64),
    Str(String),
    Obj(Vec<(String, Value)>),
}

impl Value {
    pub(crate) fn str(text: &str) -> Value {
        Value::Str(text.to_owned())
    }

    pub(crate) fn opt_num(value: Option<f64>) -> Value {
        value.map_or(Value::Null, Value::Num)
    }

    pub(crate) fn opt_str(value: Option<&str>) -> Value {
        value.map_or(Value::Null, Value::str)
    }

    /// A summary as an object.
    pub(crate) fn stats(s: &Summary) -> Value {
        Value::Obj(vec![
            ("n".into(), Value::Int(s.n as i64)),
            ("median".into(), Value::Num(s.median)),
            ("p25".into(), Value::Num(s.p25)),
            ("p75".into(), Value::Num(s.p75)),
            ("p99".into(), Value::Num(s.p99)),
            ("min".into(), Value::Num(s.min)),
            ("max".into(), Value::Num(s.max)),
            ("spread".into(), Value::Num(s.spread())),
        ])
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Num(x) if x.is_finite() => {
                // Enough digits for ratios and rates alike.
                let _ = write!(out, "{}", (x * 1e4).round() / 1e4);
            }
            Value::Num(_) => out.push_str("null"),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if u32::from(c) < 0x20 => {
                            let _ = write!(out, "\\u{:04x}", u32::from(c));
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Value::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Value::Str(k.clone()).write(out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// One output line: an object with `type` and `backend` first.
#[derive(Debug, Clone)]
pub(crate) struct Line(Vec<(String, Value)>);

impl Line {
    pub(crate) fn new(kind: &str, backend: &str) -> Line {
        Line(vec![
            ("type".into(), Value::str(kind)),
            ("backend".into(), Value::str(backend)),
        ])
    }

    pub(crate) fn push(&mut self, key: &str, value: Value) {
        self.0.push((key.to_owned(), value));
    }

    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        Value::Obj(self.0.clone()).write(&mut out);
        out
    }
}

/// Where lines go: `$UNITLS_BENCH_FILE` (appended) or stdout.
pub(crate) fn emit(line: &Line) {
    let text = line.render();
    match std::env::var_os("UNITLS_BENCH_FILE") {
        Some(path) => {
            let written = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .and_then(|mut f| writeln!(f, "{text}"));
            if let Err(e) = written {
                eprintln!("cannot append to {}: {e}", path.to_string_lossy());
                println!("{text}");
            }
        }
        None => println!("{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json() {
        let mut line = Line::new("figure", "rustls");
        line.push("value", Value::Num(1.234_567_89));
        line.push("reason", Value::str("a \"quoted\"\nline"));
        line.push("direct", Value::Null);
        assert_eq!(
            line.render(),
            r#"{"type":"figure","backend":"rustls","value":1.2346,"reason":"a \"quoted\"\nline","direct":null}"#
        );
    }
}
