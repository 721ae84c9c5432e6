//! Capture mode (`yunzhan --capture DIR [--hall ID] [--project NO]`): renders
//! a fixed set of views to PNG files in DIR and exits — the lobby, a hall
//! aisle, a card close-up, the detail panel and the minimap. Each view waits
//! until the scene is ready (hall built, travel finished, card textures
//! painted) and a few frames more, so the pictures are complete.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use yunzhan_model::layout::BOOTH_DEPTH;
use yunzhan_model::{HallIndex, ProjectId};

use crate::Screen;
use crate::cards::{Card, CardAtlas};
use crate::catalog::ExpoCatalog;
use crate::hall::HallPlan;
use crate::interaction::{FocusProject, Selection};
use crate::lobby::LobbyScene;
use crate::navigation::{Go, Travel, place};
use crate::ui::Panels;
use crate::visitor::Visitor;

/// Frames rendered after a view is ready, before its shot.
const SETTLE_FRAMES: u32 = 12;
/// Give up on a view that is not ready after this many frames.
const VIEW_TIMEOUT_FRAMES: u32 = 3000;

/// Present while capture mode drives the app.
#[derive(Resource, Debug, Default)]
pub struct Capturing;

pub struct CapturePlugin {
    pub dir: PathBuf,
    pub hall: Option<HallIndex>,
    pub project: Option<String>,
    /// A booth is previewed: capture it alone (`booth-preview.png`).
    pub preview: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// Nothing but the sky and the HUD: the frame-time baseline (no picture).
    Empty,
    Lobby,
    HallAisle,
    Card,
    Detail,
    Minimap,
    /// The previewed booth from its aisle, with the preview panel.
    Booth,
}

impl View {
    const ALL: [View; 6] = [
        View::Empty,
        View::Lobby,
        View::HallAisle,
        View::Card,
        View::Detail,
        View::Minimap,
    ];

    fn file(self) -> &'static str {
        match self {
            View::Empty => "empty.png",
            View::Lobby => "lobby.png",
            View::HallAisle => "hall-aisle.png",
            View::Card => "card.png",
            View::Detail => "detail.png",
            View::Minimap => "minimap.png",
            View::Booth => "booth-preview.png",
        }
    }
}

#[derive(Resource)]
struct CaptureState {
    views: Vec<View>,
    dir: PathBuf,
    hall: Option<HallIndex>,
    project: Option<String>,
    view: usize,
    started: bool,
    ready_frames: u32,
    frames: u32,
    /// A screenshot is in flight; the next view starts when it is saved.
    shooting: bool,
    /// Frame times (ms) of the view being measured.
    samples: Vec<f32>,
    /// One JSON object per measured view, written to `frames.json`.
    report: Vec<serde_json::Value>,
}

/// Frames timed per measured view.
const MEASURE_FRAMES: usize = 60;

#[derive(Message)]
struct ShotSaved(Result<(), String>);

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(CaptureState {
            views: if self.preview {
                vec![View::Booth]
            } else {
                View::ALL.to_vec()
            },
            dir: self.dir.clone(),
            hall: self.hall,
            project: self.project.clone(),
            view: 0,
            started: false,
            ready_frames: 0,
            frames: 0,
            shooting: false,
            samples: Vec::new(),
            report: Vec::new(),
        });
        app.add_message::<ShotSaved>();
        app.init_resource::<Capturing>();
        app.add_systems(Update, (drive_capture, after_shot).chain());
    }
}

/// The project the card views show: `--project`, else the first featured
/// project of the hall, else its first project.
fn chosen_project(
    state: &CaptureState,
    catalog: &ExpoCatalog,
    hall: HallIndex,
) -> Option<ProjectId> {
    if let Some(no) = &state.project {
        return catalog.find(no);
    }
    let projects: Vec<ProjectId> = catalog
        .hall_exhibitors(hall)
        .iter()
        .flat_map(|&id| catalog.exhibitor(id).projects.clone())
        .collect();
    projects
        .iter()
        .copied()
        .find(|&id| catalog.project(id).featured)
        .or(projects.first().copied())
}

/// The kiosk's panels in the capture views (`--kiosk --capture`): the
/// "Still there?" countdown over the lobby, the project detail with its QR
/// code, and the inquiry form with the on-screen keypad over the minimap view.
#[derive(bevy::ecs::system::SystemParam)]
struct KioskViews<'w> {
    kiosk: Option<Res<'w, crate::controls::Kiosk>>,
    state: Option<ResMut<'w, crate::kiosk::KioskState>>,
    draft: Option<ResMut<'w, crate::ui::InquiryDraft>>,
}

