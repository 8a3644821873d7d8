//! The phone check server on the loopback, driven by a scripted phone over raw HTTP: headers,
//! presence events from real requests, and the server's life cycle.
#![allow(clippy::unwrap_used)]

mod phone_common;

use std::net::SocketAddr;
use std::time::Duration;

use phone_common::*;
use tebiki_core::phone::{
    EndReason, PhoneCheck, PhoneCheckConfig, PhoneEvent, Platform, PresenceRules,
};

fn loopback_config() -> PhoneCheckConfig {
    PhoneCheckConfig {
        bind: Some("127.0.0.1:0".parse().unwrap()),
        ttl: Duration::from_secs(60),
        carrier_check_url: Some("https://www.au.com/favicon.ico".into()),
        ..PhoneCheckConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_carries_csp_no_store_no_referrer_and_a_claim_cookie() {
    let check = PhoneCheck::start(loopback_config()).await.unwrap();
    let addr = check.addr();
    let path = &check.url()[check.url().find("/p/").unwrap()..];
    let resp = raw_request(
        addr,
        None,
        &request("GET", addr, path, &[("User-Agent", IPHONE_UA)], ""),
    )
    .await
    .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("cache-control"), Some("no-store"));
    assert_eq!(resp.header("referrer-policy"), Some("no-referrer"));
    let csp = resp.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("img-src https://www.au.com;"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(nonce.len() >= 22, "nonce too short: {nonce}");
    assert!(
        resp.body.contains(&format!("<script nonce=\"{nonce}\">")),
        "script not covered by the nonce"
    );
    let cookie = resp.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Japanese by default, iPhone steps from the User-Agent.
    assert!(resp.body.contains("lang=\"ja\"") && resp.body.contains("コントロールセンター"));
    assert!(
        resp.body.len() < 12 * 1024,
        "page is {} bytes",
        resp.body.len()
    );

    // A second load gets a fresh nonce.
    let again = raw_request(addr, None, &request("GET", addr, path, &[], ""))
        .await
        .unwrap();
    let csp2 = again.header("content-security-policy").unwrap_or("");
    assert!(!csp2.contains(nonce), "nonce reused across responses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_and_the_network_side_drive_presence() {
    let lan = std::sync::Arc::new(ScriptedLan::default());
    let mut config = loopback_config();
    config.neighbours = lan.clone();
    config.rules = PresenceRules {
        left_after_ms: 1_000,
        suspect_after_ms: 700,
        ..PresenceRules::default()
    };
    let mut check = PhoneCheck::start(config).await.unwrap();
    let mut phone = FakePhone::open(check.url()).await;
    let (on_lan, _) = wait_for(check.events(), Duration::from_secs(1), |e| {
        matches!(e, PhoneEvent::OnLan { .. })
    })
    .await
    .expect("OnLan after the page load");
    assert_eq!(
        on_lan,
        PhoneEvent::OnLan {
            platform: Platform::Android,
            pc_tethered: false
        }
    );

    // Hidden and silent, but the phone answers on the home network: still there.
    assert_eq!(phone.beat("visible").await.0, 204);
    assert_eq!(phone.beat("hidden").await.0, 204);
    let events = drain_for(check.events(), Duration::from_millis(2_500)).await;
    assert_eq!(events.first(), Some(&PhoneEvent::Hidden), "{events:?}");
    assert!(
        matches!(
            events.get(1),
            Some(PhoneEvent::StillOnLan { hidden: true, .. })
        ),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, PhoneEvent::LeftLan { .. })),
        "a hidden phone that answers was counted as leaving: {events:?}"
    );
    assert!(lan.probes.load(std::sync::atomic::Ordering::SeqCst) >= 1);

    // Visible, then silent and gone from the home network: left.
    assert_eq!(phone.beat("visible").await.0, 204);
    lan.leave();
    let (left, after) = wait_for(check.events(), Duration::from_secs(3), |e| {
        matches!(e, PhoneEvent::LeftLan { .. })
    })
    .await
    .expect("LeftLan after visible silence with no answer");
    assert!(matches!(left, PhoneEvent::LeftLan { silent_ms, .. } if silent_ms >= 1_000));
    assert!(
        after >= Duration::from_millis(900),
        "left too early: {after:?}"
    );

    // Back on the Wi-Fi: the next beat announces it.
    lan.rejoin();
    assert_eq!(phone.beat("visible").await.0, 204);
    assert!(
        wait_for(check.events(), Duration::from_secs(1), |e| matches!(
            e,
            PhoneEvent::OnLan { .. }
        ))
        .await
        .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unscanned_check_reports_never_scanned() {
    let mut config = loopback_config();
    config.rules = PresenceRules {
        never_scanned_after_ms: 500,
        ..PresenceRules::default()
    };
    let mut check = PhoneCheck::start(config).await.unwrap();
    let (e, _) = wait_for(check.events(), Duration::from_secs(3), |_| true)
        .await
        .expect("an event");
    assert!(
        matches!(e, PhoneEvent::NeverScanned { waited_ms } if waited_ms >= 500),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tethered_pc_reports_the_tether_first() {
    let mut config = loopback_config();
    config.pc_tethered_to_phone = true;
    let mut check = PhoneCheck::start(config).await.unwrap();
    assert_eq!(check.events().recv().await, Some(PhoneEvent::PcTethered));
    let _phone = FakePhone::open(check.url()).await;
    let (e, _) = wait_for(check.events(), Duration::from_secs(1), |_| true)
        .await
        .unwrap();
    assert_eq!(
        e,
        PhoneEvent::OnLan {
            platform: Platform::Android,
            pc_tethered: true
        }
    );
}

async fn refused(addr: SocketAddr) -> bool {
    tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
        .await
        .map(|r| r.is_err())
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_stops_by_itself_at_the_deadline() {
    let mut config = loopback_config();
    config.ttl = Duration::from_secs(1);
    let mut check = PhoneCheck::start(config).await.unwrap();
    let addr = check.addr();
    // An idle connection held open must not keep the server alive.
    let _idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (e, after) = wait_for(check.events(), Duration::from_secs(3), |e| {
        matches!(e, PhoneEvent::Ended { .. })
    })
    .await
    .expect("Ended");
    assert_eq!(
        e,
        PhoneEvent::Ended {
            why: EndReason::Deadline
        }
    );
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_millis(2_500),
        "{after:?}"
    );
    assert!(
        refused(addr).await,
        "still accepting connections after the deadline"
    );
    assert_eq!(
        check.events().recv().await,
        None,
        "channel stays open after Ended"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_closes_the_server_and_its_connections() {
    let mut check = PhoneCheck::start(loopback_config()).await.unwrap();
    let addr = check.addr();
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    check.stop().await;
    assert!(refused(addr).await, "still accepting after stop()");
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(2), idle.read(&mut buf)).await;
    assert!(
        matches!(n, Ok(Ok(0)) | Ok(Err(_))),
        "open connection survived stop(): {n:?}"
    );
    let (e, _) = wait_for(check.events(), Duration::from_secs(1), |e| {
        matches!(e, PhoneEvent::Ended { .. })
    })
    .await
    .unwrap();
    assert_eq!(
        e,
        PhoneEvent::Ended {
            why: EndReason::Stopped
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_check_stops_the_server_after_the_grace_period() {
    let check = PhoneCheck::start(loopback_config()).await.unwrap();
    let addr = check.addr();
    drop(check);
    let mut gone = false;
    for _ in 0..80 {
        if refused(addr).await {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "server outlived its PhoneCheck");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configs_are_refused_before_binding() {
    let mut c = loopback_config();
    c.ttl = Duration::from_secs(0);
    assert!(PhoneCheck::start(c).await.is_err());
    let mut c = loopback_config();
    c.carrier_check_url = Some("javascript:alert(1)".into());
    assert!(PhoneCheck::start(c).await.is_err());
    let mut c = loopback_config();
    c.bind = Some("0.0.0.0:0".parse().unwrap());
    let err = PhoneCheck::start(c)
        .await
        .err()
        .expect("listening everywhere must be refused");
    assert!(err.to_string().contains("one LAN address"), "{err}");
    let mut c = loopback_config();
    // TEST-NET-3: not an address of this machine.
    c.bind = Some("203.0.113.77:0".parse().unwrap());
    let err = PhoneCheck::start(c).await.err().expect("bind must fail");
    assert!(err.to_string().contains("could not listen"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_events_keep_flowing_to_their_new_owner() {
    let mut check = PhoneCheck::start(loopback_config()).await.unwrap();
    let mut rx = check.take_events();
    let _phone = FakePhone::open(check.url()).await;
    let (e, _) = wait_for(&mut rx, Duration::from_secs(1), |_| true)
        .await
        .expect("event on the taken receiver");
    assert!(matches!(e, PhoneEvent::OnLan { .. }), "{e:?}");
    assert_eq!(
        check.events().recv().await,
        None,
        "the old receiver should be empty and closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_bind_override_the_check_listens_on_this_pcs_lan_address() {
    use tebiki_core::phone::bind;
    let choice = bind::choose_lan_ipv4(&bind::interfaces_from_os());
    if !prerequisite(
        choice.is_ok(),
        &format!("this machine has no usable LAN address: {choice:?}"),
    ) {
        return;
    }
    let ip = choice.unwrap().ip;
    let mut config = loopback_config();
    config.bind = None;
    let mut check = PhoneCheck::start(config).await.unwrap();
    assert_eq!(check.addr().ip(), std::net::IpAddr::V4(ip));
    assert!(!ip.is_loopback() && !ip.is_link_local(), "{ip}");
    assert!(
        check.url().starts_with(&format!("http://{ip}:")),
        "{}",
        check.url()
    );
    let _phone = FakePhone::open(check.url()).await;
    assert!(
        wait_for(check.events(), Duration::from_secs(1), |e| matches!(
            e,
            PhoneEvent::OnLan { .. }
        ))
        .await
        .is_some()
    );
    // Not reachable on the loopback: it listens on the LAN address only.
    let lo = std::net::SocketAddr::new([127, 0, 0, 1].into(), check.addr().port());
    assert!(
        tokio::net::TcpStream::connect(lo).await.is_err(),
        "the check also listens on the loopback"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_tells_the_phone_page_the_check_has_ended_before_closing() {
    let mut check = PhoneCheck::start(loopback_config()).await.unwrap();
    let addr = check.addr();
    let mut phone = FakePhone::open(check.url()).await;
    let stopper = tokio::spawn(async move {
        check.stop().await;
        check
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = phone.beat("visible").await;
    assert_eq!(
        status, 410,
        "during the grace period a heartbeat must hear that the check ended"
    );
    let page = raw_request(
        addr,
        None,
        &request("GET", addr, &phone.path, &[("Accept-Language", "en")], ""),
    )
    .await
    .unwrap();
    assert_eq!(page.status, 410);
    assert!(page.body.contains("This check has ended"), "{}", page.body);
    let mut check = tokio::time::timeout(Duration::from_secs(5), stopper)
        .await
        .unwrap()
        .unwrap();
    assert!(
        refused(addr).await,
        "still accepting after the grace period"
    );
    let (e, _) = wait_for(check.events(), Duration::from_secs(1), |e| {
        matches!(e, PhoneEvent::Ended { .. })
    })
    .await
    .unwrap();
    assert_eq!(
        e,
        PhoneEvent::Ended {
            why: EndReason::Stopped
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_the_pcs_own_network_makes_presence_unknown_then_checks_again() {
    let lan = std::sync::Arc::new(ScriptedLan::default());
    let mut config = loopback_config();
    config.neighbours = lan.clone();
    let mut check = PhoneCheck::start(config).await.unwrap();
    let mut phone = FakePhone::open(check.url()).await;
    assert_eq!(phone.beat("hidden").await.0, 204);
    assert!(
        wait_for(check.events(), Duration::from_secs(3), |e| matches!(
            e,
            PhoneEvent::StillOnLan { hidden: true, .. }
        ))
        .await
        .is_some()
    );
    check.pc_network_changed();
    let (e, _) = wait_for(check.events(), Duration::from_secs(1), |e| {
        matches!(e, PhoneEvent::PresenceUnknown { .. })
    })
    .await
    .expect("presence becomes unknown, never 'left'");
    let facts = e.observations(tebiki_core::facts::UnixMs::now());
    assert_eq!(facts[0].value, "unknown");
    // The next probe finds the phone again.
    assert!(
        wait_for(check.events(), Duration::from_secs(3), |e| matches!(
            e,
            PhoneEvent::StillOnLan { .. }
        ))
        .await
        .is_some()
    );
}
