//! The lobby (序厅), an atrium laid out by `yunzhan_model::LobbyLayout`: the
//! entrance portal, a stone floor with the red runway to the featured stage
//! (a stage with its LED wall), columns around a skylight, and the 22
//! labelled hall gates as portals in their halls' colours. The structure is
//! one merged mesh with baked light (`light`).

use bevy::prelude::*;
use yunzhan_model::layout::Facing;
use yunzhan_model::lobby::Gate;
use yunzhan_model::{HallIndex, HallLevel, LobbyLayout, ProjectId, ProjectKind};

use crate::expo::Screen;
use crate::expo::ShippedFiles;
use crate::expo::catalog::ExpoCatalog;
use crate::world::cards::{CARD_SHEET, Card, paint_card};
use crate::world::dressing;
use crate::world::light::BakedLight;
use crate::world::navigation::{Colliders, CurrentHall, Go, floor_position, place, yaw_towards};
use crate::world::scene::{
    MergedMesh, canvas_image, facing_transform, floor_box, hall_color, panel_material, rgba, world,
    world_direction,
};
use crate::world::sheet::Sheet;
use crate::world::text_image::{Align, Canvas, TextPainter};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;
use yunzhan_model::layout::Rect;

/// A gate from the lobby into a hall.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HallGate(pub HallIndex);

/// The label panel above a gate.
#[derive(Component, Debug)]
pub(crate) struct GateLabel;

/// The root of everything the lobby spawns.
#[derive(Component, Debug)]
pub(crate) struct LobbyScene;

/// A lobby picture shown blank (in its background colour) in the lobby's
/// first frame and painted in the next (`paint_lobby`), so that the first
/// frame does not wait for text to be laid out.
#[derive(Component, Debug, Clone, Copy)]
enum Unpainted {
    GateLabel {
        hall: HallIndex,
        projects: usize,
    },
    StageSign,
    /// On the lobby's root: the featured cards' sheet, spawned under it.
    FeaturedCards,
}

const WALL_HEIGHT: f32 = 8.0;
/// The skylight's opening in the ceiling (model x and z from..to), with a
/// column at each corner.
const SKYLIGHT: [f32; 2] = [18.0, 46.0];
const GATE_HEIGHT: f32 = 4.2;
const LABEL_SIZE: UVec2 = UVec2::new(512, 224);
const STAGE_SIGN_SIZE: UVec2 = UVec2::new(1024, 256);
/// Heights of the stage's card rows (challenges on top, then promotions,
/// then transfers), how far behind the stage's front edge the card wall
/// stands, and the spacing of its cards.
const STAGE_ROW_HEIGHTS: [f32; 3] = [3.3, 2.35, 1.4];
const STAGE_WALL_SETBACK: f32 = 0.3;
const STAGE_CARD_SPACING: f32 = 1.4;

/// The lobby's floor plan, computed once.
#[derive(Resource, Debug, Clone, Deref)]
pub(crate) struct Lobby(pub LobbyLayout);

pub(super) fn plugin(app: &mut App) {
    app.insert_resource(Lobby(LobbyLayout::new()));
    app.add_systems(OnEnter(Screen::Lobby), (spawn_lobby, arrive));
    app.add_systems(
        Update,
        (enter_through_gates, paint_lobby).run_if(in_state(Screen::Lobby)),
    );
}

/// The lobby's obstacles: its four walls (the entrance side is closed by a
/// rope line) and the featured stage.
fn lobby_colliders(layout: &LobbyLayout) -> Colliders {
    let (s, t) = (layout.size, 0.3);
    Colliders {
        walls: vec![
            Rect::new(-t, -t, 0.0, s + t),
            Rect::new(s, -t, s + t, s + t),
            Rect::new(-t, s, s + t, s + t),
            Rect::new(-t, -t, s + t, 0.0),
            layout.stage,
        ]
        .into_iter()
        .chain(skylight_columns())
        .collect(),
    }
}

/// Puts the visitor at the lobby's entrance, or in front of the gate of the
/// hall they just left, facing into the lobby.
fn arrive(
    mut commands: Commands,
    layout: Res<Lobby>,
    last_hall: Option<Res<CurrentHall>>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    let (at, yaw) =
        match last_hall.and_then(|hall| layout.gates.iter().find(|g| g.hall == hall.0).copied()) {
            Some(gate) => {
                let [nx, nz] = gate.facing.normal();
                (
                    [gate.center[0] + nx * 3.0, gate.center[1] + nz * 3.0],
                    yaw_towards([nx, nz]),
                )
            }
            None => (layout.spawn, 0.0),
        };
    for (mut visitor, mut transform) in &mut visitors {
        place(&mut visitor, &mut transform, at, yaw);
    }
    commands.insert_resource(lobby_colliders(&layout));
}

