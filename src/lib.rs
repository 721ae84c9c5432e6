//! Yunzhan (云展): the 3D cloud exhibition hall of the Tianfu Sci-Tech Cloud.
//!
//! One plugin per feature module; [`plugin`] adds them all on top of Bevy's
//! plugins, so tests can run the same feature plugins under `MinimalPlugins`.

use bevy::prelude::*;

pub mod capture;
pub mod cards;
pub mod catalog;
pub mod controls;
pub mod hall;
pub mod interaction;
pub mod lobby;
pub mod navigation;
pub mod platform;
pub mod prefs;
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
    ));
}

/// Command-line options of the `yunzhan` binary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// Render the documentation views into this folder and exit.
    pub capture: Option<std::path::PathBuf>,
    /// The hall the capture views show.
    pub hall: Option<yunzhan_model::HallIndex>,
    /// The project (platform number) the card views show.
    pub project: Option<String>,
    /// The platform API to load the catalog from and send inquiries to.
    pub api: Option<String>,
}

impl Options {
    pub const USAGE: &str = "usage: yunzhan [--api URL] [--capture DIR [--hall ID] [--project NO]]
  --api URL       load halls and cards from the platform API at URL (e.g.
                  http://127.0.0.1:8080) and send inquiries there; without it
                  the embedded catalog is shown and inquiries stay queued
  --capture DIR   render the lobby, a hall aisle, a card close-up, the detail
                  panel and the minimap to PNG files in DIR, then exit
  --hall ID       the hall to capture (an id such as chengdu; default chengdu)
  --project NO    the project (platform number) for the card views";

    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--capture" => {
                    let dir = args.next().ok_or("--capture needs a folder")?;
                    options.capture = Some(dir.into());
                }
                "--hall" => {
                    let id = args.next().ok_or("--hall needs a hall id")?;
                    let hall = yunzhan_model::HallIndex::from_id(&id).ok_or_else(|| {
                        let ids: Vec<&str> = yunzhan_model::HALLS.iter().map(|h| h.id).collect();
                        format!("unknown hall {id:?}; halls are: {}", ids.join(" "))
                    })?;
                    options.hall = Some(hall);
                }
                "--project" => {
                    let no = args.next().ok_or("--project needs a platform number")?;
                    options.project = Some(no);
                }
                "--api" => {
                    let url = args.next().ok_or("--api needs a URL")?;
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(format!(
                            "--api {url:?}: give the server's address with http:// or https://"
                        ));
                    }
                    options.api = Some(url);
                }
                "--help" | "-h" => return Err(Self::USAGE.to_string()),
                other => return Err(format!("unknown argument {other:?}\n{}", Self::USAGE)),
            }
        }
        Ok(options)
    }
}

/// The full app: a window plus every feature.
pub fn app(options: &Options) -> App {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "云展 Yunzhan · 天府科技云".into(),
            resolution: (1280, 720).into(),
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
    app.add_plugins(ui::plugin);
    #[cfg(target_arch = "wasm32")]
    app.add_plugins(web::plugin);
    if let Some(dir) = &options.capture {
        app.add_plugins(capture::CapturePlugin {
            dir: dir.clone(),
            hall: options.hall,
            project: options.project.clone(),
        });
    }
    app
}
