//! axe-core (the accessibility engine pinned in tests/axe) on the phone's page, in a real
//! headless Chromium at a phone-sized viewport (390×844), in Japanese and in English, on an
//! iPhone and an Android phone: nothing serious or critical, including the AAA contrast rule
//! (7:1 for body text). Then on the page's "ended" state, which the PC can cause at any time.
//! A grey probe paragraph shows the check does fail when the contrast rule is broken.
#![allow(clippy::unwrap_used)]

mod phone_common;

#[path = "../../tests/src/axe.rs"]
mod axe;

use std::time::Duration;

use phone_common::*;
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig};

/// A headless Chromium with a phone's viewport (390×844 CSS pixels at 3× density, through
/// ChromeDriver's mobile emulation: a headless window is never narrower than 500 pixels).
async fn phone_session(
    driver: &ChromeDriver,
    profile: &TempDir,
    user_agent: &str,
    accept_language: &str,
) -> fantoccini::Client {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "mobileEmulation": {
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true, "mobile": true },
                "userAgent": user_agent,
            },
            "prefs": { "intl.accept_languages": accept_language },
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    let mut builder =
        fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(caps);
    builder
        .connect(&driver.url)
        .await
        .expect("chromedriver session")
}

async fn phone_page_passes_axe(user_agent: &str, accept_language: &str, name: &str) {
    if !prerequisite(
        chrome_available(),
        "needs chromium + chromium-driver (apt-get install chromium chromium-driver) and root (the browser runs in its own pid namespace)",
    ) {
        return;
    }
    // Without axe-core the check cannot run: that is a failure, not a skip.
    axe::axe_source().unwrap();
    let _one_at_a_time = BROWSER.lock().await;
    let mut check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    let driver = ChromeDriver::start(None);
    let profile = TempDir::new("axe-phone");
    let client = phone_session(&driver, &profile, user_agent, accept_language).await;
    client.goto(check.url()).await.unwrap();
    assert_eq!(
        wait_page_state(&client, "wifi", Duration::from_secs(10)).await,
        "wifi"
    );
    let size = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .unwrap();
    let width = size[0].as_f64().unwrap();
    assert!(width <= 420.0, "a phone-sized viewport, not {size:?}");
    if let Err(e) = axe::assert_no_serious(&client, &format!("the phone page ({name})")).await {
        panic!("{e}");
    }
    // The check can fail: grey body text at 4.6:1 passes WCAG AA but not the 7:1 rule.
    client
        .execute(
            "const p = document.createElement('p'); p.id = 'axe-probe'; p.textContent = 'grey text'; \
             p.style.color = '#707070'; p.style.background = '#ffffff'; document.body.append(p);",
            vec![],
        )
        .await
        .unwrap();
    let caught = axe::assert_no_serious(&client, "the phone page with a grey probe").await;
    let why = caught.expect_err("axe must refuse text below 7:1");
    assert!(why.contains("color-contrast-enhanced"), "{why}");
    assert!(
        !why.contains("[serious] color-contrast:"),
        "4.6:1 passes AA: {why}"
    );
    client
        .execute("document.getElementById('axe-probe').remove();", vec![])
        .await
        .unwrap();
    // The page after the PC ends the check.
    let stopper = tokio::spawn(async move { check.stop().await });
    assert_eq!(
        wait_page_state(&client, "ended", Duration::from_secs(5)).await,
        "ended"
    );
    stopper.await.unwrap();
    if let Err(e) =
        axe::assert_no_serious(&client, &format!("the phone page, ended ({name})")).await
    {
        panic!("{e}");
    }
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_on_an_iphone_in_japanese_has_no_serious_axe_violation() {
    phone_page_passes_axe(IPHONE_UA, "ja-JP,ja", "iPhone, ja").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_on_android_in_english_has_no_serious_axe_violation() {
    phone_page_passes_axe(ANDROID_UA, "en-US,en", "Android, en").await;
}
