//! The whole guided session on the real app (tauri-driver + WebKitWebDriver under Xvfb), with
//! Chromium as the phone in its own network namespace: the "home Wi-Fi" is a veth pair to
//! the PC, and turning the phone's Wi-Fi off takes that link down. Screens are saved as
//! artifacts (tests/artifacts/wizard-*.png, and one per screen, screen-*.png). Every control
//! is reached with Tab and pressed with Enter; every screen is measured at the common laptop
//! sizes and scalings and checked with axe-core.

#[path = "../../core/tests/phone_common/mod.rs"]
mod phone_common;

use std::time::Duration;

use phone_common::{ChromeDriver, IPHONE_UA, PhoneNetns, carrier_image_server};
use tebiki_e2e::{AppOptions, AppSession, Locator, MustSee, skip_unless_available};

fn namespaces_available() -> bool {
    phone_common::prerequisite(
        phone_common::is_root(),
        "needs root to create network namespaces",
    ) && phone_common::prerequisite(phone_common::have("ip"), "needs iproute2 (`ip`)")
        && phone_common::prerequisite(
            phone_common::chrome_available(),
            "needs chromium + chromium-driver (apt-get install chromium chromium-driver)",
        )
}

/// The whole au journey is driven with the keyboard alone: Tab until the control has the
/// focus, then Enter. A control Tab cannot reach fails the test.
async fn click(app: &AppSession, css: &str) -> tebiki_e2e::Result<()> {
    app.keyboard_press(css).await
}

/// One screen of the journey: it fits every window size and text size in both languages,
/// axe-core finds nothing serious on it, and its screenshot is saved for the docs. Failures
/// are collected, so one run names every screen that does not fit.
async fn check(app: &AppSession, name: &str, failures: &mut Vec<String>) -> tebiki_e2e::Result<()> {
    let mut must = MustSee::step();
    must.if_present.push("#explanation".into());
    if let Err(e) = app.check_screen(name, &must).await {
        failures.push(e.to_string());
    }
    Ok(())
}

