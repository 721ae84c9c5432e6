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
    /// The directory the capture wrote its PNGs into
    dir: PathBuf,
}

const VIEWS: [&str; 9] = [
    "lobby.png",
    "lobby-entrance.png",
    "hall-door.png",
    "hall-aisle.png",
    "hall-longest-aisle.png",
    "hall-booths.png",
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = if cli.booth_preview {
        check_booth_preview(&cli.dir)
    } else {
        check(&cli.dir)
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
