//! What the actor itself tells the person, in Japanese and English (the engine's, the phone
//! check's and the network's own sentences live with them). One function per sentence, named
//! for when it is said.

use crate::app::snapshot::PhoneState;
use crate::i18n::Text;
use crate::phone::PhoneError;

// ----- the session -----

pub(super) fn resumed() -> Text {
    Text::new(
        "前回の続きから再開しました。",
        "Picked up where you left off.",
    )
}

pub(super) fn session_under_way() -> Text {
    Text::new(
        "すでに手順の途中です。終える場合は「終了する」を押してください。",
        "A session is already under way. Press \"End\" to finish it first.",
    )
}

pub(super) fn playbook_not_found() -> Text {
    Text::new(
        "その手順書は見つかりませんでした。",
        "That guide was not found.",
    )
}

pub(super) fn progress_not_saved() -> Text {
    Text::new(
        "途中経過を保存できませんでした。このまま続けられますが、アプリを閉じると最初からになります。",
        "Could not save the progress. You can go on, but closing the app will start over.",
    )
}

pub(super) fn not_official() -> Text {
    Text::new(
        "公式のページではないため、開きませんでした。",
        "Not an official page, so it was not opened.",
    )
}

pub(super) fn qr_failed() -> Text {
    Text::new(
        "QR コードを表示できませんでした。",
        "Could not show the QR code.",
    )
}

pub(super) fn window_warning(left_ms: i64) -> Text {
    let minutes = (left_ms + 59_999) / 60_000;
    Text::new(
        format!(
            "パソコンでログインできる時間は、あと約 {minutes} 分の見込みです（利用者の報告による目安です）。"
        ),
        format!(
            "About {minutes} min likely left to log in on the PC (an estimate from a user report)."
        ),
    )
}

// ----- the phone -----

/// What the person reads while the QR waits. On Windows the firewall asks, the first time the
/// check listens, whether Tebiki may accept connections: the answer decides whether the phone
/// can reach the PC at all, so the words say which box to tick before the dialog appears.
pub(super) fn waiting_message(on_windows: bool) -> Text {
    let base = phone_message(PhoneState::Waiting);
    if !on_windows {
        return base;
    }
    Text::new(
        format!(
            "{} 「Windows セキュリティの重要な警告」が出たら、「プライベート ネットワーク」にチェックを入れて「アクセスを許可する」を押してください。",
            base.ja
        ),
        format!(
            "{} If “Windows Security Alert” appears, tick “Private networks” and press “Allow access”.",
            base.en
        ),
    )
}

pub(super) fn phone_message(state: PhoneState) -> Text {
    match state {
        PhoneState::Waiting => Text::new(
            "スマホのカメラで、この QR コードを読み取ってください。",
            "Scan this QR code with the phone's camera.",
        ),
        PhoneState::OnLan => Text::new(
            "スマホは、まだ家の Wi-Fi につながっています。スマホの Wi-Fi を切ってください。",
            "The phone is still on the home Wi-Fi. Please turn the phone's Wi-Fi off.",
        ),
        PhoneState::OnLanHidden => Text::new(
            "スマホは、まだ家の Wi-Fi につながっています（画面が消えているか、別の画面です）。スマホの Wi-Fi を切ってください。",
            "The phone is still on the home Wi-Fi (its screen is off or showing something else). Please turn the phone's Wi-Fi off.",
        ),
        PhoneState::Hidden => Text::new(
            "スマホの画面が消えたか、別の画面になっています。手引きが家の Wi-Fi の側から確かめています。",
            "The phone's screen is off or showing something else. Tebiki is checking from the home network's side.",
        ),
        PhoneState::LeftLan => Text::new(
            "スマホが家の Wi-Fi から離れたことを確かめました。",
            "Tebiki has seen the phone leave the home Wi-Fi.",
        ),
        PhoneState::PageSilent => Text::new(
            "スマホは家の Wi-Fi にいますが、確認のページが止まっています。スマホでページを開き直してください。",
            "The phone is on the home Wi-Fi, but its check page has stopped. Please reload the page on the phone.",
        ),
        PhoneState::Unknown => Text::new(
            "いまは、スマホが家の Wi-Fi にいるかどうか分かりません。スマホで確認のページを開いてください。",
            "Tebiki cannot tell right now whether the phone is on the home Wi-Fi. Please open the check page on the phone.",
        ),
        PhoneState::PcTethered => Text::new(
            "このパソコンはスマホを通してインターネットにつながっています。スマホは家の Wi-Fi を使っていません。",
            "This PC reaches the internet through the phone, so the phone is not using the home Wi-Fi.",
        ),
        PhoneState::NeverScanned => Text::new(
            "QR コードがまだ読み取られていません。カメラアプリで読み取れないときは、スマホが同じ Wi-Fi につながっているか、ゲスト用 Wi-Fi でないかを確かめてください。",
            "The QR code has not been opened yet. If the camera cannot open it, check that the smartphone is on the same Wi-Fi and not on a guest network.",
        ),
        PhoneState::Failed => Text::new(
            "スマホとの確認を始められませんでした。",
            "The smartphone check could not start.",
        ),
        PhoneState::Ended => Text::new(
            "スマホの確認は時間切れで終わりました。もう一度始めるには「QR コードを表示」を押してください。",
            "The smartphone check timed out. Press \"Show the QR code\" to start it again.",
        ),
    }
}

