//! Residency atlases: things painted into texture pages only while the
//! visitor is near them — project cards, booth name headers, totem signs.
//! Each kind has its own atlas (page layout, radius, memory cap); the nearest
//! items within the radius get a slot, painted a few per frame, and give it
//! back when the visitor walks away, so texture memory is bounded whatever
//! the hall's size. Each page is one mesh holding the quads of its resident
//! items: one draw call per page.

use std::collections::HashMap;
use std::marker::PhantomData;

use bevy::ecs::system::{StaticSystemParam, SystemParam, SystemParamItem};
use bevy::prelude::*;

use crate::expo::{Screen, ShippedFiles};
use crate::world::page_upload::PageUploads;
use crate::world::sheet::{SheetLayout, spawn_page};
use crate::world::text_image::{Canvas, TextPainter};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;

/// A kind of item an atlas paints.
pub(crate) trait Painted: Component + Sized {
    /// What painting an item reads from the world.
    type Source: SystemParam + 'static;
    /// The atlas's page layout, radius and texture memory cap.
    const SETUP: AtlasSetup;
    /// The name of its page entities.
    const PAGE_NAME: &'static str;

    /// The item's picture at the layout's slot size, or at twice it (halved
    /// on the low tier's smaller pages).
    fn paint(&self, painter: &mut TextPainter, source: &SystemParamItem<Self::Source>) -> Canvas;
}

/// How an atlas is set up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AtlasSetup {
    pub(crate) sheet: SheetLayout,
    /// Items farther than this from the visitor (metres) are not painted.
    pub(crate) radius: f32,
    pub(crate) cap_bytes: usize,
    /// New items painted per frame, to keep frames smooth (four times as
    /// many behind the loading screen).
    pub(crate) per_frame: usize,
}

/// The entity atlas pages are spawned under (the hall scene's root).
#[derive(Resource, Clone, Copy)]
pub(crate) struct AtlasRoot(pub Entity);

/// One page: its texture, mesh and the item in each slot.
struct Page {
    image: Handle<Image>,
    mesh: Handle<Mesh>,
    slots: Vec<Option<Entity>>,
    /// Its slots changed (the mesh is rebuilt).
    dirty: bool,
}

/// The texture cache of one kind of item in the current hall.
#[derive(Resource)]
pub(crate) struct Atlas<T> {
    pages: Vec<Page>,
    slot_of: HashMap<Entity, (usize, usize)>,
    pub(crate) cap_bytes: usize,
    /// The page layout in use (cards: full or half size, by quality tier).
    pub(crate) sheet: SheetLayout,
    pub(crate) radius: f32,
    /// Items painted a frame (four times as many behind a loading screen).
    pub(crate) per_frame: usize,
    painter: TextPainter,
    /// Items painted since the hall was entered (for diagnostics).
    pub(crate) painted: usize,
    /// Times the items were ranked by distance (for diagnostics): only when
    /// the visitor moved, the items changed or painting is unfinished.
    pub(crate) reranks: u64,
    /// Items within the radius at the last ranking (what the atlas wants
    /// resident); none before the first ranking.
    wanted: Option<usize>,
    /// The last ranking left nothing to do until the visitor moves.
    settled: bool,
    /// Where the visitor stood at the last ranking.
    ranked_from: Option<Vec3>,
    kind: PhantomData<fn() -> T>,
}

impl<T: Painted> FromWorld for Atlas<T> {
    fn from_world(world: &mut World) -> Self {
        Atlas::new(world.resource::<ShippedFiles>(), T::SETUP)
    }
}

impl<T> Atlas<T> {
    pub(crate) fn new(files: &ShippedFiles, setup: AtlasSetup) -> Self {
        Atlas {
            pages: Vec::new(),
            slot_of: HashMap::new(),
            cap_bytes: setup.cap_bytes,
            sheet: setup.sheet,
            radius: setup.radius,
            per_frame: setup.per_frame,
            painter: TextPainter::new(files),
            painted: 0,
            reranks: 0,
            wanted: None,
            settled: false,
            ranked_from: None,
            kind: PhantomData,
        }
    }

