//! Capture mode (`yunzhan --capture DIR [--hall ID] [--project NO]`): renders
//! a fixed set of views to PNG files in DIR and exits — the lobby from above
//! and from its entrance, the hall from its door, an aisle, the longest
//! aisle, the densest booths, a card close-up, the detail panel and the
//! minimap. Each view waits until the scene is ready (hall built, travel
//! finished, card textures painted) and a few frames more, so the pictures
//! are complete. The scene views are timed at the high tier and again at
//! the low tier; `frames.json` has a row per view and tier. With
//! `--compare-catalog FILE` the hall's entry and views are then timed again,
//! the catalog on show and FILE's taking turns (see [`View::comparison`]),
//! for `check-captures --scale`.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use yunzhan_model::layout::BOOTH_DEPTH;
use yunzhan_model::{Catalog, HallIndex, ProjectId};

use crate::expo::catalog::ExpoCatalog;
use crate::expo::{CountingChoice, Screen};
use crate::ui::Panels;
use crate::world::cards::{Card, CardAtlas};
use crate::world::chunks::HallChunks;
use crate::world::hall::{HallPlan, LoadingProgress};
use crate::world::interaction::{FocusProject, Selection};
use crate::world::lobby::LobbyScene;
use crate::world::navigation::{Go, Travel, place};
use crate::world::quality::{Quality, QualitySetting, Tier};
use crate::world::rebuild::ShowCatalog;
use crate::world::scene::world;
use crate::world::signs::HeaderAtlas;
use crate::world::visitor::{EYE_HEIGHT, Visitor};
use std::f32::consts::FRAC_PI_2;

/// Frames rendered after a view is ready, before its shot.
const SETTLE_FRAMES: u32 = 12;
/// Give up on a view that is not ready after this many frames.
const VIEW_TIMEOUT_FRAMES: u32 = 3000;

pub(crate) struct CapturePlugin {
    pub(crate) dir: PathBuf,
    pub(crate) hall: Option<HallIndex>,
    pub(crate) project: Option<String>,
    /// A booth is previewed: capture it alone (`booth-preview.png`).
    pub(crate) preview: bool,
    /// The catalog to compare the one on show with (`--compare-catalog`).
    pub(crate) compare: Option<Arc<Catalog>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// Nothing but the sky and the HUD: the frame-time baseline (no picture).
    Empty,
    Lobby,
    /// The lobby at eye height from its entrance.
    LobbyEntrance,
    /// Goes into the hall and back [`ENTRY_RUNS`] times, timing each entry
    /// (no picture).
    Entries,
    /// The hall from inside its door, looking in.
    HallDoor,
    HallAisle,
    /// Along the middle one of the hall's aisles, from its west end.
    LongestAisle,
    /// The booth with the most booths around it, from its aisle.
    Booths,
    /// The way out: the entrance wall and the door, from 14 m in.
    HallExit,
    Card,
    Detail,
    Minimap,
    /// The previewed booth from its aisle, with the preview panel.
    Booth,
}

impl View {
    const ALL: [View; 12] = [
        View::Empty,
        View::Lobby,
        View::LobbyEntrance,
        View::Entries,
        View::HallDoor,
        View::HallAisle,
        View::LongestAisle,
        View::Booths,
        View::HallExit,
        View::Card,
        View::Detail,
        View::Minimap,
    ];

    /// The views whose frame times are measured (at both tiers).
    fn timed(self) -> bool {
        matches!(
            self,
            View::Empty
                | View::Lobby
                | View::LobbyEntrance
                | View::HallDoor
                | View::HallAisle
                | View::LongestAisle
                | View::Booths
        )
    }

    /// The views that are pictures.
    fn pictured(self) -> bool {
        !matches!(self, View::Empty | View::Entries)
    }

    /// Every view at the high tier, then the timed ones at the low tier.
    fn sequence() -> Vec<Step> {
        let high = View::ALL.into_iter().map(|view| (view, Tier::High));
        let low = View::ALL.into_iter().filter(|view| view.timed());
        (high.chain(low.map(|view| (view, Tier::Low))))
            .map(|(view, tier)| Step {
                view,
                tier,
                turn: None,
            })
            .collect()
    }

    /// The hall's views and entries that a larger catalog must not make
    /// slower, timed in turns so that the machine's drift falls on both
    /// catalogs: each round of the views shows both catalogs (in turn
    /// order alternating by round) at the high tier, then at the low tier;
    /// each turn starts with the empty scene and the lobby, so the frame
    /// budgets (views over the empty scene) are also had minutes apart at
    /// most. Then the entries' rounds, [`COMPARED_ENTRIES`] entries a turn.
    /// No pictures are taken.
    fn comparison() -> Vec<Step> {
        const COMPARED: [View; 6] = [
            View::Empty,
            View::Lobby,
            View::HallDoor,
            View::HallAisle,
            View::LongestAisle,
            View::Booths,
        ];
        let step = |view, tier, round, compared| Step {
            view,
            tier,
            turn: Some(Turn { round, compared }),
        };
        let mut steps = Vec::new();
        for round in 0..COMPARISON_ROUNDS {
            for tier in [Tier::High, Tier::Low] {
                for compared in turn_order(round) {
                    steps.extend(COMPARED.map(|view| step(view, tier, round, compared)));
                }
            }
        }
        for round in 0..ENTRY_ROUNDS {
            for compared in turn_order(round) {
                steps.push(step(View::Entries, Tier::High, round, compared));
            }
        }
        steps
    }

