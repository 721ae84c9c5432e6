//! Exhibitor booth folders (docs/booth-format.md): a `booth.json` naming
//! the exhibitor, its hall, logo and projects, and optionally a glTF/GLB
//! booth model, checked against explicit budgets. Every problem is listed
//! with what to fix; nothing here panics on a broken file. A model that
//! passes is also read into plain geometry ([`BoothModel`]) for the app to
//! draw, and [`preview_catalog`] puts the booth into its hall.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

use serde::Deserialize;

use crate::{Catalog, HallIndex, LoadReport, Project};

mod container;
mod geometry;
mod resources;
mod structure;
pub use geometry::{BoothModel, ModelMaterial, ModelMesh};

/// The booth description's file name inside a booth folder.
pub const BOOTH_FILE: &str = "booth.json";
/// Largest model accepted: the visitor's download, so a `.gltf` together
/// with the buffer and image files it names.
pub const MAX_MODEL_BYTES: u64 = 10 * 1024 * 1024;
/// Most triangles a booth model may have (a mesh counts once for every node
/// that shows it).
pub const MAX_TRIANGLES: usize = 10_000;
/// Most vertices a booth model may have: three for every triangle.
pub const MAX_VERTICES: usize = 3 * MAX_TRIANGLES;
/// Most values (objects, arrays, numbers, strings) a model's glTF JSON may
/// hold: far more than a booth within [`MAX_TRIANGLES`] needs, and what
/// bounds the memory reading it takes (a 3-byte `{}` node is built into
/// some 200 bytes).
pub const MAX_JSON_VALUES: usize = 200_000;
/// Largest texture side in pixels.
pub const MAX_TEXTURE_SIDE: u32 = 2048;
/// The floor a booth model must stand on (metres, centred on the origin):
/// the hall's booth plot, and the highest it may reach.
pub const MODEL_WIDTH: f32 = crate::layout::BOOTH_WIDTH;
pub const MODEL_DEPTH: f32 = crate::layout::BOOTH_DEPTH;
pub const MODEL_HEIGHT: f32 = 6.0;
/// Nodes a booth model must name: where the exhibitor's name header and
/// the wall of project cards go.
pub const REQUIRED_NODES: [&str; 2] = ["yunzhan_header", "yunzhan_cards"];

/// `booth.json` as written by an exhibitor.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoothSpec {
    pub version: u32,
    pub exhibitor: String,
    pub hall: String,
    /// A PNG in the folder.
    #[serde(default)]
    pub logo: Option<String>,
    /// Platform numbers of existing projects, or new projects in the
    /// catalog's project format.
    pub projects: Vec<BoothProject>,
    /// A `.glb` or `.gltf` in the folder; without it the standard booth.
    #[serde(default)]
    pub model: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BoothProject {
    Existing(String),
    New(Box<serde_json::Value>),
}

/// What a check found: the booth when it can be shown, and every problem.
#[derive(Debug, Default)]
pub struct BoothReport {
    pub spec: Option<BoothSpec>,
    pub hall: Option<HallIndex>,
    /// The booth's projects: existing ones from the catalog, new ones as given.
    pub projects: Vec<Project>,
    /// Model statistics when a model was read.
    pub model: Option<ModelStats>,
    /// The model's geometry, only when the model passed every check.
    pub geometry: Option<BoothModel>,
    /// The logo's PNG bytes when it passed.
    pub logo: Option<Vec<u8>>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelStats {
    /// What a visitor downloads: the model file and the files it names.
    pub bytes: u64,
    pub triangles: usize,
    pub largest_texture: (u32, u32),
}

impl BoothReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The report as printed by `yunzhan --check-booth`; `source` names the
    /// folder or address the booth came from.
    pub fn describe(&self, source: &str) -> String {
        let mut out = format!("booth {source}:\n");
        if let Some(spec) = &self.spec {
            out += &format!(
                "  exhibitor {} in hall {}, {} projects\n",
                spec.exhibitor,
                spec.hall,
                self.projects.len()
            );
        }
        match &self.model {
            Some(model) => {
                out += &format!(
                    "  model: {} bytes (limit {MAX_MODEL_BYTES}), {} triangles (limit {MAX_TRIANGLES}), largest texture {}x{} (limit {MAX_TEXTURE_SIDE})\n",
                    model.bytes, model.triangles, model.largest_texture.0, model.largest_texture.1
                )
            }
            None => out += "  model: none read (the standard booth is shown)\n",
        }
        if self.problems.is_empty() {
            out += "  OK: no problems\n";
        } else {
            out += &format!("  {} problem(s):\n", self.problems.len());
            for problem in &self.problems {
                out += &format!("  - {problem}\n");
            }
        }
        out
    }
}

