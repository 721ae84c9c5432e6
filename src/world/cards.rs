//! Project cards: one entity per project on its booth's back wall, drawn from
//! the cards' residency atlas (`atlas`): painted for the cards nearest the
//! visitor, 16 to a page, under a fixed cap on texture memory.

use bevy::prelude::*;
use yunzhan_model::{Project, ProjectId};

use crate::expo::catalog::ExpoCatalog;
use crate::world::atlas::{Atlas, AtlasSetup, Painted, atlas_plugin};
use crate::world::scene::{industry_color, rgba};
use crate::world::sheet::SheetLayout;
use crate::world::text_image::{Align, Canvas, TextPainter};

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

/// The cards' residency atlas.
pub(crate) type CardAtlas = Atlas<Card>;

impl Painted for Card {
    type Source = Res<'static, ExpoCatalog>;
    const SETUP: AtlasSetup = AtlasSetup {
        sheet: CARD_SHEET,
        radius: RESIDENT_RADIUS,
        cap_bytes: TEXTURE_CAP_BYTES,
        per_frame: PAINT_PER_FRAME,
    };
    const PAGE_NAME: &'static str = "Card atlas page";

    fn paint(&self, painter: &mut TextPainter, catalog: &Res<ExpoCatalog>) -> Canvas {
        paint_card(painter, catalog.project(self.project))
    }
}

impl CardAtlas {
    /// Uses the page layout and radius of a quality tier; the pages painted
    /// so far are forgotten when that changes (returns whether it did).
    pub(crate) fn set_tier(&mut self, tier: crate::world::quality::Tier) -> bool {
        match tier {
            crate::world::quality::Tier::High => self.set_layout(CARD_SHEET, RESIDENT_RADIUS),
            crate::world::quality::Tier::Low => {
                self.set_layout(CARD_SHEET_LOW, RESIDENT_RADIUS_LOW)
            }
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_plugins(atlas_plugin::<Card>);
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
