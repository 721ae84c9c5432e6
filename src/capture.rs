//! Capture mode (`yunzhan --capture DIR`): renders documentation views to PNG
//! files and exits. Frames are counted so that textures are uploaded and the
//! scene has settled before the shot.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use crate::visitor::Visitor;

/// Frames to render before taking the shot.
const SETTLE_FRAMES: u32 = 20;

pub struct CapturePlugin {
    pub dir: PathBuf,
}

#[derive(Resource)]
struct CaptureState {
    dir: PathBuf,
    frame: u32,
    requested: bool,
}

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(CaptureState {
            dir: self.dir.clone(),
            frame: 0,
            requested: false,
        });
        app.add_systems(Update, take_shot);
    }
}

/// The documentation view of the lobby: from above the entrance, all gates in sight.
fn overview() -> Transform {
    Transform::from_xyz(32.0, 14.0, 10.0).looking_at(Vec3::new(32.0, 2.0, -34.0), Vec3::Y)
}

fn take_shot(
    mut commands: Commands,
    mut state: ResMut<CaptureState>,
    mut exit: MessageWriter<AppExit>,
    mut cameras: Query<&mut Transform, With<Visitor>>,
) {
    state.frame += 1;
    for mut transform in &mut cameras {
        *transform = overview();
    }
    if state.requested || state.frame < SETTLE_FRAMES {
        return;
    }
    state.requested = true;
    if let Err(error) = std::fs::create_dir_all(&state.dir) {
        error!("cannot create {}: {error}", state.dir.display());
        exit.write(AppExit::error());
        return;
    }
    let path = state.dir.join("lobby.png");
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
            let saved = captured
                .image
                .clone()
                .try_into_dynamic()
                .map_err(|error| error.to_string())
                .and_then(|image| {
                    image
                        .to_rgb8()
                        .save(&path)
                        .map_err(|error| error.to_string())
                });
            match saved {
                Ok(()) => {
                    info!("captured {}", path.display());
                    exit.write(AppExit::Success);
                }
                Err(error) => {
                    error!("cannot save {}: {error}", path.display());
                    exit.write(AppExit::error());
                }
            }
        },
    );
}