/// Walking up to a gate enters its hall.
fn enter_through_gates(
    layout: Res<Lobby>,
    visitors: Query<&Transform, With<Visitor>>,
    mut go: MessageWriter<Go>,
) {
    for transform in &visitors {
        let [x, z] = floor_position(transform);
        for gate in &layout.gates {
            let [nx, nz] = gate.facing.normal();
            let (dx, dz) = (x - gate.center[0], z - gate.center[1]);
            let out = dx * nx + dz * nz;
            let across = (dx * nz - dz * nx).abs();
            if out < 1.0 && across < gate.width / 2.0 {
                go.write(Go::Hall(gate.hall));
            }
        }
    }
}

/// What the lobby is built with, and the entities built so far (the
/// children of the lobby's root).
struct LobbyBuilder<'a, 'w, 's> {
    commands: &'a mut Commands<'w, 's>,
    shell: MergedMesh,
    meshes: &'a mut Assets<Mesh>,
    materials: &'a mut Assets<VenueMaterial>,
    images: &'a mut Assets<Image>,
    children: Vec<Entity>,
}

impl LobbyBuilder<'_, '_, '_> {
    fn spawn(&mut self, bundle: impl Bundle) {
        let entity = self.commands.spawn(bundle).id();
        self.children.push(entity);
    }

    /// A panel that shows `background` until `paint_lobby` paints `picture`.
    fn blank_picture(
        &mut self,
        size: Vec2,
        background: Color,
        picture: Unpainted,
    ) -> impl Bundle + use<> {
        let blank = self
            .images
            .add(canvas_image(Canvas::new(1, 1, rgba(background))));
        (
            Mesh3d(self.meshes.add(Rectangle::from_size(size))),
            MeshMaterial3d(self.materials.add(panel_material(blank))),
            picture,
        )
    }

    /// The floor, the north, east and west walls, the ceiling around the
    /// skylight with its columns, and the entrance portal on the open south
    /// side.
    fn room(&mut self, layout: &LobbyLayout) {
        let size = layout.size;
        let stage = layout.stage;
        let runway = [size / 2.0 - 2.0, size / 2.0 + 2.0];
        let color_at = |[x, z]: [f32; 2]| {
            let on_runway = (runway[0]..runway[1]).contains(&x) && z < stage.min[1];
            let checker = ((x / 4.0).floor() + (z / 4.0).floor()) as i32 % 2 == 0;
            Some(match (on_runway, checker) {
                (true, _) => Color::srgb(0.56, 0.13, 0.15),
                (false, true) => Color::srgb(0.80, 0.79, 0.76),
                (false, false) => Color::srgb(0.72, 0.71, 0.69),
            })
        };
        let columns = skylight_columns();
        let occupied = |p: [f32; 2]| stage.contains(p) || columns.iter().any(|c| c.contains(p));
        let whole = Rect::new(0.0, 0.0, size, size);
        dressing::floor_cells(
            [size, size],
            2.0,
            whole,
            color_at,
            occupied,
            &mut self.shell,
        );
        let wall = Color::srgb(0.90, 0.90, 0.87);
        let t = 0.3;
        for rect in [
            Rect::new(-t, size, size + t, size + t),
            Rect::new(-t, 0.0, 0.0, size),
            Rect::new(size, 0.0, size + t, size),
        ] {
            let (min, max) = floor_box(&rect, 0.0, WALL_HEIGHT);
            self.shell.cuboid(min, max, wall);
        }
        let [from, to] = SKYLIGHT;
        let ceiling = Color::srgb(0.40, 0.42, 0.46);
        for rect in [
            Rect::new(0.0, 0.0, size, from),
            Rect::new(0.0, to, size, size),
            Rect::new(0.0, from, from, to),
            Rect::new(to, from, size, to),
        ] {
            let (min, max) = floor_box(&rect, WALL_HEIGHT, WALL_HEIGHT + 0.4);
            self.shell.cuboid(min, max, ceiling);
        }
        let metal = Color::srgb(0.30, 0.31, 0.34);
        for k in 1..4 {
            let at = from + (to - from) * k as f32 / 4.0;
            for rect in [
                Rect::new(at - 0.15, from, at + 0.15, to),
                Rect::new(from, at - 0.15, to, at + 0.15),
            ] {
                let (min, max) = floor_box(&rect, WALL_HEIGHT, WALL_HEIGHT + 0.3);
                self.shell.cuboid(min, max, metal);
            }
        }
        for column in columns {
            let (min, max) = floor_box(&column, 0.0, WALL_HEIGHT);
            self.shell.cuboid(min, max, Color::srgb(0.86, 0.84, 0.80));
        }
        // The entrance: two pylons and a lintel over the runway.
        let gold = Color::srgb(0.78, 0.55, 0.12);
        for x in [runway[0] - 4.0, runway[1] + 3.0] {
            let (min, max) = floor_box(&Rect::new(x, -1.0, x + 1.0, 0.0), 0.0, 6.0);
            self.shell.cuboid(min, max, gold);
        }
        let lintel = Rect::new(runway[0] - 4.0, -1.0, runway[1] + 4.0, 0.0);
        let (min, max) = floor_box(&lintel, 6.0, 6.8);
        self.shell.cuboid(min, max, gold.darker(0.1));
    }

    /// A hall's gate: the door in the hall's colour, its label above and a
    /// post on each side.
    fn gate(&mut self, gate: &Gate, projects: usize) {
        let hall = gate.hall.hall();
        let color = hall_color(hall);
        let normal = world_direction(gate.facing.normal());
        let along = normal.cross(Vec3::Y);
        let base = world(gate.center, 0.0) + normal * 0.25;

        let door = facing_transform(base + Vec3::Y * (GATE_HEIGHT / 2.0), gate.facing);
        let half = Vec3::new(gate.width / 2.0, GATE_HEIGHT / 2.0, 0.0);
        let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
            .map(|(x, y)| door.transform_point(Vec3::new(x, y, 0.0) * half / door.scale));
        self.shell.glow(corners, color.mix(&Color::WHITE, 0.12));
        let name = format!("Gate {}", hall.name_en);
        self.spawn((Name::new(name), HallGate(gate.hall), door));

        let label_height = (gate.width + 1.0) * LABEL_SIZE.y as f32 / LABEL_SIZE.x as f32;
        let label_transform = facing_transform(
            base + Vec3::Y * (GATE_HEIGHT + 0.2 + label_height / 2.0) + normal * 0.05,
            gate.facing,
        );
        let picture = Unpainted::GateLabel {
            hall: gate.hall,
            projects,
        };
        let label = self.blank_picture(Vec2::new(gate.width + 1.0, label_height), color, picture);
        let name = format!("Gate label {}", hall.name_en);
        self.spawn((Name::new(name), GateLabel, label, label_transform));
        // The portal: a post either side up past the label, a lintel on top.
        let top = GATE_HEIGHT + 0.4 + label_height;
        let frame = Color::srgb(0.22, 0.24, 0.28);
        for side in [-1.0, 1.0] {
            let centre = base + along * side * (gate.width / 2.0 + 0.75);
            let extent = (along * 0.25).abs() + (normal * 0.3).abs();
            self.shell
                .cuboid(centre - extent, centre + extent + Vec3::Y * top, frame);
        }
        let span = (along * (gate.width / 2.0 + 1.0)).abs() + (normal * 0.3).abs();
        let lintel = base + Vec3::Y * top;
        self.shell
            .cuboid(lintel - span, lintel + span + Vec3::Y * 0.4, frame);
    }

    /// The featured stage with its sign.
    fn stage(&mut self, stage: Rect) {
        let width = stage.size()[0];
        let (min, max) = floor_box(&stage, 0.0, 0.6);
        self.shell.cuboid(min, max, Color::srgb(0.45, 0.10, 0.11));
        // A step along the front, and the LED wall behind the cards.
        let step = Rect::new(
            stage.min[0] + 1.0,
            stage.min[1] - 0.7,
            stage.max[0] - 1.0,
            stage.min[1],
        );
        let (min, max) = floor_box(&step, 0.0, 0.3);
        self.shell.cuboid(min, max, Color::srgb(0.35, 0.08, 0.09));
        let wall_z = stage.min[1] + STAGE_WALL_SETBACK + 0.05;
        let led = Rect::new(stage.min[0] + 0.3, wall_z, stage.max[0] - 0.3, wall_z + 0.3);
        let (min, max) = floor_box(&led, 0.6, 6.6);
        self.shell.cuboid(min, max, Color::srgb(0.07, 0.07, 0.09));
        let rim = Rect::new(
            led.min[0] - 0.1,
            wall_z - 0.02,
            led.max[0] + 0.1,
            wall_z + 0.32,
        );
        let (min, max) = floor_box(&rim, 6.6, 6.75);
        self.shell
            .glowing_cuboid(min, max, Color::srgb(0.95, 0.75, 0.30));
        let sign_width = width * 0.6;
        let sign_height = sign_width * STAGE_SIGN_SIZE.y as f32 / STAGE_SIGN_SIZE.x as f32;
        let size = Vec2::new(sign_width, sign_height);
        let sign = self.blank_picture(size, Color::srgb_u8(150, 24, 24), Unpainted::StageSign);
        let at = facing_transform(
            world(
                [stage.center()[0], stage.min[1] + STAGE_WALL_SETBACK],
                STAGE_ROW_HEIGHTS[0] + 0.6 + sign_height / 2.0,
            ),
            Facing::South,
        );
        self.spawn((Name::new("Featured stage sign"), sign, at));
    }

    /// The featured cards (clickable at once; their pictures come with
    /// [`Unpainted::FeaturedCards`]).
    fn featured_cards(&mut self, stage: Rect, catalog: &ExpoCatalog) {
        for (project, transform) in featured_places(stage, catalog) {
            let card = Card {
                project,
                booth: None,
            };
            self.spawn((card, transform));
        }
    }
}