    fn file(self) -> &'static str {
        match self {
            View::Empty => "empty.png",
            View::Entries => "entries.png",
            View::Lobby => "lobby.png",
            View::LobbyEntrance => "lobby-entrance.png",
            View::HallDoor => "hall-door.png",
            View::HallAisle => "hall-aisle.png",
            View::LongestAisle => "hall-longest-aisle.png",
            View::Booths => "hall-booths.png",
            View::HallExit => "hall-exit.png",
            View::Card => "card.png",
            View::Detail => "detail.png",
            View::Minimap => "minimap.png",
            View::Booth => "booth-preview.png",
        }
    }
}

/// One step of the capture: a view at a tier, in a turn of the comparison
/// or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    view: View,
    tier: Tier,
    turn: Option<Turn>,
}

/// A turn of the comparison: its round, and whether the compared catalog
/// is on show (else the one shown at the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Turn {
    round: usize,
    compared: bool,
}

/// Rounds of the comparison of the hall views.
const COMPARISON_ROUNDS: usize = 5;

/// Rounds of the comparison of the hall's entry, and entries into the hall
/// per turn: short turns, so that both catalogs' entries are timed within
/// seconds of each other all along (an entry lasts about a second).
const ENTRY_ROUNDS: usize = 10;
const COMPARED_ENTRIES: usize = 3;

/// The first catalog of a round's turns: the shown one, then the compared
/// one, and so on.
fn turn_order(round: usize) -> [bool; 2] {
    let compared_first = round % 2 == 1;
    [compared_first, !compared_first]
}

/// The entries view's row: each entry's time, frames and CPU time, their
/// medians and the fastest time, and what the loading screen waited for.
fn entries_row(entries: &[EntryTime], items: usize) -> serde_json::Value {
    fn median<T: Copy + PartialOrd>(runs: &[T]) -> T {
        let mut sorted = runs.to_vec();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        sorted[sorted.len() / 2]
    }
    let ms: Vec<f32> = entries.iter().map(|entry| entry.ms.round()).collect();
    let frames: Vec<u32> = entries.iter().map(|entry| entry.frames).collect();
    let cpu_ms: Option<Vec<f32>> = (entries.iter())
        .map(|entry| entry.cpu_ms.map(f32::round))
        .collect();
    let mut row = serde_json::json!({
        "view": "HallEntry",
        "tier": "high",
        "entry_ms_runs": ms,
        "entry_ms_median": median(&ms),
        "entry_ms_min": ms.iter().copied().fold(f32::INFINITY, f32::min),
        "entry_frames_runs": frames,
        "entry_frames_median": median(&frames),
        "entry_items": items,
    });
    if let Some(cpu_ms) = cpu_ms {
        row["entry_cpu_ms_median"] = median(&cpu_ms).into();
        row["entry_cpu_ms_runs"] = cpu_ms.into();
    }
    row
}

/// Frames timed per view in a turn of the comparison (the rounds, not the
/// frames, even out the machine's drift).
const COMPARED_FRAMES: usize = 30;

#[derive(Resource)]
struct CaptureState {
    views: Vec<Step>,
    /// The catalog on show at the start and the compared one.
    catalogs: (Option<Arc<Catalog>>, Option<Arc<Catalog>>),
    /// Frames a turn's catalog and tier have been in place.
    in_place_frames: u32,
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
    /// The hall view's frame times with the anonymous counting on and off.
    counting: [Vec<f32>; 2],
    /// When the hall was asked for (real time since start, and the view's
    /// frame), then how long it took until the visitor stood in it: the
    /// hall's entry time.
    entry: (Option<Mark>, Option<EntryTime>),
    /// Frames the lobby has been shown for in a row: the entries view
    /// enters from a settled lobby, as a visitor does.
    lobby_frames: u32,
    /// The entry times of the entries view.
    entries: Vec<EntryTime>,
    /// What the loading screen waited for at the last timed entry: chunks
    /// built and cards and headers painted (the entry's work, machine-free).
    entry_items: usize,
}

/// How long an entry took, from asking for the hall to the first frame in
/// it: real time (ms), frames, and the process's CPU time (ms, all its
/// threads: the app's and the software renderer's; what the entry cost,
/// whatever else the machine was doing).
#[derive(Debug, Clone, Copy, PartialEq)]
struct EntryTime {
    ms: f32,
    frames: u32,
    cpu_ms: Option<f32>,
}

