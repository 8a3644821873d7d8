//! `tebiki-doctor network` as a real process. Probes only loopback servers; names resolve only
//! through `--resolve`, so no DNS server is asked.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;

mod net_support;

const DOCTOR: &str = env!("CARGO_BIN_EXE_tebiki-doctor");

/// A std HTTP server on 127.0.0.1:0 that answers up to `n` requests with `response`.
fn serve(response: &'static str, n: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().take(n) {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = s.write_all(response.as_bytes());
        }
    });
    port
}

#[test]
fn doctor_network_json_reports_the_path_and_a_loopback_probe_as_facts() {
    let generic = serve("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", 1);
    let official = serve(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        1,
    );
    let out = Command::new(DOCTOR)
        .args(["network", "--json", "--timeout-ms", "2000"])
        .args([
            "--generic",
            &format!("http://127.0.0.1:{generic}/generate_204"),
        ])
        .args([
            "--probe",
            &format!("http://official.tebiki.test:{official}/"),
        ])
        .args([
            "--resolve",
            &format!("official.tebiki.test=127.0.0.1:{official}"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["probe"]["verdict"], "online");
    assert_eq!(v["probe"]["targets"].as_array().unwrap().len(), 2);
    let keys: Vec<&str> = v["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["pc.path", "pc.online"]);
    assert!(
        v["classification"]["evidence"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    assert!(
        v["summary"]["ja"]
            .as_str()
            .unwrap()
            .starts_with("このパソコンは")
    );
}

#[test]
fn doctor_network_human_output_shows_path_summary_and_evidence() {
    let out = Command::new(DOCTOR)
        .args(["network", "--no-probe", "--lang", "en"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success());
    assert!(stdout.starts_with("Path: "), "{stdout}");
    assert!(stdout.contains("Evidence:\n  - "), "{stdout}");
    assert!(stdout.contains("Reachability: not probed"), "{stdout}");
    assert!(
        stdout.contains("This PC") || stdout.contains("Tebiki could not"),
        "{stdout}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn without_a_system_bus_the_evidence_says_networkmanager_is_not_available() {
    let out = Command::new(DOCTOR)
        .args(["network", "--no-probe", "--json"])
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path=/nonexistent/tebiki-{}", std::process::id()),
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let path = v["classification"]["path"].as_str().unwrap();
    let evidence: Vec<&str> = v["classification"]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    if path != "offline" {
        assert!(
            evidence
                .iter()
                .any(|e| e.contains("NetworkManager not available")),
            "{evidence:?}"
        );
    }
}

#[test]
fn a_bad_probe_url_is_refused_with_a_clear_message() {
    let out = Command::new(DOCTOR)
        .args(["network", "--probe", "not a url"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--probe not a url: not a URL"), "{stderr}");
}

/// Inside a fresh network namespace (only loopback, no routes) nothing can leave: the path is
/// offline and a probe to an address in that namespace's (empty) world is "unreachable".
#[cfg(target_os = "linux")]
#[test]
fn inside_a_namespace_with_no_route_the_path_and_the_probe_both_say_offline() {
    if !tebiki_test_support::require_ok(net_support::can_use_netns()) {
        return;
    }
    let ns = net_support::Netns::new("noroute");
    ns.ip(&["link", "set", "lo", "up"]);
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns.0,
            DOCTOR,
            "network",
            "--json",
            "--timeout-ms",
            "1500",
        ])
        .args(["--generic", "http://10.231.9.9/generate_204"])
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            "unix:path=/nonexistent/tebiki-test",
        )
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["classification"]["path"], "offline");
    assert_eq!(v["classification"]["confidence"], "high");
    assert_eq!(v["probe"]["targets"][0]["outcome"], "unreachable", "{v}");
    assert_eq!(v["probe"]["verdict"], "offline");
    assert_eq!(v["probe"]["confidence"], "high");
}
