//! Exhibitor booth preview: `yunzhan --preview DIR` natively (the folder is
//! watched and the preview reloads when a file in it changes), `?preview=URL`
//! of a `booth.json` or the booth's files dropped on the page in a browser. The booth is checked
//! (`yunzhan_model::booth`), put into its hall in the catalog on show, and
//! drawn there as visitors will see it: the exhibitor's own model when it
//! passed every check, else the standard booth; a panel lists every problem.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bevy::prelude::*;
use yunzhan_model::booth::{BoothReport, check_booth, check_booth_files, preview_catalog};
use yunzhan_model::{Catalog, HallIndex};

use crate::booth::{BoothLook, CustomBooth, logo_canvas};
use crate::deeplink::go_to_booth;
use crate::hall::HallPlan;
use crate::navigation::Go;
use crate::platform::ShowCatalog;

/// Where the booth's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoothSource {
    /// A folder on this machine, watched for changes.
    Folder(std::path::PathBuf),
    /// The address of a `booth.json`; its files are fetched beside it.
    Address(String),
}

pub struct PreviewPlugin {
    /// Where the booth is; none when a booth may still be dropped on the web page.
    pub source: Option<BoothSource>,
    /// How often the folder is looked at for changes.
    pub poll_every: Duration,
    /// Show the preview panel (needs the egui UI).
    pub panel: bool,
}

/// A booth's files as they arrived, for the next check.
pub(crate) enum Arrival {
    Folder(std::path::PathBuf),
    /// Downloaded from the address of a `booth.json`.
    Downloaded {
        address: String,
        files: yunzhan_model::booth::FileMap,
    },
    /// Dropped on the window or web page; a later drop replaces the files
    /// it brings and keeps the others.
    Dropped(yunzhan_model::booth::FileMap),
}

impl Arrival {
    fn check(&self, catalog: &Catalog) -> BoothReport {
        match self {
            Arrival::Folder(dir) => check_booth(dir, catalog),
            Arrival::Downloaded { files, .. } | Arrival::Dropped(files) => {
                check_booth_files(files, catalog)
            }
        }
    }
}

/// Booth files waiting to be checked: written by the folder watch, a
/// download or a drop on the web page, read by [`receive_booth`].
#[derive(Resource, Clone, Default)]
pub struct Inbox(Arc<Mutex<Option<Arrival>>>);

impl Inbox {
    pub(crate) fn post(&self, arrival: Arrival) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(arrival);
    }

    fn take(&self) -> Option<Arrival> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The booth being previewed.
#[derive(Resource)]
pub struct BoothPreview {
    /// The folder or address, as shown to the exhibitor.
    pub source: String,
    pub report: BoothReport,
    /// The exhibitor's first booth in its hall (0-based), when shown.
    pub booth: Option<usize>,
    /// How many times the booth was loaded (1 at the first load).
    pub loads: u32,
    /// The catalog the booth was put into, and the one on show with it.
    base: Arc<Catalog>,
    shown: Option<Arc<Catalog>>,
    arrival: Arrival,
}

impl BoothPreview {
    pub fn hall(&self) -> Option<HallIndex> {
        self.report.hall
    }
}

/// A booth was asked for at start: the panel says it is loading until it is there.
#[derive(Resource)]
struct Requested;

impl Plugin for PreviewPlugin {
    fn build(&self, app: &mut App) {
        let inbox = Inbox::default();
        app.insert_resource(inbox.clone());
        app.add_systems(Update, (receive_booth, follow_base_catalog));
        #[cfg(not(target_arch = "wasm32"))]
        app.add_systems(
            Update,
            folder::watch
                .run_if(resource_exists::<folder::Watched>)
                .before(receive_booth),
        );
        match &self.source {
            None => {}
            // (In a browser there is no folder to read: the check says so.)
            Some(BoothSource::Folder(dir)) => {
                #[cfg(not(target_arch = "wasm32"))]
                app.insert_resource(folder::Watched::new(dir.clone(), self.poll_every));
                #[cfg(target_arch = "wasm32")]
                inbox.post(Arrival::Folder(dir.clone()));
            }
            Some(BoothSource::Address(url)) => download::start(url.clone(), inbox.clone()),
        }
        if self.source.is_some() {
            app.insert_resource(Requested);
        }
        if self.panel {
            app.add_systems(bevy_egui::EguiPrimaryContextPass, panel);
        }
        #[cfg(target_arch = "wasm32")]
        crate::web::listen_for_dropped_files(inbox);
        #[cfg(not(target_arch = "wasm32"))]
        {
            app.add_message::<bevy::window::FileDragAndDrop>();
            app.insert_resource(folder::PollEvery(self.poll_every));
            app.add_systems(Update, folder::receive_dropped.before(receive_booth));
        }
    }
}

