//! The real app with a real keychain (gnome-keyring on the session's private bus): the helper
//! opens the settings, adds a profile, saves the account ID through the consent step and
//! sees "saved", views and exports the order card, and home then offers that person's
//! service. Afterwards the whole private HOME (app data, logs, WebKit's storage) is scanned
//! for the ID: it must appear nowhere.

use std::time::Duration;

use tebiki_e2e::{AppOptions, AppSession, Locator, skip_unless_keyring_available};

const ID: &str = "hanako.e2e@example.jp";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helper_adds_a_profile_saves_the_id_with_consent_and_views_the_order_card() {
    if skip_unless_keyring_available() {
        return;
    }
    let record = tempfile::NamedTempFile::new().expect("record file");
    // Our own HOME, so it outlives the app and can be scanned after it closed.
    let home = tempfile::Builder::new()
        .prefix("tebiki-helper-")
        .tempdir()
        .expect("home");
    let app = AppSession::start_with(AppOptions {
        env: vec![
            ("TEBIKI_PROBE".into(), "off".into()),
            ("TEBIKI_NET_WATCH".into(), "off".into()),
            ("TEBIKI_CLIPBOARD_HOLD_SECS".into(), "4".into()),
            (
                "TEBIKI_RECORD_OPEN_URLS".into(),
                record.path().display().to_string(),
            ),
        ],
        home: Some(home.path().to_path_buf()),
        keyring: true,
    })
    .await
    .expect("the app starts under tauri-driver with a keyring");
    let result = journey(&app).await;
    app.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
    // The app has closed; everything it wrote is under its private HOME.
    let hits = files_containing(home.path(), ID);
    assert!(
        count_exports(home.path()) >= 1,
        "the scan covered the exported card"
    );
    assert!(hits.is_empty(), "the account ID was written to {hits:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_the_helper_sees_the_message_and_no_id_form() {
    if tebiki_e2e::skip_unless_available() {
        return;
    }
    // No keyring on the private bus (and no service activation): no safe storage.
    let app = AppSession::start_with(AppOptions {
        env: vec![
            ("TEBIKI_PROBE".into(), "off".into()),
            ("TEBIKI_NET_WATCH".into(), "off".into()),
        ],
        home: None,
        keyring: false,
    })
    .await
    .expect("the app starts");
    let result = async {
        let wait = Duration::from_secs(15);
        app.wait_ready().await?;
        click(&app, "#helper-entry").await?;
        app.wait_text("#vault-status", wait, |t| {
            t.contains("この PC では安全な保存場所が使えません")
        })
        .await?;
        click(&app, "#add-profile").await?;
        app.client
            .find(Locator::Css("#profile-name"))
            .await?
            .send_keys("鈴木さん")
            .await?;
        click(&app, "#profile-save").await?;
        app.wait_text("#profiles", wait, |t| t.contains("鈴木さん"))
            .await?;
        click(&app, "li.profile button.saved-id").await?;
        app.wait_text("#id-state", wait, |t| t.contains("確認できません"))
            .await?;
        let forms = app.client.find_all(Locator::Css("#id-form")).await?;
        assert!(
            forms.is_empty(),
            "no way to type an ID that cannot be kept safely"
        );
        shot(&app, "helper-no-keychain").await?;
        axe(&app, "helper-no-keychain").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    app.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A screenshot of the top of the screen (a click may have scrolled the page).
async fn shot(app: &AppSession, name: &str) -> tebiki_e2e::Result<()> {
    app.client.execute("window.scrollTo(0, 0)", vec![]).await?;
    app.screenshot(name).await?;
    Ok(())
}

/// axe-core on the helper's screen as it is: nothing serious or critical.
async fn axe(app: &AppSession, name: &str) -> tebiki_e2e::Result<()> {
    tebiki_e2e::axe::assert_no_serious(&app.client, name).await?;
    Ok(())
}

async fn click(app: &AppSession, css: &str) -> tebiki_e2e::Result<()> {
    app.click(css).await
}

async fn journey(app: &AppSession) -> tebiki_e2e::Result<()> {
    let wait = Duration::from_secs(15);
    app.wait_ready().await?;

    // Family mode: home with the clearly marked helper entry.
    let entry = app
        .wait_text("#helper-entry", wait, |t| t.contains("お手伝いの方へ"))
        .await?;
    assert!(entry.contains("設定"), "{entry:?}");
    click(app, "#helper-entry").await?;
    app.wait_text("h1", wait, |t| t.contains("お手伝いの方へ"))
        .await?;
    // The real Secret Service on the private bus answers.
    let vault = app
        .wait_text("#vault-status", wait, |t| t.contains("保存できます"))
        .await?;
    assert!(vault.contains("Secret Service"), "{vault:?}");
    axe(app, "helper-start").await?;

    // Add a profile.
    click(app, "#add-profile").await?;
    app.wait_text("h1", wait, |t| t.contains("プロフィールを追加"))
        .await?;
    axe(app, "helper-new-profile").await?;
    app.client
        .find(Locator::Css("#profile-name"))
        .await?
        .send_keys("山田花子さん")
        .await?;
    click(app, "input[name='platform'][value='android']").await?;
    click(app, "#profile-save").await?;
    let list = app
        .wait_text("#profiles", wait, |t| t.contains("山田花子さん"))
        .await?;
    assert!(list.contains("Android"), "{list:?}");
    assert!(
        list.contains("使用中"),
        "the first profile is in use: {list:?}"
    );
    shot(app, "helper-profiles").await?;
    axe(app, "helper-profiles").await?;

    // Save the ID: the button stays disabled until the consent box is ticked.
    click(app, "li.profile button.saved-id").await?;
    app.wait_text("h1", wait, |t| t.contains("お客さま ID の保存"))
        .await?;
    app.client
        .find(Locator::Css("#id-input"))
        .await?
        .send_keys(ID)
        .await?;
    axe(app, "helper-saved-id-form").await?;
    let save = app.client.find(Locator::Css("#id-save")).await?;
    assert!(
        save.attr("disabled").await?.is_some(),
        "no saving before consent"
    );
    click(app, "#id-consent").await?;
    app.client
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("#id-save:not([disabled])"))
        .await?;
    click(app, "#id-save").await?;
    let state = match app
        .wait_text("#id-state", wait, |t| t.contains("保存済み"))
        .await
    {
        Ok(s) => s,
        Err(e) => {
            // Say why: the app's notice names what the keychain answered.
            let notice = app
                .client
                .execute(
                    "const n = document.getElementById('notice'); return n ? n.textContent : '(no notice)';",
                    vec![],
                )
                .await?;
            return Err(format!("{e}; the notice says: {notice}").into());
        }
    };
    assert!(
        !state.contains(ID),
        "the screen shows that, not what: {state:?}"
    );
    let notice = app
        .wait_text("#notice", wait, |t| t.contains("保存しました"))
        .await?;
    assert!(notice.contains("キーチェーン"), "{notice:?}");
    shot(app, "helper-id-saved").await?;
    axe(app, "helper-id-saved").await?;

    // The order card, built from data in the window, and its export.
    click(app, "#id-back").await?;
    click(app, "#open-card").await?;
    let card = app
        .wait_text("#order-card", wait, |t| t.contains("山田花子さん"))
        .await?;
    assert!(card.contains("Android"), "the profile's phone: {card:?}");
    let steps = app
        .client
        .find_all(Locator::Css("#order-card li.card-step"))
        .await?;
    assert!(steps.len() >= 5, "{} steps", steps.len());
    shot(app, "helper-order-card").await?;
    axe(app, "helper-order-card").await?;
    click(app, "#card-export-html").await?;
    let path = app
        .wait_text("#card-export-path", wait, |t| t.contains("exports"))
        .await?;
    assert!(path.contains("order-card-"), "{path:?}");

    // The session record screen (nothing recorded yet in this home).
    click(app, "#card-back").await?;
    click(app, "#open-record").await?;
    app.client
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("#record-back"))
        .await?;
    axe(app, "helper-record").await?;
    click(app, "#record-back").await?;

    // Back to family mode: home offers this person's service, one big button.
    click(app, "#helper-done").await?;
    let who = app
        .wait_text("#for-whom", wait, |t| t.contains("山田花子さん"))
        .await?;
    assert!(who.contains("ログイン"), "{who:?}");
    let starts = app.client.find_all(Locator::Css("button.choice")).await?;
    assert_eq!(starts.len(), 1, "one start button for the active profile");
    shot(app, "home-with-profile").await?;
    app.check_screen(
        "home-with-profile",
        &tebiki_e2e::MustSee::new(&["#screen-title", "button.big-start"], &[".prepare"]),
    )
    .await?;

    // The family member starts; on the password step "copy the saved ID" puts the ID on
    // the real X clipboard, and it is cleared after the hold (4 s here, 60 s normally).
    click(app, "button.big-start").await?;
    app.wait_text("#progress", wait, |t| t.contains('1'))
        .await?;
    click(app, "#next").await?;
    app.client
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("[data-step='pc_password'] button.copy-id"))
        .await?;
    if !have_xclip() {
        return Ok(());
    }
    click(app, "button.copy-id").await?;
    app.wait_text("#notice", wait, |t| t.contains("コピーしました"))
        .await?;
    let copied = std::time::Instant::now();
    // The X selection is served by the app's clipboard thread: give it a moment.
    let mut seen = None;
    while copied.elapsed() < Duration::from_secs(2) {
        seen = clipboard(&app.display);
        if seen.as_deref() == Some(ID) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.as_deref(), Some(ID), "the ID is on the clipboard");
    let deadline = copied + Duration::from_secs(15);
    while clipboard(&app.display).as_deref() == Some(ID) {
        assert!(
            std::time::Instant::now() < deadline,
            "the ID stayed on the clipboard"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        copied.elapsed() >= Duration::from_secs(3),
        "cleared only after the hold ({:?})",
        copied.elapsed()
    );
    click(app, "#end").await?;
    app.wait_text("h1", wait, |t| t.contains("ログイン"))
        .await?;
    Ok(())
}

fn have_xclip() -> bool {
    let found = std::process::Command::new("xclip")
        .arg("-version")
        .output()
        .is_ok();
    tebiki_test_support::require(
        found,
        "the clipboard part needs xclip (apt-get install xclip)",
    )
}

/// The X clipboard's text on `display`, or `None` when it holds none.
fn clipboard(display: &str) -> Option<String> {
    let out = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .env("DISPLAY", display)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn count_exports(dir: &std::path::Path) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.parent().is_some_and(|p| p.ends_with("exports")) {
                n += 1;
            }
        }
    }
    n
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(k) if k.is_dir() => stack.push(path),
                Ok(k)
                    if k.is_file()
                        && std::fs::read(&path).is_ok_and(|b| {
                            b.windows(needle.len()).any(|w| w == needle.as_bytes())
                        }) =>
                {
                    hits.push(path);
                }
                _ => {}
            }
        }
    }
    hits
}
