//! Booths with an exhibitor's own model (docs/booth-format.md): the checked
//! geometry of `yunzhan_model::booth` turned into meshes and materials, and
//! where such a booth hangs its name header and cards. The hall draws a
//! [`CustomBooth`] in place of the standard structure of that exhibitor's
//! booths; the booth preview (`preview`) is what puts one there.

use bevy::asset::RenderAssetUsages;
use bevy::image::{ImageAddressMode, ImageSampler, ImageSamplerDescriptor};
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use yunzhan_model::booth::BoothModel;
use yunzhan_model::layout::{BOOTH_DEPTH, Booth, Rect};
use yunzhan_model::{ExhibitorId, HallIndex};

use crate::world::scene::{facing_transform, world};
use crate::world::text_image::Canvas;

/// How thick the standard booth's back wall is.
pub(crate) const BACK_WALL: f32 = 0.15;
pub(crate) const BOOTH_WALL_HEIGHT: f32 = 3.5;
/// The name header's quad, metres.
pub(crate) const HEADER_SIZE: Vec2 = Vec2::new(5.6, 0.7);
/// The fascia board over a standard booth's open side (bottom and top
/// heights), which carries the name header.
pub(crate) const FASCIA: (f32, f32) = (2.75, 3.5);
/// Surfaces between these heights stop a visitor (knee to head).
const OBSTACLE_BAND: (f32, f32) = (0.3, 2.0);
const OBSTACLE_CELL: f32 = 0.25;

/// Where a booth's name header and the centre of its card wall go, in the
/// booth's own frame: origin at the middle of its floor, +Y up, +Z out of
/// the open side (the frame of a booth model).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BoothAnchors {
    pub(crate) header: Transform,
    pub(crate) cards: Transform,
}

impl BoothAnchors {
    /// The standard booth: the header on the fascia board over its open
    /// side, the cards on its back wall.
    pub(crate) fn standard() -> Self {
        let wall = -(BOOTH_DEPTH / 2.0 - BACK_WALL - 0.02);
        BoothAnchors {
            header: Transform::from_xyz(0.0, (FASCIA.0 + FASCIA.1) / 2.0, BOOTH_DEPTH / 2.0 + 0.01),
            cards: Transform::from_xyz(0.0, 1.75, wall),
        }
    }
}

/// A booth's frame in its hall: the middle of its floor, turned so that
/// +Z points out of the open side into the aisle.
pub(crate) fn booth_frame(booth: &Booth) -> Transform {
    facing_transform(world(booth.rect.center(), 0.0), booth.facing)
}

/// A rectangle of the booth's floor (model `[x, z]`) as a hall floor rectangle.
pub(crate) fn booth_rect_in_hall(booth: &Booth, local: &Rect) -> Rect {
    let frame = booth_frame(booth);
    let corners = [[local.min[0], local.min[1]], [local.max[0], local.max[1]]]
        .map(|[x, z]| frame.transform_point(Vec3::new(x, 0.0, z)));
    // World -Z is the hall's +z (scene::world).
    Rect::new(corners[0].x, -corners[0].z, corners[1].x, -corners[1].z)
}

/// A part of an exhibitor's booth model standing in a hall.
#[derive(Component, Debug, Clone, Copy)]
pub(crate) struct BoothModelPart;

/// An exhibitor's model ready to draw: one mesh and material per part.
#[derive(Debug, Clone)]
pub(crate) struct BoothLook {
    pub(crate) parts: Vec<(Handle<Mesh>, Handle<StandardMaterial>)>,
    pub(crate) anchors: BoothAnchors,
    /// Floor rectangles (model `[x, z]`) a visitor cannot walk through.
    pub(crate) obstacles: Vec<Rect>,
}

