//! A real Chromium (headless, with an iPhone and an Android User-Agent) opens the URL decoded
//! from the rendered QR code, and the PC side sees the phone on the Wi-Fi with its platform.
#![allow(clippy::unwrap_used)]

mod phone_common;

use std::time::{Duration, Instant};

use phone_common::*;
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig, PhoneEvent, Platform};

/// Rasterises the SVG QR and reads it back with a QR decoder, as a phone camera would.
fn decode_rendered_qr(svg: &str) -> String {
    let tree =
        resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("SVG parses");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("pixmap");
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let data = pixmap.data();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let i = (y * w + x) * 4;
        ((u16::from(data[i]) + u16::from(data[i + 1]) + u16::from(data[i + 2])) / 3) as u8
    });
    let grids = img.detect_grids();
    assert_eq!(
        grids.len(),
        1,
        "expected exactly one QR code in the rendering"
    );
    let (_meta, content) = grids[0].decode().expect("QR decodes");
    content
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rendered_qr_decodes_to_exactly_the_check_url() {
    let check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    assert_eq!(decode_rendered_qr(check.qr_svg()), check.url());
    let token = check.url().rsplit('/').next().unwrap();
    assert_eq!(token.len(), 22, "token is not 128 bits in base64url");
}

async fn phone_opens_the_qr(user_agent: &str, accept_language: &str, want: Platform) {
    if !prerequisite(
        chrome_available(),
        "needs chromium + chromium-driver (apt-get install chromium chromium-driver) and root (the browser runs in its own pid namespace)",
    ) {
        return;
    }
    let _one_at_a_time = BROWSER.lock().await;
    let mut check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    let url = decode_rendered_qr(check.qr_svg());
    let driver = ChromeDriver::start(None);
    let client = driver.session(user_agent, accept_language).await;

    let opened = Instant::now();
    let nav = {
        let client = client.clone();
        let url = url.clone();
        tokio::spawn(async move { client.goto(&url).await })
    };
    let seen = wait_for(check.events(), Duration::from_secs(1), |e| {
        matches!(e, PhoneEvent::OnLan { .. })
    })
    .await;
    let (event, after) = seen.expect("the PC did not see the phone on the Wi-Fi within 1 s");
    println!("{want:?}: phone seen on the LAN {after:?} after navigation started");
    assert_eq!(
        event,
        PhoneEvent::OnLan {
            platform: want,
            pc_tethered: false
        }
    );
    nav.await.unwrap().expect("page loads");
    assert!(opened.elapsed() < Duration::from_secs(10));

    // The page shows the Wi-Fi state in the phone's language, and its heartbeats arrive.
    assert_eq!(page_state(&client).await, "wifi");
    let html = client.source().await.unwrap();
    match (want, accept_language.starts_with("ja")) {
        (Platform::Iphone, true) => assert!(
            html.contains("コントロールセンター"),
            "no iPhone steps in Japanese"
        ),
        (Platform::Android, false) => assert!(
            html.contains("Quick Settings"),
            "no Android steps in English"
        ),
        _ => {}
    }
    // The script ran under the CSP (no violation stopped it): it reports connection type and
    // keeps the phone present across several heartbeats.
    let quiet = drain_for(check.events(), Duration::from_secs(6)).await;
    assert!(
        !quiet
            .iter()
            .any(|e| matches!(e, PhoneEvent::LeftLan { .. })),
        "heartbeats from the real page did not keep the phone present: {quiet:?}"
    );
    // When the PC ends the check, the page says so instead of claiming the Wi-Fi went off.
    let stopper = tokio::spawn(async move { check.stop().await });
    let state = wait_page_state(&client, "ended", Duration::from_secs(5)).await;
    assert_eq!(
        state, "ended",
        "the page did not learn that the check ended"
    );
    stopper.await.unwrap();
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iphone_browser_opening_the_qr_is_seen_on_wifi_within_1_s() {
    phone_opens_the_qr(IPHONE_UA, "ja-JP,ja", Platform::Iphone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn android_browser_opening_the_qr_is_seen_on_wifi_within_1_s() {
    phone_opens_the_qr(ANDROID_UA, "en-US,en", Platform::Android).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browsers_connection_type_reaches_the_pc() {
    if !prerequisite(
        chrome_available(),
        "needs chromium + chromium-driver and root",
    ) {
        return;
    }
    let _one_at_a_time = BROWSER.lock().await;
    let mut check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    let driver = ChromeDriver::start(None);
    // `navigator.connection.type` exists only where Blink's NetInfoDownlinkMax feature is on
    // (Android, ChromeOS); turn it on to behave like Android Chrome.
    let client = driver
        .session_with(
            ANDROID_UA,
            "ja",
            &["--enable-blink-features=NetInfoDownlinkMax"],
        )
        .await;
    client.goto(check.url()).await.unwrap();
    // With the feature on, the page reports the real type (this machine's, e.g. "ethernet").
    let real = wait_for(check.events(), Duration::from_secs(5), |e| {
        matches!(e, PhoneEvent::ReportedConnection { .. })
    })
    .await;
    assert!(
        real.is_some(),
        "the page did not report the browser's own connection type"
    );
    // Then stand in for Android Chrome on its mobile line. Chromium's DevTools network
    // emulation does not change `navigator.connection.type` (tried), so the property is
    // replaced in the page; everything after it (the page's reading, the heartbeat, the
    // server, presence) is real.
    client
        .execute(
            "Object.defineProperty(navigator, 'connection', {configurable: true, get: function () { return {type: 'cellular'}; }}); return navigator.connection.type;",
            vec![],
        )
        .await
        .unwrap();
    // The machine's own type ("ethernet" here) may be reported first; then the emulated one.
    let seen = wait_for(check.events(), Duration::from_secs(5), |e| {
        matches!(e, PhoneEvent::ReportedConnection { connection, .. } if connection == "cellular")
    })
    .await;
    let (event, _) = seen.expect("the page never reported the cellular connection type");
    assert_eq!(
        event,
        PhoneEvent::ReportedConnection {
            connection: "cellular".into(),
            pc_tethered: false
        }
    );
    let facts = event.observations(tebiki_core::facts::UnixMs::now());
    assert!(
        facts
            .iter()
            .any(|o| o.key == "phone.network" && o.value == "cellular")
    );
    client.close().await.unwrap();
}
