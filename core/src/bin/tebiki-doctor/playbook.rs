//! `tebiki-doctor playbook FILE` validates a playbook and prints its errors (exit 1) or a
//! summary; `tebiki-doctor playbook --bundled` checks the ones compiled into this build.

use std::path::PathBuf;
use std::process::ExitCode;

use tebiki_core::playbook::{self, Playbook, PlaybookError};

#[derive(Debug, clap::Args)]
pub struct PlaybookArgs {
    /// The playbook file (TOML) to validate.
    #[arg(required_unless_present = "bundled", conflicts_with = "bundled")]
    pub file: Option<PathBuf>,
    /// Validate the playbooks compiled into this build instead.
    #[arg(long)]
    pub bundled: bool,
}

pub fn run(args: PlaybookArgs) -> ExitCode {
    let (good, bad): (Vec<Playbook>, Vec<PlaybookError>) = match &args.file {
        Some(path) if !args.bundled => match playbook::load_file(path) {
            Ok(pb) => (vec![pb], vec![]),
            Err(e) => (vec![], e),
        },
        _ => playbook::bundled(),
    };
    for (i, pb) in good.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("{}: ok", pb.origin.file);
        print!("{}", pb.summary());
    }
    for e in &bad {
        eprintln!("{e}");
    }
    if bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("{} error(s); fix them and run this again", bad.len());
        ExitCode::FAILURE
    }
}
