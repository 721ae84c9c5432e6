//! A hall's architecture and dressing, generated from its layout (nothing is
//! placed by hand): carpeted aisles (the entrance runway and the promenade
//! in red), a ceiling with a truss grid and light fixtures, shell-scheme
//! booths (zone-coloured side walls, a fascia board for the name header, a
//! counter, a screen, plants and seats varied per booth), banner cables and
//! wayfinding totems at aisle crossings. Everything goes into the hall's
//! merged mesh, and the same layout always gives the same scene.

use bevy::prelude::*;
use yunzhan_model::layout::{
    BOOTH_DEPTH, BOOTH_WIDTH, Booth, Facing, HallLayout, MAIN_AISLE, Rect,
};

use crate::world::booth::{BACK_WALL, BOOTH_WALL_HEIGHT, FASCIA, booth_frame, booth_rect_in_hall};
use crate::world::light::BakedLight;
use crate::world::scene::{MergedMesh, facing_transform, floor_box, industry_color, world};
use crate::world::venue::{CARPET_FINISH, METAL_FINISH, WOOD_FINISH};

/// Edge of the square tiles a hall's structure is cut into (metres).
pub(crate) const TILE: f32 = 24.0;
/// The ceiling's height; the truss hangs below it.
pub(crate) const CEILING: f32 = 7.0;
const TRUSS_BOTTOM: f32 = 6.1;
const FIXTURE_SPACING: f32 = 6.0;
/// The floor is drawn in cells of this size (metres), each coloured by what
/// it is (aisle, runway, concrete) and shaded by what stands beside it.
const FLOOR_CELL: f32 = 1.0;
/// Hanging zone banners: their height (centre) and size.
pub(crate) const BANNER_HEIGHT: f32 = 5.0;
pub(crate) const BANNER_SIZE: Vec2 = Vec2::new(6.0, 1.5);
/// A totem's sign (square), the height of its centre.
pub(crate) const TOTEM_SIGN: f32 = 0.86;
pub(crate) const TOTEM_SIGN_HEIGHT: f32 = 2.25;

const CONCRETE: Color = Color::srgb(0.70, 0.71, 0.72);
const CARPET: Color = Color::srgba(0.33, 0.39, 0.49, CARPET_FINISH);
const RUNWAY: Color = Color::srgba(0.56, 0.13, 0.15, CARPET_FINISH);
const METAL: Color = Color::srgba(0.30, 0.31, 0.34, METAL_FINISH);
const WOOD: Color = Color::srgba(0.78, 0.62, 0.42, WOOD_FINISH);
const CEILING_COLOR: Color = Color::srgb(0.36, 0.38, 0.42);
const FIXTURE_LIGHT: Color = Color::srgb(1.0, 0.97, 0.90);
const FASCIA_COLOR: Color = Color::srgb(0.13, 0.15, 0.20);
const WALL_COLOR: Color = Color::srgb(0.90, 0.90, 0.88);
/// The outer walls' band in the hall's colour (bottom and top, metres) and
/// their skirting's height.
const WALL_BAND: [f32; 2] = [3.4, 4.0];
const SKIRTING: f32 = 0.15;
/// The door's portal inside the hall: posts either side, how far they stand
/// into the hall, and the height below its lintel (above the door's sign).
const PORTAL_POST: f32 = 0.6;
const PORTAL_DEPTH: f32 = 0.35;
const PORTAL_CLEARANCE: f32 = 4.7;
const LOBBY_GLOW: Color = Color::srgb(0.96, 0.94, 0.88);

/// An east–west aisle between islands (numbered from the entrance, from 1),
/// as a range of the model's z.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Aisle {
    pub(crate) number: usize,
    pub(crate) z: [f32; 2],
}

/// A wayfinding totem where a cross aisle meets an aisle: which aisle, and
/// the booth numbers (from 1) along it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Totem {
    pub(crate) at: [f32; 2],
    pub(crate) aisle: usize,
    pub(crate) booths: (usize, usize),
}

/// The start (model z) of each island, from the entrance.
fn island_starts(layout: &HallLayout) -> Vec<f32> {
    let mut starts: Vec<f32> = (layout.booths.iter())
        .filter(|booth| booth.facing == Facing::South)
        .map(|booth| booth.rect.min[1])
        .collect();
    starts.sort_by(f32::total_cmp);
    starts.dedup();
    starts
}