/// Where a booth's files come from: a folder, or files in memory (dropped
/// on the web page or downloaded from a preview address).
pub trait BoothFiles {
    /// The bytes of a file by its plain relative name (already checked by
    /// `inside`); the error says why it cannot be had.
    fn read(&self, name: &str) -> Result<Vec<u8>, String>;
    /// Its size in bytes, without reading it.
    fn size(&self, name: &str) -> Result<u64, String>;
}

/// A booth folder on disk.
pub struct Folder<'a>(pub &'a Path);

impl BoothFiles for Folder<'_> {
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.0.join(name)).map_err(|error| error.to_string())
    }

    fn size(&self, name: &str) -> Result<u64, String> {
        std::fs::metadata(self.0.join(name))
            .map(|meta| meta.len())
            .map_err(|error| error.to_string())
    }
}

/// Files by name, as downloaded or handed over by a web page: each one's
/// bytes, or why it could not be had.
pub type FileMap = BTreeMap<String, Result<Vec<u8>, String>>;

/// A file of a [`FileMap`] by reference, or why it cannot be had.
fn file_in<'a>(files: &'a FileMap, name: &str) -> Result<&'a [u8], String> {
    match files.get(name) {
        Some(Ok(bytes)) => Ok(bytes),
        Some(Err(why)) => Err(why.clone()),
        None => Err("no such file among the booth's files".to_string()),
    }
}

impl BoothFiles for FileMap {
    fn read(&self, name: &str) -> Result<Vec<u8>, String> {
        file_in(self, name).map(<[u8]>::to_vec)
    }

    fn size(&self, name: &str) -> Result<u64, String> {
        file_in(self, name).map(|bytes| bytes.len() as u64)
    }
}

/// The files a booth description refers to (logo and model), for fetching
/// a booth from an address before checking it. A `.gltf` model's own files
/// are found by [`model_references`] once it is fetched.
pub fn spec_references(booth_json: &[u8]) -> Vec<String> {
    serde_json::from_slice::<BoothSpec>(booth_json)
        .map(|spec| spec.logo.into_iter().chain(spec.model).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|name| inside(name).is_ok())
        .collect()
}

/// The external files (buffers, images) a `.gltf` model names.
pub fn model_references(model: &[u8]) -> Vec<String> {
    container::read(model)
        .map(|file| external_files(&file.root))
        .unwrap_or_default()
}

/// The files inside the booth folder that a model's buffers and images
/// name, each once (`data:` URIs are inside the model already).
fn external_files(root: &gltf::json::Root) -> Vec<String> {
    let buffers = root
        .buffers
        .iter()
        .filter_map(|buffer| buffer.uri.as_deref());
    let images = root.images.iter().filter_map(|image| image.uri.as_deref());
    let mut seen = BTreeSet::new();
    buffers
        .chain(images)
        .filter(|uri| !uri.starts_with("data:") && inside(uri).is_ok() && seen.insert(*uri))
        .map(str::to_string)
        .collect()
}

/// A file name inside the booth folder: relative, no `..`, no scheme.
fn inside(name: &str) -> Result<(), String> {
    let path = Path::new(name);
    let plain = path
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    if name.contains(':') || !plain || name.is_empty() {
        return Err(format!(
            "{name:?} is outside the booth folder: give a plain relative file name (no \"..\", no absolute path, no http:, file: or other scheme)"
        ));
    }
    Ok(())
}

