//! Checks the PNGs of `yunzhan --capture DIR`: every view exists and is not
//! blank, and the card close-up shows dark text on a light card in the middle
//! of the picture. Exits non-zero with the reason otherwise. CI runs it after
//! the capture under Xvfb.

use std::path::Path;
use std::process::ExitCode;

const VIEWS: [&str; 5] = [
    "lobby.png",
    "hall-aisle.png",
    "card.png",
    "detail.png",
    "minimap.png",
];

fn luminance(pixel: &image::Rgb<u8>) -> f32 {
    let [r, g, b] = pixel.0;
    0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b)
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
        if view == "card.png" {
            // The card, faced square-on from reading distance, fills the middle.
            let (w, h) = (image.width(), image.height());
            let (x0, y0, x1, y1) = (w * 3 / 10, h * 3 / 10, w * 7 / 10, h * 7 / 10);
            let (mut ink, mut paper, mut total) = (0usize, 0usize, 0usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    let l = luminance(image.get_pixel(x, y));
                    total += 1;
                    ink += usize::from(l < 110.0);
                    paper += usize::from(l > 200.0);
                }
            }
            let (ink, paper) = (ink as f32 / total as f32, paper as f32 / total as f32);
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
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: check-captures DIR");
        return ExitCode::from(2);
    };
    match check(Path::new(&dir)) {
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
