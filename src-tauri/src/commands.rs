// The app's own commands: the one list. `lib.rs` registers exactly these as the invoke
// handler, and `build.rs` (which `include!`s this file) puts exactly these under the
// capability ACL and checks that `capabilities/default.json` grants exactly these to the
// window (`allow-<name>` with dashes), and nothing else: the build fails otherwise.
//
// `app_commands!(m)` expands to `m![module::command, …]`.
macro_rules! app_commands {
    ($($m:ident)::+) => {
        $($m)::+![
            info::app_info,
            prefs::set_language,
            session::snapshot,
            session::command,
            session::subscribe,
            helper::card_view,
            helper::record_view,
        ]
    };
}

/// The commands' names (`card_view`), for the ACL.
#[allow(unused_macros)]
macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}
