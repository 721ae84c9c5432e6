//! Budgets that hold wherever the visitor stands: the meshes in view (one
//! draw each) and the card textures, walking every aisle of the largest
//! hall both ways; and in a hall eighteen times larger, what is built
//! around the visitor; and what walking sends to the GPU (the painted slots,
//! not whole pages). Culling is Bevy's own (the camera's frustum against
//! each mesh's bounds), as the renderer gets it.

use std::collections::HashSet;
use std::f32::consts::FRAC_PI_2;
use std::sync::Arc;

use bevy::camera::visibility::ViewVisibility;
use bevy::prelude::*;
use yunzhan_model::{HallIndex, HallLayout};

use super::common::{build_around, count, go, headless_app_with};
use crate::expo::{ExpoCatalog, Screen};
use crate::world::atlas::Atlas;
use crate::world::cards::{Card, CardAtlas};
use crate::world::chunks::HallChunks;
use crate::world::dressing::aisles;
use crate::world::hall::HallPlan;
use crate::world::navigation::{Go, place};
use crate::world::page_upload::PageUploads;
use crate::world::signs::{BoothHeader, TotemSign};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;

/// Visible mesh draws from any standpoint (issue 17's budget).
const DRAW_BUDGET: usize = 60;
const CARD_TEXTURE_BUDGET: usize = 256 * 1024 * 1024;
/// Metres between standpoints along an aisle.
const STRIDE: f32 = 6.0;

/// The app with Bevy's culling, showing `catalog` (the shipped one if none).
fn culling_app(catalog: Option<yunzhan_model::Catalog>) -> App {
    headless_app_with(|app| {
        // The camera's frustum follows the visitor only with transforms
        // propagated (MinimalPlugins has no TransformPlugin).
        app.init_asset::<bevy::mesh::skinning::SkinnedMeshInverseBindposes>()
            .add_plugins((bevy::transform::TransformPlugin, bevy::camera::CameraPlugin));
        if let Some(catalog) = catalog {
            app.insert_resource(ExpoCatalog(Arc::new(catalog)));
        }
    })
}

/// Puts the visitor at `at` facing `yaw`, and runs frames until the
/// chunks around them are built.
fn stand(app: &mut App, at: [f32; 2], yaw: f32) {
    let world = app.world_mut();
    let (mut visitor, mut transform) = (world.query::<(&mut Visitor, &mut Transform)>())
        .single_mut(world)
        .unwrap();
    place(&mut visitor, &mut transform, at, yaw);
    build_around(app);
}

/// Enters the hall with the most projects of the catalog on show; returns
/// it and its layout.
fn enter_largest_hall(app: &mut App) -> (HallIndex, HallLayout) {
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    let largest = (HallIndex::all())
        .max_by_key(|&hall| catalog.hall_project_count(hall))
        .unwrap();
    go(app, Go::Hall(largest), Screen::Hall);
    (largest, app.world().resource::<HallPlan>().layout.clone())
}

#[test]
fn walking_every_aisle_of_the_largest_hall_keeps_draws_and_card_textures_in_budget() {
    let mut app = culling_app(None);
    let (largest, layout) = enter_largest_hall(&mut app);
    let mut standpoints = 0;
    let (mut most, mut least) = ((0, String::new()), usize::MAX);
    for aisle in aisles(&layout) {
        let z = (aisle.z[0] + aisle.z[1]) / 2.0;
        let mut x = 1.5;
        while x < layout.width - 1.5 {
            for yaw in [FRAC_PI_2, -FRAC_PI_2] {
                stand(&mut app, [x, z], yaw);
                let drawn = visible_meshes(&mut app);
                if drawn > most.0 {
                    most = (
                        drawn,
                        format!("aisle {} at x = {x:.1} m, yaw {yaw:.2}", aisle.number),
                    );
                }
                least = least.min(drawn);
                standpoints += 1;
            }
            x += STRIDE;
        }
    }
    // The count sees the hall (an empty frustum would pass any budget).
    assert!(
        least >= 5,
        "at least the floor, walls and cards are in view everywhere ({least})"
    );
    assert!(
        most.0 <= DRAW_BUDGET,
        "{} meshes in view {} (budget {DRAW_BUDGET}, {standpoints} standpoints)",
        most.0,
        most.1
    );
    let bytes = card_textures_in_budget(&app);
    println!(
        "{standpoints} standpoints in {}: {least}–{} meshes in view (most {}), card textures {:.1} MiB",
        largest.hall().id,
        most.0,
        most.1,
        bytes as f64 / 1048576.0
    );
}