/// The 30 major projects on a wall at the stage's front edge, a row per
/// kind, readable (and clickable) from the floor in front of the stage.
fn featured_places(stage: Rect, catalog: &ExpoCatalog) -> Vec<(ProjectId, Transform)> {
    let mut places = Vec::new();
    for (row, kind) in ProjectKind::ALL.into_iter().enumerate() {
        let projects: Vec<_> = catalog
            .featured()
            .filter(|&id| catalog.project(id).kind == kind)
            .collect();
        let count = projects.len() as f32;
        for (column, project) in projects.into_iter().enumerate() {
            let x = stage.center()[0] + (column as f32 - (count - 1.0) / 2.0) * STAGE_CARD_SPACING;
            let at = [x, stage.min[1] + STAGE_WALL_SETBACK];
            let transform = facing_transform(world(at, STAGE_ROW_HEIGHTS[row]), Facing::South);
            places.push((project, transform));
        }
    }
    places
}

fn spawn_lobby(
    mut commands: Commands,
    layout: Res<Lobby>,
    catalog: Res<ExpoCatalog>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VenueMaterial>>,
    mut images: ResMut<Assets<Image>>,
) {
    let root = (
        Name::new("Lobby"),
        LobbyScene,
        Unpainted::FeaturedCards,
        DespawnOnExit(Screen::Lobby),
        Transform::default(),
        Visibility::default(),
    );
    let root = commands.spawn(root).id();
    let mut builder = LobbyBuilder {
        commands: &mut commands,
        shell: MergedMesh::new(dressing::TILE),
        meshes: &mut meshes,
        materials: &mut materials,
        images: &mut images,
        children: Vec::new(),
    };
    builder.room(&layout);
    for gate in &layout.gates {
        let projects = catalog.hall_project_count(gate.hall);
        builder.gate(gate, projects);
    }
    builder.stage(layout.stage);
    builder.featured_cards(layout.stage, &catalog);
    let light = BakedLight::over(
        [2.0, layout.size - 2.0],
        [-(layout.size - 2.0), -2.0],
        8.0,
        WALL_HEIGHT,
    );
    let venue = builder.materials.add(VenueMaterial::default());
    for tile in std::mem::replace(&mut builder.shell, MergedMesh::new(1.0)).build(&light) {
        let parts = (
            Mesh3d(builder.meshes.add(tile)),
            MeshMaterial3d(venue.clone()),
        );
        builder.spawn((Name::new("Lobby structure"), parts));
    }
    let children = builder.children;
    commands.entity(root).add_children(&children);
}

