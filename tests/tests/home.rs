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
    let h1 = app
        .wait_text("h1", Duration::from_secs(10), |t| t.contains("ログイン"))
        .await?;
    assert!(
        h1.contains("ログイン"),
        "the home title is Japanese: {h1:?}"
    );
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
    app.screenshot("home-ja").await?;

    // Switch to English: the button says so for assistive tech, and the text changes.
    app.client
        .find(Locator::Css("button[data-lang='en']"))
        .await?
        .click()
        .await?;
    let h1 = app
        .wait_text("h1", Duration::from_secs(10), |t| {
            t.starts_with("Helps you log in")
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
    app.screenshot("home-en").await?;
    Ok(())
}
