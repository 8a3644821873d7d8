//! The order card: its content from the au playbook, its HTML and Markdown, and the real
//! thing: headless Chromium printing it to PDF (exactly one A4 page, in both languages and
//! for every phone type), poppler reading the text back and drawing a PNG.
#![allow(clippy::unwrap_used)]

mod report_support;

use std::collections::BTreeMap;
use std::path::Path;

use report_support::*;
use tebiki_core::i18n::Lang;
use tebiki_core::playbook::{Place, Platform};
use tebiki_core::report::{OrderCard, Pictures, order_card_html, order_card_markdown};

fn main_route_titles(lang: Lang) -> Vec<String> {
    let pb = au();
    pb.main_route()
        .iter()
        .map(|&i| pb.steps[i].title.text().get(lang).to_owned())
        .collect()
}

#[test]
fn card_lists_the_main_route_in_order_and_marks_the_wifi_step() {
    let pb = au();
    let card = OrderCard::build(&pb, Some(Platform::Iphone), Lang::Ja, Some("田中"));
    let ids: Vec<&str> = card.steps.iter().map(|s| s.id.as_str()).collect();
    let route: Vec<String> = pb
        .main_route()
        .iter()
        .map(|&i| pb.steps[i].id.get_ref().clone())
        .collect();
    assert_eq!(ids, route);
    assert_eq!(
        card.steps.iter().map(|s| s.number).collect::<Vec<_>>(),
        (1..=route.len()).collect::<Vec<_>>()
    );
    let key: Vec<&str> = card
        .steps
        .iter()
        .filter(|s| s.key)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        key,
        ["phone_wifi_off"],
        "the step that provides phone.presence"
    );
    assert_eq!(card.wifi_step, Some(4));
    assert_eq!(card.for_whom.as_deref(), Some("田中さん用"));
    assert_eq!(card.steps[0].place, Place::Pc);
    // No branch step is on the card.
    assert!(!ids.iter().any(|id| id.starts_with("branch_")));
}

#[test]
fn the_phone_type_picks_the_wifi_picture_and_words() {
    let pb = au();
    let iphone = OrderCard::build(&pb, Some(Platform::Iphone), Lang::Ja, None);
    let android = OrderCard::build(&pb, Some(Platform::Android), Lang::Ja, None);
    let unknown = OrderCard::build(&pb, None, Lang::En, None);

    assert_eq!(iphone.wifi.len(), 1);
    assert_eq!(
        iphone.wifi[0].picture.as_deref(),
        Some("phone_wifi_off_iphone")
    );
    assert!(iphone.wifi[0].words.contains("「設定」→「Wi-Fi」"));
    assert_eq!(
        iphone.steps[3].picture.as_deref(),
        Some("phone_wifi_off_iphone")
    );

    assert_eq!(android.wifi.len(), 1);
    assert_eq!(
        android.wifi[0].picture.as_deref(),
        Some("phone_wifi_off_android")
    );
    assert!(android.wifi[0].words.contains("上から下へなぞり"));
    assert_eq!(
        android.steps[3].picture.as_deref(),
        Some("phone_wifi_off_android")
    );

    let platforms: Vec<Platform> = unknown.wifi.iter().map(|w| w.platform).collect();
    assert_eq!(platforms, [Platform::Iphone, Platform::Android]);
    let html = order_card_html(&pb, None, Lang::En, None, &Pictures::Path("pictures/"));
    assert!(html.contains("<b>iPhone:</b>") && html.contains("<b>Android:</b>"));
}