impl BoothLook {
    /// Uploads a checked model. A texture that does not decode leaves its
    /// material with the base colour alone (and a warning).
    pub(crate) fn new(
        model: &BoothModel,
        meshes: &mut Assets<Mesh>,
        materials: &mut Assets<StandardMaterial>,
        images: &mut Assets<Image>,
    ) -> Self {
        let textures: Vec<Option<Handle<Image>>> = model
            .images
            .iter()
            .enumerate()
            .map(|(index, bytes)| match decode(bytes) {
                Ok(image) => Some(images.add(image)),
                Err(why) => {
                    warn!("booth model image {index}: {why}; shown without it");
                    None
                }
            })
            .collect();
        let looks: Vec<Handle<StandardMaterial>> = model
            .materials
            .iter()
            .map(|m| {
                let [r, g, b, a] = m.base_color;
                let [er, eg, eb] = m.emissive;
                materials.add(StandardMaterial {
                    base_color: Color::linear_rgba(r, g, b, a),
                    base_color_texture: m
                        .base_color_image
                        .and_then(|index| textures.get(index).cloned().flatten()),
                    metallic: m.metallic,
                    perceptual_roughness: m.roughness,
                    emissive: LinearRgba::rgb(er, eg, eb),
                    double_sided: m.double_sided,
                    cull_mode: (!m.double_sided)
                        .then_some(bevy::render::render_resource::Face::Back),
                    alpha_mode: if m.blend {
                        AlphaMode::Blend
                    } else {
                        AlphaMode::Opaque
                    },
                    ..default()
                })
            })
            .collect();
        let plain = materials.add(StandardMaterial {
            perceptual_roughness: 0.8,
            ..default()
        });
        let parts = model
            .meshes
            .iter()
            .map(|part| {
                let mut mesh = Mesh::new(
                    PrimitiveTopology::TriangleList,
                    RenderAssetUsages::RENDER_WORLD,
                );
                mesh.insert_attribute(Mesh::ATTRIBUTE_POSITION, part.positions.clone());
                if !part.uvs.is_empty() {
                    mesh.insert_attribute(Mesh::ATTRIBUTE_UV_0, part.uvs.clone());
                }
                mesh.insert_indices(Indices::U32(part.indices.clone()));
                if part.normals.is_empty() {
                    mesh.compute_normals();
                } else {
                    mesh.insert_attribute(Mesh::ATTRIBUTE_NORMAL, part.normals.clone());
                }
                let material = part
                    .material
                    .and_then(|index| looks.get(index).cloned())
                    .unwrap_or_else(|| plain.clone());
                (meshes.add(mesh), material)
            })
            .collect();
        let anchor = |matrix: &[f32; 16]| Transform::from_matrix(Mat4::from_cols_array(matrix));
        BoothLook {
            parts,
            anchors: BoothAnchors {
                header: anchor(&model.header),
                cards: anchor(&model.cards),
            },
            obstacles: model.obstacles(OBSTACLE_CELL, OBSTACLE_BAND.0, OBSTACLE_BAND.1),
        }
    }
}

/// A PNG or JPEG as a texture.
fn decode(bytes: &[u8]) -> Result<Image, String> {
    let image = image::load_from_memory(bytes).map_err(|error| error.to_string())?;
    let mut image = Image::from_dynamic(image, true, RenderAssetUsages::RENDER_WORLD);
    // glTF's default sampler: repeat, linear.
    image.sampler = ImageSampler::Descriptor(ImageSamplerDescriptor {
        address_mode_u: ImageAddressMode::Repeat,
        address_mode_v: ImageAddressMode::Repeat,
        ..ImageSamplerDescriptor::linear()
    });
    Ok(image)
}

/// A logo PNG as a canvas to paint onto the booth's header.
pub(crate) fn logo_canvas(bytes: &[u8]) -> Result<Canvas, String> {
    let image = image::load_from_memory(bytes)
        .map_err(|error| error.to_string())?
        .to_rgba8();
    let mut canvas = Canvas::new(image.width(), image.height(), [0, 0, 0, 0]);
    canvas.pixels = image.into_raw();
    Ok(canvas)
}

/// An exhibitor whose booths in a hall show their own look: the model
/// (when it passed its check; else the standard booth) and the logo.
#[derive(Resource, Debug, Clone)]
pub(crate) struct CustomBooth {
    pub(crate) hall: HallIndex,
    pub(crate) exhibitor: ExhibitorId,
    pub(crate) look: Option<BoothLook>,
    pub(crate) logo: Option<Canvas>,
}

impl CustomBooth {
    /// This exhibitor's custom look, if the booth is theirs.
    pub(crate) fn of(
        custom: Option<&CustomBooth>,
        hall: HallIndex,
        exhibitor: ExhibitorId,
    ) -> Option<&CustomBooth> {
        custom.filter(|c| c.hall == hall && c.exhibitor == exhibitor)
    }

    pub(crate) fn anchors(&self) -> BoothAnchors {
        self.look
            .as_ref()
            .map_or_else(BoothAnchors::standard, |look| look.anchors)
    }
}
