//! The seam to the desktop shell: what only a desktop can do, and how it fails.

use std::path::{Path, PathBuf};

use crate::i18n::Text;

/// What only the desktop shell can do. The Tauri shell implements it with its plugins;
/// tests record the calls.
pub trait Desktop: Send + Sync + 'static {
    /// Opens an official https page in the user's default browser (never inside Tebiki).
    fn open_url(&self, url: &str) -> Result<(), DesktopError>;
    /// Shows a system notification (the window may be hidden or behind the browser).
    fn notify(&self, text: &Text);
    /// Puts `text` on the system clipboard ("copy ID"). The default is a desktop without
    /// a clipboard: the copy fails and the user is told to type the ID.
    fn copy_text(&self, text: &str) -> Result<(), DesktopError> {
        let _ = text;
        Err(DesktopError::Copy {
            detail: "this desktop has no clipboard".to_owned(),
        })
    }
    /// The clipboard's text now; `None` when it holds no text or cannot be read (the
    /// clipboard rule then clears it to be safe: an ID left behind is worse).
    fn read_text(&self) -> Option<String> {
        None
    }
    /// Empties the clipboard.
    fn clear_clipboard(&self) -> Result<(), DesktopError> {
        Ok(())
    }
    /// Opens a file Tebiki wrote (an exported order card or record) in the default program
    /// for it, to print. The default cannot.
    fn open_file(&self, path: &Path) -> Result<(), DesktopError> {
        Err(DesktopError::OpenFile {
            path: path.to_owned(),
            detail: "this desktop cannot open files".to_owned(),
        })
    }
    /// The SVG text of one of the window's pictures (`pictures/<id>.svg`), so an exported
    /// order card carries its pictures inside. The default has none (the card then prints
    /// without pictures).
    fn picture_svg(&self, id: &str) -> Option<String> {
        let _ = id;
        None
    }
}

/// A desktop action that failed. `detail` is what the OS or the plugin said, in English, for
/// the log; [`DesktopError::user_message`] is what the person reads: what did not happen and
/// what to do instead. It never carries the copied text (an account ID).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesktopError {
    #[error("could not open {url} in the browser: {detail}")]
    OpenUrl { url: String, detail: String },
    #[error("could not copy to the clipboard: {detail}")]
    Copy { detail: String },
    #[error("could not clear the clipboard: {detail}")]
    ClearClipboard { detail: String },
    #[error("could not open {}: {detail}", path.display())]
    OpenFile { path: PathBuf, detail: String },
}

impl DesktopError {
    /// In plain Japanese and English: what did not happen, and what the person can do.
    pub fn user_message(&self) -> Text {
        match self {
            DesktopError::OpenUrl { url, .. } => Text::new(
                format!(
                    "ブラウザーを開けませんでした。ブラウザーで次のページを開いてください：{url}"
                ),
                format!("Could not open the browser. Please open this page in your browser: {url}"),
            ),
            DesktopError::Copy { .. } => Text::new(
                "ID をコピーできませんでした。ID はご自分で入力してください。",
                "The ID could not be copied. Please type the ID yourself.",
            ),
            DesktopError::ClearClipboard { .. } => Text::new(
                "コピーした ID をクリップボードから消せませんでした。念のため、ほかの文字をコピーして上書きしてください。",
                "The copied ID could not be cleared from the clipboard. Please copy some other text over it, to be safe.",
            ),
            DesktopError::OpenFile { path, .. } => {
                let path = path.display();
                Text::new(
                    format!("ファイルを開けませんでした。次の場所から開いてください：{path}"),
                    format!("The file could not be opened. Please open it from: {path}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_tells_the_person_what_to_do_in_both_languages() {
        let all = [
            DesktopError::OpenUrl {
                url: "https://id.auone.jp/".into(),
                detail: "no browser".into(),
            },
            DesktopError::Copy {
                detail: "no clipboard".into(),
            },
            DesktopError::ClearClipboard {
                detail: "no clipboard".into(),
            },
            DesktopError::OpenFile {
                path: PathBuf::from("/tmp/card.html"),
                detail: "no program".into(),
            },
        ];
        for e in &all {
            let m = e.user_message();
            assert!(m.ja.contains("ください") && m.en.contains("lease"), "{m:?}");
            // What the OS said is for the log only.
            assert!(!m.en.contains("no ") && !m.ja.contains("no "), "{m:?}");
        }
        // Where to go instead is in the words themselves.
        assert!(all[0].user_message().ja.contains("https://id.auone.jp/"));
        assert!(all[3].user_message().en.contains("/tmp/card.html"));
    }
}