/// Checks a booth folder against the catalog it will be shown in.
pub fn check_booth(dir: &Path, catalog: &Catalog) -> BoothReport {
    check_booth_files(&Folder(dir), catalog)
}

/// Checks a booth's files against the catalog it will be shown in.
pub fn check_booth_files(files: &dyn BoothFiles, catalog: &Catalog) -> BoothReport {
    let mut report = BoothReport::default();
    let bytes = match files.read(BOOTH_FILE) {
        Ok(bytes) => bytes,
        Err(error) => {
            report
                .problems
                .push(format!("{BOOTH_FILE}: cannot read it ({error})"));
            return report;
        }
    };
    let spec: BoothSpec = match serde_json::from_slice(&bytes) {
        Ok(spec) => spec,
        Err(error) => {
            report.problems.push(format!(
                "{BOOTH_FILE}: not a valid booth description ({error}); see docs/booth-format.md"
            ));
            return report;
        }
    };
    if spec.version != 1 {
        report.problems.push(format!(
            "{BOOTH_FILE}: version {} is not supported; write \"version\": 1",
            spec.version
        ));
    }
    if spec.exhibitor.trim().is_empty() {
        report.problems.push(format!(
            "{BOOTH_FILE}: exhibitor: give the exhibitor's name"
        ));
    }
    let longest = crate::catalog::limits::ORGANISATION;
    if spec.exhibitor.chars().count() > longest {
        report.problems.push(format!(
            "{BOOTH_FILE}: exhibitor: the name is over {longest} characters; shorten it"
        ));
    }
    report.hall = HallIndex::from_id(&spec.hall);
    if report.hall.is_none() {
        report.problems.push(format!(
            "{BOOTH_FILE}: hall {:?} is not a hall id (e.g. chengdu, provincial)",
            spec.hall
        ));
    }
    if spec.projects.is_empty() {
        report
            .problems
            .push(format!("{BOOTH_FILE}: projects: list at least one project"));
    }
    let mut new = Vec::new();
    for (index, project) in spec.projects.iter().enumerate() {
        match project {
            BoothProject::Existing(no) => match catalog.find(no) {
                Some(id) => report.projects.push(catalog.project(id).clone()),
                None => report.problems.push(format!(
                    "{BOOTH_FILE}: projects[{index}]: {no} is not in the catalog; give an existing platform number or the whole project"
                )),
            },
            BoothProject::New(value) => new.push((index, value.as_ref().clone())),
        }
    }
    if !new.is_empty() {
        let document = serde_json::json!({
            "format": "yunzhan-catalog",
            "version": 1,
            "catalog_version": "booth-preview",
            "projects": new.iter().map(|(_, value)| value.clone()).collect::<Vec<_>>(),
        });
        match Catalog::load(document.to_string().as_bytes()) {
            Ok(loaded) => {
                for rejected in &loaded.rejected {
                    let index = new.get(rejected.index).map_or(rejected.index, |n| n.0);
                    let why = rejected.to_string();
                    let why = why.split_once(": ").map_or(why.as_str(), |(_, why)| why);
                    report
                        .problems
                        .push(format!("{BOOTH_FILE}: projects[{index}]: {why}"));
                }
                report
                    .projects
                    .extend(loaded.catalog.projects().iter().cloned());
            }
            Err(error) => report
                .problems
                .push(format!("{BOOTH_FILE}: projects: {error}")),
        }
    }
    if let Some(logo) = &spec.logo {
        match inside(logo) {
            Ok(()) => match files.read(logo) {
                Ok(bytes) => match png_size(&bytes) {
                    Some((w, h)) if w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE => {
                        report.problems.push(format!(
                            "logo {logo}: {w}x{h} is larger than {MAX_TEXTURE_SIDE}x{MAX_TEXTURE_SIDE}; scale it down"
                        ))
                    }
                    Some(_) => report.logo = Some(bytes),
                    None => report
                        .problems
                        .push(format!("logo {logo}: not a PNG image; save it as PNG")),
                },
                Err(error) => report
                    .problems
                    .push(format!("logo {logo}: cannot read it ({error})")),
            },
            Err(why) => report.problems.push(format!("logo: {why}")),
        }
    }
    if let Some(model) = &spec.model {
        let checked = check_model_file(files, model);
        report.model = checked.model;
        report.geometry = checked.geometry;
        report.problems.extend(checked.problems);
    }
    report.spec = Some(spec);
    report
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let read = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    Some((read(16), read(20)))
}

