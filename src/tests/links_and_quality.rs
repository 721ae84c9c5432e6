//! Headless tests of deep links (the page address's options, landing where
//! a link points, the link following the visitor) and of the quality tiers.

use std::time::Duration;

use super::common::{build_around, go, headless_app, headless_app_with, screen, visitor};
use crate::Options;
use crate::deeplink::DeepLink;
use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::world::cards::{CARD_SHEET, CARD_SHEET_LOW, CardAtlas};
use crate::world::chunks::HallChunks;
use crate::world::hall::HallPlan;
use crate::world::interaction::Selection;
use crate::world::navigation::{Go, floor_position};
use crate::world::quality::{Quality, QualitySetting, Renderer, Tier};
use bevy::prelude::*;
use bevy::render::view::Msaa;
use bevy::time::TimeUpdateStrategy;
use yunzhan_model::HallIndex;

fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn page_addresses_give_the_same_options_as_the_command_line() {
    let options = Options::from_query(pairs(&[
        ("hall", "chengdu"),
        ("booth", "3"),
        ("lang", "en"),
        ("kiosk", "1"),
        ("quality", "low"),
        ("api", "http://127.0.0.1:8080"),
        ("inquiries", "1"),
        ("utm_source", "poster"),
    ]))
    .unwrap();
    let expected = Options::from_args(
        "--hall chengdu --booth 3 --lang en --kiosk --quality low --api http://127.0.0.1:8080 --inquiries"
            .split(' ')
            .map(String::from),
    )
    .unwrap();
    assert_eq!(options, expected);
    assert_eq!(options.booth, Some(2), "booths count from 1 in links");
    assert!(!Options::from_query(pairs(&[("kiosk", "0")])).unwrap().kiosk);
    // A page without options skips clap: the defaults must be what clap gives.
    assert_eq!(Options::from_args(Vec::new()).unwrap(), Options::default());
    assert_eq!(
        Options::from_query(pairs(&[("utm_source", "poster")])).unwrap(),
        Options::from_args(Vec::new()).unwrap()
    );

    for (query, names) in [
        (("hall", "atlantis"), "atlantis"),
        (("booth", "0"), "booth"),
        (("lang", "fr"), "fr"),
        (("quality", "ultra"), "ultra"),
        (("api", "ftp://x"), "ftp"),
    ] {
        let error = Options::from_query(pairs(&[query])).unwrap_err();
        assert!(error.contains(names), "{query:?}: {error}");
    }
}

fn start_at(options: &Options) -> App {
    let start = options.start_at();
    let mut app = headless_app_with(move |app| {
        app.insert_resource(start);
    });
    for _ in 0..300 {
        app.update();
    }
    app
}

#[test]
fn a_project_link_lands_at_its_card_with_the_detail_open_and_the_link_follows() {
    let catalog = headless_app().world().resource::<ExpoCatalog>().clone();
    let id = catalog
        .project_ids()
        .find(|&id| catalog.project(id).hall == HallIndex::from_id("guangan").unwrap())
        .unwrap();
    let no = catalog.project(id).platform_no.clone();
    let mut app = start_at(&Options {
        project: Some(no.clone()),
        inquire: true,
        ..Options::default()
    });
    assert_eq!(screen(&app), Screen::Hall);
    assert_eq!(app.world().resource::<Selection>().0, Some(id));
    let link = app.world().resource::<DeepLink>().clone();
    assert_eq!(link.hall, HallIndex::from_id("guangan"));
    assert_eq!(link.project.as_ref(), Some(&no));
    assert!(
        link.booth.is_some(),
        "standing at the card's booth: {link:?}"
    );

    // Back in the lobby the link has no hall, booth or project left.
    app.world_mut().resource_mut::<Selection>().0 = None;
    go(&mut app, Go::Lobby, Screen::Lobby);
    assert_eq!(*app.world().resource::<DeepLink>(), DeepLink::default());
}

#[test]
fn a_booth_link_walks_to_that_booth() {
    let options =
        Options::from_args(["--hall", "chengdu", "--booth", "40"].map(String::from)).unwrap();
    let mut app = start_at(&options);
    assert_eq!(screen(&app), Screen::Hall);
    let (_, transform, _) = visitor(&mut app);
    let plan = app.world().resource::<HallPlan>();
    let (front, _) = plan.viewpoint(39);
    let at = floor_position(&transform);
    let off = Vec2::from(at).distance(Vec2::from(front));
    assert!(off < 0.05, "{off} m from booth 40's front");
    assert_eq!(app.world().resource::<DeepLink>().booth, Some(39));
}

