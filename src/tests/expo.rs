//! Headless tests of the lobby and the halls: gates, entering and leaving,
//! cards, walking and collisions, travel from search, and the card texture
//! cap (MinimalPlugins, no GPU).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::common::{build_around, count, go, headless_app, screen, travelling, visitor};
use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::world::cards::{CARD_SHEET, Card, CardAtlas};
use crate::world::hall::{HallPlan, HallScene, booth_panels};
use crate::world::interaction::{FocusProject, READING_DISTANCE};
use crate::world::lobby::{GateLabel, HallGate};
use crate::world::navigation::{Go, Travel, VISITOR_RADIUS, floor_position, place};
use crate::world::rebuild::ShowCatalog;
use crate::world::signs::{BoothHeader, TotemSign};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;
use bevy::prelude::*;
use yunzhan_model::{Catalog, HallIndex, ProjectId, Query};

fn hall(id: &str) -> HallIndex {
    HallIndex::from_id(id).unwrap()
}

fn card_projects(app: &mut App) -> BTreeSet<u32> {
    let world = app.world_mut();
    world
        .query::<&Card>()
        .iter(world)
        .map(|card| card.project.0)
        .collect()
}

fn hall_projects(app: &App, hall: HallIndex) -> BTreeSet<u32> {
    let catalog = app.world().resource::<ExpoCatalog>();
    catalog
        .hall_exhibitors(hall)
        .iter()
        .flat_map(|&id| catalog.exhibitor(id).projects.iter().map(|p| p.0))
        .collect()
}

#[test]
fn entering_and_leaving_a_hall_swaps_the_scenes() {
    let mut app = headless_app();
    assert_eq!(count::<HallGate>(&mut app), 22);
    go(&mut app, Go::Hall(hall("bazhong")), Screen::Hall);
    assert_eq!(count::<HallScene>(&mut app), 1);
    assert_eq!(count::<HallGate>(&mut app), 0, "the lobby is gone");
    assert_eq!(
        card_projects(&mut app),
        hall_projects(&app, hall("bazhong"))
    );

    // Hall to hall through the directory: the old hall's cards go.
    go(&mut app, Go::Hall(hall("guangan")), Screen::Hall);
    assert_eq!(count::<HallScene>(&mut app), 1);
    assert_eq!(
        card_projects(&mut app),
        hall_projects(&app, hall("guangan"))
    );

    go(&mut app, Go::Lobby, Screen::Lobby);
    assert_eq!(count::<HallScene>(&mut app), 0);
    assert_eq!(
        count::<Card>(&mut app),
        30,
        "only the stage's featured cards"
    );
    assert_eq!(count::<HallGate>(&mut app), 22);
    // Back in the lobby in front of Guang'an's gate, not inside a wall.
    let (_, transform, _) = visitor(&mut app);
    let [x, z] = floor_position(&transform);
    assert!(x > 0.0 && x < 64.0 && z > 0.0 && z < 64.0);
}

/// Cards are built with their chunk; where each hangs is known from the
/// plan, built or not (the search travels there).
#[test]
fn every_project_of_the_largest_hall_has_a_card_on_its_booth() {
    let mut app = headless_app();
    go(&mut app, Go::Hall(hall("chengdu")), Screen::Hall);
    let expected = hall_projects(&app, hall("chengdu"));
    assert_eq!(expected.len(), 1450);
    let plan = app.world().resource::<HallPlan>().clone();
    let place_of = |project| plan.card_place(None, ProjectId(project));
    for &project in &expected {
        let (booth, card) = place_of(project).expect("every project hangs somewhere");
        let booth = &plan.layout.booths[booth];
        assert!(booth.rect.contains(floor_position(&card)), "{project}");
    }
    // Walking from the door to the far wall builds every card, once, where
    // the plan says it hangs.
    let far_end = [plan.layout.width / 2.0, plan.layout.depth - 2.0];
    let mut seen = BTreeSet::new();
    for at in [plan.entrance(), far_end] {
        let (entity, _, _) = visitor(&mut app);
        teleport(&mut app, entity, at, 0.0);
        build_around(&mut app);
        let world = app.world_mut();
        let cards: Vec<(Card, Transform)> = (world.query::<(&Card, &Transform)>().iter(world))
            .map(|(card, transform)| (*card, *transform))
            .collect();
        let built = card_projects(&mut app);
        assert!(!built.is_empty(), "no cards around {at:?}");
        assert_eq!(cards.len(), built.len(), "one card per project at {at:?}");
        for (card, transform) in cards {
            let place = place_of(card.project.0);
            assert_eq!(place, Some((card.booth.unwrap(), transform)));
        }
        seen.extend(built);
    }
    assert_eq!(seen, expected);
}