/// A moment of the capture: real time (s), the view's frame and the
/// process's CPU time (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mark {
    secs: f32,
    frame: u32,
    cpu_ms: Option<f32>,
}

impl Mark {
    fn now(secs: f32, frame: u32) -> Self {
        Mark {
            secs,
            frame,
            cpu_ms: process_cpu_ms(),
        }
    }

    fn until(self, end: Mark) -> EntryTime {
        EntryTime {
            ms: (end.secs - self.secs) * 1000.0,
            frames: end.frame - self.frame,
            cpu_ms: (end.cpu_ms.zip(self.cpu_ms)).map(|(end, start)| end - start),
        }
    }
}

/// The CPU time the process has used (ms, user and system, all threads),
/// from `/proc/self/stat`; `None` elsewhere. Linux gives these in USER_HZ
/// ticks, which its ABI fixes at 100 a second on x86 and ARM whatever the
/// kernel's own tick rate (`sysconf(_SC_CLK_TCK)` answers the same).
fn process_cpu_ms() -> Option<f32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name: the state is field 3, utime and stime 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<f32>().ok();
    Some((ticks(11)? + ticks(12)?) * 10.0)
}

/// How often the entries view goes into the hall (single entries scatter
/// ±15 % on a shared machine; the median and the fastest are reported).
const ENTRY_RUNS: usize = 9;

/// Frames timed per measured view.
const MEASURE_FRAMES: usize = 60;
/// The hall view switches the anonymous counting on and off in blocks of
/// this many frames (the first two of a block, still in transition, are
/// not compared), so both run in the same scene and the same minute.
const COUNTING_BLOCK: usize = 10;

fn counting_off_in(frame: usize) -> bool {
    (frame / COUNTING_BLOCK) % 2 == 1
}

fn mean(samples: &[f32]) -> f32 {
    samples.iter().sum::<f32>() / samples.len().max(1) as f32
}

impl CaptureState {
    /// A view starts at `now` (seconds); `enters` a hall: its entry is timed.
    fn start(&mut self, enters: bool, now: f32) {
        self.started = true;
        self.ready_frames = 0;
        self.frames = 0;
        self.entry = (enters.then(|| Mark::now(now, 0)), None);
    }

    /// The first frame in the hall ends a timed entry; the entries view
    /// goes on to the next.
    fn time_entry(
        &mut self,
        view: View,
        (in_lobby, in_hall): (bool, bool),
        (now, loaded_items): (f32, usize),
        hall: HallIndex,
        go: &mut MessageWriter<Go>,
    ) {
        if let (true, Some(asked), None) = (in_hall, self.entry.0, self.entry.1) {
            self.entry.1 = Some(asked.until(Mark::now(now, self.frames)));
            self.entry_items = loaded_items;
        }
        self.lobby_frames = if in_lobby { self.lobby_frames + 1 } else { 0 };
        if view == View::Entries {
            self.repeat_entry(now, hall, go);
        }
    }

    /// The entries view: into the hall from the lobby, and once in, back
    /// out (its time kept), until every run is done; then their row.
    fn repeat_entry(&mut self, now: f32, hall: HallIndex, go: &mut MessageWriter<Go>) {
        match self.entry {
            (None, _)
                if self.lobby_frames >= SETTLE_FRAMES && self.entries.len() < self.entry_runs() =>
            {
                self.entry.0 = Some(Mark::now(now, self.frames));
                go.write(Go::Hall(hall));
            }
            (Some(_), Some(took)) => {
                self.entries.push(took);
                self.entry = (None, None);
                go.write(Go::Lobby);
                if self.entries.len() == self.entry_runs() {
                    let mut row = entries_row(&self.entries, self.entry_items);
                    self.label_turn(&mut row);
                    self.report.push(row);
                }
            }
            _ => {}
        }
    }

    /// The step under way.
    fn step(&self) -> Option<Step> {
        self.views.get(self.view).copied()
    }

    /// Entries the entries view makes: fewer per turn of the comparison.
    fn entry_runs(&self) -> usize {
        match self.step().and_then(|step| step.turn) {
            Some(_) => COMPARED_ENTRIES,
            None => ENTRY_RUNS,
        }
    }

    /// The catalog a step shows: for a turn of the comparison, the turn's.
    fn catalog_of(&self, step: Step) -> Option<&Arc<Catalog>> {
        let turn = step.turn?;
        match turn.compared {
            true => self.catalogs.1.as_ref(),
            false => self.catalogs.0.as_ref(),
        }
    }

    /// Counts the step's frame; whether it goes on: not while a turn's
    /// catalog or tier is being put in place, nor after waiting too long
    /// for the step (then the app exits with an error).
    fn next_frame(
        &mut self,
        step: Step,
        on_show: (&Arc<Catalog>, &Quality, Screen),
        out: &mut Requests,
    ) -> bool {
        self.frames += 1;
        if self.frames > VIEW_TIMEOUT_FRAMES {
            error!("capture: view {:?} never became ready", step.view);
            out.exit.write(AppExit::error());
            return false;
        }
        self.started || self.turn_in_place(step, on_show, &mut out.go)
    }

