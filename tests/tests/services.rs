//! A service beyond au, end to end in the real app (tauri-driver + WebKitWebDriver under
//! Xvfb): マイナポータル with the 4-digit PIN's wrong tries reported until Tebiki stops one try
//! before the lock; the stop survives SIGKILL and a new session of the same service, and the
//! screens with the new constructs (the counter, the picture choices, the six services on
//! home) fit every window size and pass axe-core. Every control is reached with the keyboard.

use std::time::Duration;

use tebiki_e2e::{AppOptions, AppSession, MustSee, skip_unless_available};

async fn click(app: &AppSession, css: &str) -> tebiki_e2e::Result<()> {
    app.keyboard_press(css).await
}

async fn attr(app: &AppSession, css: &str, name: &str) -> tebiki_e2e::Result<String> {
    let v = app
        .client
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            vec![css.into(), name.into()],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// From home to the PIN step of マイナポータル.
async fn to_the_pin(app: &AppSession) -> tebiki_e2e::Result<()> {
    click(app, "button[data-playbook='mynaportal']").await?;
    app.wait_step("pc_open").await?;
    click(app, "#next").await?;
    app.wait_step("pc_choose_qr").await?;
    click(app, "#next").await?;
    app.wait_step("phone_ready").await?;
    for fact in [
        "phone.myna_app",
        "phone.nfc",
        "phone.case",
        "phone.pin_known",
    ] {
        let css = format!("button[data-fact='{fact}']");
        click(app, &css).await?;
        app.wait_text(&format!("{css} .box"), Duration::from_secs(5), |t| t == "☑")
            .await?;
    }
    click(app, "#next").await?;
    app.wait_step("phone_scan").await?;
    click(app, "#next").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mynaportal_stops_before_the_pin_locks_and_the_stop_outlives_a_kill_and_a_new_session() {
    if skip_unless_available() {
        return;
    }
    let home = tempfile::Builder::new()
        .prefix("tebiki-myna-")
        .tempdir()
        .expect("home");
    let options = AppOptions {
        env: vec![("TEBIKI_PROBE".into(), "off".into())],
        home: Some(home.path().to_path_buf()),
        keyring: false,
    };
    let mut failures: Vec<String> = Vec::new();
    let app = AppSession::start_with(options.clone())
        .await
        .expect("first start");
    let first = async {
        app.wait_ready().await?;
        // Home offers all six services, in words the person knows, and still fits.
        let names = app
            .client
            .execute(
                "return [...document.querySelectorAll('button[data-playbook]')].map(b => b.textContent);",
                vec![],
            )
            .await?;
        let names: Vec<String> = serde_json::from_value(names).unwrap_or_default();
        assert_eq!(names.len(), 6, "{names:?}");
        for want in [
            "ドコモのスマホ（dアカウント）",
            "ソフトバンク・ワイモバイル・LINEMO",
            "楽天モバイル（楽天ID）",
            "マイナポータル（マイナンバーカード）",
            "LINE をパソコンで",
        ] {
            assert!(names.iter().any(|n| n.contains(want)), "{want} in {names:?}");
        }
        if let Err(e) = app
            .check_screen(
                "services-home",
                &MustSee::new(&["#screen-title", "button[data-playbook='line-pc']"], &[]),
            )
            .await
        {
            failures.push(e.to_string());
        }

        to_the_pin(&app).await?;
        app.wait_step("phone_pin").await?;
        assert_eq!(attr(&app, ".counter", "data-wrong").await?, "0");
        let mut must = MustSee::step();
        must.present.push(".counter".into());
        if let Err(e) = app.check_screen("myna-phone_pin", &must).await {
            failures.push(e.to_string());
        }
        app.screenshot("services-myna-pin").await?;
        // One wrong try ("2 tries left"): Tebiki counts it and says so, and stays.
        click(&app, "button.count[data-action='0']").await?;
        app.wait_text(".counter", Duration::from_secs(5), |t| t.contains("まちがえた回数：1回"))
            .await?;
        assert_eq!(attr(&app, ".counter", "data-wrong").await?, "1");
        // The phone says one try is left: Tebiki stops before the last one.
        click(&app, "button.count[data-action='1']").await?;
        app.wait_step("branch_pin_stop").await?;
        let why = app
            .wait_text("#explanation", Duration::from_secs(5), |t| t.contains("止めます"))
            .await?;
        assert!(why.contains("2回まちがえた"), "{why}");
        let mut must = MustSee::step();
        must.present.push("button.choice".into());
        if let Err(e) = app.check_screen("myna-branch_pin_stop", &must).await {
            failures.push(e.to_string());
        }
        app.screenshot("services-myna-stop").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    // SIGKILL: nothing saved on the way out.
    app.crash();
    first.expect("first run");

    let app = AppSession::start_with(options).await.expect("second start");
    let second = async {
        app.wait_ready().await?;
        app.wait_step("branch_pin_stop").await?;
        // End this session and begin a new one of the same service: the count is the card's.
        click(&app, "#end").await?;
        app.wait_present(
            "button[data-playbook='mynaportal']",
            Duration::from_secs(10),
        )
        .await?;
        to_the_pin(&app).await?;
        app.wait_step("branch_pin_stop").await?;
        // Resetting the PIN (the person's word) opens the way again, counted from 0.
        click(&app, "button.choice[data-go-to='pin_reset_done']").await?;
        app.wait_step("pin_reset_done").await?;
        app.screenshot("services-myna-reset").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    let counts = std::fs::read_to_string(
        walk(home.path(), "counts.json").expect("counts.json in the app's data directory"),
    )
    .expect("read counts");
    app.close().await;
    second.expect("second run");
    assert!(
        !counts.contains("user_pin"),
        "the reset cleared the count: {counts}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn walk(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == name) {
            return Some(p);
        }
        if p.is_dir()
            && let Some(found) = walk(&p, name)
        {
            return Some(found);
        }
    }
    None
}

/// Puts `text` into the field as an input method would (the value, then an `input` event):
/// the screen is rebuilt every second, so a WebDriver element handle would go stale mid-typing.
async fn type_into(app: &AppSession, css: &str, text: &str) -> tebiki_e2e::Result<()> {
    app.client
        .execute(
            "const e = document.querySelector(arguments[0]); e.focus(); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![css.into(), text.into()],
        )
        .await?;
    Ok(())
}

/// `HH:MM` in Japan, `minutes` from now.
fn jst_in(minutes: u64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 9 * 3600
        + minutes * 60;
    format!("{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docomo_chooses_the_route_by_picture_and_counts_down_to_the_expiry_typed_from_the_sms() {
    if skip_unless_available() {
        return;
    }
    let options = AppOptions {
        env: vec![
            ("TEBIKI_PROBE".into(), "off".into()),
            // The SMS prints Japan's time; so does the family's PC.
            ("TZ".into(), "Asia/Tokyo".into()),
        ],
        home: None,
        keyring: false,
    };
    let app = AppSession::start_with(options).await.expect("start");
    let mut failures: Vec<String> = Vec::new();
    let run = async {
        app.wait_ready().await?;
        click(&app, "button[data-playbook='docomo-d-account']").await?;
        app.wait_step("pc_login").await?;
        click(&app, "#next").await?;
        app.wait_step("pc_password").await?;
        click(&app, "#next").await?;
        app.wait_step("pc_which_screen").await?;
        // A choosing step: pictures to press, no "Next".
        let next = app
            .client
            .execute("return document.querySelector('#next') === null;", vec![])
            .await?;
        assert_eq!(next.as_bool(), Some(true), "a choosing step has no Next");
        let mut must = MustSee::step();
        must.present.push("button.choice".into());
        if let Err(e) = app.check_screen("docomo-pc_which_screen", &must).await {
            failures.push(e.to_string());
        }
        app.screenshot("services-docomo-choice").await?;
        click(&app, "button.choice[data-go-to='sms_phone']").await?;
        app.wait_step("sms_phone").await?;
        click(&app, "button[data-fact='phone.sms_phone']").await?;
        click(&app, "#next").await?;
        app.wait_step("sms_code").await?;
        // Nonsense: refused with what to type, and what was typed stays in the field.
        type_into(&app, "form.expiry input", "あした").await?;
        click(&app, "button.expiry-set").await?;
        app.wait_text("#explanation", Duration::from_secs(5), |t| {
            t.contains("12:34")
        })
        .await?;
        // Two snapshots later (the screen is rebuilt every second) the text is still there.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let kept = app
            .client
            .execute(
                "return document.querySelector('form.expiry input').value;",
                vec![],
            )
            .await?;
        assert_eq!(kept.as_str(), Some("あした"));
        // The real expiry, ten minutes from now, typed in full-width digits as a Japanese
        // input method would: the countdown runs to it and says where the time comes from.
        let when: String = jst_in(10)
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
                ':' => '：',
                other => other,
            })
            .collect();
        type_into(&app, "form.expiry input", &when).await?;
        click(&app, "button.expiry-set").await?;
        let label = app
            .wait_text("#countdown", Duration::from_secs(5), |t| !t.is_empty())
            .await?;
        let _ = label;
        let page = app
            .wait_text("section.session", Duration::from_secs(5), |t| {
                t.contains("メッセージに書かれた有効期限")
            })
            .await?;
        assert!(page.contains("メッセージに書かれた有効期限"), "{page}");
        let mut must = MustSee::step();
        must.present.push("form.expiry".into());
        if let Err(e) = app.check_screen("docomo-sms_code", &must).await {
            failures.push(e.to_string());
        }
        app.screenshot("services-docomo-expiry").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    app.close().await;
    run.expect("docomo journey");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
