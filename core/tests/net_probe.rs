//! The reachability probe against real local servers on loopback (never the internet): a
//! healthy 204 endpoint, an official page, a captive portal (redirect, and a 200 HTML page in
//! place of the 204), a server that hangs, a refused port, a name that does not resolve, and a
//! TLS server with a self-signed certificate standing in for an intercepting proxy.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tebiki_core::net::{
    Confidence, DnsMode, ProbeConfig, Reachability, TargetKind, TargetOutcome, probe,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A tiny HTTP/1.1 server on 127.0.0.1:0 answering every request with `response`.
/// `None` means: accept, read, and never answer (a hanging server).
async fn serve(response: Option<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = sock.read(&mut buf).await;
                match response {
                    Some(r) => {
                        let _ = sock.write_all(r.as_bytes()).await;
                        let _ = sock.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    addr
}

const NO_CONTENT: &str = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
const OK_PAGE: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>";
const PORTAL_REDIRECT: &str = "HTTP/1.1 302 Found\r\nLocation: http://login.portal.test/?continue=1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const PORTAL_PAGE: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 46\r\nConnection: close\r\n\r\n<html><body>Please sign in</body></html>\n\n\n\n\n\n";

/// Every test resolves names only from its own table: nothing ever asks a DNS server.
fn config(
    official: Vec<String>,
    generic: Option<String>,
    names: &[(&str, SocketAddr)],
) -> ProbeConfig {
    let mut map: HashMap<String, Vec<SocketAddr>> = HashMap::new();
    for (n, a) in names {
        map.entry((*n).to_owned()).or_default().push(*a);
    }
    ProbeConfig {
        official: official.iter().map(|u| u.parse().unwrap()).collect(),
        generic: generic.map(|u| u.parse().unwrap()),
        timeout: Duration::from_millis(700),
        dns: DnsMode::Static(map),
    }
}

#[tokio::test]
async fn official_200_and_generic_204_mean_online() {
    let official = serve(Some(OK_PAGE)).await;
    let generic = serve(Some(NO_CONTENT)).await;
    let cfg = config(
        vec![format!("http://official.tebiki.test:{}/", official.port())],
        Some(format!("http://{generic}/generate_204")),
        &[("official.tebiki.test", official)],
    );
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    assert_eq!(r.verdict, Reachability::Online);
    assert_eq!(r.confidence, Confidence::High);
    assert_eq!(r.targets[0].kind, TargetKind::Official);
    assert_eq!(r.targets[0].outcome, TargetOutcome::Reached { status: 200 });
    assert_eq!(r.targets[1].outcome, TargetOutcome::Reached { status: 204 });
    assert!(r.summary().ja.contains("確認しました"));
}

#[tokio::test]
async fn redirect_to_a_login_page_is_a_captive_portal() {
    let portal = serve(Some(PORTAL_REDIRECT)).await;
    let cfg = config(vec![], Some(format!("http://{portal}/generate_204")), &[]);
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    assert_eq!(r.verdict, Reachability::CaptivePortal);
    assert_eq!(r.confidence, Confidence::High);
    match &r.targets[0].outcome {
        TargetOutcome::Redirected { status, location } => {
            assert_eq!(*status, 302);
            assert!(location.starts_with("http://login.portal.test/"));
        }
        other => panic!("expected a redirect, got {other:?}"),
    }
    assert!(
        r.evidence
            .iter()
            .any(|e| e.contains("redirected (302) to http://login.portal.test/"))
    );
}

#[tokio::test]
async fn an_html_page_in_place_of_the_204_is_a_captive_portal() {
    let portal = serve(Some(PORTAL_PAGE)).await;
    let cfg = config(vec![], Some(format!("http://{portal}/generate_204")), &[]);
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    assert_eq!(r.verdict, Reachability::CaptivePortal);
    match &r.targets[0].outcome {
        TargetOutcome::Intercepted { status, detail } => {
            assert_eq!(*status, 200);
            assert!(detail.contains("a web page"), "{detail}");
        }
        other => panic!("expected interception, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_limit() {
    let hang = serve(None).await;
    let cfg = config(vec![format!("http://{hang}/")], None, &[]);
    let started = Instant::now();
    let r = probe(&cfg).await.unwrap();
    let took = started.elapsed();
    println!("{r:#?} in {took:?}");
    assert_eq!(r.targets[0].outcome, TargetOutcome::Timeout);
    assert_eq!(r.verdict, Reachability::Offline);
    assert_eq!(r.confidence, Confidence::Medium);
    // 700 ms timeout; generous upper bound for a loaded 2-core machine.
    assert!(took >= Duration::from_millis(650), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_refused_port_means_offline() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let cfg = config(vec![format!("http://{addr}/")], None, &[]);
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    assert!(
        matches!(r.targets[0].outcome, TargetOutcome::Refused { .. }),
        "{:?}",
        r.targets[0].outcome
    );
    assert_eq!(
        (r.verdict, r.confidence),
        (Reachability::Offline, Confidence::High)
    );
}

#[tokio::test]
async fn an_unresolvable_name_is_a_dns_failure_without_asking_any_dns_server() {
    // The static table is empty: the lookup fails inside the process.
    let cfg = config(
        vec!["https://official.tebiki-probe.invalid/".to_owned()],
        Some("http://generic.tebiki-probe.invalid/generate_204".to_owned()),
        &[],
    );
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    for t in &r.targets {
        assert!(
            matches!(t.outcome, TargetOutcome::DnsFailure { .. }),
            "{t:?}"
        );
    }
    assert_eq!(
        (r.verdict, r.confidence),
        (Reachability::DnsFailure, Confidence::High)
    );
    assert!(r.summary().ja.contains("DNS"));
    let obs = r.observations(tebiki_core::facts::UnixMs(1));
    assert_eq!(
        (obs[0].key.as_str(), obs[0].value.as_str()),
        ("pc.online", "dns_failure")
    );
}

/// A TLS server for `name` with a fresh self-signed certificate: what an intercepting proxy
/// (or security software) looks like to a client that verifies certificates.
async fn serve_tls_self_signed(name: &str) -> SocketAddr {
    use tokio_rustls::rustls;
    let ck = rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(sock).await {
                    let mut buf = [0u8; 2048];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls.write_all(OK_PAGE.as_bytes()).await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_self_signed_certificate_on_the_official_site_is_tls_interception() {
    let tls = serve_tls_self_signed("official.tebiki.test").await;
    let generic = serve(Some(NO_CONTENT)).await;
    let cfg = config(
        vec![format!("https://official.tebiki.test:{}/", tls.port())],
        Some(format!("http://{generic}/generate_204")),
        &[("official.tebiki.test", tls)],
    );
    let r = probe(&cfg).await.unwrap();
    println!("{r:#?}");
    assert!(
        matches!(r.targets[0].outcome, TargetOutcome::TlsError { .. }),
        "{:?}",
        r.targets[0].outcome
    );
    assert_eq!(
        (r.verdict, r.confidence),
        (Reachability::TlsIntercepted, Confidence::High)
    );
    assert!(r.summary().ja.contains("書き換えられて"));
}

#[tokio::test]
async fn probing_does_not_block_the_runtime() {
    // A current-thread runtime would stall if probe() blocked; a ticking task proves it didn't.
    let hang = serve(None).await;
    let cfg = config(vec![format!("http://{hang}/")], None, &[]);
    let ticks = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let t2 = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            t2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    });
    let r = probe(&cfg).await.unwrap();
    ticker.abort();
    assert_eq!(r.targets[0].outcome, TargetOutcome::Timeout);
    let n = ticks.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        n >= 5,
        "the runtime only ticked {n} times during a 700 ms probe"
    );
}

#[tokio::test]
async fn a_route_without_internet_is_not_described_as_connected_to_the_internet() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let r = probe(&config(
        vec![],
        Some(format!("http://{addr}/generate_204")),
        &[],
    ))
    .await
    .unwrap();
    assert_eq!(r.verdict, Reachability::Offline);
    let snap: tebiki_core::net::Snapshot = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/net/ethernet/snapshot.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let c = tebiki_core::net::classify(&snap);
    let t = tebiki_core::net::overall_summary(&c, Some(&r));
    println!("{t:?}");
    assert!(
        t.ja.contains("インターネットには届いていません"),
        "{}",
        t.ja
    );
    assert!(t.en.contains("the internet is not reachable"), "{}", t.en);
    // Not probed (yet, or the check is off): a network, not "the internet", and it says so.
    let unchecked = tebiki_core::net::overall_summary(&c, None);
    assert!(
        unchecked.ja.starts_with(&c.summary().ja) && unchecked.ja.contains("まだ確かめていません"),
        "{}",
        unchecked.ja
    );
    assert!(!unchecked.ja.contains("インターネットにつながって"));
    assert!(
        !unchecked.en.contains("connected to the internet"),
        "{}",
        unchecked.en
    );
    // Only a probe that reached the internet makes it "connected to the internet".
    let reached = tebiki_core::net::ProbeReport {
        verdict: Reachability::Online,
        confidence: tebiki_core::net::Confidence::High,
        evidence: vec![],
        targets: vec![],
    };
    let t = tebiki_core::net::overall_summary(&c, Some(&reached));
    assert!(t.ja.contains("インターネットにつながって"), "{}", t.ja);
    assert!(t.en.contains("connected to the internet"), "{}", t.en);
}
