//! The halls: built from `yunzhan_model::HallLayout` while a loading screen
//! shows real progress, torn down when the visitor leaves.
//!
//! Booth structures of a whole hall are one merged mesh; exhibitor name
//! headers are painted into shared header sheets; project cards are entities
//! whose textures the card atlas (`cards`) makes lazily.

use bevy::prelude::*;
use yunzhan_model::layout::{BOOTH_WIDTH, Booth, Facing, HallLayout, Rect};
use yunzhan_model::{ExhibitorId, HallIndex};

use crate::expo::Screen;
use crate::expo::ShippedFiles;
use crate::expo::catalog::ExpoCatalog;
use crate::world::booth::{
    BACK_WALL, BoothAnchors, BoothModelPart, CustomBooth, HEADER_SIZE, booth_frame,
    booth_rect_in_hall,
};
use crate::world::cards::{CARD_SIZE, Card, CardAtlas, CardRoot};
use crate::world::dressing::{
    self, BANNER_HEIGHT, BANNER_SIZE, TILE, TOTEM_SIGN, TOTEM_SIGN_HEIGHT,
};
use crate::world::light::BakedLight;
use crate::world::navigation::{Colliders, CurrentHall, Go, floor_position, place};
use crate::world::scene::{
    MergedMesh, canvas_image, facing_transform, floor_box, hall_color, industry_color,
    panel_material, rgba, world,
};
use crate::world::sheet::{Sheet, SheetLayout};
use crate::world::text_image::{Align, Canvas, TextPainter};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;

const HEADER_SHEET: SheetLayout = SheetLayout {
    page_px: UVec2::new(2048, 2048),
    slot_px: UVec2::new(512, 64),
    quad_size: HEADER_SIZE,
};
/// Totem signs: the aisle's number and its booths.
const TOTEM_SHEET: SheetLayout = SheetLayout {
    page_px: UVec2::new(2048, 2048),
    slot_px: UVec2::new(256, 256),
    quad_size: Vec2::splat(TOTEM_SIGN),
};
/// Booth headers painted per frame while loading.
const HEADERS_PER_FRAME: usize = 40;
/// Card slots on a booth's card wall: columns × rows, rows above and below
/// the wall's centre.
const CARD_COLUMNS: usize = 4;
const CARD_ROW_OFFSETS: [f32; 2] = [0.45, -0.45];

/// The root of everything a hall spawns.
#[derive(Component, Debug)]
pub(crate) struct HallScene;

/// The laid-out hall being shown, with the exhibitor of each layout entry.
#[derive(Resource, Debug, Clone)]
pub(crate) struct HallPlan {
    pub(crate) hall: HallIndex,
    pub(crate) layout: HallLayout,
    pub(crate) exhibitors: Vec<ExhibitorId>,
}

