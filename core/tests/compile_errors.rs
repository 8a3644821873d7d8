//! The `compile_fail` examples in the docs (`vault::account_id`, `vault::consent`) fail for
//! the reason they state. Each names its error code (```compile_fail,E0277```), but stable
//! rustdoc checks only that the example does not compile: an example that breaks for another
//! reason (a renamed path, a typo) would still pass. This test compiles every such example with
//! rustc against the tebiki_core this test was built with and checks the code it names.
//! It needs the host's rustc, so it runs where the suite builds (not in a cross-built test
//! binary under Wine).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

struct Example {
    place: String,
    code: Option<String>,
    source: String,
}

/// Every ```compile_fail block in the doc comments under `dir`.
fn examples(dir: &Path, out: &mut Vec<Example>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            examples(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut current: Option<Example> = None;
        for (n, line) in text.lines().enumerate() {
            let doc = line
                .trim_start()
                .strip_prefix("//!")
                .or_else(|| line.trim_start().strip_prefix("///"));
            let Some(doc) = doc else { continue };
            let doc = doc.strip_prefix(' ').unwrap_or(doc);
            if let Some(ex) = current.as_mut() {
                if doc.trim_start().starts_with("```") {
                    out.push(current.take().unwrap());
                } else {
                    // Hidden lines (`# …`) are part of the example too.
                    let code = doc.strip_prefix("# ").unwrap_or(doc);
                    ex.source.push_str(code);
                    ex.source.push('\n');
                }
            } else if let Some(attrs) = doc.trim_start().strip_prefix("```") {
                let attrs: Vec<&str> = attrs.split(',').map(str::trim).collect();
                if attrs.contains(&"compile_fail") {
                    current = Some(Example {
                        place: format!("{}:{}", path.display(), n + 1),
                        code: attrs
                            .iter()
                            .find(|a| a.len() == 5 && a.starts_with('E'))
                            .map(|a| (*a).to_owned()),
                        source: String::new(),
                    });
                }
            }
        }
    }
}

/// The newest `lib<name>-*.rlib` in `deps`.
fn rlib(deps: &Path, name: &str) -> PathBuf {
    std::fs::read_dir(deps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let f = p.file_name().unwrap().to_string_lossy();
            f.starts_with(&format!("lib{name}-")) && f.ends_with(".rlib")
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .unwrap_or_else(|| panic!("no lib{name}-*.rlib in {}", deps.display()))
}

#[test]
fn every_compile_fail_example_fails_with_the_error_code_it_names() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    examples(&src, &mut all);
    assert!(all.len() >= 4, "found only {} examples", all.len());

    // This test binary lives in target/<profile>/deps, beside the rlibs it was linked with.
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let core = rlib(&deps, "tebiki_core");
    let serde_json = rlib(&deps, "serde_json");
    let tmp = std::env::temp_dir().join(format!("tebiki-compile-errors-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();

    for (i, ex) in all.iter().enumerate() {
        let code = ex.code.as_deref().unwrap_or_else(|| {
            panic!(
                "{}: a compile_fail example must name its error code (```compile_fail,E0277)",
                ex.place
            )
        });
        // As rustdoc does: statements go inside a `main`.
        let file = tmp.join(format!("example{i}.rs"));
        std::fs::write(
            &file,
            format!("#![allow(unused)]\nfn main() {{\n{}}}\n", ex.source),
        )
        .unwrap();
        let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "bin",
                "--emit=metadata",
            ])
            .arg("--error-format=short")
            .arg("-o")
            .arg(tmp.join(format!("example{i}.rmeta")))
            .arg("-L")
            .arg(format!("dependency={}", deps.display()))
            .arg("--extern")
            .arg(format!("tebiki_core={}", core.display()))
            .arg("--extern")
            .arg(format!("serde_json={}", serde_json.display()))
            .arg(&file)
            .output()
            .expect("run rustc");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{}: compiled:\n{}",
            ex.place,
            ex.source
        );
        let codes: Vec<&str> = stderr
            .lines()
            .filter_map(|l| l.split_once("error[")?.1.split_once(']').map(|(c, _)| c))
            .collect();
        println!("{}: {codes:?}", ex.place);
        assert!(
            codes.contains(&code),
            "{}: expected {code}, rustc said:\n{stderr}",
            ex.place
        );
        // Nothing else broke: every error rustc gives is the one the example is about.
        assert!(
            codes.iter().all(|c| *c == code),
            "{}: other errors than {code}:\n{stderr}",
            ex.place
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}
