//! Booth folders: the shipped sample passes; each broken file is reported
//! with what to fix (bad JSON, missing nodes, too many triangles, oversized
//! textures, external URIs, a truncated GLB) and nothing panics.

use std::path::{Path, PathBuf};

use serde_json::json;
use yunzhan_model::booth::{
    BOOTH_FILE, FileMap, MAX_TRIANGLES, check_booth, check_booth_files, preview_catalog,
    spec_references,
};
use yunzhan_model::{Catalog, EMBEDDED_CATALOG};

mod robustness;

fn catalog() -> Catalog {
    Catalog::load(EMBEDDED_CATALOG).unwrap().catalog
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yunzhan-booth-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Just a PNG header of the given size (all the check reads).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend(width.to_be_bytes());
    bytes.extend(height.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

/// A GLB with `triangles` triangles, the named nodes, and one image: in the
/// binary chunk (`image_uri` None) or referenced by URI.
fn glb(triangles: usize, nodes: &[&str], image: (u32, u32), image_uri: Option<&str>) -> Vec<u8> {
    let positions: Vec<u8> = [0f32, 0., 0., 1., 0., 0., 0., 1., 0.]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let indices: Vec<u8> = (0..triangles * 3)
        .flat_map(|i| ((i % 3) as u32).to_le_bytes())
        .collect();
    let picture = png_header(image.0, image.1);
    let mut bin = positions.clone();
    bin.extend(&indices);
    let image_offset = bin.len();
    bin.extend(&picture);
    let mut node_list = vec![json!({"mesh": 0})];
    node_list.extend(nodes.iter().map(|name| json!({"name": name})));
    let image = match image_uri {
        Some(uri) => json!({"uri": uri}),
        None => json!({"bufferView": 2, "mimeType": "image/png"}),
    };
    let document = json!({
        "asset": {"version": "2.0"},
        "nodes": node_list,
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3",
             "min": [0, 0, 0], "max": [1, 1, 0]},
            {"bufferView": 1, "componentType": 5125, "count": triangles * 3, "type": "SCALAR"}
        ],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": positions.len()},
            {"buffer": 0, "byteOffset": positions.len(), "byteLength": indices.len()},
            {"buffer": 0, "byteOffset": image_offset, "byteLength": picture.len()}
        ],
        "buffers": [{"byteLength": bin.len()}],
        "images": [image]
    });
    assemble_glb(&document, &bin)
}

