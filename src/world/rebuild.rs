//! Rebuilding the scene on show (after a catalog or quality change) with
//! the visitor kept where they stand, and putting a new catalog on show.

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::world::atlas::AtlasRoot;
use crate::world::interaction::Selection;
use crate::world::navigation::{CurrentHall, Go, floor_position};
use crate::world::visitor::{EYE_HEIGHT, Visitor, orientation};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        keep_place.run_if(
            resource_exists::<KeepPlace>
                .and_then(|keep: Res<KeepPlace>| keep.rebuilt)
                .and_then(not(in_state(Screen::Loading))),
        ),
    );
    for screen in [Screen::Loading, Screen::Lobby] {
        app.add_systems(OnEnter(screen), |keep: Option<ResMut<KeepPlace>>| {
            if let Some(mut keep) = keep {
                keep.rebuilt = true;
            }
        });
    }
}

/// The visitor's place, kept across a catalog refresh that rebuilds the
/// scene they stand in.
#[derive(Resource, Debug, Clone, Copy)]
pub(crate) struct KeepPlace {
    at: [f32; 2],
    yaw: f32,
    pitch: f32,
    /// Set once the scene is being rebuilt: the place is restored after
    /// that, never before (whichever system runs first in the frame).
    rebuilt: bool,
}

/// Rebuilds the scene on show (after a catalog or quality change) with the
/// visitor kept where they stand.
#[derive(SystemParam)]
pub(crate) struct RebuildScene<'w, 's> {
    screen: Res<'w, State<Screen>>,
    hall: Option<Res<'w, CurrentHall>>,
    visitors: Query<'w, 's, (&'static Transform, &'static Visitor)>,
    go: MessageWriter<'w, Go>,
}

impl<'w> RebuildScene<'w, '_> {
    /// For a system that also sends the visitor elsewhere.
    pub(crate) fn go(&mut self) -> &mut MessageWriter<'w, Go> {
        &mut self.go
    }

    pub(crate) fn in_hall(&self) -> bool {
        *self.screen.get() == Screen::Hall
    }

    pub(crate) fn keeping_place(&mut self, commands: &mut Commands) {
        // While a hall is still being built there is no place to keep yet
        // (and a booth the visitor is headed for stays their destination).
        let loading = *self.screen.get() == Screen::Loading;
        if let (false, Some((transform, visitor))) = (loading, self.visitors.iter().next()) {
            commands.insert_resource(KeepPlace {
                at: floor_position(transform),
                yaw: visitor.yaw,
                pitch: visitor.pitch,
                rebuilt: false,
            });
        }
        match (self.screen.get(), self.hall.as_deref()) {
            (Screen::Lobby, _) | (_, None) => self.go.write(Go::Lobby),
            (_, Some(hall)) => self.go.write(Go::Hall(hall.0)),
        };
    }
}

/// Puts a new catalog on show: the open project, favourites and search
/// follow their platform numbers, and the scene on show is rebuilt with the
/// visitor kept in place.
#[derive(SystemParam)]
pub(crate) struct ShowCatalog<'w, 's> {
    shown: ResMut<'w, ExpoCatalog>,
    selection: ResMut<'w, Selection>,
    favourites: Option<ResMut<'w, crate::expo::Favourites>>,
    search: Option<ResMut<'w, crate::expo::SearchState>>,
    rebuild: RebuildScene<'w, 's>,
}

impl<'w> ShowCatalog<'w, '_> {
    pub(crate) fn go(&mut self) -> &mut MessageWriter<'w, Go> {
        self.rebuild.go()
    }

    pub(crate) fn on_show(&self) -> &Arc<yunzhan_model::Catalog> {
        &self.shown.0
    }

    pub(crate) fn show(&mut self, commands: &mut Commands, catalog: Arc<yunzhan_model::Catalog>) {
        let old = self.shown.0.clone();
        let follow = |id| catalog.find(&old.project(id).platform_no);
        self.selection.0 = self.selection.0.and_then(follow);
        if let Some(favourites) = self.favourites.as_mut() {
            favourites.0 = favourites.0.iter().filter_map(|&id| follow(id)).collect();
        }
        if let Some(search) = self.search.as_mut() {
            search.forget_results();
        }
        self.shown.0 = catalog;
        // The hall's cards and headers name the old catalog's projects:
        // nothing is painted until the hall is rebuilt from the new one.
        commands.remove_resource::<AtlasRoot>();
        self.rebuild.keeping_place(commands);
        info!("catalog {} on show", self.shown.catalog_version());
    }
}

fn keep_place(
    mut commands: Commands,
    keep: Res<KeepPlace>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    for (mut visitor, mut transform) in &mut visitors {
        visitor.yaw = keep.yaw;
        visitor.pitch = keep.pitch;
        transform.translation = crate::world::scene::world(keep.at, EYE_HEIGHT);
        transform.rotation = orientation(&visitor);
    }
    commands.remove_resource::<KeepPlace>();
}
