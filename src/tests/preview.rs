//! Booth preview, headless: the sample booth stands at its place in its hall
//! with its own model and cards; a broken model falls back to the standard
//! booth with the problem listed; fixing the file reloads the preview with
//! the visitor kept in the hall.

use std::path::{Path, PathBuf};

use super::common::{count, headless_app_with, screen};
use crate::expo::Screen;
use crate::preview::{BoothPreview, BoothSource, PreviewPlugin};
use crate::world::booth::{BoothModelPart, CustomBooth, booth_frame};
use crate::world::cards::Card;
use crate::world::hall::HallPlan;
use crate::world::interaction::CurrentBooth;
use crate::world::navigation::floor_position;
use bevy::prelude::*;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/booths/sample")
}

/// A copy of the sample booth to change.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yunzhan-preview-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["booth.json", "booth.glb", "logo.png"] {
        std::fs::copy(sample().join(file), dir.join(file)).unwrap();
    }
    dir
}

fn preview_app(dir: &Path) -> App {
    app_previewing(Some(BoothSource::Folder(dir.to_path_buf())))
}

fn app_previewing(source: Option<BoothSource>) -> App {
    headless_app_with(|app| {
        // As in the app: the platform (embedded catalog, no storage) keeps
        // the visitor's place when the scene is rebuilt.
        app.insert_resource(crate::expo::storage::Storage::none());
        app.add_plugins(crate::remote::PlatformPlugin::default());
        app.add_plugins(PreviewPlugin {
            source,
            panel: false,
        });
    })
}

/// Runs frames until `done` or fails saying what was awaited.
fn until(app: &mut App, what: &str, done: impl Fn(&mut App) -> bool) {
    for _ in 0..300 {
        app.update();
        if done(app) {
            return;
        }
    }
    panic!("never {what}; screen {:?}", screen(app));
}

fn loads(app: &App) -> u32 {
    app.world()
        .get_resource::<BoothPreview>()
        .map_or(0, |p| p.loads)
}

/// Cards of the previewed booth with their floor positions and heights.
fn booth_cards(app: &mut App, booth: usize) -> Vec<([f32; 2], f32)> {
    let world = app.world_mut();
    world
        .query::<(&Card, &Transform)>()
        .iter(world)
        .filter(|(card, _)| card.booth == Some(booth))
        .map(|(_, t)| (floor_position(t), t.translation.y))
        .collect()
}

#[test]
fn the_sample_booth_stands_in_its_hall_with_its_model_cards_and_logo() {
    let mut app = preview_app(&sample());
    until(&mut app, "reached the previewed booth's hall", |app| {
        screen(app) == Screen::Hall && loads(app) == 1
    });
    app.update();
    let preview = app.world().resource::<BoothPreview>();
    assert!(preview.report.ok(), "{:?}", preview.report.problems);
    let booth = preview.booth.expect("the booth is in the hall's layout");
    assert_eq!(preview.hall().unwrap().hall().id, "chengdu");
    let custom = app.world().resource::<CustomBooth>();
    assert!(custom.look.is_some() && custom.logo.is_some());
    // The visitor was taken to the booth.
    assert_eq!(app.world().resource::<CurrentBooth>().0, Some(booth));
    // Four model parts (one per material) at that booth, and its four cards
    // on the model's card wall: centred 1.75 m up, one row of four.
    let plan = app.world().resource::<HallPlan>().clone();
    let frame = booth_frame(&plan.layout.booths[booth]);
    let parts: Vec<Transform> = {
        let world = app.world_mut();
        (world.query_filtered::<&Transform, With<BoothModelPart>>())
            .iter(world)
            .copied()
            .collect()
    };
    assert_eq!(parts, vec![frame; 4], "four parts, in the booth's frame");
    let rect = plan.layout.booths[booth].rect;
    let cards = booth_cards(&mut app, booth);
    assert_eq!(cards.len(), 4);
    for (at, height) in cards {
        assert!(rect.contains(at), "card at {at:?} outside {rect:?}");
        assert!((height - 2.2).abs() < 1e-3, "card at {height} m");
    }
    // The header shows the exhibitor (booth.json's name, 演示 as all its
    // projects are demo projects).
    let catalog = app.world().resource::<crate::expo::catalog::ExpoCatalog>();
    let exhibitor = catalog.exhibitor(plan.exhibitor(&plan.layout.booths[booth]));
    assert_eq!(exhibitor.name, "示例展商（演示）");
    assert!(exhibitor.generated);
}

