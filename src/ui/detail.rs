//! The project detail panel: facts, summary, the service agent, favourite
//! and inquiry buttons, a challenge's possible solutions, related projects,
//! and the kiosk's QR hand-off.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use std::sync::Arc;

use yunzhan_model::attention::Event;
use yunzhan_model::matching::{Matcher, Solution};
use yunzhan_model::{Catalog, ProjectId, ProjectKind};

use super::browse::project_row;
use super::hall_name;
use super::layout::{Panel, PanelLayout};
use crate::deeplink::ShareBase;
use crate::expo::{ExpoCatalog, Favourites, Kiosk, Lang, Noticed, OpenInquiry};
use crate::world::interaction::{FocusProject, Selection};

/// What the panel suggests beside one project of one catalog: related
/// projects and, for a challenge, its possible solutions. Ids are
/// positions in a catalog, so another catalog on show means computing them
/// again (and the matcher too, built on the first challenge opened).
struct Suggestions {
    catalog: Arc<Catalog>,
    matcher: Option<Matcher>,
    project: Option<ProjectId>,
    related: Vec<ProjectId>,
    solutions: Vec<Solution>,
}

impl Suggestions {
    /// The suggestions for `project` in the catalog on show, from the cache
    /// when it holds them.
    fn of<'a>(catalog: &ExpoCatalog, project: ProjectId, cache: &'a mut Option<Self>) -> &'a Self {
        if cache
            .as_ref()
            .is_none_or(|cached| !Arc::ptr_eq(&cached.catalog, &catalog.0))
        {
            *cache = Some(Suggestions {
                catalog: catalog.0.clone(),
                matcher: None,
                project: None,
                related: Vec::new(),
                solutions: Vec::new(),
            });
        }
        let cached = cache.as_mut().expect("filled above");
        if cached.project != Some(project) {
            cached.project = Some(project);
            cached.related = catalog.related(project, 6);
            cached.solutions = if catalog.project(project).kind == ProjectKind::Challenge {
                let matcher = cached
                    .matcher
                    .get_or_insert_with(|| Matcher::new(&catalog.0));
                matcher.solutions(&catalog.0, project, 5)
            } else {
                Vec::new()
            };
        }
        cached
    }
}

/// What the detail panel reads and changes.
#[derive(SystemParam)]
pub(super) struct DetailWorld<'w, 's> {
    lang: Res<'w, Lang>,
    catalog: Res<'w, ExpoCatalog>,
    selection: ResMut<'w, Selection>,
    favourites: ResMut<'w, Favourites>,
    layout: Res<'w, PanelLayout>,
    focus: MessageWriter<'w, FocusProject>,
    open_inquiry: MessageWriter<'w, OpenInquiry>,
    kiosk: Option<Res<'w, Kiosk>>,
    share: Option<Res<'w, ShareBase>>,
    /// Suggestions beside the open project, computed once per project.
    suggestions: Local<'s, Option<Suggestions>>,
    /// The QR code of the open project's link (kiosk), made once per link.
    qr: Local<'s, Option<(String, egui::TextureHandle)>>,
    noticed: MessageWriter<'w, Noticed>,
}

/// The open project: its facts, summary, favourite and inquiry buttons,
/// related projects, and at a kiosk the QR hand-off.
pub(super) fn detail(mut contexts: EguiContexts, mut ui: DetailWorld) -> Result {
    let Some(id) = ui.selection.0.filter(|_| ui.layout.shows(Panel::Detail)) else {
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *ui.lang;
    let catalog = ui.catalog.clone();
    let project = catalog.project(id);
    let mut open = true;
    let title = lang.pick("项目详情", "Project");
    let height = ctx.content_rect().height() * 0.7;
    let layout = *ui.layout;
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| {
            wide.anchor(egui::Align2::RIGHT_TOP, [-8.0, 52.0])
                .default_width(380.0)
                .default_height(height)
        },
        |window| {
            egui::ScrollArea::vertical()
                .max_height(layout.list_height(height))
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
                    actions(body, &mut ui, project, lang, id);
                    // At a kiosk the phone hand-off comes next.
                    if ui.kiosk.is_some() {
                        hand_off(body, &mut ui, lang, id);
                    }
                    facts(body, project, lang);
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
                    suggested(body, &mut ui, &catalog, lang, id);
                });
        },
    );
    if !open {
        ui.selection.0 = None;
    }
    Ok(())
}