    /// Before a step of a turn of the comparison: back to the lobby unless
    /// the turn's catalog and tier are in place (the lobby is where
    /// [`switch_catalog`] and [`set_the_stage`] put them), then settled.
    /// Whether the step may start.
    fn turn_in_place(
        &mut self,
        step: Step,
        (on_show, quality, screen): (&Arc<Catalog>, &Quality, Screen),
        go: &mut MessageWriter<Go>,
    ) -> bool {
        let Some(wanted) = self.catalog_of(step) else {
            return true;
        };
        if !Arc::ptr_eq(wanted, on_show) || *quality != fixed_quality(step.tier) {
            self.in_place_frames = 0;
            if screen == Screen::Hall {
                go.write(Go::Lobby);
            }
            return false;
        }
        self.in_place_frames += 1;
        self.in_place_frames >= SETTLE_FRAMES
    }

    /// Marks a row measured in a turn of the comparison with the turn.
    fn label_turn(&self, row: &mut serde_json::Value) {
        let Some(step) = self.step() else {
            return;
        };
        if let (Some(turn), Some(catalog)) = (step.turn, self.catalog_of(step)) {
            row["round"] = serde_json::json!(turn.round);
            row["catalog"] = serde_json::json!(if turn.compared { "compared" } else { "shown" });
            row["catalog_projects"] = serde_json::json!(catalog.projects().len());
        }
    }

    fn next_view(&mut self) {
        self.samples.clear();
        self.entries.clear();
        self.entry = (None, None);
        self.started = false;
        self.view += 1;
    }

    /// Takes the view's picture (`kiosk-` in front of its name for a kiosk).
    fn shoot(&mut self, commands: &mut Commands, view: View, kiosk: bool) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|error| format!("cannot create {}: {error}", self.dir.display()))?;
        let file = match kiosk {
            true => format!("kiosk-{}", view.file()),
            false => view.file().to_string(),
        };
        self.shooting = true;
        shoot(commands, self.dir.join(file));
        Ok(())
    }

    /// Times the frames of the views that are measured (the empty scene,
    /// the lobby, the hall); whether the view's figures are complete.
    fn measured(
        &mut self,
        Step { view, tier, turn }: Step,
        frame_ms: f32,
        counts: &SceneCounts,
        figures: (&CardAtlas, (usize, usize)),
        counting: &mut CountingChoice,
    ) -> bool {
        let frames = match turn {
            Some(_) => COMPARED_FRAMES,
            None => MEASURE_FRAMES,
        };
        if !view.timed() || self.samples.len() >= frames {
            return true;
        }
        let compared = view == View::HallAisle && tier == Tier::High && turn.is_none();
        if compared {
            self.compare_counting(frame_ms, counting);
        }
        self.samples.push(frame_ms);
        if self.samples.len() < frames {
            return false;
        }
        let mut entry = counts.report(view, &self.samples, figures);
        entry["tier"] = serde_json::json!(match tier {
            Tier::High => "high",
            Tier::Low => "low",
        });
        if let (View::HallDoor, Some(took)) = (view, self.entry.1) {
            entry["entry_ms"] = serde_json::json!(took.ms.round());
        }
        if compared {
            let [on, off] = [mean(&self.counting[0]), mean(&self.counting[1])];
            entry["counting_on_ms_mean"] = serde_json::json!((on * 100.0).round() / 100.0);
            entry["counting_off_ms_mean"] = serde_json::json!((off * 100.0).round() / 100.0);
            entry["counting_cost_ratio"] = serde_json::json!((on / off * 1000.0).round() / 1000.0);
        }
        self.label_turn(&mut entry);
        info!("capture: {entry}");
        self.report.push(entry);
        true
    }
}

impl CaptureState {
    /// Files the hall view's frame time under counting on or off, and sets
    /// counting for the next frame.
    fn compare_counting(&mut self, frame_ms: f32, counting: &mut CountingChoice) {
        let frame = self.samples.len();
        if frame % COUNTING_BLOCK >= 2 {
            self.counting[usize::from(counting_off_in(frame))].push(frame_ms);
        }
        let last = frame + 1 >= MEASURE_FRAMES;
        counting.dont_count = !last && counting_off_in(frame + 1);
    }
}

#[derive(Message)]
struct ShotSaved(Result<(), String>);

