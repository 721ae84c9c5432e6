//! Exhibitor booth folders (docs/booth-format.md): a `booth.json` naming
//! the exhibitor, its hall, logo and projects, and optionally a glTF/GLB
//! booth model, checked against explicit budgets. Every problem is listed
//! with what to fix; nothing here panics on a broken file.

use std::path::{Component, Path};

use serde::Deserialize;

use crate::{Catalog, HallIndex, Project};

/// The booth description's file name inside a booth folder.
pub const BOOTH_FILE: &str = "booth.json";
/// Largest model file accepted.
pub const MAX_MODEL_BYTES: u64 = 10 * 1024 * 1024;
/// Most triangles a booth model may have.
pub const MAX_TRIANGLES: usize = 10_000;
/// Largest texture side in pixels.
pub const MAX_TEXTURE_SIDE: u32 = 2048;
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
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelStats {
    pub bytes: u64,
    pub triangles: usize,
    pub largest_texture: (u32, u32),
}

impl BoothReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The report as printed by `yunzhan --check-booth`.
    pub fn describe(&self, dir: &Path) -> String {
        let mut out = format!("booth {}:\n", dir.display());
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

/// A file name inside the booth folder: relative, no `..`, no scheme.
fn inside(dir: &Path, name: &str) -> Result<std::path::PathBuf, String> {
    let path = Path::new(name);
    let plain = path
        .components()
        .all(|component| matches!(component, Component::Normal(_)));
    if name.contains(':') || !plain || name.is_empty() {
        return Err(format!(
            "{name:?} is outside the booth folder: give a plain relative file name (no \"..\", no absolute path, no http:, file: or other scheme)"
        ));
    }
    Ok(dir.join(path))
}

/// Checks a booth folder against the catalog it will be shown in.
pub fn check_booth(dir: &Path, catalog: &Catalog) -> BoothReport {
    let mut report = BoothReport::default();
    let path = dir.join(BOOTH_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            report.problems.push(format!(
                "{BOOTH_FILE}: cannot read {} ({error})",
                path.display()
            ));
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
        match inside(dir, logo) {
            Ok(path) => match std::fs::read(&path) {
                Ok(bytes) => match png_size(&bytes) {
                    Some((w, h)) if w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE => {
                        report.problems.push(format!(
                            "logo {logo}: {w}x{h} is larger than {MAX_TEXTURE_SIDE}x{MAX_TEXTURE_SIDE}; scale it down"
                        ))
                    }
                    Some(_) => {}
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
        match inside(dir, model) {
            Ok(path) => check_model(dir, &path, model, &mut report),
            Err(why) => report.problems.push(format!("model: {why}")),
        }
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

fn check_model(dir: &Path, path: &Path, name: &str, report: &mut BoothReport) {
    let bytes = match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_MODEL_BYTES => {
            report.problems.push(format!(
                "model {name}: {} bytes is over the {MAX_MODEL_BYTES}-byte (10 MiB) limit; simplify the mesh or shrink its textures",
                meta.len()
            ));
            return;
        }
        Ok(_) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                report
                    .problems
                    .push(format!("model {name}: cannot read it ({error})"));
                return;
            }
        },
        Err(error) => {
            report
                .problems
                .push(format!("model {name}: cannot read it ({error})"));
            return;
        }
    };
    let gltf = match gltf::Gltf::from_slice(&bytes) {
        Ok(gltf) => gltf,
        Err(error) => {
            report.problems.push(format!(
                "model {name}: not a valid glTF/GLB file ({error}); export it again as glTF 2.0"
            ));
            return;
        }
    };
    let mut stats = ModelStats {
        bytes: bytes.len() as u64,
        triangles: 0,
        largest_texture: (0, 0),
    };
    for mesh in gltf.meshes() {
        for primitive in mesh.primitives() {
            let vertices = primitive
                .indices()
                .or_else(|| primitive.get(&gltf::Semantic::Positions))
                .map_or(0, |accessor| accessor.count());
            stats.triangles += match primitive.mode() {
                gltf::mesh::Mode::Triangles => vertices / 3,
                gltf::mesh::Mode::TriangleStrip | gltf::mesh::Mode::TriangleFan => {
                    vertices.saturating_sub(2)
                }
                _ => 0,
            };
        }
    }
    if stats.triangles > MAX_TRIANGLES {
        report.problems.push(format!(
            "model {name}: {} triangles is over the {MAX_TRIANGLES}-triangle limit; decimate the mesh",
            stats.triangles
        ));
    }
    for buffer in gltf.buffers() {
        if let gltf::buffer::Source::Uri(uri) = buffer.source()
            && !uri.starts_with("data:")
            && let Err(why) = inside(dir, uri)
        {
            report
                .problems
                .push(format!("model {name}: buffer {}: {why}", buffer.index()));
        }
    }
    for image in gltf.images() {
        let label = image
            .name()
            .map_or(format!("image {}", image.index()), |n| {
                format!("image {n:?}")
            });
        let data = match image.source() {
            gltf::image::Source::View { view, .. } => gltf.blob.as_ref().and_then(|blob| {
                blob.get(view.offset()..view.offset() + view.length())
                    .map(<[u8]>::to_vec)
            }),
            gltf::image::Source::Uri { uri, .. } if uri.starts_with("data:") => None,
            gltf::image::Source::Uri { uri, .. } => match inside(dir, uri) {
                Ok(path) => std::fs::read(path).ok(),
                Err(why) => {
                    report
                        .problems
                        .push(format!("model {name}: {label}: {why}"));
                    continue;
                }
            },
        };
        match data.as_deref().and_then(image_size) {
            Some((w, h)) => {
                if w * h > stats.largest_texture.0 * stats.largest_texture.1 {
                    stats.largest_texture = (w, h);
                }
                if w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE {
                    report.problems.push(format!(
                        "model {name}: {label} is {w}x{h}, over {MAX_TEXTURE_SIDE}x{MAX_TEXTURE_SIDE}; scale the texture down"
                    ));
                }
            }
            None => report.problems.push(format!(
                "model {name}: {label}: cannot read the texture's size (a PNG or JPEG in the file or the folder is needed)"
            )),
        }
    }
    let names: Vec<&str> = gltf.nodes().filter_map(|node| node.name()).collect();
    for required in REQUIRED_NODES {
        if !names.contains(&required) {
            report.problems.push(format!(
                "model {name}: no node named {required:?}; name the empty or mesh where the {} goes (docs/booth-format.md)",
                if required == "yunzhan_header" { "exhibitor's name header" } else { "project cards" }
            ));
        }
    }
    report.model = Some(stats);
}
