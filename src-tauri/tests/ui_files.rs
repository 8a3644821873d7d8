//! Checks on the UI's static files that no browser test would notice until it was slow or
//! broken: the vendored Tauri API is the one the README names, every module is preloaded
//! (no import waterfall at start), and nothing expects the global API object that
//! `withGlobalTauri: false` removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.js` file under `ui/`, relative to it, with `/` separators.
fn modules() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("ui dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "js") {
                let rel = path.strip_prefix(base).expect("under ui");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(&ui(), &ui(), &mut out);
    out.sort();
    out
}

/// The values of `attr="..."` in every tag of `html` that contains `marker`.
fn attrs_of(html: &str, marker: &str, attr: &str) -> Vec<String> {
    html.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let start = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
            let end = tag[start..].find('"')? + start;
            Some(tag[start..end].to_string())
        })
        .collect()
}

#[test]
fn vendored_tauri_api_matches_the_hashes_in_its_readme() {
    let dir = ui().join("vendor/tauri");
    let readme = read(&dir.join("README.md"));
    let mut checked = 0;
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let file = cells[1].trim_matches('`');
        let want = cells[3].trim_matches('`');
        let got = format!(
            "{:x}",
            Sha256::digest(std::fs::read(dir.join(file)).expect(file))
        );
        assert_eq!(
            got, want,
            "{file} differs from @tauri-apps/api (see the README to update)"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 2,
        "the README's table names core.js and the tslib helper"
    );
}

#[test]
fn every_module_is_preloaded_by_the_page() {
    let html = read(&ui().join("index.html"));
    let entry = attrs_of(&html, "type=\"module\"", "src");
    assert_eq!(entry, ["main.js"]);
    let mut preloaded = attrs_of(&html, "rel=\"modulepreload\"", "href");
    preloaded.extend(entry);
    preloaded.sort();
    assert_eq!(
        preloaded,
        modules(),
        "index.html must list every ui/*.js module with <link rel=\"modulepreload\">"
    );
    let fetched = attrs_of(&html, "rel=\"preload\"", "href");
    assert_eq!(
        fetched,
        ["i18n/ja.json"],
        "the default strings are preloaded"
    );
    assert!(ui().join("i18n/ja.json").is_file());
}

#[test]
fn nothing_expects_the_global_tauri_object() {
    let conf: serde_json::Value = serde_json::from_str(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tauri.conf.json"),
    ))
    .expect("tauri.conf.json");
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    for module in modules().iter().filter(|m| !m.starts_with("vendor/")) {
        let text = read(&ui().join(module));
        assert!(
            !text.contains("window.__TAURI__"),
            "{module} uses window.__TAURI__, which this app does not inject: import from vendor/tauri/core.js"
        );
    }
}
