//! The halls: laid out from `yunzhan_model::HallLayout` while a loading
//! screen shows real progress, torn down when the visitor leaves.
//!
//! The hall is built in chunks around the visitor (`chunks`), its project
//! cards and booth name headers with their booth's chunk; their pictures are
//! painted only near the visitor (`atlas`). Where a card hangs is known from
//! the plan alone ([`CardPlaces`]), built or not.

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use yunzhan_model::layout::{BOOTH_WIDTH, Booth, Facing, HallLayout, Rect};
use yunzhan_model::{Catalog, ExhibitorId, HallIndex, ProjectId};

use crate::expo::Screen;
use crate::expo::ShippedFiles;
use crate::expo::catalog::ExpoCatalog;
use crate::world::atlas::{Atlas, AtlasRoot};
use crate::world::booth::{BACK_WALL, BoothAnchors, CustomBooth, booth_frame};
use crate::world::cards::{CARD_SIZE, Card, CardAtlas};
use crate::world::chunks::HallChunks;
use crate::world::dressing::{self, BANNER_HEIGHT, BANNER_SIZE};
use crate::world::navigation::{Colliders, CurrentHall, Go, floor_position, place};
use crate::world::scene::{
    canvas_image, facing_transform, industry_color, panel_material, rgba, world,
};
use crate::world::signs::{BoothHeader, HeaderAtlas, TotemSign};
use crate::world::text_image::{Align, Canvas, TextPainter};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;
/// Card slots on a booth's card wall: columns × rows, rows above and below
/// the wall's centre.
const CARD_COLUMNS: usize = 4;
const CARD_ROW_OFFSETS: [f32; 2] = [0.45, -0.45];

/// The root of everything a hall spawns.
#[derive(Component, Debug)]
pub(crate) struct HallScene;

/// The laid-out hall being shown, with the exhibitor of each layout entry
/// and the catalog it was laid out from (its ids are that catalog's).
#[derive(Resource, Clone)]
pub(crate) struct HallPlan {
    pub(crate) hall: HallIndex,
    pub(crate) layout: HallLayout,
    pub(crate) exhibitors: Vec<ExhibitorId>,
    catalog: Arc<Catalog>,
}

impl HallPlan {
    pub(crate) fn new(catalog: &Arc<Catalog>, hall: HallIndex) -> Self {
        HallPlan {
            hall,
            layout: HallLayout::for_hall(catalog, hall),
            exhibitors: catalog.hall_exhibitors(hall).to_vec(),
            catalog: catalog.clone(),
        }
    }

    /// Whether the plan was laid out from the catalog on show: not for the
    /// frames between a new catalog going on show and the hall's rebuild,
    /// when nothing of the hall is built or painted.
    pub(crate) fn shows(&self, catalog: &ExpoCatalog) -> bool {
        Arc::ptr_eq(&self.catalog, &catalog.0)
    }

    pub(crate) fn exhibitor(&self, booth: &Booth) -> ExhibitorId {
        self.exhibitors[booth.exhibitor]
    }

    /// Where a visitor stands to read a booth's cards, and the yaw to face them.
    pub(crate) fn viewpoint(&self, booth: usize) -> ([f32; 2], f32) {
        let booth = &self.layout.booths[booth];
        let [nx, nz] = booth.facing.normal();
        (
            booth.front(0.2),
            crate::world::navigation::yaw_towards([-nx, -nz]),
        )
    }

    /// Where a visitor arrives: inside the door, facing into the hall.
    pub(crate) fn entrance(&self) -> [f32; 2] {
        [self.layout.door[0], 2.0]
    }

    /// The projects on a booth's card wall, in slot order.
    fn booth_projects(&self, booth: &Booth) -> &[ProjectId] {
        &self.catalog.exhibitor(self.exhibitor(booth)).projects[booth.cards.clone()]
    }

    /// Where a booth's header and cards go: the exhibitor's model's anchors
    /// when it has one.
    fn anchors(&self, custom: Option<&CustomBooth>, booth: &Booth) -> BoothAnchors {
        CustomBooth::of(custom, self.hall, self.exhibitor(booth))
            .map_or_else(BoothAnchors::standard, CustomBooth::anchors)
    }

