//! `tebiki-doctor`: Tebiki's checks from a terminal, for helpers and for tests.
//! Each subcommand lives in its own file beside this one and only calls into `tebiki_core`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod network;
mod pc;
mod phone;
mod playbook;
mod profiles;
mod report;
mod vault;

#[derive(Debug, Parser)]
#[command(
    name = "tebiki-doctor",
    version = tebiki_core::VERSION,
    about = "Tebiki's checks from a terminal: the PC's network and Bluetooth, the phone link, playbooks.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print version, OS and architecture.
    Info,
    /// How this PC reaches the internet (with evidence), and whether the internet answers.
    Network(network::NetworkArgs),
    /// The PC's Bluetooth (present, on) and OS version, with the evidence.
    Pc(pc::PcArgs),
    /// Validate a playbook file (or the bundled ones) and print a summary or its errors.
    Playbook(playbook::PlaybookArgs),
    /// Start a phone check: print the URL and QR, stream presence events as JSON lines.
    Phone(phone::PhoneArgs),
    /// Whether this PC has a safe place (the OS keychain) for account IDs; set/get/delete one.
    Vault(vault::VaultArgs),
    /// List, add and remove profiles in an app-data directory.
    Profiles(profiles::ProfilesArgs),
    /// Print the printable order card, or a saved session record, as HTML or Markdown.
    Report(report::ReportArgs),
}

/// The tokio runtime a subcommand runs on: the calling thread alone, or two workers (what the
/// app's own runtime has on a 2-core PC). `None`, after saying why on stderr, if the OS refuses.
fn runtime(multi_thread: bool) -> Option<tokio::runtime::Runtime> {
    let mut builder = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    match builder.enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            None
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            // Printing help can only fail if stdout is closed; nothing useful to do then.
            let _ = cmd.print_help();
            println!();
            ExitCode::SUCCESS
        }
        Some(Command::Info) => {
            let info = tebiki_core::app::AppInfo::current();
            println!("{} {} ({} {})", info.name, info.version, info.os, info.arch);
            ExitCode::SUCCESS
        }
        Some(Command::Network(args)) => network::run(args),
        Some(Command::Pc(args)) => pc::run(args),
        Some(Command::Playbook(args)) => playbook::run(args),
        Some(Command::Phone(args)) => phone::run(args),
        Some(Command::Vault(args)) => vault::run(args),
        Some(Command::Profiles(args)) => profiles::run(args),
        Some(Command::Report(args)) => report::run(args),
    }
}
