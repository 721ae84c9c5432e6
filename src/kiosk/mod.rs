//! Kiosk mode for the venue's touch screens (`--kiosk`, `?kiosk=1`).
//!
//! After a minute without input the kiosk asks "还在浏览吗？ Still there?"
//! for 15 s; then it wipes what the last visitor left (inquiry draft,
//! favourites, search, open panels and project, language) and starts the
//! attract mode: a tour that glides from the lobby to the featured stage's
//! cards and to featured projects in their halls, until a touch stops it.
//! Inquiries already submitted stay in the outbox and are still delivered.

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::input::touch::Touches;
use bevy::prelude::*;
use bevy_egui::egui;
use yunzhan_model::ProjectId;

use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::expo::{InquiryDraft, KeypadField, Kiosk, Lang, VisitorLeft};
use crate::world::cards::Card;
use crate::world::controls::Joystick;
use crate::world::interaction::{FocusProject, Selection, reading_pose};
use crate::world::lobby::Lobby;
use crate::world::navigation::{Go, Travel};
use crate::world::visitor::Visitor;

/// Seconds without input before the kiosk asks whether anyone is there.
pub(crate) const IDLE_SECS: f32 = 60.0;
/// Seconds the question stays before the wipe.
pub(crate) const COUNTDOWN_SECS: f32 = 15.0;
/// Seconds the tour stays at each stop.
pub(crate) const STOP_SECS: f32 = 8.0;

/// Where the kiosk stands.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub(crate) enum KioskState {
    /// A visitor is using it: seconds since their last input.
    Active { idle: f32 },
    /// Nobody touched it for a minute: seconds left before the wipe.
    Countdown { left: f32 },
    /// The attract tour: the stop it is at, and seconds spent there.
    Attract { stop: usize, at: f32 },
}

impl Default for KioskState {
    fn default() -> Self {
        KioskState::Attract { stop: 0, at: 0.0 }
    }
}

/// What the kiosk has done since it started (diagnostics and tests).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KioskCounts {
    pub(crate) wipes: u64,
    pub(crate) tour_stops: u64,
}

/// "I am still here": the countdown's button.
#[derive(Message, Debug, Clone, Copy)]
pub(crate) struct StillHere;

/// One stop of the attract tour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TourStop {
    /// The lobby seen from the entrance.
    Lobby,
    /// A card on the featured stage (an index into the featured projects).
    Stage(usize),
    /// A featured project at its booth in its hall.
    Hall(usize),
}

/// The tour repeats lobby, two stage cards, two projects in their halls,
/// moving on through the featured projects each round.
pub(crate) fn tour_stop(stop: usize) -> TourStop {
    let round = stop / 5;
    match stop % 5 {
        0 => TourStop::Lobby,
        1 => TourStop::Stage(round * 2),
        2 => TourStop::Stage(round * 2 + 1),
        3 => TourStop::Hall(round * 2),
        _ => TourStop::Hall(round * 2 + 1),
    }
}

/// Present while something else drives the kiosk (capture mode): its clock
/// stands still.
#[derive(Resource, Debug, Default)]
pub(crate) struct KioskHeld;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<KioskState>()
        .init_resource::<KioskCounts>()
        .add_message::<StillHere>();
    app.add_systems(
        Update,
        (advance, start_tour_stop)
            .chain()
            .run_if(resource_exists::<Kiosk>.and_then(not(resource_exists::<KioskHeld>))),
    );
}

/// Whether the visitor did anything this frame.
fn any_input(
    keys: &ButtonInput<KeyCode>,
    buttons: &ButtonInput<MouseButton>,
    touches: &Touches,
    motion: &AccumulatedMouseMotion,
    scroll: &AccumulatedMouseScroll,
    joystick: &Joystick,
) -> bool {
    keys.get_just_pressed().next().is_some()
        || buttons.get_just_pressed().next().is_some()
        || touches.iter().next().is_some()
        || touches.any_just_released()
        || motion.delta != Vec2::ZERO
        || scroll.delta != Vec2::ZERO
        || joystick.0 != Vec2::ZERO
}

