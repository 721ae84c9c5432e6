//! A hall streamed in square chunks around the visitor: the floor, ceiling
//! and truss, walls, booths with their furniture, totems, banner cables and
//! the stage of a 24 m square are one merged mesh, built (with what in it
//! stops the visitor, and its booths' cards and headers and its totems'
//! signs for the atlases to paint) when the visitor comes within the
//! [`build_radius`] and dropped when they are well past it. A hall of any
//! size therefore builds and draws about the same around the visitor. A
//! haze, on the camera and in the venue's shader, hides the edge of what is
//! built: it thickens to the colour behind the scene before the build
//! radius, and nothing beyond it is drawn. The low quality tier's haze is
//! nearer, and so is what it builds.

use std::collections::HashMap;

use bevy::pbr::{DistanceFog, FogFalloff};
use bevy::prelude::*;
use yunzhan_model::layout::{Booth, HallLayout, Rect};

use crate::expo::Screen;
use crate::world::booth::{BoothModelPart, CustomBooth, booth_frame, booth_rect_in_hall};
use crate::world::dressing::{self, BANNER_HEIGHT, TILE, Totem};
use crate::world::hall::{HallPlan, booth_panels, finish_loading, plan_on_show};
use crate::world::light::BakedLight;
use crate::world::navigation::{Colliders, floor_position};
use crate::world::quality::{Quality, Tier};
use crate::world::scene::{MergedMesh, floor_box, hall_color, industry_color, rgba, world};
use crate::world::signs::TotemSign;
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;

/// A chunk's edge (metres): the tile the hall's structure was cut into.
const CHUNK: f32 = TILE;
/// How far beyond the haze's end chunks are built, so that a chunk is
/// built before a visitor walking on brings it into view.
const BUILD_BEYOND_HAZE: f32 = 16.0;
/// The loading screen waits for the chunks this close to the entrance.
const ENTRY_RADIUS: f32 = 30.0;
/// Chunks built per frame once the visitor is in the hall, and while the
/// loading screen shows.
const CHUNKS_PER_FRAME: usize = 2;
const CHUNKS_PER_LOADING_FRAME: usize = 6;
/// The haze's colour (also the colour behind the scene in a hall).
const HAZE: Color = Color::srgb(0.44, 0.46, 0.50);

/// Where the haze starts and where it is whole (nothing is drawn beyond):
/// inside the build radius, so a chunk is built before it shows through
/// the haze; nearer on the low tier, which draws less of the hall.
fn haze_range(tier: Tier) -> (f32, f32) {
    match tier {
        Tier::High => (50.0, 80.0),
        Tier::Low => (40.0, 64.0),
    }
}

/// Chunks whose square comes this close to the visitor are built.
fn build_radius(tier: Tier) -> f32 {
    haze_range(tier).1 + BUILD_BEYOND_HAZE
}

/// Built chunks this far away are dropped (the gap keeps a visitor walking
/// along an edge from building and dropping the same chunks).
fn drop_radius(tier: Tier) -> f32 {
    build_radius(tier) + CHUNK
}

type ChunkKey = (i32, i32);

/// The chunk a point of the hall's floor lies in.
fn chunk_of([x, z]: [f32; 2]) -> ChunkKey {
    ((x / CHUNK).floor() as i32, (z / CHUNK).floor() as i32)
}

/// The distance from a point to a rectangle (0 inside it).
fn distance_to(rect: &Rect, [x, z]: [f32; 2]) -> f32 {
    let dx = (rect.min[0] - x).max(x - rect.max[0]).max(0.0);
    let dz = (rect.min[1] - z).max(z - rect.max[1]).max(0.0);
    dx.hypot(dz)
}

/// The part of `rect` inside `region`, if any.
fn clipped(rect: &Rect, region: &Rect) -> Option<Rect> {
    let min = [
        rect.min[0].max(region.min[0]),
        rect.min[1].max(region.min[1]),
    ];
    let max = [
        rect.max[0].min(region.max[0]),
        rect.max[1].min(region.max[1]),
    ];
    (min[0] < max[0] && min[1] < max[1]).then(|| Rect::new(min[0], min[1], max[0], max[1]))
}

/// The shown hall's chunks: what lies in each, and which are built.
#[derive(Resource)]
pub(crate) struct HallChunks {
    root: Entity,
    material: Handle<VenueMaterial>,
    light: BakedLight,
    /// The hall's outer walls (always in the colliders).
    walls: Vec<Rect>,
    totems: Vec<Totem>,
    booths_in: HashMap<ChunkKey, Vec<usize>>,
    totems_in: HashMap<ChunkKey, Vec<usize>>,
    /// Chunks along the hall's width and depth.
    grid: (i32, i32),
    built: HashMap<ChunkKey, BuiltChunk>,
    /// Chunks within the build radius not built at the last update.
    missing: usize,
    /// Where the visitor stood, and the tier, at the last update (nothing
    /// changes while they stand still with every chunk built).
    streamed_from: Option<([f32; 2], Tier)>,
}

