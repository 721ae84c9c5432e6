//! The panels (bevy_egui, with the shipped CJK font): HUD, hall directory,
//! search with filters, minimap, project detail, favourites, inquiry form,
//! first-visit hint, loading screen and the F3 diagnostics overlay. All text
//! comes in Chinese and English; the HUD switches between them.

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::validate::FieldError;
use yunzhan_model::{CooperationMode, HallIndex, Industry, ProjectId, ProjectKind, Query, Region};

use crate::Screen;
use crate::cards::{Card, CardAtlas};
use crate::catalog::ExpoCatalog;
use crate::controls::{InputDevice, Joystick, Kiosk, PointerLock};
use crate::deeplink::ShareBase;
use crate::hall::{HallPlan, LoadingProgress};
use crate::interaction::{FocusProject, HopBooth, Selection, UiCapture};
use crate::kiosk::{KeypadField, KioskState, StillHere};
use crate::navigation::{CurrentHall, Go, Travel, floor_position, yaw_towards};
use crate::platform::{CatalogSource, InquiryState, PlatformStatus, SentInquiries, SubmitInquiry};
use crate::quality::{Quality, QualitySetting, Tier};
use crate::scene::industry_color;
use crate::text_image::font_bytes;
use crate::visitor::Visitor;

/// The language of all UI text.
#[derive(
    Resource, Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The Chinese or English one of a pair (of texts, formatted strings…).
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Which panels are open.
#[derive(Resource, Debug, Clone)]
pub struct Panels {
    pub directory: bool,
    pub search: bool,
    pub favourites: bool,
    pub hint: bool,
    pub diagnostics: bool,
    pub inquiry: bool,
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
        }
    }
}

#[derive(Resource, Debug, Default, Clone)]
pub struct SearchState {
    pub query: Query,
    results: Vec<ProjectId>,
    searched: Option<Query>,
}

impl SearchState {
    /// Drops the results (ids into a catalog that is being replaced); the
    /// query runs again on the next frame.
    pub fn forget_results(&mut self) {
        self.results.clear();
        self.searched = None;
    }
}

/// The visitor's favourites (收藏), in the order added.
#[derive(Resource, Debug, Default, Clone)]
pub struct Favourites(pub Vec<ProjectId>);

/// The inquiry being written; kept while the visitor walks.
#[derive(Resource, Debug, Default, Clone)]
pub struct InquiryDraft {
    pub inquiry: Inquiry,
    pub errors: Vec<FieldError>,
    /// Put the keyboard in the first field when the form next shows (a
    /// link that opens the form).
    pub focus_first_field: bool,
    /// The field the kiosk's on-screen keypad types into.
    pub keypad: Option<KeypadField>,
}

pub fn plugin(app: &mut App) {
    app.add_plugins((EguiPlugin::default(), FrameTimeDiagnosticsPlugin::default()));
    app.init_resource::<Lang>()
        .init_resource::<Panels>()
        .init_resource::<SearchState>()
        .init_resource::<Favourites>()
        .init_resource::<InquiryDraft>();
    app.add_plugins(crate::prefs::plugin);
    app.add_systems(EguiPrimaryContextPass, (install_font, panels).chain());
    app.add_systems(Update, toggle_diagnostics);
}

