//! Phone check speed: rendering the page and presence decisions (pure), and over a real
//! loopback socket the page's time to first byte and a heartbeat's round trip.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tebiki_core::facts::UnixMs;
use tebiki_core::i18n::Lang;
use tebiki_core::phone::page::{self, PageConfig};
use tebiki_core::phone::presence::{Beat, Presence, Visibility};
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig, Platform, PresenceRules};

fn pure(c: &mut Criterion) {
    let config = PageConfig {
        p: "/p/AAAAAAAAAAAAAAAAAAAAAA".into(),
        c: Some("https://www.au.com/favicon.ico".into()),
        left: 600_000,
        t: false,
    };
    let html = page::render(
        Lang::Ja,
        Platform::Iphone,
        "NONCENONCENONCENONCE00",
        &config,
    );
    println!("phone page size: ja/iphone {} bytes", html.len());
    c.bench_function("phone/page_render_ja_iphone", |b| {
        b.iter(|| {
            page::render(
                Lang::Ja,
                Platform::Iphone,
                "NONCENONCENONCENONCE00",
                &config,
            )
        })
    });
    c.bench_function("phone/presence_beat_and_tick", |b| {
        let mut p = Presence::new(UnixMs(0), PresenceRules::default(), false);
        p.on_page(UnixMs(0), Platform::Android);
        let mut t = 0i64;
        b.iter(|| {
            t += 1_500;
            let beat = Beat {
                seq: t as u64,
                visibility: Visibility::Visible,
                connection: None,
            };
            let e = p.on_beat(UnixMs(t), &beat);
            (e, p.tick(UnixMs(t + 100)))
        })
    });
}

/// Sends `req` on a fresh connection; returns (time to first byte, whole response).
fn roundtrip(addr: SocketAddr, req: &[u8]) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    s.write_all(req).unwrap();
    let mut first = [0u8; 1];
    s.read_exact(&mut first).unwrap();
    let ttfb = start.elapsed();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    rest.insert(0, first[0]);
    (ttfb, rest)
}

fn loopback(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let check = rt
        .block_on(PhoneCheck::start(PhoneCheckConfig {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            ttl: Duration::from_secs(3600),
            ..PhoneCheckConfig::default()
        }))
        .unwrap();
    let addr = check.addr();
    let path = check.url()[check.url().find("/p/").unwrap()..].to_owned();
    let get = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: iPhone\r\nConnection: close\r\n\r\n"
    );
    let (_, first) = roundtrip(addr, get.as_bytes());
    let text = String::from_utf8_lossy(&first).into_owned();
    let cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let get = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: iPhone\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    c.bench_function("phone/page_ttfb_loopback", |b| {
        b.iter_custom(|n| (0..n).map(|_| roundtrip(addr, get.as_bytes()).0).sum())
    });
    let mut seq = 0u64;
    c.bench_function("phone/heartbeat_roundtrip_loopback", |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| {
                    seq += 1;
                    let body = format!(r#"{{"s":{seq},"v":"visible","c":""}}"#);
                    let req = format!(
                        "POST {path}/beat HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let start = Instant::now();
                    let (_, resp) = roundtrip(addr, req.as_bytes());
                    let took = start.elapsed();
                    assert!(resp.starts_with(b"HTTP/1.1 204"), "{}", String::from_utf8_lossy(&resp));
                    took
                })
                .sum()
        })
    });
    drop(check);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = pure, loopback
}
criterion_main!(benches);