/// The aisles in front of, between and behind the islands.
pub(crate) fn aisles(layout: &HallLayout) -> Vec<Aisle> {
    let starts = island_starts(layout);
    let island = 2.0 * BOOTH_DEPTH;
    let mut aisles = Vec::new();
    let mut from = starts.first().map_or(0.0, |first| first - MAIN_AISLE);
    for (index, &start) in starts.iter().enumerate() {
        aisles.push(Aisle {
            number: index + 1,
            z: [from, start],
        });
        from = start + island;
    }
    aisles.push(Aisle {
        number: starts.len() + 1,
        z: [from, from + MAIN_AISLE],
    });
    aisles
}

/// The x ranges of the aisles that cut through the rows (not the perimeter).
pub(crate) fn cross_aisles(layout: &HallLayout) -> Vec<[f32; 2]> {
    let mut columns: Vec<f32> = layout.booths.iter().map(|b| b.rect.min[0]).collect();
    columns.sort_by(f32::total_cmp);
    columns.dedup();
    columns
        .windows(2)
        .filter(|pair| pair[1] - pair[0] > BOOTH_WIDTH + 0.5)
        .map(|pair| [pair[0] + BOOTH_WIDTH, pair[1]])
        .collect()
}

/// The aisle a booth opens onto (its index in [`aisles`]).
fn aisle_of(booth: &Booth, aisles: &[Aisle]) -> Option<usize> {
    let front = booth.front(0.5)[1];
    aisles
        .iter()
        .position(|aisle| (aisle.z[0]..=aisle.z[1]).contains(&front))
}

/// A totem at every crossing of an aisle with a cross aisle.
pub(crate) fn totems(layout: &HallLayout) -> Vec<Totem> {
    let aisles = aisles(layout);
    let mut ranges: Vec<Option<(usize, usize)>> = vec![None; aisles.len()];
    for (index, booth) in layout.booths.iter().enumerate() {
        if let Some(aisle) = aisle_of(booth, &aisles) {
            let number = index + 1;
            let range = ranges[aisle].get_or_insert((number, number));
            *range = (range.0.min(number), range.1.max(number));
        }
    }
    let crossings = cross_aisles(layout);
    aisles
        .iter()
        .zip(ranges)
        .filter_map(|(aisle, range)| range.map(|range| (aisle, range)))
        .flat_map(|(aisle, booths)| {
            crossings.iter().map(move |x| Totem {
                at: [(x[0] + x[1]) / 2.0, (aisle.z[0] + aisle.z[1]) / 2.0],
                aisle: aisle.number,
                booths,
            })
        })
        .collect()
}

/// A stretch of the hall's outer wall (a floor rectangle, thin one way):
/// pale, with a dark skirting and a band in the hall's colour, both standing
/// proud of its faces.
pub(crate) fn outer_wall(wall: Rect, hall_colour: Color, shell: &mut MergedMesh) {
    let (min, max) = floor_box(&wall, 0.0, CEILING);
    shell.cuboid(min, max, WALL_COLOR);
    let [width, depth] = wall.size();
    let proud = if width < depth {
        Rect::new(
            wall.min[0] - 0.02,
            wall.min[1],
            wall.max[0] + 0.02,
            wall.max[1],
        )
    } else {
        Rect::new(
            wall.min[0],
            wall.min[1] - 0.02,
            wall.max[0],
            wall.max[1] + 0.02,
        )
    };
    for (bottom, top, colour) in [
        (0.0, SKIRTING, METAL),
        (WALL_BAND[0], WALL_BAND[1], hall_colour),
    ] {
        let (min, max) = floor_box(&proud, bottom, top);
        shell.cuboid(min, max, colour);
    }
}