fn install_font(mut contexts: EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let mut fonts = egui::FontDefinitions::empty();
    fonts.font_data.insert(
        "noto-sans-sc".into(),
        std::sync::Arc::new(egui::FontData::from_static(font_bytes())),
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

/// Everything the panels read and change, bundled to stay within system
/// parameter limits.
#[derive(bevy::ecs::system::SystemParam)]
struct UiWorld<'w, 's> {
    lang: ResMut<'w, Lang>,
    panels: ResMut<'w, Panels>,
    search: ResMut<'w, SearchState>,
    favourites: ResMut<'w, Favourites>,
    draft: ResMut<'w, InquiryDraft>,
    sent: Res<'w, SentInquiries>,
    platform: Res<'w, PlatformStatus>,
    submit: MessageWriter<'w, SubmitInquiry>,
    selection: ResMut<'w, Selection>,
    capture: ResMut<'w, UiCapture>,
    device: Res<'w, InputDevice>,
    lock: Res<'w, PointerLock>,
    joystick: ResMut<'w, Joystick>,
    catalog: Res<'w, ExpoCatalog>,
    screen: Res<'w, State<Screen>>,
    hall: Option<Res<'w, CurrentHall>>,
    plan: Option<Res<'w, HallPlan>>,
    progress: Res<'w, LoadingProgress>,
    atlas: Res<'w, CardAtlas>,
    quality: ResMut<'w, Quality>,
    kiosk: Option<Res<'w, Kiosk>>,
    kiosk_state: Res<'w, KioskState>,
    still_here: MessageWriter<'w, StillHere>,
    share: Option<Res<'w, ShareBase>>,
    diagnostics: Res<'w, DiagnosticsStore>,
    go: MessageWriter<'w, Go>,
    focus: MessageWriter<'w, FocusProject>,
    hop: MessageWriter<'w, HopBooth>,
    visitors: bevy::ecs::system::Query<'w, 's, (Entity, &'static Transform, &'static Visitor)>,
    entities: bevy::ecs::system::Query<'w, 's, Entity>,
    meshes: bevy::ecs::system::Query<'w, 's, &'static ViewVisibility, With<Mesh3d>>,
    cards: bevy::ecs::system::Query<'w, 's, (), With<Card>>,
    commands: Commands<'w, 's>,
    /// Related projects of the open detail panel, computed once per project.
    related: Local<'s, (Option<ProjectId>, Vec<ProjectId>)>,
    /// The QR code of the open project's link (kiosk), made once per project.
    qr: Local<'s, Option<(ProjectId, egui::TextureHandle)>>,
}

fn panels(mut contexts: EguiContexts, mut ui: UiWorld) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *ui.lang;
    let screen = *ui.screen.get();
    let kiosk = ui.kiosk.is_some();
    if kiosk && ctx.zoom_factor() != KIOSK_ZOOM {
        // Touch targets of at least 44 px on a 1080p screen.
        ctx.set_zoom_factor(KIOSK_ZOOM);
        ctx.all_styles_mut(|style| style.spacing.interact_size.y = 30.0);
    }

    top_bar(&ctx, &mut ui, lang, screen);
    if screen == Screen::Loading {
        loading_screen(&ctx, &ui, lang);
    }
    if ui.panels.hint {
        hint(&ctx, &mut ui, lang);
    }
    if ui.panels.directory {
        directory(&ctx, &mut ui, lang);
    }
    if ui.panels.search {
        search(&ctx, &mut ui, lang);
    }
    if ui.panels.favourites {
        favourites(&ctx, &mut ui, lang);
    }
    if screen == Screen::Hall {
        minimap(&ctx, &mut ui, lang);
    }
    if ui.selection.0.is_some() {
        detail(&ctx, &mut ui, lang);
    }
    if ui.panels.inquiry {
        inquiry(&ctx, &mut ui, lang);
    }
    if ui.panels.diagnostics {
        diagnostics(&ctx, &ui, lang);
    }
    if kiosk {
        crate::kiosk::overlay(&ctx, *ui.kiosk_state, lang, &mut ui.still_here);
        if ui.panels.inquiry {
            crate::kiosk::keypad(&ctx, &mut ui.draft, lang);
        }
    }
    if *ui.device == InputDevice::Touch && screen != Screen::Loading {
        joystick(&ctx, &mut ui);
    } else {
        ui.joystick.set_if_neq(Joystick::default());
    }
    if ui.lock.0 {
        crosshair(&ctx);
    }
    *ui.capture = UiCapture {
        pointer: ctx.egui_wants_pointer_input() || ctx.egui_is_using_pointer(),
        keyboard: ctx.egui_wants_keyboard_input(),
    };
    Ok(())
}

/// The kiosk's UI scale: egui's 30-point buttons become 45 px.
const KIOSK_ZOOM: f32 = 1.5;

fn hall_name(hall: HallIndex, lang: Lang) -> &'static str {
    let info = hall.hall();
    lang.pick(info.name_zh, info.name_en)
}

