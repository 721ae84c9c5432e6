//! Headless tests of the lobby and the visitor (MinimalPlugins, no GPU).

use std::collections::HashSet;
use std::time::Duration;

use bevy::input::InputPlugin;
use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use yunzhan::lobby::{GateLabel, HallGate};
use yunzhan::visitor::Visitor;

fn headless_app() -> App {
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
    app.add_plugins(yunzhan::plugin);
    app.update();
    app
}

#[test]
fn the_lobby_has_a_labelled_gate_for_each_of_the_22_halls() {
    let mut app = headless_app();
    let world = app.world_mut();
    let gates: HashSet<u8> = world
        .query::<&HallGate>()
        .iter(world)
        .map(|gate| gate.0.0)
        .collect();
    assert_eq!(gates.len(), 22);
    let labels: HashSet<u8> = world
        .query::<&GateLabel>()
        .iter(world)
        .map(|label| label.0.0)
        .collect();
    assert_eq!(labels, gates);
    // Every label has a painted texture of its own.
    let mut textures = HashSet::new();
    for (label, material) in world
        .query::<(&GateLabel, &MeshMaterial3d<StandardMaterial>)>()
        .iter(world)
    {
        let materials = world.resource::<Assets<StandardMaterial>>();
        let texture = materials
            .get(&material.0)
            .unwrap()
            .base_color_texture
            .clone();
        assert!(
            texture.is_some(),
            "label of hall {} has no texture",
            label.0.0
        );
        textures.insert(texture.unwrap().id());
    }
    assert_eq!(textures.len(), 22);
}

#[test]
fn walking_forward_moves_the_visitor_north() {
    let mut app = headless_app();
    let start = visitor_position(&mut app);
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::KeyW);
    for _ in 0..10 {
        app.update();
    }
    let end = visitor_position(&mut app);
    // North is the world's -Z.
    assert!(end.z < start.z - 1.0, "{start} -> {end}");
    assert!((end.x - start.x).abs() < 1e-3);
}

fn visitor_position(app: &mut App) -> Vec3 {
    let world = app.world_mut();
    world
        .query_filtered::<&Transform, With<Visitor>>()
        .single(world)
        .unwrap()
        .translation
}