/// Decodes the first QR code in a PNG screenshot.
fn decode_qr(png_path: &std::path::Path) -> String {
    let file = std::fs::File::open(png_path).expect("screenshot file");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let luma = |x: usize, y: usize| {
        let i = (y * w + x) * channels;
        let px = &buf[i..i + channels.min(3)];
        (px.iter().map(|&v| u32::from(v)).sum::<u32>() / px.len() as u32) as u8
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = img.detect_grids();
    assert!(
        !grids.is_empty(),
        "no QR code found in {}",
        png_path.display()
    );
    let (_, content) = grids[0].decode().expect("the QR decodes");
    content
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_au_session_end_to_end_with_the_phone_leaving_the_wifi() {
    if skip_unless_available() || !namespaces_available() {
        return;
    }
    let ns = PhoneNetns::create();
    let (image, _hits) = carrier_image_server(ns.cell_pc).await;
    let record = tempfile::NamedTempFile::new().expect("record file");
    let app = AppSession::start_with(AppOptions {
        env: vec![
            ("TEBIKI_PHONE_BIND".into(), ns.wifi_pc.to_string()),
            (
                "TEBIKI_CARRIER_CHECK_URL".into(),
                format!("http://{image}/favicon.gif"),
            ),
            ("TEBIKI_PROBE".into(), "off".into()),
            (
                "TEBIKI_RECORD_OPEN_URLS".into(),
                record.path().display().to_string(),
            ),
        ],
        home: None,
        keyring: false,
    })
    .await
    .expect("the app starts");
    let mut failures = Vec::new();
    let result = journey(&app, &ns, record.path(), &mut failures).await;
    app.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        failures.is_empty(),
        "{} screen(s) failed the layout or accessibility check:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn journey(
    app: &AppSession,
    ns: &PhoneNetns,
    record: &std::path::Path,
    failures: &mut Vec<String>,
) -> tebiki_e2e::Result<()> {
    app.wait_ready().await?;
    // Home: the PC's own connection is shown, measured.
    let pc = app
        .wait_text("#pc-status .pc-summary", Duration::from_secs(15), |t| {
            !t.contains("確かめています")
        })
        .await?;
    assert!(pc.contains("パソコン"), "{pc}");
    app.screenshot("wizard-01-home").await?;

    click(app, "button[data-playbook='au-id']").await?;
    app.wait_step("pc_login").await?;
    app.screenshot("wizard-02-pc-login").await?;
    check(app, "au-1-pc_login", failures).await?;
    click(app, "button.open-url").await?;
    let opened = wait_file(record, Duration::from_secs(5)).await;
    assert_eq!(
        opened.trim(),
        "https://id.auone.jp/",
        "the official page was opened"
    );

    click(app, "#next").await?;
    app.wait_step("pc_password").await?;
    check(app, "au-2-pc_password", failures).await?;
    click(app, "#next").await?;
    app.wait_step("phone_link").await?;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#phone-qr"))
        .await?;
    check(app, "au-3-phone_link", failures).await?;
    // The QR is as big as a phone camera needs from 30–50 cm (about 45 mm), not bigger.
    let side = app
        .client
        .execute(
            "return document.getElementById('phone-qr').getBoundingClientRect().width;",
            vec![],
        )
        .await?;
    let side = side.as_f64().unwrap_or(0.0);
    assert!(
        (180.0..=240.0).contains(&side),
        "the QR is {side} CSS px wide"
    );
    app.client
        .execute(
            "document.getElementById('phone-qr').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    let shot = app.screenshot("wizard-03-phone-qr").await?;
    let url = decode_qr(&shot);
    assert!(url.starts_with(&format!("http://{}:", ns.wifi_pc)), "{url}");

    // The phone (Chromium in its namespace) opens what the QR says, over the "Wi-Fi".
    let driver = ChromeDriver::start(Some((&ns.name, ns.cell_pc, ns.cell_phone)));
    let phone = driver.session(IPHONE_UA, "ja-JP,ja").await;
    phone.goto(&url).await?;
    let status = app
        .wait_text("#phone-status", Duration::from_secs(5), |t| {
            t.contains("Wi-Fi につながっています")
        })
        .await?;
    assert!(status.contains("切ってください"), "{status}");
    // `wait_text` looks the element up again on every try: the screen is rebuilt for each
    // snapshot, so an element found a moment ago may already have been replaced.
    app.wait_text(".phone-platform", Duration::from_secs(5), |t| {
        t.contains("iPhone")
    })
    .await?;
    app.screenshot("wizard-04-phone-on-wifi").await?;

    click(app, "#next").await?;
    app.wait_step("phone_wifi_off").await?;
    // Still on the Wi-Fi: "Next" is refused with the reason.
    click(app, "#next").await?;
    app.wait_text("#explanation", Duration::from_secs(15), |t| {
        t.contains("Wi-Fi")
    })
    .await?;
    app.wait_step("phone_wifi_off").await?;
    app.screenshot("wizard-05-refused-on-wifi").await?;
    check(app, "au-4-phone_wifi_off-refused", failures).await?;

    // The phone's Wi-Fi goes off: its link to the home network goes down, and the PC sees
    // it stop answering (unicast ARP) as well as its page go silent.
    ns.wifi_off();
    let left = app
        .wait_text("#phone-status", Duration::from_secs(8), |t| {
            t.contains("離れたことを確かめました")
        })
        .await?;
    assert!(left.contains("家の Wi-Fi"), "{left}");
    assert!(
        !left.contains("モバイル回線"),
        "which line the phone uses is not claimed as measured: {left}"
    );
    let state = phone_common::wait_page_state(&phone, "ok", Duration::from_secs(20)).await;
    assert_eq!(state, "ok", "the phone page confirmed its mobile line");
    app.screenshot("wizard-06-left-wifi").await?;

    click(app, "#next").await?;
    app.wait_step("phone_ready").await?;
    // One checklist screen: a line with its picture per fact, each confirmed on its own.
    let lines = app
        .client
        .execute(
            "return [...document.querySelectorAll('.check-line')].map((l) => [l.dataset.fact, !!l.querySelector('img.line-picture')]);",
            vec![],
        )
        .await?;
    assert_eq!(
        lines,
        serde_json::json!([
            ["phone.mobile_data", true],
            ["phone.vpn", true],
            ["phone.private_relay", true],
            ["phone.biometrics", true],
            ["phone.my_au_app", true]
        ]),
        "the checklist's lines"
    );
    check(app, "au-5-phone_ready", failures).await?;
    for (fact, value) in [
        ("phone.mobile_data", "on"),
        ("phone.vpn", "off"),
        ("phone.private_relay", "off"),
    ] {
        click(
            app,
            &format!("button.confirm[data-fact='{fact}'][data-value='{value}']"),
        )
        .await?;
        app.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(&format!(
                "button.confirm[data-fact='{fact}'][aria-pressed='true']"
            )))
            .await?;
    }
    // Three of five lines: the QR step needs those three and lets the person on ...
    click(app, "#next").await?;
    app.wait_step("pc_show_qr").await?;
    check(app, "au-6-pc_show_qr", failures).await?;
    // ... but the approval needs every line: refused, with the way back to the checklist.
    click(app, "#next").await?;
    app.wait_text("#explanation", Duration::from_secs(15), |t| {
        t.contains("指紋")
    })
    .await?;
    app.wait_step("pc_show_qr").await?;
    click(app, "#go-there").await?;
    app.wait_step("phone_ready").await?;
    for (fact, value) in [
        ("phone.biometrics", "ready"),
        ("phone.my_au_app", "current"),
    ] {
        click(
            app,
            &format!("button.confirm[data-fact='{fact}'][data-value='{value}']"),
        )
        .await?;
        app.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(&format!(
                "button.confirm[data-fact='{fact}'][aria-pressed='true']"
            )))
            .await?;
    }
    app.screenshot("wizard-07-checklist-done").await?;
    click(app, "#next").await?;
    app.wait_step("pc_show_qr").await?;
    click(app, "#next").await?;
    app.wait_step("phone_approve").await?;
    check(app, "au-7-phone_approve", failures).await?;
    click(app, "#next").await?;
    app.wait_step("pc_reload").await?;
    app.wait_text("#countdown", Duration::from_secs(5), |t| {
        t.starts_with("14:") || t.starts_with("15:")
    })
    .await?;
    // The 15 minutes are labelled as a report.
    app.wait_text(".confidence", Duration::from_secs(5), |t| {
        t.contains("報告")
    })
    .await?;
    app.screenshot("wizard-08-window").await?;
    check(app, "au-8-pc_reload", failures).await?;

    // The screen is rebuilt every second while the countdown runs; a keyboard user's focus must
    // stay on the control they reached.
    let found = app
        .client
        .execute(
            "var b = document.getElementById('trouble'); if (b) { b.focus(); } return !!b;",
            vec![],
        )
        .await?;
    assert_eq!(found.as_bool(), Some(true), "the trouble button is there");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let focused = app
        .client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await?;
    assert_eq!(
        focused.as_str(),
        Some("trouble"),
        "focus survived the re-renders"
    );

    // "It isn't working" → the loop → everything is in order: start again from the top.
    click(app, "#trouble").await?;
    click(app, "button[data-symptom='loop']").await?;
    app.wait_text("#explanation", Duration::from_secs(15), |t| {
        t.contains("最初")
    })
    .await?;
    app.screenshot("wizard-09-symptom").await?;

    // The branches, each reached from "It isn't working", each checked, then back.
    for (symptom, branch) in [
        ("new_phone", "branch_old_phone"),
        ("code_not_arriving", "branch_code_not_arriving"),
        ("wifi_off_still_fails", "branch_wrong_phone"),
    ] {
        click(app, "#trouble").await?;
        click(app, &format!("button[data-symptom='{symptom}']")).await?;
        app.wait_step(branch).await?;
        check(app, &format!("au-{branch}"), failures).await?;
        click(app, "#back").await?;
        app.wait_step("pc_reload").await?;
    }

    // On to the end.
    for _ in 0..3 {
        if app
            .client
            .find(Locator::Css("body[data-screen='done']"))
            .await
            .is_ok()
        {
            break;
        }
        click(app, "#next").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    app.client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("body[data-screen='done']"))
        .await?;
    app.screenshot("wizard-10-done").await?;
    if let Err(e) = app
        .check_screen(
            "au-9-done",
            &MustSee::new(&["#screen-title", "#end"], &["img.picture", ".body"]),
        )
        .await
    {
        failures.push(e.to_string());
    }
    click(app, "#end").await?;
    app.client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("body[data-screen='home']"))
        .await?;
    let _ = phone.close().await;
    Ok(())
}