fn top_bar(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang, screen: Screen) {
    egui::Area::new("top-bar".into())
        .anchor(egui::Align2::LEFT_TOP, [8.0, 8.0])
        .show(ctx, |area| {
            egui::Frame::popup(area.style()).show(area, |bar| {
                // A narrow window (or the kiosk's large text at 720p) wraps
                // the bar onto a second row instead of cutting it off.
                bar.set_max_width(ctx.content_rect().width() - 32.0);
                bar.horizontal_wrapped(|row| {
                    row.strong(lang.pick("云展 · 天府科技云", "Yunzhan"));
                    row.separator();
                    let place = match (screen, ui.hall.as_deref()) {
                        (Screen::Lobby, _) | (_, None) => lang.pick("序厅", "Lobby").to_string(),
                        (_, Some(hall)) => {
                            let name = hall_name(hall.0, lang);
                            if name.ends_with('馆') || name.ends_with("Hall") {
                                name.to_string()
                            } else {
                                format!("{name} {}", lang.pick("馆", "hall"))
                            }
                        }
                    };
                    row.label(
                        egui::RichText::new(place)
                            .strong()
                            .color(egui::Color32::from_rgb(20, 110, 130)),
                    );
                    row.separator();
                    row.toggle_value(&mut ui.panels.directory, lang.pick("展馆目录", "Directory"));
                    row.toggle_value(&mut ui.panels.search, lang.pick("搜索", "Search"));
                    let favourites = format!(
                        "{} ({})",
                        lang.pick("收藏", "Favourites"),
                        ui.favourites.0.len()
                    );
                    row.toggle_value(&mut ui.panels.favourites, favourites);
                    if screen == Screen::Hall {
                        if row
                            .button(lang.pick("◀ 上一展位", "◀ Previous booth"))
                            .clicked()
                        {
                            ui.hop.write(HopBooth(-1));
                        }
                        if row
                            .button(lang.pick("下一展位 ▶", "Next booth ▶"))
                            .clicked()
                        {
                            ui.hop.write(HopBooth(1));
                        }
                        if row.button(lang.pick("返回序厅", "Back to lobby")).clicked() {
                            ui.go.write(Go::Lobby);
                        }
                    }
                    platform_badge(row, &ui.platform, lang);
                    quality_menu(row, &mut ui.quality, lang);
                    row.toggle_value(&mut ui.panels.hint, "?");
                    let other = lang.pick("EN", "中文");
                    if row.button(other).clicked() {
                        *ui.lang = if lang == Lang::Zh { Lang::En } else { Lang::Zh };
                    }
                });
            });
        });
}

fn quality_name(setting: QualitySetting, lang: Lang) -> &'static str {
    match setting {
        QualitySetting::Auto => lang.pick("自动", "auto"),
        QualitySetting::High => lang.pick("高", "high"),
        QualitySetting::Low => lang.pick("低", "low"),
    }
}

/// The quality switch: auto (showing the tier it chose), high or low.
fn quality_menu(row: &mut egui::Ui, quality: &mut Quality, lang: Lang) {
    let tier = match quality.tier {
        Tier::High => QualitySetting::High,
        Tier::Low => QualitySetting::Low,
    };
    let mut title = format!(
        "{} {}",
        lang.pick("画质", "Quality"),
        quality_name(quality.setting, lang)
    );
    if quality.setting == QualitySetting::Auto {
        title = format!("{title} ({})", quality_name(tier, lang));
    }
    row.menu_button(title, |menu| {
        for setting in QualitySetting::ALL {
            let chosen = quality.setting == setting;
            if menu
                .selectable_label(chosen, quality_name(setting, lang))
                .clicked()
            {
                quality.setting = setting;
                menu.close();
            }
        }
    });
}

/// Where the catalog comes from: the platform (online), a cached copy
/// (offline), or the one built into the app.
fn platform_badge(row: &mut egui::Ui, status: &PlatformStatus, lang: Lang) {
    let (colour, text, tip) = match (status.api.as_ref(), status.online, status.source) {
        (None, _, _) => (
            egui::Color32::from_gray(90),
            lang.pick("内置目录", "Built-in catalog"),
            lang.pick(
                "未连接平台：展示应用内置的目录",
                "No platform API: showing the catalog built into the app",
            ),
        ),
        (Some(_), Some(false), source) => (
            egui::Color32::from_rgb(190, 90, 0),
            lang.pick("离线", "Offline"),
            if source == CatalogSource::Cache {
                lang.pick("平台暂时无法连接：展示上次缓存的目录，询问将在恢复后发送", "The platform cannot be reached: showing the last cached catalog; inquiries are sent once it is back")
            } else {
                lang.pick("平台暂时无法连接：展示内置目录，询问将在恢复后发送", "The platform cannot be reached: showing the built-in catalog; inquiries are sent once it is back")
            },
        ),
        (Some(_), Some(true), _) => (
            egui::Color32::from_rgb(30, 130, 60),
            lang.pick("在线", "Online"),
            lang.pick(
                "目录来自天府科技云平台",
                "Catalog from the Tianfu Sci-Tech Cloud platform",
            ),
        ),
        (Some(_), None, _) => (
            egui::Color32::from_rgb(20, 110, 130),
            lang.pick("连接中…", "Connecting…"),
            lang.pick("正在连接平台", "Connecting to the platform"),
        ),
    };
    let text = match status.download {
        Some((done, halls)) => format!(
            "{text} · {} {done}/{halls}",
            lang.pick("载入展馆", "loading halls")
        ),
        None => text.to_string(),
    };
    let mut tip = tip.to_string();
    if let Some(problem) = &status.problem {
        tip.push_str(&format!("\n{problem}"));
    }
    row.label(egui::RichText::new(format!("● {text}")).color(colour))
        .on_hover_text(tip);
}

