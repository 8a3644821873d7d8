//! `tebiki-doctor profiles --dir <app data>`: list, add and remove profiles in a
//! `profiles.json`, with the same store the app uses (lock, atomic writes, damaged files kept
//! aside). Also how the tests write from several processes at once.

use std::path::PathBuf;
use std::process::ExitCode;

use tebiki_core::facts::UnixMs;
use tebiki_core::i18n::Lang;
use tebiki_core::store::{NewProfile, PhonePlatform, ProfileId, ProfileStore, TextSize};

#[derive(Debug, clap::Args)]
pub struct ProfilesArgs {
    /// The app-data directory holding profiles.json.
    #[arg(long, value_name = "DIR")]
    dir: PathBuf,
    #[command(subcommand)]
    action: ProfilesAction,
}

#[derive(Debug, clap::Subcommand)]
enum ProfilesAction {
    /// Print the profiles (JSON with --json).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a profile (or --count of them, named "<name> 1", "<name> 2", …).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "au-id")]
        service: String,
        /// iphone, android or unknown.
        #[arg(long, default_value = "unknown")]
        phone: String,
        /// standard, large or largest.
        #[arg(long, default_value = "large")]
        text_size: String,
        /// ja or en.
        #[arg(long, default_value = "ja")]
        lang: String,
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// Remove a profile by ID.
    Remove {
        #[arg(long)]
        id: String,
    },
}

pub fn run(args: ProfilesArgs) -> ExitCode {
    let opened = match ProfileStore::open(&args.dir, UnixMs::now()) {
        Ok(o) => o,
        Err(e) => return fail(&e.to_string()),
    };
    if let Some(notice) = &opened.notice {
        let m = notice.user_message();
        eprintln!("notice: {}", m.en);
        eprintln!("{}", m.ja);
    }
    let store = opened.store;
    match args.action {
        ProfilesAction::List { json } => match store.list() {
            Ok(profiles) if json => match serde_json::to_string_pretty(&profiles) {
                Ok(text) => {
                    println!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            },
            Ok(profiles) => {
                for p in profiles {
                    println!(
                        "{}\t{}\t{}\t{:?}\t{}%",
                        p.id,
                        p.display_name,
                        p.service,
                        p.phone_platform,
                        p.text_size.percent()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        ProfilesAction::Add {
            name,
            service,
            phone,
            text_size,
            lang,
            count,
        } => {
            let Some(phone_platform) = PhonePlatform::from_name(&phone) else {
                return fail("--phone must be iphone, android or unknown");
            };
            let Some(text_size) = TextSize::from_name(&text_size) else {
                return fail("--text-size must be standard, large or largest");
            };
            let Some(language) = Lang::from_tag(&lang) else {
                return fail("--lang must be ja or en");
            };
            for n in 1..=count.max(1) {
                let display_name = if count > 1 {
                    format!("{name} {n}")
                } else {
                    name.clone()
                };
                let new = NewProfile {
                    display_name,
                    service: service.clone(),
                    phone_platform,
                    text_size,
                    language,
                };
                match store.add(new, UnixMs::now()) {
                    Ok(p) => println!("{}", p.id),
                    Err(e) => return fail(&e.to_string()),
                }
            }
            ExitCode::SUCCESS
        }
        ProfilesAction::Remove { id } => {
            let id = match ProfileId::parse(&id) {
                Ok(id) => id,
                Err(e) => return fail(&e.to_string()),
            };
            match store.remove(&id) {
                Ok(p) => {
                    println!("removed {} ({})", p.id, p.display_name);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
