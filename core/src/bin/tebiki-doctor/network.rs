//! `tebiki-doctor network`: how this PC reaches the internet, with the evidence, and whether
//! the internet answers. `--watch` streams path changes; `--json` is for machines and tests.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tebiki_core::facts::UnixMs;
use tebiki_core::i18n::Lang;
use tebiki_core::net::{self, DnsMode, ProbeConfig, ProbeReport};

#[derive(Debug, clap::Args)]
pub struct NetworkArgs {
    /// Print JSON (one object; with --watch one object per line).
    #[arg(long)]
    json: bool,
    /// Keep running and print each change of the internet path.
    #[arg(long)]
    watch: bool,
    /// With --watch: stop after this many messages (the first is the path at start).
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// With --watch: how often to look, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    interval_ms: u64,
    /// An official site to probe (repeatable), e.g. https://www.au.com/
    #[arg(long = "probe", value_name = "URL")]
    probe: Vec<String>,
    /// Replace the generic 204 endpoint.
    #[arg(long, value_name = "URL")]
    generic: Option<String>,
    /// Do not use the generic 204 endpoint.
    #[arg(long)]
    no_generic: bool,
    /// Do not probe at all (only classify the path).
    #[arg(long)]
    no_probe: bool,
    /// Per-request timeout in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 4000)]
    timeout_ms: u64,
    /// Resolve HOST to ADDR:PORT without DNS (repeatable). When given, every other name fails
    /// as "no such host" without asking any DNS server.
    #[arg(long = "resolve", value_name = "HOST=ADDR:PORT")]
    resolve: Vec<String>,
    /// Language of the summary line in human output: ja or en.
    #[arg(long, default_value = "ja")]
    lang: String,
}

pub fn run(args: NetworkArgs) -> ExitCode {
    let Some(rt) = crate::runtime(true) else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async move {
        match if args.watch {
            watch(&args).await
        } else {
            once(&args).await
        } {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("error: {msg}");
                ExitCode::FAILURE
            }
        }
    })
}

fn probe_config(args: &NetworkArgs) -> Result<Option<ProbeConfig>, String> {
    if args.no_probe {
        return Ok(None);
    }
    let official = args
        .probe
        .iter()
        .map(|u| reqwest::Url::parse(u).map_err(|e| format!("--probe {u}: not a URL ({e})")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cfg = ProbeConfig::new(official);
    if args.no_generic {
        cfg.generic = None;
    } else if let Some(g) = &args.generic {
        cfg.generic =
            Some(reqwest::Url::parse(g).map_err(|e| format!("--generic {g}: not a URL ({e})"))?);
    }
    cfg.timeout = Duration::from_millis(args.timeout_ms);
    if !args.resolve.is_empty() {
        let mut map: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for r in &args.resolve {
            let (host, addr) = r
                .split_once('=')
                .ok_or_else(|| format!("--resolve {r}: expected HOST=ADDR:PORT"))?;
            let addr: SocketAddr = addr
                .parse()
                .map_err(|e| format!("--resolve {r}: bad address ({e})"))?;
            map.entry(host.to_ascii_lowercase()).or_default().push(addr);
        }
        cfg.dns = DnsMode::Static(map);
    }
    Ok(Some(cfg))
}

async fn once(args: &NetworkArgs) -> Result<(), String> {
    let cfg = probe_config(args)?;
    let snap = net::snapshot().await.map_err(|e| e.to_string())?;
    let c = net::classify(&snap);
    let report: Option<ProbeReport> = match &cfg {
        Some(cfg) => Some(net::probe(cfg).await.map_err(|e| e.to_string())?),
        None => None,
    };
    let now = UnixMs::now();
    if args.json {
        let mut observations = c.observations(now);
        if let Some(r) = &report {
            observations.extend(r.observations(now));
        }
        let out = serde_json::json!({
            "classification": c,
            "summary": net::overall_summary(&c, report.as_ref()),
            "advice": c.advice(),
            "probe": report,
            "probe_summary": report.as_ref().map(|r| r.summary()),
            "observations": observations,
        });
        println!("{out}");
    } else {
        let lang = Lang::from_tag(&args.lang).unwrap_or_default();
        println!(
            "Path: {} (confidence {}){}",
            c.path.as_str(),
            c.confidence.as_str(),
            c.interface
                .as_deref()
                .map(|i| format!(" via {i}"))
                .unwrap_or_default()
        );
        println!("  {}", net::overall_summary(&c, report.as_ref()).get(lang));
        if let Some(advice) = c.advice() {
            println!("To do: {}", advice.get(lang));
        }
        if let Some(u) = c.underlying {
            println!("Underneath the VPN: {}", u.as_str());
        }
        if let Some(ip) = c.lan_ipv4 {
            println!("LAN IPv4: {ip}");
        }
        println!("Evidence:");
        for e in &c.evidence {
            println!("  - {e}");
        }
        match &report {
            None => println!("Reachability: not probed (--no-probe)"),
            Some(r) => {
                println!(
                    "Reachability: {} (confidence {})",
                    r.verdict.as_str(),
                    r.confidence.as_str()
                );
                println!("  {}", r.summary().get(lang));
                for e in &r.evidence {
                    println!("  - {e}");
                }
            }
        }
    }
    Ok(())
}

async fn watch(args: &NetworkArgs) -> Result<(), String> {
    use std::io::Write;
    let config = net::WatchConfig {
        interval: Duration::from_millis(args.interval_ms.max(50)),
        ..net::WatchConfig::default()
    };
    let mut rx = net::watch(config);
    let mut seen = 0usize;
    while let Some(change) = rx.recv().await {
        let c = &change.classification;
        if args.json {
            println!(
                "{}",
                serde_json::to_string(&change).map_err(|e| e.to_string())?
            );
        } else {
            println!(
                "[{}] {} (confidence {}){}: {}",
                change.at.0,
                c.path.as_str(),
                c.confidence.as_str(),
                c.interface
                    .as_deref()
                    .map(|i| format!(" via {i}"))
                    .unwrap_or_default(),
                c.evidence.join("; ")
            );
        }
        // Tests read line by line through a pipe: flush each change at once.
        let _ = std::io::stdout().flush();
        seen += 1;
        if args.count.is_some_and(|n| seen >= n) {
            break;
        }
    }
    Ok(())
}
