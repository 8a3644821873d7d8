//! The real app, launched by tauri-driver under a private Xvfb: the home screen speaks
//! Japanese first, the `app_info` command round-trips to the screen, and the language
//! switch changes every visible string to English.

use std::time::Duration;

use tebiki_e2e::{AppSession, Locator, skip_unless_available};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn home_screen_is_japanese_shows_app_info_and_switches_to_english() {
    if skip_unless_available() {
        return;
    }
    let app = AppSession::start()
        .await
        .expect("the app starts under tauri-driver");
    let result = journey(&app).await;
    app.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn journey(app: &AppSession) -> tebiki_e2e::Result<()> {
    app.wait_ready().await?;

    let title = app.client.title().await?;
    assert!(
        title.contains("手引き"),
        "document title is Japanese: {title:?}"
    );
    // The home title is Japanese.
    app.wait_text("h1", Duration::from_secs(10), |t| t.contains("ログイン"))
        .await?;
    let lang = app
        .client
        .find(Locator::Css("html"))
        .await?
        .attr("lang")
        .await?;
    assert_eq!(lang.as_deref(), Some("ja"));

    // app_info went through IPC to Rust and back to the screen.
    let version = env!("CARGO_PKG_VERSION");
    let info = app
        .wait_text("#app-info", Duration::from_secs(10), |t| {
            t.contains(version)
        })
        .await?;
    assert!(info.contains("バージョン"), "shown in Japanese: {info:?}");
    assert!(
        info.contains(std::env::consts::OS),
        "names the platform: {info:?}"
    );
    assert_fits_the_window(app, "ja").await?;
    app.screenshot("home-ja").await?;
    // Home at every window size and text size, in both languages, and through axe-core.
    app.check_screen(
        "home",
        &tebiki_e2e::MustSee::new(&["#screen-title", "button[data-playbook]"], &[".prepare"]),
    )
    .await?;

    // Switch to English: the button says so for assistive tech, and the text changes.
    app.client
        .find(Locator::Css("button[data-lang='en']"))
        .await?
        .click()
        .await?;
    let h1 = app
        .wait_text("h1", Duration::from_secs(10), |t| {
            t.starts_with("Log in to your accounts")
        })
        .await?;
    assert!(
        !h1.contains("ログイン"),
        "no Japanese left in the title: {h1:?}"
    );
    let info = app
        .wait_text("#app-info", Duration::from_secs(10), |t| {
            t.starts_with("Tebiki version")
        })
        .await?;
    assert!(info.contains(version), "{info:?}");
    let pressed = app
        .client
        .find(Locator::Css("button[data-lang='en']"))
        .await?
        .attr("aria-pressed")
        .await?;
    assert_eq!(pressed.as_deref(), Some("true"));
    let lang = app
        .client
        .find(Locator::Css("html"))
        .await?
        .attr("lang")
        .await?;
    assert_eq!(lang.as_deref(), Some("en"));
    let entry = app
        .wait_text("#helper-entry", Duration::from_secs(10), |t| {
            t.starts_with("For the helper")
        })
        .await?;
    assert!(
        !entry.contains("お手伝い"),
        "the helper's button in the footer follows the language: {entry:?}"
    );
    assert_fits_the_window(app, "en").await?;
    app.screenshot("home-en").await?;
    Ok(())
}

/// The home screen, with its one button and the helper's way in, is seen whole at the
/// default window size and text size: nobody has to find out that it scrolls.
async fn assert_fits_the_window(app: &AppSession, lang: &str) -> tebiki_e2e::Result<()> {
    let sizes = app
        .client
        .execute(
            "const e = document.scrollingElement; \
             const r = document.getElementById('helper-entry').getBoundingClientRect(); \
             return [e.scrollHeight, window.innerHeight, r.bottom, e.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await?;
    let n = |i: usize| sizes[i].as_f64().unwrap_or(f64::NAN);
    assert!(
        n(0) <= n(1) && n(2) <= n(1) && n(3) <= n(4),
        "the {lang} home screen scrolls or hides the helper's button at the default size: \
         [scrollHeight, innerHeight, button bottom, scrollWidth, innerWidth] = {sizes:?}"
    );
    Ok(())
}