/// The door seen from inside: a portal in the hall's colour, a post either
/// side and a lintel over the door's sign. Returns the posts' footprints.
pub(crate) fn door_portal(
    layout: &HallLayout,
    hall_colour: Color,
    shell: &mut MergedMesh,
) -> [Rect; 2] {
    let [x, _] = layout.door;
    let half = layout.door_width / 2.0;
    let posts = [x - half - PORTAL_POST, x + half]
        .map(|from| Rect::new(from, 0.0, from + PORTAL_POST, PORTAL_DEPTH));
    for post in &posts {
        let (min, max) = floor_box(post, 0.0, CEILING);
        shell.cuboid(min, max, hall_colour);
    }
    let lintel = Rect::new(x - half, -0.3, x + half, PORTAL_DEPTH);
    let (min, max) = floor_box(&lintel, PORTAL_CLEARANCE, CEILING);
    shell.cuboid(min, max, hall_colour.darker(0.1));
    // The lit lobby beyond, as a glowing panel in the opening.
    let opening = facing_transform(world([x, -0.25], PORTAL_CLEARANCE / 2.0), Facing::North);
    let size = Vec3::new(half, PORTAL_CLEARANCE / 2.0, 0.0);
    let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .map(|(a, b)| opening.transform_point(Vec3::new(a, b, 0.0) * size));
    shell.glow(corners, LOBBY_GLOW);
    posts
}

/// The hall's light: a fixture every 6 m under the truss.
pub(crate) fn hall_light(layout: &HallLayout) -> BakedLight {
    let inset = FIXTURE_SPACING / 2.0;
    BakedLight::over(
        [inset, layout.width - inset],
        [-(layout.depth - inset), -inset],
        FIXTURE_SPACING,
        TRUSS_BOTTOM,
    )
}

/// The floor's colour at a point of the model: the entrance runway and the
/// promenade in front of the first island in red, the other aisles carpeted,
/// the rest concrete.
fn floor_color(
    layout: &HallLayout,
    aisles: &[Aisle],
    crossings: &[[f32; 2]],
    p: [f32; 2],
) -> Color {
    let [x, z] = p;
    let inside_x = |range: [f32; 2]| (range[0]..range[1]).contains(&x);
    let inside_z = |range: [f32; 2]| (range[0]..range[1]).contains(&z);
    let half_door = layout.door_width / 2.0;
    let first = aisles.first().map_or([0.0, 0.0], |a| a.z);
    let runway = inside_x([layout.door[0] - half_door, layout.door[0] + half_door]) && z < first[1];
    let rows = [3.0, layout.width - 3.0];
    if runway || (inside_z(first) && inside_x(rows)) {
        return RUNWAY;
    }
    let islands = [first[1], aisles.last().map_or(0.0, |a| a.z[0])];
    let in_aisle = aisles.iter().any(|aisle| inside_z(aisle.z)) && inside_x(rows);
    let in_cross = crossings.iter().any(|&range| inside_x(range)) && inside_z(islands);
    if in_aisle || in_cross {
        CARPET
    } else {
        CONCRETE
    }
}

/// The hall's floor inside `region` (model metres), without the cells
/// under `booths` (those standing in or beside the region).
pub(crate) fn floor(layout: &HallLayout, region: Rect, booths: &[&Booth], shell: &mut MergedMesh) {
    let aisles = aisles(layout);
    let crossings = cross_aisles(layout);
    let in_booth = |p: [f32; 2]| booths.iter().any(|b| b.rect.contains(p));
    floor_cells(
        [layout.width, layout.depth],
        FLOOR_CELL,
        region,
        |p| (!in_booth(p)).then(|| floor_color(layout, &aisles, &crossings, p)),
        in_booth,
        shell,
    );
}

