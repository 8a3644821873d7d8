//! `flow` decides: the session state machine, pure. `Session::apply(Event) -> Vec<Effect>`,
//! no clock and no I/O inside; time comes in as a value. Every rule of the right order
//! lives here.