struct BuiltChunk {
    entity: Entity,
    obstacles: Vec<Rect>,
}

impl HallChunks {
    /// Sorts a hall's booths and totems into chunks; builds nothing yet.
    pub(crate) fn new(
        layout: &HallLayout,
        root: Entity,
        material: Handle<VenueMaterial>,
        walls: Vec<Rect>,
        totems: Vec<Totem>,
    ) -> Self {
        let mut booths_in: HashMap<ChunkKey, Vec<usize>> = HashMap::new();
        for (index, booth) in layout.booths.iter().enumerate() {
            booths_in
                .entry(chunk_of(booth.rect.center()))
                .or_default()
                .push(index);
        }
        let mut totems_in: HashMap<ChunkKey, Vec<usize>> = HashMap::new();
        for (index, totem) in totems.iter().enumerate() {
            totems_in.entry(chunk_of(totem.at)).or_default().push(index);
        }
        HallChunks {
            root,
            material,
            light: dressing::hall_light(layout),
            walls,
            totems,
            booths_in,
            totems_in,
            grid: (
                (layout.width / CHUNK).ceil() as i32,
                (layout.depth / CHUNK).ceil() as i32,
            ),
            built: HashMap::new(),
            missing: usize::MAX,
            streamed_from: None,
        }
    }

    /// Every chunk within the build radius is built.
    pub(crate) fn settled(&self) -> bool {
        self.missing == 0
    }

    /// Chunks built and wanted around the entrance, for the loading screen.
    pub(crate) fn entry_progress(&self, entrance: [f32; 2]) -> (usize, usize) {
        let near = self.keys_within(entrance, ENTRY_RADIUS);
        let built = near
            .iter()
            .filter(|key| self.built.contains_key(key))
            .count();
        (built, near.len())
    }

    pub(crate) fn built(&self) -> usize {
        self.built.len()
    }

    /// The hall's chunks, built or not.
    pub(crate) fn total(&self) -> usize {
        (self.grid.0 * self.grid.1) as usize
    }

    /// A chunk's square, reaching past the hall's edge for the outer walls.
    fn square(&self, (i, j): ChunkKey) -> Rect {
        let edge = |index: i32, last: i32| {
            let from = index as f32 * CHUNK - if index == 0 { 1.0 } else { 0.0 };
            let to = (index + 1) as f32 * CHUNK + if index == last { 1.0 } else { 0.0 };
            [from, to]
        };
        let ([x0, x1], [z0, z1]) = (edge(i, self.grid.0 - 1), edge(j, self.grid.1 - 1));
        Rect::new(x0, z0, x1, z1)
    }

    /// The chunks whose square is within `radius` of `at`, nearest first.
    fn keys_within(&self, at: [f32; 2], radius: f32) -> Vec<ChunkKey> {
        let (i0, j0) = chunk_of([at[0] - radius, at[1] - radius]);
        let (i1, j1) = chunk_of([at[0] + radius, at[1] + radius]);
        let mut keys: Vec<(f32, ChunkKey)> = (j0.max(0)..=j1.min(self.grid.1 - 1))
            .flat_map(|j| (i0.max(0)..=i1.min(self.grid.0 - 1)).map(move |i| (i, j)))
            .map(|key| (distance_to(&self.square(key), at), key))
            .filter(|(distance, _)| *distance <= radius)
            .collect();
        keys.sort_by(|a, b| a.0.total_cmp(&b.0));
        keys.into_iter().map(|(_, key)| key).collect()
    }

    /// The booths standing in a chunk or its eight neighbours.
    fn booths_around<'a>(&self, (i, j): ChunkKey, layout: &'a HallLayout) -> Vec<&'a Booth> {
        (j - 1..=j + 1)
            .flat_map(|j| (i - 1..=i + 1).map(move |i| (i, j)))
            .filter_map(|key| self.booths_in.get(&key))
            .flatten()
            .map(|&index| &layout.booths[index])
            .collect()
    }
}

/// What one chunk puts into the scene.
struct ChunkContents {
    shell: MergedMesh,
    obstacles: Vec<Rect>,
    model_parts: Vec<(
        BoothModelPart,
        Mesh3d,
        MeshMaterial3d<StandardMaterial>,
        Transform,
    )>,
}

