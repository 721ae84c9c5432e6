//! Defects found by reading the code (issue 13), each pinned by the
//! behaviour a visitor would notice.

use bevy::input::keyboard::Key;
use bevy::prelude::*;
use yunzhan_model::HallIndex;

use super::common::{go, headless_app, key_strokes, screen, travelling, visitor};
use crate::deeplink::ShareBase;
use crate::expo::Screen;
use crate::ui::Panels;
use crate::world::atlas::{Atlas, Painted};
use crate::world::cards::{Card, CardAtlas};
use crate::world::interaction::UiCapture;
use crate::world::navigation::Go;
use crate::world::quality::Quality;
use crate::world::signs::{BoothHeader, HeaderAtlas};

fn chengdu() -> HallIndex {
    HallIndex::from_id("chengdu").unwrap()
}

/// A key pressed and released, a frame each.
fn tap_key(app: &mut App, key_code: KeyCode, logical_key: Key) {
    for stroke in key_strokes(key_code, logical_key) {
        app.world_mut().write_message(stroke);
        app.update();
    }
}

/// Runs frames until the visitor has arrived (at most 30).
fn settle(app: &mut App) {
    for _ in 0..30 {
        app.update();
        if !travelling(app) {
            return;
        }
    }
}

#[test]
fn typing_into_a_text_field_does_not_hop_booths_or_leave_the_hall() {
    let mut app = headless_app();
    go(&mut app, Go::Hall(chengdu()), Screen::Hall);
    settle(&mut app);
    let (_, before, _) = visitor(&mut app);
    // The UI reports a focused text field.
    app.world_mut().resource_mut::<UiCapture>().keyboard = true;
    tap_key(&mut app, KeyCode::KeyN, Key::Character("n".into()));
    tap_key(&mut app, KeyCode::KeyP, Key::Character("p".into()));
    tap_key(&mut app, KeyCode::Backspace, Key::Backspace);
    for _ in 0..20 {
        app.update();
    }
    assert_eq!(screen(&app), Screen::Hall, "Backspace left the hall");
    let (_, after, _) = visitor(&mut app);
    assert_eq!(after.translation, before.translation, "n/p hopped booths");

    // Without a text field the same keys are the hall's shortcuts.
    app.world_mut().resource_mut::<UiCapture>().keyboard = false;
    tap_key(&mut app, KeyCode::KeyN, Key::Character("n".into()));
    settle(&mut app);
    let (_, hopped, _) = visitor(&mut app);
    assert_ne!(hopped.translation, before.translation, "n hops to a booth");
    tap_key(&mut app, KeyCode::Backspace, Key::Backspace);
    for _ in 0..20 {
        app.update();
    }
    assert_eq!(
        screen(&app),
        Screen::Lobby,
        "Backspace returns to the lobby"
    );
}

#[test]
fn a_visitor_standing_still_costs_no_card_ranking() {
    let mut app = headless_app();
    go(&mut app, Go::Hall(chengdu()), Screen::Hall);
    settle(&mut app);
    // Until the cards around the entrance are painted there is work.
    for _ in 0..100 {
        app.update();
    }
    let ranked = app.world().resource::<CardAtlas>().reranks;
    for _ in 0..50 {
        app.update();
    }
    assert_eq!(
        app.world().resource::<CardAtlas>().reranks,
        ranked,
        "the cards were ranked again while nobody moved"
    );
    let (entity, transform, _) = visitor(&mut app);
    let mut moved = transform;
    moved.translation.x += 1.0;
    app.world_mut().entity_mut(entity).insert(moved);
    app.update();
    assert_eq!(
        app.world().resource::<CardAtlas>().reranks,
        ranked + 1,
        "a step ranks the cards again"
    );
}

/// When a resource was last changed (its change tick).
fn last_changed<R: Resource>(app: &App) -> bevy::ecs::change_detection::Tick {
    app.world().resource_ref::<R>().last_changed()
}

#[test]
fn a_frame_without_input_changes_no_setting() {
    let mut app = headless_app();
    go(&mut app, Go::Hall(chengdu()), Screen::Hall);
    settle(&mut app);
    let quality = last_changed::<Quality>(&app);
    let panels = last_changed::<Panels>(&app);
    for _ in 0..5 {
        app.update();
    }
    assert_eq!(
        last_changed::<Quality>(&app),
        quality,
        "quality marked changed"
    );
    assert_eq!(
        last_changed::<Panels>(&app),
        panels,
        "panels marked changed"
    );
}

#[test]
fn shared_project_links_are_addresses_with_an_encoded_project() {
    let link = |base: &str| ShareBase(base.into()).project_link("YZ 2023/0001&x");
    assert_eq!(
        link("https://expo.example.org").as_deref(),
        Some("https://expo.example.org/?project=YZ+2023%2F0001%26x")
    );
    assert_eq!(
        link("https://expo.example.org/expo").as_deref(),
        Some("https://expo.example.org/expo/?project=YZ+2023%2F0001%26x")
    );
    assert_eq!(
        link("http://10.0.0.5:8080/index.html?lang=en").as_deref(),
        Some("http://10.0.0.5:8080/index.html?project=YZ+2023%2F0001%26x")
    );
    assert_eq!(link("not an address"), None);
}

/// Items of one painted kind within their atlas's radius of the visitor:
/// how many have no painted slot, and how many there are.
fn unpainted_in_reach<T: Painted>(app: &mut App) -> (usize, usize) {
    let eye = visitor(app).1.translation;
    let world = app.world_mut();
    let items: Vec<(Entity, Vec3)> = (world.query_filtered::<(Entity, &Transform), With<T>>())
        .iter(world)
        .map(|(entity, transform)| (entity, transform.translation))
        .collect();
    let atlas = world.resource::<Atlas<T>>();
    let in_reach: Vec<Entity> = (items.iter())
        .filter(|(_, at)| at.distance(eye) <= atlas.radius)
        .map(|(item, _)| *item)
        .collect();
    let unpainted = in_reach.iter().filter(|item| !atlas.is_resident(**item));
    (unpainted.count(), in_reach.len())
}

#[test]
fn when_the_loading_screen_ends_every_card_and_booth_header_in_reach_is_painted() {
    for hall in ["chengdu", "panzhihua", "provincial"] {
        let mut app = headless_app();
        // Painting slowed down, so that the loading screen has to wait for
        // it (painting is usually done before the chunks are built).
        app.world_mut().resource_mut::<CardAtlas>().per_frame = 1;
        app.world_mut().resource_mut::<HeaderAtlas>().per_frame = 1;
        let hall = HallIndex::from_id(hall).unwrap();
        app.world_mut().write_message(Go::Hall(hall));
        for _ in 0..300 {
            app.update();
            if screen(&app) == Screen::Hall {
                break;
            }
        }
        assert_eq!(screen(&app), Screen::Hall, "{hall:?} never loaded");
        // The first frame without the loading screen.
        let (cards, headers) = (
            unpainted_in_reach::<Card>(&mut app),
            unpainted_in_reach::<BoothHeader>(&mut app),
        );
        assert!(cards.1 > 0 && headers.1 > 0, "{hall:?}: nothing in reach");
        assert_eq!(
            (cards.0, headers.0),
            (0, 0),
            "{hall:?}: blank cards and booth headers in reach (of {} and {})",
            cards.1,
            headers.1
        );
    }
}
