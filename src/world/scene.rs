//! Shared pieces of the 3D scenes: floor coordinates, colours and text panels.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use yunzhan_model::layout::Facing;
use yunzhan_model::{Hall, HallLevel, Industry, Region};

use crate::world::text_image::Canvas;
use crate::world::venue::VenueMaterial;

/// A floor point of the model (`[x, z]` metres) at `height` in the world.
/// The model's north (+z, away from the entrance) is Bevy's forward (-Z), so
/// east (+x) is on the visitor's right.
pub(crate) fn world(point: [f32; 2], height: f32) -> Vec3 {
    Vec3::new(point[0], height, -point[1])
}

/// A direction on the model's floor as a world vector.
pub(crate) fn world_direction(direction: [f32; 2]) -> Vec3 {
    Vec3::new(direction[0], 0.0, -direction[1])
}

/// A transform placing a `Rectangle` (whose face looks along +Z) so that its
/// face looks the way `facing` points, centred at `position`.
pub(crate) fn facing_transform(position: Vec3, facing: Facing) -> Transform {
    Transform::from_translation(position).looking_to(-world_direction(facing.normal()), Vec3::Y)
}

/// The colour that marks a hall: gold for the provincial hall, one hue per
/// economic region for the prefectures.
pub(crate) fn hall_color(hall: &Hall) -> Color {
    match (hall.level, hall.region) {
        (HallLevel::Provincial, _) | (_, None) => Color::srgb(0.78, 0.55, 0.12),
        (_, Some(Region::ChengduPlain)) => Color::srgb(0.05, 0.48, 0.55),
        (_, Some(Region::South)) => Color::srgb(0.80, 0.38, 0.12),
        (_, Some(Region::Northeast)) => Color::srgb(0.16, 0.33, 0.70),
        (_, Some(Region::Panxi)) => Color::srgb(0.70, 0.18, 0.22),
        (_, Some(Region::Northwest)) => Color::srgb(0.42, 0.26, 0.62),
    }
}

pub(crate) fn industry_color(industry: Industry) -> Color {
    match industry {
        Industry::ElectronicInformation => Color::srgb(0.18, 0.45, 0.85),
        Industry::EquipmentManufacturing => Color::srgb(0.45, 0.47, 0.52),
        Industry::FoodLightTextile => Color::srgb(0.90, 0.55, 0.20),
        Industry::EnergyChemical => Color::srgb(0.85, 0.25, 0.20),
        Industry::AdvancedMaterials => Color::srgb(0.50, 0.30, 0.75),
        Industry::MedicineHealth => Color::srgb(0.15, 0.65, 0.50),
        Industry::ModernAgriculture => Color::srgb(0.40, 0.65, 0.15),
    }
}

/// RGBA8 bytes of a colour, for painting canvases.
pub(crate) fn rgba(color: Color) -> [u8; 4] {
    color.to_srgba().to_u8_array()
}