/// Moves the state on with the frame's time and input; wipes at the end of
/// the countdown.
fn advance(
    // Wall-clock time: the game clock caps long frames at 250 ms.
    time: Res<Time<Real>>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    touches: Res<Touches>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    joystick: Res<Joystick>,
    mut still_here: MessageReader<StillHere>,
    mut state: ResMut<KioskState>,
    mut commands: Commands,
    travelling: Query<Entity, (With<Visitor>, With<Travel>)>,
    mut wipe: WipeVisitor,
) {
    let touched = still_here.read().count() > 0
        || any_input(&keys, &buttons, &touches, &motion, &scroll, &joystick);
    let dt = time.delta_secs();
    let next = match *state {
        _ if touched => {
            if matches!(*state, KioskState::Attract { .. }) {
                // The visitor takes over where the tour is.
                for visitor in &travelling {
                    commands.entity(visitor).remove::<Travel>();
                }
            }
            KioskState::Active { idle: 0.0 }
        }
        KioskState::Active { idle } if idle + dt >= IDLE_SECS => KioskState::Countdown {
            left: COUNTDOWN_SECS,
        },
        KioskState::Active { idle } => KioskState::Active { idle: idle + dt },
        KioskState::Countdown { left } if left - dt <= 0.0 => {
            wipe.wipe();
            KioskState::Attract { stop: 0, at: 0.0 }
        }
        KioskState::Countdown { left } => KioskState::Countdown { left: left - dt },
        KioskState::Attract { stop, at } if at + dt >= STOP_SECS => KioskState::Attract {
            stop: stop + 1,
            at: 0.0,
        },
        KioskState::Attract { stop, at } => KioskState::Attract { stop, at: at + dt },
    };
    state.set_if_neq(next);
}

/// The last visitor's things are wiped: every feature answers
/// [`VisitorLeft`] by forgetting what it keeps of them; the kiosk returns to
/// the lobby.
#[derive(bevy::ecs::system::SystemParam)]
struct WipeVisitor<'w> {
    left: MessageWriter<'w, VisitorLeft>,
    counts: ResMut<'w, KioskCounts>,
    screen: Res<'w, State<Screen>>,
    go: MessageWriter<'w, Go>,
}

impl WipeVisitor<'_> {
    fn wipe(&mut self) {
        self.left.write(VisitorLeft);
        self.counts.wipes += 1;
        // The tour's first stop walks to the lobby's entrance; only a hall
        // has to be left.
        if *self.screen.get() != Screen::Lobby {
            self.go.write(Go::Lobby);
        }
        info!("kiosk: idle, the last visitor's things were wiped");
    }
}

/// On entering a tour stop, goes there.
fn start_tour_stop(
    state: Res<KioskState>,
    mut started: Local<Option<usize>>,
    mut commands: Commands,
    catalog: Res<ExpoCatalog>,
    lobby: Res<Lobby>,
    screen: Res<State<Screen>>,
    cards: Query<(&Card, &Transform), Without<Visitor>>,
    visitors: Query<Entity, With<Visitor>>,
    mut selection: ResMut<Selection>,
    mut counts: ResMut<KioskCounts>,
    mut focus: MessageWriter<FocusProject>,
    mut go: MessageWriter<Go>,
) {
    let KioskState::Attract { stop, .. } = *state else {
        *started = None;
        return;
    };
    if *started == Some(stop) {
        return;
    }
    *started = Some(stop);
    counts.tour_stops += 1;
    let featured: Vec<ProjectId> = catalog.featured().collect();
    let pick = |index: usize| (!featured.is_empty()).then(|| featured[index % featured.len()]);
    let in_lobby = *screen.get() == Screen::Lobby;
    match tour_stop(stop) {
        TourStop::Lobby => {
            selection.0 = None;
            if in_lobby {
                let travel = Travel {
                    to: lobby.spawn,
                    yaw: 0.0,
                    pitch: 0.05,
                };
                for visitor in &visitors {
                    commands.entity(visitor).insert(travel.clone());
                }
            } else {
                go.write(Go::Lobby);
            }
        }
        TourStop::Stage(index) => {
            let Some(project) = pick(index) else { return };
            if !in_lobby {
                go.write(Go::Lobby);
                return;
            }
            let card = cards
                .iter()
                .find(|(card, _)| card.booth.is_none() && card.project == project);
            if let Some((_, transform)) = card {
                selection.0 = Some(project);
                for visitor in &visitors {
                    commands.entity(visitor).insert(reading_pose(transform));
                }
            }
        }
        TourStop::Hall(index) => {
            if let Some(project) = pick(index) {
                focus.write(FocusProject(project));
            }
        }
    }
}