fn loading_screen(ctx: &egui::Context, ui: &UiWorld, lang: Lang) {
    let hall = ui
        .hall
        .as_deref()
        .map(|hall| hall_name(hall.0, lang))
        .unwrap_or_default();
    egui::Area::new("loading".into())
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .order(egui::Order::Foreground)
        .show(ctx, |area| {
            egui::Frame::popup(area.style())
                .inner_margin(24.0)
                .show(area, |frame| {
                    frame.set_width(420.0);
                    frame.heading(format!("{} {hall}", lang.pick("正在进入", "Entering")));
                    let progress = *ui.progress;
                    frame.add(
                        egui::ProgressBar::new(progress.fraction())
                            .show_percentage()
                            .text(format!("{} / {}", progress.done, progress.total)),
                    );
                    frame.label(lang.pick(
                        "正在布置展位与项目卡片…",
                        "Setting up booths and project cards…",
                    ));
                });
        });
}

fn hint(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let lines: [(&str, &str); 2] = match *ui.device {
        InputDevice::Touch => [
            (
                "用右下角摇杆行走 · 拖动画面环顾四周 · 轻点地面前往 · 轻点卡片查看项目",
                "Walk with the joystick (bottom right) · drag to look around · tap the floor to go there · tap a card to open it",
            ),
            (
                "走进展馆大门进入展馆 · 顶栏可切换展位、返回序厅",
                "Walk through a gate to enter a hall · the top bar hops booths and returns to the lobby",
            ),
        ],
        InputDevice::Mouse => [
            (
                "W/A/S/D 或方向键行走 · 点击画面锁定鼠标环顾（Esc 释放）· 也可按住鼠标拖动 · 点击地面前往 · 点击卡片查看项目",
                "W/A/S/D or arrows to walk · click the scene to lock the mouse and look (Esc releases) · or drag with a button held · click the floor to go there · click a card to open it",
            ),
            (
                "走进展馆大门进入展馆 · N/P 下一个/上一个展位 · 退格键返回序厅 · F3 诊断信息",
                "Walk through a gate to enter a hall · N/P next/previous booth · Backspace: lobby · F3 diagnostics",
            ),
        ],
    };
    let mut open = true;
    egui::Window::new(lang.pick("操作提示", "How to move"))
        .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -16.0])
        .collapsible(false)
        .resizable(false)
        .open(&mut open)
        .show(ctx, |window| {
            for (zh, en) in lines {
                window.label(lang.pick(zh, en));
            }
            if window.button(lang.pick("知道了", "Got it")).clicked() {
                ui.panels.hint = false;
            }
        });
    if !open {
        ui.panels.hint = false;
    }
}

/// The on-screen joystick for touch devices, bottom right: drag the knob
/// to walk (up is forward).
fn joystick(ctx: &egui::Context, ui: &mut UiWorld) {
    const RADIUS: f32 = 64.0;
    egui::Area::new("joystick".into())
        .anchor(egui::Align2::RIGHT_BOTTOM, [-24.0, -24.0])
        .show(ctx, |area| {
            let (response, painter) =
                area.allocate_painter(egui::Vec2::splat(RADIUS * 2.0), egui::Sense::drag());
            let centre = response.rect.center();
            let offset = response
                .interact_pointer_pos()
                .filter(|_| response.dragged())
                .map(|pointer| {
                    let offset = pointer - centre;
                    offset * (RADIUS / offset.length().max(RADIUS))
                })
                .unwrap_or(egui::Vec2::ZERO);
            ui.joystick
                .set_if_neq(Joystick(Vec2::new(offset.x, -offset.y) / RADIUS));
            painter.circle(
                centre,
                RADIUS,
                egui::Color32::from_black_alpha(60),
                egui::Stroke::new(2.0, egui::Color32::from_white_alpha(180)),
            );
            painter.circle_filled(
                centre + offset,
                RADIUS * 0.45,
                egui::Color32::from_white_alpha(200),
            );
        });
}

/// A small ring in the middle of the screen while the pointer is locked: a
/// click acts there.
fn crosshair(ctx: &egui::Context) {
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        "crosshair".into(),
    ));
    let centre = ctx.content_rect().center();
    painter.circle_stroke(
        centre,
        6.0,
        egui::Stroke::new(3.0, egui::Color32::from_black_alpha(160)),
    );
    painter.circle_stroke(centre, 6.0, egui::Stroke::new(1.5, egui::Color32::WHITE));
}