impl Plugin for CapturePlugin {
    fn build(&self, app: &mut App) {
        let views = match (self.preview, &self.compare) {
            (true, _) => vec![Step {
                view: View::Booth,
                tier: Tier::High,
                turn: None,
            }],
            (false, None) => View::sequence(),
            (false, Some(_)) => [View::sequence(), View::comparison()].concat(),
        };
        app.insert_resource(CaptureState {
            views,
            catalogs: (None, self.compare.clone()),
            in_place_frames: 0,
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
            counting: [Vec::new(), Vec::new()],
            entry: (None, None),
            lobby_frames: 0,
            entries: Vec::new(),
            entry_items: 0,
        });
        app.add_message::<ShotSaved>();
        app.init_resource::<crate::kiosk::KioskHeld>();
        app.add_systems(Update, (switch_catalog, drive_capture, after_shot).chain());
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
    kiosk: Option<Res<'w, crate::expo::Kiosk>>,
    state: Option<ResMut<'w, crate::kiosk::KioskState>>,
    draft: Option<ResMut<'w, crate::expo::InquiryDraft>>,
}

impl KioskViews<'_> {
    fn prepare(&mut self, view: View, project: Option<String>, panels: &mut Panels) {
        use crate::expo::KeypadField;
        use crate::kiosk::KioskState;
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

/// What a view's set-up needs from the frame.
struct ViewScene<'a, 'w, 's> {
    commands: &'a mut Commands<'w, 's>,
    visitor_entity: Entity,
    visitor: &'a mut Visitor,
    transform: &'a mut Transform,
    plan: Option<&'a HallPlan>,
    /// The hall's chunks around the visitor are built and the cards and
    /// headers around them painted.
    painted: bool,
    selection: &'a mut Selection,
    preview: Option<&'a crate::preview::BoothPreview>,
    in_lobby: bool,
    in_hall: bool,
    travelling: bool,
    target: Option<ProjectId>,
    /// The entries view went into the hall as often as it should.
    entries_done: bool,
    /// Frames the view has been ready so far.
    ready_frames: u32,
}

impl ViewScene<'_, '_, '_> {
    /// Poses the visitor for the view; whether the view is ready for its shot.
    fn ready(&mut self, view: View) -> bool {
        match view {
            View::Empty | View::Lobby => {
                // Just inside the entrance, under the ceiling.
                *self.transform = Transform::from_xyz(32.0, 7.2, -2.0)
                    .looking_at(Vec3::new(32.0, 0.0, -40.0), Vec3::Y);
                self.in_lobby
            }
            View::LobbyEntrance => {
                *self.transform = Transform::from_xyz(32.0, EYE_HEIGHT, -1.0)
                    .looking_at(Vec3::new(32.0, 3.0, -40.0), Vec3::Y);
                self.in_lobby
            }
            View::Entries => self.entries_done && self.in_lobby,
            View::HallDoor | View::LongestAisle | View::Booths | View::HallExit => {
                self.hall_view(view)
            }
            View::HallAisle => {
                if let (true, 0, Some(plan)) = (self.in_hall, self.ready_frames, self.plan) {
                    // Stand in the aisle behind the first island, looking
                    // along it and at the booths facing it.
                    let z = (plan.layout.booths.first())
                        .map_or(10.0, |b| b.rect.min[1] + 2.0 * BOOTH_DEPTH + 2.0);
                    place(self.visitor, self.transform, [4.5, z], 1.0);
                    self.commands.entity(self.visitor_entity).remove::<Travel>();
                }
                self.in_hall && self.painted
            }
            View::Card => {
                self.selection.0 = None;
                self.in_hall && !self.travelling && self.painted
            }
            View::Detail => {
                self.selection.0 = self.target;
                self.in_hall && !self.travelling
            }
            View::Minimap => {
                if let (true, 0, Some(plan)) = (self.in_hall, self.ready_frames, self.plan) {
                    let (at, yaw) = plan.viewpoint(plan.layout.booths.len() / 2);
                    place(self.visitor, self.transform, at, yaw);
                }
                self.in_hall
            }
            View::Booth => self.booth_ready(),
        }
    }

    /// Poses the hall views that need only the hall and its cards: from the
    /// door, along the middle aisle from its west end, at the booth with
    /// the most neighbours.
    fn hall_view(&mut self, view: View) -> bool {
        let (true, Some(plan)) = (self.in_hall, self.plan) else {
            return false;
        };
        if self.ready_frames == 0 {
            self.commands.entity(self.visitor_entity).remove::<Travel>();
            let layout = &plan.layout;
            match view {
                View::HallDoor => place(self.visitor, self.transform, plan.entrance(), 0.0),
                View::HallExit => {
                    // On the runway, 14 m in or short of the first totem on it.
                    let [door, _] = layout.door;
                    let totems = crate::world::dressing::totems(layout);
                    let first = (totems.iter())
                        .filter(|totem| (totem.at[0] - door).abs() < layout.door_width)
                        .map(|totem| totem.at[1] - 3.0)
                        .fold(14.0, f32::min);
                    place(
                        self.visitor,
                        self.transform,
                        [door, first],
                        std::f32::consts::PI,
                    );
                }
                View::LongestAisle => {
                    let aisles = crate::world::dressing::aisles(layout);
                    let aisle = aisles[aisles.len() / 2];
                    let z = (aisle.z[0] + aisle.z[1]) / 2.0;
                    place(self.visitor, self.transform, [1.5, z], FRAC_PI_2);
                }
                _ => {
                    let booth = &layout.booths[densest_booth(layout)];
                    let target = world(booth.rect.center(), 1.6);
                    let [x, z] = booth.front(4.0);
                    let eye = world([x + 3.5, z], 2.4);
                    *self.transform = Transform::from_translation(eye).looking_at(target, Vec3::Y);
                }
            }
        }
        self.painted
    }