/// A new catalog put on show while the visitor walks a hall (the
/// platform's refresh): the frames before the hall is rebuilt build and
/// paint nothing of the old plan from the new catalog's ids (which named
/// other exhibitors, or none), and the rebuilt hall is the new catalog's.
#[test]
fn a_catalog_refresh_while_walking_a_hall_rebuilds_it_from_the_new_catalog() {
    use bevy::ecs::system::RunSystemOnce;
    let mut app = headless_app();
    let chengdu = hall("chengdu");
    go(&mut app, Go::Hall(chengdu), Screen::Hall);
    let shipped = app.world().resource::<ExpoCatalog>().0.clone();
    let mut kept = 0;
    let projects: Vec<_> = (shipped.projects().iter())
        .filter(|project| {
            kept += usize::from(project.hall == chengdu);
            project.hall != chengdu || kept <= 40
        })
        .cloned()
        .collect();
    let smaller = std::sync::Arc::new(Catalog::from_projects("smaller", projects).catalog);
    // At the far end, whose chunks are not built yet, as the catalog changes.
    let far_end = {
        let plan = app.world().resource::<HallPlan>();
        [plan.layout.width / 2.0, plan.layout.depth - 2.0]
    };
    let (entity, _, _) = visitor(&mut app);
    teleport(&mut app, entity, far_end, 0.0);
    let new = smaller.clone();
    app.world_mut()
        .run_system_once(move |mut commands: Commands, mut show: ShowCatalog| {
            show.show(&mut commands, new.clone());
        })
        .unwrap();
    let rebuilt = |app: &App| {
        let catalog = app.world().resource::<ExpoCatalog>();
        let plan = app.world().get_resource::<HallPlan>();
        screen(app) == Screen::Hall && plan.is_some_and(|plan| plan.shows(catalog))
    };
    for _ in 0..200 {
        if rebuilt(&app) {
            break;
        }
        app.update();
    }
    assert!(rebuilt(&app), "the hall was not rebuilt");
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    assert!(std::sync::Arc::ptr_eq(&catalog.0, &smaller));
    let entrance = app.world().resource::<HallPlan>().entrance();
    teleport(&mut app, entity, entrance, 0.0);
    build_around(&mut app);
    let built = card_projects(&mut app);
    assert!(!built.is_empty());
    assert!(built.is_subset(&hall_projects(&app, chengdu)), "{built:?}");
}

#[test]
fn walking_into_a_wall_or_a_booth_stops_the_visitor() {
    let mut app = headless_app();
    go(&mut app, Go::Hall(hall("chengdu")), Screen::Hall);
    let plan = app.world().resource::<HallPlan>().clone();

    // Walk west from the entrance into the hall's west wall.
    let (entity, _, _) = visitor(&mut app);
    teleport(&mut app, entity, [10.0, 6.0], -std::f32::consts::FRAC_PI_2);
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::KeyW);
    for _ in 0..60 {
        app.update();
    }
    let [x, _] = floor_position(&visitor(&mut app).1);
    assert!(
        (VISITOR_RADIUS - 0.01..VISITOR_RADIUS + 0.2).contains(&x),
        "x = {x}"
    );

    // Walk from a booth's aisle towards its back wall and beyond.
    let booth = &plan.layout.booths[0];
    let (front, yaw) = plan.viewpoint(0);
    teleport(&mut app, entity, front, yaw);
    for _ in 0..60 {
        app.update();
    }
    let at = floor_position(&visitor(&mut app).1);
    let back_wall = booth_panels(booth)[0];
    let gap_z = (at[1] - back_wall.max[1])
        .abs()
        .min((at[1] - back_wall.min[1]).abs());
    assert!(!back_wall.contains(at), "walked into the back wall: {at:?}");
    assert!(
        (VISITOR_RADIUS - 0.01..0.5).contains(&gap_z),
        "stopped {gap_z} m from the wall"
    );
}

