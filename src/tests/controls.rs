//! Headless tests of the visitor's hands: pointer lock on click and Esc,
//! touch drag-to-look and tap, the on-screen joystick, and preferences kept
//! between runs (MinimalPlugins, no GPU).

use super::common::{headless_app, headless_app_with, visitor};
use crate::expo::storage::Storage;
use crate::expo::{Favourites, Lang};
use crate::ui::Panels;
use crate::world::controls::{InputDevice, Joystick, PointerLock, SceneTap};
use crate::world::interaction::UiCapture;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::mouse::MouseButtonInput;
use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::window::{CursorGrabMode, CursorOptions, PrimaryWindow};
use yunzhan_model::ProjectId;

fn with_window(app: &mut App) -> Entity {
    let mut window = Window::default();
    window.set_cursor_position(Some(Vec2::new(300.0, 400.0)));
    app.world_mut().spawn((window, PrimaryWindow)).id()
}

fn click(app: &mut App, window: Entity) {
    for state in [ButtonState::Pressed, ButtonState::Released] {
        app.world_mut().write_message(MouseButtonInput {
            button: MouseButton::Left,
            state,
            window,
        });
        app.update();
    }
}

fn press_escape(app: &mut App, window: Entity) {
    app.world_mut().write_message(KeyboardInput {
        key_code: KeyCode::Escape,
        logical_key: Key::Escape,
        state: ButtonState::Pressed,
        text: None,
        repeat: false,
        window,
    });
    app.update();
}

fn touch(app: &mut App, window: Entity, phase: TouchPhase, position: Vec2) {
    app.world_mut().write_message(TouchInput {
        phase,
        position,
        window,
        force: None,
        id: 7,
    });
    app.update();
}

fn cursor(app: &mut App, window: Entity) -> CursorOptions {
    app.world().get::<CursorOptions>(window).unwrap().clone()
}

fn taps(app: &App) -> usize {
    app.world().resource::<Messages<SceneTap>>().len()
}

#[test]
fn a_click_locks_the_pointer_and_escape_releases_it() {
    let mut app = headless_app();
    let window = with_window(&mut app);
    assert!(cursor(&mut app, window).visible);

    click(&mut app, window);
    assert_eq!(*app.world().resource::<PointerLock>(), PointerLock(true));
    let locked = cursor(&mut app, window);
    assert_eq!(locked.grab_mode, CursorGrabMode::Locked);
    assert!(!locked.visible, "the cursor hides while locked");
    assert_eq!(taps(&app), 1, "the click also acted on the scene");

    press_escape(&mut app, window);
    assert_eq!(*app.world().resource::<PointerLock>(), PointerLock(false));
    let released = cursor(&mut app, window);
    assert_eq!(released.grab_mode, CursorGrabMode::None);
    assert!(released.visible);
}

#[test]
fn dragging_a_finger_looks_around_and_a_tap_acts_without_locking() {
    let mut app = headless_app();
    let window = with_window(&mut app);
    let (_, _, yaw_before) = visitor(&mut app);

    touch(
        &mut app,
        window,
        TouchPhase::Started,
        Vec2::new(400.0, 300.0),
    );
    touch(&mut app, window, TouchPhase::Moved, Vec2::new(500.0, 300.0));
    touch(&mut app, window, TouchPhase::Ended, Vec2::new(500.0, 300.0));
    let (_, _, yaw_after) = visitor(&mut app);
    assert!(
        yaw_after > yaw_before + 0.1,
        "a drag to the right turns right: {yaw_before} -> {yaw_after}"
    );
    assert_eq!(taps(&app), 0, "a drag is not a tap");
    assert_eq!(*app.world().resource::<InputDevice>(), InputDevice::Touch);

    touch(
        &mut app,
        window,
        TouchPhase::Started,
        Vec2::new(640.0, 500.0),
    );
    touch(&mut app, window, TouchPhase::Ended, Vec2::new(641.0, 500.0));
    assert_eq!(taps(&app), 1);
    assert_eq!(
        *app.world().resource::<PointerLock>(),
        PointerLock(false),
        "touch never locks a pointer"
    );
}

/// A finger down and up between two frames (a quick tap on a slow device):
/// on a panel it is the panel's, beside it the scene's.
#[test]
fn a_quick_tap_on_a_panel_does_not_reach_the_scene_behind_it() {
    let mut app = headless_app();
    let window = with_window(&mut app);
    app.world_mut().resource_mut::<UiCapture>().panels = vec![Rect::new(8.0, 217.0, 382.0, 440.0)];
    let quick_tap = |app: &mut App, at: Vec2| {
        for phase in [TouchPhase::Started, TouchPhase::Ended] {
            app.world_mut().write_message(TouchInput {
                phase,
                position: at,
                window,
                force: None,
                id: 9,
            });
        }
        app.update();
    };
    quick_tap(&mut app, Vec2::new(38.0, 416.0));
    assert_eq!(
        taps(&app),
        0,
        "the tap on the panel's button reached the scene"
    );
    quick_tap(&mut app, Vec2::new(195.0, 600.0));
    assert_eq!(taps(&app), 1, "a quick tap on the scene is a tap");
}

#[test]
fn the_joystick_walks_forward_along_the_heading() {
    let mut app = headless_app();
    let (_, before, _) = visitor(&mut app);
    app.world_mut().resource_mut::<Joystick>().0 = Vec2::new(0.0, 1.0);
    for _ in 0..5 {
        app.update();
    }
    app.world_mut().resource_mut::<Joystick>().0 = Vec2::ZERO;
    app.update();
    let (_, after, _) = visitor(&mut app);
    let moved = after.translation - before.translation;
    // Yaw 0 looks north (world -Z); 0.5 s at 4 m/s, less what walls stop.
    assert!(moved.z < -1.0, "moved {moved:?}");
    assert!(moved.x.abs() < 0.01, "moved {moved:?}");
}

fn preferences_app(dir: &std::path::Path) -> App {
    headless_app_with(|app| {
        app.insert_resource(Storage::in_dir(dir));
    })
}

#[test]
fn language_favourites_and_the_dismissed_hint_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("yunzhan-prefs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let mut first = preferences_app(&dir);
    assert_eq!(*first.world().resource::<Lang>(), Lang::Zh);
    assert!(
        first.world().resource::<Panels>().hint,
        "first visit shows the hint"
    );
    *first.world_mut().resource_mut::<Lang>() = Lang::En;
    first.world_mut().resource_mut::<Favourites>().0 = vec![ProjectId(5), ProjectId(42)];
    first.world_mut().resource_mut::<Panels>().hint = false;
    first.update();
    drop(first);

    let second = preferences_app(&dir);
    assert_eq!(*second.world().resource::<Lang>(), Lang::En);
    assert_eq!(
        second.world().resource::<Favourites>().0,
        vec![ProjectId(5), ProjectId(42)]
    );
    assert!(!second.world().resource::<Panels>().hint);

    std::fs::write(dir.join("preferences.json"), b"{not json").unwrap();
    let third = preferences_app(&dir);
    assert_eq!(
        *third.world().resource::<Lang>(),
        Lang::Zh,
        "a broken file is ignored"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
