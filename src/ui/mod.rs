//! The panels (bevy_egui, with the shipped CJK font): the top bar, hall
//! directory, search with filters, minimap, project detail, favourites,
//! inquiry form, first-visit hint, loading screen, the kiosk's overlays and
//! the F3 diagnostics. All text comes in Chinese and English. One system
//! per panel, each with only what it reads and changes.

use bevy::diagnostic::FrameTimeDiagnosticsPlugin;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};
use yunzhan_model::HallIndex;

use crate::expo::{InquiryDraft, Kiosk, Lang, OpenInquiry, OpenThreads, ShippedFiles, VisitorLeft};
use crate::kiosk::{KioskState, StillHere};
use crate::world::controls::InputDevice;
use crate::world::interaction::UiCapture;

mod browse;
mod detail;
mod hud;
mod inquiry;
mod layout;
mod minimap;
mod prefs;
mod threads;

/// Which panels are open.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panels {
    pub(crate) directory: bool,
    pub(crate) search: bool,
    pub(crate) favourites: bool,
    pub(crate) hint: bool,
    pub(crate) diagnostics: bool,
    pub(crate) inquiry: bool,
    /// "My inquiries": the visitor's threads with the service agents.
    pub(crate) threads: bool,
    /// A phone shows the hall's map only when asked (it would cover the
    /// scene); a wide screen always shows it, in a corner.
    pub(crate) map: bool,
}

impl Default for Panels {
    fn default() -> Self {
        Panels {
            directory: false,
            search: false,
            favourites: false,
            hint: true,
            diagnostics: false,
            inquiry: false,
            threads: false,
            map: false,
        }
    }
}

/// The panels' state, which works without a window: what is open, the
/// preferences, and the answers to other features' messages.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Panels>();
    app.add_plugins((prefs::plugin, threads::plugin));
    app.add_systems(
        PostUpdate,
        (
            close_panels.run_if(on_message::<VisitorLeft>),
            open_inquiry_form.run_if(on_message::<OpenInquiry>),
            (|mut panels: ResMut<Panels>| panels.threads = true).run_if(on_message::<OpenThreads>),
        )
            .chain(),
    );
    app.add_systems(Update, toggle_diagnostics);
}

/// The panels themselves, drawn with egui (needs a window), in this order.
pub(super) fn panels_plugin(app: &mut App) {
    app.add_plugins((EguiPlugin::default(), FrameTimeDiagnosticsPlugin::default()));
    app.init_resource::<layout::PanelLayout>();
    app.add_systems(
        EguiPrimaryContextPass,
        (
            (install_font, touch_sizes, layout::decide),
            (
                hud::top_bar,
                hud::loading_screen.run_if(in_state(crate::expo::Screen::Loading)),
                hud::hint.run_if(|panels: Res<Panels>| panels.hint),
                browse::directory,
                browse::search,
                browse::favourites,
                minimap::minimap,
                detail::detail,
                inquiry::inquiry,
                threads::threads,
                hud::diagnostics,
            )
                .chain(),
            (kiosk_overlays, hud::joystick, hud::crosshair).chain(),
            record_input_capture,
        )
            .chain(),
    );
}

/// Whether the panels use the pointer or keyboard, so that the scene does
/// not act on them too.
fn record_input_capture(mut contexts: EguiContexts, mut capture: ResMut<UiCapture>) -> Result {
    let ctx = contexts.ctx_mut()?;
    capture.set_if_neq(UiCapture {
        pointer: ctx.egui_wants_pointer_input() || ctx.egui_is_using_pointer(),
        keyboard: ctx.egui_wants_keyboard_input(),
        panels: panel_rects(ctx),
    });
    Ok(())
}

/// The shown panels that take clicks, in window coordinates (egui's points
/// times its zoom), in a stable order. egui's background layer covers the
/// whole screen, under everything: there it is the scene's.
fn panel_rects(ctx: &egui::Context) -> Vec<Rect> {
    let zoom = ctx.zoom_factor();
    let layers = ctx.memory(|memory| memory.areas().visible_layer_ids());
    let mut rects: Vec<Rect> = (layers.into_iter())
        .filter(|layer| layer.order != egui::Order::Background)
        .filter_map(|layer| egui::containers::AreaState::load(ctx, layer.id))
        .filter(|area| area.interactable)
        .map(|area| {
            let rect = area.rect();
            Rect::from_corners(
                Vec2::new(rect.min.x, rect.min.y) * zoom,
                Vec2::new(rect.max.x, rect.max.y) * zoom,
            )
        })
        .collect();
    rects.sort_by(|a, b| (a.min.x.total_cmp(&b.min.x)).then(a.min.y.total_cmp(&b.min.y)));
    rects
}

