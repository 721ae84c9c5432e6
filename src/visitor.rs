//! The visitor: a first-person camera at eye height. Keys W/A/S/D or the
//! arrows walk; dragging with a mouse button held looks around.

use bevy::core_pipeline::prepass::DepthPrepass;
use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::prelude::*;
use yunzhan_model::LobbyLayout;

use crate::interaction::UiCapture;
use crate::navigation::{Colliders, Travel, floor_position};
use crate::scene::world;

pub const EYE_HEIGHT: f32 = 1.7;
const WALK_SPEED: f32 = 4.0;
const LOOK_SPEED: f32 = 0.003;

/// The visitor's camera, with its heading (yaw) and pitch in radians.
#[derive(Component, Debug, Default)]
pub struct Visitor {
    pub yaw: f32,
    pub pitch: f32,
}

pub fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(Color::srgb(0.72, 0.78, 0.86)));
    app.insert_resource(GlobalAmbientLight {
        brightness: 450.0,
        ..default()
    });
    app.add_systems(Startup, spawn_visitor);
    app.add_systems(Update, (walk, look));
}

fn spawn_visitor(mut commands: Commands) {
    let spawn = world(LobbyLayout::new().spawn, EYE_HEIGHT);
    // Yaw 0 looks north, into the lobby.
    let visitor = Visitor::default();
    commands.spawn((
        Name::new("Visitor"),
        Camera3d::default(),
        // Cards and signs are unlit sRGB artwork: show their colours as painted.
        Tonemapping::None,
        // Halls overlap many walls along a line of sight; a depth prepass
        // shades each pixel once, which matters most on software renderers.
        DepthPrepass,
        Transform::from_translation(spawn).with_rotation(orientation(&visitor)),
        visitor,
    ));
    commands.spawn((
        Name::new("Sun"),
        DirectionalLight {
            illuminance: 2500.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(10.0, 30.0, 10.0).looking_at(Vec3::new(32.0, 0.0, -40.0), Vec3::Y),
    ));
}

/// The camera rotation for a heading: yaw 0 looks north (world -Z), positive
/// yaw turns right.
pub fn orientation(visitor: &Visitor) -> Quat {
    Quat::from_rotation_y(-visitor.yaw) * Quat::from_rotation_x(visitor.pitch)
}

/// The unit vector the visitor walks along when going forward.
pub fn heading(visitor: &Visitor) -> Vec3 {
    Vec3::new(visitor.yaw.sin(), 0.0, -visitor.yaw.cos())
}

fn walk(
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    colliders: Res<Colliders>,
    ui: Res<UiCapture>,
    mut commands: Commands,
    mut visitors: Query<(Entity, &Visitor, &mut Transform)>,
) {
    let axis = |positive: [KeyCode; 2], negative: [KeyCode; 2]| {
        f32::from(keys.any_pressed(positive)) - f32::from(keys.any_pressed(negative))
    };
    let forward = axis(
        [KeyCode::KeyW, KeyCode::ArrowUp],
        [KeyCode::KeyS, KeyCode::ArrowDown],
    );
    let right = axis(
        [KeyCode::KeyD, KeyCode::ArrowRight],
        [KeyCode::KeyA, KeyCode::ArrowLeft],
    );
    if (forward == 0.0 && right == 0.0) || ui.keyboard {
        return;
    }
    for (entity, visitor, mut transform) in &mut visitors {
        let ahead = heading(visitor);
        let side = ahead.cross(Vec3::Y);
        let step =
            (ahead * forward + side * right).normalize_or_zero() * WALK_SPEED * time.delta_secs();
        let at = colliders.slide(floor_position(&transform), [step.x, -step.z]);
        transform.translation = world(at, EYE_HEIGHT);
        commands.entity(entity).remove::<Travel>();
    }
}

fn look(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    ui: Res<UiCapture>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let dragging = buttons.any_pressed([MouseButton::Left, MouseButton::Right]);
    if !dragging || ui.pointer || motion.delta == Vec2::ZERO {
        return;
    }
    for (mut visitor, mut transform) in &mut visitors {
        visitor.yaw += motion.delta.x * LOOK_SPEED;
        visitor.pitch = (visitor.pitch - motion.delta.y * LOOK_SPEED).clamp(-1.2, 1.2);
        transform.rotation = orientation(&visitor);
    }
}
