//! Budgets that hold wherever the visitor stands: the meshes in view (one
//! draw each) and the card textures, walking every aisle of the largest
//! hall both ways. Culling is Bevy's own (the camera's frustum against each
//! mesh's bounds), as the renderer gets it.

use std::f32::consts::FRAC_PI_2;

use bevy::camera::visibility::ViewVisibility;
use bevy::prelude::*;
use yunzhan_model::HallIndex;

use super::common::{go, headless_app_with};
use crate::expo::{ExpoCatalog, Screen};
use crate::world::cards::CardAtlas;
use crate::world::dressing::aisles;
use crate::world::hall::HallPlan;
use crate::world::navigation::{Go, place};
use crate::world::visitor::Visitor;

/// Visible mesh draws from any standpoint (issue 17's budget).
const DRAW_BUDGET: usize = 60;
const CARD_TEXTURE_BUDGET: usize = 256 * 1024 * 1024;
/// Metres between standpoints along an aisle.
const STRIDE: f32 = 6.0;

#[test]
fn walking_every_aisle_of_the_largest_hall_keeps_draws_and_card_textures_in_budget() {
    let mut app = headless_app_with(|app| {
        app.init_asset::<bevy::mesh::skinning::SkinnedMeshInverseBindposes>()
            .add_plugins(bevy::camera::CameraPlugin);
    });
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    let largest = (HallIndex::all())
        .max_by_key(|&hall| catalog.hall_project_count(hall))
        .unwrap();
    go(&mut app, Go::Hall(largest), Screen::Hall);
    let layout = app.world().resource::<HallPlan>().layout.clone();
    let mut standpoints = 0;
    let (mut most, mut least) = ((0, String::new()), usize::MAX);
    for aisle in aisles(&layout) {
        let z = (aisle.z[0] + aisle.z[1]) / 2.0;
        let mut x = 1.5;
        while x < layout.width - 1.5 {
            for yaw in [FRAC_PI_2, -FRAC_PI_2] {
                let world = app.world_mut();
                let (mut visitor, mut transform) = (world
                    .query::<(&mut Visitor, &mut Transform)>())
                .single_mut(world)
                .unwrap();
                place(&mut visitor, &mut transform, [x, z], yaw);
                app.update();
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
    let bytes = app.world().resource::<CardAtlas>().texture_bytes();
    assert!(
        bytes > 0 && bytes <= CARD_TEXTURE_BUDGET,
        "card textures {bytes} bytes after the walk (budget {CARD_TEXTURE_BUDGET})"
    );
    println!(
        "{standpoints} standpoints in {}: {least}–{} meshes in view (most {}), card textures {:.1} MiB",
        largest.hall().id,
        most.0,
        most.1,
        bytes as f64 / 1048576.0
    );
}

fn visible_meshes(app: &mut App) -> usize {
    let world = app.world_mut();
    (world.query_filtered::<&ViewVisibility, With<Mesh3d>>())
        .iter(world)
        .filter(|visibility| visibility.get())
        .count()
}
