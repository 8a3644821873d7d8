//! Screenshots read from the X server: the app's window as the user sees it.
//!
//! WebDriver's screenshot asks WebKit for a snapshot of the page, and WebKitGTK never
//! completes one when it draws without GPU compositing (as Tebiki does on Linux, see
//! `src-tauri/src/main.rs`). The pixels on the (private) X screen are the real output anyway,
//! so the harness reads them with a `GetImage` of the app's top-level window.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, MapState, Window};

use crate::{Result, err};

/// The largest viewable top-level window's pixels on `display` (`:N`), as an RGB PNG.
pub fn window_png(display: &str) -> Result<Vec<u8>> {
    let (conn, screen) = x11rb::connect(Some(display))
        .map_err(|e| err(format!("cannot connect to the X server {display}: {e}")))?;
    let setup = conn.setup();
    let root = setup.roots[screen].root;
    let (window, width, height) = largest_window(&conn, root)?
        .ok_or_else(|| err(format!("no window is shown on {display}")))?;
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, window, 0, 0, width, height, !0)?
        .reply()?;
    let format = setup
        .pixmap_formats
        .iter()
        .find(|f| f.depth == image.depth)
        .ok_or_else(|| err(format!("no pixmap format for depth {}", image.depth)))?;
    if format.bits_per_pixel != 32
        || setup.image_byte_order != x11rb::protocol::xproto::ImageOrder::LSB_FIRST
    {
        return Err(err(format!(
            "unexpected X image format: {} bits per pixel, byte order {:?}",
            format.bits_per_pixel, setup.image_byte_order
        )));
    }
    // Z_PIXMAP at 32 bits per pixel, little-endian: B, G, R, unused.
    let stride = usize::from(width) * 4;
    let mut rgb = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for row in image.data.chunks_exact(stride).take(usize::from(height)) {
        for px in row.chunks_exact(4) {
            rgb.extend_from_slice(&[px[2], px[1], px[0]]);
        }
    }
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, u32::from(width), u32::from(height));
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&rgb)?;
    }
    Ok(png)
}

/// The viewable child of the root window with the largest area (toolkits also map tiny
/// helper windows), with its size.
fn largest_window(conn: &impl Connection, root: Window) -> Result<Option<(Window, u16, u16)>> {
    let tree = conn.query_tree(root)?.reply()?;
    let mut best: Option<(Window, u16, u16)> = None;
    for window in tree.children {
        let Ok(attrs) = conn.get_window_attributes(window)?.reply() else {
            continue; // destroyed meanwhile
        };
        if attrs.map_state != MapState::VIEWABLE {
            continue;
        }
        let Ok(geo) = conn.get_geometry(window)?.reply() else {
            continue;
        };
        let area = u32::from(geo.width) * u32::from(geo.height);
        if best.is_none_or(|(_, w, h)| area > u32::from(w) * u32::from(h)) {
            best = Some((window, geo.width, geo.height));
        }
    }
    Ok(best)
}
