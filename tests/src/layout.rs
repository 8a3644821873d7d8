//! "One screen, one action": the geometry of a screen, read from element rectangles in the
//! real window, at the sizes people's laptops give a window.
//!
//! Display scaling is emulated by the CSS-pixel size it leaves: 1366×768 at 150 % is a
//! 911×512 viewport. The app's own larger text (A＋) is the real control pressed. A step
//! fits when everything named is whole and uncovered and the page is no taller than the
//! window; every measurement also goes to `tests/artifacts/layout.txt`.

use std::time::Duration;

use crate::{AppSession, Result, err};

/// A viewport: its name and its size in CSS pixels.
#[derive(Debug, Clone, Copy)]
pub struct Viewport {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
}

/// 1366×768 and 1280×720 at 100, 125 and 150 % display scaling.
pub const VIEWPORTS: [Viewport; 6] = [
    Viewport {
        name: "1366x768@100%",
        width: 1366,
        height: 768,
    },
    Viewport {
        name: "1366x768@125%",
        width: 1093,
        height: 614,
    },
    Viewport {
        name: "1366x768@150%",
        width: 911,
        height: 512,
    },
    Viewport {
        name: "1280x720@100%",
        width: 1280,
        height: 720,
    },
    Viewport {
        name: "1280x720@125%",
        width: 1024,
        height: 576,
    },
    Viewport {
        name: "1280x720@150%",
        width: 853,
        height: 480,
    },
];

/// The app's text sizes checked: 100 % and one press of A＋ (120 %).
pub const TEXT_SIZES: [u32; 2] = [100, 120];

/// The size screenshots for the docs are taken at (1366×768 at 125 %).
pub const DOC_VIEWPORT: Viewport = VIEWPORTS[1];

/// What must be seen whole, uncovered, inside the viewport at scroll position 0.
#[derive(Debug, Clone, Default)]
pub struct MustSee {
    /// CSS selectors that must be present.
    pub present: Vec<String>,
    /// CSS selectors checked only when present (e.g. the picture of a step that has one).
    pub if_present: Vec<String>,
    /// Whether the page itself may be taller than the window (its height is still measured
    /// and written to the summary). Steps and the end screen: never.
    pub page_may_scroll: bool,
}

impl MustSee {
    pub fn new(present: &[&str], if_present: &[&str]) -> MustSee {
        MustSee {
            present: present.iter().map(|s| (*s).to_owned()).collect(),
            if_present: if_present.iter().map(|s| (*s).to_owned()).collect(),
            page_may_scroll: false,
        }
    }

    /// The page may be taller than the window as long as everything named is whole inside
    /// it at scroll position 0 (the home screens: their lower part is for the helper).
    pub fn page_may_scroll(mut self) -> MustSee {
        self.page_may_scroll = true;
        self
    }

    /// A session step: its title and "Next" (or "End"), and, when the step has them, its
    /// picture, its instruction, each checklist line, the QR to scan and its own buttons.
    pub fn step() -> MustSee {
        MustSee::new(
            &["#screen-title", "#step-body"],
            &[
                "#next",
                "img.picture",
                ".check-line",
                "#phone-qr",
                ".actions .action",
                "#countdown",
            ],
        )
    }
}