    /// A project's booth in this hall and where its card hangs there.
    pub(crate) fn card_place(
        &self,
        custom: Option<&CustomBooth>,
        project: ProjectId,
    ) -> Option<(usize, Transform)> {
        self.layout
            .booths
            .iter()
            .enumerate()
            .find_map(|(index, booth)| {
                let projects = self.booth_projects(booth);
                let slot = projects.iter().position(|&p| p == project)?;
                let anchors = self.anchors(custom, booth);
                Some((index, card_transform(booth, &anchors, slot)))
            })
    }

    /// Spawns a booth's cards and name header under `parent` (its chunk).
    pub(crate) fn spawn_booth_signs(
        &self,
        commands: &mut Commands,
        parent: Entity,
        custom: Option<&CustomBooth>,
        index: usize,
    ) {
        let booth = &self.layout.booths[index];
        let anchors = self.anchors(custom, booth);
        for (slot, &project) in self.booth_projects(booth).iter().enumerate() {
            let card = Card {
                project,
                booth: Some(index),
            };
            let at = card_transform(booth, &anchors, slot);
            commands.spawn((card, at, ChildOf(parent)));
        }
        let header = BoothHeader {
            hall: self.hall,
            exhibitor: self.exhibitor(booth),
            number: index + 1,
            part: (booth.part, booth.parts),
        };
        let at = booth_frame(booth) * anchors.header;
        commands.spawn((header, at, ChildOf(parent)));
    }
}

/// Run condition: a hall is shown, laid out from the catalog on show.
pub(crate) fn plan_on_show(plan: Option<Res<HallPlan>>, catalog: Res<ExpoCatalog>) -> bool {
    plan.is_some_and(|plan| plan.shows(&catalog))
}

/// Where the shown hall's cards hang, from its plan: a card's entity exists
/// only while its chunk is built.
#[derive(SystemParam)]
pub(crate) struct CardPlaces<'w> {
    plan: Option<Res<'w, HallPlan>>,
    catalog: Res<'w, ExpoCatalog>,
    custom: Option<Res<'w, CustomBooth>>,
}

impl CardPlaces<'_> {
    /// The project's booth and card in the shown hall, if it hangs there.
    pub(crate) fn find(&self, project: ProjectId) -> Option<(usize, Transform)> {
        let plan = (self.plan.as_deref()).filter(|plan| plan.shows(&self.catalog))?;
        plan.card_place(self.custom.as_deref(), project)
    }
}

/// Progress of building the hall, shown by the loading screen.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LoadingProgress {
    pub(crate) done: usize,
    pub(crate) total: usize,
}

impl LoadingProgress {
    pub(crate) fn fraction(&self) -> f32 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f32 / self.total as f32
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LoadingProgress>();
    app.add_systems(OnEnter(Screen::Loading), (despawn_hall, build_hall).chain());
    app.add_systems(Update, finish_loading.run_if(in_state(Screen::Loading)));
    app.add_systems(OnEnter(Screen::Lobby), despawn_hall);
    app.add_systems(Update, leave_by_the_door.run_if(in_state(Screen::Hall)));
}

pub(crate) fn despawn_hall(
    mut commands: Commands,
    halls: Query<Entity, With<HallScene>>,
    mut atlases: (
        ResMut<CardAtlas>,
        ResMut<HeaderAtlas>,
        ResMut<Atlas<TotemSign>>,
    ),
) {
    for hall in &halls {
        commands.entity(hall).despawn();
    }
    commands.remove_resource::<AtlasRoot>();
    commands.remove_resource::<HallPlan>();
    atlases.0.clear();
    atlases.1.clear();
    atlases.2.clear();
}