    pub(crate) fn texture_bytes(&self) -> usize {
        self.pages.len() * self.sheet.page_bytes()
    }

    /// Uses another page layout and radius; the pages painted so far are
    /// forgotten when that changes (returns whether it did).
    pub(crate) fn set_layout(&mut self, sheet: SheetLayout, radius: f32) -> bool {
        if self.sheet == sheet {
            return false;
        }
        self.sheet = sheet;
        self.radius = radius;
        self.clear();
        true
    }

    pub(crate) fn pages(&self) -> usize {
        self.pages.len()
    }

    pub(crate) fn resident(&self) -> usize {
        self.slot_of.len()
    }

    pub(crate) fn is_resident(&self, item: Entity) -> bool {
        self.slot_of.contains_key(&item)
    }

    /// Resident items and the items wanted at the last ranking (none yet:
    /// one wanted, so that a loading screen waits for the first ranking).
    pub(crate) fn progress(&self) -> (usize, usize) {
        let wanted = self.wanted.unwrap_or(1);
        (self.resident().min(wanted), wanted)
    }

    fn max_pages(&self) -> usize {
        self.cap_bytes / self.sheet.page_bytes()
    }

    fn free_slot(&self) -> Option<(usize, usize)> {
        self.pages.iter().enumerate().find_map(|(page, p)| {
            p.slots
                .iter()
                .position(Option::is_none)
                .map(|slot| (page, slot))
        })
    }

    fn evict(&mut self, item: Entity) {
        if let Some((page, slot)) = self.slot_of.remove(&item) {
            self.pages[page].slots[slot] = None;
            self.pages[page].dirty = true;
        }
    }

    /// Forgets every page (when leaving a hall); the page entities go with the hall.
    pub(crate) fn clear(&mut self) {
        self.pages.clear();
        self.slot_of.clear();
        self.painted = 0;
        self.wanted = None;
        self.settled = false;
        self.ranked_from = None;
    }
}

/// The atlas of `T`, kept resident around the visitor while a hall is shown.
pub(crate) fn atlas_plugin<T: Painted>(app: &mut App) {
    app.init_resource::<Atlas<T>>();
    app.add_systems(
        PostUpdate,
        update_residency::<T>.run_if(resource_exists::<AtlasRoot>),
    );
}

/// The assets new pages are made of.
#[derive(SystemParam)]
struct PageAssets<'w> {
    images: ResMut<'w, Assets<Image>>,
    meshes: ResMut<'w, Assets<Mesh>>,
    materials: ResMut<'w, Assets<VenueMaterial>>,
    uploads: ResMut<'w, PageUploads>,
}

/// Gives slots to the items nearest the visitor, evicting far ones, then
/// rebuilds the meshes of changed pages. Nothing to do while the visitor
/// stands still and every wanted item is painted.
fn update_residency<T: Painted>(
    mut commands: Commands,
    mut atlas: ResMut<Atlas<T>>,
    root: Res<AtlasRoot>,
    source: StaticSystemParam<T::Source>,
    items: Query<(Entity, &T, &Transform)>,
    changed_items: Query<(), (With<T>, Changed<Transform>)>,
    mut removed_items: RemovedComponents<T>,
    visitors: Query<&Transform, (With<Visitor>, Without<T>)>,
    screen: Res<State<Screen>>,
    mut assets: PageAssets,
) {
    let Some(eye) = visitors.iter().next().map(|t| t.translation) else {
        return;
    };
    let items_changed = !changed_items.is_empty() || removed_items.read().count() > 0;
    if atlas.settled && atlas.ranked_from == Some(eye) && !items_changed {
        return;
    }
    atlas.ranked_from = Some(eye);
    atlas.reranks += 1;
    let nearby = rank(&mut atlas, &items, eye);
    let per_frame = match screen.get() {
        Screen::Loading => 4 * atlas.per_frame,
        _ => atlas.per_frame,
    };
    let mut painted = 0;
    let pages_before = atlas.pages.len();
    // Painting stopped by the per-frame limit goes on next frame.
    atlas.settled = true;
    for &entity in &nearby {
        if painted == per_frame {
            atlas.settled = false;
            break;
        }
        if atlas.is_resident(entity) {
            continue;
        }
        let Ok((_, item, _)) = items.get(entity) else {
            continue;
        };
        let Some((page, index)) = atlas.take_slot(&mut commands, root.0, &mut assets) else {
            break;
        };
        let mut canvas = item.paint(&mut atlas.painter, &source);
        if canvas.width != atlas.sheet.slot_px.x {
            canvas = canvas.halved();
        }
        let image = atlas.pages[page].image.id();
        // Untracked: a changed page would be uploaded whole, as a new texture.
        if let Some(page_image) = assets.images.get_mut_untracked(image) {
            atlas.sheet.blit(page_image, &canvas, index);
            // A page made this frame goes to the GPU whole, painted.
            if page < pages_before {
                for region in atlas.sheet.slot_regions(page_image, image, index) {
                    assets.uploads.push(region);
                }
            }
        }
        atlas.pages[page].slots[index] = Some(entity);
        atlas.pages[page].dirty = true;
        atlas.slot_of.insert(entity, (page, index));
        atlas.painted += 1;
        painted += 1;
    }
    atlas.remesh_dirty_pages(&items, &mut assets);
}