impl HallPlan {
    pub(crate) fn new(catalog: &yunzhan_model::Catalog, hall: HallIndex) -> Self {
        HallPlan {
            hall,
            layout: HallLayout::for_hall(catalog, hall),
            exhibitors: catalog.hall_exhibitors(hall).to_vec(),
        }
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

/// Header painting state while loading.
#[derive(Resource)]
struct HeaderWork {
    sheet: Sheet,
    next: usize,
    cards_wanted: usize,
    painter: TextPainter,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<LoadingProgress>();
    app.add_systems(OnEnter(Screen::Loading), (despawn_hall, build_hall).chain());
    app.add_systems(Update, paint_headers.run_if(in_state(Screen::Loading)));
    app.add_systems(OnEnter(Screen::Lobby), despawn_hall);
    app.add_systems(Update, leave_by_the_door.run_if(in_state(Screen::Hall)));
}

pub(crate) fn despawn_hall(
    mut commands: Commands,
    halls: Query<Entity, With<HallScene>>,
    mut atlas: ResMut<CardAtlas>,
) {
    for hall in &halls {
        commands.entity(hall).despawn();
    }
    commands.remove_resource::<CardRoot>();
    commands.remove_resource::<HallPlan>();
    atlas.clear();
}

/// What a hall's layout puts into the scene: the merged structure, what
/// stops the visitor, the cards and the parts of exhibitors' own models.
struct HallContents {
    shell: MergedMesh,
    /// The light baked into the shell when it is built.
    light: BakedLight,
    totems: Vec<dressing::Totem>,
    walls: Vec<Rect>,
    cards: Vec<(Card, Transform)>,
    model_parts: Vec<(
        BoothModelPart,
        Mesh3d,
        MeshMaterial3d<StandardMaterial>,
        Transform,
    )>,
}

impl HallContents {
    /// Floor, walls with the door gap, ceiling, booths, the stage, banner
    /// cables and totems (`dressing`).
    fn lay_out(plan: &HallPlan, catalog: &ExpoCatalog, custom: Option<&CustomBooth>) -> Self {
        let layout = &plan.layout;
        let mut contents = HallContents {
            shell: MergedMesh::new(TILE),
            light: dressing::hall_light(layout),
            totems: dressing::totems(layout),
            walls: hall_walls(layout),
            cards: Vec::new(),
            model_parts: Vec::new(),
        };
        dressing::floor(layout, &mut contents.shell);
        dressing::ceiling(layout, &contents.light, &mut contents.shell);
        for rect in contents.walls.clone() {
            let (min, max) = floor_box(&rect, 0.0, dressing::CEILING);
            contents
                .shell
                .cuboid(min, max, Color::srgb(0.90, 0.90, 0.88));
        }
        let hall_colour = hall_color(plan.hall.hall());
        for totem in &contents.totems {
            let footprint = dressing::totem(&mut contents.shell, totem.at, hall_colour);
            contents.walls.push(footprint);
        }
        for zone in &layout.zones {
            let [x, _, z] = zone.sign;
            let centre = world([x, z], BANNER_HEIGHT);
            dressing::banner(&mut contents.shell, centre, industry_color(zone.industry));
        }
        for (index, booth) in layout.booths.iter().enumerate() {
            let custom = CustomBooth::of(custom, plan.hall, plan.exhibitor(booth));
            contents.add_booth(index, booth, custom);
            let anchors = custom.map_or_else(BoothAnchors::standard, CustomBooth::anchors);
            let exhibitor = catalog.exhibitor(plan.exhibitor(booth));
            let projects = &exhibitor.projects[booth.cards.clone()];
            contents
                .cards
                .extend(projects.iter().enumerate().map(|(slot, &project)| {
                    let card = Card {
                        project,
                        booth: Some(index),
                    };
                    (card, card_transform(booth, &anchors, slot))
                }));
        }
        let stage = &layout.stage;
        let (min, max) = floor_box(&stage.rect, 0.0, 0.5);
        contents
            .shell
            .cuboid(min, max, Color::srgb(0.45, 0.10, 0.11));
        // The stage's LED wall behind its sign (the sign faces west).
        let [sx, _] = stage.rect.center();
        let backdrop = Rect::new(sx - 0.12, stage.rect.min[1], sx + 0.2, stage.rect.max[1]);
        let (min, max) = floor_box(&backdrop, 0.5, 3.0);
        contents
            .shell
            .cuboid(min, max, Color::srgb(0.08, 0.08, 0.10));
        let (min, max) = floor_box(&backdrop, 3.0, 3.08);
        contents
            .shell
            .glowing_cuboid(min, max, Color::srgb(0.95, 0.35, 0.30));
        contents.walls.push(stage.rect);
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
            self.walls
                .extend(look.obstacles.iter().map(|r| booth_rect_in_hall(booth, r)));
            return;
        }
        let furniture = dressing::booth(booth, index, &mut self.shell);
        self.walls.extend(furniture);
        self.walls.extend(booth_panels(booth));
    }
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

/// Spawns the hall of [`CurrentHall`] (structure, cards, signs) and puts the
/// visitor at its entrance; the headers are painted while loading.
fn build_hall(
    mut commands: Commands,
    catalog: Res<ExpoCatalog>,
    files: Res<ShippedFiles>,
    current: Res<CurrentHall>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VenueMaterial>>,
    mut images: ResMut<Assets<Image>>,
    atlas: Res<CardAtlas>,
    custom: Option<Res<CustomBooth>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let plan = HallPlan::new(&catalog, current.0);
    let contents = HallContents::lay_out(&plan, &catalog, custom.as_deref());
    let venue = materials.add(VenueMaterial::default());
    let tiles = contents.shell.build(&contents.light).into_iter();
    let mut children: Vec<Entity> = tiles
        .map(|tile| {
            let parts = (Mesh3d(meshes.add(tile)), MeshMaterial3d(venue.clone()));
            commands.spawn((Name::new("Hall structure"), parts)).id()
        })
        .collect();
    let models = contents.model_parts.into_iter();
    children.extend(models.map(|part| {
        commands
            .spawn((Name::new("Exhibitor's booth model"), part))
            .id()
    }));
    let cards_total = contents.cards.len();
    children.extend(
        contents
            .cards
            .into_iter()
            .map(|card| commands.spawn(card).id()),
    );
    let mut painter = TextPainter::new(&files);
    let mut totem_signs = Sheet::new(TOTEM_SHEET);
    for totem in &contents.totems {
        let canvas = paint_totem(&mut painter, totem, rgba(hall_color(plan.hall.hall())));
        let [x, z] = totem.at;
        for (facing, offset) in [(Facing::South, -0.125), (Facing::North, 0.125)] {
            let at = world([x, z + offset], TOTEM_SIGN_HEIGHT);
            totem_signs.add(&canvas, facing_transform(at, facing));
        }
    }
    for (name, canvas, transform) in hall_signs(&plan, &catalog, &mut painter) {
        let sign = sign(canvas, transform, &mut meshes, &mut materials, &mut images);
        children.push(commands.spawn((Name::new(name), sign)).id());
    }
    let root = (
        Name::new(format!("Hall {}", current.0.hall().name_en)),
        HallScene,
        Transform::default(),
        Visibility::default(),
    );
    let root = commands.spawn(root).add_children(&children).id();
    totem_signs.spawn(
        &mut commands,
        root,
        "Totem signs",
        &mut images,
        &mut meshes,
        &mut materials,
    );

    let layout = &plan.layout;
    let entrance = plan.entrance();
    for (mut visitor, mut transform) in &mut visitors {
        place(&mut visitor, &mut transform, entrance, 0.0);
    }
    let cards_wanted = cards_near(layout, entrance, atlas.radius)
        .min(cards_total)
        .min(atlas.sheet.slots_per_page() * 16);
    commands.insert_resource(LoadingProgress {
        done: 0,
        total: layout.booths.len() + cards_wanted,
    });
    commands.insert_resource(HeaderWork {
        sheet: Sheet::new(HEADER_SHEET),
        next: 0,
        cards_wanted,
        painter,
    });
    commands.insert_resource(Colliders {
        walls: contents.walls,
    });
    commands.insert_resource(CardRoot(root));
    commands.insert_resource(plan);
}

/// Paints booth headers a batch per frame, then waits for the cards around
/// the entrance; moves on to the hall when both are done.
fn paint_headers(
    mut commands: Commands,
    mut work: ResMut<HeaderWork>,
    mut progress: ResMut<LoadingProgress>,
    plan: Option<Res<HallPlan>>,
    root: Option<Res<CardRoot>>,
    catalog: Res<ExpoCatalog>,
    atlas: Res<CardAtlas>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VenueMaterial>>,
    mut next: ResMut<NextState<Screen>>,
    custom: Option<Res<CustomBooth>>,
) {
    let (Some(plan), Some(root)) = (plan, root) else {
        return;
    };
    let booths = &plan.layout.booths;
    let end = (work.next + HEADERS_PER_FRAME).min(booths.len());
    for (index, booth) in booths.iter().enumerate().take(end).skip(work.next) {
        let exhibitor = catalog.exhibitor(plan.exhibitor(booth));
        let custom = CustomBooth::of(custom.as_deref(), plan.hall, plan.exhibitor(booth));
        let canvas = paint_header(
            &mut work.painter,
            &exhibitor.name,
            index + 1,
            (booth.part, booth.parts),
            exhibitor.generated,
            custom.and_then(|custom| custom.logo.as_ref()),
        );
        let anchors = custom.map_or_else(BoothAnchors::standard, CustomBooth::anchors);
        work.sheet.add(&canvas, booth_frame(booth) * anchors.header);
    }
    work.next = end;
    if end == booths.len() && !work.sheet.is_spawned() {
        work.sheet.spawn(
            &mut commands,
            root.0,
            "Booth headers",
            &mut images,
            &mut meshes,
            &mut materials,
        );
    }
    let cards_done = atlas.resident().min(work.cards_wanted);
    *progress = LoadingProgress {
        done: end + cards_done,
        total: booths.len() + work.cards_wanted,
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

/// Number of card slots within the residency radius of a point.
fn cards_near(layout: &HallLayout, point: [f32; 2], radius: f32) -> usize {
    layout
        .booths
        .iter()
        .filter(|booth| {
            let [x, z] = booth.rect.center();
            Vec2::new(x - point[0], z - point[1]).length() <= radius - BOOTH_WIDTH
        })
        .map(|booth| booth.cards.len())
        .sum()
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

/// A booth's name header: the exhibitor's logo (when given) at its left,
/// the name, the demo mark and the booth's number at its right.
fn paint_header(
    painter: &mut TextPainter,
    name: &str,
    number: usize,
    (part, parts): (usize, usize),
    generated: bool,
    logo: Option<&Canvas>,
) -> Canvas {
    let mut canvas = Canvas::new(
        HEADER_SHEET.slot_px.x,
        HEADER_SHEET.slot_px.y,
        [34, 40, 52, 255],
    );
    let left = match logo {
        Some(logo) => {
            canvas.draw_scaled(logo, 4, 4, 56, 56);
            64.0
        }
        None => 8.0,
    };
    let label = if parts > 1 {
        format!("{name} ({}/{parts})", part + 1)
    } else {
        name.to_string()
    };
    let width = if generated { 360.0 } else { 436.0 } - left;
    painter.line(
        &mut canvas,
        &label,
        left,
        10.0,
        36.0,
        [255, 255, 255, 255],
        Align::Center,
        width,
    );
    if generated {
        canvas.fill_rect(364, 14, 72, 36, [200, 40, 40, 255]);
        painter.line(
            &mut canvas,
            "演示",
            364.0,
            16.0,
            26.0,
            [255, 255, 255, 255],
            Align::Center,
            72.0,
        );
    }
    canvas.fill_rect(444, 4, 64, 56, [236, 238, 242, 255]);
    painter.line(
        &mut canvas,
        &number.to_string(),
        444.0,
        12.0,
        32.0,
        [34, 40, 52, 255],
        Align::Center,
        64.0,
    );
    canvas
}

/// A totem's sign: the aisle's number, large, and the booths along it.
fn paint_totem(painter: &mut TextPainter, totem: &dressing::Totem, colour: [u8; 4]) -> Canvas {
    let size = TOTEM_SHEET.slot_px;
    let mut canvas = Canvas::new(size.x, size.y, [28, 32, 40, 255]);
    canvas.fill_rect(0, 0, size.x, 112, colour);
    let white = [255, 255, 255, 255];
    let line =
        |canvas: &mut Canvas, painter: &mut TextPainter, text: &str, y: f32, px: f32, ink| {
            painter.line(canvas, text, 8.0, y, px, ink, Align::Center, 240.0);
        };
    line(
        &mut canvas,
        painter,
        &totem.aisle.to_string(),
        4.0,
        96.0,
        white,
    );
    line(&mut canvas, painter, "号通道 · Aisle", 124.0, 30.0, white);
    let (first, last) = totem.booths;
    let booths = format!("展位 {first}–{last}");
    line(
        &mut canvas,
        painter,
        &booths,
        170.0,
        34.0,
        [255, 230, 160, 255],
    );
    line(
        &mut canvas,
        painter,
        "Booths",
        214.0,
        24.0,
        [200, 204, 212, 255],
    );
    canvas
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
