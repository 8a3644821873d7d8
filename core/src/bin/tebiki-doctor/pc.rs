//! `tebiki-doctor pc`: the PC's own facts that some routes need — is there a Bluetooth radio
//! and is it on (`pc.bluetooth`), which OS version (`pc.os`) — with the evidence. `--json`
//! prints one object with the measured observations, as the app feeds them to a session.

use std::process::ExitCode;

use tebiki_core::pc::{self, PcConfig};

#[derive(Debug, clap::Args)]
pub struct PcArgs {
    /// Print JSON (one object: the readings and the `pc.*` observations).
    #[arg(long)]
    json: bool,
    /// Linux: ask BlueZ on this D-Bus address instead of the system bus (tests, or a helper
    /// checking a BlueZ started by hand).
    #[arg(long, value_name = "ADDRESS")]
    bluez_bus: Option<String>,
}

pub fn run(args: PcArgs) -> ExitCode {
    let Some(rt) = crate::runtime(false) else {
        return ExitCode::FAILURE;
    };
    let config = PcConfig {
        bluez_bus: args.bluez_bus.clone(),
        stand_in: None,
    };
    let facts = rt.block_on(pc::measure(&config));
    if args.json {
        let out = serde_json::json!({
            "bluetooth": facts.bluetooth,
            "os": facts.os,
            "observations": facts.observations(),
        });
        println!("{out}");
    } else {
        println!(
            "Bluetooth: {}\n  - {}",
            facts.bluetooth.state.as_str(),
            facts.bluetooth.evidence
        );
        println!("OS: {}\n  - {}", facts.os.kind.as_str(), facts.os.evidence);
    }
    ExitCode::SUCCESS
}