/// Width and height of a PNG or a baseline/progressive JPEG.
fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if let Some(size) = png_size(bytes) {
        return Some(size);
    }
    if bytes.len() < 4 || bytes[..2] != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    while at + 9 < bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let h = u16::from_be_bytes([bytes[at + 5], bytes[at + 6]]);
            let w = u16::from_be_bytes([bytes[at + 7], bytes[at + 8]]);
            return Some((u32::from(w), u32::from(h)));
        }
        at += 2 + length;
    }
    None
}

/// Checks one booth model file (a `.glb`, or a `.gltf` with the files it
/// names) as [`check_booth`] checks `booth.json`'s `model`: the report holds
/// the model's statistics, its geometry when it passed, and its problems.
/// Any bytes may be given: a broken or hostile file is refused with reasons.
pub fn check_model_file(files: &dyn BoothFiles, name: &str) -> BoothReport {
    let mut report = BoothReport::default();
    if let Err(why) = inside(name) {
        report.problems.push(format!("model: {why}"));
        return report;
    }
    let problems = check_model(files, name, &mut report);
    report.problems = capped(problems)
        .into_iter()
        .map(|why| format!("model {name}: {why}"))
        .collect();
    if !report.problems.is_empty() {
        report.geometry = None;
    }
    report
}

/// Most problems listed for one model, so that a hostile file cannot flood
/// the report; the rest are counted.
const MOST_LISTED: usize = 12;

/// At most [`MOST_LISTED`] problems, then how many more there are.
fn capped(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MOST_LISTED {
        let more = problems.len() - MOST_LISTED;
        problems.truncate(MOST_LISTED);
        problems.push(format!("{more} more problems like these"));
    }
    problems
}

/// A model's size for the budget line of a problem.
fn over_budget(bytes: u64, whose: &str) -> String {
    format!(
        "{bytes} bytes{whose} is over the {MAX_MODEL_BYTES}-byte (10 MiB) limit; simplify the mesh or shrink its textures"
    )
}

/// A model file's bytes, when it is within the size budget on its own.
fn read_model(files: &dyn BoothFiles, name: &str) -> Result<Vec<u8>, String> {
    match files.size(name) {
        Ok(size) if size > MAX_MODEL_BYTES => Err(over_budget(size, "")),
        Ok(_) => files
            .read(name)
            .map_err(|error| format!("cannot read it ({error})")),
        Err(error) => Err(format!("cannot read it ({error})")),
    }
}

/// A model file whose structure is sound, with its buffers' bytes.
struct LoadedModel<'a> {
    document: gltf::Document,
    buffers: Vec<Cow<'a, [u8]>>,
    /// What reading its images may still take.
    budget: resources::ReadBudget,
    /// What a visitor downloads: the file and the files it names.
    bytes: u64,
}