/// The hall's signs: one per industry zone, the door's and the stage's.
fn hall_signs(
    plan: &HallPlan,
    catalog: &ExpoCatalog,
    painter: &mut TextPainter,
) -> Vec<(String, Canvas, Transform)> {
    let layout = &plan.layout;
    // Banners are larger than the 4 m × 1 m signs: their quads are scaled.
    let banner_scale = Vec3::new(BANNER_SIZE.x / 4.0, BANNER_SIZE.y, 1.0);
    let mut signs: Vec<(String, Canvas, Transform)> = (layout.zones.iter())
        .map(|zone| {
            let (zh, en) = (zone.industry.name_zh(), zone.industry.name_en());
            let colour = rgba(industry_color(zone.industry));
            let [x, _, z] = zone.sign;
            let transform = facing_transform(world([x, z], BANNER_HEIGHT), Facing::South)
                .with_scale(banner_scale);
            let canvas = paint_sign(painter, zh, en, colour);
            (format!("Zone sign {en}"), canvas, transform)
        })
        .collect();
    let hall = plan.hall.hall();
    let exit = paint_sign(
        painter,
        &format!("返回序厅 · {}", hall.name_zh),
        "Back to the lobby",
        [40, 44, 52, 255],
    );
    let door = facing_transform(world([layout.door[0], 0.2], 4.0), Facing::North);
    signs.push(("Door sign".into(), exit, door));
    let featured = (catalog.featured())
        .filter(|&id| catalog.project(id).hall == plan.hall)
        .count();
    let stage_sign = paint_sign(
        painter,
        &format!("{} · 重大项目 {featured} 项", hall.name_zh),
        &format!("{} · featured projects", hall.name_en),
        [150, 24, 24, 255],
    );
    let [sx, sz] = layout.stage.rect.center();
    let stage = facing_transform(world([sx - 0.2, sz], 1.6), layout.stage.facing);
    signs.push(("Stage sign".into(), stage_sign, stage));
    signs
}

/// Spawns the hall of [`CurrentHall`] (its root and signs), puts the
/// visitor at its entrance and sorts the hall into chunks (`chunks` builds
/// them, with their cards, headers and totem signs).
fn build_hall(
    mut commands: Commands,
    catalog: Res<ExpoCatalog>,
    files: Res<ShippedFiles>,
    current: Res<CurrentHall>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VenueMaterial>>,
    mut images: ResMut<Assets<Image>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let plan = HallPlan::new(&catalog.0, current.0);
    let layout = &plan.layout;
    let mut painter = TextPainter::new(&files);
    let children: Vec<Entity> = hall_signs(&plan, &catalog, &mut painter)
        .into_iter()
        .map(|(name, canvas, transform)| {
            let sign = sign(canvas, transform, &mut meshes, &mut materials, &mut images);
            commands.spawn((Name::new(name), sign)).id()
        })
        .collect();
    let root = (
        Name::new(format!("Hall {}", current.0.hall().name_en)),
        HallScene,
        Transform::default(),
        Visibility::default(),
    );
    let root = commands.spawn(root).add_children(&children).id();
    for (mut visitor, mut transform) in &mut visitors {
        place(&mut visitor, &mut transform, plan.entrance(), 0.0);
    }
    let walls = hall_walls(layout);
    commands.insert_resource(Colliders {
        walls: walls.clone(),
    });
    let venue = materials.add(VenueMaterial::default());
    let totems = dressing::totems(layout);
    commands.insert_resource(HallChunks::new(layout, root, venue, walls, totems));
    commands.insert_resource(LoadingProgress::default());
    commands.insert_resource(AtlasRoot(root));
    commands.insert_resource(plan);
}

/// Shows the loading progress — the chunks around the entrance, then the
/// cards and headers around it — and moves on to the hall when all are done.
/// Runs before the chunks are streamed in a frame, so that the atlases have
/// seen the cards and headers of every chunk it counts.
pub(super) fn finish_loading(
    mut progress: ResMut<LoadingProgress>,
    plan: Option<Res<HallPlan>>,
    chunks: Option<Res<HallChunks>>,
    cards: Res<CardAtlas>,
    headers: Res<HeaderAtlas>,
    mut next: ResMut<NextState<Screen>>,
) {
    let (Some(plan), Some(chunks)) = (plan, chunks) else {
        return;
    };
    let parts = [
        chunks.entry_progress(plan.entrance()),
        cards.progress(),
        headers.progress(),
    ];
    *progress = LoadingProgress {
        done: parts.iter().map(|part| part.0).sum(),
        total: parts.iter().map(|part| part.1).sum(),
    };
    if progress.done >= progress.total {
        next.set(Screen::Hall);
    }
}

fn leave_by_the_door(
    plan: Option<Res<HallPlan>>,
    visitors: Query<&Transform, With<Visitor>>,
    mut go: MessageWriter<Go>,
) {
    let Some(plan) = plan else { return };
    for transform in &visitors {
        let [x, z] = floor_position(transform);
        if z < 0.8 && (x - plan.layout.door[0]).abs() < plan.layout.door_width / 2.0 {
            go.write(Go::Lobby);
        }
    }
}