fn directory(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let mut open = true;
    egui::Window::new(lang.pick("展馆目录", "Hall directory"))
        .default_pos([8.0, 60.0])
        .open(&mut open)
        .show(ctx, |window| {
            let mut hall_row = |window: &mut egui::Ui, hall: HallIndex| {
                let count = ui.catalog.hall_project_count(hall);
                let text = format!(
                    "{}  ·  {count} {}",
                    hall_name(hall, lang),
                    lang.pick("项", "projects")
                );
                if window.button(text).clicked() {
                    ui.go.write(Go::Hall(hall));
                    ui.panels.directory = false;
                }
            };
            hall_row(window, HallIndex(0));
            for region in Region::ALL {
                window.label(
                    egui::RichText::new(lang.pick(region.name_zh(), region.name_en()))
                        .small()
                        .strong(),
                );
                window.horizontal_wrapped(|row| {
                    for hall in HallIndex::all().filter(|h| h.hall().region == Some(region)) {
                        hall_row(row, hall);
                    }
                });
            }
            if window.button(lang.pick("返回序厅", "Lobby")).clicked() {
                ui.go.write(Go::Lobby);
            }
        });
    if !open {
        ui.panels.directory = false;
    }
}

fn project_row(row: &mut egui::Ui, ui: &mut UiWorld, lang: Lang, id: ProjectId) {
    let project = ui.catalog.project(id);
    let mut text = format!(
        "{} — {} · {}",
        project.title,
        project.organisation,
        hall_name(project.hall, lang)
    );
    if project.generated {
        text.push_str(lang.pick(" [演示]", " [demo]"));
    }
    if row
        .selectable_label(ui.selection.0 == Some(id), text)
        .clicked()
    {
        ui.focus.write(FocusProject(id));
    }
}

fn search(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let mut open = true;
    egui::Window::new(lang.pick("搜索项目", "Search projects"))
        .default_pos([8.0, 120.0])
        .default_width(520.0)
        .open(&mut open)
        .show(ctx, |window| {
            window.add(
                egui::TextEdit::singleline(&mut ui.search.query.text)
                    .hint_text(
                        lang.pick("项目名称、单位或关键词", "title, organisation or keyword"),
                    )
                    .desired_width(f32::INFINITY),
            );
            window.horizontal_wrapped(|row| {
                let query = &mut ui.search.query;
                let all = |zh, en| lang.pick(zh, en);
                filter_combo(
                    row,
                    "hall",
                    &mut query.hall,
                    all("全部展馆", "All halls"),
                    HallIndex::all(),
                    |h| hall_name(h, lang),
                );
                filter_combo(
                    row,
                    "industry",
                    &mut query.industry,
                    all("全部产业", "All industries"),
                    Industry::ALL,
                    |i| lang.pick(i.name_zh(), i.name_en()),
                );
                filter_combo(
                    row,
                    "kind",
                    &mut query.kind,
                    all("全部类型", "All kinds"),
                    ProjectKind::ALL,
                    |k| lang.pick(k.name_zh(), k.name_en()),
                );
                row.checkbox(
                    &mut query.featured_only,
                    lang.pick("仅重大项目", "Featured only"),
                );
            });
            if ui.search.searched.as_ref() != Some(&ui.search.query) {
                let query = ui.search.query.clone();
                ui.search.results = ui
                    .catalog
                    .search(&query, 100)
                    .into_iter()
                    .map(|hit| hit.project)
                    .collect();
                ui.search.searched = Some(query);
            }
            window.label(format!(
                "{} {}",
                ui.search.results.len(),
                lang.pick("个结果（最多 100）", "results (at most 100)")
            ));
            egui::ScrollArea::vertical()
                .max_height(360.0)
                .show(window, |list| {
                    for id in ui.search.results.clone() {
                        project_row(list, ui, lang, id);
                    }
                });
        });
    if !open {
        ui.panels.search = false;
    }
}

/// A drop-down choosing one value or none ("all").
fn filter_combo<T: Copy + PartialEq>(
    row: &mut egui::Ui,
    id: &str,
    value: &mut Option<T>,
    all: &str,
    options: impl IntoIterator<Item = T>,
    label: impl Fn(T) -> &'static str,
) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.map_or(all.to_string(), |v| label(v).to_string()))
        .show_ui(row, |list| {
            list.selectable_value(value, None, all);
            for option in options {
                list.selectable_value(value, Some(option), label(option));
            }
        });
}