#[test]
fn the_loop_warning_is_built_from_the_loop_symptom() {
    let pb = au();
    let card = OrderCard::build(&pb, Some(Platform::Iphone), Lang::Ja, None);
    assert_eq!(
        card.loop_heading.as_deref(),
        Some("「2段階認証の画面に戻ってしまう」ときは、上から順に見直します")
    );
    // One item per distinct step the loop's rules send the user back to, in rule order.
    let sy = pb.symptom("loop").unwrap();
    let mut targets: Vec<&str> = Vec::new();
    for rule in &sy.rules {
        if !targets.contains(&rule.go_to.get_ref().as_str()) {
            targets.push(rule.go_to.get_ref());
        }
    }
    assert!(
        targets.len() < sy.rules.len(),
        "two rules share the checklist"
    );
    assert_eq!(card.loop_items.len(), targets.len());
    for (item, target) in card.loop_items.iter().zip(&targets) {
        let step = pb.step(target).unwrap();
        assert!(
            item.ends_with(&step.title.ja.get_ref().to_string()),
            "{item}"
        );
    }
    assert_eq!(card.loop_items[0], "手順 4：スマホの Wi-Fi を切ります");
    assert!(card.loop_items[2].starts_with("時間が過ぎていたら → 手順 7："));
}

#[test]
fn the_window_is_a_user_report_never_an_official_figure() {
    let pb = au();
    let ja = OrderCard::build(&pb, None, Lang::Ja, None).window.unwrap();
    let en = OrderCard::build(&pb, None, Lang::En, None).window.unwrap();
    assert!(
        ja.contains("15 分ほど") && ja.contains("公式の数字ではありません"),
        "{ja}"
    );
    assert!(
        en.contains("about 15 minutes") && en.contains("not an official figure"),
        "{en}"
    );
    assert!(!ja.contains("公式の案内による"));
    let html = order_card_html(&pb, None, Lang::Ja, None, &Pictures::None);
    assert!(html.contains("公式の数字ではありません"));
}

#[test]
fn the_card_says_when_its_sources_were_checked() {
    let pb = au();
    let dates: std::collections::BTreeSet<&str> = pb
        .sources
        .iter()
        .map(|s| s.checked.get_ref().as_str())
        .collect();
    let card = OrderCard::build(&pb, None, Lang::Ja, None);
    let checked = card.checked.unwrap();
    for d in dates {
        assert!(
            checked.contains(d) || checked.contains('–'),
            "{checked} lacks {d}"
        );
    }
    assert!(checked.starts_with("情報を確かめた日："));
}

#[test]
fn card_html_is_a4_standalone_escaped_and_script_free() {
    let pb = au();
    let html = order_card_html(
        &pb,
        Some(Platform::Iphone),
        Lang::Ja,
        Some("<script>alert('x')</script>&\"佐藤\""),
        &Pictures::Path("pictures/"),
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@page{size:A4;margin:12mm}"));
    assert!(
        html.contains("img-src 'self' data: file:"),
        "a CSP forbids remote images"
    );
    assert!(html.contains("default-src 'none'"));
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<link", "<iframe", "http://", "https://", "@import", "url(",
    ] {
        assert!(!lower.contains(bad), "card HTML contains {bad}");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;佐藤&quot;"));
    // Type sizes: body at least 14pt; nothing declared smaller.
    for size in html.split("font-size:").skip(1) {
        let pt: f32 = size.split("pt").next().unwrap().parse().unwrap();
        assert!(pt >= 14.0, "font-size {pt}pt is below 14pt");
    }
    // Black on white; no colour carries meaning.
    assert!(html.contains("background:#fff;color:#000"));
}

#[test]
fn pictures_can_be_files_app_supplied_urls_or_absent() {
    let pb = au();
    let path = order_card_html(
        &pb,
        Some(Platform::Android),
        Lang::En,
        None,
        &Pictures::Path("img/"),
    );
    assert!(path.contains("<img src=\"img/phone_wifi_off_android.svg\" alt=\"\">"));
    assert!(path.contains("<img src=\"img/pc_login.svg\""));
    assert!(!path.contains("phone_wifi_off_iphone"));

    let mut map = BTreeMap::new();
    map.insert(
        "pc_login".to_owned(),
        "data:image/svg+xml;base64,PHN2Zy8+".to_owned(),
    );
    let urls = order_card_html(
        &pb,
        Some(Platform::Android),
        Lang::En,
        None,
        &Pictures::Urls(&map),
    );
    assert_eq!(
        urls.matches("<img ").count(),
        2,
        "pc_login is on steps 1 and 10 only"
    );
    assert!(urls.contains("src=\"data:image/svg+xml;base64,PHN2Zy8+\""));

    let none = order_card_html(
        &pb,
        Some(Platform::Android),
        Lang::En,
        None,
        &Pictures::None,
    );
    assert!(!none.contains("<img"));
}

#[test]
fn markdown_card_reads_as_expected() {
    let pb = au();
    insta::assert_snapshot!(
        "card_ja_iphone",
        order_card_markdown(&pb, Some(Platform::Iphone), Lang::Ja, Some("田中"))
    );
    insta::assert_snapshot!(
        "card_en_unknown",
        order_card_markdown(&pb, None, Lang::En, None)
    );
}

/// Writes an SVG for every picture the card references, each carrying its id as text so
/// the PDF's text shows that the browser really loaded it.
fn write_fixture_pictures(html: &str, dir: &Path) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let mut ids: Vec<String> = html
        .split("<img src=\"pictures/")
        .skip(1)
        .map(|s| s.split(".svg\"").next().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    for id in &ids {
        std::fs::write(
            dir.join(format!("{id}.svg")),
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 320 320\" width=\"320\" height=\"320\">\
<rect width=\"320\" height=\"320\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"8\"/>\
<text x=\"8\" y=\"170\" font-size=\"20\" font-family=\"sans-serif\">PIC-{id}</text></svg>"
            ),
        )
        .unwrap();
    }
    ids
}

