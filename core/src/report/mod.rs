//! `report` tells what happened and what to do next time, on paper as well as on screen:
//!
//! - [`record`]: the session record, a timeline of steps, measured facts, confirmations,
//!   explanations, symptoms, the window and the outcome. It is built by a pure function
//!   from what the app already sees (the event, the engine's effects, the views before and
//!   after), so it needs no I/O and can be replayed in tests. It never holds a secret: the
//!   account ID never reaches the engine, URLs are cut to their host, and free text from
//!   observers is scrubbed of anything shaped like a token, an e-mail address or a phone
//!   number ([`scrub`]).
//! - [`card`]: the printable one-page order card for a playbook and a phone type.
//!
//! Both export to Markdown and to a standalone, print-friendly HTML page (inline CSS only,
//! no scripts, no external requests, every string escaped), in Japanese or English.

pub mod card;
mod escape;
pub mod record;
mod render;
pub mod scrub;

pub use card::{OrderCard, Pictures, order_card_html, order_card_markdown};
pub use record::{Entry, EntryKind, Move, Outcome, RECORD_VERSION, Record, RecordError, WindowEnd};