/// The cells inside `region` of a floor of `size` (model metres) in square
/// cells, each coloured by `color_at` its centre (none: not drawn). Each
/// corner darkens for every cell touching it that is `occupied` or outside
/// the floor (ambient occlusion beside walls and what stands on the floor).
/// Regions whose edges fall on cell edges share no cell.
pub(crate) fn floor_cells(
    size: [f32; 2],
    cell: f32,
    region: Rect,
    color_at: impl Fn([f32; 2]) -> Option<Color>,
    occupied: impl Fn([f32; 2]) -> bool,
    shell: &mut MergedMesh,
) {
    let (columns, rows) = (
        (size[0] / cell).ceil() as i32,
        (size[1] / cell).ceil() as i32,
    );
    let first = |from: f32| ((from / cell).round() as i32).max(0);
    let (i0, j0) = (first(region.min[0]), first(region.min[1]));
    let i1 = ((region.max[0] / cell).round() as i32).min(columns);
    let j1 = ((region.max[1] / cell).round() as i32).min(rows);
    let centre = |i: i32, j: i32| [(i as f32 + 0.5) * cell, (j as f32 + 0.5) * cell];
    // The region's cells and a border of one, blocked or not.
    let stride = (i1 - i0 + 2).max(0);
    let blocked: Vec<bool> = (j0 - 1..=j1)
        .flat_map(|j| (i0 - 1..=i1).map(move |i| (i, j)))
        .map(|(i, j)| i < 0 || j < 0 || i >= columns || j >= rows || occupied(centre(i, j)))
        .collect();
    let blocked_at = |i: i32, j: i32| blocked[((j - j0 + 1) * stride + i - i0 + 1) as usize];
    // A corner's shade: darker for each blocked cell touching it.
    let shade = |i: i32, j: i32| {
        let touching = [(i - 1, j - 1), (i, j - 1), (i - 1, j), (i, j)];
        let count = touching.iter().filter(|&&(a, b)| blocked_at(a, b)).count();
        1.0 - 0.11 * count as f32
    };
    for j in j0..j1 {
        for i in i0..i1 {
            let Some(color) = color_at(centre(i, j)) else {
                continue;
            };
            let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
            let point = |(a, b): (i32, i32)| {
                let x = (a as f32 * cell).min(size[0]);
                let z = (b as f32 * cell).min(size[1]);
                world([x, z], 0.0)
            };
            shell.shaded_quad(
                corners.map(point),
                corners.map(|(a, b)| dimmed(color, shade(a, b))),
            );
        }
    }
}

/// A colour with its light scaled by `factor` (its finish kept).
fn dimmed(color: Color, factor: f32) -> Color {
    let linear = LinearRgba::from(color);
    LinearRgba::new(
        linear.red * factor,
        linear.green * factor,
        linear.blue * factor,
        linear.alpha,
    )
    .into()
}

/// The ceiling over `region` (model metres, inside the hall), the truss
/// grid hanging from it and a fixture at each node of the grid in the region.
pub(crate) fn ceiling(light: &BakedLight, region: Rect, shell: &mut MergedMesh) {
    let ([x, z], [x1, z1]) = (region.min, region.max);
    // Facing down: counter-clockwise seen from below.
    shell.quad(
        [
            world([x, z], CEILING),
            world([x, z1], CEILING),
            world([x1, z1], CEILING),
            world([x1, z], CEILING),
        ],
        CEILING_COLOR,
    );
    let beam = 0.22;
    let fixtures: Vec<Vec3> = light.fixtures().collect();
    let (nx, nz) = (light.count.x as usize, light.count.y as usize);
    let in_region = |node: Vec3| {
        let [x, z] = [node.x, -node.z];
        (region.min[0]..region.max[0]).contains(&x) && (region.min[1]..region.max[1]).contains(&z)
    };
    for (index, &node) in fixtures.iter().enumerate() {
        if !in_region(node) {
            continue;
        }
        let (i, j) = (index % nx, index / nx);
        let bottom = TRUSS_BOTTOM;
        let top = bottom + beam;
        if i + 1 < nx {
            let next = fixtures[index + 1];
            shell.cuboid(
                Vec3::new(node.x, bottom, node.z - beam / 2.0),
                Vec3::new(next.x, top, node.z + beam / 2.0),
                METAL,
            );
        }
        if j + 1 < nz {
            let next = fixtures[index + nx];
            shell.cuboid(
                Vec3::new(node.x - beam / 2.0, bottom, next.z.min(node.z)),
                Vec3::new(node.x + beam / 2.0, top, next.z.max(node.z)),
                METAL,
            );
        }
        // Hangers up to the ceiling at the grid's nodes, then the fixture.
        shell.cuboid(
            Vec3::new(node.x - 0.04, top, node.z - 0.04),
            Vec3::new(node.x + 0.04, CEILING, node.z + 0.04),
            METAL,
        );
        let half = 0.35;
        shell.cuboid(
            Vec3::new(node.x - half, bottom - 0.14, node.z - half),
            Vec3::new(node.x + half, bottom, node.z + half),
            METAL,
        );
        let y = bottom - 0.145;
        shell.glow(
            [
                Vec3::new(node.x - half + 0.05, y, node.z - half + 0.05),
                Vec3::new(node.x + half - 0.05, y, node.z - half + 0.05),
                Vec3::new(node.x + half - 0.05, y, node.z + half - 0.05),
                Vec3::new(node.x - half + 0.05, y, node.z + half - 0.05),
            ],
            FIXTURE_LIGHT,
        );
    }
}