#[test]
fn card_prints_on_exactly_one_a4_page_in_chromium_in_both_languages() {
    if !have_chromium_and_poppler() {
        return;
    }
    let pb = au();
    let tmp = TempDir::new("card");
    for lang in [Lang::Ja, Lang::En] {
        for (platform, pname) in [
            (Some(Platform::Iphone), "iphone"),
            (Some(Platform::Android), "android"),
            (None, "unknown"),
        ] {
            let name = format!("card-{lang:?}-{pname}");
            let dir = tmp.path().join(&name);
            let html = order_card_html(
                &pb,
                platform,
                lang,
                Some("田中"),
                &Pictures::Path("pictures/"),
            );
            let pictures = write_fixture_pictures(&html, &dir.join("pictures"));
            assert!(pictures.len() >= 8, "{pictures:?}");
            let page = dir.join("card.html");
            std::fs::write(&page, &html).unwrap();
            let pdf = dir.join("card.pdf");
            let took = print_to_pdf(&page, &pdf, &dir.join("profile"));
            println!("{name}: printed in {took:?}");

            let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
            let pages = info
                .lines()
                .find_map(|l| l.strip_prefix("Pages:"))
                .map(|v| v.trim().to_owned());
            assert_eq!(pages.as_deref(), Some("1"), "{name}: {info}");
            assert!(info.contains("(A4)"), "{name}: {info}");

            let text = squash(&poppler("pdftotext", &["-raw", pdf.to_str().unwrap(), "-"]));
            for title in main_route_titles(lang) {
                assert!(
                    text.contains(&squash(&title)),
                    "{name}: no “{title}” in the PDF text"
                );
            }
            assert!(text.contains(&squash(match lang {
                Lang::Ja => "公式の数字ではありません",
                Lang::En => "not an official figure",
            })));
            for id in &pictures {
                assert!(
                    text.contains(&format!("PIC-{id}")),
                    "{name}: picture {id} did not load"
                );
            }

            // How much room is left under the last line (A4 is 841.9 pt tall, 12 mm margins):
            // other fonts (Windows, macOS) need some of it.
            let bbox = poppler("pdftotext", &["-bbox", pdf.to_str().unwrap(), "-"]);
            let lowest = bbox
                .split("yMax=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
                .fold(0.0_f64, f64::max);
            let spare_mm = (841.89 - 12.0 / 25.4 * 72.0 - lowest) / 72.0 * 25.4;
            println!("{name}: {spare_mm:.1} mm spare under the last line");
            assert!(spare_mm > 0.0, "{name}: text runs into the bottom margin");

            let png_base = dir.join("card");
            poppler(
                "pdftoppm",
                &[
                    "-png",
                    "-r",
                    "60",
                    "-singlefile",
                    pdf.to_str().unwrap(),
                    png_base.to_str().unwrap(),
                ],
            );
            let png = std::fs::read(dir.join("card.png")).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            // 60 dpi A4 is 496 x 702 pixels: read them from the IHDR chunk.
            let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
            let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
            assert_eq!((w, h), (496, 702), "{name}");
        }
    }
}

/// The pictures in `ui/pictures`, by id.
fn real_pictures() -> BTreeMap<String, std::path::PathBuf> {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/pictures");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&real).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            let id = p.file_stem().unwrap().to_str().unwrap().to_owned();
            out.insert(id, p);
        }
    }
    out
}

