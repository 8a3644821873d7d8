//! The QR code that carries the check's URL to the phone's camera: SVG for the desktop UI,
//! half-block characters for a terminal.

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use super::PhoneError;

fn code(url: &str) -> Result<QrCode, PhoneError> {
    // Level M survives a smudge or a glare on an old phone camera and still gives a small
    // code for a ~50-character URL.
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| PhoneError::Qr(e.to_string()))
}

/// An SVG document (black on white, with the quiet zone) encoding exactly `url`.
pub fn svg(url: &str) -> Result<String, PhoneError> {
    Ok(code(url)?
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// A terminal rendering: two modules per character cell, light on dark inverted so it scans
/// from a dark terminal too.
pub fn terminal(url: &str) -> Result<String, PhoneError> {
    Ok(code(url)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_a_complete_document() {
        let s = svg("http://192.168.1.10:40000/p/AAAAAAAAAAAAAAAAAAAAAA").expect("svg");
        assert!(
            s.starts_with("<?xml") && s.trim_end().ends_with("</svg>"),
            "{}",
            &s[..60]
        );
        assert!(s.contains("#000000") && s.contains("#ffffff"));
    }

    #[test]
    fn terminal_rendering_is_square_ish_blocks() {
        let t = terminal("http://192.168.1.10:40000/p/AAAAAAAAAAAAAAAAAAAAAA").expect("qr");
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines.len() > 10);
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        // Two modules per row of characters.
        assert!(
            (width / 2).abs_diff(lines.len()) <= 1,
            "{width} x {}",
            lines.len()
        );
    }
}