async fn wait_file(path: &std::path::Path, within: Duration) -> String {
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !text.trim().is_empty() || start.elapsed() > within {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_app_resumes_at_the_same_step() {
    if skip_unless_available() {
        return;
    }
    let home = tempfile::Builder::new()
        .prefix("tebiki-resume-")
        .tempdir()
        .expect("home");
    let options = AppOptions {
        env: vec![
            ("TEBIKI_PROBE".into(), "off".into()),
            (
                "TEBIKI_RECORD_OPEN_URLS".into(),
                home.path().join("opened.txt").display().to_string(),
            ),
        ],
        home: Some(home.path().to_path_buf()),
        keyring: false,
    };
    let app = AppSession::start_with(options.clone())
        .await
        .expect("first start");
    let first = async {
        app.wait_ready().await?;
        click(&app, "button[data-playbook='au-id']").await?;
        app.wait_step("pc_login").await?;
        click(&app, "#next").await?;
        app.wait_step("pc_password").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    // SIGKILL: no chance to save anything on the way out.
    app.crash();
    first.expect("first run");

    let app = AppSession::start_with(options).await.expect("second start");
    let second = async {
        app.wait_ready().await?;
        app.wait_step("pc_password").await?;
        app.wait_text("#notice", Duration::from_secs(5), |t| t.contains("再開"))
            .await?;
        app.screenshot("resume-after-kill").await?;
        tebiki_e2e::Result::Ok(())
    }
    .await;
    app.close().await;
    second.expect("second run");
}