#[test]
fn a_broken_model_shows_the_standard_booth_and_a_fixed_file_reloads_in_place() {
    let dir = scratch("broken");
    let good = std::fs::read(dir.join("booth.glb")).unwrap();
    std::fs::write(dir.join("booth.glb"), &good[..good.len() / 2]).unwrap();
    let mut app = preview_app(&dir);
    until(&mut app, "reached the hall", |app| {
        screen(app) == Screen::Hall && loads(app) == 1
    });
    app.update();
    let preview = app.world().resource::<BoothPreview>();
    let booth = preview.booth.unwrap();
    assert!(
        preview
            .report
            .problems
            .iter()
            .any(|p| p.contains("not a valid glTF/GLB file")),
        "{:?}",
        preview.report.problems
    );
    assert!(app.world().resource::<CustomBooth>().look.is_none());
    assert_eq!(count::<BoothModelPart>(&mut app), 0);
    // The standard booth: cards still up, on its back wall (1.75 m centre, 2.2 m top row).
    let cards = booth_cards(&mut app, booth);
    assert_eq!(cards.len(), 4);
    assert!(cards.iter().all(|(_, h)| (h - 2.2).abs() < 1e-3));

    // Step back into the aisle, then fix the model: the preview reloads and
    // rebuilds the hall with the visitor where they stood.
    let (entity, _, _) = super::common::visitor(&mut app);
    let spot = {
        let plan = app.world().resource::<HallPlan>();
        plan.layout.booths[booth].front(2.0)
    };
    {
        let mut entity = app.world_mut().entity_mut(entity);
        entity.remove::<crate::world::navigation::Travel>();
        let mut visitor = entity.take::<crate::world::visitor::Visitor>().unwrap();
        let mut transform = *entity.get::<Transform>().unwrap();
        crate::world::navigation::place(&mut visitor, &mut transform, spot, 0.0);
        entity.insert((visitor, transform));
    }
    app.update();
    std::fs::write(dir.join("booth.glb"), &good).unwrap();
    until(&mut app, "reloaded the fixed model", |app| {
        loads(app) == 2 && screen(app) == Screen::Hall && count::<BoothModelPart>(app) == 4
    });
    let preview = app.world().resource::<BoothPreview>();
    assert!(preview.report.ok(), "{:?}", preview.report.problems);
    let (_, transform, _) = super::common::visitor(&mut app);
    let at = floor_position(&transform);
    assert!(
        (at[0] - spot[0]).abs() < 0.5 && (at[1] - spot[1]).abs() < 0.5,
        "visitor moved from {spot:?} to {at:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// In a browser the platform's catalog (embedded, cached or the API's)
/// often arrives just after the booth: the preview follows it into the new
/// catalog and the visitor still ends up at the booth.
#[test]
fn a_catalog_arriving_while_the_booth_loads_still_lands_at_the_booth() {
    let mut app = preview_app(&sample());
    // The new catalog arrives while the hall is built and again while the
    // visitor is on the way to the booth.
    until(&mut app, "loaded the booth", |app| loads(app) == 1);
    app.world_mut()
        .insert_resource(crate::expo::catalog::ExpoCatalog::shipped(
            &crate::ShippedFiles::compiled_in(),
        ));
    until(&mut app, "set off for the booth", |app| {
        screen(app) == Screen::Hall && count::<crate::world::navigation::Travel>(app) == 1
    });
    app.world_mut()
        .insert_resource(crate::expo::catalog::ExpoCatalog::shipped(
            &crate::ShippedFiles::compiled_in(),
        ));
    until(&mut app, "reached the hall", |app| {
        screen(app) == Screen::Hall
    });
    until(&mut app, "walked to the booth", |app| {
        count::<crate::world::navigation::Travel>(app) == 0
    });
    for _ in 0..10 {
        app.update();
    }
    assert_eq!(screen(&app), Screen::Hall);
    let booth = app.world().resource::<BoothPreview>().booth.unwrap();
    assert_eq!(app.world().resource::<CurrentBooth>().0, Some(booth));
    let (_, transform, _) = super::common::visitor(&mut app);
    let plan = app.world().resource::<HallPlan>();
    let front = plan.layout.booths[booth].front(0.2);
    let at = floor_position(&transform);
    assert!(
        (at[0] - front[0]).abs() < 1.0 && (at[1] - front[1]).abs() < 1.0,
        "visitor at {at:?}, the booth's front is {front:?}"
    );
    // The catalog on show is still the one with the booth.
    let catalog = app.world().resource::<crate::expo::catalog::ExpoCatalog>();
    assert!(catalog.catalog_version().ends_with("+booth-preview"));
}

/// Files dropped on the window start a preview; a later drop replaces only
/// the files it brings; a dropped folder is previewed like `--preview DIR`.
#[test]
fn dropped_files_and_folders_are_previewed() {
    use bevy::window::FileDragAndDrop;
    let dir = scratch("dropped");
    let mut app = app_previewing(None);
    let drop = |app: &mut App, path: PathBuf| {
        app.world_mut().write_message(FileDragAndDrop::DroppedFile {
            window: Entity::PLACEHOLDER,
            path_buf: path,
        });
    };
    for name in ["booth.json", "booth.glb", "logo.png"] {
        drop(&mut app, dir.join(name));
    }
    until(&mut app, "previewed the dropped files", |app| {
        loads(app) == 1 && screen(app) == Screen::Hall
    });
    let preview = app.world().resource::<BoothPreview>();
    assert!(preview.report.ok(), "{:?}", preview.report.problems);
    assert!(app.world().resource::<CustomBooth>().look.is_some());

    // A broken model dropped alone: the booth description and logo of the
    // first drop are kept, the model is replaced.
    let elsewhere = scratch("dropped-model");
    let good = std::fs::read(dir.join("booth.glb")).unwrap();
    std::fs::write(elsewhere.join("booth.glb"), &good[..100]).unwrap();
    drop(&mut app, elsewhere.join("booth.glb"));
    until(&mut app, "previewed the dropped model", |app| {
        loads(app) == 2
    });
    let problems = &app.world().resource::<BoothPreview>().report.problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("model booth.glb: not a valid glTF/GLB file"));
    until(&mut app, "rebuilt the hall", |app| {
        screen(app) == Screen::Hall
    });
    assert!(app.world().resource::<CustomBooth>().look.is_none());

    // The folder dropped: read (and watched) as a whole again.
    drop(&mut app, dir.clone());
    until(&mut app, "previewed the dropped folder", |app| {
        loads(app) == 3
    });
    let preview = app.world().resource::<BoothPreview>();
    assert!(preview.report.ok(), "{:?}", preview.report.problems);
    assert_eq!(preview.source, dir.display().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&elsewhere);
}
