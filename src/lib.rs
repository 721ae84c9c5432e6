//! Yunzhan (云展): the 3D cloud exhibition hall of the Tianfu Sci-Tech Cloud.
//!
//! One plugin per feature module; [`plugin`] adds them all on top of Bevy's
//! plugins, so tests can run the same feature plugins under `MinimalPlugins`.

use bevy::prelude::*;

pub mod booth;
pub mod capture;
pub mod cards;
pub mod catalog;
pub mod controls;
pub mod deeplink;
pub mod hall;
pub mod interaction;
pub mod kiosk;
pub mod lobby;
pub mod navigation;
pub mod platform;
pub mod prefs;
pub mod preview;
pub mod quality;
pub mod scene;
pub mod sheet;
pub mod storage;
pub mod text_image;
pub mod ui;
pub mod visitor;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// Where the visitor is.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Lobby,
    /// A hall is being built behind the loading screen.
    Loading,
    Hall,
}

/// The feature plugins that work without a window or GPU; tests run these
/// under `MinimalPlugins`.
pub fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.add_plugins((
        catalog::plugin,
        navigation::plugin,
        controls::plugin,
        lobby::plugin,
        hall::plugin,
        cards::plugin,
        visitor::plugin,
        interaction::plugin,
        deeplink::plugin,
        quality::plugin,
        kiosk::plugin,
    ));
}

/// Command-line options of the `yunzhan` binary; in a browser the same
/// options come from the page's address (`?hall=chengdu&lang=en`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// Render the documentation views into this folder and exit.
    pub capture: Option<std::path::PathBuf>,
    /// The hall to open (and the hall the capture views show).
    pub hall: Option<yunzhan_model::HallIndex>,
    /// The booth of that hall to stand at (0-based; 1-based on the command line).
    pub booth: Option<usize>,
    /// The project (platform number) to open (and the card views show).
    pub project: Option<String>,
    /// Open that project's inquiry form, ready for typing.
    pub inquire: bool,
    /// The platform API to load the catalog from and send inquiries to.
    pub api: Option<String>,
    /// The language, overriding the visitor's saved choice.
    pub lang: Option<ui::Lang>,
    /// The venue's touch-screen kiosk: fullscreen, touch-first, idle reset.
    pub kiosk: bool,
    /// The web address of the expo, for the kiosk's QR codes (default: the
    /// `--api` address, whose server serves the web app).
    pub share: Option<String>,
    /// Check an exhibitor's booth folder, print the report and exit.
    pub check_booth: Option<std::path::PathBuf>,
    /// The rendering quality, overriding the visitor's saved choice.
    pub quality: Option<quality::QualitySetting>,
    /// Preview an exhibitor's booth in its hall: a folder (native) or the
    /// address of its `booth.json` (web).
    pub preview: Option<String>,
}