/// What the visitor came to do, above the facts (on a phone without
/// scrolling): save, send an inquiry, go to the booth.
fn actions(
    body: &mut egui::Ui,
    ui: &mut DetailWorld,
    project: &yunzhan_model::Project,
    lang: Lang,
    id: ProjectId,
) {
    body.horizontal_wrapped(|row| {
        let favourite = ui.favourites.0.contains(&id);
        let star = if favourite {
            lang.pick("★ 已收藏", "★ Saved")
        } else {
            lang.pick("☆ 收藏", "☆ Save")
        };
        if row.button(star).clicked() {
            toggle_favourite(&mut ui.favourites, id);
        }
        if row
            .button(lang.pick("洽谈合作", "Send an inquiry"))
            .clicked()
        {
            ui.open_inquiry
                .write(OpenInquiry(project.platform_no.clone()));
        }
        if row.button(lang.pick("前往展位", "Go to booth")).clicked() {
            ui.focus.write(FocusProject(id));
        }
    });
}

/// A challenge's possible solutions, then the related projects.
fn suggested(
    body: &mut egui::Ui,
    ui: &mut DetailWorld,
    catalog: &ExpoCatalog,
    lang: Lang,
    id: ProjectId,
) {
    let suggestions = Suggestions::of(catalog, id, &mut ui.suggestions);
    if !suggestions.solutions.is_empty() {
        body.separator();
        body.label(egui::RichText::new(lang.pick("可能的解决方案", "Possible solutions")).strong());
        for solution in &suggestions.solutions {
            project_row(
                body,
                catalog,
                &ui.selection,
                lang,
                solution.project,
                &mut ui.focus,
            );
            body.small(format!("    {}", solution.why(lang == Lang::Zh)));
        }
    }
    body.separator();
    body.label(egui::RichText::new(lang.pick("相关项目", "Related projects")).strong());
    for &related in &suggestions.related {
        project_row(body, catalog, &ui.selection, lang, related, &mut ui.focus);
    }
}

fn toggle_favourite(favourites: &mut Favourites, id: ProjectId) {
    if favourites.0.contains(&id) {
        favourites.0.retain(|&f| f != id);
    } else {
        favourites.0.push(id);
    }
}

/// The kiosk's hand-off: a QR code of the project's link, so a visitor can
/// go on (and type Chinese) on their own phone.
fn hand_off(body: &mut egui::Ui, ui: &mut DetailWorld, lang: Lang, id: ProjectId) {
    let Some(share) = ui.share.as_deref() else {
        return;
    };
    let Some(link) = share.project_link(&ui.catalog.project(id).platform_no) else {
        return;
    };
    if ui.qr.as_ref().map(|(shown, _)| shown) != Some(&link) {
        // Counted (anonymously) as a hand-off offered.
        ui.noticed.write(Noticed {
            platform_no: ui.catalog.project(id).platform_no.clone(),
            event: Event::QrHandoff,
        });
        *ui.qr = crate::kiosk::qr_image(&link).map(|image| {
            let texture =
                body.ctx()
                    .load_texture("project-qr", image, egui::TextureOptions::NEAREST);
            (link.clone(), texture)
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

/// The project's facts, a label and a value a row; long values wrap within
/// the panel (a phone's is 374 points wide).
fn facts(body: &mut egui::Ui, project: &yunzhan_model::Project, lang: Lang) {
    const LABEL_COLUMN: f32 = 96.0;
    let value_width = (body.available_width() - LABEL_COLUMN).max(LABEL_COLUMN);
    let grid = egui::Grid::new("facts")
        .num_columns(2)
        .max_col_width(value_width);
    grid.show(body, |grid| {
        let mut fact = |label: &str, value: String| {
            grid.label(egui::RichText::new(label).weak());
            grid.add(egui::Label::new(value).wrap());
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
}
