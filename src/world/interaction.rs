//! What the visitor does with the scene: tap a card to face it square-on,
//! tap the floor to walk there, hop to the next or previous booth, and
//! focus a project from anywhere (search, favourites, related projects),
//! changing hall first when needed.

use bevy::prelude::*;
use yunzhan_model::ProjectId;

use crate::expo::catalog::ExpoCatalog;
use crate::expo::{Screen, VisitorLeft};
use crate::world::cards::{CARD_SIZE, Card};
use crate::world::controls::{PointerLock, ReadControls, SceneTap};
use crate::world::hall::{CardPlaces, HallPlan};
use crate::world::navigation::{CurrentHall, Go, Travel, floor_position, yaw_towards};
use crate::world::visitor::{EYE_HEIGHT, Visitor};

/// How far in front of a card a visitor stands to read it.
pub(crate) const READING_DISTANCE: f32 = 2.0;

/// The project whose detail panel is open.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Selection(pub Option<ProjectId>);

/// Go to a project's card (changing hall if needed) and open its detail.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FocusProject(pub ProjectId);

/// Move to the next (+1) or previous (-1) booth of the hall.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HopBooth(pub i32);

/// Set by the UI while it uses the pointer (a click on a panel) or the
/// keyboard (typing in a text field), so those do not reach the scene.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub(crate) struct UiCapture {
    pub(crate) pointer: bool,
    pub(crate) keyboard: bool,
    /// Where the panels were drawn last frame (window coordinates): a tap
    /// pressed and lifted between two frames (a quick finger on a slow
    /// device) lands on them before the UI can say it took the pointer.
    pub(crate) panels: Vec<Rect>,
}

impl UiCapture {
    /// Whether a tap at `at` (window coordinates) belongs to the panels.
    pub(crate) fn takes_tap(&self, at: Vec2) -> bool {
        self.pointer || self.panels.iter().any(|panel| panel.contains(at))
    }
}

#[derive(Resource, Debug, Clone, Copy)]
struct PendingFocus(ProjectId);

/// The booth the visitor last hopped to or looked at.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub(crate) struct CurrentBooth(pub Option<usize>);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Selection>()
        .init_resource::<UiCapture>()
        .init_resource::<CurrentBooth>()
        .add_message::<FocusProject>()
        .add_message::<HopBooth>();
    app.add_systems(
        Update,
        (
            focus_project,
            hop_booth.run_if(in_state(Screen::Hall)),
            keyboard_shortcuts,
            tap_scene.after(ReadControls),
        ),
    );
    app.add_systems(OnEnter(Screen::Hall), finish_pending_focus);
    app.add_systems(OnEnter(Screen::Lobby), |mut booth: ResMut<CurrentBooth>| {
        booth.0 = None
    });
    app.add_systems(
        PostUpdate,
        forget_the_visitor.run_if(on_message::<VisitorLeft>),
    );
}

/// A new visitor starts with nothing open and the pointer free.
fn forget_the_visitor(
    mut selection: ResMut<Selection>,
    mut booth: ResMut<CurrentBooth>,
    mut lock: ResMut<PointerLock>,
) {
    selection.0 = None;
    booth.0 = None;
    lock.0 = false;
}

/// The reading pose in front of a card: floor point, yaw and pitch.
pub(crate) fn reading_pose(card: &Transform) -> Travel {
    let normal = card.rotation * Vec3::Z;
    let [x, z] = floor_position(card);
    let floor_normal = [normal.x, -normal.z];
    Travel {
        to: [
            x + floor_normal[0] * READING_DISTANCE,
            z + floor_normal[1] * READING_DISTANCE,
        ],
        yaw: yaw_towards([-floor_normal[0], -floor_normal[1]]),
        pitch: ((card.translation.y - EYE_HEIGHT) / READING_DISTANCE).atan(),
    }
}

/// Sends the visitor to read a project's card in the shown hall (false
/// when it does not hang there).
fn travel_to_card(
    commands: &mut Commands,
    project: ProjectId,
    places: &CardPlaces,
    visitors: &Query<Entity, With<Visitor>>,
    current_booth: &mut CurrentBooth,
) -> bool {
    let Some((booth, card)) = places.find(project) else {
        return false;
    };
    current_booth.0 = Some(booth);
    for visitor in visitors {
        commands.entity(visitor).insert(reading_pose(&card));
    }
    true
}

fn focus_project(
    mut requests: MessageReader<FocusProject>,
    mut commands: Commands,
    mut selection: ResMut<Selection>,
    mut current_booth: ResMut<CurrentBooth>,
    catalog: Res<ExpoCatalog>,
    plan: Option<Res<HallPlan>>,
    screen: Res<State<Screen>>,
    places: CardPlaces,
    visitors: Query<Entity, With<Visitor>>,
    mut go: MessageWriter<Go>,
) {
    let Some(&FocusProject(project)) = requests.read().last() else {
        return;
    };
    selection.0 = Some(project);
    let hall = catalog.project(project).hall;
    let here = *screen.get() == Screen::Hall && plan.is_some_and(|plan| plan.hall == hall);
    if !(here
        && travel_to_card(
            &mut commands,
            project,
            &places,
            &visitors,
            &mut current_booth,
        ))
    {
        commands.insert_resource(PendingFocus(project));
        go.write(Go::Hall(hall));
    }
}

