//! Project cards: one entity per project on its booth's back wall, drawn from
//! shared atlas pages. Card textures are painted lazily for the cards nearest
//! the visitor, packed into pages of 40 slots, reused, and evicted when the
//! visitor walks away, so texture memory stays under a fixed cap whatever the
//! hall's size. Each page is one mesh holding the quads of its resident
//! cards: one draw call per page.

use std::collections::HashMap;

use bevy::prelude::*;
use yunzhan_model::{Project, ProjectId};

use crate::expo::ShippedFiles;
use crate::expo::catalog::ExpoCatalog;
use crate::world::scene::{industry_color, rgba};
use crate::world::sheet::{SheetLayout, spawn_page};
use crate::world::text_image::{Align, Canvas, TextPainter};
use crate::world::venue::VenueMaterial;
use crate::world::visitor::Visitor;

/// Card texture size in pixels.
pub(crate) const CARD_PX: UVec2 = UVec2::new(384, 256);
/// Card size on the wall in metres.
pub(crate) const CARD_SIZE: Vec2 = Vec2::new(1.2, 0.8);
/// Card pages are 1536×1024 (16 cards, 6 MiB): small enough that repainting
/// a slot re-uploads little, large enough that a hall needs few draw calls.
pub(crate) const CARD_SHEET: SheetLayout = SheetLayout {
    page_px: UVec2::new(1536, 1024),
    slot_px: CARD_PX,
    quad_size: CARD_SIZE,
};
/// The low quality tier's pages: the same cards at half the pixels.
pub(crate) const CARD_SHEET_LOW: SheetLayout = SheetLayout {
    page_px: UVec2::new(768, 512),
    slot_px: UVec2::new(192, 128),
    quad_size: CARD_SIZE,
};
/// The product's cap on card texture memory.
pub(crate) const TEXTURE_CAP_BYTES: usize = 256 * 1024 * 1024;
/// Cards farther than this from the visitor are not given textures.
pub(crate) const RESIDENT_RADIUS: f32 = 30.0;
/// The same on the low quality tier.
pub(crate) const RESIDENT_RADIUS_LOW: f32 = 18.0;
/// New card textures painted per frame, to keep frames smooth.
pub(crate) const PAINT_PER_FRAME: usize = 24;

/// A project card on a booth wall (or on the lobby's featured stage, with no
/// booth). Its `Transform` is the card's centre, with the card's face looking
/// along local +Z.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Card {
    pub(crate) project: ProjectId,
    pub(crate) booth: Option<usize>,
}

/// One atlas page: its texture, mesh, the entity drawing it and the card in
/// each slot.
struct Page {
    image: Handle<Image>,
    mesh: Handle<Mesh>,
    slots: Vec<Option<Entity>>,
    dirty: bool,
}

/// The card texture cache of the current hall.
#[derive(Resource)]
pub(crate) struct CardAtlas {
    pages: Vec<Page>,
    slot_of: HashMap<Entity, (usize, usize)>,
    pub(crate) cap_bytes: usize,
    /// The page layout in use (full or half size, by quality tier).
    pub(crate) sheet: SheetLayout,
    pub(crate) radius: f32,
    painter: TextPainter,
    /// Cards painted since the hall was entered (for diagnostics).
    pub(crate) painted: usize,
    /// Times the cards were ranked by distance (for diagnostics): only when
    /// the visitor moved, the cards changed or painting is unfinished.
    pub(crate) reranks: u64,
    /// The last ranking left nothing to do until the visitor moves.
    settled: bool,
    /// Where the visitor stood at the last ranking.
    ranked_from: Option<Vec3>,
}

impl FromWorld for CardAtlas {
    fn from_world(world: &mut World) -> Self {
        CardAtlas::with_cap(world.resource::<ShippedFiles>(), TEXTURE_CAP_BYTES)
    }
}

impl CardAtlas {
    pub(crate) fn with_cap(files: &ShippedFiles, cap_bytes: usize) -> Self {
        CardAtlas {
            pages: Vec::new(),
            slot_of: HashMap::new(),
            cap_bytes,
            sheet: CARD_SHEET,
            radius: RESIDENT_RADIUS,
            painter: TextPainter::new(files),
            painted: 0,
            reranks: 0,
            settled: false,
            ranked_from: None,
        }
    }