/// The kiosk's UI scale: egui's 30-point buttons become 45 px.
const KIOSK_ZOOM: f32 = 1.5;

/// Touch targets of at least 44 px: a kiosk's 1080p screen zooms the whole
/// UI (its text grows too); a phone or tablet keeps its text and gets rows
/// of 44 points (CSS pixels). A mouse gets egui's own sizes back.
fn touch_sizes(
    mut contexts: EguiContexts,
    kiosk: Option<Res<Kiosk>>,
    device: Res<InputDevice>,
    mut applied: Local<Option<(f32, f32)>>,
) -> Result {
    let sizes = match (kiosk.is_some(), *device) {
        (true, _) => (KIOSK_ZOOM, 30.0),
        (false, InputDevice::Touch) => (1.0, layout::TOUCH_TARGET),
        (false, InputDevice::Mouse) => (1.0, egui::style::Spacing::default().interact_size.y),
    };
    let ctx = contexts.ctx_mut()?;
    if *applied != Some(sizes) || ctx.zoom_factor() != sizes.0 {
        ctx.set_zoom_factor(sizes.0);
        ctx.all_styles_mut(|style| style.spacing.interact_size.y = sizes.1);
        *applied = Some(sizes);
    }
    Ok(())
}

/// The kiosk's "Still there?" overlay and, with the inquiry form open, its
/// on-screen keypad.
fn kiosk_overlays(
    mut contexts: EguiContexts,
    kiosk: Option<Res<Kiosk>>,
    state: Res<KioskState>,
    lang: Res<Lang>,
    panels: Res<Panels>,
    mut draft: ResMut<InquiryDraft>,
    mut still_here: MessageWriter<StillHere>,
) -> Result {
    if kiosk.is_none() {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    crate::kiosk::overlay(&ctx, *state, *lang, &mut still_here);
    if panels.inquiry && draft.keypad.is_some() {
        crate::kiosk::keypad(&ctx, &mut draft, *lang);
    }
    Ok(())
}

/// A new visitor finds the panels as on a first visit.
fn close_panels(mut panels: ResMut<Panels>) {
    *panels = Panels::default();
}

/// Opens a project's inquiry form (its button or a link), with the
/// keyboard in the first field — not on a touch screen, where that would
/// raise the on-screen keyboard over the form before the visitor asks.
/// Another project's form starts without the last one's error marks.
fn open_inquiry_form(
    mut requests: MessageReader<OpenInquiry>,
    mut panels: ResMut<Panels>,
    mut draft: ResMut<InquiryDraft>,
    device: Res<InputDevice>,
) {
    if let Some(OpenInquiry(platform_no)) = requests.read().last() {
        if draft.inquiry.platform_no != *platform_no {
            draft.inquiry.platform_no = platform_no.clone();
            draft.errors.clear();
        }
        draft.focus_first_field = *device != InputDevice::Touch;
        panels.inquiry = true;
    }
}

fn install_font(
    mut contexts: EguiContexts,
    files: Res<ShippedFiles>,
    mut done: Local<bool>,
) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let mut fonts = egui::FontDefinitions::empty();
    fonts.font_data.insert(
        "noto-sans-sc".into(),
        std::sync::Arc::new(egui::FontData::from_static(files.font)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        fonts.families.insert(family, vec!["noto-sans-sc".into()]);
    }
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        for font in style.text_styles.values_mut() {
            font.size *= 1.15;
        }
    });
    *done = true;
    Ok(())
}

fn toggle_diagnostics(keys: Res<ButtonInput<KeyCode>>, mut panels: ResMut<Panels>) {
    if keys.just_pressed(KeyCode::F3) {
        panels.diagnostics = !panels.diagnostics;
    }
}

pub(super) fn hall_name(hall: HallIndex, lang: Lang) -> &'static str {
    let info = hall.hall();
    lang.pick(info.name_zh, info.name_en)
}