/// A box given in a booth's own frame (origin mid-floor, +Z into the aisle).
fn booth_box(
    shell: &mut MergedMesh,
    frame: &Transform,
    min: Vec3,
    max: Vec3,
    color: Color,
    glow: bool,
) {
    let (a, b) = (frame.transform_point(min), frame.transform_point(max));
    match glow {
        true => shell.glowing_cuboid(a.min(b), a.max(b), color),
        false => shell.cuboid(a.min(b), a.max(b), color),
    }
}

/// A small deterministic hash of a booth's number, for its variations.
fn variation(index: usize) -> u32 {
    (index as u32).wrapping_mul(2_654_435_761).rotate_right(13)
}

/// The standard shell-scheme booth: carpet in the zone's colour, a white
/// back wall for the cards, side walls in the zone's colour, the fascia
/// board, and furniture that differs from booth to booth. Returns the floor
/// rectangles (of the hall) a visitor cannot walk through.
pub(crate) fn booth(booth: &Booth, index: usize, shell: &mut MergedMesh) -> Vec<Rect> {
    let frame = booth_frame(booth);
    let zone = industry_color(booth.industry);
    let (hw, hd) = (BOOTH_WIDTH / 2.0, BOOTH_DEPTH / 2.0);
    let wall = BOOTH_WALL_HEIGHT;
    let side = 0.08;
    let v = Vec3::new;
    let mut parts =
        |min: Vec3, max: Vec3, color: Color| booth_box(shell, &frame, min, max, color, false);
    parts(
        v(-hw, 0.0, -hd),
        v(hw, 0.03, hd),
        zone.mix(&Color::WHITE, 0.45),
    );
    parts(
        v(-hw, 0.0, -hd),
        v(hw, wall, -hd + BACK_WALL),
        Color::srgb(0.96, 0.96, 0.95),
    );
    for x in [-hw, hw - side] {
        parts(v(x, 0.0, -hd), v(x + side, wall, hd), zone);
    }
    parts(
        v(-hw, FASCIA.0, hd - 0.15),
        v(hw, FASCIA.1, hd),
        FASCIA_COLOR,
    );
    furniture(&frame, zone, variation(index), shell)
        .into_iter()
        .map(|rect| booth_rect_in_hall(booth, &rect))
        .collect()
}