/// The kiosk's own panels: the "Still there?" countdown, the attract
/// banner, and the on-screen keypad for the inquiry's phone and e-mail.
pub(crate) fn overlay(
    ctx: &egui::Context,
    state: KioskState,
    lang: Lang,
    still_here: &mut MessageWriter<StillHere>,
) {
    match state {
        KioskState::Countdown { left } => {
            egui::Window::new("still-there")
                .title_bar(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
                .show(ctx, |window| {
                    window.vertical_centered(|column| {
                        column.heading(lang.pick("还在浏览吗？", "Still there?"));
                        column.label(format!(
                            "{} {:.0} {}",
                            lang.pick("若无操作，将在", "Without a touch, this visit ends in"),
                            left.ceil(),
                            lang.pick(
                                "秒后清除本次浏览的收藏、搜索和未发送的填写内容。",
                                "s: favourites, searches and unsent forms are cleared."
                            )
                        ));
                        let button = egui::Button::new(
                            egui::RichText::new(lang.pick("继续浏览", "Continue")).heading(),
                        )
                        .min_size(egui::vec2(200.0, 56.0));
                        if column.add(button).clicked() {
                            still_here.write(StillHere);
                        }
                    });
                });
        }
        KioskState::Attract { .. } => {
            egui::Area::new("attract".into())
                .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -24.0])
                .show(ctx, |area| {
                    egui::Frame::popup(area.style()).show(area, |frame| {
                        frame.heading(lang.pick(
                            "触摸屏幕，开始参观云展",
                            "Touch the screen to explore the expo",
                        ));
                    });
                });
        }
        KioskState::Active { .. } => {}
    }
}

/// Rows of the keypad for each field; every key is at least 44 px square.
fn keypad_rows(field: KeypadField) -> &'static [&'static [&'static str]] {
    match field {
        KeypadField::Phone => &[
            &["1", "2", "3"],
            &["4", "5", "6"],
            &["7", "8", "9"],
            &["+", "0", "-"],
        ],
        KeypadField::Email => &[
            &["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
            &["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
            &["a", "s", "d", "f", "g", "h", "j", "k", "l", "@"],
            &["z", "x", "c", "v", "b", "n", "m", ".", "_", "-"],
        ],
    }
}

/// Key size in points (the kiosk's zoom makes them larger still).
const KEY: f32 = 44.0;

/// The on-screen keypad for the phone number or e-mail address, so nobody
/// needs a keyboard at the kiosk (Chinese text is better typed on the
/// visitor's phone, which the project's QR code opens).
pub(crate) fn keypad(ctx: &egui::Context, draft: &mut InquiryDraft, lang: Lang) {
    let Some(field) = draft.keypad else {
        return;
    };
    egui::Window::new(lang.pick("屏幕键盘", "On-screen keypad"))
        .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -8.0])
        .resizable(false)
        .collapsible(false)
        .show(ctx, |window| {
            let text = match field {
                KeypadField::Phone => &mut draft.inquiry.phone,
                KeypadField::Email => &mut draft.inquiry.email,
            };
            window.monospace(if text.is_empty() { " " } else { text.as_str() });
            for row in keypad_rows(field) {
                window.horizontal(|keys| {
                    for key in *row {
                        let button = egui::Button::new(egui::RichText::new(*key).heading())
                            .min_size(egui::vec2(KEY, KEY));
                        if keys.add(button).clicked() {
                            text.push_str(key);
                        }
                    }
                });
            }
            window.horizontal(|keys| {
                let wide = egui::vec2(KEY * 2.5, KEY);
                if keys
                    .add(egui::Button::new(lang.pick("删除", "Delete")).min_size(wide))
                    .clicked()
                {
                    text.pop();
                }
                if keys
                    .add(egui::Button::new(lang.pick("完成", "Done")).min_size(wide))
                    .clicked()
                {
                    draft.keypad = None;
                }
            });
        });
}

/// A QR code of `url` as an egui image (4 px modules, 4-module quiet zone).
pub(crate) fn qr_image(url: &str) -> Option<egui::ColorImage> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (4, 4);
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = vec![egui::Color32::WHITE; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (index % modules + quiet, index / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            for x in mx * scale..(mx + 1) * scale {
                pixels[y * side + x] = egui::Color32::BLACK;
            }
        }
    }
    Some(egui::ColorImage::new([side, side], pixels))
}
