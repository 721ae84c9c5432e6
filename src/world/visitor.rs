//! The visitor: a first-person camera at eye height. Keys W/A/S/D, the
//! arrows or the on-screen joystick walk; looking around is in
//! [`crate::world::controls`].

use bevy::core_pipeline::tonemapping::Tonemapping;
use bevy::prelude::*;
use yunzhan_model::LobbyLayout;

use crate::world::controls::Joystick;
use crate::world::interaction::UiCapture;
use crate::world::navigation::{Colliders, Travel, floor_position};
use crate::world::scene::world;

pub(crate) const EYE_HEIGHT: f32 = 1.7;
/// Ambient light brightness beside the sun (the high quality tier).
pub(crate) const AMBIENT: f32 = 450.0;
const WALK_SPEED: f32 = 4.0;

/// The visitor's camera, with its heading (yaw) and pitch in radians.
#[derive(Component, Debug, Default)]
pub(crate) struct Visitor {
    pub(crate) yaw: f32,
    pub(crate) pitch: f32,
}

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(ClearColor(Color::srgb(0.72, 0.78, 0.86)));
    app.insert_resource(GlobalAmbientLight {
        brightness: AMBIENT,
        ..default()
    });
    app.add_systems(Startup, spawn_visitor);
    app.add_systems(Update, (walk, fit_field_of_view));
}

/// Bevy's vertical field of view (45°), kept on landscape screens.
const LANDSCAPE_FOV: f32 = std::f32::consts::FRAC_PI_4;
/// The widest vertical field of view a portrait screen gets.
const MAX_FOV: f32 = 100.0_f32.to_radians();

/// The vertical field of view for a screen of this aspect ratio (width /
/// height): 45° on landscape screens; on narrower ones it widens so that
/// the visitor sees at least what a 4:3 screen shows across (on a phone
/// held upright, the lobby's gates beside the stage), up to 100°.
pub(crate) fn field_of_view(aspect: f32) -> f32 {
    let across = (LANDSCAPE_FOV / 2.0).tan() * 4.0 / 3.0;
    let fitting = 2.0 * (across / aspect.max(0.1)).atan();
    fitting.clamp(LANDSCAPE_FOV, MAX_FOV)
}

/// Follows the window's shape (a phone turned, a resized browser).
fn fit_field_of_view(
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    mut cameras: Query<&mut Projection, With<Visitor>>,
) {
    let Ok(window) = windows.single() else {
        return;
    };
    let fov = field_of_view(window.width() / window.height().max(1.0));
    for mut projection in &mut cameras {
        if let Projection::Perspective(perspective) = projection.as_ref()
            && (perspective.fov - fov).abs() > 1e-4
            && let Projection::Perspective(perspective) = projection.as_mut()
        {
            perspective.fov = fov;
        }
    }
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
pub(crate) fn orientation(visitor: &Visitor) -> Quat {
    Quat::from_rotation_y(-visitor.yaw) * Quat::from_rotation_x(visitor.pitch)
}

/// The unit vector the visitor walks along when going forward.
pub(crate) fn heading(visitor: &Visitor) -> Vec3 {
    Vec3::new(visitor.yaw.sin(), 0.0, -visitor.yaw.cos())
}

fn walk(
    keys: Res<ButtonInput<KeyCode>>,
    time: Res<Time>,
    colliders: Res<Colliders>,
    ui: Res<UiCapture>,
    joystick: Res<Joystick>,
    mut commands: Commands,
    mut visitors: Query<(Entity, &Visitor, &mut Transform)>,
) {
    let axis = |positive: [KeyCode; 2], negative: [KeyCode; 2]| {
        f32::from(keys.any_pressed(positive)) - f32::from(keys.any_pressed(negative))
    };
    let pressed = if ui.keyboard {
        Vec2::ZERO
    } else {
        Vec2::new(
            axis(
                [KeyCode::KeyD, KeyCode::ArrowRight],
                [KeyCode::KeyA, KeyCode::ArrowLeft],
            ),
            axis(
                [KeyCode::KeyW, KeyCode::ArrowUp],
                [KeyCode::KeyS, KeyCode::ArrowDown],
            ),
        )
    };
    let Vec2 {
        x: right,
        y: forward,
    } = (pressed + joystick.0).clamp_length_max(1.0);
    if forward == 0.0 && right == 0.0 {
        return;
    }
    for (entity, visitor, mut transform) in &mut visitors {
        let ahead = heading(visitor);
        let side = ahead.cross(Vec3::Y);
        let step = (ahead * forward + side * right) * WALK_SPEED * time.delta_secs();
        let at = colliders.slide(floor_position(&transform), [step.x, -step.z]);
        transform.translation = world(at, EYE_HEIGHT);
        commands.entity(entity).remove::<Travel>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portrait_screens_see_wider_and_landscape_ones_keep_45_degrees() {
        assert_eq!(field_of_view(16.0 / 9.0), LANDSCAPE_FOV);
        assert_eq!(field_of_view(4.0 / 3.0), LANDSCAPE_FOV);
        let phone = field_of_view(390.0 / 844.0);
        assert!(phone > 90.0_f32.to_radians() && phone <= MAX_FOV, "{phone}");
        // Across, the phone sees at least the 4:3 screen's width.
        let across = |fov: f32, aspect: f32| (fov / 2.0).tan() * aspect;
        assert!(across(phone, 390.0 / 844.0) >= across(LANDSCAPE_FOV, 4.0 / 3.0) * 0.95);
    }
}