/// Paints the lobby's pictures, the frame after the lobby first shows.
fn paint_lobby(
    mut commands: Commands,
    unpainted: Query<(Entity, Ref<Unpainted>)>,
    layout: Res<Lobby>,
    catalog: Res<ExpoCatalog>,
    files: Res<ShippedFiles>,
    mut assets: (
        ResMut<Assets<Image>>,
        ResMut<Assets<Mesh>>,
        ResMut<Assets<VenueMaterial>>,
    ),
) {
    if unpainted.iter().all(|(_, picture)| picture.is_added()) {
        return;
    }
    let (images, meshes, materials) = (&mut *assets.0, &mut *assets.1, &mut *assets.2);
    let mut painter = TextPainter::new(&files);
    for (entity, picture) in &unpainted {
        commands.entity(entity).remove::<Unpainted>();
        let canvas = match *picture {
            Unpainted::GateLabel { hall, projects } => {
                paint_gate_label(&mut painter, hall, projects)
            }
            Unpainted::StageSign => paint_stage_sign(&mut painter, &catalog),
            Unpainted::FeaturedCards => {
                let mut sheet = Sheet::new(CARD_SHEET);
                for (project, transform) in featured_places(layout.stage, &catalog) {
                    sheet.add(
                        &paint_card(&mut painter, catalog.project(project)),
                        transform,
                    );
                }
                let name = "Featured stage cards";
                sheet.spawn(&mut commands, entity, name, images, meshes, materials);
                continue;
            }
        };
        let material = panel_material(images.add(canvas_image(canvas)));
        commands
            .entity(entity)
            .insert(MeshMaterial3d(materials.add(material)));
    }
}

