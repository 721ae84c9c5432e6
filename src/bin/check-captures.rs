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
    /// Read the comparison in DIR's frames.json instead (`yunzhan --capture
    /// DIR --compare-catalog FILE`, FILE a larger catalog): prints FILE's
    /// hall entry and frame times over the shown catalog's, round by round
    /// and their median, and writes them to DIR/scale.json; and the frame
    /// budgets (views over the empty scene) in each turn of the shown
    /// catalog, to DIR/budgets.json; fails when a turn's view is missing,
    /// FILE's hall is not larger, or a view draws over 60 meshes
    #[arg(long, verbatim_doc_comment)]
    scale: bool,
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

/// The hall seen from its door is lit (its floor's light varies) and roofed.
fn check_hall_door(image: &image::RgbImage) -> Result<String, String> {
    let (spread, roofed) = lit_and_roofed(image);
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
    Ok(format!(
        "; floor luminance spread {spread:.1}, top {:.0}% ceiling",
        roofed * 100.0
    ))
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
            line.push_str(&check_hall_door(&image)?);
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

/// The figures a larger catalog must not make slower: the hall's entry
/// (the median and the fastest of its entries, the median of the CPU time
/// and of the frames they took, and what its loading screen waited for) and the hall views' frame times.
const SCALED_VIEWS: [(&str, &str); 9] = [
    ("HallEntry", "entry_ms_median"),
    ("HallEntry", "entry_ms_min"),
    ("HallEntry", "entry_cpu_ms_median"),
    ("HallEntry", "entry_frames_median"),
    ("HallEntry", "entry_items"),
    ("HallDoor", "frame_ms_mean"),
    ("HallAisle", "frame_ms_mean"),
    ("LongestAisle", "frame_ms_mean"),
    ("Booths", "frame_ms_mean"),
];

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The comparison's rows of one view and tier, as (shown, compared) pairs
/// by round.
fn turn_pairs<'a>(
    rows: &'a [serde_json::Value],
    view: &str,
    tier: &str,
) -> Result<Vec<[&'a serde_json::Value; 2]>, String> {
    let rounds = (rows.iter())
        .filter(|row| row["view"] == view && row["tier"] == tier)
        .filter_map(|row| row["round"].as_u64())
        .max()
        .ok_or_else(|| {
            format!("frames.json has no {view} rows at the {tier} tier in turns of a comparison: capture with --compare-catalog FILE")
        })?;
    let turn = |round: u64, catalog: &str| {
        rows.iter()
            .find(|row| {
                row["view"] == view
                    && row["tier"] == tier
                    && row["round"] == round
                    && row["catalog"] == catalog
            })
            .ok_or_else(|| {
                format!("frames.json has no {view} row at the {tier} tier in round {round} for the {catalog} catalog")
            })
    };
    (0..=rounds)
        .map(|round| Ok([turn(round, "shown")?, turn(round, "compared")?]))
        .collect()
}

/// The median or the fastest of every entry of each catalog, all rounds
/// pooled, for those figures of the entries: an entry lasts a whole number
/// of frames (about 150 ms each at the high tier on this machine), so a
/// turn's few entries are too coarse to compare one by one.
fn pooled_entries(
    pairs: &[[&serde_json::Value; 2]],
    field: &str,
) -> Result<Option<[f64; 2]>, String> {
    let runs = |side: usize| -> Result<Vec<f64>, String> {
        let runs: Vec<f64> = (pairs.iter())
            .filter_map(|pair| pair[side]["entry_ms_runs"].as_array())
            .flatten()
            .filter_map(|ms| ms.as_f64())
            .collect();
        match runs.is_empty() {
            true => Err("the HallEntry rows have no entry_ms_runs".into()),
            false => Ok(runs),
        }
    };
    let fastest = |runs: Vec<f64>| runs.into_iter().fold(f64::INFINITY, f64::min);
    Ok(match field {
        "entry_ms_median" => Some([median(runs(0)?), median(runs(1)?)]),
        "entry_ms_min" => Some([fastest(runs(0)?), fastest(runs(1)?)]),
        _ => None,
    })
}

