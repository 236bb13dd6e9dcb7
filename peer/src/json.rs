//! One JSON object per line on stdout, written by hand (the facade has no serde).

use std::fmt::Write as _;
use std::io::Write as _;

/// One output line under construction, `{"event":"NAME", ...}`, or a nested object.
#[derive(Debug)]
pub(crate) struct Event {
    /// The object so far, without its closing brace.
    text: String,
}

impl Event {
    /// Starts the object for event `name`.
    pub(crate) fn new(name: &str) -> Event {
        Event::object().str("event", name)
    }

    /// Starts an object without an `event` member (for nested objects).
    pub(crate) fn object() -> Event {
        Event {
            text: String::from("{"),
        }
    }

    /// Adds `"key":"value"`.
    pub(crate) fn str(self, key: &str, value: &str) -> Event {
        self.raw(key, &string(value))
    }

    /// Adds `"key":"value"`, or `"key":null` for `None`.
    pub(crate) fn opt_str(self, key: &str, value: Option<&str>) -> Event {
        match value {
            Some(value) => self.str(key, value),
            None => self.raw(key, "null"),
        }
    }

    /// Adds `"key":N`.
    pub(crate) fn num(self, key: &str, value: u64) -> Event {
        self.raw(key, &value.to_string())
    }

    /// Adds `"key":true|false`.
    pub(crate) fn bool(self, key: &str, value: bool) -> Event {
        self.raw(key, if value { "true" } else { "false" })
    }

    /// Adds `"key":` followed by `json`, which must already be valid JSON.
    pub(crate) fn raw(mut self, key: &str, json: &str) -> Event {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        let _ = write!(self.text, "{}:{json}", string(key));
        self
    }

    /// The finished object.
    pub(crate) fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }

    /// Writes the object as one line on stdout and flushes it (a closed stdout is
    /// ignored: the exit status still tells the outcome).
    pub(crate) fn emit(self) {
        let line = self.finish();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// `value` as a JSON string literal.
pub(crate) fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
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
    out
}

/// A JSON array of the already-encoded `items`.
pub(crate) fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json() {
        let line = Event::new("handshake")
            .str("version", "TLSv1.3")
            .opt_str("alpn", None)
            .bool("resumed", false)
            .num("bytes", 5)
            .raw("peer_chain", &array([string("a\"b\n")]))
            .finish();
        assert_eq!(
            line,
            r#"{"event":"handshake","version":"TLSv1.3","alpn":null,"resumed":false,"bytes":5,"peer_chain":["a\"b\n"]}"#
        );
        assert_eq!(string("\u{1}"), "\"\\u0001\"");
        assert_eq!(Event::object().num("a", 1).finish(), r#"{"a":1}"#);
    }
}