/// Reads a model's file, and the files it names when they fit the size
/// budget; every check that makes it safe to hand to the gltf crate comes
/// first. The error lists the problems found.
fn load_model<'a>(files: &dyn BoothFiles, bytes: &'a [u8]) -> Result<LoadedModel<'a>, Vec<String>> {
    let file = container::read(bytes).map_err(|why| vec![why])?;
    let named = external_files(&file.root);
    let download = named
        .iter()
        .filter_map(|name| files.size(name).ok())
        .fold(bytes.len() as u64, u64::saturating_add);
    if download > MAX_MODEL_BYTES {
        let mut shown = named.iter().take(4).cloned().collect::<Vec<_>>().join(", ");
        if named.len() > 4 {
            shown += ", …";
        }
        return Err(vec![over_budget(
            download,
            &format!(" with the files it names ({shown})"),
        )]);
    }
    let broken = |problems: Vec<String>| -> Vec<String> {
        let fix = "; export the model again (glTF-Validator shows what is wrong)";
        problems.into_iter().map(|why| why + fix).collect()
    };
    let document = structure::document(file.root).map_err(broken)?;
    let mut budget = resources::ReadBudget::new();
    let buffers =
        resources::buffers(&document, file.bin, files, &mut budget).map_err(|why| vec![why])?;
    let misplaced = structure::sparse_indices(document.as_json(), &buffers);
    if !misplaced.is_empty() {
        return Err(broken(misplaced));
    }
    Ok(LoadedModel {
        document,
        buffers,
        budget,
        bytes: download,
    })
}

/// Checks a model, filling in the report's statistics and geometry; the
/// problems found, without the model's name.
fn check_model(files: &dyn BoothFiles, name: &str, report: &mut BoothReport) -> Vec<String> {
    let bytes = match read_model(files, name) {
        Ok(bytes) => bytes,
        Err(why) => return vec![why],
    };
    let mut model = match load_model(files, &bytes) {
        Ok(model) => model,
        Err(problems) => return problems,
    };
    let mut problems = Vec::new();
    let (triangles, vertices) = drawn_size(&model.document);
    if triangles > MAX_TRIANGLES {
        problems.push(format!(
            "{triangles} triangles is over the {MAX_TRIANGLES}-triangle limit; decimate the mesh"
        ));
    }
    if vertices > MAX_VERTICES {
        problems.push(format!(
            "{vertices} vertices is over the {MAX_VERTICES}-vertex limit; decimate the mesh or merge its vertices"
        ));
    }
    let (images, largest_texture) = check_images(&mut model, files, &mut problems);
    problems.extend(missing_anchors(&model.document));
    report.model = Some(ModelStats {
        bytes: model.bytes,
        triangles,
        largest_texture,
    });
    // Only a model within its budgets is read: the budgets bound what reading allocates.
    if triangles <= MAX_TRIANGLES && vertices <= MAX_VERTICES {
        match geometry::read(&model.document, &model.buffers, images) {
            Ok(geometry) => {
                problems.extend(off_the_floor(&geometry));
                report.geometry = Some(geometry);
            }
            Err(why) => problems.push(why),
        }
    }
    problems
}

/// A problem for each of [`REQUIRED_NODES`] the model does not name.
fn missing_anchors(document: &gltf::Document) -> Vec<String> {
    let names: BTreeSet<&str> = document.nodes().filter_map(|node| node.name()).collect();
    REQUIRED_NODES
        .into_iter()
        .filter(|required| !names.contains(required))
        .map(|required| {
            format!(
                "no node named {required:?}; name the empty or mesh where the {} goes (docs/booth-format.md)",
                if required == "yunzhan_header" { "exhibitor's name header" } else { "project cards" }
            )
        })
        .collect()
}

/// Triangles and vertices as drawn: a mesh counts for every node that shows
/// it, points and lines not at all.
fn drawn_size(document: &gltf::Document) -> (usize, usize) {
    use gltf::mesh::Mode;
    let primitives = document
        .nodes()
        .filter_map(|node| node.mesh())
        .flat_map(|mesh| mesh.primitives());
    primitives.fold((0, 0), |(triangles, vertices), primitive| {
        let count = |accessor: Option<gltf::Accessor>| accessor.map_or(0, |a| a.count());
        let corners = count(
            primitive
                .indices()
                .or_else(|| primitive.get(&gltf::Semantic::Positions)),
        );
        let drawn = match primitive.mode() {
            Mode::Triangles => corners / 3,
            Mode::TriangleStrip | Mode::TriangleFan => corners.saturating_sub(2),
            _ => return (triangles, vertices),
        };
        let positions = count(primitive.get(&gltf::Semantic::Positions));
        (
            triangles.saturating_add(drawn),
            vertices.saturating_add(positions),
        )
    })
}

