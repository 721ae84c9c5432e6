//! Texture sheets: many small painted images (cards, booth headers, totem
//! signs) packed into pages of a layout's size, each page drawn as one mesh
//! of textured quads (the atlases in `atlas` fill them). Pages
//! are mipmapped slot by slot (each slot's smaller levels are made from its
//! own pixels when it is painted), so distant cards are filtered instead of
//! shimmering, and sample small levels.

use bevy::asset::RenderAssetUsages;
use bevy::camera::visibility::NoFrustumCulling;
use bevy::image::ImageSampler;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy::render::render_resource::TextureUsages;

use crate::world::page_upload::Region;
use crate::world::scene::{canvas_image, panel_material};
use crate::world::text_image::Canvas;
use crate::world::venue::VenueMaterial;

/// How a sheet cuts its pages into slots, and the size of a slot's quad in
/// the world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SheetLayout {
    pub(crate) page_px: UVec2,
    pub(crate) slot_px: UVec2,
    pub(crate) quad_size: Vec2,
}

impl SheetLayout {
    const fn columns(&self) -> u32 {
        self.page_px.x / self.slot_px.x
    }

    pub(crate) const fn slots_per_page(&self) -> usize {
        (self.columns() * (self.page_px.y / self.slot_px.y)) as usize
    }

    /// Mip levels of every page: the same for all sheets, so a page at half
    /// the pixels takes exactly a quarter of the memory (a 64-pixel slot's
    /// smallest level is 2 pixels).
    pub(crate) const fn mip_levels(&self) -> u32 {
        6
    }

    /// Where mip level `level` starts in a page's bytes, and its size.
    const fn level(&self, level: u32) -> (usize, UVec2) {
        let mut offset = 0;
        let mut size = self.page_px;
        let mut at = 0;
        while at < level {
            offset += (size.x * size.y * 4) as usize;
            size = UVec2::new(size.x / 2, size.y / 2);
            at += 1;
        }
        (offset, size)
    }

    /// Texture memory of one page (RGBA8, all its mip levels).
    pub(crate) const fn page_bytes(&self) -> usize {
        self.level(self.mip_levels()).0
    }

    /// A transparent page image with its mip levels. `keep_pixels` keeps a
    /// CPU copy so slots can be repainted after the page was first uploaded:
    /// such a page is painted without marking the image changed (which
    /// would upload all of it again), its painted slots written into its
    /// texture by [`SheetLayout::slot_regions`] and `page_upload`.
    pub(crate) fn blank_page(&self, keep_pixels: bool) -> Image {
        let mut image = canvas_image(Canvas::new(self.page_px.x, self.page_px.y, [0, 0, 0, 0]));
        image.data = Some(vec![0; self.page_bytes()]);
        image.texture_descriptor.mip_level_count = self.mip_levels();
        image.sampler = ImageSampler::linear();
        if keep_pixels {
            image.asset_usage = RenderAssetUsages::MAIN_WORLD | RenderAssetUsages::RENDER_WORLD;
            image.texture_descriptor.usage =
                TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST;
        }
        image
    }

    fn slot_origin(&self, slot: usize) -> UVec2 {
        let slot = slot as u32;
        UVec2::new(
            (slot % self.columns()) * self.slot_px.x,
            (slot / self.columns()) * self.slot_px.y,
        )
    }

    /// Copies a painted canvas (of `slot_px`) into a slot of a page image,
    /// then makes the slot's smaller mip levels from it.
    pub(crate) fn blit(&self, page: &mut Image, canvas: &Canvas, slot: usize) {
        debug_assert_eq!(
            (canvas.width, canvas.height),
            (self.slot_px.x, self.slot_px.y)
        );
        let origin = self.slot_origin(slot);
        let Some(data) = page.data.as_mut() else {
            return;
        };
        let row_bytes = (self.slot_px.x * 4) as usize;
        for row in 0..self.slot_px.y {
            let from = (row * self.slot_px.x * 4) as usize;
            let to = (((origin.y + row) * self.page_px.x + origin.x) * 4) as usize;
            data[to..to + row_bytes].copy_from_slice(&canvas.pixels[from..from + row_bytes]);
        }
        for level in 1..self.mip_levels() {
            self.shrink_slot(data, origin, level);
        }
    }

