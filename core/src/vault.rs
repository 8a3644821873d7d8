//! `vault` keeps account IDs in the OS keychain. Nothing secret is ever written to disk by
//! Tebiki itself; with no keychain available, nothing is saved.
