//! A headless Yunzhan app: the real feature plugins on `MinimalPlugins`, with
//! a fixed 100 ms step so that movement is deterministic.

use std::time::Duration;

use crate::expo::Screen;
use crate::world::chunks::HallChunks;
use crate::world::navigation::{Go, Travel};
use crate::world::visitor::Visitor;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::{ButtonState, InputPlugin};
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;

pub(super) fn headless_app() -> App {
    headless_app_with(|_| {})
}

/// A headless app with more set up (`extra`) before its first frame.
pub(super) fn headless_app_with(extra: impl FnOnce(&mut App)) -> App {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        AssetPlugin::default(),
        StatesPlugin,
        InputPlugin,
    ));
    app.init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .init_asset::<Image>();
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
        100,
    )));
    app.add_plugins(crate::plugin);
    extra(&mut app);
    app.update();
    app
}

pub(super) fn screen(app: &App) -> Screen {
    *app.world().resource::<State<Screen>>().get()
}

/// Sends a scene change and runs frames until the target screen is reached
/// (in a hall, until the chunks around the visitor are built).
pub(super) fn go(app: &mut App, request: Go, expected: Screen) {
    app.world_mut().write_message(request);
    for _ in 0..200 {
        app.update();
        if screen(app) == expected {
            app.update();
            if expected == Screen::Hall {
                build_around(app);
            }
            return;
        }
    }
    panic!("never reached {expected:?}, stuck at {:?}", screen(app));
}

/// Runs frames until every chunk of the hall around the visitor is built
/// (with its cards, headers and totem signs).
pub(super) fn build_around(app: &mut App) {
    for _ in 0..200 {
        app.update();
        if (app.world().get_resource::<HallChunks>()).is_some_and(HallChunks::settled) {
            return;
        }
    }
    panic!("the chunks around the visitor were never all built");
}

pub(super) fn visitor(app: &mut App) -> (Entity, Transform, f32) {
    let world = app.world_mut();
    let (entity, transform, visitor) = world
        .query::<(Entity, &Transform, &Visitor)>()
        .single(world)
        .unwrap();
    (entity, *transform, visitor.yaw)
}

pub(super) fn count<C: Component>(app: &mut App) -> usize {
    let world = app.world_mut();
    world.query_filtered::<(), With<C>>().iter(world).count()
}

/// Whether the visitor is on their way somewhere.
pub(super) fn travelling(app: &mut App) -> bool {
    let world = app.world_mut();
    world
        .query_filtered::<(), With<Travel>>()
        .iter(world)
        .next()
        .is_some()
}

/// A key pressed, then released, as the window reports them.
pub(super) fn key_strokes(key_code: KeyCode, logical_key: Key) -> [KeyboardInput; 2] {
    [ButtonState::Pressed, ButtonState::Released].map(|state| KeyboardInput {
        key_code,
        logical_key: logical_key.clone(),
        state,
        text: None,
        repeat: false,
        window: Entity::PLACEHOLDER,
    })
}