fn teleport(app: &mut App, entity: Entity, at: [f32; 2], yaw: f32) {
    let mut entity = app.world_mut().entity_mut(entity);
    entity.remove::<Travel>();
    let mut visitor = entity.take::<Visitor>().unwrap();
    let mut transform = *entity.get::<Transform>().unwrap();
    place(&mut visitor, &mut transform, at, yaw);
    entity.insert((visitor, transform));
}

#[test]
fn a_search_result_travels_to_its_booth_and_faces_the_card() {
    let mut app = headless_app();
    let catalog = app.world().resource::<ExpoCatalog>().clone();
    let target = catalog.search(&Query::text("通江银耳"), 1)[0].project;
    app.world_mut().write_message(FocusProject(target));
    for _ in 0..200 {
        app.update();
        if screen(&app) == Screen::Hall && !travelling(&mut app) {
            break;
        }
    }
    assert_eq!(screen(&app), Screen::Hall);
    assert_eq!(app.world().resource::<HallPlan>().hall, hall("bazhong"));
    let card = {
        let world = app.world_mut();
        *world
            .query::<(&Card, &Transform)>()
            .iter(world)
            .find(|(card, _)| card.project == target)
            .unwrap()
            .1
    };
    let (_, eye, _) = visitor(&mut app);
    let looking = eye.rotation * Vec3::NEG_Z;
    let card_normal = card.rotation * Vec3::Z;
    // Square-on: straight in front of the card, looking along its normal
    // (tilted only to the card's height).
    let level = Vec3::new(looking.x, 0.0, looking.z).normalize();
    assert!(
        level.dot(-card_normal) > 0.999,
        "not square-on: {looking} vs {card_normal}"
    );
    let offset = eye.translation - card.translation;
    let distance = Vec2::new(offset.x, offset.z).length();
    assert!(
        (distance - READING_DISTANCE).abs() < 0.05,
        "distance {distance}"
    );
    // The centre of the view is the centre of the card.
    let hit = eye.translation + looking * (offset.dot(card_normal) / -looking.dot(card_normal));
    assert!(
        hit.distance(card.translation) < 0.05,
        "looking at {hit}, card at {}",
        card.translation
    );
}

#[test]
fn card_textures_stay_under_the_cap_while_walking_the_largest_hall() {
    let mut app = headless_app();
    // A small cap so that eviction and reuse are exercised within the walk.
    let cap = 5 * CARD_SHEET.page_bytes();
    app.world_mut().resource_mut::<CardAtlas>().cap_bytes = cap;
    go(&mut app, Go::Hall(hall("chengdu")), Screen::Hall);
    let plan = app.world().resource::<HallPlan>().clone();
    let (entity, _, _) = visitor(&mut app);
    let mut max_bytes = 0;
    for index in (0..plan.layout.booths.len()).step_by(3) {
        let (at, yaw) = plan.viewpoint(index);
        teleport(&mut app, entity, at, yaw);
        for _ in 0..2 {
            app.update();
            let atlas = app.world().resource::<CardAtlas>();
            max_bytes = max_bytes.max(atlas.texture_bytes());
            assert!(
                atlas.texture_bytes() <= cap,
                "{} > {cap}",
                atlas.texture_bytes()
            );
        }
    }
    let atlas = app.world().resource::<CardAtlas>();
    assert_eq!(max_bytes, cap, "the walk filled the cache");
    assert!(
        atlas.painted > 2 * atlas.resident(),
        "cards were evicted and slots reused"
    );
}