fn favourites(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let mut open = true;
    egui::Window::new(lang.pick("我的收藏", "Favourites"))
        .default_pos([8.0, 180.0])
        .open(&mut open)
        .show(ctx, |window| {
            if ui.favourites.0.is_empty() {
                window.label(lang.pick(
                    "还没有收藏。在项目详情中点击 ☆ 收藏。",
                    "Nothing yet. Use ☆ in a project's detail panel.",
                ));
            }
            for id in ui.favourites.0.clone() {
                project_row(window, ui, lang, id);
            }
        });
    if !open {
        ui.panels.favourites = false;
    }
}

fn color32(color: Color) -> egui::Color32 {
    let [r, g, b, _] = color.to_srgba().to_u8_array();
    egui::Color32::from_rgb(r, g, b)
}

fn minimap(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let Some(plan) = ui.plan.as_deref() else {
        return;
    };
    let layout = &plan.layout;
    let size = 220.0;
    let scale = size / layout.width.max(layout.depth);
    egui::Window::new(lang.pick("平面图", "Map"))
        .anchor(egui::Align2::LEFT_BOTTOM, [8.0, -8.0])
        .resizable(false)
        .collapsible(true)
        .show(ctx, |window| {
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
            if let Some((entity, transform, visitor)) = ui.visitors.iter().next() {
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
                    ui.commands.entity(entity).insert(Travel {
                        to: target,
                        yaw: yaw_towards([target[0] - from[0], target[1] - from[1]]),
                        pitch: 0.0,
                    });
                }
            }
        });
}

fn detail(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let Some(id) = ui.selection.0 else { return };
    let catalog = ui.catalog.clone();
    let project = catalog.project(id);
    let mut open = true;
    egui::Window::new(lang.pick("项目详情", "Project"))
        .anchor(egui::Align2::RIGHT_TOP, [-8.0, 52.0])
        .default_width(380.0)
        .default_height(ctx.content_rect().height() * 0.7)
        .open(&mut open)
        .show(ctx, |window| {
            egui::ScrollArea::vertical()
                .max_height(ctx.content_rect().height() * 0.7)
                .show(window, |body| {
                    if project.generated {
                        body.colored_label(
                            egui::Color32::from_rgb(200, 40, 40),
                            lang.pick(
                                "演示数据：此项目为生成的示例，并非真实项目",
                                "Demo data: a generated example, not a real project",
                            ),
                        );
                    }
                    body.heading(&project.title);
                    if let Some(title_en) = &project.title_en {
                        body.label(egui::RichText::new(title_en).italics());
                    }
                    // At a kiosk the phone hand-off comes first.
                    if ui.kiosk.is_some() {
                        hand_off(body, ui, lang, id);
                    }
                    egui::Grid::new("facts").num_columns(2).show(body, |grid| {
                        let mut fact = |label: &str, value: String| {
                            grid.label(egui::RichText::new(label).weak());
                            grid.label(value);
                            grid.end_row();
                        };
                        fact(
                            lang.pick("单位", "Organisation"),
                            project.organisation.clone(),
                        );
                        fact(
                            lang.pick("编号", "Platform no."),
                            project.platform_no.clone(),
                        );
                        fact(
                            lang.pick("展馆", "Hall"),
                            hall_name(project.hall, lang).to_string(),
                        );
                        fact(
                            lang.pick("产业", "Industry"),
                            lang.pick(project.industry.name_zh(), project.industry.name_en())
                                .to_string(),
                        );
                        fact(
                            lang.pick("类型", "Kind"),
                            lang.pick(project.kind.name_zh(), project.kind.name_en())
                                .to_string(),
                        );
                        if project.featured {
                            fact(lang.pick("重大项目", "Featured"), "★".into());
                        }
                        let modes: Vec<&str> = project
                            .cooperation_modes
                            .iter()
                            .map(|m| lang.pick(m.name_zh(), m.name_en()))
                            .collect();
                        fact(lang.pick("合作方式", "Cooperation"), modes.join("、"));
                        fact(lang.pick("关键词", "Keywords"), project.keywords.join("、"));
                        let agent = &project.agent;
                        let contact = [agent.phone.as_deref(), agent.email.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" · ");
                        fact(
                            lang.pick("科服保姆", "Service agent"),
                            format!("{} ({contact})", agent.name),
                        );
                    });
                    body.separator();
                    body.label(&project.summary);
                    if let Some(source) = &project.source {
                        body.label(
                            egui::RichText::new(format!(
                                "{}{source}",
                                lang.pick("来源：", "Source: ")
                            ))
                            .small()
                            .weak(),
                        );
                    }
                    body.separator();
                    body.horizontal(|row| {
                        let favourite = ui.favourites.0.contains(&id);
                        let star = if favourite {
                            lang.pick("★ 已收藏", "★ Saved")
                        } else {
                            lang.pick("☆ 收藏", "☆ Save")
                        };
                        if row.button(star).clicked() {
                            if favourite {
                                ui.favourites.0.retain(|&f| f != id);
                            } else {
                                ui.favourites.0.push(id);
                            }
                        }
                        if row
                            .button(lang.pick("洽谈合作", "Send an inquiry"))
                            .clicked()
                        {
                            if ui.draft.inquiry.platform_no != project.platform_no {
                                ui.draft.inquiry.platform_no = project.platform_no.clone();
                                ui.draft.errors.clear();
                            }
                            ui.panels.inquiry = true;
                        }
                        if row.button(lang.pick("前往展位", "Go to booth")).clicked() {
                            ui.focus.write(FocusProject(id));
                        }
                    });

                    body.separator();
                    body.label(
                        egui::RichText::new(lang.pick("相关项目", "Related projects")).strong(),
                    );
                    if ui.related.0 != Some(id) {
                        *ui.related = (Some(id), catalog.related(id, 6));
                    }
                    for related in ui.related.1.clone() {
                        project_row(body, ui, lang, related);
                    }
                });
        });
    if !open {
        ui.selection.0 = None;
    }
}

