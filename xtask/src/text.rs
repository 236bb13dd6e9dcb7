//! Text helpers the renderings share: HTML escaping, Markdown cells, one-line and
//! shortened text.

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The first line of `text`.
pub(crate) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// `text` on one line (newlines become spaces), for Markdown list items.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` made safe for a Markdown table cell: one line, pipes escaped.
pub(crate) fn md_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

/// `text` cut to at most `max` characters, an ellipsis marking the cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::{escape, md_cell, truncate};

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn cells_are_one_line_and_cut_text_is_marked() {
        assert_eq!(md_cell("a |\n  b"), "a \\| b");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("abc def", 4), "abc…");
    }
}