    /// Stands back in the aisle, a little above eye height, looking at the
    /// middle of the previewed booth.
    fn booth_ready(&mut self) -> bool {
        let booth = self.preview.and_then(|p| p.booth);
        let (true, Some(booth), Some(plan)) = (self.in_hall, booth, self.plan) else {
            return false;
        };
        let booth = &plan.layout.booths[booth];
        let target = crate::world::scene::world(booth.rect.center(), 1.6);
        let eye = crate::world::scene::world(booth.front(5.5), 2.8);
        *self.transform = Transform::from_translation(eye).looking_at(target, Vec3::Y);
        self.painted
    }
}

/// Hides the lobby for the empty view and sets the view's tier (only in
/// the lobby: a hall would be rebuilt for it).
fn set_the_stage(
    view: View,
    tier: Tier,
    in_lobby: bool,
    lobby: &mut Query<&mut Visibility, With<LobbyScene>>,
    quality: &mut Quality,
) {
    for mut visibility in lobby {
        visibility.set_if_neq(match view {
            View::Empty => Visibility::Hidden,
            _ => Visibility::Inherited,
        });
    }
    if in_lobby && *quality != fixed_quality(tier) {
        *quality = fixed_quality(tier);
    }
}

/// The quality setting that keeps a tier.
fn fixed_quality(tier: Tier) -> Quality {
    let setting = match tier {
        Tier::High => QualitySetting::High,
        Tier::Low => QualitySetting::Low,
    };
    Quality {
        setting,
        tier,
        auto_low_because: None,
    }
}

/// The booth with the most booths within 12 m (the first of equals).
fn densest_booth(layout: &yunzhan_model::layout::HallLayout) -> usize {
    let centres: Vec<Vec2> = (layout.booths.iter())
        .map(|booth| Vec2::from(booth.rect.center()))
        .collect();
    let neighbours = |at: Vec2| centres.iter().filter(|c| c.distance(at) < 12.0).count();
    (0..centres.len())
        .max_by_key(|&index| (neighbours(centres[index]), std::cmp::Reverse(index)))
        .unwrap_or(0)
}

/// The hall the views show: `--hall`, else the `--project`'s, else the
/// previewed booth's, else Chengdu.
fn chosen_hall(
    state: &CaptureState,
    catalog: &ExpoCatalog,
    preview: Option<&crate::preview::BoothPreview>,
) -> HallIndex {
    let project = (state.project.as_ref())
        .and_then(|no| catalog.find(no))
        .map(|id| catalog.project(id).hall);
    (state.hall.or(project))
        .or(preview.and_then(|p| p.hall()))
        .unwrap_or(HallIndex::from_id("chengdu").expect("chengdu"))
}

/// Writes `frames.json` once every view is done.
fn write_frame_report(state: &mut CaptureState) {
    let path = state.dir.join("frames.json");
    let report = serde_json::Value::Array(std::mem::take(&mut state.report));
    if let Err(error) = std::fs::write(&path, format!("{report:#}\n")) {
        error!("cannot write {}: {error}", path.display());
    }
}

/// Starts a view: the scene it needs and the kiosk's panels for it.
fn start_view(
    view: View,
    in_lobby: bool,
    hall: HallIndex,
    target: Option<(ProjectId, String)>,
    out: &mut Requests,
    kiosk: &mut KioskViews,
    panels: &mut Panels,
) {
    match (view, &target) {
        (View::Empty | View::Lobby | View::LobbyEntrance, _) if !in_lobby => {
            out.go.write(Go::Lobby);
        }
        (View::HallDoor, _) => {
            out.go.write(Go::Hall(hall));
        }
        (View::Card | View::Detail, Some((project, _))) => {
            out.focus.write(FocusProject(*project));
        }
        _ => {}
    }
    if kiosk.kiosk.is_some() {
        kiosk.prepare(view, target.map(|(_, no)| no), panels);
    }
}

/// Software rendering is slow: the visitor arrives at once instead of
/// flying there (the flight itself is covered by the headless tests).
/// Whether they were on their way.
fn arrive_at_once(
    commands: &mut Commands,
    entity: Entity,
    visitor: &mut Visitor,
    transform: &mut Transform,
    travel: Option<&Travel>,
) -> bool {
    let Some(travel) = travel.cloned() else {
        return false;
    };
    place(visitor, transform, travel.to, travel.yaw);
    visitor.pitch = travel.pitch;
    transform.rotation = crate::world::visitor::orientation(visitor);
    commands.entity(entity).remove::<Travel>();
    true
}

