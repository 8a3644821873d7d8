//! `net` observes the PC's own connection: which interface carries the internet path
//! (Wi-Fi, Ethernet, mobile modem, a tethered phone, VPN), whether the internet is reachable,
//! and when that changes. It produces `pc.*` facts.
