//! `playbook` describes a service's login flow as data (TOML): steps, what each requires
//! and provides, actions, symptoms, official domains and sources with their confidence.
//! Loading validates and reports `file:line:column` errors; it never panics.
