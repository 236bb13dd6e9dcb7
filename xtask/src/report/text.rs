//! Text helpers the renderings share.

/// ` (ATTACH-1, HS-2)`, or nothing for no IDs.
pub(super) fn spec_suffix(spec: &[String]) -> String {
    if spec.is_empty() {
        String::new()
    } else {
        format!(" ({})", spec.join(", "))
    }
}

/// The first line of `text`.
pub(super) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// `text` on one line (newlines become spaces), for Markdown list items.
pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` made safe for a Markdown table cell.
pub(super) fn md_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

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

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