const MEASURE: &str = r#"
const [present, ifPresent, pageMayScroll] = arguments;
document.scrollingElement.scrollTop = 0; window.scrollTo(0, 0);
const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
const nav = document.querySelector('.nav-bar') || document.querySelector('.nav');
const navTop = nav ? nav.getBoundingClientRect().top : vh;
const out = [];
const check = (sel, el) => {
  const r = el.getBoundingClientRect();
  const inNav = nav && nav.contains(el);
  const bottomLimit = inNav ? vh : navTop;
  const problems = [];
  if (r.width === 0 || r.height === 0) problems.push('not drawn');
  if (r.top < -0.5 || r.left < -0.5) problems.push('starts outside the window');
  if (r.right > vw + 0.5) problems.push(`right edge ${Math.round(r.right)} > ${vw}`);
  if (r.bottom > bottomLimit + 0.5) problems.push(`bottom ${Math.round(r.bottom)} > ${Math.round(bottomLimit)}${inNav ? '' : ' (the top of the Next bar)'}`);
  if (!problems.length) {
    // Text is probed on its first line box (text may flow around a floated picture).
    const range = document.createRange(); range.selectNodeContents(el);
    const line = [...range.getClientRects()].find((q) => q.width > 0 && q.height > 0) || r;
    const x = Math.min(Math.max(line.left + Math.min(line.width / 2, 20), 0), vw - 1);
    const y = Math.min(Math.max(line.top + line.height / 2, 0), vh - 1);
    const hit = document.elementFromPoint(x, y);
    if (hit && !el.contains(hit) && !hit.contains(el)) problems.push('covered by ' + hit.tagName + (hit.id ? '#' + hit.id : '') + '.' + hit.className);
  }
  if (problems.length) out.push(`${sel}: ${problems.join(', ')} [${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}]`);
};
for (const sel of present) {
  const els = document.querySelectorAll(sel);
  if (!els.length) out.push(`${sel}: missing`);
  els.forEach((el) => check(sel, el));
}
for (const sel of ifPresent) document.querySelectorAll(sel).forEach((el) => check(sel, el));
const se = document.scrollingElement;
if (se.scrollWidth > vw + 0.5) out.push(`the page scrolls sideways: ${se.scrollWidth} > ${vw}`);
if (!pageMayScroll && se.scrollHeight > vh + 0.5) out.push(`the page scrolls: its height ${se.scrollHeight} > ${vh}`);
// The way on: "Next", else the screen's own main button (the first given after the title).
const mainSel = ['#next', '#end', ...present, ...ifPresent]
  .find((s) => s !== '#screen-title' && s !== '#step-body' && document.querySelector(s));
const main = mainSel ? document.querySelector(mainSel).getBoundingClientRect() : null;
// The height the screen needs: the page's height less the room `main` was stretched by.
const m = document.getElementById('main');
const last = m && m.lastElementChild;
const slack = last ? Math.max(0, m.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom
  - parseFloat(getComputedStyle(m).paddingBottom || '0')) : 0;
return { problems: out, vw, vh, scrollHeight: se.scrollHeight, needed: Math.round(se.scrollHeight - slack), mainSel: mainSel || '',
  mainBottom: main ? Math.round(main.bottom) : -1,
  text: getComputedStyle(document.documentElement).getPropertyValue('--text-size').trim() };
"#;

