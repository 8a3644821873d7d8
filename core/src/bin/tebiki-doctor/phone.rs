//! `tebiki-doctor phone`: start a phone check from a terminal, print its URL and QR, and
//! stream what the PC side learns as JSON lines until the check ends.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use serde_json::json;
use tebiki_core::facts::UnixMs;
use tebiki_core::phone::{PhoneCheck, PhoneCheckConfig, PhoneEvent};

#[derive(Debug, Args)]
pub struct PhoneArgs {
    /// Listen on this address (`IP` or `IP:PORT`) instead of the PC's LAN IPv4.
    #[arg(long, value_parser = parse_bind)]
    pub bind: Option<SocketAddr>,
    /// End the check after this many seconds.
    #[arg(long, default_value_t = tebiki_core::phone::CHECK_LIFETIME.as_secs())]
    pub ttl: u64,
    /// Image URL on the carrier's official site that the phone loads to confirm its mobile
    /// line works (e.g. https://www.au.com/favicon.ico).
    #[arg(long = "carrier-check")]
    pub carrier_check: Option<String>,
    /// The PC's internet goes through the phone (tethering): the phone is on its mobile line.
    #[arg(long)]
    pub tethered: bool,
    /// Also print the facts (`phone.*` observations) each event gives.
    #[arg(long)]
    pub facts: bool,
}

fn parse_bind(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    s.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 0))
        .map_err(|_| format!("{s:?} is neither an IP address nor IP:PORT"))
}

pub fn run(args: PhoneArgs) -> ExitCode {
    let Some(runtime) = crate::runtime(true) else {
        return ExitCode::FAILURE;
    };
    runtime.block_on(async move {
        let config = PhoneCheckConfig {
            bind: args.bind,
            ttl: Duration::from_secs(args.ttl),
            carrier_check_url: args.carrier_check,
            pc_tethered_to_phone: args.tethered,
            ..PhoneCheckConfig::default()
        };
        let mut check = match PhoneCheck::start(config).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Human-facing lines go to stderr so stdout stays pure JSON lines.
        eprintln!("{}", check.qr_terminal());
        eprintln!("Scan this with the phone's camera, or open: {}", check.url());
        println!("{}", json!({"event": "started", "url": check.url(), "deadline_ms": check.deadline().0}));
        loop {
            tokio::select! {
                event = check.events().recv() => {
                    let Some(event) = event else { break };
                    let now = UnixMs::now();
                    let mut line = serde_json::to_value(&event).unwrap_or_else(|_| json!({}));
                    line["at_ms"] = json!(now.0);
                    if args.facts {
                        line["facts"] = serde_json::to_value(event.observations(now)).unwrap_or_default();
                    }
                    println!("{line}");
                    let _ = std::io::stdout().flush();
                    if matches!(event, PhoneEvent::Ended { .. }) {
                        break;
                    }
                }
                _ = tokio::signal::ctrl_c() => {
                    check.stop().await;
                }
            }
        }
        ExitCode::SUCCESS
    })
}
