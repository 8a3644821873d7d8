//! Hostile input against the phone check server on the loopback. Attackers connect from other
//! loopback addresses (127.0.0.2, 127.0.0.3: distinct peers to the server) while the real
//! phone uses 127.0.0.1; every test ends by checking that the real phone still works.
#![allow(clippy::unwrap_used)]

mod phone_common;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use phone_common::*;
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig, PhoneEvent, Refusal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ATTACKER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
const ATTACKER2: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 3));

async fn start() -> (PhoneCheck, FakePhone) {
    let mut check = PhoneCheck::start(PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ttl: Duration::from_secs(120),
        ..PhoneCheckConfig::default()
    })
    .await
    .unwrap();
    let mut phone = FakePhone::open(check.url()).await;
    assert_eq!(phone.beat("visible").await.0, 204);
    assert!(
        wait_for(check.events(), Duration::from_secs(1), |e| matches!(
            e,
            PhoneEvent::OnLan { .. }
        ))
        .await
        .is_some()
    );
    (check, phone)
}

async fn phone_still_works(phone: &mut FakePhone) {
    let (status, took) = phone.beat("visible").await;
    assert_eq!(status, 204, "the real phone was locked out");
    assert!(
        took < Duration::from_millis(500),
        "the real phone's heartbeat took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_host_is_refused_and_the_phone_keeps_working() {
    let (check, mut phone) = start().await;
    let addr = check.addr();
    for host in [
        "rebind.example",
        "localhost",
        &format!("127.0.0.1:{}", addr.port() + 1),
        "127.0.0.1",
    ] {
        let raw = format!(
            "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            phone.path
        );
        let resp = raw_request(addr, Some(ATTACKER), raw.as_bytes())
            .await
            .unwrap();
        assert_eq!(resp.status, 421, "Host {host} was accepted");
        assert!(
            !resp.body.contains("<script"),
            "page served under Host {host}"
        );
    }
    let no_host = format!("GET {} HTTP/1.0\r\n\r\n", phone.path);
    assert_eq!(
        raw_request(addr, Some(ATTACKER), no_host.as_bytes())
            .await
            .unwrap()
            .status,
        421
    );
    phone_still_works(&mut phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessed_tokens_get_429_after_five_and_the_phone_keeps_working() {
    let (mut check, mut phone) = start().await;
    let addr = check.addr();
    let mut statuses = Vec::new();
    for i in 0..7 {
        let path = format!("/p/guess{i:017}");
        statuses.push(
            raw_request(addr, Some(ATTACKER), &request("GET", addr, &path, &[], ""))
                .await
                .unwrap()
                .status,
        );
    }
    assert_eq!(statuses, vec![404, 404, 404, 404, 404, 429, 429]);
    // Even the right token's beat path with a wrong token is a guess.
    let beat = request("POST", addr, "/p/AAAAAAAAAAAAAAAAAAAAAA/beat", &[], "{}");
    assert_eq!(
        raw_request(addr, Some(ATTACKER), &beat)
            .await
            .unwrap()
            .status,
        429
    );
    // Another address has its own allowance; the refusal is reported once.
    assert_eq!(
        raw_request(
            addr,
            Some(ATTACKER2),
            &request("GET", addr, "/p/x", &[], "")
        )
        .await
        .unwrap()
        .status,
        404
    );
    let events = drain_for(check.events(), Duration::from_millis(300)).await;
    let refusals: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, PhoneEvent::Refused { .. }))
        .collect();
    assert_eq!(
        refusals,
        vec![&PhoneEvent::Refused {
            why: Refusal::TooManyBadTokens,
            from: ATTACKER
        }]
    );
    phone_still_works(&mut phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_device_gets_a_clear_refusal_in_its_language() {
    let (mut check, mut phone) = start().await;
    let addr = check.addr();
    let ja = raw_request(
        addr,
        Some(ATTACKER),
        &request(
            "GET",
            addr,
            &phone.path,
            &[("Accept-Language", "ja-JP")],
            "",
        ),
    )
    .await
    .unwrap();
    assert_eq!(ja.status, 403);
    assert!(
        ja.body.contains("別のスマホですでに開かれています"),
        "{}",
        ja.body
    );
    assert!(
        ja.header("set-cookie").is_none(),
        "a second device must not get a claim"
    );
    let en = raw_request(
        addr,
        Some(ATTACKER),
        &request(
            "GET",
            addr,
            &phone.path,
            &[("Accept-Language", "en-GB")],
            "",
        ),
    )
    .await
    .unwrap();
    assert_eq!(en.status, 403);
    assert!(
        en.body.contains("already open on another phone"),
        "{}",
        en.body
    );
    // A forged cookie on the heartbeat is refused too, even from the phone's own address.
    let forged = request(
        "POST",
        addr,
        &format!("{}/beat", phone.path),
        &[("Cookie", "tebiki_claim=AAAAAAAAAAAAAAAAAAAAAA")],
        r#"{"s":99999999999999,"v":"hidden","c":""}"#,
    );
    assert_eq!(raw_request(addr, None, &forged).await.unwrap().status, 403);
    let events = drain_for(check.events(), Duration::from_millis(300)).await;
    assert!(
        events.contains(&PhoneEvent::Refused {
            why: Refusal::OtherDevice,
            from: ATTACKER
        }),
        "{events:?}"
    );
    assert!(
        !events.contains(&PhoneEvent::Hidden),
        "a forged beat changed presence"
    );
    phone_still_works(&mut phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_bodies_are_rejected_and_the_phone_keeps_working() {
    let (mut check, mut phone) = start().await;
    let addr = check.addr();
    let beat_path = format!("{}/beat", phone.path);
    let cookie = phone.cookie.clone();
    let with_cookie = |body: &str| request("POST", addr, &beat_path, &[("Cookie", &cookie)], body);

    let big = format!(r#"{{"s":1,"v":"visible","c":"{}"}}"#, "a".repeat(4_000));
    assert_eq!(
        raw_request(addr, None, &with_cookie(&big))
            .await
            .unwrap()
            .status,
        413
    );
    // Chunked, with no length announced, growing past the cap.
    let chunk = "x".repeat(800);
    let chunked = format!(
        "POST {beat_path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    );
    assert_eq!(
        raw_request(addr, None, chunked.as_bytes())
            .await
            .unwrap()
            .status,
        413
    );
    for bad in [
        "",
        "null",
        "{",
        r#"{"s":"1","v":"visible"}"#,
        r#"{"s":1,"v":"visible","c":"<b>"}"#,
        "\u{0}\u{1}\u{2}",
    ] {
        assert_eq!(
            raw_request(addr, None, &with_cookie(bad))
                .await
                .unwrap()
                .status,
            400,
            "body {bad:?}"
        );
    }
    // A header block far beyond any browser's is cut off without a response body of ours.
    let huge_header = format!(
        "GET {} HTTP/1.1\r\nHost: {addr}\r\nX-Junk: {}\r\nConnection: close\r\n\r\n",
        phone.path,
        "j".repeat(64 * 1024)
    );
    let resp = raw_request(addr, Some(ATTACKER), huge_header.as_bytes()).await;
    assert!(
        resp.map(|r| r.status == 431 || r.status >= 400)
            .unwrap_or(true)
    );
    // Garbage instead of HTTP.
    let _ = raw_request(
        addr,
        Some(ATTACKER),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    )
    .await;
    // Methods other than GET and POST.
    for m in ["PUT", "DELETE", "OPTIONS", "HEAD", "TRACE", "PATCH"] {
        let raw = format!(
            "{m} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
            phone.path
        );
        let resp = raw_request(addr, Some(ATTACKER), raw.as_bytes())
            .await
            .unwrap();
        assert_eq!(resp.status, 405, "{m}");
    }
    let events = drain_for(check.events(), Duration::from_millis(200)).await;
    assert!(
        events
            .iter()
            .all(|e| matches!(e, PhoneEvent::Refused { .. })),
        "bad bodies changed presence: {events:?}"
    );
    phone_still_works(&mut phone).await;
}

/// Opens a connection from `from` and dribbles a never-finished request head, one byte every
/// 300 ms. Returns how long until the server closed it (None: still open after `give_up`).
async fn slowloris(addr: SocketAddr, from: IpAddr, give_up: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut s = connect(addr, Some(from)).await.ok()?;
    let head = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ");
    let _ = s.write_all(head.as_bytes()).await;
    let mut buf = [0u8; 512];
    while start.elapsed() < give_up {
        if s.write_all(b"a").await.is_err() {
            return Some(start.elapsed());
        }
        match tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {} // a 408 or similar on its way; keep reading until close
            Err(_) => {}
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_partial_requests_are_cut_off_and_the_phone_keeps_working() {
    let (check, mut phone) = start().await;
    let addr = check.addr();
    // 30 dribbling connections plus 30 silent ones: more than one address may hold open.
    let mut dribblers = Vec::new();
    for i in 0..30 {
        let from = if i % 2 == 0 { ATTACKER } else { ATTACKER2 };
        dribblers.push(tokio::spawn(slowloris(addr, from, Duration::from_secs(12))));
    }
    let mut silent = Vec::new();
    for _ in 0..30 {
        if let Ok(s) = connect(addr, Some(ATTACKER)).await {
            silent.push(s);
        }
    }
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        let (status, took) = phone.beat("visible").await;
        assert_eq!(status, 204, "the phone was locked out by slow clients");
        worst = worst.max(took);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        worst < Duration::from_millis(200),
        "heartbeat took {worst:?} under slowloris"
    );
    for d in dribblers {
        let closed = d.await.unwrap();
        let t = closed.expect("a slow partial request was never cut off");
        assert!(t < Duration::from_secs(8), "cut off only after {t:?}");
    }
    // Silent connections are closed by the header deadline too.
    for mut s in silent {
        let mut b = [0u8; 64];
        let r = tokio::time::timeout(Duration::from_secs(8), s.read(&mut b)).await;
        assert!(
            matches!(r, Ok(Ok(0)) | Ok(Err(_)) | Ok(Ok(_))),
            "silent connection held open: {r:?}"
        );
    }
    phone_still_works(&mut phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_2000_bad_requests_keeps_heartbeats_under_200_ms() {
    let (check, mut phone) = start().await;
    let addr = check.addr();
    const FLOOD: usize = 2_000;
    const WORKERS: usize = 32;
    let sent = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    let flood_start = Instant::now();
    for w in 0..WORKERS {
        let sent = sent.clone();
        workers.push(tokio::spawn(async move {
            let from = if w % 2 == 0 { ATTACKER } else { ATTACKER2 };
            let mut statuses = Vec::new();
            while sent.fetch_add(1, Ordering::SeqCst) < FLOOD {
                let kind = sent.load(Ordering::SeqCst) % 4;
                let raw = match kind {
                    0 => request("GET", addr, "/p/AAAAAAAAAAAAAAAAAAAAAA", &[], ""),
                    1 => b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
                        .to_vec(),
                    2 => request(
                        "POST",
                        addr,
                        "/p/BBBBBBBBBBBBBBBBBBBBBB/beat",
                        &[],
                        &"z".repeat(900),
                    ),
                    _ => format!("DELETE / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                        .into_bytes(),
                };
                if let Ok(r) = raw_request(addr, Some(from), &raw).await {
                    statuses.push(r.status);
                }
            }
            statuses
        }));
    }
    let mut latencies = Vec::new();
    while workers.iter().any(|w| !w.is_finished())
        && flood_start.elapsed() < Duration::from_secs(60)
    {
        let (status, took) = phone.beat("visible").await;
        assert_eq!(status, 204, "the phone's heartbeat failed during the flood");
        latencies.push(took);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let flood_took = flood_start.elapsed();
    let mut answered = 0;
    for w in workers {
        let statuses = w.await.unwrap();
        assert!(
            statuses
                .iter()
                .all(|s| [404, 405, 413, 421, 429].contains(s)),
            "unexpected status in {statuses:?}"
        );
        answered += statuses.len();
    }
    latencies.sort();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    let max = latencies.last().copied().unwrap_or_default();
    println!(
        "flood: {answered} bad requests answered in {flood_took:?} ({:.0}/s); phone heartbeats during the flood: n={} p50={p50:?} p99={p99:?} max={max:?}",
        answered as f64 / flood_took.as_secs_f64(),
        latencies.len()
    );
    assert!(
        answered >= FLOOD * 9 / 10,
        "only {answered} of {FLOOD} flood requests were answered"
    );
    assert!(
        latencies.len() >= 5,
        "too few heartbeats measured during the flood"
    );
    assert!(
        p99 < Duration::from_millis(200),
        "heartbeat p99 {p99:?} under the flood"
    );
    phone_still_works(&mut phone).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dozen_other_devices_filling_every_connection_cannot_crowd_out_the_claimed_phone() {
    let (mut check, mut phone) = start().await;
    let addr = check.addr();
    // 12 other addresses on the "home network", 30 half-open requests each: 360, more than
    // the server's 256 places (and each at the per-address cap of 24).
    let mut held = Vec::new();
    for host in 10..22u8 {
        let from = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, host));
        for _ in 0..30 {
            if let Ok(mut s) = connect(addr, Some(from)).await {
                let _ = s
                    .write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n").as_bytes())
                    .await;
                held.push(s);
            }
        }
    }
    assert!(held.len() >= 300, "only {} connections opened", held.len());
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        let (status, took) = phone.beat("visible").await;
        assert_eq!(status, 204, "the claimed phone was crowded out");
        worst = worst.max(took);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("BENCH crowded_heartbeat_worst_ms={}", worst.as_millis());
    assert!(
        worst < Duration::from_millis(500),
        "heartbeat took {worst:?}"
    );
    let events = drain_for(check.events(), Duration::from_millis(500)).await;
    assert!(
        !events.iter().any(|e| matches!(
            e,
            PhoneEvent::LeftLan { .. } | PhoneEvent::PresenceUnknown { .. }
        )),
        "the crowd made the phone look gone: {events:?}"
    );
    drop(held);
    phone_still_works(&mut phone).await;
}
