//! Exhibitor booth preview: `yunzhan --preview DIR` natively (the folder is
//! watched and the preview reloads when a file in it changes), `?preview=URL`
//! of a `booth.json` or the booth's files dropped on the page in a browser. The booth is checked
//! (`yunzhan_model::booth`), put into its hall in the catalog on show, and
//! drawn there as visitors will see it: the exhibitor's own model when it
//! passed every check, else the standard booth; a panel lists every problem.

use std::sync::{Arc, Mutex, PoisonError};

use bevy::prelude::*;
use yunzhan_model::booth::{BoothReport, check_booth, check_booth_files, preview_catalog};
use yunzhan_model::{Catalog, HallIndex};

use crate::deeplink::go_to_booth;
use crate::world::booth::{BoothLook, CustomBooth, logo_canvas};
use crate::world::hall::HallPlan;
use crate::world::navigation::Go;
use crate::world::rebuild::ShowCatalog;

/// Where the booth's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BoothSource {
    /// A folder on this machine, watched for changes (only given natively:
    /// a page has no folders).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    Folder(std::path::PathBuf),
    /// The address of a `booth.json`; its files are fetched beside it.
    Address(String),
}

pub(crate) struct PreviewPlugin {
    /// Where the booth is; none when a booth may still be dropped on the web page.
    pub(crate) source: Option<BoothSource>,
    /// Show the preview panel (needs the egui UI).
    pub(crate) panel: bool,
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
pub(crate) struct Inbox(Arc<Mutex<Option<Arrival>>>);

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
pub(crate) struct BoothPreview {
    /// The folder or address, as shown to the exhibitor.
    pub(crate) source: String,
    pub(crate) report: BoothReport,
    /// The exhibitor's first booth in its hall (0-based), when shown.
    pub(crate) booth: Option<usize>,
    /// How many times the booth was loaded (1 at the first load).
    pub(crate) loads: u32,
    /// The catalog the booth was put into, and the one on show with it.
    base: Arc<Catalog>,
    shown: Option<Arc<Catalog>>,
    arrival: Arrival,
}

impl BoothPreview {
    pub(crate) fn hall(&self) -> Option<HallIndex> {
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
        match &self.source {
            None => {}
            // (In a browser there is no folder to read: the check says so.)
            Some(BoothSource::Folder(dir)) => {
                #[cfg(not(target_arch = "wasm32"))]
                app.insert_resource(folder::Watched::start(dir.clone(), &inbox));
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
        #[cfg(not(target_arch = "wasm32"))]
        {
            app.add_message::<bevy::window::FileDragAndDrop>();
            app.add_systems(
                Update,
                (
                    folder::receive_dropped,
                    folder::reload_when_quiet.run_if(resource_exists::<folder::Watched>),
                )
                    .before(receive_booth),
            );
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
    lang: Res<crate::expo::Lang>,
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
            report_lines(ui, report, lang);
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
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::{Duration, Instant};

    use bevy::prelude::*;
    use bevy::window::FileDragAndDrop;
    use notify::{RecursiveMode, Watcher};
    use yunzhan_model::booth::FileMap;

    use super::{Arrival, Inbox};

    /// A dropped folder is previewed and watched like `--preview DIR`;
    /// dropped files are previewed by their names, a later drop replacing
    /// the files it brings.
    pub(crate) fn receive_dropped(
        mut commands: Commands,
        mut drops: MessageReader<FileDragAndDrop>,
        inbox: Res<Inbox>,
    ) {
        let mut files = FileMap::new();
        for drop in drops.read() {
            let FileDragAndDrop::DroppedFile { path_buf, .. } = drop else {
                continue;
            };
            if path_buf.is_dir() {
                commands.insert_resource(Watched::start(path_buf.clone(), &inbox));
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

    /// How long a folder must stay quiet after a change before it is read
    /// again: saving a file makes several changes in a row.
    const QUIET: Duration = Duration::from_millis(150);

    /// The booth folder being previewed: read now, and again once the
    /// system has reported changes in it (hidden files, such as an editor's
    /// temporary ones, aside) and it has been quiet for [`QUIET`].
    /// Dropping the resource stops the watch.
    #[derive(Resource)]
    pub(crate) struct Watched {
        dir: PathBuf,
        changed_at: Arc<Mutex<Option<Instant>>>,
        _watcher: Option<Mutex<notify::RecommendedWatcher>>,
    }

    impl Watched {
        pub(crate) fn start(dir: PathBuf, inbox: &Inbox) -> Self {
            inbox.post(Arrival::Folder(dir.clone()));
            let changed_at = Arc::new(Mutex::new(None));
            let changes = changed_at.clone();
            let watcher =
                notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                    let Ok(event) = event else { return };
                    if event.kind.is_access() || event.paths.iter().all(|path| hidden(path)) {
                        return;
                    }
                    *changes.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
                })
                .and_then(|mut watcher| {
                    watcher.watch(&dir, RecursiveMode::Recursive)?;
                    Ok(watcher)
                });
            let watcher = watcher
                .inspect_err(|error| warn!("cannot watch {} for changes: {error}", dir.display()))
                .ok();
            Watched {
                dir,
                changed_at,
                _watcher: watcher.map(Mutex::new),
            }
        }
    }

    /// Reads the folder again once it has been quiet after a change.
    pub(crate) fn reload_when_quiet(watched: Res<Watched>, inbox: Res<Inbox>) {
        let mut changed_at = (watched.changed_at.lock()).unwrap_or_else(PoisonError::into_inner);
        if changed_at.is_some_and(|at| at.elapsed() >= QUIET) {
            *changed_at = None;
            info!("booth preview: a file changed in {}", watched.dir.display());
            inbox.post(Arrival::Folder(watched.dir.clone()));
        }
    }

    fn hidden(path: &Path) -> bool {
        path.file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'))
    }
}

/// The booth's files fetched from the address of its `booth.json` (on the
/// web by the page's fetch; natively with the platform's HTTP client).
mod download {
    use yunzhan_model::booth::{BOOTH_FILE, FileMap, model_references, spec_references};

    use super::{Arrival, Inbox};

    pub(crate) fn start(url: String, inbox: Inbox) {
        crate::expo::tasks::spawn_task("booth download", move || async move {
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
        let mut files = FileMap::new();
        let spec = yunzhan_client::fetch_bytes(url).await;
        let names = spec.as_deref().map(spec_references).unwrap_or_default();
        files.insert(BOOTH_FILE.to_string(), spec);
        for name in names {
            let bytes = fetch_beside(url, &name).await;
            let more = match (&bytes, name.ends_with(".gltf")) {
                (Ok(model), true) => model_references(model),
                _ => Vec::new(),
            };
            files.insert(name, bytes);
            for name in more {
                let bytes = fetch_beside(url, &name).await;
                files.insert(name, bytes);
            }
        }
        files
    }

    /// The file of this name next to `booth.json` (the name resolved as a
    /// relative address, so spaces and Chinese names are encoded).
    async fn fetch_beside(booth_json: &str, name: &str) -> Result<Vec<u8>, String> {
        let address = url::Url::parse(booth_json)
            .and_then(|base| base.join(name))
            .map_err(|error| format!("no address for {name:?} beside {booth_json}: {error}"))?;
        yunzhan_client::fetch_bytes(address.as_str()).await
    }
}

/// What the check found: the model's state and every problem with its fix.
fn report_lines(ui: &mut bevy_egui::egui::Ui, report: &BoothReport, lang: crate::expo::Lang) {
    use bevy_egui::egui;
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
}