/// Saves a screenshot of the window to `path`, then reports [`ShotSaved`].
fn shoot(commands: &mut Commands, path: PathBuf) {
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

/// Takes the views one after the other: sets each up, waits until it is
/// ready and settled, measures frame times where it should, and shoots.
fn drive_capture(
    mut commands: Commands,
    mut state: ResMut<CaptureState>,
    catalog: Res<ExpoCatalog>,
    screen: Res<State<Screen>>,
    plan: Option<Res<HallPlan>>,
    hall_state: HallState,
    mut selection: ResMut<Selection>,
    mut panels: ResMut<Panels>,
    mut visitors: Query<(Entity, &mut Visitor, &mut Transform, Option<&Travel>), Without<Card>>,
    mut lobby: Query<&mut Visibility, With<LobbyScene>>,
    counts: SceneCounts,
    (time, preview, mut counting, mut quality): (
        Res<Time<Real>>,
        Option<Res<crate::preview::BoothPreview>>,
        ResMut<CountingChoice>,
        ResMut<Quality>,
    ),
    mut out: Requests,
    mut kiosk: KioskViews,
) {
    if state.shooting {
        return;
    }
    let Some(step) = state.step() else {
        write_frame_report(&mut state);
        out.exit.write(AppExit::Success);
        return;
    };
    let Step { view, tier, .. } = step;
    let in_lobby = *screen.get() == Screen::Lobby;
    set_the_stage(view, tier, in_lobby, &mut lobby, &mut quality);
    let hall = chosen_hall(&state, &catalog, preview.as_deref());
    let target = chosen_project(&state, &catalog, hall);
    let Ok((entity, mut visitor, mut transform, travel)) = visitors.single_mut() else {
        return;
    };
    let travelling = arrive_at_once(&mut commands, entity, &mut visitor, &mut transform, travel);
    panels.hint = false;
    let on_show = (&catalog.0, &*quality, *screen.get());
    if !state.next_frame(step, on_show, &mut out) {
        return;
    }
    if !state.started {
        state.start(view == View::HallDoor, time.elapsed_secs());
        let target = target.map(|id| (id, catalog.project(id).platform_no.clone()));
        start_view(
            view,
            in_lobby,
            hall,
            target,
            &mut out,
            &mut kiosk,
            &mut panels,
        );
    }
    let in_hall = *screen.get() == Screen::Hall && plan.as_ref().is_some_and(|p| p.hall == hall);
    state.time_entry(
        view,
        (in_lobby, in_hall),
        (time.elapsed_secs(), hall_state.loading.total),
        hall,
        &mut out.go,
    );
    let ready = ViewScene {
        commands: &mut commands,
        visitor_entity: entity,
        visitor: &mut visitor,
        transform: &mut transform,
        plan: plan.as_deref(),
        painted: hall_state.painted(),
        selection: &mut selection,
        preview: preview.as_deref(),
        in_lobby,
        in_hall,
        travelling,
        target,
        entries_done: state.entries.len() == state.entry_runs(),
        ready_frames: state.ready_frames,
    }
    .ready(view);
    if ready {
        state.ready_frames += 1;
    }
    if state.ready_frames < SETTLE_FRAMES {
        return;
    }
    let frame_ms = time.delta_secs() * 1000.0;
    let figures = (&*hall_state.cards, hall_state.chunks_built());
    if !state.measured(step, frame_ms, &counts, figures, &mut counting) {
        return;
    }
    if !view.pictured() || tier == Tier::Low || step.turn.is_some() {
        state.next_view();
    } else if let Err(error) = state.shoot(&mut commands, view, kiosk.kiosk.is_some()) {
        error!("{error}");
        out.exit.write(AppExit::error());
    }
}

/// Keeps the catalog shown at the start; before a turn of the comparison,
/// in the lobby, puts the turn's catalog on show (the lobby is rebuilt
/// from it).
fn switch_catalog(
    mut commands: Commands,
    mut state: ResMut<CaptureState>,
    screen: Res<State<Screen>>,
    mut show: ShowCatalog,
) {
    let shown = show.on_show().clone();
    state.catalogs.0.get_or_insert(shown);
    let Some(wanted) = state.step().and_then(|step| state.catalog_of(step)) else {
        return;
    };
    if !state.started && *screen.get() == Screen::Lobby && !Arc::ptr_eq(wanted, show.on_show()) {
        show.show(&mut commands, wanted.clone());
    }
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
        state.next_view();
    }
}

/// What the capture asks of the app.
#[derive(bevy::ecs::system::SystemParam)]
struct Requests<'w> {
    go: MessageWriter<'w, Go>,
    focus: MessageWriter<'w, FocusProject>,
    exit: MessageWriter<'w, AppExit>,
}

/// How far the hall around the visitor is built and painted.
#[derive(bevy::ecs::system::SystemParam)]
struct HallState<'w> {
    cards: Res<'w, CardAtlas>,
    headers: Res<'w, HeaderAtlas>,
    chunks: Option<Res<'w, HallChunks>>,
    loading: Res<'w, LoadingProgress>,
}

