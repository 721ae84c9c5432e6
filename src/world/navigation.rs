//! Walking with collisions, smooth travel to a destination, and moving
//! between the lobby and the halls.
//!
//! The visitor is a circle on the model's floor plan; obstacles are
//! rectangles (walls, booth panels, the stage). A step is tried along x and z
//! separately, so the visitor slides along a wall instead of sticking to it.

use bevy::prelude::*;
use yunzhan_model::HallIndex;
use yunzhan_model::layout::Rect;

use crate::expo::Screen;
use crate::world::scene::world;
use crate::world::visitor::{EYE_HEIGHT, Visitor, orientation};

/// The visitor's radius in metres.
pub(crate) const VISITOR_RADIUS: f32 = 0.3;
/// Travel speed of a smooth camera flight, metres per second.
const TRAVEL_SPEED: f32 = 9.0;

/// The obstacles of the current scene, in floor coordinates.
#[derive(Resource, Debug, Default, Clone)]
pub(crate) struct Colliders {
    pub(crate) walls: Vec<Rect>,
}

impl Colliders {
    fn blocked(&self, point: [f32; 2]) -> bool {
        let r = VISITOR_RADIUS;
        self.walls.iter().any(|rect| {
            point[0] > rect.min[0] - r
                && point[0] < rect.max[0] + r
                && point[1] > rect.min[1] - r
                && point[1] < rect.max[1] + r
        })
    }

    /// Where a visitor at `from` ends up trying to move by `step`.
    pub(crate) fn slide(&self, from: [f32; 2], step: [f32; 2]) -> [f32; 2] {
        let mut at = from;
        let along_x = [at[0] + step[0], at[1]];
        if !self.blocked(along_x) {
            at = along_x;
        }
        let along_z = [at[0], at[1] + step[1]];
        if !self.blocked(along_z) {
            at = along_z;
        }
        at
    }
}

/// A smooth flight of the camera to a pose; walking input cancels it.
#[derive(Component, Debug, Clone)]
pub(crate) struct Travel {
    pub(crate) to: [f32; 2],
    pub(crate) yaw: f32,
    pub(crate) pitch: f32,
}

/// Requests to change scene.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Go {
    Hall(HallIndex),
    Lobby,
}

/// The hall being shown or loaded.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CurrentHall(pub HallIndex);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Colliders>();
    app.add_message::<Go>();
    app.add_systems(Update, (change_scene, fly).chain());
}

/// The floor position of a camera transform.
pub(crate) fn floor_position(transform: &Transform) -> [f32; 2] {
    [transform.translation.x, -transform.translation.z]
}

/// Places the visitor at a floor point with a heading.
pub(crate) fn place(visitor: &mut Visitor, transform: &mut Transform, at: [f32; 2], yaw: f32) {
    visitor.yaw = yaw;
    visitor.pitch = 0.0;
    transform.translation = world(at, EYE_HEIGHT);
    transform.rotation = orientation(visitor);
}

fn change_scene(
    mut requests: MessageReader<Go>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    if let Some(request) = requests.read().last() {
        match *request {
            Go::Hall(hall) => {
                commands.insert_resource(CurrentHall(hall));
                next.set(Screen::Loading);
            }
            Go::Lobby => next.set(Screen::Lobby),
        }
    }
}

/// Moves travelling visitors towards their destination, turning on the way.
fn fly(
    time: Res<Time>,
    mut commands: Commands,
    mut visitors: Query<(Entity, &mut Visitor, &mut Transform, &Travel)>,
) {
    for (entity, mut visitor, mut transform, travel) in &mut visitors {
        let here = Vec2::from(floor_position(&transform));
        let target = Vec2::from(travel.to);
        let remaining = target - here;
        let step = TRAVEL_SPEED * time.delta_secs();
        let blend = (step / remaining.length().max(step)).clamp(0.0, 1.0);
        let yaw_delta = wrap_angle(travel.yaw - visitor.yaw);
        visitor.yaw += yaw_delta * blend.max(0.08);
        visitor.pitch += (travel.pitch - visitor.pitch) * blend.max(0.08);
        let next = if remaining.length() <= step {
            target
        } else {
            here + remaining.normalize() * step
        };
        transform.translation = world(next.into(), EYE_HEIGHT);
        if next == target && wrap_angle(travel.yaw - visitor.yaw).abs() < 0.01 {
            visitor.yaw = travel.yaw;
            visitor.pitch = travel.pitch;
            commands.entity(entity).remove::<Travel>();
        }
        transform.rotation = orientation(&visitor);
    }
}

/// An angle brought into (-π, π].
pub(crate) fn wrap_angle(angle: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    let wrapped = (angle + std::f32::consts::PI).rem_euclid(tau) - std::f32::consts::PI;
    if wrapped <= -std::f32::consts::PI {
        wrapped + tau
    } else {
        wrapped
    }
}

/// The yaw that looks along a floor direction (yaw 0 looks north, +z).
pub(crate) fn yaw_towards(direction: [f32; 2]) -> f32 {
    direction[0].atan2(direction[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_stops_at_a_wall_but_keeps_the_free_axis() {
        let colliders = Colliders {
            walls: vec![Rect::new(5.0, -10.0, 6.0, 10.0)],
        };
        let end = colliders.slide([4.0, 0.0], [2.0, 1.0]);
        assert_eq!(end, [4.0, 1.0]);
        let free = colliders.slide([0.0, 0.0], [1.0, 1.0]);
        assert_eq!(free, [1.0, 1.0]);
    }

    #[test]
    fn yaw_points_along_directions() {
        assert!((yaw_towards([0.0, 1.0])).abs() < 1e-6);
        assert!((yaw_towards([1.0, 0.0]) - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        assert!((wrap_angle(3.0 * std::f32::consts::PI) - std::f32::consts::PI).abs() < 1e-5);
    }
}