/// A booth's furniture, in its own frame; returns its footprints (booth
/// floor rectangles).
fn furniture(frame: &Transform, zone: Color, bits: u32, shell: &mut MergedMesh) -> Vec<Rect> {
    let (hw, hd) = (BOOTH_WIDTH / 2.0, BOOTH_DEPTH / 2.0);
    let side = 0.08;
    let v = Vec3::new;
    let mut parts =
        |min: Vec3, max: Vec3, color: Color| booth_box(shell, frame, min, max, color, false);
    let hand = if bits & 1 == 0 { 1.0 } else { -1.0 };
    let mut obstacles = Vec::new();
    // The counter: a zone-coloured body with a wooden top, to one side.
    let counter = (
        v(hand * 1.0 - 0.6, 0.0, 0.8),
        v(hand * 1.0 + 0.6, 0.98, 1.4),
    );
    parts(counter.0, counter.1, zone.darker(0.12));
    parts(
        counter.0 + v(-0.05, 0.98, -0.05),
        v(counter.1.x + 0.05, 1.04, counter.1.z + 0.05),
        WOOD,
    );
    obstacles.push(local_rect(counter.0, counter.1));
    // A plant in a front corner, on the other side; its height varies.
    let corner = -hand * (hw - 0.45);
    let leaves = 0.9 + ((bits >> 3) % 4) as f32 * 0.12;
    parts(
        v(corner - 0.22, 0.0, hd - 0.75),
        v(corner + 0.22, 0.42, hd - 0.31),
        Color::srgb(0.45, 0.45, 0.47),
    );
    parts(
        v(corner - 0.3, 0.42, hd - 0.83),
        v(corner + 0.3, 0.42 + leaves, hd - 0.23),
        Color::srgb(0.22, 0.50, 0.24),
    );
    obstacles.push(local_rect(
        v(corner - 0.3, 0.0, hd - 0.83),
        v(corner + 0.3, 0.0, hd - 0.23),
    ));
    // Stools in front of the counter in some booths, a brochure stand in others.
    if (bits >> 6) & 1 == 0 {
        for offset in [-0.35, 0.35] {
            let x = hand * 1.0 + offset;
            parts(
                v(x - 0.18, 0.0, 1.55),
                v(x + 0.18, 0.62, 1.85),
                Color::srgb(0.20, 0.21, 0.24),
            );
        }
    } else {
        let x = hand * 2.3;
        parts(
            v(x - 0.2, 0.0, 1.0),
            v(x + 0.2, 1.25, 1.22),
            Color::srgb(0.85, 0.85, 0.83),
        );
    }
    // A screen on the side wall across from the counter.
    let wall_x = -hand * (hw - side);
    let inward = hand * 0.06;
    let (low, high) = (wall_x.min(wall_x + inward), wall_x.max(wall_x + inward));
    let mut shell_box = |min: Vec3, max: Vec3, color: Color, glow: bool| {
        booth_box(shell, frame, min, max, color, glow)
    };
    shell_box(
        v(low, 1.05, -1.1),
        v(high, 1.95, 0.4),
        Color::srgb(0.08, 0.08, 0.10),
        false,
    );
    let screen = zone.mix(&Color::WHITE, 0.35 + 0.1 * ((bits >> 9) % 3) as f32);
    let (glow_low, glow_high) = match hand > 0.0 {
        true => (high, high + 0.005),
        false => (low - 0.005, low),
    };
    shell_box(
        v(glow_low, 1.1, -1.05),
        v(glow_high, 1.9, 0.35),
        screen,
        true,
    );
    obstacles
}

/// A floor rectangle (model `[x, z]`) from two corners of a booth-frame box.
fn local_rect(a: Vec3, b: Vec3) -> Rect {
    // The booth frame's +Z is its floor's -z (scene::world).
    Rect::new(a.x.min(b.x), -a.z.max(b.z), a.x.max(b.x), -a.z.min(b.z))
}

/// Two cables from a hanging banner up to the ceiling, and its backing.
pub(crate) fn banner(shell: &mut MergedMesh, centre: Vec3, color: Color) {
    let half = BANNER_SIZE / 2.0;
    shell.cuboid(
        centre + Vec3::new(-half.x, -half.y, 0.01),
        centre + Vec3::new(half.x, half.y, 0.08),
        color.darker(0.2),
    );
    for x in [-half.x + 0.4, half.x - 0.4] {
        shell.cuboid(
            centre + Vec3::new(x - 0.02, half.y, 0.03),
            Vec3::new(centre.x + x + 0.02, CEILING, centre.z + 0.06),
            METAL,
        );
    }
}

/// A totem's pillar (its signs are painted by the hall); returns its footprint.
pub(crate) fn totem(shell: &mut MergedMesh, at: [f32; 2], color: Color) -> Rect {
    let half = TOTEM_SIGN / 2.0 + 0.04;
    let centre = world(at, 0.0);
    shell.cuboid(
        centre + Vec3::new(-half, 0.0, -0.12),
        centre + Vec3::new(half, TOTEM_SIGN_HEIGHT + half + 0.1, 0.12),
        Color::srgb(0.16, 0.18, 0.22),
    );
    shell.glowing_cuboid(
        centre + Vec3::new(-half, TOTEM_SIGN_HEIGHT + half + 0.1, -0.12),
        centre + Vec3::new(half, TOTEM_SIGN_HEIGHT + half + 0.2, 0.12),
        color,
    );
    Rect::new(at[0] - half, at[1] - 0.12, at[0] + half, at[1] + 0.12)
}

#[cfg(test)]
mod tests {
    use yunzhan_model::Industry;
    use yunzhan_model::layout::ExhibitorSpec;

    use super::*;