/// Cards, booth headers and totem signs painted while walking reach the GPU
/// slot by slot: no page image is changed (a changed page is uploaded whole,
/// as a new texture), no page's material (its bind group stays), and each
/// frame sends exactly the regions of the slots it painted on pages already
/// on the GPU, at every mip level.
#[test]
fn walking_sends_the_gpu_the_painted_slots_not_whole_pages() {
    let mut app = culling_app(None);
    app.init_resource::<ChangedAssets>()
        .add_systems(Last, count_changed_assets);
    let (_, layout) = enter_largest_hall(&mut app);
    let aisle = aisles(&layout).into_iter().next().expect("an aisle");
    let z = (aisle.z[0] + aisle.z[1]) / 2.0;
    *app.world_mut().resource_mut::<ChangedAssets>() = ChangedAssets::default();
    let (mut sent, mut painted) = (0, 0);
    let mut x = 1.5;
    while x < layout.width - 1.5 {
        let world = app.world_mut();
        let (mut visitor, mut transform) = (world.query::<(&mut Visitor, &mut Transform)>())
            .single_mut(world)
            .unwrap();
        place(&mut visitor, &mut transform, [x, z], FRAC_PI_2);
        for _ in 0..20 {
            let (bytes_before, pages_before) = painted_slots(&app);
            app.update();
            let (bytes_after, pages_after) = painted_slots(&app);
            let expected = bytes_after - bytes_before;
            let bytes = app.world().resource::<PageUploads>().bytes();
            // A page made this frame goes to the GPU whole: its slots are
            // not sent again.
            if pages_after == pages_before {
                assert_eq!(bytes, expected, "bytes sent at x = {x:.1} m");
            } else {
                assert!(bytes < expected, "bytes sent at x = {x:.1} m");
            }
            sent += bytes;
            painted += expected;
        }
        x += STRIDE;
    }
    assert!(painted > 0, "the walk painted nothing");
    let changed = app.world().resource::<ChangedAssets>();
    assert_eq!(
        (changed.images, changed.image_bytes),
        (0, 0),
        "page images changed while walking (each one uploaded again whole), and their bytes"
    );
    assert_eq!(
        changed.materials, 0,
        "page materials changed while walking (a page keeps its texture)"
    );
    let page = app.world().resource::<CardAtlas>().sheet.page_bytes();
    println!(
        "walking aisle {}: {:.1} MiB of painted slots sent ({:.1} pages' worth of a card page)",
        aisle.number,
        sent as f64 / 1048576.0,
        sent as f64 / page as f64
    );
}

/// Since the count was reset: images changed (each uploaded again whole,
/// once a frame however often it changed), their bytes, and materials
/// changed (each one's bind group made anew).
#[derive(Resource, Default)]
struct ChangedAssets {
    images: usize,
    image_bytes: usize,
    materials: usize,
}

fn count_changed_assets(
    mut image_events: MessageReader<AssetEvent<Image>>,
    mut material_events: MessageReader<AssetEvent<VenueMaterial>>,
    images: Res<Assets<Image>>,
    mut changed: ResMut<ChangedAssets>,
) {
    for id in modified(&mut image_events) {
        changed.images += 1;
        changed.image_bytes +=
            (images.get(id)).map_or(0, |image| image.data.as_ref().map_or(0, Vec::len));
    }
    changed.materials += modified(&mut material_events).len();
}

