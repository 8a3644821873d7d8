//! Escaping for the two export formats. Every string that reaches an export passes through
//! one of these: playbook text, profile names and observers' evidence alike.

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown inline content: characters with markup meaning get a backslash,
/// raw HTML cannot open, and line breaks become spaces so a value cannot start a new block.
pub(crate) fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#"<img src="x" onerror='y'>&"#),
            "&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;"
        );
        assert_eq!(html("スマホの Wi-Fi"), "スマホの Wi-Fi");
    }

    #[test]
    fn markdown_neutralises_links_html_and_new_blocks() {
        assert_eq!(
            markdown("[x](javascript:y) <b>\n# h|"),
            "\\[x\\](javascript:y) \\<b\\> \\# h\\|"
        );
    }
}