    fn layout() -> HallLayout {
        let specs: Vec<ExhibitorSpec> = (0..60)
            .map(|index| ExhibitorSpec {
                industry: Industry::ALL[index % 3],
                project_count: 1 + index % 12,
            })
            .collect();
        HallLayout::new(&specs)
    }

    #[test]
    fn aisles_lie_between_islands_and_every_booth_opens_onto_one() {
        let layout = layout();
        let aisles = aisles(&layout);
        for pair in aisles.windows(2) {
            assert!(pair[0].z[1] < pair[1].z[0], "{aisles:?}");
        }
        for booth in &layout.booths {
            let opening = aisle_of(booth, &aisles).expect("an aisle");
            assert!(!aisles[opening].z.iter().any(|&z| {
                booth.rect.contains([booth.rect.min[0] + 1.0, z + 0.01])
                    && booth.rect.contains([booth.rect.min[0] + 1.0, z - 0.01])
            }));
        }
        let totems = totems(&layout);
        assert!(!totems.is_empty());
        for totem in &totems {
            assert!(
                !layout.booths.iter().any(|b| b.rect.contains(totem.at)),
                "{totem:?} in a booth"
            );
        }
    }

    /// The test layout's floor, ceiling and booths, built and lit.
    fn lit_hall() -> Vec<Mesh> {
        let layout = layout();
        let mut shell = MergedMesh::new(TILE);
        let hall = Rect::new(0.0, 0.0, layout.width, layout.depth);
        let booths: Vec<&Booth> = layout.booths.iter().collect();
        floor(&layout, hall, &booths, &mut shell);
        ceiling(&hall_light(&layout), hall, &mut shell);
        for (index, b) in layout.booths.iter().enumerate() {
            booth(b, index, &mut shell);
        }
        shell.build(&hall_light(&layout))
    }

    #[test]
    fn the_same_layout_gives_the_same_dressing() {
        let build = || {
            (lit_hall().iter())
                .map(|mesh| format!("{:?}", mesh.attribute(Mesh::ATTRIBUTE_COLOR)))
                .collect::<Vec<_>>()
        };
        assert_eq!(build(), build());
    }

    /// The vertex alphas (finishes) of a built, lit hall, counted.
    fn finishes(meshes: &[Mesh]) -> std::collections::HashMap<u32, usize> {
        let mut counts = std::collections::HashMap::new();
        for mesh in meshes {
            let Some(bevy::mesh::VertexAttributeValues::Float32x4(colors)) =
                mesh.attribute(Mesh::ATTRIBUTE_COLOR)
            else {
                panic!("a mesh without vertex colours");
            };
            for color in colors {
                *counts.entry(color[3].to_bits()).or_default() += 1;
            }
        }
        counts
    }

    /// Carpet, wood and metal reach the shader through the lit, shaded
    /// mesh (baked light and the floor's shade change only the colour).
    #[test]
    fn the_carpet_wood_and_metal_finishes_survive_the_baked_light() {
        let counts = finishes(&lit_hall());
        for finish in [1.0, CARPET_FINISH, WOOD_FINISH, METAL_FINISH] {
            let vertices = counts.get(&finish.to_bits()).copied().unwrap_or(0);
            assert!(vertices > 0, "no vertex of finish {finish}: {counts:?}");
        }
        assert_eq!(counts.len(), 4, "only the four finishes: {counts:?}");
    }

    #[test]
    fn the_door_portal_frames_the_doorway_without_narrowing_it() {
        let layout = layout();
        let mut shell = MergedMesh::new(TILE);
        let [left, right] = door_portal(&layout, Color::WHITE, &mut shell);
        let ([x, _], half) = (layout.door, layout.door_width / 2.0);
        assert_eq!(left.max[0], x - half, "{left:?}");
        assert_eq!(right.min[0], x + half, "{right:?}");
        assert!(
            left.min[1] >= 0.0 && right.min[1] >= 0.0,
            "posts stand inside the hall"
        );
    }

    #[test]
    fn neighbouring_booths_are_not_dressed_alike() {
        let variants: std::collections::HashSet<u32> = (0..8)
            .map(|index| variation(index) & 0b100_0000_0001)
            .collect();
        assert!(variants.len() >= 3, "{variants:?}");
    }
}