impl KioskViews<'_> {
    fn prepare(&mut self, view: View, project: Option<String>, panels: &mut Panels) {
        use crate::kiosk::{KeypadField, KioskState};
        if let Some(state) = self.state.as_mut() {
            **state = match view {
                View::Lobby => KioskState::Countdown { left: 12.0 },
                _ => KioskState::Active { idle: 0.0 },
            };
        }
        let typing = view == View::Minimap;
        panels.inquiry = typing;
        if let (Some(draft), Some(no)) = (self.draft.as_mut(), project) {
            draft.inquiry.platform_no = no;
            draft.inquiry.phone = if typing {
                "028-8".into()
            } else {
                String::new()
            };
            draft.keypad = typing.then_some(KeypadField::Phone);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn drive_capture(
    mut commands: Commands,
    mut state: ResMut<CaptureState>,
    catalog: Res<ExpoCatalog>,
    screen: Res<State<Screen>>,
    plan: Option<Res<HallPlan>>,
    atlas: Res<CardAtlas>,
    mut selection: ResMut<Selection>,
    mut panels: ResMut<Panels>,
    mut visitors: Query<(Entity, &mut Visitor, &mut Transform, Option<&Travel>), Without<Card>>,
    mut lobby: Query<&mut Visibility, With<LobbyScene>>,
    counts: SceneCounts,
    (time, preview): (Res<Time<Real>>, Option<Res<crate::preview::BoothPreview>>),
    mut go: MessageWriter<Go>,
    mut focus: MessageWriter<FocusProject>,
    mut exit: MessageWriter<AppExit>,
    mut kiosk: KioskViews,
) {
    if state.shooting {
        return;
    }
    let Some(&view) = state.views.get(state.view) else {
        let path = state.dir.join("frames.json");
        let report = serde_json::Value::Array(std::mem::take(&mut state.report));
        if let Err(error) = std::fs::write(&path, format!("{report:#}\n")) {
            error!("cannot write {}: {error}", path.display());
        }
        exit.write(AppExit::Success);
        return;
    };
    for mut visibility in &mut lobby {
        *visibility = if view == View::Empty {
            Visibility::Hidden
        } else {
            Visibility::Inherited
        };
    }
    let project = state
        .project
        .as_ref()
        .and_then(|no| catalog.find(no))
        .map(|id| catalog.project(id).hall);
    let hall = state
        .hall
        .or(project)
        .or(preview.as_ref().and_then(|p| p.hall()))
        .unwrap_or(HallIndex::from_id("chengdu").expect("chengdu"));
    let target = chosen_project(&state, &catalog, hall);
    let Ok((entity, mut visitor, mut transform, travel)) = visitors.single_mut() else {
        return;
    };
    // Software rendering is slow: arrive at once instead of flying there
    // (the flight itself is covered by the headless tests).
    let travelling = travel.is_some();
    if let Some(travel) = travel {
        let travel = travel.clone();
        place(&mut visitor, &mut transform, travel.to, travel.yaw);
        visitor.pitch = travel.pitch;
        transform.rotation = crate::visitor::orientation(&visitor);
        commands.entity(entity).remove::<Travel>();
    }
    panels.hint = false;
    state.frames += 1;
    if !state.started {
        state.started = true;
        state.ready_frames = 0;
        state.frames = 0;
        match view {
            View::Empty | View::Lobby => {}
            View::HallAisle => {
                go.write(Go::Hall(hall));
            }
            View::Card | View::Detail => {
                if let Some(project) = target {
                    focus.write(FocusProject(project));
                }
            }
            View::Minimap | View::Booth => {}
        }
        if kiosk.kiosk.is_some() {
            kiosk.prepare(
                view,
                target.map(|id| catalog.project(id).platform_no.clone()),
                &mut panels,
            );
        }
    }
    let in_hall = *screen.get() == Screen::Hall && plan.as_ref().is_some_and(|p| p.hall == hall);
    let ready = match view {
        View::Empty => {
            *transform = Transform::from_xyz(32.0, 14.0, 10.0)
                .looking_at(Vec3::new(32.0, 2.0, -34.0), Vec3::Y);
            true
        }
        View::Lobby => {
            *transform = Transform::from_xyz(32.0, 14.0, 10.0)
                .looking_at(Vec3::new(32.0, 2.0, -34.0), Vec3::Y);
            true
        }
        View::HallAisle => {
            if in_hall && state.ready_frames == 0 {
                // Stand in the aisle behind the first island, looking along it
                // and at the booths facing it.
                let plan = plan.as_ref().expect("in a hall");
                let z = plan
                    .layout
                    .booths
                    .first()
                    .map_or(10.0, |b| b.rect.min[1] + 2.0 * BOOTH_DEPTH + 2.0);
                place(&mut visitor, &mut transform, [4.5, z], 1.0);
                commands.entity(entity).remove::<Travel>();
            }
            in_hall && atlas.resident() > 0
        }
        View::Card => {
            selection.0 = None;
            in_hall && !travelling && atlas.resident() > 0
        }
        View::Detail => {
            selection.0 = target;
            in_hall && !travelling
        }
        View::Minimap => {
            if in_hall && state.ready_frames == 0 {
                let plan = plan.as_ref().expect("in a hall");
                let (at, yaw) = plan.viewpoint(plan.layout.booths.len() / 2);
                place(&mut visitor, &mut transform, at, yaw);
            }
            in_hall
        }
        View::Booth => {
            let booth = preview.as_ref().and_then(|p| p.booth);
            match (in_hall, booth, plan.as_ref()) {
                (true, Some(booth), Some(plan)) => {
                    // Stand back in the aisle, a little above eye height,
                    // looking at the middle of the booth.
                    let booth = &plan.layout.booths[booth];
                    let target = crate::scene::world(booth.rect.center(), 1.6);
                    let eye = crate::scene::world(booth.front(5.5), 2.8);
                    *transform = Transform::from_translation(eye).looking_at(target, Vec3::Y);
                    atlas.resident() > 0
                }
                _ => false,
            }
        }
    };
    if ready {
        state.ready_frames += 1;
    }
    if state.frames > VIEW_TIMEOUT_FRAMES {
        error!("capture: view {view:?} never became ready");
        exit.write(AppExit::error());
        return;
    }
    if state.ready_frames < SETTLE_FRAMES {
        return;
    }
    if matches!(view, View::Empty | View::Lobby | View::HallAisle)
        && state.samples.len() < MEASURE_FRAMES
    {
        state.samples.push(time.delta_secs() * 1000.0);
        if state.samples.len() == MEASURE_FRAMES {
            let entry = counts.report(view, &state.samples, &atlas);
            info!("capture: {entry}");
            state.report.push(entry);
        } else {
            return;
        }
    }
    if view == View::Empty {
        state.samples.clear();
        state.started = false;
        state.view += 1;
        return;
    }
    if let Err(error) = std::fs::create_dir_all(&state.dir) {
        error!("cannot create {}: {error}", state.dir.display());
        exit.write(AppExit::error());
        return;
    }
    let path = match kiosk.kiosk {
        Some(_) => state.dir.join(format!("kiosk-{}", view.file())),
        None => state.dir.join(view.file()),
    };
    state.shooting = true;
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut saved: MessageWriter<ShotSaved>| {
            let result = captured
                .image
                .clone()
                .try_into_dynamic()
                .map_err(|error| error.to_string())
                .and_then(|image| {
                    image
                        .to_rgb8()
                        .save(&path)
                        .map_err(|error| error.to_string())
                })
                .map(|()| info!("captured {}", path.display()));
            saved.write(ShotSaved(result));
        },
    );
}

fn after_shot(
    mut saved: MessageReader<ShotSaved>,
    mut state: ResMut<CaptureState>,
    mut exit: MessageWriter<AppExit>,
) {
    for ShotSaved(result) in saved.read() {
        if let Err(error) = result {
            error!("capture: cannot save a view: {error}");
            exit.write(AppExit::error());
        }
        state.shooting = false;
        state.started = false;
        state.samples.clear();
        state.view += 1;
    }
}

/// Counts of what a frame draws, for `frames.json`.
#[derive(bevy::ecs::system::SystemParam)]
struct SceneCounts<'w, 's> {
    entities: Query<'w, 's, Entity>,
    meshes: Query<'w, 's, &'static ViewVisibility, With<Mesh3d>>,
    cards: Query<'w, 's, (), With<Card>>,
}

impl SceneCounts<'_, '_> {
    fn report(&self, view: View, samples: &[f32], atlas: &CardAtlas) -> serde_json::Value {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f32::total_cmp);
        let mean = sorted.iter().sum::<f32>() / sorted.len() as f32;
        let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
        serde_json::json!({
            "view": format!("{view:?}"),
            "frames": sorted.len(),
            "frame_ms_mean": (mean * 100.0).round() / 100.0,
            "frame_ms_p95": (p95 * 100.0).round() / 100.0,
            "entities": self.entities.iter().count(),
            "cards": self.cards.iter().count(),
            "visible_mesh_draws": self.meshes.iter().filter(|v| v.get()).count(),
            "card_texture_pages": atlas.pages(),
            "card_texture_bytes": atlas.texture_bytes(),
        })
    }
}