fn finish_pending_focus(
    mut commands: Commands,
    pending: Option<Res<PendingFocus>>,
    mut current_booth: ResMut<CurrentBooth>,
    places: CardPlaces,
    visitors: Query<Entity, With<Visitor>>,
) {
    if let Some(pending) = pending {
        travel_to_card(
            &mut commands,
            pending.0,
            &places,
            &visitors,
            &mut current_booth,
        );
        commands.remove_resource::<PendingFocus>();
    }
}

fn hop_booth(
    mut requests: MessageReader<HopBooth>,
    mut commands: Commands,
    plan: Res<HallPlan>,
    mut current: ResMut<CurrentBooth>,
    visitors: Query<Entity, With<Visitor>>,
) {
    let Some(&HopBooth(delta)) = requests.read().last() else {
        return;
    };
    let count = plan.layout.booths.len() as i32;
    if count == 0 {
        return;
    }
    let next = match current.0 {
        Some(index) => (index as i32 + delta).rem_euclid(count),
        None if delta >= 0 => 0,
        None => count - 1,
    } as usize;
    current.0 = Some(next);
    for visitor in &visitors {
        commands.entity(visitor).insert(booth_pose(&plan, next));
    }
}

/// The pose in front of a booth, looking at its wall of cards.
pub(crate) fn booth_pose(plan: &HallPlan, booth: usize) -> Travel {
    let (to, yaw) = plan.viewpoint(booth);
    Travel {
        to,
        yaw,
        pitch: 0.1,
    }
}

/// N/P (or Page Down/Up) hop booths, Backspace returns to the lobby —
/// unless the keys are typing into a text field.
fn keyboard_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    screen: Res<State<Screen>>,
    capture: Res<UiCapture>,
    mut hop: MessageWriter<HopBooth>,
    mut go: MessageWriter<Go>,
    hall: Option<Res<CurrentHall>>,
) {
    if *screen.get() != Screen::Hall || capture.keyboard {
        return;
    }
    if keys.just_pressed(KeyCode::KeyN) || keys.just_pressed(KeyCode::PageDown) {
        hop.write(HopBooth(1));
    }
    if keys.just_pressed(KeyCode::KeyP) || keys.just_pressed(KeyCode::PageUp) {
        hop.write(HopBooth(-1));
    }
    if keys.just_pressed(KeyCode::Backspace) && hall.is_some() {
        go.write(Go::Lobby);
    }
}

/// A tap on a card faces it square-on and opens its detail (releasing the
/// pointer so the panel can be used); a tap on the floor walks there.
fn tap_scene(
    mut taps: MessageReader<SceneTap>,
    cameras: Query<(Entity, &Camera, &GlobalTransform), With<Visitor>>,
    cards: Query<(&Card, &Transform), Without<Visitor>>,
    mut selection: ResMut<Selection>,
    mut current_booth: ResMut<CurrentBooth>,
    mut lock: ResMut<PointerLock>,
    mut commands: Commands,
) {
    let Some(&SceneTap(at)) = taps.read().last() else {
        return;
    };
    let Some((visitor, camera, camera_transform)) = cameras.iter().next() else {
        return;
    };
    let Ok(ray) = camera.viewport_to_world(camera_transform, at) else {
        return;
    };
    if let Some((card, transform)) = pick_card(ray, &cards) {
        selection.0 = Some(card.project);
        current_booth.0 = card.booth;
        lock.0 = false;
        commands.entity(visitor).insert(reading_pose(transform));
    } else if ray.direction.y < -0.01 {
        let distance = -ray.origin.y / ray.direction.y;
        let point = ray.origin + ray.direction * distance;
        let here = camera_transform.translation();
        let direction = [point.x - here.x, here.z - point.z];
        commands.entity(visitor).insert(Travel {
            to: [point.x, -point.z],
            yaw: yaw_towards(direction),
            pitch: 0.0,
        });
    }
}

/// The nearest card the ray hits.
pub(crate) fn pick_card<'a>(
    ray: Ray3d,
    cards: &'a Query<(&Card, &Transform), Without<Visitor>>,
) -> Option<(&'a Card, &'a Transform)> {
    cards
        .iter()
        .filter_map(|(card, transform)| {
            let normal = transform.rotation * Vec3::Z;
            let denominator = ray.direction.dot(normal);
            if denominator >= -1e-4 {
                return None; // seen from behind or edge-on
            }
            let distance = (transform.translation - ray.origin).dot(normal) / denominator;
            let local = transform
                .rotation
                .inverse()
                .mul_vec3(ray.origin + ray.direction * distance - transform.translation);
            (distance > 0.0
                && local.x.abs() <= CARD_SIZE.x / 2.0
                && local.y.abs() <= CARD_SIZE.y / 2.0)
                .then_some((distance, card, transform))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, card, transform)| (card, transform))
}
