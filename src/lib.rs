//! Yunzhan (云展): the 3D cloud exhibition hall of the Tianfu Sci-Tech Cloud.
//!
//! One plugin per feature module; [`plugin`] adds them all on top of Bevy's
//! plugins, so tests can run the same feature plugins under `MinimalPlugins`.

use bevy::prelude::*;

pub mod capture;
pub mod catalog;
pub mod lobby;
pub mod scene;
pub mod text_image;
pub mod visitor;

/// Where the visitor is.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Lobby,
}

/// The feature plugins, without Bevy's own.
pub fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.add_plugins((catalog::plugin, lobby::plugin, visitor::plugin));
}

/// Command-line options of the `yunzhan` binary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// Render the documentation views into this folder and exit.
    pub capture: Option<std::path::PathBuf>,
}

impl Options {
    pub const USAGE: &str = "usage: yunzhan [--capture DIR]\n  --capture DIR  render the lobby view to DIR/lobby.png and exit";

    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--capture" => {
                    let dir = args.next().ok_or("--capture needs a folder")?;
                    options.capture = Some(dir.into());
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
            fit_canvas_to_parent: true,
            ..default()
        }),
        ..default()
    }));
    app.add_plugins(plugin);
    if let Some(dir) = &options.capture {
        app.add_plugins(capture::CapturePlugin { dir: dir.clone() });
    }
    app
}