/// The kiosk's hand-off: a QR code of the project's link, so a visitor can
/// go on (and type Chinese) on their own phone.
fn hand_off(body: &mut egui::Ui, ui: &mut UiWorld, lang: Lang, id: ProjectId) {
    let Some(share) = ui.share.as_deref() else {
        return;
    };
    let link = share.project_link(&ui.catalog.project(id).platform_no);
    if ui.qr.as_ref().map(|(shown, _)| *shown) != Some(id) {
        *ui.qr = crate::kiosk::qr_image(&link).map(|image| {
            let texture =
                body.ctx()
                    .load_texture("project-qr", image, egui::TextureOptions::NEAREST);
            (id, texture)
        });
    }
    let Some((_, texture)) = ui.qr.as_ref() else {
        return;
    };
    body.separator();
    body.horizontal(|row| {
        row.add(egui::Image::new(texture).fit_to_exact_size(egui::vec2(132.0, 132.0)));
        row.vertical(|text| {
            text.strong(lang.pick("扫码在手机上继续", "Scan to continue on your phone"));
            text.label(lang.pick(
                "在手机上查看此项目、收藏并用中文填写询单。",
                "See this project, save it and write your inquiry on your own phone.",
            ));
            text.small(&link);
        });
    });
}

fn field_error(form: &mut egui::Ui, errors: &[FieldError], field: &str, lang: Lang) {
    for error in errors.iter().filter(|e| e.field == field) {
        let text = match lang {
            Lang::Zh => error.problem.message_zh(),
            Lang::En => error.problem.message_en(),
        };
        form.colored_label(egui::Color32::from_rgb(200, 40, 40), text);
    }
}

