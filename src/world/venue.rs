//! The venue's one material: baked vertex colours, optionally times a
//! texture (card and header pages), with no run-time lighting
//! (`venue.wgsl`). Every hall and lobby surface uses it, so the frame cost
//! is near the floor of what drawing the pixels costs.

use bevy::asset::embedded_asset;
use bevy::prelude::*;
use bevy::render::RenderApp;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

/// The finishes the venue's shader draws into plain surfaces (no texture,
/// no downloaded byte): a colour's alpha names its finish, since every
/// venue surface is opaque. Carpet fibres, wood grain, brushed metal.
pub(crate) const CARPET_FINISH: f32 = 0.75;
pub(crate) const WOOD_FINISH: f32 = 0.5;
pub(crate) const METAL_FINISH: f32 = 0.25;

#[derive(Asset, TypePath, AsBindGroup, Debug, Clone, Default)]
pub(crate) struct VenueMaterial {
    /// Multiplied with the vertex colours (white when absent).
    #[texture(0)]
    #[sampler(1)]
    pub(crate) texture: Option<Handle<Image>>,
}

impl VenueMaterial {
    pub(crate) fn textured(texture: Handle<Image>) -> Self {
        VenueMaterial {
            texture: Some(texture),
        }
    }
}

impl Material for VenueMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://yunzhan/world/venue.wgsl".into()
    }

    fn enable_shadows() -> bool {
        false
    }
}

pub(super) fn plugin(app: &mut App) {
    embedded_asset!(app, "venue.wgsl");
    // Headless runs (the tests) have no renderer: the assets alone.
    if app.get_sub_app(RenderApp).is_some() {
        app.add_plugins(MaterialPlugin::<VenueMaterial>::default());
    } else {
        app.init_asset::<VenueMaterial>();
    }
}
