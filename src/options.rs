//! The app's options: the command line natively, the page's query in a
//! browser (the same names and checks).

use std::path::PathBuf;

use clap::Parser;
use yunzhan_model::HallIndex;

use crate::deeplink::{DeepLink, StartAt};
use crate::{expo, world};

/// The options of the `yunzhan` binary; in a browser the same options come
/// from the page's address (`?hall=chengdu&lang=en`).
#[derive(Parser, Debug, Default, Clone, PartialEq, Eq)]
#[command(
    name = "yunzhan",
    version,
    about = "云展 Yunzhan: the 3D cloud exhibition hall of the Tianfu Sci-Tech Cloud",
    after_help = "In a browser the same options are the page's query: ?hall=chengdu&booth=3, \
?project=NO, ?inquire=1, ?inquiries=1, ?api=URL, ?lang=en, ?quality=low, ?kiosk=1, ?preview=URL \
(the address of a booth.json; its files are fetched beside it)."
)]
pub struct Options {
    /// Load halls and cards from the platform API at URL (e.g.
    /// http://127.0.0.1:8080) and send inquiries there; without it the
    /// shipped catalog is shown and inquiries stay queued
    #[arg(long, value_name = "URL", value_parser = web_address)]
    pub api: Option<String>,
    /// Open this hall (an id such as chengdu)
    #[arg(long, value_name = "ID", value_parser = hall_id)]
    pub hall: Option<HallIndex>,
    /// Stand at the hall's N-th booth (from 1)
    #[arg(long, value_name = "N", value_parser = booth_number)]
    pub booth: Option<usize>,
    /// Open this project (platform number) at its card
    #[arg(long, value_name = "NO")]
    pub project: Option<String>,
    /// With --project: open its inquiry form, ready for typing
    #[arg(long)]
    pub inquire: bool,
    /// Open "My inquiries": the service agents' replies and each deal's stage
    #[arg(long)]
    pub inquiries: bool,
    /// The interface language (default: the last one chosen, else zh)
    #[arg(long, value_name = "zh|en", value_parser = language)]
    pub(crate) lang: Option<expo::Lang>,
    /// auto (default; drops to low on a slow device), high or low
    #[arg(long, value_name = "Q", value_parser = quality_setting)]
    pub(crate) quality: Option<world::quality::QualitySetting>,
    /// The venue's touch-screen kiosk: fullscreen, touch controls, an idle
    /// reset that wipes the visitor's things, an attract tour
    #[arg(long)]
    pub kiosk: bool,
    /// The expo's web address for the kiosk's QR codes (default: --api)
    #[arg(long, value_name = "URL", value_parser = web_address)]
    pub share: Option<String>,
    /// Check an exhibitor's booth folder (booth.json, logo, glTF model;
    /// docs/booth-format.md), print every problem, exit 1 on any
    #[arg(long, value_name = "DIR")]
    pub check_booth: Option<PathBuf>,
    /// Show an exhibitor's booth folder at its place in its hall, as
    /// visitors will see it, with every problem listed; reloads when a file
    /// in the folder changes (or an http(s):// address of a booth.json: its
    /// files are fetched beside it, once)
    #[arg(long, value_name = "DIR|URL")]
    pub preview: Option<String>,
    /// Render the lobby, a hall aisle, a card close-up, the detail panel and
    /// the minimap to PNG files in DIR, then exit (the hall of --hall,
    /// default chengdu; the card of --project)
    #[arg(long, value_name = "DIR")]
    pub capture: Option<PathBuf>,
    /// Show the catalog in FILE (the yunzhan-catalog JSON format, e.g. from
    /// `yunzhan-catalog generate`) instead of the shipped one
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// With --capture: then time the hall's entry and views again, the
    /// catalog on show and the one in FILE taking turns (in rounds, so that
    /// the machine's drift falls on both), for `check-captures --scale`
    #[arg(long, value_name = "FILE", requires = "capture")]
    pub compare_catalog: Option<PathBuf>,
}

pub(crate) fn web_address(text: &str) -> Result<String, String> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "{text:?}: give the server's address with http:// or https://"
        )),
    }
}

fn hall_id(id: &str) -> Result<HallIndex, String> {
    HallIndex::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = yunzhan_model::HALLS.iter().map(|h| h.id).collect();
        format!("unknown hall {id:?}; halls are: {}", ids.join(" "))
    })
}

/// The booth's number counting from 1, as the 0-based index.
fn booth_number(number: &str) -> Result<usize, String> {
    number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(|| format!("booth {number:?}: give the booth's number, counting from 1"))
}

fn language(name: &str) -> Result<expo::Lang, String> {
    match name {
        "zh" => Ok(expo::Lang::Zh),
        "en" => Ok(expo::Lang::En),
        other => Err(format!("{other:?}: choose zh or en")),
    }
}

fn quality_setting(name: &str) -> Result<world::quality::QualitySetting, String> {
    world::quality::QualitySetting::from_name(name)
        .ok_or_else(|| format!("{name:?}: choose auto, high or low"))
}

impl Options {
    /// The options of these arguments (without the program's name); the
    /// error is clap's message, or the help text for `--help`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        Options::try_parse_from(std::iter::once("yunzhan".to_string()).chain(args))
            .map_err(|error| error.to_string())
    }

    /// The options of a page address's query pairs (already percent-decoded).
    /// Unknown names are ignored (addresses pick up tracking parameters);
    /// `capture` and `check-booth` are not offered on the web.
    pub fn from_query(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let mut args = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "kiosk" | "inquire" | "inquiries" if !matches!(value.as_str(), "0" | "false") => {
                    args.push(format!("--{name}"));
                }
                "hall" | "booth" | "project" | "api" | "lang" | "quality" | "preview" => {
                    args.push(format!("--{name}={value}"));
                }
                _ => {}
            }
        }
        // Building clap's parser costs about 7 ms in a browser; most visits
        // come without options, and no arguments give the defaults.
        if args.is_empty() {
            return Ok(Options::default());
        }
        Options::from_args(args)
    }
}

impl Options {
    /// Where the app starts (the link's place) and the settings it overrides.
    pub(crate) fn start_at(&self) -> StartAt {
        StartAt {
            link: DeepLink {
                hall: self.hall,
                booth: self.booth,
                project: self.project.clone(),
            },
            inquire: self.inquire,
            inquiries: self.inquiries,
            lang: self.lang,
            quality: self.quality,
        }
    }
}
