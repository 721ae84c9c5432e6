//! The 3D expo and the visitor in it: the lobby and the halls with their
//! booths and project cards, walking, looking and picking, the rendering
//! quality, and rebuilding the scene when the catalog changes.

use bevy::prelude::*;

pub(crate) mod atlas;
pub(crate) mod booth;
pub(crate) mod cards;
pub(crate) mod chunks;
pub(crate) mod controls;
pub(crate) mod dressing;
pub(crate) mod hall;
pub(crate) mod interaction;
pub(crate) mod light;
pub(crate) mod lobby;
pub(crate) mod navigation;
pub(crate) mod page_upload;
pub(crate) mod quality;
pub(crate) mod rebuild;
pub(crate) mod scene;
pub(crate) mod sheet;
pub(crate) mod signs;
pub(crate) mod text_image;
pub(crate) mod venue;
pub(crate) mod visitor;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((
        venue::plugin,
        navigation::plugin,
        controls::plugin,
        lobby::plugin,
        hall::plugin,
        cards::plugin,
        page_upload::plugin,
        chunks::plugin,
        signs::plugin,
        visitor::plugin,
        interaction::plugin,
        quality::plugin,
        rebuild::plugin,
    ));
}
