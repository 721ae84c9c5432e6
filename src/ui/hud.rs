//! The heads-up parts: the top bar, the loading screen, the first-visit
//! hint, the touch joystick, the crosshair and the F3 diagnostics.

use bevy::diagnostic::{DiagnosticsStore, FrameTimeDiagnosticsPlugin};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::layout::{Panel, PanelLayout};
use super::threads::unread;
use super::{Panels, hall_name};
use crate::expo::{CountingChoice, Favourites, Lang, Screen};
use crate::remote::{CatalogSource, PlatformStatus, SentInquiries, Threads};
use crate::world::cards::{Card, CardAtlas};
use crate::world::controls::{InputDevice, Joystick, PointerLock};
use crate::world::hall::LoadingProgress;
use crate::world::interaction::HopBooth;
use crate::world::navigation::{CurrentHall, Go};
use crate::world::quality::{Quality, QualitySetting, Tier};

/// The bar along the top: where the visitor is, the panels, booth hops,
/// the platform's state, quality, help and the language.
pub(super) fn top_bar(
    mut contexts: EguiContexts,
    mut language: ResMut<Lang>,
    mut panels: ResMut<Panels>,
    mut quality: ResMut<Quality>,
    mut counting: ResMut<CountingChoice>,
    favourites: Res<Favourites>,
    screen: Res<State<Screen>>,
    hall: Option<Res<CurrentHall>>,
    platform: Res<PlatformStatus>,
    (sent, threads): (Res<SentInquiries>, Res<Threads>),
    layout: Res<PanelLayout>,
    mut hop: MessageWriter<HopBooth>,
    mut go: MessageWriter<Go>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let (lang, screen) = (*language, *screen.get());
    let mut open = panels.clone();
    let mut chosen = *quality;
    let mut counted = *counting;
    let mut switch_language = false;
    egui::Area::new("top-bar".into())
        .anchor(egui::Align2::LEFT_TOP, [8.0, 8.0])
        .show(&ctx, |area| {
            egui::Frame::popup(area.style()).show(area, |bar| {
                // A narrow window (or the kiosk's large text at 720p) wraps
                // the bar onto a second row instead of cutting it off.
                bar.set_max_width(ctx.content_rect().width() - 32.0);
                bar.horizontal_wrapped(|row| {
                    row.strong(lang.pick("云展 · 天府科技云", "Yunzhan"));
                    row.separator();
                    let place = match (screen, hall.as_deref()) {
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
                    row.toggle_value(&mut open.directory, lang.pick("展馆目录", "Directory"));
                    row.toggle_value(&mut open.search, lang.pick("搜索", "Search"));
                    let favourites = format!(
                        "{} ({})",
                        lang.pick("收藏", "Favourites"),
                        favourites.0.len()
                    );
                    row.toggle_value(&mut open.favourites, favourites);
                    if sent.current().next().is_some() {
                        my_inquiries(row, &mut open.threads, unread(&sent, &threads), lang);
                    }
                    if screen == Screen::Hall {
                        if row
                            .button(lang.pick("◀ 上一展位", "◀ Previous booth"))
                            .clicked()
                        {
                            hop.write(HopBooth(-1));
                        }
                        if row
                            .button(lang.pick("下一展位 ▶", "Next booth ▶"))
                            .clicked()
                        {
                            hop.write(HopBooth(1));
                        }
                        if row.button(lang.pick("返回序厅", "Back to lobby")).clicked() {
                            go.write(Go::Lobby);
                        }
                        if layout.is_phone() {
                            row.toggle_value(&mut open.map, lang.pick("平面图", "Map"));
                        }
                    }
                    platform_badge(row, &platform, lang);
                    quality_menu(row, &mut chosen, &mut counted, lang);
                    row.toggle_value(&mut open.hint, "?");
                    let other = lang.pick("EN", "中文");
                    if row.button(other).clicked() {
                        switch_language = true;
                    }
                });
            });
        });
    panels.set_if_neq(open);
    quality.set_if_neq(chosen);
    counting.set_if_neq(counted);
    if switch_language {
        *language = lang.pick(Lang::En, Lang::Zh);
    }
    Ok(())
}

/// The "My inquiries" button, with the number of unread updates.
fn my_inquiries(row: &mut egui::Ui, open: &mut bool, unread: i64, lang: Lang) {
    let label = lang.pick("我的询单", "My inquiries");
    let text = if unread > 0 {
        egui::RichText::new(format!("{label} ● {unread}"))
            .strong()
            .color(egui::Color32::from_rgb(190, 30, 30))
    } else {
        egui::RichText::new(label)
    };
    row.toggle_value(open, text).on_hover_text(lang.pick(
        "科服保姆的回复与洽谈进展",
        "The service agents' replies and how each deal stands",
    ));
}

fn quality_name(setting: QualitySetting, lang: Lang) -> &'static str {
    match setting {
        QualitySetting::Auto => lang.pick("自动", "auto"),
        QualitySetting::High => lang.pick("高", "high"),
        QualitySetting::Low => lang.pick("低", "low"),
    }
}

