//! Finding projects: the hall directory, search with filters, and the
//! visitor's favourites.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use yunzhan_model::{HallIndex, Industry, ProjectId, ProjectKind, Region};

use super::layout::{Panel, PanelLayout};
use super::{Panels, hall_name};
use crate::expo::{ExpoCatalog, Favourites, Lang, SearchState};
use crate::world::interaction::{FocusProject, Selection};
use crate::world::navigation::Go;

/// The hall directory: every hall by region, with its project count.
pub(super) fn directory(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    catalog: Res<ExpoCatalog>,
    mut panels: ResMut<Panels>,
    layout: Res<PanelLayout>,
    mut go: MessageWriter<Go>,
) -> Result {
    if !panels.directory || !layout.shows(Panel::Directory) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let (mut open, mut went) = (true, false);
    let title = lang.pick("展馆目录", "Hall directory");
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| wide.default_pos([8.0, 60.0]),
        |window| {
            let mut hall_row = |window: &mut egui::Ui, hall: HallIndex| {
                let count = catalog.hall_project_count(hall);
                let text = format!(
                    "{}  ·  {count} {}",
                    hall_name(hall, lang),
                    lang.pick("项", "projects")
                );
                if window.button(text).clicked() {
                    go.write(Go::Hall(hall));
                    went = true;
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
                go.write(Go::Lobby);
            }
        },
    );
    if !open || went {
        panels.directory = false;
    }
    Ok(())
}

/// A line for a project: title, organisation, hall and the demo mark; a
/// click goes to its card.
pub(super) fn project_row(
    row: &mut egui::Ui,
    catalog: &ExpoCatalog,
    selection: &Selection,
    lang: Lang,
    id: ProjectId,
    focus: &mut MessageWriter<FocusProject>,
) {
    let project = catalog.project(id);
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
        .selectable_label(selection.0 == Some(id), text)
        .clicked()
    {
        focus.write(FocusProject(id));
    }
}

/// Search with filters by hall, industry, kind and featured.
pub(super) fn search(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    catalog: Res<ExpoCatalog>,
    mut panels: ResMut<Panels>,
    mut search: ResMut<SearchState>,
    selection: Res<Selection>,
    layout: Res<PanelLayout>,
    mut focus: MessageWriter<FocusProject>,
) -> Result {
    if !panels.search || !layout.shows(Panel::Search) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let mut open = true;
    let title = lang.pick("搜索项目", "Search projects");
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| wide.default_pos([8.0, 120.0]).default_width(520.0),
        |window| {
            window.add(
                egui::TextEdit::singleline(&mut search.query.text)
                    .hint_text(
                        lang.pick("项目名称、单位或关键词", "title, organisation or keyword"),
                    )
                    .desired_width(f32::INFINITY)
                    .min_size(egui::vec2(0.0, window.spacing().interact_size.y)),
            );
            window.horizontal_wrapped(|row| {
                let query = &mut search.query;
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
            if search.searched.as_ref() != Some(&search.query) {
                let query = search.query.clone();
                search.results = catalog
                    .search(&query, 100)
                    .into_iter()
                    .map(|hit| hit.project)
                    .collect();
                search.searched = Some(query);
            }
            window.label(format!(
                "{} {}",
                search.results.len(),
                lang.pick("个结果（最多 100）", "results (at most 100)")
            ));
            egui::ScrollArea::vertical()
                .max_height(layout.list_height(360.0))
                .show(window, |list| {
                    for &id in &search.results {
                        project_row(list, &catalog, &selection, lang, id, &mut focus);
                    }
                });
        },
    );
    if !open {
        panels.search = false;
    }
    Ok(())
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

/// The visitor's favourites (收藏).
pub(super) fn favourites(
    mut contexts: EguiContexts,
    lang: Res<Lang>,
    catalog: Res<ExpoCatalog>,
    mut panels: ResMut<Panels>,
    favourites: Res<Favourites>,
    selection: Res<Selection>,
    layout: Res<PanelLayout>,
    mut focus: MessageWriter<FocusProject>,
) -> Result {
    if !panels.favourites || !layout.shows(Panel::Favourites) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let lang = *lang;
    let mut open = true;
    let title = lang.pick("我的收藏", "Favourites");
    layout.show(
        &ctx,
        title,
        Some(&mut open),
        |wide| wide.default_pos([8.0, 180.0]),
        |window| {
            if favourites.0.is_empty() {
                window.label(lang.pick(
                    "还没有收藏。在项目详情中点击 ☆ 收藏。",
                    "Nothing yet. Use ☆ in a project's detail panel.",
                ));
            }
            for &id in &favourites.0 {
                project_row(window, &catalog, &selection, lang, id, &mut focus);
            }
        },
    );
    if !open {
        panels.favourites = false;
    }
    Ok(())
}
