//! `tebiki-doctor report card --playbook au-id --platform iphone --lang ja > card.html`
//! prints the printable order card; `tebiki-doctor report record FILE` prints a saved
//! session record as HTML or Markdown.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use tebiki_core::i18n::Lang;
use tebiki_core::playbook::{self, Platform};
use tebiki_core::report::{self, Pictures, Record};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, Subcommand)]
pub enum What {
    /// Print the one-page order card for a bundled playbook.
    Card {
        /// The bundled playbook's id.
        #[arg(long, default_value = "au-id")]
        playbook: String,
        /// The phone's type; `unknown` shows both iPhone and Android.
        #[arg(long, value_enum, default_value_t = PhoneArg::Unknown)]
        platform: PhoneArg,
        #[arg(long, value_enum, default_value_t = LangArg::Ja)]
        lang: LangArg,
        /// Whose card it is ("田中").
        #[arg(long)]
        profile: Option<String>,
        /// Where the pictures are, relative to the page (`<base><id>.svg`).
        #[arg(long, default_value = "pictures/")]
        pictures: String,
        #[arg(long, value_enum, default_value_t = FormatArg::Html)]
        format: FormatArg,
    },
    /// Print a saved session record (JSON) as HTML or Markdown.
    Record {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = LangArg::Ja)]
        lang: LangArg,
        #[arg(long, value_enum, default_value_t = FormatArg::Html)]
        format: FormatArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PhoneArg {
    Iphone,
    Android,
    Unknown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Html,
    Markdown,
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    }
}

pub fn run(args: ReportArgs) -> ExitCode {
    match args.what {
        What::Card {
            playbook: id,
            platform,
            lang: l,
            profile,
            pictures,
            format,
        } => {
            let (good, bad) = playbook::bundled();
            let Some(pb) = good.iter().find(|p| p.id() == id) else {
                for e in &bad {
                    eprintln!("{e}");
                }
                let ids: Vec<&str> = good.iter().map(|p| p.id()).collect();
                eprintln!(
                    "no bundled playbook has the id {id:?}; the bundled ones are: {}",
                    ids.join(", ")
                );
                return ExitCode::FAILURE;
            };
            let platform = match platform {
                PhoneArg::Iphone => Some(Platform::Iphone),
                PhoneArg::Android => Some(Platform::Android),
                PhoneArg::Unknown => None,
            };
            let out = match format {
                FormatArg::Html => report::order_card_html(
                    pb,
                    platform,
                    lang(l),
                    profile.as_deref(),
                    &Pictures::Path(&pictures),
                ),
                FormatArg::Markdown => {
                    report::order_card_markdown(pb, platform, lang(l), profile.as_deref())
                }
            };
            print!("{out}");
            ExitCode::SUCCESS
        }
        What::Record {
            file,
            lang: l,
            format,
        } => {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!(
                        "cannot read {}: {e}; check the path and permissions",
                        file.display()
                    );
                    return ExitCode::FAILURE;
                }
            };
            match Record::from_json(&text) {
                Ok(r) => {
                    print!(
                        "{}",
                        match format {
                            FormatArg::Html => r.to_html(lang(l)),
                            FormatArg::Markdown => r.to_markdown(lang(l)),
                        }
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    ExitCode::FAILURE
                }
            }
        }
    }
}
