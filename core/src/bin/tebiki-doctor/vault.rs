//! `tebiki-doctor vault`: is there a safe place for account IDs on this PC, and set / get /
//! delete a profile's ID in it. For helpers checking a PC, and for the tests that run the
//! real keychain in a child process under their own session bus.
//!
//! `set` reads the ID from stdin (never from the command line, where other users could see
//! it in the process list) and needs `--consent`, the terminal's version of the app's
//! consent step. `--runtime` runs the call inside a tokio runtime, as the app does.
//!
//! Exit codes: 0 done; 1 `get` found nothing; 2 bad input; 3 no keychain (nothing saved);
//! 4 another vault error.

use std::io::Read;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tebiki_core::facts::UnixMs;
use tebiki_core::store::ProfileId;
use tebiki_core::vault::{
    AccountId, Availability, Consent, KeychainVault, Vault, VaultError, VaultTimeouts,
};

#[derive(Debug, clap::Args)]
pub struct VaultArgs {
    #[command(subcommand)]
    action: VaultAction,
    /// Run the call: directly, or inside a tokio runtime of this kind.
    #[arg(long, value_enum, default_value_t = RuntimeKind::None, global = true)]
    runtime: RuntimeKind,
    /// Time limit for `status`, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 3000, global = true)]
    probe_timeout_ms: u64,
    /// Time limit for set/get/delete, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30000, global = true)]
    timeout_ms: u64,
    /// Keychain service name (tests that must not touch Tebiki's own items).
    #[arg(long, value_name = "NAME", global = true)]
    service: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RuntimeKind {
    None,
    CurrentThread,
    MultiThread,
}

#[derive(Debug, clap::Subcommand)]
enum VaultAction {
    /// Whether a real keychain answers (and how long it took).
    Status,
    /// Save the account ID read from stdin for a profile.
    Set {
        #[arg(long)]
        profile: String,
        /// The person agreed to keep the ID in this PC's keychain.
        #[arg(long)]
        consent: bool,
    },
    /// Print the saved account ID of a profile.
    Get {
        #[arg(long)]
        profile: String,
    },
    /// Delete the saved account ID of a profile.
    Delete {
        #[arg(long)]
        profile: String,
    },
}

const EXIT_NOTHING: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_UNAVAILABLE: u8 = 3;
const EXIT_OTHER: u8 = 4;

pub fn run(args: VaultArgs) -> ExitCode {
    let timeouts = VaultTimeouts {
        probe: Duration::from_millis(args.probe_timeout_ms),
        operation: Duration::from_millis(args.timeout_ms),
    };
    let mut vault = KeychainVault::with_timeouts(timeouts);
    if let Some(service) = &args.service {
        vault = vault.with_service(service);
    }
    // Read stdin and check input before touching the keychain.
    let call: Box<dyn FnOnce(&KeychainVault) -> u8 + Send> = match args.action {
        VaultAction::Status => Box::new(status),
        VaultAction::Set { profile, consent } => {
            let profile = match parse_profile(&profile) {
                Ok(p) => p,
                Err(code) => return ExitCode::from(code),
            };
            if !consent {
                eprintln!(
                    "error: saving needs the person's consent: add --consent once they agreed (nothing was saved)"
                );
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("error: could not read the account ID from stdin: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
            let id = match AccountId::parse(&text) {
                Ok(id) => id,
                Err(e) => {
                    eprintln!("error: {e} (nothing was saved)");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            };
            Box::new(move |v: &KeychainVault| {
                let consent = Consent::given_by_user(&profile, UnixMs::now());
                report(v.save(&profile, &id, consent).map(|()| {
                    println!("saved the account ID for profile {profile}");
                    0
                }))
            })
        }
        VaultAction::Get { profile } => {
            let profile = match parse_profile(&profile) {
                Ok(p) => p,
                Err(code) => return ExitCode::from(code),
            };
            Box::new(move |v: &KeychainVault| {
                report(v.load(&profile).map(|found| match found {
                    Some(id) => {
                        println!("{}", id.expose());
                        0
                    }
                    None => {
                        eprintln!("no account ID is saved for profile {profile}");
                        EXIT_NOTHING
                    }
                }))
            })
        }
        VaultAction::Delete { profile } => {
            let profile = match parse_profile(&profile) {
                Ok(p) => p,
                Err(code) => return ExitCode::from(code),
            };
            Box::new(move |v: &KeychainVault| {
                report(v.delete(&profile).map(|()| {
                    println!("deleted the account ID of profile {profile} (if there was one)");
                    0
                }))
            })
        }
    };
    ExitCode::from(in_runtime(args.runtime, vault, call))
}

fn in_runtime(
    kind: RuntimeKind,
    vault: KeychainVault,
    call: Box<dyn FnOnce(&KeychainVault) -> u8 + Send>,
) -> u8 {
    if kind == RuntimeKind::None {
        return call(&vault);
    }
    let Some(rt) = crate::runtime(kind == RuntimeKind::MultiThread) else {
        return EXIT_OTHER;
    };
    rt.block_on(async move {
        match kind {
            // Called straight from async code on the runtime's only thread: the classic
            // place where a blocking D-Bus client deadlocks.
            RuntimeKind::CurrentThread => call(&vault),
            // From a task on a worker thread.
            _ => match tokio::spawn(async move { call(&vault) }).await {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: the vault task failed: {e}");
                    EXIT_OTHER
                }
            },
        }
    })
}

fn status(vault: &KeychainVault) -> u8 {
    let started = Instant::now();
    let availability = vault.available();
    let elapsed = started.elapsed().as_millis();
    let code = match &availability {
        Availability::Available { backend } => {
            println!("available: {backend}");
            0
        }
        Availability::Unavailable(u) => {
            println!("unavailable: {}: {}", u.reason.as_str(), u.detail);
            let m = u.user_message();
            println!("{}", m.ja);
            println!("{}", m.en);
            EXIT_UNAVAILABLE
        }
    };
    println!("elapsed_ms: {elapsed}");
    code
}

fn report(result: Result<u8, VaultError>) -> u8 {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            let m = e.user_message();
            eprintln!("{}", m.ja);
            eprintln!("{}", m.en);
            if e.is_unavailable() {
                EXIT_UNAVAILABLE
            } else {
                EXIT_OTHER
            }
        }
    }
}

fn parse_profile(text: &str) -> Result<ProfileId, u8> {
    ProfileId::parse(text).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_BAD_INPUT
    })
}
