//! Every step of every bundled playbook (main route, branches and the end), on the real app:
//! each fits the window at every size the layout check knows, passes axe-core, and leaves
//! one screenshot (`tests/artifacts/screen-<playbook>-<step>.png`). Nothing here names a
//! playbook or a step: a playbook added to `tebiki_core::playbook::BUNDLED` is covered as is.
//!
//! How every step is reached without the phone: the playbook is started from the home
//! screen, the app is closed, and its own saved session is given a history holding every
//! step and, for each fact a step requires, an observation marked as this test's (measured,
//! or confirmed where the person may confirm it), so the engine lets each step be entered
//! and does not send the screen back to the step that provides the fact. After the restart (the
//! app's resume path) the engine's "go to a step already visited" command, sent through the
//! window's own IPC, enters each step in turn. The gates themselves are not what this test
//! is about (the flow tests and the au journey in wizard.rs, with a real phone leaving a
//! real network, cover them); the steps are seen as they look when entered.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tebiki_e2e::{AppOptions, AppSession, Locator, MustSee, skip_unless_available};

/// The file the app keeps its session in, somewhere under the session's private home.
fn find_session_file(dir: &Path) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_session_file(&path) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == "session.json") {
            return Some(path);
        }
    }
    None
}

/// Sends one command through the page's own Tauri IPC module (the same module instance the
/// app uses), as the app's buttons do.
const SEND: &str = r#"
const [command, done] = [arguments[0], arguments[arguments.length - 1]];
import('/vendor/tauri/core.js')
  .then((m) => m.invoke('command', { command }))
  .then(() => done('ok'), (e) => done('failed: ' + String(e)));
"#;

async fn go_to(app: &AppSession, step: &str) -> tebiki_e2e::Result<()> {
    let got = app
        .client
        .execute_async(
            SEND,
            vec![serde_json::json!({ "type": "go_to", "step": step })],
        )
        .await?;
    if got.as_str() != Some("ok") {
        return Err(format!("go_to {step}: {got}").into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_of_every_bundled_playbook_fits_the_window() {
    if skip_unless_available() {
        return;
    }
    let mut failures = Vec::new();
    let mut seen = 0;
    for (file, text) in tebiki_core::playbook::BUNDLED {
        let playbook = match tebiki_core::playbook::load_str(file, text) {
            Ok(p) => p,
            Err(e) => panic!("{file} does not load: {e:?}"),
        };
        let id = playbook.id.get_ref().clone();
        // A value each held fact may have (the first allowed one).
        let mut held = serde_json::Map::new();
        let mut gated = Vec::new();
        for step in &playbook.steps {
            for r in &step.requires {
                if let Some(value) = r.is.first() {
                    let source = if r.confirmable {
                        "confirmed"
                    } else {
                        "measured"
                    };
                    held.insert(
                        r.fact.get_ref().clone(),
                        serde_json::json!([value.get_ref(), source]),
                    );
                    gated.push(step.id.get_ref().clone());
                }
            }
        }
        let steps: Vec<(String, bool)> = playbook
            .steps
            .iter()
            .map(|s| (s.id.get_ref().clone(), s.end))
            .collect();
        let home = tempfile::Builder::new()
            .prefix("tebiki-steps-")
            .tempdir()
            .expect("home");
        let options = AppOptions {
            env: vec![
                ("TEBIKI_PROBE".into(), "off".into()),
                // A PC that can do passkeys by QR, so the docomo passkey steps can be shown
                // on this Linux machine (the readings say they are a test's stand-in).
                (
                    "TEBIKI_PC_STAND_IN".into(),
                    "bluetooth=on,os=windows11".into(),
                ),
            ],
            home: Some(home.path().to_path_buf()),
            keyring: false,
        };
        // Start the playbook as a person would, so the app writes its own session file.
        let app = AppSession::start_with(options.clone())
            .await
            .expect("the app starts");
        let first = async {
            app.wait_ready().await?;
            app.client
                .find(Locator::Css(&format!("button[data-playbook='{id}']")))
                .await?
                .click()
                .await?;
            app.wait_step(&steps[0].0).await?;
            tebiki_e2e::Result::Ok(())
        }
        .await;
        app.close().await;
        first.unwrap_or_else(|e| panic!("{id}: starting the playbook: {e}"));

        let file = find_session_file(home.path())
            .unwrap_or_else(|| panic!("{id}: the app saved no session.json under its home"));
        let saved = std::fs::read_to_string(&file).expect("session.json");
        let mut state: serde_json::Value = serde_json::from_str(&saved).expect("session JSON");
        state["history"] = serde_json::json!(steps.iter().map(|(s, _)| s).collect::<Vec<_>>());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        for (key, seed) in &held {
            let (value, source) = (&seed[0], seed[1].as_str().unwrap_or("measured"));
            let observation = serde_json::json!({
                "key": key, "value": value, "source": source, "at": now,
                "evidence": "set by the e2e steps test (tests/tests/steps.rs), not observed",
            });
            state["facts"][key] = if source == "confirmed" {
                serde_json::json!({ "measured": null, "confirmed": observation })
            } else {
                serde_json::json!({ "measured": observation, "confirmed": null })
            };
        }
        std::fs::write(&file, state.to_string()).expect("write session.json");

        let app = AppSession::start_with(options)
            .await
            .expect("the app starts");
        let result = async {
            app.wait_ready().await?;
            // First the steps that hold to a fact (before any step's own checks, such as the
            // phone check, replace the observations set above), then the others, and the
            // ends last: once a session is finished there is no step to go to.
            let mut order: Vec<&(String, bool)> = steps
                .iter()
                .filter(|(s, e)| !e && gated.contains(s))
                .collect();
            order.extend(steps.iter().filter(|(s, e)| !e && !gated.contains(s)));
            order.extend(steps.iter().filter(|(_, e)| *e));
            for (step, end) in order {
                go_to(&app, step).await?;
                let (wait_for, must) = if *end {
                    (
                        "body[data-screen='done']".to_owned(),
                        MustSee::new(&["#screen-title", "#end"], &["img.picture", ".body"]),
                    )
                } else {
                    (
                        format!("section.session[data-step='{step}']"),
                        MustSee::step(),
                    )
                };
                if let Err(e) = app
                    .client
                    .wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::Css(&wait_for))
                    .await
                {
                    let shown = app
                        .client
                        .execute(
                            "const s = document.querySelector('[data-step]'); \
                             return (s ? s.dataset.step : document.body.dataset.screen) + ': ' + document.getElementById('main').innerText;",
                            vec![],
                        )
                        .await?;
                    return Err(format!("{id}/{step} was not shown ({e}); the window shows {shown}").into());
                }
                if let Err(e) = app.check_screen(&format!("{id}-{step}"), &must).await {
                    failures.push(e.to_string());
                }
                seen += 1;
            }
            tebiki_e2e::Result::Ok(())
        }
        .await;
        app.close().await;
        result.unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    assert!(seen > 0, "no step was checked");
    assert!(
        failures.is_empty(),
        "{} step(s) failed the layout or accessibility check:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
