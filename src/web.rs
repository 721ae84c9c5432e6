//! The page around the app in a browser (web/index.html): once the first
//! scene is on screen the loading overlay is removed and the page is marked
//! ready (`<html data-yunzhan="ready">`), which browser tests wait for.

use bevy::prelude::*;

use crate::Screen;

/// Frames drawn in a settled scene before the page counts as ready.
const FRAMES_BEFORE_READY: u32 = 3;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, announce_ready);
}

fn announce_ready(screen: Res<State<Screen>>, mut frames: Local<u32>) {
    if *frames > FRAMES_BEFORE_READY || *screen.get() == Screen::Loading {
        return;
    }
    *frames += 1;
    if *frames <= FRAMES_BEFORE_READY {
        return;
    }
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if let Some(overlay) = document.get_element_by_id("loading") {
        overlay.remove();
    }
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("data-yunzhan", "ready");
    }
    info!("page ready");
}