#[test]
fn the_lobby_has_a_labelled_gate_for_each_of_the_22_halls() {
    let mut app = headless_app();
    let world = app.world_mut();
    let gates: HashSet<u8> = world
        .query::<&HallGate>()
        .iter(world)
        .map(|gate| gate.0.0)
        .collect();
    assert_eq!(gates.len(), 22);
    // A label per gate, named after its hall.
    let labels: HashSet<String> = world
        .query_filtered::<&Name, With<GateLabel>>()
        .iter(world)
        .map(|name| name.to_string())
        .collect();
    let halls: HashSet<String> = (gates.iter())
        .map(|&hall| format!("Gate label {}", HallIndex(hall).hall().name_en))
        .collect();
    assert_eq!(labels, halls);
    // The lobby's first frame shows the labels blank (one pixel of the
    // hall's colour); the next paints every label, a texture of its own.
    let label_sizes = |app: &mut App| {
        let world = app.world_mut();
        let mut sizes = HashMap::new();
        for (label, material) in world
            .query_filtered::<(&Name, &MeshMaterial3d<VenueMaterial>), With<GateLabel>>()
            .iter(world)
        {
            let materials = world.resource::<Assets<VenueMaterial>>();
            let texture = materials.get(&material.0).unwrap().texture.clone();
            let texture = texture.unwrap_or_else(|| panic!("{label} has no texture"));
            let image = world.resource::<Assets<Image>>().get(&texture).unwrap();
            sizes.insert(texture.id(), image.size());
        }
        sizes
    };
    let blank = label_sizes(&mut app);
    assert!(blank.values().all(|size| *size == UVec2::ONE), "{blank:?}");
    app.update();
    let painted = label_sizes(&mut app);
    assert_eq!(painted.len(), 22);
    assert!(painted.values().all(|size| *size == UVec2::new(512, 224)));
    let world = app.world_mut();
    // The featured stage holds the 30 major projects, 10 of each kind.
    let catalog = world.resource::<ExpoCatalog>().clone();
    let stage: BTreeSet<u32> = world
        .query::<&Card>()
        .iter(world)
        .map(|card| card.project.0)
        .collect();
    let featured: BTreeSet<u32> = catalog.featured().map(|id| id.0).collect();
    assert_eq!(stage, featured);
    assert_eq!(featured.len(), 30);
}

#[test]
fn walking_forward_moves_the_visitor_north() {
    let mut app = headless_app();
    let start = visitor_position(&mut app);
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(KeyCode::KeyW);
    for _ in 0..10 {
        app.update();
    }
    let end = visitor_position(&mut app);
    // North is the world's -Z.
    assert!(end.z < start.z - 1.0, "{start} -> {end}");
    assert!((end.x - start.x).abs() < 1e-3);
}

fn visitor_position(app: &mut App) -> Vec3 {
    visitor(app).1.translation
}

/// A digest of everything a hall's scene is made of around the visitor:
/// each mesh's vertices and indices where it stands, and each card, booth
/// header and totem sign with where it hangs (sorted, so that the order
/// entities were made in does not count).
fn scene_digest(app: &mut App) -> Vec<u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    fn digest(parts: impl Hash) -> u64 {
        let mut hasher = DefaultHasher::new();
        parts.hash(&mut hasher);
        hasher.finish()
    }
    let placed = |transform: &Transform| transform.to_matrix().to_cols_array().map(f32::to_bits);
    let world = app.world_mut();
    let mut placed_meshes = world.query::<(&Mesh3d, &Transform)>();
    let meshes = world.resource::<Assets<Mesh>>();
    let mut digests: Vec<u64> = (placed_meshes.iter(world))
        .filter_map(|(mesh, transform)| {
            let mesh = meshes.get(&mesh.0)?;
            let attributes: Vec<&[u8]> = mesh.attributes().map(|(_, v)| v.get_bytes()).collect();
            let indices: Vec<usize> = mesh.indices().into_iter().flat_map(|i| i.iter()).collect();
            Some(digest((attributes, indices, placed(transform))))
        })
        .collect();
    let meshes = digests.len();
    digests.extend(
        (world.query::<(&Card, &Transform)>().iter(world))
            .map(|(card, at)| digest((card.project.0, card.booth, placed(at)))),
    );
    digests.extend(
        (world.query::<(&BoothHeader, &Transform)>().iter(world))
            .map(|(header, at)| digest((header.number, header.exhibitor.0, placed(at)))),
    );
    digests.extend(
        (world.query::<(&TotemSign, &Transform)>().iter(world))
            .map(|(sign, at)| digest((sign.aisle, sign.booths, sign.colour, placed(at)))),
    );
    assert!(
        meshes > 10 && digests.len() > meshes + 100,
        "{meshes} meshes"
    );
    digests.sort_unstable();
    digests
}

fn hall_scene_digest(id: &str) -> Vec<u64> {
    let mut app = headless_app();
    go(&mut app, Go::Hall(hall(id)), Screen::Hall);
    build_around(&mut app);
    scene_digest(&mut app)
}

/// The generated hall (structure, dressing, furniture, light, cards,
/// headers and totems) is the same for the same catalog, in a new app.
#[test]
fn the_same_catalog_builds_the_same_hall() {
    let chengdu = hall_scene_digest("chengdu");
    assert_eq!(chengdu, hall_scene_digest("chengdu"));
    assert_ne!(
        chengdu,
        hall_scene_digest("mianyang"),
        "the digest tells halls apart"
    );
}