pub(super) fn phone_error_text(e: &PhoneError) -> Text {
    match e {
        PhoneError::NoLanAddress { .. } => Text::new(
            "このパソコンが家の Wi-Fi や有線のネットワークにつながっていないため、スマホの確認ができません。VPN を使っている場合は切ってから、もう一度お試しください。",
            "This PC is not on the home Wi-Fi or wired network, so the smartphone cannot be checked. If a VPN is on, turn it off and try again.",
        ),
        _ => Text::new(
            "スマホとの確認を始められませんでした。アプリを閉じて、もう一度開いてください。",
            "The smartphone check could not start. Please close the app and open it again.",
        ),
    }
}

// ----- the helper: profiles, the keychain, the clipboard -----

pub(super) fn profiles_not_open() -> Text {
    Text::new(
        "プロフィールのファイルを開けませんでした。手引きを開き直してください。",
        "The profiles could not be opened. Please reopen Tebiki.",
    )
}

pub(super) fn profile_added(name: &str) -> Text {
    Text::new(
        format!("「{name}」を追加しました。"),
        format!("Added “{name}”."),
    )
}

pub(super) fn profile_saved(name: &str) -> Text {
    Text::new(
        format!("「{name}」を保存しました。"),
        format!("Saved “{name}”."),
    )
}

pub(super) fn profile_deleted(name: &str) -> Text {
    Text::new(
        format!("「{name}」を削除しました。"),
        format!("Deleted “{name}”."),
    )
}

pub(super) fn consent_missing() -> Text {
    Text::new(
        "保存するには、説明を読んで「保存してよい」にチェックを入れてください。ID は保存していません。",
        "To save, read the explanation and tick “OK to save”. The ID was not saved.",
    )
}

pub(super) fn id_saved() -> Text {
    Text::new(
        "ID を保存しました。この PC の安全な保存場所（OS のキーチェーン）に入っています。",
        "ID saved. It is kept in this PC's safe storage (the OS keychain).",
    )
}

pub(super) fn id_deleted() -> Text {
    Text::new(
        "保存していた ID を削除しました。",
        "The saved ID was deleted.",
    )
}

pub(super) fn removed_profiles_id_stays() -> Text {
    Text::new(
        "プロフィールは削除しましたが、保存場所が使えないため、保存していた ID は消せませんでした。保存場所が使えるようになったら、もう一度お試しください。",
        "The profile was deleted, but its saved ID could not be removed because the safe storage is not available. Please try again when it is.",
    )
}

pub(super) fn id_copied(secs: i64) -> Text {
    Text::new(
        format!(
            "ID をコピーしました。ログイン画面の ID の欄に貼り付けてください（{secs} 秒後にクリップボードから消します）。"
        ),
        format!(
            "ID copied. Paste it into the ID field of the login page (it is cleared from the clipboard in {secs} s)."
        ),
    )
}

pub(super) fn no_saved_id() -> Text {
    Text::new(
        "保存されたお客さま ID はありません。ID はご自分で入力してください。",
        "No account ID is saved. Please type the ID yourself.",
    )
}

// ----- the papers: the record and the order card -----

pub(super) fn no_record_yet() -> Text {
    Text::new(
        "まだ記録がありません。手順を一度行うと、記録ができます。",
        "There is no record yet. One is made when a session runs.",
    )
}

pub(super) fn export_saved(path: &str) -> Text {
    Text::new(format!("保存しました：{path}"), format!("Saved: {path}"))
}

pub(super) fn export_failed() -> Text {
    Text::new(
        "ファイルを保存できませんでした。ディスクの空きをお確かめください。",
        "The file could not be saved. Please check the disk has space.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_windows_the_waiting_words_say_how_to_answer_the_firewall() {
        let plain = waiting_message(false);
        assert!(!plain.ja.contains("Windows"));
        let windows = waiting_message(true);
        assert!(windows.ja.starts_with(&plain.ja));
        assert!(
            windows.ja.contains("「プライベート ネットワーク」")
                && windows.ja.contains("「アクセスを許可する」")
        );
        assert!(windows.en.contains("Private networks") && windows.en.contains("Allow access"));
    }
}