/// A GLB of a JSON document and a binary chunk (padded to 4 bytes).
fn assemble_glb(document: &serde_json::Value, bin: &[u8]) -> Vec<u8> {
    let mut text = document.to_string().into_bytes();
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    let mut bin = bin.to_vec();
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(((12 + 8 + text.len() + 8 + bin.len()) as u32).to_le_bytes());
    out.extend((text.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(&text);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(&bin);
    out
}

/// A well-formed GLB's JSON document and binary chunk.
fn split_glb(bytes: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let json_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let document = serde_json::from_slice(&bytes[20..20 + json_len]).unwrap();
    (document, bytes[28 + json_len..].to_vec())
}

const NODES: [&str; 2] = ["yunzhan_header", "yunzhan_cards"];

fn booth_dir(name: &str, model: Option<Vec<u8>>) -> PathBuf {
    let dir = scratch(name);
    let mut spec = json!({
        "version": 1,
        "exhibitor": "测试展商",
        "hall": "chengdu",
        "projects": ["YZ-2023-00009"]
    });
    if let Some(bytes) = model {
        std::fs::write(dir.join("booth.glb"), bytes).unwrap();
        spec["model"] = json!("booth.glb");
    }
    std::fs::write(dir.join("booth.json"), spec.to_string()).unwrap();
    dir
}

fn problems(dir: &Path) -> Vec<String> {
    check_booth(dir, &catalog()).problems
}

fn has(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn the_shipped_sample_booth_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/booths/sample");
    let report = check_booth(&dir, &catalog());
    assert!(
        report.ok(),
        "{}",
        report.describe(&dir.display().to_string())
    );
    let model = report.model.expect("the sample has a model");
    assert_eq!(model.triangles, 84);
    assert_eq!(model.largest_texture, (64, 64));
    assert_eq!(report.projects.len(), 4);
    assert!(
        report
            .describe(&dir.display().to_string())
            .contains("OK: no problems")
    );
    // Read for drawing: four materials, the wood texture, the anchors where
    // make-booth.py put them, everything on the booth's floor.
    let geometry = report.geometry.as_ref().expect("a passing model is read");
    assert_eq!(geometry.triangles(), 84);
    assert_eq!(geometry.materials.len(), 4);
    assert_eq!(geometry.materials[0].base_color_image, Some(0));
    assert!(geometry.images[0].starts_with(b"\x89PNG"));
    assert_eq!(&geometry.header[12..15], &[0.0, 3.55, -1.83]);
    assert_eq!(&geometry.cards[12..15], &[0.0, 1.75, -1.83]);
    let (min, max) = geometry.bounds();
    assert_eq!((min, max), ([-3.0, 0.0, -2.0], [3.0, 3.9, 2.0]));
    assert!(
        geometry
            .meshes
            .iter()
            .all(|m| m.normals.len() == m.positions.len())
    );
    assert!(report.logo.is_some());
    // In a visitor's way: the walls, the pillar and the counter; not the
    // middle of the booth or its front edge.
    let obstacles = geometry.obstacles(0.25, 0.3, 2.0);
    let blocked = |x: f32, z: f32| obstacles.iter().any(|r| r.contains([x, z]));
    assert!(blocked(0.0, -1.9), "back wall");
    assert!(blocked(-2.95, 0.0), "side wall");
    assert!(blocked(1.7, 0.8), "counter");
    assert!(blocked(2.8, 1.65), "pillar");
    assert!(!blocked(0.0, 0.0) && !blocked(-1.0, 1.8), "{obstacles:?}");
}

/// A GLB with its JSON chunk changed by `edit`.
fn edit_glb(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let (mut document, bin) = split_glb(bytes);
    edit(&mut document);
    assemble_glb(&document, &bin)
}

#[test]
fn files_handed_over_in_memory_check_like_a_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/booths/sample");
    let spec = std::fs::read(dir.join(BOOTH_FILE)).unwrap();
    let names = spec_references(&spec);
    assert_eq!(names, ["logo.png", "booth.glb"]);
    let mut files: FileMap = names
        .iter()
        .map(|name| (name.clone(), Ok(std::fs::read(dir.join(name)).unwrap())))
        .collect();
    files.insert(BOOTH_FILE.into(), Ok(spec));
    let in_memory = check_booth_files(&files, &catalog());
    let on_disk = check_booth(&dir, &catalog());
    assert!(in_memory.ok(), "{:?}", in_memory.problems);
    assert_eq!(in_memory.geometry, on_disk.geometry);
    // A missing file is named, and a failed download says why.
    files.remove("booth.glb");
    let found = check_booth_files(&files, &catalog()).problems;
    assert!(has(&found, "model booth.glb: cannot read it"), "{found:?}");
    files.insert("logo.png".into(), Err("HTTP 404".into()));
    let found = check_booth_files(&files, &catalog()).problems;
    assert!(
        has(&found, "logo logo.png: cannot read it (HTTP 404)"),
        "{found:?}"
    );
}

#[test]
fn a_model_off_its_floor_or_with_bad_indices_is_refused_and_not_read() {
    let good = glb(12, &NODES, (64, 64), None);
    let moved = edit_glb(&good, |doc| {
        doc["nodes"][0]["translation"] = json!([5.0, 0.0, 0.0])
    });
    let dir = booth_dir("moved", Some(moved));
    let report = check_booth(&dir, &catalog());
    assert!(
        has(&report.problems, "beyond the booth's 6 m x 4 m floor"),
        "{:?}",
        report.problems
    );
    assert!(report.geometry.is_none());
    let tall = edit_glb(&good, |doc| {
        doc["nodes"][0]["scale"] = json!([1.0, 7.0, 1.0])
    });
    let dir = booth_dir("tall", Some(tall));
    assert!(has(
        &problems(&dir),
        "keep it between the floor (0) and 6 m"
    ));
    // Indices 0..2 over a position list cut to two vertices.
    let short = edit_glb(&good, |doc| doc["accessors"][0]["count"] = json!(2));
    let dir = booth_dir("indices", Some(short));
    let found = problems(&dir);
    assert!(
        has(&found, "index 2 points past the 2 vertices"),
        "{found:?}"
    );
}

#[test]
fn the_preview_catalog_puts_the_booth_in_its_hall() {
    let base = catalog();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/booths/sample");
    let report = check_booth(&dir, &base);
    let old_owner = base
        .project(base.find("YZ-2023-00662").unwrap())
        .organisation
        .clone();
    let preview = preview_catalog(&base, &report).expect("a hall is named");
    assert!(preview.rejected.is_empty(), "{:?}", preview.rejected);
    let shown = preview.catalog;
    // Three projects moved, one added.
    assert_eq!(shown.projects().len(), base.projects().len() + 1);
    let hall = report.hall.unwrap();
    let booth = shown
        .hall_exhibitors(hall)
        .iter()
        .map(|&id| shown.exhibitor(id))
        .find(|e| e.name == "示例展商（演示）")
        .expect("the exhibitor is in its hall");
    assert_eq!(booth.projects.len(), 4);
    assert!(
        booth.generated,
        "demo projects only, so the booth is marked 演示"
    );
    let moved = shown.project(shown.find("YZ-2023-00662").unwrap());
    assert_eq!(moved.organisation, "示例展商（演示）");
    assert!(
        shown
            .exhibitors()
            .iter()
            .filter(|e| e.name == old_owner)
            .all(|e| e
                .projects
                .iter()
                .all(|&id| shown.project(id).platform_no != "YZ-2023-00662"))
    );
    // No hall, no preview.
    let dir = scratch("nohall");
    std::fs::write(
        dir.join("booth.json"),
        json!({"version": 1, "exhibitor": "x", "hall": "atlantis", "projects": []}).to_string(),
    )
    .unwrap();
    assert!(preview_catalog(&base, &check_booth(&dir, &base)).is_none());
}

#[test]
fn a_good_generated_model_passes_and_the_check_can_fail() {
    let dir = booth_dir("good", Some(glb(MAX_TRIANGLES, &NODES, (2048, 2048), None)));
    assert_eq!(problems(&dir), Vec::<String>::new());
    let dir = booth_dir(
        "over",
        Some(glb(MAX_TRIANGLES + 1, &NODES, (2048, 2048), None)),
    );
    let found = problems(&dir);
    assert!(has(&found, "10001 triangles"), "{found:?}");
    assert!(has(&found, "decimate"), "{found:?}");
}

#[test]
fn bad_json_unknown_halls_and_projects_are_named() {
    let dir = scratch("json");
    std::fs::write(dir.join("booth.json"), "{\"version\": 1, \"exhibitor\": ").unwrap();
    let found = problems(&dir);
    assert!(
        has(&found, "booth.json: not a valid booth description"),
        "{found:?}"
    );

    let dir = scratch("fields");
    std::fs::write(
        dir.join("booth.json"),
        json!({"version": 2, "exhibitor": " ", "hall": "atlantis",
               "projects": ["YZ-0000-00000", {"platform_no": "YZ-NEW-1", "title": ""}]})
        .to_string(),
    )
    .unwrap();
    let found = problems(&dir);
    for needle in [
        "version 2",
        "exhibitor",
        "\"atlantis\"",
        "YZ-0000-00000 is not in the catalog",
        "projects[1]",
    ] {
        assert!(has(&found, needle), "{needle}: {found:?}");
    }
}

#[test]
fn missing_nodes_large_textures_external_uris_and_truncated_files_are_reported() {
    let dir = booth_dir("nodes", Some(glb(12, &["yunzhan_cards"], (512, 512), None)));
    let found = problems(&dir);
    assert!(has(&found, "no node named \"yunzhan_header\""), "{found:?}");
    assert!(!has(&found, "\"yunzhan_cards\""), "{found:?}");

    let dir = booth_dir("texture", Some(glb(12, &NODES, (4096, 1024), None)));
    assert!(has(&problems(&dir), "4096x1024, over 2048x2048"));

    let dir = booth_dir(
        "uri",
        Some(glb(12, &NODES, (64, 64), Some("../../etc/passwd.png"))),
    );
    assert!(has(&problems(&dir), "outside the booth folder"));
    let dir = booth_dir(
        "http",
        Some(glb(12, &NODES, (64, 64), Some("https://example.org/t.png"))),
    );
    assert!(has(&problems(&dir), "outside the booth folder"));
    // A texture beside the model in the folder is fine.
    let dir = booth_dir("beside", Some(glb(12, &NODES, (64, 64), Some("wood.png"))));
    std::fs::write(dir.join("wood.png"), png_header(256, 256)).unwrap();
    assert_eq!(problems(&dir), Vec::<String>::new());

    let whole = glb(12, &NODES, (64, 64), None);
    for cut in [0, 11, 40, whole.len() - 5] {
        let dir = booth_dir(&format!("cut{cut}"), Some(whole[..cut].to_vec()));
        let found = problems(&dir);
        assert!(
            has(&found, "not a valid glTF/GLB file"),
            "cut at {cut}: {found:?}"
        );
    }

    let dir = booth_dir("logo", None);
    let mut spec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("booth.json")).unwrap()).unwrap();
    spec["logo"] = json!("logo.jpg");
    std::fs::write(dir.join("booth.json"), spec.to_string()).unwrap();
    std::fs::write(dir.join("logo.jpg"), b"not a png").unwrap();
    assert!(has(&problems(&dir), "logo logo.jpg: not a PNG image"));
}