/// Dark pixels (grey < 128) in a rectangle of a binary PGM (`pdftoppm -gray`), in mm.
fn dark_pixels(pgm: &[u8], dpi: f64, x_mm: f64, y_mm: f64, w_mm: f64, h_mm: f64) -> usize {
    // Header: "P5\n<w> <h>\n255\n", then one byte per pixel.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&pgm[start..at]).unwrap().to_owned());
    }
    assert_eq!(fields[0], "P5");
    let w: usize = fields[1].parse().unwrap();
    let h: usize = fields[2].parse().unwrap();
    let pixels = &pgm[at + 1..];
    assert_eq!(pixels.len(), w * h);
    let px = |mm: f64| (mm / 25.4 * dpi).round() as usize;
    let mut dark = 0;
    for y in px(y_mm)..px(y_mm + h_mm).min(h) {
        for x in px(x_mm)..px(x_mm + w_mm).min(w) {
            if pixels[y * w + x] < 128 {
                dark += 1;
            }
        }
    }
    dark
}

#[test]
fn every_real_picture_draws_in_chromium_and_the_card_with_them_fits_one_page() {
    if !have_chromium_and_poppler() {
        return;
    }
    let real = real_pictures();
    let pb = au();
    // Every picture any card can show (both phone types) is in ui/pictures.
    let all = order_card_html(
        &pb,
        None,
        Lang::Ja,
        Some("田中"),
        &Pictures::Path("pictures/"),
    );
    let used: Vec<&str> = all
        .split("<img src=\"pictures/")
        .skip(1)
        .map(|s| s.split(".svg\"").next().unwrap())
        .collect();
    assert!(used.len() >= 8, "the card shows pictures: {used:?}");
    for id in &used {
        assert!(real.contains_key(*id), "ui/pictures has no {id}.svg");
    }

    let tmp = TempDir::new("card-real");
    std::fs::create_dir_all(tmp.path().join("pictures")).unwrap();
    for (id, p) in &real {
        std::fs::copy(p, tmp.path().join(format!("pictures/{id}.svg"))).unwrap();
    }

    // A sheet with every real picture in its own 25 mm cell, 6 to a row, 30 mm apart:
    // each cell must have ink in it, and an empty cell must not (or the check means nothing).
    let cell = |i: usize| (10.0 + (i % 6) as f64 * 30.0, 10.0 + (i / 6) as f64 * 30.0);
    let mut sheet = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>@page{size:A4;margin:0}\
body{margin:0}img{position:absolute;width:25mm;height:25mm}</style></head><body>",
    );
    for (i, id) in real.keys().enumerate() {
        let (x, y) = cell(i);
        sheet.push_str(&format!(
            "<img src=\"pictures/{id}.svg\" style=\"left:{x}mm;top:{y}mm\" alt=\"\">"
        ));
    }
    sheet.push_str("</body></html>");
    assert!(real.len() < 54, "the sheet has 54 cells");
    let page = tmp.path().join("sheet.html");
    std::fs::write(&page, &sheet).unwrap();
    let pdf = tmp.path().join("sheet.pdf");
    print_to_pdf(&page, &pdf, &tmp.path().join("profile-sheet"));
    let base = tmp.path().join("sheet");
    poppler(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "50",
            "-singlefile",
            pdf.to_str().unwrap(),
            base.to_str().unwrap(),
        ],
    );
    let pgm = std::fs::read(tmp.path().join("sheet.pgm")).unwrap();
    for (i, id) in real.keys().enumerate() {
        let (x, y) = cell(i);
        let dark = dark_pixels(&pgm, 50.0, x, y, 25.0, 25.0);
        // A 25 mm cell at 50 dpi is about 2400 pixels; every picture draws lines in it.
        assert!(
            dark > 100,
            "{id}.svg drew {dark} dark pixels: it did not load"
        );
    }
    let (x, y) = cell(real.len());
    assert_eq!(
        dark_pixels(&pgm, 50.0, x, y, 25.0, 25.0),
        0,
        "an empty cell"
    );

    // The card of every bundled service, with the real pictures, on one page each, in
    // both languages; every picture it names is drawn.
    let (good, bad) = tebiki_core::playbook::bundled();
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(good.len(), 6);
    for pb in &good {
        for lang in [Lang::Ja, Lang::En] {
            let html = order_card_html(pb, None, lang, Some("田中"), &Pictures::Path("pictures/"));
            for id in html.split("<img src=\"pictures/").skip(1) {
                let id = id.split(".svg\"").next().unwrap();
                assert!(
                    real.contains_key(id),
                    "{}: ui/pictures has no {id}.svg",
                    pb.id()
                );
            }
            let name = format!("card-{}-{lang:?}", pb.id());
            let page = tmp.path().join(format!("{name}.html"));
            std::fs::write(&page, &html).unwrap();
            let pdf = tmp.path().join(format!("{name}.pdf"));
            print_to_pdf(&page, &pdf, &tmp.path().join(format!("profile-{name}")));
            let info = poppler("pdfinfo", &[pdf.to_str().unwrap()]);
            assert!(
                info.lines()
                    .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 1")),
                "{name}: {info}"
            );
        }
    }
}