impl AppSession {
    /// Resizes the window so the page's viewport is `w`×`h` CSS pixels (the window manager-
    /// less X server adds no frame, but the difference is measured and corrected anyway).
    pub async fn set_viewport(&self, w: u32, h: u32) -> Result<()> {
        for _ in 0..3 {
            let got = self
                .client
                .execute(
                    "return [document.documentElement.clientWidth, document.documentElement.clientHeight, window.outerWidth, window.outerHeight];",
                    vec![],
                )
                .await?;
            let n = |i: usize| got[i].as_f64().unwrap_or(0.0) as i64;
            let (cw, ch) = (n(0), n(1));
            if cw == i64::from(w) && ch == i64::from(h) {
                return Ok(());
            }
            let (ow, oh) = (n(2).max(cw), n(3).max(ch));
            let tw = (i64::from(w) + (ow - cw)).max(1) as u32;
            let th = (i64::from(h) + (oh - ch)).max(1) as u32;
            self.client.set_window_size(tw, th).await?;
            // Wait for the page to see the new size.
            let deadline = std::time::Instant::now() + Duration::from_secs(3);
            while std::time::Instant::now() < deadline {
                let now = self
                    .client
                    .execute("return [document.documentElement.clientWidth, document.documentElement.clientHeight];", vec![])
                    .await?;
                let (a, b) = (
                    now[0].as_f64().unwrap_or(0.0) as i64,
                    now[1].as_f64().unwrap_or(0.0) as i64,
                );
                if a != cw || b != ch {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let got = self
            .client
            .execute("return [document.documentElement.clientWidth, document.documentElement.clientHeight];", vec![])
            .await?;
        Err(err(format!(
            "could not give the page a {w}x{h} viewport; it has {got:?}"
        )))
    }

    /// Sets the app's text size with its own A−/A＋ buttons (100, 120, 140 or 160 %).
    pub async fn set_text_size(&self, pct: u32) -> Result<()> {
        let want = format!("{}px", pct * 20 / 100);
        for _ in 0..8 {
            let now = self
                .client
                .execute(
                    "return getComputedStyle(document.documentElement).getPropertyValue('--text-size').trim();",
                    vec![],
                )
                .await?;
            let now = now.as_str().unwrap_or("").to_owned();
            if now == want {
                return Ok(());
            }
            let px: u32 = now.trim_end_matches("px").parse().unwrap_or(20);
            let button = if px < pct * 20 / 100 {
                "text-larger"
            } else {
                "text-smaller"
            };
            self.client
                .execute(
                    &format!("document.getElementById('{button}').click();"),
                    vec![],
                )
                .await?;
        }
        Err(err(format!("the text size did not reach {pct} %")))
    }

    /// Switches the language with the header's own buttons and waits for the page to follow.
    pub async fn set_language(&self, lang: &str) -> Result<()> {
        self.client
            .execute(
                &format!(
                    "document.querySelector(\"button.lang-btn[data-lang='{lang}']\").click();"
                ),
                vec![],
            )
            .await?;
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(crate::Locator::Css(&format!("html[lang='{lang}']")))
            .await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        Ok(())
    }

    /// Measures the current screen at every viewport × text size × language and returns
    /// every failure (empty: it fits everywhere). Every measurement is also written to the
    /// summary table (see [`write_summary`]). Leaves the window at `DOC_VIEWPORT`, the text
    /// at 100 % and the language Japanese.
    pub async fn fits_everywhere(&self, screen: &str, must: &MustSee) -> Result<Vec<String>> {
        let mut failures = Vec::new();
        let mut rows = Vec::new();
        for lang in ["ja", "en"] {
            self.set_language(lang).await?;
            for pct in TEXT_SIZES {
                self.set_text_size(pct).await?;
                for vp in VIEWPORTS {
                    self.set_viewport(vp.width, vp.height).await?;
                    tokio::time::sleep(Duration::from_millis(60)).await;
                    let got = self
                        .client
                        .execute(
                            MEASURE,
                            vec![
                                must.present.clone().into(),
                                must.if_present.clone().into(),
                                must.page_may_scroll.into(),
                            ],
                        )
                        .await?;
                    let problems: Vec<String> = got["problems"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|p| p.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    let n = |k: &str| got[k].as_f64().unwrap_or(-1.0) as i64;
                    rows.push(Row {
                        screen: screen.to_owned(),
                        combo: format!("{} {lang} text {pct}%", vp.name),
                        viewport: format!("{}x{}", n("vw"), n("vh")),
                        scroll_height: n("scrollHeight"),
                        needed: n("needed"),
                        scrolls: n("scrollHeight") > n("vh"),
                        main: got["mainSel"].as_str().unwrap_or("").to_owned(),
                        main_bottom: n("mainBottom"),
                        problems: problems.len(),
                    });
                    // The smallest window with the larger text: a picture of any failure there.
                    if !problems.is_empty() && vp.height == 480 && pct == TEXT_SIZES[1] {
                        self.screenshot(&format!("layout-fail-{screen}-{lang}"))
                            .await?;
                    }
                    for p in problems {
                        failures.push(format!(
                            "{screen} at {} ({lang}, text {pct} %): {p}",
                            vp.name
                        ));
                    }
                }
            }
        }
        write_summary(screen, &rows)?;
        self.set_text_size(100).await?;
        self.set_language("ja").await?;
        self.set_viewport(DOC_VIEWPORT.width, DOC_VIEWPORT.height)
            .await?;
        Ok(failures)
    }

    /// The whole check for one screen: it fits at every size, axe-core finds nothing
    /// serious on it, and one screenshot is saved for the docs (`tests/artifacts/<name>.png`).
    pub async fn check_screen(&self, name: &str, must: &MustSee) -> Result<()> {
        let failures = self.fits_everywhere(name, must).await?;
        crate::axe::assert_no_serious(&self.client, name)
            .await
            .map_err(err)?;
        self.screenshot(&format!("screen-{name}")).await?;
        if failures.is_empty() {
            Ok(())
        } else {
            Err(err(format!(
                "{name} does not fit the window ({} problems):\n  {}",
                failures.len(),
                failures.join("\n  ")
            )))
        }
    }
}

/// One measurement of one screen at one size, for the summary table.
struct Row {
    screen: String,
    combo: String,
    viewport: String,
    scroll_height: i64,
    needed: i64,
    scrolls: bool,
    main: String,
    main_bottom: i64,
    problems: usize,
}

/// Writes the rows of one screen to `artifacts/layout/<screen>.txt`, then rebuilds
/// `artifacts/layout.txt` from every screen's file (so tests in other processes each add
/// theirs): per screen × combination, the viewport, the page's height (`scrollHeight`; the
/// page scrolls when it is larger than the viewport's height) and the bottom edge of the
/// main button.
fn write_summary(screen: &str, rows: &[Row]) -> Result<()> {
    use std::fmt::Write as _;
    let dir = crate::artifacts_dir().join("layout");
    std::fs::create_dir_all(&dir)?;
    let mut text = String::new();
    for r in rows {
        let _ = writeln!(
            text,
            "{:<34} {:<27} {:>9} {:>6} {:>6} {:>6}  {:<22} {}",
            r.screen,
            r.combo,
            r.viewport,
            r.scroll_height,
            r.needed,
            r.main_bottom,
            r.main,
            if r.problems == 0 && r.scrolls {
                "parts named fit; the page scrolls".to_owned()
            } else if r.problems == 0 {
                "fits".to_owned()
            } else {
                format!("{} problem(s)", r.problems)
            }
        );
    }
    let safe: String = screen
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    std::fs::write(dir.join(format!("{safe}.txt")), text)?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut all = format!(
        "# Layout of every checked screen (tests/src/layout.rs), per screen x window size x\n\
         # language x text size: the viewport in CSS px; `height`, the page's height\n\
         # (scrollHeight: the page scrolls if it is larger than the viewport's height);\n\
         # `needs`, the height the screen's content needs; `button`, the bottom edge of the\n\
         # main button.\n\
         {:<34} {:<27} {:>9} {:>6} {:>6} {:>6}  {:<22} {}\n",
        "screen",
        "window, language, text",
        "viewport",
        "height",
        "needs",
        "button",
        "main button",
        "result"
    );
    for f in files {
        all.push_str(&std::fs::read_to_string(f)?);
    }
    let tmp = crate::artifacts_dir().join(format!("layout.txt.{}", std::process::id()));
    std::fs::write(&tmp, all)?;
    std::fs::rename(&tmp, crate::artifacts_dir().join("layout.txt"))?;
    Ok(())
}

impl AppSession {
    /// Presses one key (a WebDriver key code, e.g. `'\u{E004}'` for Tab) as the keyboard.
    pub async fn key(&self, key: char) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Waits until `css` matches an element, asking the page itself each time: a screen that
    /// is rebuilt every second (a countdown) can replace an element between WebDriver finding
    /// it and making a handle of it, which fails as a stale element.
    pub async fn wait_present(&self, css: &str, within: Duration) -> Result<()> {
        let start = std::time::Instant::now();
        loop {
            let found = self
                .client
                .execute(
                    "return document.querySelector(arguments[0]) !== null;",
                    vec![css.into()],
                )
                .await?;
            if found.as_bool() == Some(true) {
                return Ok(());
            }
            if start.elapsed() > within {
                return Err(err(format!("`{css}` did not appear within {within:?}")));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 15 s) until the session shows the step `id` (`section.session[data-step]`).
    pub async fn wait_step(&self, id: &str) -> Result<()> {
        self.wait_present(
            &format!("section.session[data-step='{id}']"),
            Duration::from_secs(15),
        )
        .await
    }

    /// Keyboard only: moves the focus with Tab (at most 60 presses) until it is on the
    /// element `css`, then presses Enter on it. Fails if Tab never reaches it.
    pub async fn keyboard_press(&self, css: &str) -> Result<()> {
        const TAB: char = '\u{E004}';
        const ENTER: char = '\u{E007}';
        self.wait_present(css, Duration::from_secs(10)).await?;
        let mut trail = Vec::new();
        for _ in 0..60 {
            let on = self
                .client
                .execute(
                    "const a = document.activeElement; \
                     return [!!a && a.matches(arguments[0]), a ? a.tagName + (a.id ? '#' + a.id : '') : ''];",
                    vec![css.into()],
                )
                .await?;
            if on[0].as_bool() == Some(true) {
                return self.key(ENTER).await;
            }
            trail.push(on[1].as_str().unwrap_or("").to_owned());
            self.key(TAB).await?;
        }
        Err(err(format!(
            "Tab never reached `{css}` in 60 presses; the focus went: {}",
            trail.join(" → ")
        )))
    }
}
