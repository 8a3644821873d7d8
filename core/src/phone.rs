//! `phone` observes the phone through a short-lived LAN page opened from a QR code: the phone
//! reaching the PC proves it is on the home Wi-Fi; heartbeats that stop while the page is
//! visible mean it left. It produces `phone.*` facts.