/// The settings menu: quality (auto, showing the tier it chose, high or
/// low) and "don't count me" (anonymous counts for exhibitors).
fn quality_menu(
    row: &mut egui::Ui,
    quality: &mut Quality,
    counting: &mut CountingChoice,
    lang: Lang,
) {
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
        menu.separator();
        let label = if counting.privacy_signal {
            lang.pick("不统计我（浏览器已要求）", "Don't count me (your browser asks)")
        } else {
            lang.pick("不统计我", "Don't count me")
        };
        let mut dont_count = counting.dont_count || counting.privacy_signal;
        let switch = menu.add_enabled(
            !counting.privacy_signal,
            egui::Checkbox::new(&mut dont_count, label),
        );
        if switch.changed() {
            counting.dont_count = dont_count;
        }
        switch.on_hover_text(lang.pick(
            "展商只看到匿名的合计次数（展位访问、卡片打开等），不含任何身份信息。",
            "Exhibitors see only anonymous totals (booth visits, card opens…), nothing that identifies you.",
        ));
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

/// The loading screen over a hall being built, with real progress.
pub(super) fn loading_screen(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    hall: Option<Res<CurrentHall>>,
    progress: Res<LoadingProgress>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let hall = hall
        .as_deref()
        .map(|hall| hall_name(hall.0, lang))
        .unwrap_or_default();
    egui::Area::new("loading".into())
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .order(egui::Order::Foreground)
        .show(&ctx, |area| {
            egui::Frame::popup(area.style())
                .inner_margin(24.0)
                .show(area, |frame| {
                    frame.set_width(420.0);
                    frame.heading(format!("{} {hall}", lang.pick("正在进入", "Entering")));
                    let progress = *progress;
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
    Ok(())
}

/// The first-visit hint: how to move, for mouse or touch.
pub(super) fn hint(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    device: Res<InputDevice>,
    layout: Res<PanelLayout>,
    mut panels: ResMut<Panels>,
) -> Result {
    if !layout.shows(Panel::Hint) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let lines: [(&str, &str); 2] = match *device {
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
    let (mut open, mut dismissed) = (true, false);
    let title = lang.pick("操作提示", "How to move");
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| {
            wide.anchor(egui::Align2::CENTER_BOTTOM, [0.0, -16.0])
                .collapsible(false)
                .resizable(false)
        },
        |window| {
            for (zh, en) in lines {
                window.label(lang.pick(zh, en));
            }
            if window.button(lang.pick("知道了", "Got it")).clicked() {
                dismissed = true;
            }
        },
    );
    if !open || dismissed {
        panels.hint = false;
    }
    Ok(())
}

/// The on-screen joystick for touch devices, bottom right: drag the knob
/// to walk (up is forward).
pub(super) fn joystick(
    mut contexts: EguiContexts,
    device: Res<InputDevice>,
    screen: Res<State<Screen>>,
    mut joystick: ResMut<Joystick>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if *device != InputDevice::Touch || *screen.get() == Screen::Loading {
        joystick.set_if_neq(Joystick::default());
        return Ok(());
    }
    const RADIUS: f32 = 64.0;
    egui::Area::new("joystick".into())
        .anchor(egui::Align2::RIGHT_BOTTOM, [-24.0, -24.0])
        .show(&ctx, |area| {
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
            joystick.set_if_neq(Joystick(Vec2::new(offset.x, -offset.y) / RADIUS));
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
    Ok(())
}

/// A small ring in the middle of the screen while the pointer is locked: a
/// click acts there.
pub(super) fn crosshair(mut contexts: EguiContexts, lock: Res<PointerLock>) -> Result {
    if !lock.0 {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
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
    Ok(())
}

/// Draw and scene figures for whoever presses F3.
#[derive(bevy::ecs::system::SystemParam)]
pub(super) struct SceneFigures<'w, 's> {
    diagnostics: Res<'w, DiagnosticsStore>,
    atlas: Res<'w, CardAtlas>,
    quality: Res<'w, Quality>,
    entities: Query<'w, 's, Entity>,
    meshes: Query<'w, 's, &'static ViewVisibility, With<Mesh3d>>,
    cards: Query<'w, 's, (), With<Card>>,
}

/// The F3 overlay: frame time, what is drawn, the card textures and the
/// quality tier.
pub(super) fn diagnostics(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    panels: Res<Panels>,
    ui: SceneFigures,
) -> Result {
    if !panels.diagnostics {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
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
        .show(&ctx, |area| {
            egui::Frame::popup(area.style()).show(area, |frame| {
                frame.monospace(format!("fps {fps:.0}  frame {frame_ms:.1} ms"));
                frame.monospace(format!(
                    "entities {}  cards {}",
                    ui.entities.iter().count(),
                    ui.cards.iter().count()
                ));
                frame.monospace(format!("mesh draws (visible) {visible_meshes}"));
                frame.monospace(format!(
                    "card textures: {} pages, {:.0} MiB, {} resident, {} painted, {} ranked",
                    ui.atlas.pages(),
                    ui.atlas.texture_bytes() as f64 / (1024.0 * 1024.0),
                    ui.atlas.resident(),
                    ui.atlas.painted,
                    ui.atlas.reranks
                ));
                let why = ui.quality.auto_low_because.unwrap_or("");
                frame.monospace(format!("quality {:?} {why}", ui.quality.tier));
                frame.monospace(lang.pick("F3 关闭", "F3 to close"));
            });
        });
    Ok(())
}