/// The four columns at the skylight's corners, as floor rectangles.
fn skylight_columns() -> [Rect; 4] {
    let [from, to] = SKYLIGHT;
    [[from, from], [to, from], [from, to], [to, to]]
        .map(|[x, z]| Rect::new(x - 0.6, z - 0.6, x + 0.6, z + 0.6))
}

/// The gate's sign: Chinese name, English beneath, project count.
fn paint_gate_label(painter: &mut TextPainter, hall: HallIndex, projects: usize) -> Canvas {
    let info = hall.hall();
    let mut canvas = Canvas::new(LABEL_SIZE.x, LABEL_SIZE.y, rgba(hall_color(info)));
    let white = [255, 255, 255, 255];
    let width = LABEL_SIZE.x as f32 - 24.0;
    let name_size = if info.level == HallLevel::Provincial {
        88.0
    } else {
        96.0
    };
    painter.line(
        &mut canvas,
        info.name_zh,
        12.0,
        8.0,
        name_size,
        white,
        Align::Center,
        width,
    );
    painter.line(
        &mut canvas,
        info.name_en,
        12.0,
        124.0,
        40.0,
        white,
        Align::Center,
        width,
    );
    let count = format!("{projects} 个项目 · projects");
    painter.line(
        &mut canvas,
        &count,
        12.0,
        174.0,
        30.0,
        [255, 255, 255, 220],
        Align::Center,
        width,
    );
    canvas
}

/// The stage sign: the 30 major projects by kind.
fn paint_stage_sign(painter: &mut TextPainter, catalog: &ExpoCatalog) -> Canvas {
    let mut canvas = Canvas::new(STAGE_SIGN_SIZE.x, STAGE_SIGN_SIZE.y, [150, 24, 24, 255]);
    let white = [255, 255, 255, 255];
    let featured: Vec<ProjectKind> = catalog
        .featured()
        .map(|id| catalog.project(id).kind)
        .collect();
    painter.line(
        &mut canvas,
        &format!("重大科创项目发布 · {} 项", featured.len()),
        16.0,
        12.0,
        80.0,
        white,
        Align::Center,
        992.0,
    );
    let by_kind: Vec<String> = ProjectKind::ALL
        .iter()
        .map(|kind| {
            format!(
                "{} {}",
                kind.name_zh(),
                featured.iter().filter(|k| *k == kind).count()
            )
        })
        .collect();
    painter.line(
        &mut canvas,
        &by_kind.join(" · "),
        16.0,
        122.0,
        37.0,
        white,
        Align::Center,
        992.0,
    );
    painter.line(
        &mut canvas,
        "Major projects launched at the conference",
        16.0,
        186.0,
        36.0,
        [255, 230, 230, 255],
        Align::Center,
        992.0,
    );
    canvas
}
