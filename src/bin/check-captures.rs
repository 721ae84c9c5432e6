//! Checks the PNGs of `yunzhan --capture DIR`: every view exists and is not
//! blank, the card close-up shows dark text on a light card in the middle
//! of the picture, and the hall is lit and roofed: seen from its door, the
//! concrete floor's brightness varies with the baked light (a flat, unlit
//! floor is one shade) and a ceiling, not the sky, fills the top. With `--booth-preview`, checks `booth-preview.png` of
//! `yunzhan --preview assets/booths/sample --capture DIR` instead: the
//! sample's own model (its wood-panelled back wall) fills the middle. Exits
//! non-zero with the reason otherwise. CI runs it after the capture under Xvfb.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Check the PNGs of `yunzhan --capture DIR`: every view present and not blank, text on the card
#[derive(Parser)]
#[command(name = "check-captures", version)]
struct Cli {
    /// Check booth-preview.png, the sample booth previewed in its hall
    /// (`yunzhan --preview assets/booths/sample --capture DIR`), instead
    #[arg(long, verbatim_doc_comment)]
    booth_preview: bool,
    /// Compare DIR's frames.json (a capture of a larger catalog, `yunzhan
    /// --catalog FILE --capture DIR`) with BASE's (the shipped catalog's, in
    /// the same CI run) instead: prints the ratios of hall entry and frame
    /// times and writes them to DIR/scale.json; fails when a hall view is
    /// missing, DIR's hall is not larger, or a view draws over 60 meshes
    #[arg(long, value_name = "BASE", verbatim_doc_comment)]
    scale: Option<PathBuf>,
    /// The directory the capture wrote its PNGs into
    dir: PathBuf,
}

const VIEWS: [&str; 10] = [
    "lobby.png",
    "lobby-entrance.png",
    "hall-door.png",
    "hall-aisle.png",
    "hall-longest-aisle.png",
    "hall-booths.png",
    "hall-exit.png",
    "card.png",
    "detail.png",
    "minimap.png",
];

fn luminance(pixel: &image::Rgb<u8>) -> f32 {
    let [r, g, b] = pixel.0;
    0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b)
}

/// Share of the middle of the picture (the middle 40 %) whose pixels pass `test`.
fn middle_share(image: &image::RgbImage, test: impl Fn(&image::Rgb<u8>) -> bool) -> f32 {
    let (w, h) = (image.width(), image.height());
    let (x0, y0, x1, y1) = (w * 3 / 10, h * 3 / 10, w * 7 / 10, h * 7 / 10);
    let (mut hits, mut total) = (0usize, 0usize);
    for y in y0..y1 {
        for x in x0..x1 {
            total += 1;
            hits += usize::from(test(image.get_pixel(x, y)));
        }
    }
    hits as f32 / total as f32
}

/// The sky (the clear colour) as 8-bit sRGB.
const SKY: [i32; 3] = [184, 199, 219];

/// The picture from the hall's door: the spread (5th to 95th percentile) of
/// the concrete floor's luminance in the bottom third, and the share of the
/// top band (right of the toolbar) that is not sky.
fn lit_and_roofed(image: &image::RgbImage) -> (f32, f32) {
    let (w, h) = (image.width(), image.height());
    let mut floor: Vec<f32> = (h * 2 / 3..h)
        .flat_map(|y| (w * 3 / 10..w).map(move |x| (x, y)))
        .map(|(x, y)| image.get_pixel(x, y))
        .filter(|pixel| {
            let [r, g, b] = pixel.0.map(i32::from);
            (r - g).abs() < 14 && (g - b).abs() < 14 && luminance(pixel) > 90.0
        })
        .map(luminance)
        .collect();
    floor.sort_by(f32::total_cmp);
    let spread = match floor.len() {
        0..100 => 0.0,
        n => floor[n * 95 / 100] - floor[n * 5 / 100],
    };
    let band: Vec<bool> = (0..h * 15 / 100)
        .flat_map(|y| (w * 3 / 4..w).map(move |x| (x, y)))
        .map(|(x, y)| {
            let pixel = image.get_pixel(x, y).0.map(i32::from);
            (0..3).any(|c| (pixel[c] - SKY[c]).abs() > 20)
        })
        .collect();
    let roofed = band.iter().filter(|&&roof| roof).count() as f32 / band.len() as f32;
    (spread, roofed)
}

fn check_booth_preview(dir: &Path) -> Result<Vec<String>, String> {
    let path = dir.join("booth-preview.png");
    let image = image::open(&path)
        .map_err(|error| format!("{}: {error}", path.display()))?
        .to_rgb8();
    // The sample's wood: warm browns, red well above blue. The standard
    // booth's walls are near-white and the electronics zone's floor blue.
    let wood = middle_share(&image, |pixel| {
        let [r, g, b] = pixel.0.map(i32::from);
        (90..=235).contains(&r) && r > g && g > b && r - b > 50
    });
    if wood < 0.2 {
        return Err(format!(
            "booth-preview.png: the sample booth's own model is not in the middle (wood {:.1}%)",
            wood * 100.0
        ));
    }
    Ok(vec![format!(
        "booth-preview.png: {}x{}, the model's wood covers {:.1}% of the middle",
        image.width(),
        image.height(),
        wood * 100.0
    )])
}