/// Checks arrived files, puts the booth into the catalog on show and walks
/// to it (first load) or rebuilds the hall around the visitor (a reload).
fn receive_booth(
    mut commands: Commands,
    inbox: Res<Inbox>,
    preview: Option<ResMut<BoothPreview>>,
    mut show: ShowCatalog,
    assets: BoothAssets,
) {
    let Some(mut arrival) = inbox.take() else {
        return;
    };
    let (base, loads) = match &preview {
        Some(preview) => (preview.base.clone(), preview.loads),
        None => (show.on_show().clone(), 0),
    };
    if let (Arrival::Dropped(new), Some(preview)) = (&mut arrival, &preview)
        && let Arrival::Dropped(earlier) = &preview.arrival
    {
        for (name, file) in earlier {
            new.entry(name.clone()).or_insert_with(|| file.clone());
        }
    }
    let source = match &arrival {
        Arrival::Folder(dir) => dir.display().to_string(),
        Arrival::Downloaded { address, .. } => address.clone(),
        Arrival::Dropped(files) => files.keys().cloned().collect::<Vec<_>>().join(", "),
    };
    let report = arrival.check(&base);
    info!(
        "booth preview: {} ({} problem(s))",
        source,
        report.problems.len()
    );
    let mut preview = BoothPreview {
        source,
        report,
        booth: None,
        loads: loads + 1,
        base,
        shown: None,
        arrival,
    };
    put_on_show(&mut commands, &mut preview, &mut show, assets);
    if let (1, Some(hall), Some(booth)) = (preview.loads, preview.hall(), preview.booth) {
        go_to_booth(&mut commands, show.go(), hall, booth);
    }
    commands.insert_resource(preview);
}

#[derive(bevy::ecs::system::SystemParam)]
struct BoothAssets<'w> {
    meshes: ResMut<'w, Assets<Mesh>>,
    materials: ResMut<'w, Assets<StandardMaterial>>,
    images: ResMut<'w, Assets<Image>>,
}

/// Builds the preview catalog from the preview's base and shows it, with
/// the exhibitor's look.
fn put_on_show(
    commands: &mut Commands,
    preview: &mut BoothPreview,
    show: &mut ShowCatalog,
    mut assets: BoothAssets,
) {
    let Some(loaded) = preview_catalog(&preview.base, &preview.report) else {
        commands.remove_resource::<CustomBooth>();
        return;
    };
    for rejected in &loaded.rejected {
        preview
            .report
            .problems
            .push(format!("booth.json: projects: {rejected}"));
    }
    let catalog = Arc::new(loaded.catalog);
    let hall = preview.hall().expect("a preview catalog has a hall");
    let name = preview
        .report
        .spec
        .as_ref()
        .map(|spec| spec.exhibitor.trim());
    let exhibitor = catalog
        .hall_exhibitors(hall)
        .iter()
        .copied()
        .find(|&id| Some(catalog.exhibitor(id).name.as_str()) == name);
    if let Some(exhibitor) = exhibitor {
        let plan = HallPlan::new(&catalog, hall);
        preview.booth = plan
            .layout
            .booths
            .iter()
            .position(|booth| plan.exhibitor(booth) == exhibitor);
        let look = preview.report.geometry.as_ref().map(|model| {
            BoothLook::new(
                model,
                &mut assets.meshes,
                &mut assets.materials,
                &mut assets.images,
            )
        });
        let logo = preview.report.logo.as_deref().and_then(|bytes| {
            logo_canvas(bytes)
                .inspect_err(|why| warn!("booth logo: {why}"))
                .ok()
        });
        commands.insert_resource(CustomBooth {
            hall,
            exhibitor,
            look,
            logo,
        });
    } else {
        commands.remove_resource::<CustomBooth>();
    }
    preview.shown = Some(catalog.clone());
    show.show(commands, catalog);
}

/// When the platform puts a new catalog on show (from the API), the booth
/// goes into that one.
fn follow_base_catalog(
    mut commands: Commands,
    preview: Option<ResMut<BoothPreview>>,
    mut show: ShowCatalog,
    assets: BoothAssets,
) {
    let Some(mut preview) = preview else { return };
    let on_show = show.on_show().clone();
    let ours = preview
        .shown
        .as_ref()
        .is_some_and(|shown| Arc::ptr_eq(shown, &on_show));
    if ours || Arc::ptr_eq(&preview.base, &on_show) {
        return;
    }
    preview.base = on_show;
    let report = preview.arrival.check(&preview.base);
    preview.report = report;
    put_on_show(&mut commands, &mut preview, &mut show, assets);
}

