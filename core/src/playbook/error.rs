//! Errors a helper or playbook author reads: where (`file:line:column`) and what to fix.

use std::ops::Range;

/// One problem in a playbook file. `line` and `column` count from 1; both are 0 when the
/// problem has no position (the file could not be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct PlaybookError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl PlaybookError {
    /// An error at a byte range of `text`.
    pub fn at(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, span.start);
        PlaybookError {
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error about the file as a whole.
    pub fn whole(file: &str, message: impl Into<String>) -> Self {
        PlaybookError {
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }

    fn render(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.file, self.message)
        } else {
            format!(
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let text = "a = 1\nあい = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // "あい" is 6 bytes but 2 characters.
        assert_eq!(line_column(text, 6 + 6), (2, 3));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn errors_render_with_or_without_position() {
        let e = PlaybookError::at("x.toml", "a\nb", 2..3, "bad b");
        assert_eq!(e.to_string(), "x.toml:2:1: bad b");
        assert_eq!(
            PlaybookError::whole("x.toml", "missing").to_string(),
            "x.toml: missing"
        );
    }
}
