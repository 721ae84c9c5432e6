//! How the visitor's hands reach the scene, for mouse and touch alike.
//!
//! Mouse: a click on the scene acts where it points (see
//! [`crate::world::interaction`]) and locks the pointer for mouse look; while locked,
//! a click acts at the crosshair in the middle of the screen; Esc releases it.
//! Dragging with a button held also looks around when the pointer is free.
//! Touch: dragging one finger looks around, a tap acts where it lands, and
//! the on-screen joystick (drawn by the UI) walks.

use bevy::input::mouse::AccumulatedMouseMotion;
use bevy::input::touch::Touches;
use bevy::prelude::*;
use bevy::window::{CursorGrabMode, CursorOptions, PrimaryWindow};

use crate::expo::Kiosk;
use crate::world::interaction::UiCapture;
use crate::world::visitor::{Visitor, orientation};

/// Radians turned per pixel of mouse or finger movement.
const LOOK_SPEED: f32 = 0.003;
/// Pointer travel (pixels) below which a press and release is a click or
/// tap, not a drag.
const CLICK_SLOP: f32 = 6.0;

/// Whether the mouse pointer is locked for mouse look.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PointerLock(pub bool);

/// The device the visitor used last; the hint and the joystick follow it.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputDevice {
    #[default]
    Mouse,
    Touch,
}

/// The on-screen joystick's deflection: x to the right, y forward, each in
/// -1..=1. Zero when released.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Joystick(pub Vec2);

/// A click or tap on the scene at a window position (logical pixels).
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub(crate) struct SceneTap(pub Vec2);

/// Systems that turn raw input into looks and taps; the scene's responses
/// run after them.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ReadControls;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PointerLock>()
        .init_resource::<InputDevice>()
        .init_resource::<Joystick>()
        .add_message::<SceneTap>();
    app.add_systems(
        Update,
        (
            notice_device,
            mouse_clicks,
            release_on_escape,
            mouse_look,
            touch_look_and_tap,
        )
            .chain()
            .in_set(ReadControls),
    );
    app.add_systems(PostUpdate, apply_pointer_lock);
}

fn notice_device(
    touches: Res<Touches>,
    buttons: Res<ButtonInput<MouseButton>>,
    kiosk: Option<Res<Kiosk>>,
    mut device: ResMut<InputDevice>,
) {
    let now = if kiosk.is_some() || touches.iter().next().is_some() || touches.any_just_released() {
        InputDevice::Touch
    } else if buttons.get_just_pressed().next().is_some() {
        InputDevice::Mouse
    } else {
        return;
    };
    device.set_if_neq(now);
}

/// A left click (not a drag) taps the scene under the cursor, or at the
/// crosshair while the pointer is locked, and locks the pointer.
fn mouse_clicks(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    ui: Res<UiCapture>,
    device: Res<InputDevice>,
    kiosk: Option<Res<Kiosk>>,
    windows: Query<&Window, With<PrimaryWindow>>,
    mut lock: ResMut<PointerLock>,
    mut taps: MessageWriter<SceneTap>,
    mut dragged: Local<f32>,
) {
    if buttons.just_pressed(MouseButton::Left) {
        *dragged = 0.0;
    }
    if buttons.pressed(MouseButton::Left) {
        *dragged += motion.delta.length();
    }
    let clicked = buttons.just_released(MouseButton::Left) && *dragged <= CLICK_SLOP;
    if !clicked || (ui.pointer && !lock.0) {
        return;
    }
    if kiosk.is_some() {
        // A touch screen that reports mouse clicks: a tap, never a lock.
        if let Some(at) = windows.iter().next().and_then(Window::cursor_position)
            && !ui.takes_tap(at)
        {
            taps.write(SceneTap(at));
        }
        return;
    }
    if *device == InputDevice::Touch {
        return;
    }
    let Some(window) = windows.iter().next() else {
        return;
    };
    let at = if lock.0 {
        Some(window.size() / 2.0)
    } else {
        window.cursor_position().filter(|&at| !ui.takes_tap(at))
    };
    if let Some(at) = at {
        lock.0 = true;
        taps.write(SceneTap(at));
    }
}

fn release_on_escape(keys: Res<ButtonInput<KeyCode>>, mut lock: ResMut<PointerLock>) {
    if keys.just_pressed(KeyCode::Escape) {
        lock.set_if_neq(PointerLock(false));
    }
}

fn turn(visitors: &mut Query<(&mut Visitor, &mut Transform)>, pixels: Vec2) {
    for (mut visitor, mut transform) in visitors {
        visitor.yaw += pixels.x * LOOK_SPEED;
        visitor.pitch = (visitor.pitch - pixels.y * LOOK_SPEED).clamp(-1.2, 1.2);
        transform.rotation = orientation(&visitor);
    }
}

/// Mouse look: free movement while locked, a drag with a button held when not.
fn mouse_look(
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    ui: Res<UiCapture>,
    lock: Res<PointerLock>,
    device: Res<InputDevice>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let dragging = buttons.any_pressed([MouseButton::Left, MouseButton::Right]) && !ui.pointer;
    if motion.delta == Vec2::ZERO || *device == InputDevice::Touch || !(lock.0 || dragging) {
        return;
    }
    turn(&mut visitors, motion.delta);
}

/// One finger dragging looks around; a finger lifted where it went down taps.
fn touch_look_and_tap(
    touches: Res<Touches>,
    ui: Res<UiCapture>,
    mut taps: MessageWriter<SceneTap>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    if ui.pointer {
        return;
    }
    let mut pressed = touches.iter();
    if let (Some(finger), None) = (pressed.next(), pressed.next()) {
        let delta = finger.delta();
        if delta != Vec2::ZERO && finger.distance().length() > CLICK_SLOP {
            turn(&mut visitors, delta);
        }
    }
    for finger in touches.iter_just_released() {
        if finger.distance().length() <= CLICK_SLOP && !ui.takes_tap(finger.position()) {
            taps.write(SceneTap(finger.position()));
        }
    }
}

/// Hides and grabs the cursor while locked. X11 cannot lock and confines
/// the cursor instead; mouse look still works from raw motion.
fn apply_pointer_lock(
    lock: Res<PointerLock>,
    mut cursors: Query<&mut CursorOptions, With<PrimaryWindow>>,
) {
    if !lock.is_changed() {
        return;
    }
    for mut cursor in &mut cursors {
        cursor.visible = !lock.0;
        cursor.grab_mode = if lock.0 {
            CursorGrabMode::Locked
        } else {
            CursorGrabMode::None
        };
    }
}