/// The comparison of `yunzhan --capture DIR --compare-catalog FILE`: for
/// each view, tier and figure, FILE's over the shown catalog's in each round
/// (both timed in the same minute), and the median of these ratios (for
/// the entries' times, of all rounds' entries pooled).
/// Also the frame budgets from the shown catalog's turns (`budgets.json`).
fn compare_scale(dir: &Path) -> Result<Vec<String>, String> {
    let rows = frame_rows(dir)?;
    let (mut lines, ratios) = scale_report(&rows)?;
    let (budget_lines, budgets) = budget_report(&rows)?;
    lines.push(String::new());
    lines.extend(budget_lines);
    for (file, figures) in [("scale.json", ratios), ("budgets.json", budgets)] {
        let path = dir.join(file);
        std::fs::write(&path, format!("{:#}\n", serde_json::Value::Array(figures)))
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    Ok(lines)
}

/// The frame budgets of issue 17: a view's frame time over the empty
/// scene's at the same tier, at most this.
const BUDGETS: [(&str, &str, f64); 4] = [
    ("Lobby", "high", 4.0),
    ("Lobby", "low", 2.0),
    ("HallAisle", "high", 8.0),
    ("HallAisle", "low", 3.0),
];

/// The frame budgets in the shown catalog's turns: each turn's view over
/// the empty scene timed at the start of the same turn, and their median.
fn budget_report(
    rows: &[serde_json::Value],
) -> Result<(Vec<String>, Vec<serde_json::Value>), String> {
    let mut lines =
        vec!["| view over the empty scene | tier | ratios by round | median | budget |".into()];
    lines.push("|---|---|---|---|---|".into());
    let mut budgets = Vec::new();
    let frame = |row: &serde_json::Value| row["frame_ms_mean"].as_f64().unwrap_or(f64::NAN);
    for (view, tier, budget) in BUDGETS {
        let (views, empties) = (
            turn_pairs(rows, view, tier)?,
            turn_pairs(rows, "Empty", tier)?,
        );
        let by_round: Vec<f64> = (views.iter().zip(&empties))
            .map(|([shown, _], [empty, _])| frame(shown) / frame(empty))
            .collect();
        let ratio = median(by_round.clone());
        let listed: Vec<String> = by_round.iter().map(|r| format!("{r:.2}x")).collect();
        lines.push(format!(
            "| {view} | {tier} | {} | {ratio:.2}x | ≤ {budget}x |",
            listed.join(" ")
        ));
        budgets.push(serde_json::json!({"view": view, "tier": tier,
            "ratios_by_round": by_round.iter().map(|&r| round3(r)).collect::<Vec<_>>(),
            "ratio": round3(ratio), "budget": budget}));
    }
    Ok((lines, budgets))
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// The comparison's table and its `scale.json` rows.
fn scale_report(
    rows: &[serde_json::Value],
) -> Result<(Vec<String>, Vec<serde_json::Value>), String> {
    let mut lines =
        vec!["| view | tier | shown | compared | ratios by round | median | draws |".into()];
    lines.push("|---|---|---|---|---|---|---|".into());
    let mut ratios = Vec::new();
    for tier in ["high", "low"] {
        for (view, field) in SCALED_VIEWS {
            if view == "HallEntry" && tier == "low" {
                continue;
            }
            let pairs = turn_pairs(rows, view, tier)?;
            let figure = |row: &serde_json::Value| row[field].as_f64().unwrap_or(f64::NAN);
            let draws = |row: &serde_json::Value| row["visible_mesh_draws"].as_u64().unwrap_or(0);
            for [shown, compared] in &pairs {
                if draws(compared) > 60 {
                    return Err(format!(
                        "{view} ({tier}) draws {} meshes (budget 60)",
                        draws(compared)
                    ));
                }
                if view == "HallDoor" && compared["cards"].as_u64() <= shown["cards"].as_u64() {
                    return Err(format!(
                        "the compared catalog's hall has no more cards ({} vs {})",
                        compared["cards"], shown["cards"]
                    ));
                }
            }
            let by_round: Vec<f64> = (pairs.iter())
                .map(|[shown, compared]| figure(compared) / figure(shown))
                .collect();
            let (ratio, [shown, compared]) = match pooled_entries(&pairs, field)? {
                Some(pooled) => (pooled[1] / pooled[0], pooled),
                None => (
                    median(by_round.clone()),
                    [0, 1]
                        .map(|side| median(pairs.iter().map(|pair| figure(pair[side])).collect())),
                ),
            };
            let unit = match field {
                "entry_items" => " items",
                "entry_frames_median" => " frames",
                _ => " ms",
            };
            let listed: Vec<String> = by_round.iter().map(|r| format!("{r:.2}x")).collect();
            let [first_shown, first_compared] = pairs[0];
            let drawn = match view {
                "HallEntry" => "—".to_string(),
                _ => format!("{} / {}", draws(first_shown), draws(first_compared)),
            };
            lines.push(format!(
                "| {view} {field} | {tier} | {shown:.1}{unit} | {compared:.1}{unit} | {} | {ratio:.2}x | {drawn} |",
                listed.join(" "),
            ));
            ratios.push(
                serde_json::json!({"view": view, "tier": tier, "field": field,
                "shown": shown, "compared": compared,
                "shown_projects": first_shown["catalog_projects"],
                "compared_projects": first_compared["catalog_projects"],
                "ratios_by_round": by_round.iter().map(|&r| round3(r)).collect::<Vec<_>>(),
                "ratio": round3(ratio)}),
            );
        }
    }
    Ok((lines, ratios))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (cli.scale, cli.booth_preview) {
        (true, _) => compare_scale(&cli.dir),
        (false, true) => check_booth_preview(&cli.dir),
        (false, false) => check(&cli.dir),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A hall from its door, drawn: a grey floor over the bottom third
    /// (lit as `floor` says, by column), a ceiling or sky on top.
    fn door_picture(floor: impl Fn(u32) -> u8, top: [u8; 3]) -> image::RgbImage {
        image::RgbImage::from_fn(320, 180, |x, y| match y {
            y if y >= 120 => {
                let grey = floor(x);
                image::Rgb([grey, grey, grey])
            }
            y if y < 40 => image::Rgb(top),
            _ => image::Rgb([200, 60, 60]),
        })
    }

    #[test]
    fn a_flat_floor_or_a_missing_ceiling_fails_the_door_view() {
        const CEILING: [u8; 3] = [70, 72, 78];
        let pools = |x: u32| 120 + ((x as f32 / 20.0).sin() * 40.0) as u8;
        let lit = door_picture(pools, CEILING);
        let report = check_hall_door(&lit).expect("a lit, roofed hall passes");
        assert!(report.contains("100% ceiling"), "{report}");
        let flat = door_picture(|_| 150, CEILING);
        let error = check_hall_door(&flat).unwrap_err();
        assert!(error.contains("flat, unlit"), "{error}");
        let sky = SKY.map(|c| c as u8);
        let roofless = door_picture(pools, sky);
        let error = check_hall_door(&roofless).unwrap_err();
        assert!(error.contains("no ceiling"), "{error}");
    }

    /// The rows of a comparison in which the compared catalog's figures are
    /// the shown one's times `factor(round)`.
    fn comparison(factor: impl Fn(u64) -> f64, compared_draws: u64) -> Vec<serde_json::Value> {
        let mut rows = Vec::new();
        for round in 0..3 {
            for (catalog, scale, draws, cards) in [
                ("shown", 1.0, 30, 100),
                ("compared", factor(round), compared_draws, 120),
            ] {
                for tier in ["high", "low"] {
                    for view in [
                        "HallEntry",
                        "HallDoor",
                        "HallAisle",
                        "LongestAisle",
                        "Booths",
                    ] {
                        rows.push(serde_json::json!({"view": view, "tier": tier,
                            "round": round, "catalog": catalog,
                            "frame_ms_mean": 50.0 * scale, "entry_ms_median": 900.0 * scale,
                            "entry_ms_min": 800.0 * scale, "entry_items": 200.0 * scale,
                            "entry_frames_median": 5.0 * scale,
                            "entry_cpu_ms_median": 1500.0 * scale,
                            "entry_ms_runs": [900.0 * scale, 900.0 * scale, 900.0 * scale],
                            "visible_mesh_draws": draws, "cards": cards}));
                    }
                }
            }
        }
        rows
    }

    #[test]
    fn the_ratio_is_the_median_of_the_rounds_ratios() {
        let rows = comparison(|round| [1.0, 1.3, 1.05][round as usize], 40);
        let (lines, ratios) = scale_report(&rows).unwrap();
        assert_eq!(ratios.len(), 13);
        for ratio in &ratios {
            // The fastest of all rounds' entries: round 0's, 1.0x.
            let expected = if ratio["field"] == "entry_ms_min" {
                1.0
            } else {
                1.05
            };
            assert_eq!(ratio["ratio"], expected, "{ratio}");
            assert_eq!(
                ratio["ratios_by_round"],
                serde_json::json!([1.0, 1.3, 1.05])
            );
        }
        assert!(lines[2].contains("1.05x"), "{}", lines[2]);
    }

    #[test]
    fn the_entries_have_rounds_of_their_own() {
        let mut rows = comparison(|_| 1.0, 40);
        let entries: Vec<serde_json::Value> = (rows.iter())
            .filter(|row| row["view"] == "HallEntry" && row["round"] == 2)
            .cloned()
            .collect();
        for round in 3..5 {
            for mut row in entries.clone() {
                row["round"] = round.into();
                rows.push(row);
            }
        }
        let (_, ratios) = scale_report(&rows).unwrap();
        let rounds = |view: &str| {
            let ratio = ratios.iter().find(|ratio| ratio["view"] == view).unwrap();
            ratio["ratios_by_round"].as_array().unwrap().len()
        };
        assert_eq!((rounds("HallEntry"), rounds("HallDoor")), (5, 3));
    }

    #[test]
    fn the_budgets_are_each_turns_view_over_its_own_empty_scene() {
        let mut rows = comparison(|_| 1.0, 40);
        for row in &mut rows {
            let round = row["round"].as_f64().unwrap();
            row["view"] = match row["view"].as_str().unwrap() {
                // The machine slows down round by round: the empty scene with it.
                "HallEntry" => "Empty".into(),
                "HallDoor" => "Lobby".into(),
                _ => row["view"].clone(),
            };
            let view_cost = match row["view"].as_str().unwrap() {
                "Empty" => 1.0,
                "HallAisle" => 2.5,
                _ => 1.5,
            };
            row["frame_ms_mean"] = (20.0 * (1.0 + round) * view_cost).into();
        }
        let (_, budgets) = budget_report(&rows).unwrap();
        let aisle_low = (budgets.iter())
            .find(|b| b["view"] == "HallAisle" && b["tier"] == "low")
            .unwrap();
        assert_eq!(
            aisle_low["ratios_by_round"],
            serde_json::json!([2.5, 2.5, 2.5])
        );
        assert_eq!(aisle_low["budget"], 3.0);
    }

    #[test]
    fn the_entries_of_all_rounds_are_pooled() {
        let mut rows = comparison(|_| 1.0, 40);
        for row in rows.iter_mut().filter(|row| row["view"] == "HallEntry") {
            // A frame longer for two of three entries of the compared
            // catalog in two rounds: their medians say 1.15x, but most
            // entries of both catalogs took 1,000 ms.
            let runs = match (row["catalog"].as_str(), row["round"].as_u64()) {
                (Some("compared"), Some(0 | 1)) => [1000.0, 1150.0, 1150.0],
                _ => [1000.0, 1000.0, 1000.0],
            };
            row["entry_ms_runs"] = serde_json::json!(runs);
            row["entry_ms_median"] = serde_json::json!(runs[1]);
            row["entry_ms_min"] = serde_json::json!(runs[0]);
        }
        let (_, ratios) = scale_report(&rows).unwrap();
        let entry = |field: &str| {
            (ratios.iter())
                .find(|ratio| ratio["view"] == "HallEntry" && ratio["field"] == field)
                .unwrap()
                .clone()
        };
        assert_eq!(entry("entry_ms_median")["ratio"], 1.0);
        assert_eq!(entry("entry_ms_min")["ratio"], 1.0);
        assert_eq!(entry("entry_ms_median")["compared"], 1000.0);
    }

    #[test]
    fn a_missing_turn_or_too_many_draws_fails() {
        let mut rows = comparison(|_| 1.0, 40);
        rows.retain(|row| {
            !(row["view"] == "Booths" && row["round"] == 1 && row["catalog"] == "compared")
        });
        let error = scale_report(&rows).unwrap_err();
        assert!(
            error.contains("no Booths row") && error.contains("round 1"),
            "{error}"
        );
        let error = scale_report(&comparison(|_| 1.0, 61)).unwrap_err();
        assert!(error.contains("61 meshes"), "{error}");
        let error = scale_report(&[]).unwrap_err();
        assert!(error.contains("--compare-catalog"), "{error}");
    }
}