fn inquiry(ctx: &egui::Context, ui: &mut UiWorld, lang: Lang) {
    let catalog = ui.catalog.clone();
    let Some(project) = catalog
        .find(&ui.draft.inquiry.platform_no)
        .map(|id| catalog.project(id))
    else {
        ui.panels.inquiry = false;
        return;
    };
    let kiosk = ui.kiosk.is_some();
    let mut open = true;
    egui::Window::new(lang.pick("洽谈合作", "Inquiry"))
        .default_pos([420.0, 120.0])
        .default_width(420.0)
        .open(&mut open)
        .show(ctx, |form| {
            form.label(format!("{} — {}", project.title, project.organisation));
            form.label(
                egui::RichText::new(format!(
                    "{} {}",
                    lang.pick("发送给科服保姆：", "To the service agent:"),
                    project.agent.name
                ))
                .weak(),
            );
            let draft = &mut ui.draft;
            let errors = draft.errors.clone();
            let text_field = |form: &mut egui::Ui,
                              label: &str,
                              value: &mut String,
                              field: &str,
                              multiline: bool| {
                form.label(label);
                let response = if multiline {
                    form.add(
                        egui::TextEdit::multiline(value)
                            .desired_rows(4)
                            .desired_width(f32::INFINITY),
                    )
                } else {
                    form.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
                };
                field_error(form, &errors, field, lang);
                response
            };
            let name = text_field(
                form,
                lang.pick("姓名 *", "Name *"),
                &mut draft.inquiry.name,
                "name",
                false,
            );
            if std::mem::take(&mut draft.focus_first_field) {
                name.request_focus();
            }
            text_field(
                form,
                lang.pick("单位", "Organisation"),
                &mut draft.inquiry.organisation,
                "organisation",
                false,
            );
            let phone = text_field(
                form,
                lang.pick("电话", "Phone"),
                &mut draft.inquiry.phone,
                "phone",
                false,
            );
            let email = text_field(
                form,
                lang.pick("电子邮箱", "E-mail"),
                &mut draft.inquiry.email,
                "email",
                false,
            );
            if kiosk {
                // A tap on the phone or e-mail field brings up the keypad.
                if phone.clicked() || phone.gained_focus() {
                    draft.keypad = Some(KeypadField::Phone);
                } else if email.clicked() || email.gained_focus() {
                    draft.keypad = Some(KeypadField::Email);
                }
            }
            field_error(form, &errors, "contact", lang);
            form.label(lang.pick("合作意向 *", "Intent *"));
            form.horizontal_wrapped(|row| {
                for mode in CooperationMode::ALL {
                    row.radio_value(
                        &mut draft.inquiry.intent,
                        Some(mode),
                        lang.pick(mode.name_zh(), mode.name_en()),
                    );
                }
            });
            field_error(form, &errors, "intent", lang);
            text_field(
                form,
                lang.pick("留言 *", "Message *"),
                &mut draft.inquiry.message,
                "message",
                true,
            );
            if form.button(lang.pick("提交", "Submit")).clicked() {
                draft.errors = draft.inquiry.validate();
                if draft.errors.is_empty() {
                    ui.submit.write(SubmitInquiry(draft.inquiry.clone()));
                    let platform_no = draft.inquiry.platform_no.clone();
                    **draft = InquiryDraft::default();
                    draft.inquiry.platform_no = platform_no;
                }
            }
            let mine = ui
                .sent
                .0
                .iter()
                .filter(|(no, _)| *no == project.platform_no);
            for (number, (_, state)) in mine.enumerate() {
                let (colour, text) = match state {
                    InquiryState::Queued if ui.platform.api.is_none() => (
                        egui::Color32::from_rgb(20, 110, 130),
                        lang.pick(
                            "已排队：保存在本机，连接平台后发送",
                            "queued: kept on this device, sent once connected to the platform",
                        )
                        .to_string(),
                    ),
                    InquiryState::Queued => (
                        egui::Color32::from_rgb(20, 110, 130),
                        lang.pick("已排队：正在发送…", "queued: sending…")
                            .to_string(),
                    ),
                    InquiryState::Sent => (
                        egui::Color32::from_rgb(30, 130, 60),
                        lang.pick("已送达科服保姆", "sent to the service agent")
                            .to_string(),
                    ),
                    InquiryState::Rejected { reason, reason_zh } => (
                        egui::Color32::from_rgb(180, 40, 40),
                        format!(
                            "{}{}",
                            lang.pick("被拒绝：", "rejected: "),
                            lang.pick(reason_zh, reason)
                        ),
                    ),
                };
                form.colored_label(
                    colour,
                    format!("{} {}: {text}", lang.pick("询问", "Inquiry"), number + 1),
                );
            }
        });
    if !open {
        ui.panels.inquiry = false;
    }
}

fn diagnostics(ctx: &egui::Context, ui: &UiWorld, lang: Lang) {
    let fps = ui
        .diagnostics
        .get(&FrameTimeDiagnosticsPlugin::FPS)
        .and_then(|fps| fps.smoothed())
        .unwrap_or(0.0);
    let frame_ms = ui
        .diagnostics
        .get(&FrameTimeDiagnosticsPlugin::FRAME_TIME)
        .and_then(|time| time.smoothed())
        .unwrap_or(0.0);
    let visible_meshes = ui.meshes.iter().filter(|v| v.get()).count();
    egui::Area::new("diagnostics".into())
        .anchor(egui::Align2::RIGHT_BOTTOM, [-8.0, -8.0])
        .show(ctx, |area| {
            egui::Frame::popup(area.style()).show(area, |frame| {
                frame.monospace(format!("fps {fps:.0}  frame {frame_ms:.1} ms"));
                frame.monospace(format!(
                    "entities {}  cards {}",
                    ui.entities.iter().count(),
                    ui.cards.iter().count()
                ));
                frame.monospace(format!("mesh draws (visible) {visible_meshes}"));
                frame.monospace(format!(
                    "card textures: {} pages, {:.0} MiB, {} resident, {} painted",
                    ui.atlas.pages(),
                    ui.atlas.texture_bytes() as f64 / (1024.0 * 1024.0),
                    ui.atlas.resident(),
                    ui.atlas.painted
                ));
                let why = ui.quality.auto_low_because.unwrap_or("");
                frame.monospace(format!("quality {:?} {why}", ui.quality.tier));
                frame.monospace(lang.pick("F3 关闭", "F3 to close"));
            });
        });
}
