//! Repainted slots of atlas pages sent to the GPU by themselves: a card
//! painted into a page already on the GPU is written into that page's
//! texture (the slot's region of each mip level), instead of the whole page
//! being uploaded again as a new texture.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::{
    BufferInitDescriptor, BufferUsages, CommandEncoderDescriptor, Extent3d, Origin3d,
    TexelCopyBufferInfo, TexelCopyBufferLayout, TexelCopyTextureInfo, TextureAspect,
};
use bevy::render::renderer::{RenderDevice, RenderQueue};
use bevy::render::texture::GpuImage;
use bevy::render::{Extract, ExtractSchedule, Render, RenderApp, RenderSystems};

/// The regions painted this frame, to be written into their pages'
/// textures; emptied at the start of each frame.
#[derive(Resource, Default, Clone)]
pub(crate) struct PageUploads(Vec<Region>);

/// One mip level's part of a painted slot (RGBA8 rows).
#[derive(Clone)]
pub(crate) struct Region {
    pub(crate) page: AssetId<Image>,
    pub(crate) level: u32,
    pub(crate) origin: UVec2,
    pub(crate) size: UVec2,
    pub(crate) pixels: Arc<[u8]>,
}

impl PageUploads {
    pub(crate) fn push(&mut self, region: Region) {
        self.0.push(region);
    }

    /// Bytes waiting to be written this frame.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.0.iter().map(|region| region.pixels.len()).sum()
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PageUploads>();
    app.add_systems(First, |mut uploads: ResMut<PageUploads>| uploads.0.clear());
    // Headless runs (the tests) have no renderer: the regions are only counted.
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app
            .init_resource::<PageUploads>()
            .add_systems(ExtractSchedule, extract_uploads)
            .add_systems(
                Render,
                write_regions.in_set(RenderSystems::PrepareResources),
            );
    }
}

fn extract_uploads(mut render: ResMut<PageUploads>, main: Extract<Res<PageUploads>>) {
    render.0.clone_from(&main.0);
}

/// Writes each region into its page's texture: all of a frame's regions
/// from one staging buffer, in one command buffer (a `write_texture` per
/// region would make a staging buffer each). A page first uploaded this
/// frame already holds its regions (it was extracted after painting); one
/// not on the GPU (gone with its hall) is skipped.
fn write_regions(
    uploads: Res<PageUploads>,
    images: Res<RenderAssets<GpuImage>>,
    device: Res<RenderDevice>,
    queue: Res<RenderQueue>,
) {
    let mut staged = Vec::new();
    let mut copies = Vec::new();
    for region in &uploads.0 {
        let Some(page) = images.get(region.page) else {
            continue;
        };
        // Buffer rows start at multiples of 256 bytes.
        let row_bytes = (region.size.x * 4) as usize;
        let stride = RenderDevice::align_copy_bytes_per_row(row_bytes);
        let offset = staged.len() as u64;
        for row in region.pixels.chunks_exact(row_bytes) {
            staged.extend_from_slice(row);
            staged.resize(staged.len() + stride - row_bytes, 0);
        }
        copies.push((&page.texture, region, offset, stride as u32));
    }
    if copies.is_empty() {
        return;
    }
    let buffer = device.create_buffer_with_data(&BufferInitDescriptor {
        label: Some("atlas page regions"),
        contents: &staged,
        usage: BufferUsages::COPY_SRC,
    });
    let mut encoder = device.create_command_encoder(&CommandEncoderDescriptor {
        label: Some("atlas page regions"),
    });
    for (texture, region, offset, stride) in copies {
        encoder.copy_buffer_to_texture(
            TexelCopyBufferInfo {
                buffer: &buffer,
                layout: TexelCopyBufferLayout {
                    offset,
                    bytes_per_row: Some(stride),
                    rows_per_image: None,
                },
            },
            TexelCopyTextureInfo {
                texture,
                mip_level: region.level,
                origin: Origin3d {
                    x: region.origin.x,
                    y: region.origin.y,
                    z: 0,
                },
                aspect: TextureAspect::All,
            },
            Extent3d {
                width: region.size.x,
                height: region.size.y,
                depth_or_array_layers: 1,
            },
        );
    }
    queue.submit([encoder.finish()]);
}
