//! The minimap: the hall's floor plan, booths in their zone's colour, the
//! stage, the door and the visitor. The plan is painted into a texture once
//! per hall, so a hall of thousands of booths costs one image a frame.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::Panels;
use super::layout::{Panel, PanelLayout};
use crate::expo::{Lang, Screen};
use crate::world::hall::HallPlan;
use crate::world::navigation::{Travel, floor_position, yaw_towards};
use crate::world::scene::industry_color;
use crate::world::visitor::Visitor;

/// The hall's floor plan with the visitor; a click on it walks there.
pub(super) fn minimap(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    plan: Option<Res<HallPlan>>,
    screen: Res<State<Screen>>,
    panel_layout: Res<PanelLayout>,
    mut panels: ResMut<Panels>,
    visitors: Query<(Entity, &Transform, &Visitor)>,
    mut commands: Commands,
    mut texture: Local<Option<egui::TextureHandle>>,
) -> Result {
    let (Some(plan), Screen::Hall) = (plan, screen.get()) else {
        return Ok(());
    };
    if !panel_layout.shows(Panel::Map) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let layout = &plan.layout;
    let size = 220.0;
    let scale = size / layout.width.max(layout.depth);
    if plan.is_changed() || texture.is_none() {
        let image = paint_plan(layout, scale * PLAN_PIXELS_PER_POINT);
        *texture = Some(ctx.load_texture("hall plan", image, egui::TextureOptions::LINEAR));
    }
    let plan_texture = texture.as_ref().map(egui::TextureHandle::id);
    let title = lang.pick("平面图", "Map");
    // A phone's map closes like any panel (its top bar button opens it).
    let mut shown = true;
    panel_layout.show(
        &ctx,
        title,
        panel_layout.is_phone().then_some(&mut shown),
        |wide| {
            wide.anchor(egui::Align2::LEFT_BOTTOM, [8.0, -8.0])
                .resizable(false)
                .collapsible(true)
        },
        |window| {
            let (response, painter) = window.allocate_painter(
                egui::vec2(layout.width * scale, layout.depth * scale),
                egui::Sense::click(),
            );
            let origin = response.rect.left_bottom();
            let to_screen =
                |[x, z]: [f32; 2]| egui::pos2(origin.x + x * scale, origin.y - z * scale);
            if let Some(plan_texture) = plan_texture {
                let whole = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
                painter.image(plan_texture, response.rect, whole, egui::Color32::WHITE);
            }
            let door = to_screen(layout.door);
            painter.line_segment(
                [
                    door - egui::vec2(layout.door_width * scale / 2.0, 0.0),
                    door + egui::vec2(layout.door_width * scale / 2.0, 0.0),
                ],
                egui::Stroke::new(3.0, egui::Color32::from_rgb(20, 110, 130)),
            );
            if let Some((entity, transform, visitor)) = visitors.iter().next() {
                let here = to_screen(floor_position(transform));
                let heading = egui::vec2(visitor.yaw.sin(), -visitor.yaw.cos()) * 10.0;
                painter.circle_filled(here, 4.0, egui::Color32::from_rgb(230, 60, 30));
                painter.line_segment(
                    [here, here + heading],
                    egui::Stroke::new(2.0, egui::Color32::from_rgb(230, 60, 30)),
                );
                if response.clicked()
                    && let Some(pointer) = response.interact_pointer_pos()
                {
                    let target = [
                        (pointer.x - origin.x) / scale,
                        (origin.y - pointer.y) / scale,
                    ];
                    let from = floor_position(transform);
                    commands.entity(entity).insert(Travel {
                        to: target,
                        yaw: yaw_towards([target[0] - from[0], target[1] - from[1]]),
                        pitch: 0.0,
                    });
                }
            }
        },
    );
    if !shown {
        panels.map = false;
    }
    Ok(())
}

/// Texture pixels per point of the minimap (sharp on dense screens).
const PLAN_PIXELS_PER_POINT: f32 = 2.0;

/// The hall's plan at `scale` pixels per metre, north up: the floor, the
/// booths in their zone's colour (a pixel apart), the stage.
fn paint_plan(layout: &yunzhan_model::HallLayout, scale: f32) -> egui::ColorImage {
    let size = [
        (layout.width * scale).ceil() as usize,
        (layout.depth * scale).ceil() as usize,
    ];
    let mut image = egui::ColorImage::filled(size, egui::Color32::from_gray(235));
    let mut fill = |rect: &yunzhan_model::layout::Rect, inset: f32, colour: egui::Color32| {
        let column = |x: f32| ((x * scale).round() as usize).min(size[0]);
        let row = |z: f32| ((layout.depth - z) * scale).round().max(0.0) as usize;
        let x0 = column(rect.min[0] + inset);
        let x1 = column(rect.max[0] - inset).max(x0);
        let (y0, y1) = (
            row(rect.max[1] - inset),
            row(rect.min[1] + inset).min(size[1]),
        );
        for y in y0..y1 {
            image.pixels[y * size[0] + x0..y * size[0] + x1].fill(colour);
        }
    };
    let gap = 1.0 / scale;
    for booth in &layout.booths {
        fill(&booth.rect, gap, color32(industry_color(booth.industry)));
    }
    fill(
        &layout.stage.rect,
        0.0,
        egui::Color32::from_rgb(140, 24, 24),
    );
    image
}

fn color32(color: Color) -> egui::Color32 {
    let [r, g, b, _] = color.to_srgba().to_u8_array();
    egui::Color32::from_rgb(r, g, b)
}

#[cfg(test)]
mod tests {
    use yunzhan_model::Industry;
    use yunzhan_model::layout::{ExhibitorSpec, HallLayout};

    use super::*;

    #[test]
    fn the_plan_shows_each_booth_in_its_zone_colour_on_the_floor() {
        let specs: Vec<ExhibitorSpec> = (0..40)
            .map(|index| ExhibitorSpec {
                industry: Industry::ALL[index % 2],
                project_count: 8,
            })
            .collect();
        let layout = HallLayout::new(&specs);
        let scale = 2.0;
        let image = paint_plan(&layout, scale);
        let at = |[x, z]: [f32; 2]| {
            let (column, row) = ((x * scale) as usize, ((layout.depth - z) * scale) as usize);
            image.pixels[row * image.size[0] + column]
        };
        for booth in &layout.booths {
            assert_eq!(
                at(booth.rect.center()),
                color32(industry_color(booth.industry))
            );
        }
        assert_eq!(at([1.0, 1.0]), egui::Color32::from_gray(235));
        assert_eq!(
            at(layout.stage.rect.center()),
            egui::Color32::from_rgb(140, 24, 24)
        );
    }
}