    /// A painted slot's region of each mip level of its page, to be written
    /// into the page's texture.
    pub(crate) fn slot_regions(
        &self,
        page: &Image,
        id: AssetId<Image>,
        slot: usize,
    ) -> Vec<Region> {
        let Some(data) = page.data.as_ref() else {
            return Vec::new();
        };
        (0..self.mip_levels())
            .map(|level| {
                let (base, size) = self.level(level);
                let (origin, slot) = (self.slot_origin(slot) >> level, self.slot_px >> level);
                let row_bytes = (slot.x * 4) as usize;
                let mut pixels = Vec::with_capacity(row_bytes * slot.y as usize);
                for y in origin.y..origin.y + slot.y {
                    let from = base + ((y * size.x + origin.x) * 4) as usize;
                    pixels.extend_from_slice(&data[from..from + row_bytes]);
                }
                Region {
                    page: id,
                    level,
                    origin,
                    size: slot,
                    pixels: pixels.into(),
                }
            })
            .collect()
    }

    /// Mip level `level` of the slot at `origin`: each pixel the mean of
    /// the four beneath it in the level above.
    fn shrink_slot(&self, data: &mut [u8], origin: UVec2, level: u32) {
        let (above, above_size) = self.level(level - 1);
        let (here, here_size) = self.level(level);
        let (origin, slot) = (origin >> level, self.slot_px >> level);
        let pixel = |base: usize, width: u32, x: u32, y: u32| base + ((y * width + x) * 4) as usize;
        for y in origin.y..origin.y + slot.y {
            for x in origin.x..origin.x + slot.x {
                let to = pixel(here, here_size.x, x, y);
                for channel in 0..4 {
                    let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                        .iter()
                        .map(|&(dx, dy)| {
                            let from = pixel(above, above_size.x, 2 * x + dx, 2 * y + dy);
                            u32::from(data[from + channel])
                        })
                        .sum();
                    data[to + channel] = ((sum + 2) / 4) as u8;
                }
            }
        }
    }

    /// One quad per `(slot, transform)`, textured with its slot; the quad's
    /// face looks along the transform's local +Z.
    pub(crate) fn mesh<'a>(&self, quads: impl IntoIterator<Item = (usize, &'a Transform)>) -> Mesh {
        let mut positions = Vec::new();
        let mut normals = Vec::new();
        let mut uvs = Vec::new();
        let mut indices = Vec::new();
        let half = self.quad_size / 2.0;
        let page = self.page_px.as_vec2();
        let size = self.slot_px.as_vec2() / page;
        for (slot, transform) in quads {
            let base = positions.len() as u32;
            let origin = self.slot_origin(slot).as_vec2() / page;
            let corners = [
                (Vec3::new(-half.x, half.y, 0.0), origin),
                (
                    Vec3::new(half.x, half.y, 0.0),
                    origin + Vec2::new(size.x, 0.0),
                ),
                (Vec3::new(half.x, -half.y, 0.0), origin + size),
                (
                    Vec3::new(-half.x, -half.y, 0.0),
                    origin + Vec2::new(0.0, size.y),
                ),
            ];
            let normal = transform.rotation * Vec3::Z;
            for (corner, uv) in corners {
                positions.push(transform.transform_point(corner).to_array());
                normals.push(normal.to_array());
                uvs.push(uv.to_array());
            }
            indices.extend([base, base + 2, base + 1, base, base + 3, base + 2]);
        }
        if positions.is_empty() {
            // An empty mesh gets no GPU allocation; keep one degenerate triangle.
            positions = vec![[0.0; 3]; 3];
            normals = vec![[0.0, 0.0, 1.0]; 3];
            uvs = vec![[0.0; 2]; 3];
            indices = vec![0, 1, 2];
        }
        Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        )
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
        .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs)
        .with_inserted_indices(Indices::U32(indices))
    }
}

/// Spawns the entity drawing one page; returns its mesh handle.
pub(crate) fn spawn_page(
    commands: &mut Commands,
    parent: Entity,
    name: &str,
    image: Handle<Image>,
    mesh: Mesh,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<VenueMaterial>,
) -> Handle<Mesh> {
    let mesh = meshes.add(mesh);
    let material = materials.add(panel_material(image));
    commands.entity(parent).with_child((
        Name::new(name.to_string()),
        Mesh3d(mesh.clone()),
        MeshMaterial3d(material),
        Transform::IDENTITY,
        // Page meshes change as cards come and go; their bounds are not kept.
        NoFrustumCulling,
    ));
    mesh
}

