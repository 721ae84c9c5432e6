//! Where panels go. A wide screen shows every open panel in its own place;
//! a phone shows one at a time, as wide as the screen, between the top bar
//! and the joystick, with a close button a finger can hit.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::Panels;
use crate::expo::Screen;
use crate::world::interaction::Selection;

/// Screens narrower than this (egui points: CSS pixels in a browser) are
/// laid out as a phone.
const PHONE_WIDTH: f32 = 600.0;
/// The smallest touch target, in points (Apple's and W3C's 44 px).
pub(super) const TOUCH_TARGET: f32 = 44.0;
/// Kept free at the bottom of a phone for the joystick (its pad and margin).
const JOYSTICK_ROOM: f32 = 160.0;
const MARGIN: f32 = 8.0;
/// The close button's mark (a glyph the shipped font has).
const CLOSE: &str = "×";

/// The panels that cover the scene, in the order a phone prefers them: it
/// shows the first open one, and the next when that one closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Panel {
    Inquiry,
    Detail,
    Threads,
    Search,
    Favourites,
    Directory,
    Hint,
    Map,
}

/// This frame's layout, decided before the panels draw.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct PanelLayout {
    /// On a phone: the panel shown and the part of the screen it may use.
    phone: Option<(Option<Panel>, egui::Rect)>,
}

impl PanelLayout {
    pub(super) fn is_phone(&self) -> bool {
        self.phone.is_some()
    }

    pub(super) fn shows(&self, panel: Panel) -> bool {
        self.phone.is_none_or(|(front, _)| front == Some(panel))
    }

    /// The height for a scrolling list inside a panel: `wide` on a wide
    /// screen; on a phone the whole panel scrolls instead.
    pub(super) fn list_height(&self, wide: f32) -> f32 {
        if self.phone.is_some() {
            f32::INFINITY
        } else {
            wide
        }
    }

    /// Shows a panel titled `title`: on a wide screen as `wide` places it;
    /// on a phone under the top bar, the screen's width, scrolling what
    /// does not fit. `open`, where given, is cleared by its close button.
    pub(super) fn show(
        &self,
        ctx: &egui::Context,
        title: &str,
        open: Option<&mut bool>,
        wide: impl for<'a> FnOnce(egui::Window<'a>) -> egui::Window<'a>,
        body: impl FnOnce(&mut egui::Ui),
    ) {
        let Some((_, room)) = self.phone else {
            let window = wide(egui::Window::new(title));
            match open {
                Some(open) => window.open(open).show(ctx, body),
                None => window.show(ctx, body),
            };
            return;
        };
        egui::Window::new(title)
            .title_bar(false)
            .anchor(egui::Align2::CENTER_TOP, [0.0, room.top()])
            .resizable(false)
            .min_width(room.width())
            .max_width(room.width())
            .max_height(room.height())
            .show(ctx, |window| {
                window.horizontal(|row| {
                    row.heading(title);
                    if let Some(open) = open {
                        row.with_layout(egui::Layout::right_to_left(egui::Align::Center), |row| {
                            let cross = egui::RichText::new(CLOSE).size(TOUCH_TARGET / 2.0);
                            let close =
                                egui::Button::new(cross).min_size(egui::Vec2::splat(TOUCH_TARGET));
                            if row.add(close).clicked() {
                                *open = false;
                            }
                        });
                    }
                });
                window.separator();
                egui::ScrollArea::vertical()
                    .max_height(room.height() - TOUCH_TARGET - 4.0 * MARGIN)
                    .show(window, |list| {
                        body(list);
                        follow_keyboard_focus(list);
                    });
            });
    }
}

/// Scrolls a phone's panel to the widget the keyboard has just moved to
/// (Tab, or a field's own request), which egui leaves out of view; once
/// there, the visitor scrolls freely.
fn follow_keyboard_focus(list: &mut egui::Ui) {
    let followed = egui::Id::new("followed keyboard focus");
    let focused = list.memory(|memory| memory.focused());
    if list.data(|data| data.get_temp::<Option<egui::Id>>(followed)) == Some(focused) {
        return;
    }
    list.data_mut(|data| data.insert_temp(followed, focused));
    if let Some(widget) = focused.and_then(|id| list.ctx().read_response(id)) {
        list.scroll_to_rect(widget.rect, None);
    }
}

/// Decides whether the screen is a phone's and which open panel it shows.
pub(super) fn decide(
    mut contexts: EguiContexts,
    panels: Res<Panels>,
    selection: Res<Selection>,
    screen: Res<State<Screen>>,
    mut layout: ResMut<PanelLayout>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let screen_rect = ctx.content_rect();
    let phone = (screen_rect.width() < PHONE_WIDTH).then(|| {
        let open = [
            (Panel::Inquiry, panels.inquiry),
            (Panel::Detail, selection.0.is_some()),
            (Panel::Threads, panels.threads),
            (Panel::Search, panels.search),
            (Panel::Favourites, panels.favourites),
            (Panel::Directory, panels.directory),
            (Panel::Hint, panels.hint),
            (Panel::Map, *screen.get() == Screen::Hall && panels.map),
        ];
        let front = open
            .into_iter()
            .find(|(_, open)| *open)
            .map(|(panel, _)| panel);
        // The top bar wraps onto more rows on a narrow screen: the panel
        // goes under it as it was last drawn.
        let top = ctx
            .memory(|memory| memory.area_rect(egui::Id::new("top-bar")))
            .map_or(52.0, |bar| bar.bottom() + MARGIN);
        let room = egui::Rect::from_min_max(
            egui::pos2(screen_rect.left() + MARGIN, top),
            egui::pos2(
                screen_rect.right() - MARGIN,
                screen_rect.bottom() - JOYSTICK_ROOM,
            ),
        );
        (front, room)
    });
    layout.set_if_neq(PanelLayout { phone });
    Ok(())
}
