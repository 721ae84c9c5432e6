//! Yunzhan (云展): the 3D cloud exhibition hall of the Tianfu Sci-Tech Cloud.
//!
//! One folder per feature, each a plugin (docs/architecture.md): the expo's
//! data (`expo`) ← the 3D world and the visitor in it (`world`) ← the
//! platform link (`remote`), the kiosk, deep links ← the anonymous counts
//! (`counting`) and the booth preview ← the panels (`ui`) ← the web page (`web`) and developer tools (`dev`) ←
//! this file, which assembles them into the app.

use bevy::prelude::*;

mod counting;
mod deeplink;
mod dev;
mod expo;
mod kiosk;
mod options;
mod preview;
mod remote;
mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
mod world;

#[cfg(test)]
mod tests;

pub use expo::ShippedFiles;
pub use options::Options;

/// The features that work without a window or GPU; the tests run these
/// under `MinimalPlugins`.
fn plugin(app: &mut App) {
    app.add_plugins((
        expo::plugin,
        world::plugin,
        remote::plugin,
        deeplink::plugin,
        kiosk::plugin,
        counting::plugin,
        ui::plugin,
    ));
}

/// The full app: a window plus every feature; the error says why a file
/// the options name cannot be used.
pub fn app(options: &Options, files: ShippedFiles) -> Result<App, String> {
    let mut app = App::new();
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = &options.catalog {
        app.insert_resource(expo::catalog::ExpoCatalog::from_file(path)?);
    }
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(window(options.kiosk)),
        ..default()
    }));
    app.insert_resource(files);
    app.insert_resource(if options.capture.is_some() {
        expo::storage::Storage::none()
    } else {
        expo::storage::Storage::user()
    });
    app.add_plugins(plugin);
    app.add_plugins(remote::PlatformPlugin {
        api: options.api.clone(),
        ..default()
    });
    if options.capture.is_none() {
        app.insert_resource(options.start_at());
    }
    if options.kiosk {
        app.insert_resource(expo::Kiosk);
        #[cfg(not(target_arch = "wasm32"))]
        let share = options.share.clone().or(options.api.clone());
        #[cfg(target_arch = "wasm32")]
        let share = options.share.clone().or_else(web::page_address);
        if let Some(base) = share {
            app.insert_resource(deeplink::ShareBase(base));
        }
    }
    app.add_plugins(ui::panels_plugin);
    // A booth to preview: a folder or address given at start; an exhibitor
    // may also drop a booth's files (or folder) on the window or page.
    #[cfg(not(target_arch = "wasm32"))]
    let source = options.preview.as_ref().map(|preview| {
        if options::web_address(preview).is_ok() {
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
        panel: true,
    });
    #[cfg(target_arch = "wasm32")]
    app.add_plugins(web::plugin);
    #[cfg(not(target_arch = "wasm32"))]
    let compare = (options.compare_catalog.as_ref())
        .map(|path| expo::catalog::ExpoCatalog::from_file(path).map(|catalog| catalog.0))
        .transpose()?;
    #[cfg(target_arch = "wasm32")]
    let compare = None;
    if let Some(dir) = &options.capture {
        // Documentation pictures show the full quality, whatever renders them.
        app.insert_resource(world::quality::Quality {
            setting: world::quality::QualitySetting::High,
            ..default()
        });
        app.add_plugins(dev::capture::CapturePlugin {
            dir: dir.clone(),
            hall: options.hall,
            project: options.project.clone(),
            preview: options.preview.is_some(),
            compare,
        });
    }
    Ok(app)
}

fn window(kiosk: bool) -> Window {
    Window {
        title: "云展 Yunzhan · 天府科技云".into(),
        resolution: (1280, 720).into(),
        mode: if kiosk {
            bevy::window::WindowMode::BorderlessFullscreen(bevy::window::MonitorSelection::Current)
        } else {
            bevy::window::WindowMode::Windowed
        },
        // In a browser: the page's canvas (web/index.html), sized to the window.
        canvas: Some("#yunzhan-canvas".into()),
        fit_canvas_to_parent: true,
        ..default()
    }
}

/// `yunzhan --check-booth DIR`: the report on standard output; whether the
/// booth passed every check.
#[cfg(not(target_arch = "wasm32"))]
pub fn check_booth(dir: &std::path::Path, files: &ShippedFiles) -> bool {
    let catalog = expo::ExpoCatalog::shipped(files);
    let report = yunzhan_model::booth::check_booth(dir, &catalog);
    print!("{}", report.describe(&dir.display().to_string()));
    report.ok()
}