#[test]
fn every_service_gets_a_card_that_names_its_choices_locks_and_expiry() {
    let (good, _) = tebiki_core::playbook::bundled();
    let card = |id: &str| {
        let pb = good.iter().find(|p| p.id() == id).unwrap();
        tebiki_core::report::order_card_markdown(pb, None, Lang::Ja, None)
    };
    let myna = card("mynaportal");
    assert!(myna.contains("3回続けてまちがえるとロック"), "{myna}");
    assert!(myna.contains("2回まちがえたら入れるのをやめて"), "{myna}");
    assert!(
        !myna.contains("Wi-Fi"),
        "マイナポータル has no Wi-Fi step: {myna}"
    );
    let docomo = card("docomo-d-account");
    assert!(docomo.contains("画面に合う絵を選びます"), "{docomo}");
    assert!(docomo.contains("有効期限"), "{docomo}");
    assert!(docomo.contains("ネットワーク暗証番号"), "{docomo}");
    let rakuten = card("rakuten");
    assert!(!rakuten.contains("スマホで許可したあと"), "{rakuten}");
    let au = card("au-id");
    assert!(au.contains("Wi-Fi"), "{au}");
    assert!(!au.contains("画面に合う絵"), "{au}");
}

#[test]
fn steps_that_rest_on_a_user_report_alone_say_so_on_the_card() {
    let pb = au();
    let card = OrderCard::build(&pb, Some(Platform::Iphone), Lang::Ja, None);
    let reload = card.steps.iter().find(|s| s.id == "pc_reload").unwrap();
    assert!(
        reload.reported,
        "starting again from the top is one user's report"
    );
    let login = card.steps.iter().find(|s| s.id == "pc_login").unwrap();
    assert!(!login.reported, "the login page itself is official");
    let html = order_card_html(
        &pb,
        Some(Platform::Iphone),
        Lang::Ja,
        None,
        &Pictures::Path("pictures/"),
    );
    assert!(
        html.contains("<span class=\"rep\">※</span>") && html.contains("※の手順も、利用者の報告")
    );
    let en = order_card_html(
        &pb,
        Some(Platform::Iphone),
        Lang::En,
        None,
        &Pictures::Path("pictures/"),
    );
    assert!(en.contains("Steps marked ※ also rest on a user report"));
}