/// Each image's encoded bytes by index (empty when unusable), and the
/// largest one's size; a problem for each image that is unusable or too large.
fn check_images(
    model: &mut LoadedModel,
    files: &dyn BoothFiles,
    problems: &mut Vec<String>,
) -> (Vec<Vec<u8>>, (u32, u32)) {
    let mut images = Vec::new();
    let mut largest = (0, 0);
    let area = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    for image in model.document.images() {
        let label = image
            .name()
            .map_or(format!("image {}", image.index()), |n| {
                format!("image {n:?}")
            });
        let bytes = match resources::image(&image, &model.buffers, files, &mut model.budget) {
            Ok(bytes) => bytes,
            Err(why) => {
                problems.push(format!("{label}: {why}"));
                images.push(Vec::new());
                if model.budget.spent() {
                    break;
                }
                continue;
            }
        };
        match image_size(&bytes) {
            Some((w, h)) => {
                if area((w, h)) > area(largest) {
                    largest = (w, h);
                }
                if w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE {
                    problems.push(format!(
                        "{label} is {w}x{h}, over {MAX_TEXTURE_SIDE}x{MAX_TEXTURE_SIDE}; scale the texture down"
                    ));
                }
            }
            None => problems.push(format!(
                "{label}: cannot read the texture's size (a PNG or JPEG in the file or the folder is needed)"
            )),
        }
        images.push(bytes);
    }
    (images, largest)
}

/// Where a model leaves the booth's plot: beyond its floor or its height.
fn off_the_floor(model: &BoothModel) -> Vec<String> {
    let mut problems = Vec::new();
    let (min, max) = model.bounds();
    let (half_w, half_d) = (MODEL_WIDTH / 2.0 + 0.01, MODEL_DEPTH / 2.0 + 0.01);
    if min[0] < -half_w || max[0] > half_w || min[2] < -half_d || max[2] > half_d {
        problems.push(format!(
            "it spans x {:.2}..{:.2} m and z {:.2}..{:.2} m, beyond the booth's {MODEL_WIDTH} m x {MODEL_DEPTH} m floor centred on the origin; move or scale it",
            min[0], max[0], min[2], max[2]
        ));
    }
    if min[1] < -0.01 || max[1] > MODEL_HEIGHT {
        problems.push(format!(
            "it reaches from {:.2} m to {:.2} m high; keep it between the floor (0) and {MODEL_HEIGHT} m",
            min[1], max[1]
        ));
    }
    problems
}

/// The catalog shown while previewing a booth: the booth's projects, under
/// the exhibitor's name in its hall (existing ones moved there, new ones
/// added); the exhibitor's other projects in that hall leave, as the booth
/// replaces its published one. None when the booth names no valid hall.
pub fn preview_catalog(base: &Catalog, report: &BoothReport) -> Option<LoadReport> {
    let (spec, hall) = (report.spec.as_ref()?, report.hall?);
    let exhibitor = spec.exhibitor.trim();
    let shown: Vec<&str> = report
        .projects
        .iter()
        .map(|project| project.platform_no.as_str())
        .collect();
    let mut projects: Vec<Project> = base
        .projects()
        .iter()
        .filter(|project| !shown.contains(&project.platform_no.as_str()))
        .filter(|project| !(project.hall == hall && project.organisation == exhibitor))
        .cloned()
        .collect();
    projects.extend(report.projects.iter().map(|project| Project {
        organisation: exhibitor.to_string(),
        hall,
        ..project.clone()
    }));
    Some(Catalog::from_projects(
        format!("{}+booth-preview", base.catalog_version()),
        projects,
    ))
}