/// A static sheet filled once (the lobby's featured cards): painted images are added,
/// then the pages are spawned together.
pub(crate) struct Sheet {
    layout: SheetLayout,
    pages: Vec<(Image, Vec<(usize, Transform)>)>,
}

impl Sheet {
    pub(crate) fn new(layout: SheetLayout) -> Self {
        Sheet {
            layout,
            pages: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, canvas: &Canvas, transform: Transform) {
        let full = self
            .pages
            .last()
            .is_none_or(|(_, quads)| quads.len() == self.layout.slots_per_page());
        if full {
            self.pages.push((self.layout.blank_page(false), Vec::new()));
        }
        let layout = self.layout;
        let (image, quads) = self.pages.last_mut().expect("a page");
        let slot = quads.len();
        layout.blit(image, canvas, slot);
        quads.push((slot, transform));
    }

    pub(crate) fn spawn(
        &mut self,
        commands: &mut Commands,
        parent: Entity,
        name: &str,
        images: &mut Assets<Image>,
        meshes: &mut Assets<Mesh>,
        materials: &mut Assets<VenueMaterial>,
    ) {
        for (image, quads) in self.pages.drain(..) {
            let mesh = self.layout.mesh(quads.iter().map(|(slot, t)| (*slot, t)));
            spawn_page(
                commands,
                parent,
                name,
                images.add(image),
                mesh,
                meshes,
                materials,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_painted_slot_fills_its_mip_levels_and_leaves_its_neighbours_blank() {
        let layout = crate::world::cards::CARD_SHEET;
        assert_eq!(layout.mip_levels(), 6);
        let mut page = layout.blank_page(true);
        assert_eq!(page.data.as_ref().map(Vec::len), Some(layout.page_bytes()));
        let red = Canvas::new(layout.slot_px.x, layout.slot_px.y, [200, 10, 10, 255]);
        layout.blit(&mut page, &red, 1);
        let data = page.data.unwrap();
        for level in 0..layout.mip_levels() {
            let (base, size) = layout.level(level);
            let origin = layout.slot_origin(1) >> level;
            let at = |x: u32, y: u32| base + ((y * size.x + x) * 4) as usize;
            let inside = at(origin.x + 1, origin.y + 1);
            assert_eq!(
                data[inside..inside + 4],
                [200, 10, 10, 255],
                "level {level}"
            );
            let before = at(origin.x - 1, origin.y + 1);
            assert_eq!(
                data[before..before + 4],
                [0, 0, 0, 0],
                "level {level}: slot 0"
            );
        }
    }

    #[test]
    fn a_slots_regions_are_its_pixels_at_every_mip_level() {
        let layout = crate::world::cards::CARD_SHEET_LOW;
        let mut page = layout.blank_page(true);
        let red = Canvas::new(layout.slot_px.x, layout.slot_px.y, [200, 10, 10, 255]);
        let blue = Canvas::new(layout.slot_px.x, layout.slot_px.y, [10, 10, 200, 255]);
        // Slot 5: second row, second column; its neighbours painted otherwise.
        for slot in [1, 4, 6, 9] {
            layout.blit(&mut page, &blue, slot);
        }
        layout.blit(&mut page, &red, 5);
        let regions = layout.slot_regions(&page, AssetId::default(), 5);
        assert_eq!(regions.len(), layout.mip_levels() as usize);
        let mut bytes = 0;
        for (level, region) in regions.iter().enumerate() {
            let size = layout.slot_px >> level as u32;
            assert_eq!(region.level, level as u32);
            // Slot 5 is one slot in from the page's left and top edges.
            assert_eq!(region.origin, layout.slot_px >> level as u32);
            assert_eq!(region.size, size);
            assert_eq!(region.pixels.len(), (size.x * size.y * 4) as usize);
            assert!(
                region
                    .pixels
                    .chunks(4)
                    .all(|pixel| pixel == [200, 10, 10, 255]),
                "level {level} holds only the slot's own pixels"
            );
            bytes += region.pixels.len();
        }
        assert_eq!(bytes, layout.page_bytes() / layout.slots_per_page());
    }
}
