//! The web build's size and start-up baseline (docs/PERFORMANCE.md): a bare
//! Bevy 0.19 + bevy_egui app, built with the same features and profile as
//! Yunzhan, showing one egui window over an empty 3D scene. In a browser it
//! marks its first frame the way the app does (`<html data-first-frame>`).
//!
//!   web/build.sh --example bare_web --out target/bare-web

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};

fn main() -> AppExit {
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            canvas: Some("#yunzhan-canvas".into()),
            fit_canvas_to_parent: true,
            ..default()
        }),
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera3d::default());
    })
    .add_systems(EguiPrimaryContextPass, hello);
    #[cfg(target_arch = "wasm32")]
    {
        app.add_plugins(yunzhan::web::first_frame_plugin);
        yunzhan::web::mark_phase("yunzhan-built");
    }
    app.run()
}

fn hello(mut contexts: EguiContexts) -> Result {
    egui::Window::new("Bevy + egui").show(contexts.ctx_mut()?, |ui| {
        ui.label("baseline");
    });
    Ok(())
}