fn check(dir: &Path) -> Result<Vec<String>, String> {
    let mut report = Vec::new();
    for view in VIEWS {
        let path = dir.join(view);
        let image = image::open(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?
            .to_rgb8();
        let values: Vec<f32> = image.pixels().map(luminance).collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        let deviation =
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32).sqrt();
        if deviation < 12.0 {
            return Err(format!(
                "{view}: blank (luminance deviation {deviation:.1})"
            ));
        }
        let mut line = format!(
            "{view}: {}x{}, luminance deviation {deviation:.1}",
            image.width(),
            image.height()
        );
        if view == "hall-door.png" {
            let (spread, roofed) = lit_and_roofed(&image);
            if spread < 12.0 {
                return Err(format!(
                    "hall-door.png: the floor is flat, unlit (luminance spread {spread:.1})"
                ));
            }
            if roofed < 0.8 {
                return Err(format!(
                    "hall-door.png: no ceiling over the hall ({:.0}% of the top is not sky)",
                    roofed * 100.0
                ));
            }
            line.push_str(&format!(
                "; floor luminance spread {spread:.1}, top {:.0}% ceiling",
                roofed * 100.0
            ));
        }
        if view == "card.png" {
            // The card, faced square-on from reading distance, fills the middle.
            let ink = middle_share(&image, |pixel| luminance(pixel) < 110.0);
            let paper = middle_share(&image, |pixel| luminance(pixel) > 200.0);
            if ink < 0.01 || paper < 0.25 {
                return Err(format!(
                    "card.png: no text on a card in the middle (ink {:.1}%, paper {:.1}%)",
                    ink * 100.0,
                    paper * 100.0
                ));
            }
            line.push_str(&format!(
                "; card region ink {:.1}%, paper {:.1}%",
                ink * 100.0,
                paper * 100.0
            ));
        }
        report.push(line);
    }
    Ok(report)
}

/// The rows of a capture's frames.json by view and tier.
fn frame_rows(dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let path = dir.join("frames.json");
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// The views a larger catalog must not make slower: the hall's entry (the
/// median and the fastest of the entries view, and what its loading screen
/// waited for) and the hall views' frame times.
const SCALED_VIEWS: [(&str, &str); 7] = [
    ("HallEntry", "entry_ms_median"),
    ("HallEntry", "entry_ms_min"),
    ("HallEntry", "entry_items"),
    ("HallDoor", "frame_ms_mean"),
    ("HallAisle", "frame_ms_mean"),
    ("LongestAisle", "frame_ms_mean"),
    ("Booths", "frame_ms_mean"),
];

/// The larger catalog's figures over the base's, one line per view and tier.
fn compare_scale(base: &Path, large: &Path) -> Result<Vec<String>, String> {
    let (base_rows, large_rows) = (frame_rows(base)?, frame_rows(large)?);
    let find = |rows: &[serde_json::Value], view: &str, tier: &str| {
        rows.iter()
            .find(|row| row["view"] == view && row["tier"] == tier)
            .cloned()
            .ok_or_else(|| format!("frames.json has no {view} row at the {tier} tier"))
    };
    let mut lines = vec!["| view | tier | base | large | ratio | draws base / large |".into()];
    lines.push("|---|---|---|---|---|---|".into());
    let mut ratios = Vec::new();
    for tier in ["high", "low"] {
        for (view, field) in SCALED_VIEWS {
            if view == "HallEntry" && tier == "low" {
                continue;
            }
            let (a, b) = (
                find(&base_rows, view, tier)?,
                find(&large_rows, view, tier)?,
            );
            let figure = |row: &serde_json::Value| row[field].as_f64().unwrap_or(f64::NAN);
            let draws = |row: &serde_json::Value| row["visible_mesh_draws"].as_u64().unwrap_or(0);
            if draws(&b) > 60 {
                return Err(format!(
                    "{view} ({tier}) draws {} meshes (budget 60)",
                    draws(&b)
                ));
            }
            if view == "HallDoor" && b["cards"].as_u64() <= a["cards"].as_u64() {
                return Err(format!(
                    "the large capture's hall has no more cards ({})",
                    b["cards"]
                ));
            }
            let ratio = figure(&b) / figure(&a);
            let unit = if field.contains("_ms") {
                " ms"
            } else {
                " items"
            };
            lines.push(format!(
                "| {view} {field} | {tier} | {:.1}{unit} | {:.1}{unit} | {ratio:.2}x | {} / {} |",
                figure(&a),
                figure(&b),
                draws(&a),
                draws(&b)
            ));
            ratios.push(serde_json::json!({"view": view, "tier": tier, "field": field,
                "base": figure(&a), "large": figure(&b), "ratio": (ratio * 1000.0).round() / 1000.0}));
        }
    }
    let path = large.join("scale.json");
    std::fs::write(&path, format!("{:#}\n", serde_json::Value::Array(ratios)))
        .map_err(|error| format!("{}: {error}", path.display()))?;
    Ok(lines)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (&cli.scale, cli.booth_preview) {
        (Some(base), _) => compare_scale(base, &cli.dir),
        (None, true) => check_booth_preview(&cli.dir),
        (None, false) => check(&cli.dir),
    };
    match result {
        Ok(report) => {
            for line in report {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("check-captures: {error}");
            ExitCode::FAILURE
        }
    }
}
