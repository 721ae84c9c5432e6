//! The minimap: the hall's floor plan, booths in their zone's colour, the
//! stage, the door and the visitor.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

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
    visitors: Query<(Entity, &Transform, &Visitor)>,
    mut commands: Commands,
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
    let title = lang.pick("平面图", "Map");
    panel_layout.show(
        &ctx,
        title,
        None,
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
            painter.rect_filled(response.rect, 2.0, egui::Color32::from_gray(235));
            for booth in &layout.booths {
                let rect =
                    egui::Rect::from_two_pos(to_screen(booth.rect.min), to_screen(booth.rect.max));
                painter.rect_filled(
                    rect.shrink(0.5),
                    0.0,
                    color32(industry_color(booth.industry)),
                );
            }
            let stage = egui::Rect::from_two_pos(
                to_screen(layout.stage.rect.min),
                to_screen(layout.stage.rect.max),
            );
            painter.rect_filled(stage, 0.0, egui::Color32::from_rgb(140, 24, 24));
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
    Ok(())
}

fn color32(color: Color) -> egui::Color32 {
    let [r, g, b, _] = color.to_srgba().to_u8_array();
    egui::Color32::from_rgb(r, g, b)
}