#[test]
fn a_link_to_an_unknown_project_still_opens_its_hall() {
    let options =
        Options::from_args(["--hall", "yaan", "--project", "YZ-0000-00000"].map(String::from))
            .unwrap();
    let app = start_at(&options);
    assert_eq!(screen(&app), Screen::Hall);
    assert_eq!(
        app.world().resource::<DeepLink>().hall,
        HallIndex::from_id("yaan")
    );
    assert_eq!(app.world().resource::<Selection>().0, None);
}

fn tier(app: &App) -> Tier {
    app.world().resource::<Quality>().tier
}

fn chunks_built(app: &App) -> usize {
    app.world().resource::<HallChunks>().built()
}

#[test]
fn the_low_tier_repaints_the_hall_with_quarter_size_card_pages_builds_less_and_keeps_the_place() {
    let mut app = headless_app();
    go(
        &mut app,
        Go::Hall(HallIndex::from_id("chengdu").unwrap()),
        Screen::Hall,
    );
    build_around(&mut app);
    let high_chunks = chunks_built(&app);
    let high_bytes = app.world().resource::<CardAtlas>().texture_bytes();
    let pages = app.world().resource::<CardAtlas>().pages();
    assert!(pages > 0);
    assert_eq!(high_bytes, pages * CARD_SHEET.page_bytes());
    let (_, before, _) = visitor(&mut app);
    let world = app.world_mut();
    let msaa = world.query::<&Msaa>().single(world).unwrap();
    assert_eq!(*msaa, Msaa::Sample4);

    app.world_mut().resource_mut::<Quality>().setting = QualitySetting::Low;
    for _ in 0..60 {
        app.update();
    }
    assert_eq!(screen(&app), Screen::Hall);
    assert_eq!(tier(&app), Tier::Low);
    build_around(&mut app);
    let low_chunks = chunks_built(&app);
    assert!(
        low_chunks < high_chunks,
        "chunks built: {low_chunks} on the low tier, {high_chunks} on the high one"
    );
    let atlas = app.world().resource::<CardAtlas>();
    assert_eq!(atlas.sheet, CARD_SHEET_LOW);
    assert!(atlas.resident() > 0, "cards were repainted");
    assert_eq!(
        atlas.texture_bytes(),
        atlas.pages() * CARD_SHEET.page_bytes() / 4
    );
    let (_, after, _) = visitor(&mut app);
    assert!(
        before.translation.distance(after.translation) < 0.01,
        "the visitor stays put"
    );
    let world = app.world_mut();
    let msaa = world.query::<&Msaa>().single(world).unwrap();
    assert_eq!(*msaa, Msaa::Off);
    let suns_hidden = world
        .query_filtered::<&Visibility, With<DirectionalLight>>()
        .iter(world)
        .all(|v| *v == Visibility::Hidden);
    assert!(suns_hidden, "the low tier has no sun");
}

#[test]
fn auto_starts_low_on_a_software_renderer() {
    let mut app = headless_app_with(|app| {
        app.insert_resource(Renderer::named("SwiftShader Device (Subzero)", false));
    });
    app.update();
    assert_eq!(tier(&app), Tier::Low);
    // A visitor's choice wins over the detection.
    app.world_mut().resource_mut::<Quality>().setting = QualitySetting::High;
    app.update();
    assert_eq!(tier(&app), Tier::High);
}

#[test]
fn auto_drops_to_low_when_frames_stay_slow_but_not_when_they_are_fast() {
    let mut fast = headless_app_with(|app| {
        app.insert_resource(Renderer::named("NVIDIA H200", false));
        app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            16,
        )));
    });
    for _ in 0..300 {
        fast.update();
    }
    assert_eq!(tier(&fast), Tier::High);

    let mut slow = headless_app_with(|app| {
        app.insert_resource(Renderer::named("NVIDIA H200", false));
        app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            80,
        )));
    });
    for _ in 0..300 {
        slow.update();
    }
    let quality = *slow.world().resource::<Quality>();
    assert_eq!(quality.tier, Tier::Low);
    assert_eq!(quality.auto_low_because, Some("slow frames"));

    // A manual choice is never overridden by the frame times.
    let mut manual = headless_app_with(|app| {
        app.insert_resource(Renderer::named("NVIDIA H200", false));
        app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_millis(
            80,
        )));
        app.insert_resource(Quality {
            setting: QualitySetting::High,
            ..Quality::default()
        });
    });
    for _ in 0..300 {
        manual.update();
    }
    assert_eq!(tier(&manual), Tier::High);
}