impl ChunkContents {
    /// Floor, ceiling and truss, the outer walls, booths, totems, banner
    /// cables and the stage of a chunk (`dressing`).
    fn lay_out(
        key: ChunkKey,
        chunks: &HallChunks,
        plan: &HallPlan,
        custom: Option<&CustomBooth>,
    ) -> Self {
        let layout = &plan.layout;
        let square = chunks.square(key);
        let hall = Rect::new(0.0, 0.0, layout.width, layout.depth);
        let mut contents = ChunkContents {
            shell: MergedMesh::single(),
            obstacles: Vec::new(),
            model_parts: Vec::new(),
        };
        if let Some(floor) = clipped(&square, &hall) {
            let around = chunks.booths_around(key, layout);
            dressing::floor(layout, floor, &around, &mut contents.shell);
            dressing::ceiling(&chunks.light, floor, &mut contents.shell);
        }
        let colour = hall_color(plan.hall.hall());
        for wall in chunks
            .walls
            .iter()
            .filter_map(|wall| clipped(wall, &square))
        {
            dressing::outer_wall(wall, colour, &mut contents.shell);
        }
        if chunk_of(layout.door) == key {
            let posts = dressing::door_portal(layout, colour, &mut contents.shell);
            contents.obstacles.extend(posts);
        }
        for &totem in chunks.totems_in.get(&key).into_iter().flatten() {
            let at = chunks.totems[totem].at;
            let footprint = dressing::totem(&mut contents.shell, at, colour);
            contents.obstacles.push(footprint);
        }
        for zone in layout.zones.iter().filter(|zone| {
            let [x, _, z] = zone.sign;
            chunk_of([x, z]) == key
        }) {
            let [x, _, z] = zone.sign;
            let centre = world([x, z], BANNER_HEIGHT);
            dressing::banner(&mut contents.shell, centre, industry_color(zone.industry));
        }
        for &index in chunks.booths_in.get(&key).into_iter().flatten() {
            let booth = &layout.booths[index];
            let custom = CustomBooth::of(custom, plan.hall, plan.exhibitor(booth));
            contents.add_booth(index, booth, custom);
        }
        if chunk_of(layout.stage.rect.center()) == key {
            contents.add_stage(layout);
        }
        contents
    }

    /// A booth's structure: the exhibitor's own model, or the standard
    /// booth (`dressing::booth`).
    fn add_booth(&mut self, index: usize, booth: &Booth, custom: Option<&CustomBooth>) {
        if let Some(look) = custom.and_then(|custom| custom.look.as_ref()) {
            let frame = booth_frame(booth);
            self.model_parts
                .extend(look.parts.iter().map(|(mesh, material)| {
                    (
                        BoothModelPart,
                        Mesh3d(mesh.clone()),
                        MeshMaterial3d(material.clone()),
                        frame,
                    )
                }));
            self.obstacles
                .extend(look.obstacles.iter().map(|r| booth_rect_in_hall(booth, r)));
            return;
        }
        let furniture = dressing::booth(booth, index, &mut self.shell);
        self.obstacles.extend(furniture);
        self.obstacles.extend(booth_panels(booth));
    }

    /// The featured stage: a platform, and the LED wall behind its sign.
    fn add_stage(&mut self, layout: &HallLayout) {
        let stage = &layout.stage;
        let (min, max) = floor_box(&stage.rect, 0.0, 0.5);
        self.shell.cuboid(min, max, Color::srgb(0.45, 0.10, 0.11));
        // The LED wall behind the stage's sign (the sign faces west).
        let [sx, _] = stage.rect.center();
        let backdrop = Rect::new(sx - 0.12, stage.rect.min[1], sx + 0.2, stage.rect.max[1]);
        let (min, max) = floor_box(&backdrop, 0.5, 3.0);
        self.shell.cuboid(min, max, Color::srgb(0.08, 0.08, 0.10));
        let (min, max) = floor_box(&backdrop, 3.0, 3.08);
        self.shell
            .glowing_cuboid(min, max, Color::srgb(0.95, 0.35, 0.30));
        self.obstacles.push(stage.rect);
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        stream_chunks
            .after(finish_loading)
            .run_if(resource_exists::<HallChunks>.and_then(plan_on_show)),
    );
    app.add_systems(OnEnter(Screen::Loading), add_haze);
    app.add_systems(OnEnter(Screen::Lobby), (forget_chunks, remove_haze));
}

fn forget_chunks(mut commands: Commands) {
    commands.remove_resource::<HallChunks>();
}

