//! axe-core, the accessibility engine, run inside a real page through WebDriver.
//!
//! The engine is the npm package pinned in `tests/axe/package.json` (installed by
//! `scripts/setup.sh --test`); its script is sent with WebDriver's "execute script", so it runs
//! in the page as it is: the app's WebKit window under tauri-driver, or Chromium on the phone
//! page. Every rule axe runs by default is on, plus `color-contrast-enhanced` (WCAG AAA: 7:1
//! for body text). A violation of impact "serious" or "critical" fails the check.
//!
//! Self-contained (fantoccini and serde_json only), so the phone tests in `core/tests` can
//! include this file with `#[path]`.

use std::path::{Path, PathBuf};

/// Where the pinned axe-core lives: `tests/axe/node_modules/axe-core/axe.min.js`.
pub fn axe_script_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/axe/node_modules/axe-core/axe.min.js")
        .components()
        .collect()
}

/// The axe-core source, or what to run to get it.
pub fn axe_source() -> Result<String, String> {
    let path = axe_script_path();
    std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "axe-core is missing at {} ({e}): run scripts/setup.sh --test \
             (or `npm ci` in tests/axe)",
            path.display()
        )
    })
}

/// One rule axe found broken, with the elements it found it on.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub nodes: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}: {}", self.impact, self.id, self.help)?;
        for n in &self.nodes {
            write!(f, "\n      at {n}")?;
        }
        Ok(())
    }
}

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
if (!window.axe) { done({ error: 'axe is not loaded' }); return; }
window.axe.run(document, {
  rules: { 'color-contrast-enhanced': { enabled: true } },
  resultTypes: ['violations'],
}).then((r) => done({
  version: window.axe.version,
  violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.slice(0, 8).map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' ')),
  })),
})).catch((e) => done({ error: String(e) }));
"#;

/// Loads axe into the page (once per document) and runs it; returns every violation.
pub async fn run_axe(client: &fantoccini::Client) -> Result<Vec<Violation>, String> {
    let loaded = client
        .execute("return !!window.axe;", vec![])
        .await
        .map_err(|e| format!("execute failed: {e}"))?;
    if loaded.as_bool() != Some(true) {
        let src = axe_source()?;
        client
            .execute(&format!("{src}\n;return !!window.axe;"), vec![])
            .await
            .map_err(|e| format!("injecting axe-core failed: {e}"))?;
    }
    let out = client
        .execute_async(RUN, vec![])
        .await
        .map_err(|e| format!("axe.run failed: {e}"))?;
    if let Some(e) = out.get("error") {
        return Err(format!("axe.run failed in the page: {e}"));
    }
    let list = out
        .get("violations")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("axe returned no violations list: {out}"))?;
    let s =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    Ok(list
        .iter()
        .map(|v| Violation {
            id: s(v, "id"),
            impact: s(v, "impact"),
            help: s(v, "help"),
            nodes: v
                .get("nodes")
                .and_then(|n| n.as_array())
                .map(|n| {
                    n.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}

/// Runs axe and fails on any serious or critical violation (naming the screen and each one).
/// Returns the number of lesser (moderate, minor) violations, which are only reported.
pub async fn assert_no_serious(client: &fantoccini::Client, screen: &str) -> Result<usize, String> {
    let all = run_axe(client).await?;
    let (bad, minor): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|v| v.impact == "serious" || v.impact == "critical");
    for v in &minor {
        eprintln!("axe ({screen}): {v}");
    }
    if bad.is_empty() {
        Ok(minor.len())
    } else {
        Err(format!(
            "axe-core found {} serious or critical violation(s) on {screen}:\n  {}",
            bad.len(),
            bad.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  ")
        ))
    }
}