/// The hall's walls: west, east, north, and the entrance wall either side of the door.
fn hall_walls(layout: &HallLayout) -> Vec<Rect> {
    let (w, d, t) = (layout.width, layout.depth, 0.3);
    let door_left = layout.door[0] - layout.door_width / 2.0;
    let door_right = layout.door[0] + layout.door_width / 2.0;
    vec![
        Rect::new(-t, -t, 0.0, d + t),
        Rect::new(w, -t, w + t, d + t),
        Rect::new(-t, d, w + t, d + t),
        Rect::new(-t, -t, door_left, 0.0),
        Rect::new(door_right, -t, w + t, 0.0),
    ]
}

/// The back wall and the two side walls of a booth, as floor rectangles.
pub(crate) fn booth_panels(booth: &Booth) -> [Rect; 3] {
    let r = booth.rect;
    let side = 0.08;
    match booth.facing {
        Facing::South => [
            Rect::new(r.min[0], r.max[1] - BACK_WALL, r.max[0], r.max[1]),
            Rect::new(r.min[0], r.min[1], r.min[0] + side, r.max[1]),
            Rect::new(r.max[0] - side, r.min[1], r.max[0], r.max[1]),
        ],
        Facing::North => [
            Rect::new(r.min[0], r.min[1], r.max[0], r.min[1] + BACK_WALL),
            Rect::new(r.min[0], r.min[1], r.min[0] + side, r.max[1]),
            Rect::new(r.max[0] - side, r.min[1], r.max[0], r.max[1]),
        ],
        // Booths in islands face north or south only.
        Facing::East | Facing::West => [r, r, r],
    }
}

/// Where card `slot` of a booth hangs: four across, two rows, around the
/// centre of the booth's card wall.
pub(crate) fn card_transform(booth: &Booth, anchors: &BoothAnchors, slot: usize) -> Transform {
    let column = slot % CARD_COLUMNS;
    let row = slot / CARD_COLUMNS;
    let spacing = (BOOTH_WIDTH - 0.4) / CARD_COLUMNS as f32;
    let along = (column as f32 - (CARD_COLUMNS as f32 - 1.0) / 2.0) * spacing;
    debug_assert!(CARD_SIZE.x < spacing);
    booth_frame(booth) * anchors.cards * Transform::from_xyz(along, CARD_ROW_OFFSETS[row], 0.0)
}

/// A 4 m × 1 m sign showing a painted canvas.
fn sign(
    canvas: Canvas,
    transform: Transform,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<VenueMaterial>,
    images: &mut Assets<Image>,
) -> impl Bundle {
    (
        Mesh3d(meshes.add(Rectangle::new(4.0, 1.0))),
        MeshMaterial3d(materials.add(panel_material(images.add(canvas_image(canvas))))),
        transform,
    )
}

/// A two-line sign: Chinese above, English below.
fn paint_sign(painter: &mut TextPainter, zh: &str, en: &str, background: [u8; 4]) -> Canvas {
    let mut canvas = Canvas::new(512, 128, background);
    let white = [255, 255, 255, 255];
    painter.line(&mut canvas, zh, 8.0, 6.0, 58.0, white, Align::Center, 496.0);
    painter.line(
        &mut canvas,
        en,
        8.0,
        82.0,
        30.0,
        white,
        Align::Center,
        496.0,
    );
    canvas
}

#[cfg(test)]
mod tests {
    use yunzhan_model::Industry;

    use super::*;
    use crate::world::scene::world_direction;

    #[test]
    fn cards_hang_on_the_back_wall_facing_the_aisle() {
        let layout = HallLayout::new(&[yunzhan_model::layout::ExhibitorSpec {
            industry: Industry::MedicineHealth,
            project_count: 16,
        }]);
        for booth in &layout.booths {
            let normal = world_direction(booth.facing.normal());
            for slot in 0..8 {
                let transform = card_transform(booth, &BoothAnchors::standard(), slot);
                assert!((transform.rotation * Vec3::Z).dot(normal) > 0.99);
                let [x, z] = floor_position(&transform);
                assert!(booth.rect.contains([x, z]), "card {slot} outside its booth");
            }
        }
    }
}