fn panel(
    mut contexts: bevy_egui::EguiContexts,
    preview: Option<Res<BoothPreview>>,
    lang: Res<crate::ui::Lang>,
    requested: Option<Res<Requested>>,
    mut commands: Commands,
    mut go: MessageWriter<Go>,
) -> Result {
    let requested = requested.is_some();
    use bevy_egui::egui;
    let ctx = contexts.ctx_mut()?;
    let lang = *lang;
    let Some(preview) = preview else {
        if !requested {
            return Ok(());
        }
        egui::Window::new(lang.pick("展位预览", "Booth preview"))
            .anchor(egui::Align2::RIGHT_BOTTOM, [-8.0, -8.0])
            .show(ctx, |ui| {
                ui.label(lang.pick("正在载入展位文件……", "Loading the booth's files…"))
            });
        return Ok(());
    };
    let report = &preview.report;
    egui::Window::new(lang.pick("展位预览", "Booth preview"))
        .anchor(egui::Align2::RIGHT_BOTTOM, [-8.0, -8.0])
        .default_width(420.0)
        .collapsible(true)
        .show(ctx, |ui| {
            ui.label(egui::RichText::new(&preview.source).small().weak());
            if let Some(spec) = &report.spec {
                let hall = preview.hall().map_or(spec.hall.as_str(), |hall| {
                    lang.pick(hall.hall().name_zh, hall.hall().name_en)
                });
                let booth = preview.booth.map_or(String::new(), |b| {
                    lang.pick(
                        format!(" · {} 号展位", b + 1),
                        format!(" · booth {}", b + 1),
                    )
                });
                ui.heading(format!("{} — {hall}{booth}", spec.exhibitor));
                ui.label(lang.pick(
                    format!("{} 个项目", report.projects.len()),
                    format!("{} projects", report.projects.len()),
                ));
            }
            let model_given = report.spec.as_ref().is_some_and(|s| s.model.is_some());
            let model = match &report.geometry {
                Some(geometry) => lang.pick(
                    format!("展商自有模型：{} 个三角形", geometry.triangles()),
                    format!("The exhibitor's model: {} triangles", geometry.triangles()),
                ),
                None if model_given => lang.pick(
                    "模型未通过检查：显示标准展位".to_string(),
                    "The model did not pass: the standard booth is shown".to_string(),
                ),
                None => lang.pick(
                    "未提供模型：标准展位".to_string(),
                    "No model given: the standard booth".to_string(),
                ),
            };
            ui.label(model);
            ui.separator();
            if report.problems.is_empty() {
                ui.colored_label(
                    egui::Color32::from_rgb(20, 130, 60),
                    lang.pick("● 没有问题，可以发布", "● No problems: ready to publish"),
                );
            } else {
                ui.colored_label(
                    egui::Color32::from_rgb(190, 30, 30),
                    lang.pick(
                        format!("{} 个问题需要修改：", report.problems.len()),
                        format!("{} problem(s) to fix:", report.problems.len()),
                    ),
                );
                egui::ScrollArea::vertical()
                    .max_height(180.0)
                    .show(ui, |ui| {
                        for problem in &report.problems {
                            ui.label(format!("• {problem}"));
                        }
                    });
            }
            ui.separator();
            ui.label(match preview.arrival {
                Arrival::Folder(_) => lang.pick(
                    format!(
                        "文件夹中的文件改动后自动重新载入（已载入 {} 次）",
                        preview.loads
                    ),
                    format!(
                        "Reloads when a file in the folder changes (loaded {} times)",
                        preview.loads
                    ),
                ),
                Arrival::Downloaded { .. } => lang.pick(
                    "重新载入页面即可再次载入展位文件".to_string(),
                    "Reload the page to load the booth's files again".to_string(),
                ),
                Arrival::Dropped(_) => lang.pick(
                    "把改过的文件拖进来即可重新载入".to_string(),
                    "Drop changed files here to reload them".to_string(),
                ),
            });
            if let (Some(hall), Some(booth)) = (preview.hall(), preview.booth)
                && ui
                    .button(lang.pick("前往展位", "Go to the booth"))
                    .clicked()
            {
                go_to_booth(&mut commands, &mut go, hall, booth);
            }
        });
    Ok(())
}

