//! Shared pieces of the 3D scenes: floor coordinates, colours and text panels.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use yunzhan_model::layout::Facing;
use yunzhan_model::{Hall, HallLevel, Industry, Region};

use crate::world::text_image::Canvas;

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
pub(crate) fn panel_material(texture: Handle<Image>) -> StandardMaterial {
    StandardMaterial {
        base_color_texture: Some(texture),
        unlit: true,
        ..default()
    }
}

/// Accumulates boxes and quads into one vertex-coloured mesh, so that a whole
/// hall's booth structures are a single draw call.
#[derive(Default)]
pub(crate) struct MergedMesh {
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
    colors: Vec<[f32; 4]>,
    indices: Vec<u32>,
}

impl MergedMesh {
    /// A quad from four corners in counter-clockwise order seen from its front.
    pub(crate) fn quad(&mut self, corners: [Vec3; 4], color: Color) {
        let normal = (corners[1] - corners[0])
            .cross(corners[2] - corners[0])
            .normalize_or_zero();
        let base = self.positions.len() as u32;
        let color = LinearRgba::from(color).to_f32_array();
        for corner in corners {
            self.positions.push(corner.to_array());
            self.normals.push(normal.to_array());
            self.colors.push(color);
        }
        self.indices
            .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
    }

    /// An axis-aligned box from its minimum and maximum corners.
    pub(crate) fn cuboid(&mut self, min: Vec3, max: Vec3, color: Color) {
        let (a, b) = (min, max);
        let v = |x: f32, y: f32, z: f32| Vec3::new(x, y, z);
        self.quad(
            [
                v(a.x, a.y, b.z),
                v(b.x, a.y, b.z),
                v(b.x, b.y, b.z),
                v(a.x, b.y, b.z),
            ],
            color,
        );
        self.quad(
            [
                v(b.x, a.y, a.z),
                v(a.x, a.y, a.z),
                v(a.x, b.y, a.z),
                v(b.x, b.y, a.z),
            ],
            color,
        );
        self.quad(
            [
                v(b.x, a.y, b.z),
                v(b.x, a.y, a.z),
                v(b.x, b.y, a.z),
                v(b.x, b.y, b.z),
            ],
            color,
        );
        self.quad(
            [
                v(a.x, a.y, a.z),
                v(a.x, a.y, b.z),
                v(a.x, b.y, b.z),
                v(a.x, b.y, a.z),
            ],
            color,
        );
        self.quad(
            [
                v(a.x, b.y, b.z),
                v(b.x, b.y, b.z),
                v(b.x, b.y, a.z),
                v(a.x, b.y, a.z),
            ],
            color,
        );
        self.quad(
            [
                v(a.x, a.y, a.z),
                v(b.x, a.y, a.z),
                v(b.x, a.y, b.z),
                v(a.x, a.y, b.z),
            ],
            color,
        );
    }

    pub(crate) fn build(self) -> Mesh {
        use bevy::mesh::{Indices, PrimitiveTopology};
        Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        )
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, self.positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, self.normals)
        .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, self.colors)
        .with_inserted_indices(Indices::U32(self.indices))
    }
}

/// A floor rectangle of the model as world-space box corners.
pub(crate) fn floor_box(rect: &yunzhan_model::layout::Rect, bottom: f32, top: f32) -> (Vec3, Vec3) {
    let a = world(rect.min, bottom);
    let b = world(rect.max, top);
    (a.min(b), a.max(b))
}