impl Options {
    pub const USAGE: &str = "usage: yunzhan [--api URL] [--hall ID [--booth N]] [--project NO]
               [--lang zh|en] [--quality auto|high|low] [--kiosk] [--capture DIR]
               [--check-booth DIR] [--preview DIR]
  --api URL       load halls and cards from the platform API at URL (e.g.
                  http://127.0.0.1:8080) and send inquiries there; without it
                  the embedded catalog is shown and inquiries stay queued
  --hall ID       open this hall (an id such as chengdu)
  --booth N       stand at the hall's N-th booth (from 1)
  --project NO    open this project (platform number) at its card
  --inquire       with --project: open its inquiry form, ready for typing
  --lang zh|en    the interface language (default: the last one chosen, else zh)
  --quality Q     auto (default; drops to low on a slow device), high or low
  --kiosk         the venue's touch-screen kiosk: fullscreen, touch controls, an
                  idle reset that wipes the visitor's things, an attract tour
  --share URL     the expo's web address for the kiosk's QR codes (default: --api)
  --check-booth DIR  check an exhibitor's booth folder (booth.json, logo, glTF
                  model; docs/booth-format.md), print every problem, exit 1 on any
  --preview DIR   show an exhibitor's booth folder at its place in its hall, as
                  visitors will see it, with every problem listed; reloads when
                  a file in the folder changes (or an http:// address of a
                  booth.json: its files are fetched beside it, once)
  --capture DIR   render the lobby, a hall aisle, a card close-up, the detail
                  panel and the minimap to PNG files in DIR, then exit (the
                  hall of --hall, default chengdu; the card of --project)
In a browser the same options are the page's query: ?hall=chengdu&booth=3,
?project=NO, ?inquire=1, ?api=URL, ?lang=en, ?quality=low, ?kiosk=1,
?preview=URL (the address of a booth.json; its files are fetched beside it).";

    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |what: &str| args.next().ok_or(format!("{arg} needs {what}"));
            match arg.as_str() {
                "--capture" => options.capture = Some(value("a folder")?.into()),
                "--hall" => {
                    let id = value("a hall id")?;
                    let hall = yunzhan_model::HallIndex::from_id(&id).ok_or_else(|| {
                        let ids: Vec<&str> = yunzhan_model::HALLS.iter().map(|h| h.id).collect();
                        format!("unknown hall {id:?}; halls are: {}", ids.join(" "))
                    })?;
                    options.hall = Some(hall);
                }
                "--booth" => {
                    let n = value("a booth number")?;
                    let booth = n.parse::<usize>().ok().filter(|&n| n >= 1).ok_or_else(|| {
                        format!("--booth {n:?}: give the booth's number, counting from 1")
                    })?;
                    options.booth = Some(booth - 1);
                }
                "--project" => options.project = Some(value("a platform number")?),
                "--api" => {
                    let url = value("a URL")?;
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(format!(
                            "--api {url:?}: give the server's address with http:// or https://"
                        ));
                    }
                    options.api = Some(url);
                }
                "--lang" => {
                    options.lang = Some(match value("zh or en")?.as_str() {
                        "zh" => ui::Lang::Zh,
                        "en" => ui::Lang::En,
                        other => return Err(format!("--lang {other:?}: choose zh or en")),
                    })
                }
                "--quality" => {
                    let q = value("auto, high or low")?;
                    options.quality = Some(
                        quality::QualitySetting::from_name(&q)
                            .ok_or_else(|| format!("--quality {q:?}: choose auto, high or low"))?,
                    );
                }
                "--kiosk" => options.kiosk = true,
                "--share" => options.share = Some(value("a URL")?),
                "--inquire" => options.inquire = true,
                "--check-booth" => options.check_booth = Some(value("a booth folder")?.into()),
                "--preview" => options.preview = Some(value("a booth folder")?),
                "--help" | "-h" => return Err(Self::USAGE.to_string()),
                other => return Err(format!("unknown argument {other:?}\n{}", Self::USAGE)),
            }
        }
        Ok(options)
    }

    /// The options of a page address's query pairs (already percent-decoded).
    /// Unknown names are ignored (addresses pick up tracking parameters);
    /// `capture` is not offered on the web.
    pub fn from_query(pairs: impl IntoIterator<Item = (String, String)>) -> Result<Self, String> {
        let mut args = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "kiosk" | "inquire" if !matches!(value.as_str(), "0" | "false") => {
                    args.push(format!("--{name}"));
                }
                "hall" | "booth" | "project" | "api" | "lang" | "quality" | "preview" => {
                    args.push(format!("--{name}"));
                    args.push(value);
                }
                _ => {}
            }
        }
        Options::parse(args)
    }
}

/// The full app: a window plus every feature.
pub fn app(options: &Options) -> App {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "云展 Yunzhan · 天府科技云".into(),
            resolution: (1280, 720).into(),
            mode: if options.kiosk {
                bevy::window::WindowMode::BorderlessFullscreen(
                    bevy::window::MonitorSelection::Current,
                )
            } else {
                bevy::window::WindowMode::Windowed
            },
            // In a browser: the page's canvas (web/index.html), sized to the window.
            canvas: Some("#yunzhan-canvas".into()),
            fit_canvas_to_parent: true,
            ..default()
        }),
        ..default()
    }));
    app.add_plugins(plugin);
    app.insert_resource(if options.capture.is_some() {
        storage::Storage::none()
    } else {
        storage::Storage::user()
    });
    app.add_plugins(platform::PlatformPlugin {
        api: options.api.clone(),
        ..default()
    });
    if options.capture.is_none() {
        app.insert_resource(deeplink::StartAt::from(options));
    }
    if options.kiosk {
        app.insert_resource(controls::Kiosk);
        #[cfg(not(target_arch = "wasm32"))]
        let share = options.share.clone().or(options.api.clone());
        #[cfg(target_arch = "wasm32")]
        let share = options.share.clone().or_else(web::page_address);
        if let Some(base) = share {
            app.insert_resource(deeplink::ShareBase(base));
        }
    }
    app.add_plugins(ui::plugin);
    #[cfg(target_arch = "wasm32")]
    app.add_plugins(web::plugin);
    // A booth to preview: a folder or address given at start; an exhibitor
    // may also drop a booth's files (or folder) on the window or page.
    #[cfg(not(target_arch = "wasm32"))]
    let source = options.preview.as_ref().map(|preview| {
        if preview.starts_with("http://") {
            preview::BoothSource::Address(preview.clone())
        } else {
            preview::BoothSource::Folder(preview.into())
        }
    });
    #[cfg(target_arch = "wasm32")]
    let source = (options.preview.as_ref())
        .map(|preview| preview::BoothSource::Address(web::absolute(preview)));
    app.add_plugins(preview::PreviewPlugin {
        source,
        poll_every: std::time::Duration::from_millis(500),
        panel: true,
    });
    if let Some(dir) = &options.capture {
        // Documentation pictures show the full quality, whatever renders them.
        app.insert_resource(quality::Quality {
            setting: quality::QualitySetting::High,
            ..default()
        });
        app.add_plugins(capture::CapturePlugin {
            dir: dir.clone(),
            hall: options.hall,
            project: options.project.clone(),
            preview: options.preview.is_some(),
        });
    }
    app
}