/// Natively: the folder, looked at every `poll_every` for changed files;
/// a folder or files dropped on the window.
#[cfg(not(target_arch = "wasm32"))]
mod folder {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, SystemTime};

    use bevy::prelude::*;
    use bevy::window::FileDragAndDrop;
    use yunzhan_model::booth::FileMap;

    use super::{Arrival, Inbox};

    #[derive(Resource)]
    pub struct PollEvery(pub Duration);

    /// A dropped folder is previewed and watched like `--preview DIR`;
    /// dropped files are previewed by their names, a later drop replacing
    /// the files it brings.
    pub fn receive_dropped(
        mut commands: Commands,
        mut drops: MessageReader<FileDragAndDrop>,
        every: Res<PollEvery>,
        inbox: Res<Inbox>,
    ) {
        let mut files = FileMap::new();
        for drop in drops.read() {
            let FileDragAndDrop::DroppedFile { path_buf, .. } = drop else {
                continue;
            };
            if path_buf.is_dir() {
                commands.insert_resource(Watched::new(path_buf.clone(), every.0));
                continue;
            }
            let name = path_buf
                .file_name()
                .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
            files.insert(
                name,
                std::fs::read(path_buf).map_err(|error| error.to_string()),
            );
        }
        if !files.is_empty() {
            commands.remove_resource::<Watched>();
            inbox.post(Arrival::Dropped(files));
        }
    }

    /// Each file's name, size and modification time.
    type Stamp = Vec<(PathBuf, u64, Option<SystemTime>)>;

    #[derive(Resource)]
    pub struct Watched {
        dir: PathBuf,
        stamp: Option<Stamp>,
        timer: Timer,
    }

    impl Watched {
        pub fn new(dir: PathBuf, every: Duration) -> Self {
            Watched {
                dir,
                stamp: None,
                timer: Timer::new(every, TimerMode::Repeating),
            }
        }
    }

    /// Files of the folder and its subfolders (hidden ones skipped), at most
    /// a few levels and a few hundred entries deep.
    fn stamp(dir: &Path) -> Stamp {
        let mut out = Vec::new();
        let mut pending = vec![(dir.to_path_buf(), 0)];
        while let Some((dir, depth)) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten().take(500) {
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() && depth < 3 {
                    pending.push((entry.path(), depth + 1));
                } else if meta.is_file() {
                    out.push((entry.path(), meta.len(), meta.modified().ok()));
                }
            }
        }
        out.sort();
        out
    }

    pub fn watch(mut watched: ResMut<Watched>, time: Res<Time<Real>>, inbox: Res<Inbox>) {
        let due =
            watched.timer.tick(time.delta()).just_finished() || watched.timer.duration().is_zero();
        if watched.stamp.is_some() && !due {
            return;
        }
        let stamp = stamp(&watched.dir);
        if watched.stamp.as_ref() == Some(&stamp) {
            return;
        }
        if watched.stamp.is_some() {
            info!("booth preview: a file changed in {}", watched.dir.display());
        }
        watched.stamp = Some(stamp);
        inbox.post(Arrival::Folder(watched.dir.clone()));
    }
}

/// The booth's files fetched from the address of its `booth.json` (on the
/// web by the page's fetch; natively with the platform's HTTP client).
mod download {
    use yunzhan_model::booth::{BOOTH_FILE, FileMap, model_references, spec_references};

    use super::{Arrival, Inbox};

    pub fn start(url: String, inbox: Inbox) {
        crate::platform::spawn_task("booth download", move || async move {
            let files = fetch_booth(&url).await;
            inbox.post(Arrival::Downloaded {
                address: url,
                files,
            });
        });
    }

    /// `booth.json`, then the files it names, then a `.gltf`'s own files,
    /// each by its name relative to the `booth.json`.
    async fn fetch_booth(url: &str) -> FileMap {
        let base = url
            .rsplit_once('/')
            .map_or(String::new(), |(base, _)| format!("{base}/"));
        let mut files = FileMap::new();
        let spec = yunzhan_client::fetch_bytes(url).await;
        let names = spec.as_deref().map(spec_references).unwrap_or_default();
        files.insert(BOOTH_FILE.to_string(), spec);
        for name in names {
            let bytes = yunzhan_client::fetch_bytes(&format!("{base}{name}")).await;
            let more = match (&bytes, name.ends_with(".gltf")) {
                (Ok(model), true) => model_references(model),
                _ => Vec::new(),
            };
            files.insert(name, bytes);
            for name in more {
                let bytes = yunzhan_client::fetch_bytes(&format!("{base}{name}")).await;
                files.insert(name, bytes);
            }
        }
        files
    }
}
