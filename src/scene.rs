//! Shared pieces of the 3D scenes: floor coordinates, colours and text panels.

use bevy::asset::RenderAssetUsages;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use yunzhan_model::layout::Facing;
use yunzhan_model::{Hall, HallLevel, Industry, Region};

use crate::text_image::Canvas;

/// A floor point of the model (`[x, z]` metres) at `height` in the world.
/// The model's north (+z, away from the entrance) is Bevy's forward (-Z), so
/// east (+x) is on the visitor's right.
pub fn world(point: [f32; 2], height: f32) -> Vec3 {
    Vec3::new(point[0], height, -point[1])
}

/// A direction on the model's floor as a world vector.
pub fn world_direction(direction: [f32; 2]) -> Vec3 {
    Vec3::new(direction[0], 0.0, -direction[1])
}

/// A transform placing a `Rectangle` (whose face looks along +Z) so that its
/// face looks the way `facing` points, centred at `position`.
pub fn facing_transform(position: Vec3, facing: Facing) -> Transform {
    Transform::from_translation(position).looking_to(-world_direction(facing.normal()), Vec3::Y)
}

/// The colour that marks a hall: gold for the provincial hall, one hue per
/// economic region for the prefectures.
pub fn hall_color(hall: &Hall) -> Color {
    match (hall.level, hall.region) {
        (HallLevel::Provincial, _) | (_, None) => Color::srgb(0.78, 0.55, 0.12),
        (_, Some(Region::ChengduPlain)) => Color::srgb(0.05, 0.48, 0.55),
        (_, Some(Region::South)) => Color::srgb(0.80, 0.38, 0.12),
        (_, Some(Region::Northeast)) => Color::srgb(0.16, 0.33, 0.70),
        (_, Some(Region::Panxi)) => Color::srgb(0.70, 0.18, 0.22),
        (_, Some(Region::Northwest)) => Color::srgb(0.42, 0.26, 0.62),
    }
}

pub fn industry_color(industry: Industry) -> Color {
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
pub fn rgba(color: Color) -> [u8; 4] {
    color.to_srgba().to_u8_array()
}

/// Turns a painted canvas into a texture.
pub fn canvas_image(canvas: Canvas) -> Image {
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
pub fn panel_material(texture: Handle<Image>) -> StandardMaterial {
    StandardMaterial {
        base_color_texture: Some(texture),
        unlit: true,
        ..default()
    }
}