/// The assets modified this frame, each once.
fn modified<A: Asset>(events: &mut MessageReader<AssetEvent<A>>) -> HashSet<AssetId<A>> {
    (events.read())
        .filter_map(|event| match event {
            AssetEvent::Modified { id } => Some(*id),
            _ => None,
        })
        .collect()
}

/// The bytes of every slot the three atlases painted so far (each slot's
/// share of its page, all mip levels), and their pages.
fn painted_slots(app: &App) -> (usize, usize) {
    fn of<T: Send + Sync + 'static>(app: &App) -> (usize, usize) {
        let atlas = app.world().resource::<Atlas<T>>();
        let bytes = atlas.painted * atlas.sheet.page_bytes() / atlas.sheet.slots_per_page();
        (bytes, atlas.pages())
    }
    let [cards, headers, signs] = [
        of::<Card>(app),
        of::<BoothHeader>(app),
        of::<TotemSign>(app),
    ];
    (cards.0 + headers.0 + signs.0, cards.1 + headers.1 + signs.1)
}

/// A catalog of 100,000 projects (`yunzhan-catalog generate --projects
/// 100000`): walking the middle aisle of its largest hall end to end, the
/// chunks built, and the cards with them, stay those around the visitor, a
/// fraction of the hall, and the draw and texture budgets hold.
#[test]
fn a_hall_eighteen_times_larger_builds_only_what_is_around_the_visitor() {
    let mut app = culling_app(Some(yunzhan_model::generate::scaled_catalog(100_000)));
    let chengdu = HallIndex::from_id("chengdu").unwrap();
    go(&mut app, Go::Hall(chengdu), Screen::Hall);
    let layout = app.world().resource::<HallPlan>().layout.clone();
    assert!(layout.booths.len() > 3000, "{} booths", layout.booths.len());
    let aisles = aisles(&layout);
    let aisle = aisles[aisles.len() / 2];
    let z = (aisle.z[0] + aisle.z[1]) / 2.0;
    let (mut most_built, mut most_drawn, mut most_cards) = (0, 0, 0);
    let mut x = 1.5;
    while x < layout.width - 1.5 {
        stand(&mut app, [x, z], FRAC_PI_2);
        most_built = most_built.max(app.world().resource::<HallChunks>().built());
        most_drawn = most_drawn.max(visible_meshes(&mut app));
        most_cards = most_cards.max(count::<Card>(&mut app));
        x += 2.0 * STRIDE;
    }
    let chunks = app.world().resource::<HallChunks>().total();
    assert!(
        most_built * 3 < chunks,
        "{most_built} of the hall's {chunks} chunks built at once"
    );
    let projects = app
        .world()
        .resource::<ExpoCatalog>()
        .hall_project_count(chengdu);
    assert!(
        most_cards > 0 && most_cards * 3 < projects,
        "{most_cards} of the hall's {projects} cards built at once"
    );
    assert!(
        (5..=DRAW_BUDGET).contains(&most_drawn),
        "{most_drawn} meshes in view"
    );
    card_textures_in_budget(&app);
    println!(
        "100,000 projects, {} booths in {}: at most {most_built} of {chunks} chunks and {most_cards} of {projects} cards built, {most_drawn} meshes in view",
        layout.booths.len(),
        chengdu.hall().id
    );
}

/// The card textures' bytes after a walk, checked against the budget (and
/// against none at all, which would pass any budget).
fn card_textures_in_budget(app: &App) -> usize {
    let bytes = app.world().resource::<CardAtlas>().texture_bytes();
    assert!(
        bytes > 0 && bytes <= CARD_TEXTURE_BUDGET,
        "card textures {bytes} bytes after the walk (budget {CARD_TEXTURE_BUDGET})"
    );
    bytes
}

fn visible_meshes(app: &mut App) -> usize {
    let world = app.world_mut();
    (world.query_filtered::<&ViewVisibility, With<Mesh3d>>())
        .iter(world)
        .filter(|visibility| visibility.get())
        .count()
}