    pub(crate) fn texture_bytes(&self) -> usize {
        self.pages.len() * self.sheet.page_bytes()
    }

    /// Uses the page layout and radius of a quality tier; the pages painted
    /// so far are forgotten when that changes (returns whether it did).
    pub(crate) fn set_tier(&mut self, tier: crate::world::quality::Tier) -> bool {
        let (sheet, radius) = match tier {
            crate::world::quality::Tier::High => (CARD_SHEET, RESIDENT_RADIUS),
            crate::world::quality::Tier::Low => (CARD_SHEET_LOW, RESIDENT_RADIUS_LOW),
        };
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

    pub(crate) fn is_resident(&self, card: Entity) -> bool {
        self.slot_of.contains_key(&card)
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

    fn evict(&mut self, card: Entity) {
        if let Some((page, slot)) = self.slot_of.remove(&card) {
            self.pages[page].slots[slot] = None;
            self.pages[page].dirty = true;
        }
    }

    /// Forgets every page (when leaving a hall); the page entities go with the hall.
    pub(crate) fn clear(&mut self) {
        self.pages.clear();
        self.slot_of.clear();
        self.painted = 0;
        self.settled = false;
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<CardAtlas>();
    app.add_systems(
        PostUpdate,
        update_residency.run_if(resource_exists::<CardRoot>),
    );
}

/// The entity atlas pages are spawned under (the hall scene's root).
#[derive(Resource, Clone, Copy)]
pub(crate) struct CardRoot(pub Entity);

/// Gives textures to the cards nearest the visitor, evicting far ones, then
/// rebuilds the meshes of changed pages. Nothing to do while the visitor
/// stands still and every wanted card is painted.
fn update_residency(
    mut commands: Commands,
    mut atlas: ResMut<CardAtlas>,
    root: Res<CardRoot>,
    catalog: Res<ExpoCatalog>,
    cards: Query<(Entity, &Card, &Transform)>,
    changed_cards: Query<(), (With<Card>, Changed<Transform>)>,
    mut removed_cards: RemovedComponents<Card>,
    visitors: Query<&Transform, (With<Visitor>, Without<Card>)>,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<VenueMaterial>>,
) {
    let Some(eye) = visitors.iter().next().map(|t| t.translation) else {
        return;
    };
    let cards_changed = !changed_cards.is_empty() || removed_cards.read().count() > 0;
    if atlas.settled && atlas.ranked_from == Some(eye) && !cards_changed {
        return;
    }
    atlas.ranked_from = Some(eye);
    atlas.reranks += 1;
    let capacity = atlas.max_pages() * atlas.sheet.slots_per_page();
    let radius = atlas.radius;
    let mut nearby: Vec<(f32, Entity)> = cards
        .iter()
        .map(|(entity, _, transform)| (transform.translation.distance_squared(eye), entity))
        .filter(|(distance, _)| *distance <= radius * radius)
        .collect();
    nearby.sort_by(|a, b| a.0.total_cmp(&b.0));
    nearby.truncate(capacity);
    let wanted: std::collections::HashSet<Entity> = nearby.iter().map(|(_, e)| *e).collect();

    let stale: Vec<Entity> = atlas
        .slot_of
        .keys()
        .copied()
        .filter(|card| !wanted.contains(card))
        .collect();
    for card in stale {
        atlas.evict(card);
    }

    let mut painted = 0;
    // Painting stopped by the per-frame limit goes on next frame.
    atlas.settled = true;
    for &(_, entity) in &nearby {
        if painted == PAINT_PER_FRAME {
            atlas.settled = false;
            break;
        }
        if atlas.is_resident(entity) {
            continue;
        }
        let slot = match atlas.free_slot() {
            Some(slot) => slot,
            None if atlas.pages.len() < atlas.max_pages() => {
                let page = new_page(
                    atlas.sheet,
                    &mut commands,
                    root.0,
                    &mut images,
                    &mut meshes,
                    &mut materials,
                );
                atlas.pages.push(page);
                (atlas.pages.len() - 1, 0)
            }
            None => break,
        };
        let Ok((_, card, _)) = cards.get(entity) else {
            continue;
        };
        let mut canvas = paint_card(&mut atlas.painter, catalog.project(card.project));
        if atlas.sheet.slot_px != CARD_PX {
            canvas = canvas.halved();
        }
        let (page, index) = slot;
        if let Some(mut image) = images.get_mut(&atlas.pages[page].image) {
            atlas.sheet.blit(&mut image, &canvas, index);
        }
        atlas.pages[page].slots[index] = Some(entity);
        atlas.pages[page].dirty = true;
        atlas.slot_of.insert(entity, slot);
        atlas.painted += 1;
        painted += 1;
    }

    let sheet = atlas.sheet;
    for page in atlas.pages.iter_mut().filter(|page| page.dirty) {
        page.dirty = false;
        let quads = page.slots.iter().enumerate().filter_map(|(slot, card)| {
            card.and_then(|card| cards.get(card).ok())
                .map(|(_, _, transform)| (slot, transform))
        });
        if let Some(mut mesh) = meshes.get_mut(&page.mesh) {
            *mesh = sheet.mesh(quads);
        }
    }
}

fn new_page(
    sheet: SheetLayout,
    commands: &mut Commands,
    root: Entity,
    images: &mut Assets<Image>,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<VenueMaterial>,
) -> Page {
    let image = images.add(sheet.blank_page(true));
    let mesh = spawn_page(
        commands,
        root,
        "Card atlas page",
        image.clone(),
        sheet.mesh([]),
        meshes,
        materials,
    );
    Page {
        image,
        mesh,
        slots: vec![None; sheet.slots_per_page()],
        dirty: false,
    }
}

/// Paints a card: kind badge and industry band, title, organisation,
/// platform number, and the demo mark on generated projects.
pub(crate) fn paint_card(painter: &mut TextPainter, project: &Project) -> Canvas {
    let (w, h) = (CARD_PX.x as f32, CARD_PX.y as f32);
    let mut canvas = Canvas::new(CARD_PX.x, CARD_PX.y, [252, 252, 250, 255]);
    let band = rgba(industry_color(project.industry));
    canvas.fill_rect(0, 0, CARD_PX.x, 44, band);
    let white = [255, 255, 255, 255];
    painter.line(
        &mut canvas,
        project.kind.name_zh(),
        12.0,
        6.0,
        26.0,
        white,
        Align::Left,
        190.0,
    );
    painter.line(
        &mut canvas,
        project.industry.name_zh(),
        196.0,
        9.0,
        22.0,
        white,
        Align::Left,
        96.0,
    );
    let ink = [24, 26, 30, 255];
    painter.paragraph(
        &mut canvas,
        &project.title,
        12.0,
        54.0,
        30.0,
        ink,
        w - 24.0,
        3,
    );
    painter.line(
        &mut canvas,
        &project.organisation,
        12.0,
        h - 74.0,
        21.0,
        [70, 74, 82, 255],
        Align::Left,
        w - 24.0,
    );
    painter.line(
        &mut canvas,
        &format!("编号 {}", project.platform_no),
        12.0,
        h - 40.0,
        19.0,
        [110, 114, 122, 255],
        Align::Left,
        200.0,
    );
    if project.generated {
        canvas.fill_rect(
            CARD_PX.x as i32 - 132,
            CARD_PX.y as i32 - 44,
            120,
            34,
            [200, 40, 40, 255],
        );
        painter.line(
            &mut canvas,
            "演示 DEMO",
            w - 132.0,
            h - 42.0,
            21.0,
            white,
            Align::Center,
            120.0,
        );
    }
    if project.featured {
        painter.line(
            &mut canvas,
            "★ 重大",
            w - 96.0,
            9.0,
            22.0,
            [255, 236, 150, 255],
            Align::Left,
            90.0,
        );
    }
    canvas
}