impl HallState<'_> {
    /// The chunks around the visitor are built, and the cards and headers
    /// around them painted.
    fn painted(&self) -> bool {
        let complete = |(done, wanted): (usize, usize)| done == wanted;
        self.chunks.as_ref().is_some_and(|chunks| chunks.settled())
            && self.cards.resident() > 0
            && complete(self.cards.progress())
            && complete(self.headers.progress())
    }

    /// The hall's chunks built now, and all its chunks.
    fn chunks_built(&self) -> (usize, usize) {
        (self.chunks.as_ref()).map_or((0, 0), |chunks| (chunks.built(), chunks.total()))
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
    /// The row of a view: frame times, what is drawn, the card textures
    /// and the hall's chunks built.
    fn report(
        &self,
        view: View,
        samples: &[f32],
        (atlas, (chunks_built, chunks)): (&CardAtlas, (usize, usize)),
    ) -> serde_json::Value {
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
            "hall_chunks_built": chunks_built,
            "hall_chunks": chunks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comparison_shows_both_catalogs_in_every_round_in_alternating_order() {
        let steps = View::comparison();
        let turns = |view: View, tier: Tier, round: usize| -> Vec<Turn> {
            let mut turns: Vec<Turn> = (steps.iter())
                .filter(|step| step.view == view && step.tier == tier)
                .filter_map(|step| step.turn)
                .filter(|turn| turn.round == round)
                .collect();
            turns.dedup();
            turns
        };
        let in_order = |round: usize| {
            [round % 2 == 1, round % 2 != 1].map(|compared| Turn { round, compared })
        };
        for round in 0..COMPARISON_ROUNDS {
            for tier in [Tier::High, Tier::Low] {
                for view in [View::Empty, View::Lobby, View::HallDoor, View::Booths] {
                    assert_eq!(turns(view, tier, round), in_order(round), "{view:?}");
                }
                let views = |compared: bool| {
                    (steps.iter())
                        .filter(|step| {
                            step.tier == tier && step.turn == Some(Turn { round, compared })
                        })
                        .map(|step| step.view)
                        .collect::<Vec<_>>()
                };
                assert_eq!(views(false), views(true), "round {round}, {tier:?}");
                assert_eq!(views(false)[..2], [View::Empty, View::Lobby]);
            }
        }
        for round in 0..ENTRY_ROUNDS {
            assert_eq!(turns(View::Entries, Tier::High, round), in_order(round));
        }
        // A turn's steps follow each other: one catalog switch per turn.
        let switches = (steps.windows(2))
            .filter(|pair| pair[0].turn != pair[1].turn)
            .count();
        assert_eq!(switches + 1, COMPARISON_ROUNDS * 2 * 2 + ENTRY_ROUNDS * 2);
    }

    #[test]
    fn the_entries_row_has_each_entrys_time_frames_and_cpu_time_and_their_medians() {
        let entry = |ms, frames, cpu_ms| EntryTime {
            ms,
            frames,
            cpu_ms: Some(cpu_ms),
        };
        let entries = [
            entry(900.4, 5, 1510.0),
            entry(812.0, 4, 1490.0),
            entry(1200.0, 7, 1620.0),
        ];
        let row = entries_row(&entries, 216);
        let runs = serde_json::json!([900.0, 812.0, 1200.0]);
        assert_eq!(row["entry_ms_runs"], runs);
        assert_eq!(row["entry_ms_median"], 900.0);
        assert_eq!(row["entry_ms_min"], 812.0);
        assert_eq!(row["entry_frames_runs"], serde_json::json!([5, 4, 7]));
        assert_eq!(row["entry_frames_median"], 5);
        assert_eq!(row["entry_cpu_ms_median"], 1510.0);
        assert_eq!(row["entry_items"], 216);
        // Where the CPU time cannot be read, the row has none.
        let no_cpu = entries.map(|entry| EntryTime {
            cpu_ms: None,
            ..entry
        });
        assert!(
            entries_row(&no_cpu, 216)
                .get("entry_cpu_ms_median")
                .is_none()
        );
    }

    #[test]
    fn the_process_cpu_time_grows_with_work_and_no_faster_than_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f32;
        let before = process_cpu_ms().expect("/proc/self/stat on Linux");
        let start = std::time::Instant::now();
        let mut spin = 0u64;
        while process_cpu_ms().unwrap() - before < 100.0 {
            assert!(start.elapsed().as_secs() < 30, "the CPU time does not grow");
            for _ in 0..100_000 {
                spin = std::hint::black_box(spin.wrapping_add(1));
            }
        }
        // 100 ms of CPU (less one 10 ms tick) cannot take less wall time
        // than that spread over every core.
        let wall_ms = start.elapsed().as_secs_f32() * 1000.0;
        assert!(wall_ms >= 90.0 / cores, "100 ms of CPU in {wall_ms} ms");
    }
}