/// Turns a painted canvas into a texture.
pub(crate) fn canvas_image(canvas: Canvas) -> Image {
    Image::new(
        Extent3d {
            width: canvas.width,
            height: canvas.height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        canvas.pixels,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::RENDER_WORLD,
    )
}

/// An unlit material showing a texture: text stays crisp whatever the light.
pub(crate) fn panel_material(texture: Handle<Image>) -> VenueMaterial {
    VenueMaterial::textured(texture)
}

/// Accumulates boxes and quads into vertex-coloured meshes, one per square
/// tile of the floor (by the quad's centre), so that a whole scene's
/// structure is a few draw calls and the tiles out of view are culled.
pub(crate) struct MergedMesh {
    tile: f32,
    tiles: std::collections::BTreeMap<(i32, i32), Surfaces>,
}

/// The quads of one tile.
#[derive(Default)]
struct Surfaces {
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
    colors: Vec<[f32; 4]>,
    /// Glowing vertices (light fixtures, screens) are not darkened by light.
    glows: Vec<bool>,
    indices: Vec<u32>,
}

impl MergedMesh {
    /// Tiles of `tile` metres.
    pub(crate) fn new(tile: f32) -> Self {
        MergedMesh {
            tile,
            tiles: default(),
        }
    }

    /// Everything in one mesh, wherever it lies (a hall's chunk).
    pub(crate) fn single() -> Self {
        MergedMesh::new(f32::INFINITY)
    }

    /// A quad from four corners in counter-clockwise order seen from its front.
    pub(crate) fn quad(&mut self, corners: [Vec3; 4], color: Color) {
        self.push(corners, [color; 4], false);
    }

    /// A quad with a colour at each corner (blended across it).
    pub(crate) fn shaded_quad(&mut self, corners: [Vec3; 4], colors: [Color; 4]) {
        self.push(corners, colors, false);
    }

    /// A quad that glows: baked light does not change its colour.
    pub(crate) fn glow(&mut self, corners: [Vec3; 4], color: Color) {
        self.push(corners, [color; 4], true);
    }

    fn push(&mut self, corners: [Vec3; 4], colors: [Color; 4], glow: bool) {
        let normal = (corners[1] - corners[0])
            .cross(corners[2] - corners[0])
            .normalize_or_zero();
        let centre = corners.iter().sum::<Vec3>() / 4.0;
        let key = (
            (centre.x / self.tile).floor() as i32,
            (centre.z / self.tile).floor() as i32,
        );
        let surfaces = self.tiles.entry(key).or_default();
        let base = surfaces.positions.len() as u32;
        for (corner, color) in corners.into_iter().zip(colors) {
            surfaces.positions.push(corner.to_array());
            surfaces.normals.push(normal.to_array());
            surfaces.colors.push(LinearRgba::from(color).to_f32_array());
            surfaces.glows.push(glow);
        }
        surfaces
            .indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
    }

    /// An axis-aligned box from its minimum and maximum corners.
    pub(crate) fn cuboid(&mut self, min: Vec3, max: Vec3, color: Color) {
        for face in box_faces(min, max) {
            self.quad(face, color);
        }
    }

    /// A box whose faces glow (see [`MergedMesh::glow`]).
    pub(crate) fn glowing_cuboid(&mut self, min: Vec3, max: Vec3, color: Color) {
        for face in box_faces(min, max) {
            self.glow(face, color);
        }
    }

    /// One mesh per tile, its colours multiplied by the baked `light`.
    pub(crate) fn build(self, light: &crate::world::light::BakedLight) -> Vec<Mesh> {
        use bevy::mesh::{Indices, PrimitiveTopology};
        self.tiles
            .into_values()
            .map(|mut surfaces| {
                let lit = (surfaces.positions.iter().zip(&surfaces.normals))
                    .zip(&surfaces.glows)
                    .map(|((position, normal), &glow)| match glow {
                        true => 1.0,
                        false => light.at(Vec3::from(*position), Vec3::from(*normal)),
                    });
                for (color, light) in surfaces.colors.iter_mut().zip(lit.collect::<Vec<_>>()) {
                    for channel in &mut color[..3] {
                        *channel *= light;
                    }
                }
                Mesh::new(
                    PrimitiveTopology::TriangleList,
                    RenderAssetUsages::default(),
                )
                .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, surfaces.positions)
                .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, surfaces.normals)
                .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, surfaces.colors)
                .with_inserted_indices(Indices::U32(surfaces.indices))
            })
            .collect()
    }
}

/// The six faces of an axis-aligned box, each counter-clockwise from outside.
fn box_faces(a: Vec3, b: Vec3) -> [[Vec3; 4]; 6] {
    let v = Vec3::new;
    [
        [
            v(a.x, a.y, b.z),
            v(b.x, a.y, b.z),
            v(b.x, b.y, b.z),
            v(a.x, b.y, b.z),
        ],
        [
            v(b.x, a.y, a.z),
            v(a.x, a.y, a.z),
            v(a.x, b.y, a.z),
            v(b.x, b.y, a.z),
        ],
        [
            v(b.x, a.y, b.z),
            v(b.x, a.y, a.z),
            v(b.x, b.y, a.z),
            v(b.x, b.y, b.z),
        ],
        [
            v(a.x, a.y, a.z),
            v(a.x, a.y, b.z),
            v(a.x, b.y, b.z),
            v(a.x, b.y, a.z),
        ],
        [
            v(a.x, b.y, b.z),
            v(b.x, b.y, b.z),
            v(b.x, b.y, a.z),
            v(a.x, b.y, a.z),
        ],
        [
            v(a.x, a.y, a.z),
            v(b.x, a.y, a.z),
            v(b.x, a.y, b.z),
            v(a.x, a.y, b.z),
        ],
    ]
}

/// A floor rectangle of the model as world-space box corners.
pub(crate) fn floor_box(rect: &yunzhan_model::layout::Rect, bottom: f32, top: f32) -> (Vec3, Vec3) {
    let a = world(rect.min, bottom);
    let b = world(rect.max, top);
    (a.min(b), a.max(b))
}
