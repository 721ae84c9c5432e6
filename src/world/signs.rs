//! A hall's painted signs that there are many of: the booths' name headers
//! on their fascia boards and the wayfinding totems' signs. Each is an
//! entity placed with its chunk of the hall; its picture is painted into a residency
//! atlas (`atlas`) only while the visitor is within reading distance, so a
//! hall of thousands of booths paints what is around the visitor, not the
//! whole hall.

use bevy::prelude::*;
use yunzhan_model::layout::Facing;
use yunzhan_model::{ExhibitorId, HallIndex};

use crate::expo::catalog::ExpoCatalog;
use crate::world::atlas::{Atlas, AtlasSetup, Painted, atlas_plugin};
use crate::world::booth::{CustomBooth, HEADER_SIZE};
use crate::world::dressing::{TOTEM_SIGN, TOTEM_SIGN_HEIGHT, Totem};
use crate::world::scene::{facing_transform, world};
use crate::world::sheet::SheetLayout;
use crate::world::text_image::{Align, Canvas, TextPainter};

/// How far from the visitor headers and totem signs are painted (metres):
/// beyond it a fascia board shows no name, which at that distance it would
/// not show legibly anyway.
const SIGN_RADIUS: f32 = 60.0;
const HEADER_SHEET: SheetLayout = SheetLayout {
    page_px: UVec2::new(2048, 1024),
    slot_px: UVec2::new(512, 64),
    quad_size: HEADER_SIZE,
};
const TOTEM_SHEET: SheetLayout = SheetLayout {
    page_px: UVec2::new(2048, 1024),
    slot_px: UVec2::new(256, 256),
    quad_size: Vec2::splat(TOTEM_SIGN),
};

/// A booth's name header on its fascia board.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BoothHeader {
    pub(crate) hall: HallIndex,
    pub(crate) exhibitor: ExhibitorId,
    /// The booth's number (from 1).
    pub(crate) number: usize,
    /// Which of the exhibitor's booths this is, and how many they have.
    pub(crate) part: (usize, usize),
}

/// A totem's sign (one per face): the aisle's number and its booths.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TotemSign {
    pub(crate) aisle: usize,
    /// The first and last booth numbers along the aisle.
    pub(crate) booths: (usize, usize),
    pub(crate) colour: [u8; 4],
}

impl TotemSign {
    /// Spawns a totem's two signs, one on each face, under `parent` (its chunk).
    pub(crate) fn spawn_pair(
        commands: &mut Commands,
        parent: Entity,
        totem: &Totem,
        colour: [u8; 4],
    ) {
        let sign = TotemSign {
            aisle: totem.aisle,
            booths: totem.booths,
            colour,
        };
        let [x, z] = totem.at;
        for (facing, offset) in [(Facing::South, -0.125), (Facing::North, 0.125)] {
            let at = world([x, z + offset], TOTEM_SIGN_HEIGHT);
            commands.spawn((sign, facing_transform(at, facing), ChildOf(parent)));
        }
    }
}

impl Painted for BoothHeader {
    type Source = (Res<'static, ExpoCatalog>, Option<Res<'static, CustomBooth>>);
    const SETUP: AtlasSetup = AtlasSetup {
        sheet: HEADER_SHEET,
        radius: SIGN_RADIUS,
        // Six pages of 64: every booth within the radius in the densest hall.
        cap_bytes: 6 * HEADER_SHEET.page_bytes(),
        per_frame: 24,
    };
    const PAGE_NAME: &'static str = "Booth headers";

    fn paint(
        &self,
        painter: &mut TextPainter,
        (catalog, custom): &(Res<ExpoCatalog>, Option<Res<CustomBooth>>),
    ) -> Canvas {
        let exhibitor = catalog.exhibitor(self.exhibitor);
        let custom = CustomBooth::of(custom.as_deref(), self.hall, self.exhibitor);
        let logo = custom.and_then(|custom| custom.logo.as_ref());
        paint_header(painter, &exhibitor.name, self, exhibitor.generated, logo)
    }
}

impl Painted for TotemSign {
    type Source = ();
    const SETUP: AtlasSetup = AtlasSetup {
        sheet: TOTEM_SHEET,
        radius: SIGN_RADIUS,
        cap_bytes: 2 * TOTEM_SHEET.page_bytes(),
        per_frame: 8,
    };
    const PAGE_NAME: &'static str = "Totem signs";

    fn paint(&self, painter: &mut TextPainter, _: &()) -> Canvas {
        paint_totem(painter, self)
    }
}

/// The booth headers' atlas.
pub(crate) type HeaderAtlas = Atlas<BoothHeader>;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((atlas_plugin::<BoothHeader>, atlas_plugin::<TotemSign>));
}

/// A booth's name header: the exhibitor's logo (when given) at its left,
/// the name, the demo mark and the booth's number at its right.
fn paint_header(
    painter: &mut TextPainter,
    name: &str,
    header: &BoothHeader,
    generated: bool,
    logo: Option<&Canvas>,
) -> Canvas {
    let slot = HEADER_SHEET.slot_px;
    let mut canvas = Canvas::new(slot.x, slot.y, [34, 40, 52, 255]);
    let left = match logo {
        Some(logo) => {
            canvas.draw_scaled(logo, 4, 4, 56, 56);
            64.0
        }
        None => 8.0,
    };
    let (part, parts) = header.part;
    let label = if parts > 1 {
        format!("{name} ({}/{parts})", part + 1)
    } else {
        name.to_string()
    };
    let width = if generated { 360.0 } else { 436.0 } - left;
    let white = [255, 255, 255, 255];
    painter.line(
        &mut canvas,
        &label,
        left,
        10.0,
        36.0,
        white,
        Align::Center,
        width,
    );
    if generated {
        canvas.fill_rect(364, 14, 72, 36, [200, 40, 40, 255]);
        painter.line(
            &mut canvas,
            "演示",
            364.0,
            16.0,
            26.0,
            white,
            Align::Center,
            72.0,
        );
    }
    canvas.fill_rect(444, 4, 64, 56, [236, 238, 242, 255]);
    let number = header.number.to_string();
    let ink = [34, 40, 52, 255];
    painter.line(
        &mut canvas,
        &number,
        444.0,
        12.0,
        32.0,
        ink,
        Align::Center,
        64.0,
    );
    canvas
}

/// A totem's sign: the aisle's number, large, and the booths along it.
fn paint_totem(painter: &mut TextPainter, sign: &TotemSign) -> Canvas {
    let size = TOTEM_SHEET.slot_px;
    let mut canvas = Canvas::new(size.x, size.y, [28, 32, 40, 255]);
    canvas.fill_rect(0, 0, size.x, 112, sign.colour);
    let mut line = |text: &str, y: f32, px: f32, ink| {
        painter.line(&mut canvas, text, 8.0, y, px, ink, Align::Center, 240.0);
    };
    let white = [255, 255, 255, 255];
    line(&sign.aisle.to_string(), 4.0, 96.0, white);
    line("号通道 · Aisle", 124.0, 30.0, white);
    let (first, last) = sign.booths;
    line(
        &format!("展位 {first}–{last}"),
        170.0,
        34.0,
        [255, 230, 160, 255],
    );
    line("Booths", 214.0, 24.0, [200, 204, 212, 255]);
    canvas
}