/// The items within the radius, nearest first (as many as fit under the
/// cap); evicts the resident ones no longer among them.
fn rank<T: Painted>(
    atlas: &mut Atlas<T>,
    items: &Query<(Entity, &T, &Transform)>,
    eye: Vec3,
) -> Vec<Entity> {
    let capacity = atlas.max_pages() * atlas.sheet.slots_per_page();
    let radius = atlas.radius;
    let mut nearby: Vec<(f32, Entity)> = items
        .iter()
        .map(|(entity, _, transform)| (transform.translation.distance_squared(eye), entity))
        .filter(|(distance, _)| *distance <= radius * radius)
        .collect();
    nearby.sort_by(|a, b| a.0.total_cmp(&b.0));
    nearby.truncate(capacity);
    atlas.wanted = Some(nearby.len());
    let wanted: std::collections::HashSet<Entity> = nearby.iter().map(|(_, e)| *e).collect();
    let stale: Vec<Entity> = (atlas.slot_of.keys().copied())
        .filter(|item| !wanted.contains(item))
        .collect();
    for item in stale {
        atlas.evict(item);
    }
    nearby.into_iter().map(|(_, entity)| entity).collect()
}

impl<T: Painted> Atlas<T> {
    /// A free slot, on a new page when the others are full and the cap
    /// allows one.
    fn take_slot(
        &mut self,
        commands: &mut Commands,
        root: Entity,
        assets: &mut PageAssets,
    ) -> Option<(usize, usize)> {
        if let Some(slot) = self.free_slot() {
            return Some(slot);
        }
        if self.pages.len() >= self.max_pages() {
            return None;
        }
        let image = assets.images.add(self.sheet.blank_page(true));
        let mesh = spawn_page(
            commands,
            root,
            T::PAGE_NAME,
            image.clone(),
            self.sheet.mesh([]),
            &mut assets.meshes,
            &mut assets.materials,
        );
        self.pages.push(Page {
            image,
            mesh,
            slots: vec![None; self.sheet.slots_per_page()],
            dirty: false,
        });
        Some((self.pages.len() - 1, 0))
    }

    fn remesh_dirty_pages(
        &mut self,
        items: &Query<(Entity, &T, &Transform)>,
        assets: &mut PageAssets,
    ) {
        let sheet = self.sheet;
        for page in self.pages.iter_mut().filter(|page| page.dirty) {
            page.dirty = false;
            let quads = page.slots.iter().enumerate().filter_map(|(slot, item)| {
                item.and_then(|item| items.get(item).ok())
                    .map(|(_, _, transform)| (slot, transform))
            });
            if let Some(mut mesh) = assets.meshes.get_mut(&page.mesh) {
                *mesh = sheet.mesh(quads);
            }
        }
    }
}