/// Builds the nearest missing chunks around the visitor (a few a frame),
/// drops the far ones, and keeps the colliders to what is built.
fn stream_chunks(
    mut commands: Commands,
    mut chunks: ResMut<HallChunks>,
    plan: Res<HallPlan>,
    custom: Option<Res<CustomBooth>>,
    screen: Res<State<Screen>>,
    quality: Res<Quality>,
    visitors: Query<&Transform, With<Visitor>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut colliders: ResMut<Colliders>,
) {
    let Some(at) = visitors.iter().next().map(floor_position) else {
        return;
    };
    let standpoint = Some((at, quality.tier));
    if chunks.missing == 0 && chunks.streamed_from == standpoint {
        return;
    }
    chunks.streamed_from = standpoint;
    let far: Vec<ChunkKey> = (chunks.built.iter())
        .filter(|(key, _)| distance_to(&chunks.square(**key), at) > drop_radius(quality.tier))
        .map(|(key, _)| *key)
        .collect();
    for key in &far {
        if let Some(chunk) = chunks.built.remove(key) {
            commands.entity(chunk.entity).despawn();
        }
    }
    let missing: Vec<ChunkKey> = (chunks
        .keys_within(at, build_radius(quality.tier))
        .into_iter())
    .filter(|key| !chunks.built.contains_key(key))
    .collect();
    let per_frame = match screen.get() {
        Screen::Loading => CHUNKS_PER_LOADING_FRAME,
        _ => CHUNKS_PER_FRAME,
    };
    chunks.missing = missing.len().saturating_sub(per_frame);
    for &key in missing.iter().take(per_frame) {
        let contents = ChunkContents::lay_out(key, &chunks, &plan, custom.as_deref());
        let entity = spawn_chunk(&mut commands, &chunks, key, contents.shell, &mut meshes);
        for part in contents.model_parts {
            let model = (Name::new("Exhibitor's booth model"), part, ChildOf(entity));
            commands.spawn(model);
        }
        spawn_signs(
            &mut commands,
            &chunks,
            key,
            entity,
            &plan,
            custom.as_deref(),
        );
        let obstacles = contents.obstacles;
        chunks.built.insert(key, BuiltChunk { entity, obstacles });
    }
    if !far.is_empty() || !missing.is_empty() {
        colliders.walls = (chunks.walls.iter().copied())
            .chain(
                chunks
                    .built
                    .values()
                    .flat_map(|chunk| chunk.obstacles.clone()),
            )
            .collect();
    }
}

/// The cards and name headers of a chunk's booths and its totems' signs,
/// under the chunk's entity (they go when it is dropped).
fn spawn_signs(
    commands: &mut Commands,
    chunks: &HallChunks,
    key: ChunkKey,
    entity: Entity,
    plan: &HallPlan,
    custom: Option<&CustomBooth>,
) {
    for &booth in chunks.booths_in.get(&key).into_iter().flatten() {
        plan.spawn_booth_signs(commands, entity, custom, booth);
    }
    let colour = rgba(hall_color(plan.hall.hall()));
    for &totem in chunks.totems_in.get(&key).into_iter().flatten() {
        TotemSign::spawn_pair(commands, entity, &chunks.totems[totem], colour);
    }
}

fn spawn_chunk(
    commands: &mut Commands,
    chunks: &HallChunks,
    (i, j): ChunkKey,
    shell: MergedMesh,
    meshes: &mut Assets<Mesh>,
) -> Entity {
    let mut structure = commands.spawn((
        Name::new(format!("Hall chunk {i},{j}")),
        Transform::default(),
        Visibility::default(),
        ChildOf(chunks.root),
    ));
    for mesh in shell.build(&chunks.light) {
        let material = MeshMaterial3d(chunks.material.clone());
        structure.with_child((Mesh3d(meshes.add(mesh)), material));
    }
    structure.id()
}

/// The haze in a hall: on the visitor's camera (`DistanceFog`, which the
/// venue's shader reads too) and as the colour behind the scene; nothing
/// beyond it is drawn (the camera's far plane), since nothing there shows.
fn add_haze(
    mut commands: Commands,
    quality: Res<Quality>,
    mut cameras: Query<(Entity, &mut Camera, &mut Projection), With<Visitor>>,
) {
    let (start, end) = haze_range(quality.tier);
    for (entity, mut camera, mut projection) in &mut cameras {
        camera.clear_color = ClearColorConfig::Custom(HAZE);
        if let Projection::Perspective(perspective) = projection.as_mut() {
            perspective.far = end;
        }
        commands.entity(entity).insert(DistanceFog {
            color: HAZE,
            falloff: FogFalloff::Linear { start, end },
            ..default()
        });
    }
}

fn remove_haze(
    mut commands: Commands,
    mut cameras: Query<(Entity, &mut Camera, &mut Projection), With<Visitor>>,
) {
    for (entity, mut camera, mut projection) in &mut cameras {
        camera.clear_color = ClearColorConfig::Default;
        if let Projection::Perspective(perspective) = projection.as_mut() {
            perspective.far = PerspectiveProjection::default().far;
        }
        commands.entity(entity).remove::<DistanceFog>();
    }
}
