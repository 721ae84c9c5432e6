//! Broken and hostile model files: none panics, hangs or exhausts memory,
//! and every refusal says why. A test per defect found in the checker, each
//! file built in memory (`hostile`); glTF-Validator's whole test corpus
//! (`corpus`); random damage to valid files (`mutations`).

use serde_json::{Value, json};
use yunzhan_model::booth::{BoothReport, FileMap, check_model_file, model_references};

use super::{NODES, assemble_glb, edit_glb, glb, png_header, split_glb};

/// The shipped sample booth's model (84 triangles, four materials, a texture).
const SAMPLE_GLB: &[u8] = include_bytes!("../../../../../assets/booths/sample/booth.glb");

/// A small valid GLB: 12 triangles, the anchors, a 64x64 PNG in its binary chunk.
fn small_glb() -> Vec<u8> {
    glb(12, &NODES, (64, 64), None)
}

/// A model file in memory as `booth.glb`.
fn glb_files(bytes: Vec<u8>) -> FileMap {
    FileMap::from([("booth.glb".to_string(), Ok(bytes))])
}

/// A GLB rewritten as `booth.gltf` with its binary chunk beside it as `booth.bin`.
fn gltf_files(glb: &[u8]) -> FileMap {
    let (mut document, bin) = split_glb(glb);
    document["buffers"][0]["uri"] = json!("booth.bin");
    FileMap::from([
        (
            "booth.gltf".to_string(),
            Ok(document.to_string().into_bytes()),
        ),
        ("booth.bin".to_string(), Ok(bin)),
    ])
}

/// Appends `bytes` to a GLB's binary chunk as a new buffer view; its index.
fn add_view(document: &mut Value, bin: &mut Vec<u8>, bytes: &[u8]) -> usize {
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let views = document["bufferViews"].as_array_mut().expect("bufferViews");
    views.push(json!({"buffer": 0, "byteOffset": bin.len(), "byteLength": bytes.len()}));
    let added = views.len() - 1;
    bin.extend(bytes);
    document["buffers"][0]["byteLength"] = json!(bin.len());
    added
}

/// A GLB header alone: magic, version and the length it claims.
fn glb_header(version: u32, length: u32) -> Vec<u8> {
    let mut bytes = b"glTF".to_vec();
    bytes.extend(version.to_le_bytes());
    bytes.extend(length.to_le_bytes());
    bytes
}

/// Checks `name` among `files`: it must be refused and not read, and one
/// problem must name the model and contain every one of `needles`.
fn assert_refused(files: &FileMap, name: &str, needles: &[&str]) -> BoothReport {
    let report = check_model_file(files, name);
    assert!(report.geometry.is_none(), "{name} was read");
    let prefix = format!("model {name}: ");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with(&prefix) && needles.iter().all(|n| p.contains(n))),
        "no problem with {needles:?}: {:?}",
        report.problems
    );
    report
}

/// Each problem names the model and says something after that.
fn assert_every_problem_has_a_reason(report: &BoothReport, name: &str) {
    let prefix = format!("model {name}: ");
    for problem in &report.problems {
        let reason = problem.strip_prefix(&prefix).unwrap_or(problem);
        assert!(
            problem.starts_with("model") && reason.trim().len() > 10,
            "{problem:?} gives no reason"
        );
    }
    assert_eq!(
        report.problems.is_empty(),
        report.geometry.is_some(),
        "a model is read exactly when it passes: {:?}",
        report.problems
    );
}

#[test]
fn the_small_models_used_here_pass_as_glb_and_as_gltf() {
    for (files, name) in [
        (glb_files(small_glb()), "booth.glb"),
        (gltf_files(&small_glb()), "booth.gltf"),
        (glb_files(SAMPLE_GLB.to_vec()), "booth.glb"),
        (gltf_files(SAMPLE_GLB), "booth.gltf"),
    ] {
        let report = check_model_file(&files, name);
        assert!(report.ok(), "{name}: {:?}", report.problems);
        assert!(report.geometry.is_some());
    }
}

/// One test per defect of the issue; each failed (panicked or passed the
/// file) before the fix.
mod hostile {
    use super::*;

    #[test]
    fn a_glb_of_an_unsupported_version_is_refused() {
        // glTF-Validator's invalid_version.glb: version 0, length 0.
        let files = glb_files(glb_header(0, 0));
        assert_refused(&files, "booth.glb", &["GLB version 0", "version 2"]);
        let mut version_1 = small_glb();
        version_1[4..8].copy_from_slice(&1u32.to_le_bytes());
        assert_refused(&glb_files(version_1), "booth.glb", &["GLB version 1"]);
    }

    #[test]
    fn a_zero_length_glb_is_refused() {
        // zero_length.glb: a version 2 header that gives the length as 0.
        let files = glb_files(glb_header(2, 0));
        assert_refused(&files, "booth.glb", &["length as 0 bytes", "has 12"]);
        assert!(model_references(&glb_header(2, 0)).is_empty());
        assert_refused(&glb_files(Vec::new()), "booth.glb", &["the file is empty"]);
    }

    #[test]
    fn an_image_with_neither_uri_nor_buffer_view_is_refused() {
        let model = edit_glb(&small_glb(), |doc| {
            doc["images"][0] = json!({"mimeType": "image/png"})
        });
        assert_refused(&glb_files(model), "booth.glb", &["images[0]", "neither"]);
        // In a buffer view but without a MIME type: the gltf crate unwraps that too.
        let model = edit_glb(&small_glb(), |doc| {
            doc["images"][0] = json!({"bufferView": 2})
        });
        assert_refused(&glb_files(model), "booth.glb", &["images[0]", "mimeType"]);
    }

    #[test]
    fn a_primitive_naming_a_missing_accessor_is_refused() {
        let model = edit_glb(&small_glb(), |doc| {
            doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"] = json!(99)
        });
        assert_refused(
            &glb_files(model),
            "booth.glb",
            &["meshes[0].primitives[0].attributes.POSITION", "accessor 99"],
        );
    }

    #[test]
    fn an_accessor_count_near_u64_max_or_zero_is_refused() {
        for count in [u64::MAX, u64::MAX - 1, 1 << 62] {
            let model = edit_glb(&small_glb(), |doc| {
                doc["accessors"][1]["count"] = json!(count)
            });
            assert_refused(
                &glb_files(model),
                "booth.glb",
                &["accessors[1]", &count.to_string(), "bufferViews[1]"],
            );
        }
        let model = edit_glb(&small_glb(), |doc| doc["accessors"][1]["count"] = json!(0));
        assert_refused(&glb_files(model), "booth.glb", &["accessors[1]", "count 0"]);
    }

    #[test]
    fn a_buffer_view_offset_near_u64_max_is_refused() {
        let offset = u64::MAX - 8;
        let model = edit_glb(&small_glb(), |doc| {
            doc["bufferViews"][0]["byteOffset"] = json!(offset)
        });
        assert_refused(
            &glb_files(model),
            "booth.glb",
            &["bufferViews[0]", &offset.to_string(), "buffers[0]"],
        );
    }

    #[test]
    fn a_png_claiming_100000_pixels_square_is_refused() {
        let model = glb(12, &NODES, (100_000, 100_000), None);
        assert_refused(
            &glb_files(model),
            "booth.glb",
            &["100000x100000, over 2048x2048"],
        );
    }

    #[test]
    fn attributes_and_indices_of_the_wrong_type_are_refused() {
        // The gltf crate's reader asserts (NORMAL) or has `unreachable!`
        // (float indices) for these.
        let model = edit_glb(&small_glb(), |doc| {
            doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"] = json!(1)
        });
        assert_refused(&glb_files(model), "booth.glb", &["NORMAL", "VEC3"]);
        let model = edit_glb(&small_glb(), |doc| {
            doc["meshes"][0]["primitives"][0]["indices"] = json!(0)
        });
        assert_refused(&glb_files(model), "booth.glb", &["indices", "SCALAR"]);
    }

    #[test]
    fn a_node_that_is_its_own_child_is_refused() {
        let model = edit_glb(&small_glb(), |doc| doc["nodes"][1]["children"] = json!([1]));
        assert_refused(
            &glb_files(model),
            "booth.glb",
            &["nodes[1]", "its own child"],
        );
    }

    #[test]
    fn a_cycle_of_two_nodes_is_refused() {
        let model = edit_glb(&small_glb(), |doc| {
            doc["nodes"][1]["children"] = json!([2]);
            doc["nodes"][2]["children"] = json!([1]);
        });
        assert_refused(
            &glb_files(model),
            "booth.glb",
            &["nodes[1] → nodes[2] → nodes[1]", "cycle"],
        );
    }

    #[test]
    fn sparse_indices_past_the_end_of_their_accessor_are_refused() {
        let (mut document, mut bin) = split_glb(&small_glb());
        // One replaced vertex, at index 7 of the three-vertex POSITION accessor.
        let indices = add_view(&mut document, &mut bin, &7u32.to_le_bytes());
        let vertex: Vec<u8> = [0f32, 0.5, 0.0]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        let values = add_view(&mut document, &mut bin, &vertex);
        document["accessors"][0]["sparse"] = json!({
            "count": 1,
            "indices": {"bufferView": indices, "componentType": 5125},
            "values": {"bufferView": values}
        });
        let files = glb_files(assemble_glb(&document, &bin));
        assert_refused(
            &files,
            "booth.glb",
            &["accessors[0]", "sparse index 7", "3 elements"],
        );
    }

    #[test]
    fn models_that_would_take_far_more_memory_than_their_size_are_refused() {
        // 250,000 empty nodes: 750 kB of JSON, some 55 MB once built.
        let model = edit_glb(&small_glb(), |doc| {
            doc["nodes"] = json!(vec![json!({}); 250_000])
        });
        assert_refused(&glb_files(model), "booth.glb", &["over 200000 values"]);
        // One 1 MiB texture named by 20 images is read 20 times.
        let (mut document, mut bin) = split_glb(&small_glb());
        let mut texture = png_header(64, 64);
        texture.resize(1 << 20, 0);
        let view = add_view(&mut document, &mut bin, &texture);
        document["images"] = json!(vec![
            json!({"bufferView": view, "mimeType": "image/png"});
            20
        ]);
        let files = glb_files(assemble_glb(&document, &bin));
        assert_refused(&files, "booth.glb", &["image 10: ", "add up to over"]);
        // A 12-triangle mesh shown by 1,000 nodes is 12,000 triangles to draw.
        let model = edit_glb(&small_glb(), |doc| {
            let nodes = doc["nodes"].as_array_mut().expect("nodes");
            nodes.extend(vec![json!({"mesh": 0}); 1_000]);
        });
        assert_refused(&glb_files(model), "booth.glb", &["12012 triangles"]);
    }

    #[test]
    fn a_gltf_counts_the_files_it_names_against_the_size_budget() {
        // 6 MiB of buffer and a 5 MiB texture beside a small .gltf: each is
        // under the budget, the visitor's download is not.
        let mut files = gltf_files(&small_glb());
        let Some(Ok(bin)) = files.get_mut("booth.bin") else {
            unreachable!()
        };
        bin.resize(6 << 20, 0);
        let mut texture = png_header(64, 64);
        texture.resize(5 << 20, 0);
        files.insert("wood.png".to_string(), Ok(texture));
        let mut document: Value = match &files["booth.gltf"] {
            Ok(bytes) => serde_json::from_slice(bytes).unwrap(),
            Err(_) => unreachable!(),
        };
        document["images"][0] = json!({"uri": "wood.png"});
        files.insert(
            "booth.gltf".to_string(),
            Ok(document.to_string().into_bytes()),
        );
        assert_refused(
            &files,
            "booth.gltf",
            &["with the files it names (booth.bin, wood.png)", "10 MiB"],
        );
    }
}

/// glTF-Validator's own test files: none panics or hangs, each refusal says
/// why, and the verdicts are counted against the validator's.
mod corpus {
    use std::path::{Path, PathBuf};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use yunzhan_model::booth::{Folder, check_model_file};

    use super::assert_every_problem_has_a_reason;

    const CORPUS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/gltf-validator"
    );
    /// Far above the slowest file seen (see the printed timings); only a
    /// hang gets near it.
    const PER_FILE_LIMIT: Duration = Duration::from_secs(30);
    /// Problems about the booth rather than the file: a valid glTF may get
    /// these (the corpus' models are not made for a booth plot).
    const BOOTH_RULES: [&str; 8] = [
        "no node named",
        "beyond the booth's",
        "keep it between the floor",
        "triangle limit",
        "vertex limit",
        "scale the texture down",
        "cannot read the texture's size",
        "(10 MiB) limit",
    ];

    /// Every `.gltf` and `.glb` under `dir`, sorted.
    fn model_files(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut folders = vec![dir.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("a readable corpus folder") {
                let path = entry.expect("a readable corpus entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path
                    .extension()
                    .is_some_and(|ext| ext == "gltf" || ext == "glb")
                {
                    found.push(path);
                }
            }
        }
        found.sort();
        found
    }

    /// The error codes of the validator's report beside `model`.
    fn validator_errors(model: &Path) -> Vec<String> {
        let report = PathBuf::from(format!("{}.report.json", model.display()));
        let text =
            std::fs::read(&report).unwrap_or_else(|error| panic!("{}: {error}", report.display()));
        let report: serde_json::Value = serde_json::from_slice(&text).expect("a JSON report");
        report["issues"]["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|message| message["severity"] == 0)
            .filter_map(|message| message["code"].as_str().map(str::to_string))
            .collect()
    }

    /// Checks a model file on its own thread; the error says it panicked or
    /// did not finish within [`PER_FILE_LIMIT`].
    fn check_on_a_thread(model: &Path) -> Result<yunzhan_model::booth::BoothReport, String> {
        let dir = model.parent().expect("a folder").to_path_buf();
        let name = model
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let (send, receive) = mpsc::channel();
        let checker = std::thread::spawn(move || {
            let _ = send.send(check_model_file(&Folder(&dir), &name));
        });
        match receive.recv_timeout(PER_FILE_LIMIT) {
            Ok(report) => Ok(report),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(format!("did not finish within {PER_FILE_LIMIT:?}"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let payload = checker.join().expect_err("it ended without a report");
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("panicked: {message}"))
            }
        }
    }

    #[test]
    fn every_validator_test_file_is_checked_without_panic_or_hang_and_refusals_say_why() {
        let root = Path::new(CORPUS).join("test");
        assert!(
            root.is_dir(),
            "the glTF-Validator corpus is missing at {} (see /work/shared/corpora/README.md; \
             the repository and `shared` must sit side by side)",
            root.display()
        );
        let models = model_files(&root);
        assert!(models.len() >= 300, "only {} model files", models.len());
        let mut failures = Vec::new();
        // [validator valid, validator invalid] x [we accept the file, we refuse it]
        let mut table = [[0usize; 2]; 2];
        let mut accepted_despite_errors = Vec::new();
        let mut refused_though_valid = Vec::new();
        let mut slowest = (Duration::ZERO, PathBuf::new());
        for model in &models {
            let shown = model.strip_prefix(&root).unwrap_or(model).display();
            let started = Instant::now();
            let report = match check_on_a_thread(model) {
                Ok(report) => report,
                Err(why) => {
                    failures.push(format!("{shown}: {why}"));
                    continue;
                }
            };
            slowest = slowest.max((started.elapsed(), model.clone()));
            let name = model.file_name().unwrap().to_string_lossy();
            assert_every_problem_has_a_reason(&report, &name);
            let errors = validator_errors(model);
            let refused = report
                .problems
                .iter()
                .any(|problem| !BOOTH_RULES.iter().any(|rule| problem.contains(rule)));
            table[usize::from(!errors.is_empty())][usize::from(refused)] += 1;
            if !errors.is_empty() && !refused {
                accepted_despite_errors.push(format!("{shown} {errors:?}"));
            }
            if errors.is_empty() && refused {
                refused_though_valid.push(format!("{shown}: {:?}", report.problems));
            }
        }
        println!(
            "{} model files; slowest {:?} ({})",
            models.len(),
            slowest.0,
            slowest.1.display()
        );
        println!("                     accepted  refused");
        for (verdict, row) in ["validator: valid  ", "validator: errors "]
            .iter()
            .zip(table)
        {
            println!("  {verdict} {:>8} {:>8}", row[0], row[1]);
        }
        println!(
            "accepted as glTF (booth rules aside) despite validator errors:\n  {}",
            accepted_despite_errors.join("\n  ")
        );
        println!(
            "refused though the validator finds no error:\n  {}",
            refused_though_valid.join("\n  ")
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// Random damage to valid GLB and glTF files: no panic, and every refusal
/// says why.
mod mutations {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    /// Fields a mutation writes a number into: the array, the field.
    const NUMBER_FIELDS: [(&str, &str); 12] = [
        ("accessors", "count"),
        ("accessors", "byteOffset"),
        ("accessors", "bufferView"),
        ("accessors", "componentType"),
        ("bufferViews", "byteOffset"),
        ("bufferViews", "byteLength"),
        ("bufferViews", "byteStride"),
        ("bufferViews", "buffer"),
        ("buffers", "byteLength"),
        ("images", "bufferView"),
        ("nodes", "mesh"),
        ("textures", "source"),
    ];

    #[derive(Debug, Clone)]
    enum Mutation {
        /// Cut the model file short.
        Truncate(Index),
        /// Overwrite bytes of the model file.
        Flip(Vec<(Index, u8)>),
        /// Write `value` into a field (of [`NUMBER_FIELDS`]) of one element.
        Number {
            field: Index,
            element: Index,
            value: u64,
        },
        /// Make each second node a child of the first (cycles, shared children).
        Children(Vec<(Index, Index)>),
        /// Replace an image with these bytes, in a buffer view.
        Image { image: Index, bytes: Vec<u8> },
        /// A sparse substitution with these indices into the accessor.
        Sparse { accessor: Index, indices: Vec<u32> },
    }

    fn huge_or_small() -> impl Strategy<Value = u64> {
        prop_oneof![
            0..64u64,
            0..100_000u64,
            Just(u64::from(u32::MAX)),
            Just(1 << 53),
            (u64::MAX - 64)..=u64::MAX,
        ]
    }

    /// A PNG or JPEG header with any size, or random bytes, cut anywhere.
    fn bogus_image() -> impl Strategy<Value = Vec<u8>> {
        let png = (any::<u32>(), any::<u32>()).prop_map(|(w, h)| png_header(w, h));
        let jpeg = (any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(length, w, h)| {
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xC0];
            bytes.extend(length.to_be_bytes());
            bytes.push(8);
            bytes.extend(h.to_be_bytes());
            bytes.extend(w.to_be_bytes());
            bytes
        });
        (
            prop_oneof![png, jpeg, prop::collection::vec(any::<u8>(), 0..32)],
            any::<Index>(),
        )
            .prop_map(|(bytes, cut)| bytes[..cut.index(bytes.len() + 1)].to_vec())
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            any::<Index>().prop_map(Mutation::Truncate),
            prop::collection::vec((any::<Index>(), any::<u8>()), 1..8).prop_map(Mutation::Flip),
            (any::<Index>(), any::<Index>(), huge_or_small()).prop_map(
                |(field, element, value)| Mutation::Number {
                    field,
                    element,
                    value
                }
            ),
            prop::collection::vec((any::<Index>(), any::<Index>()), 1..4)
                .prop_map(Mutation::Children),
            (any::<Index>(), bogus_image())
                .prop_map(|(image, bytes)| Mutation::Image { image, bytes }),
            (
                any::<Index>(),
                prop::collection::vec(prop_oneof![0..8u32, any::<u32>()], 1..6)
            )
                .prop_map(|(accessor, indices)| Mutation::Sparse { accessor, indices }),
        ]
    }

    /// An element of a JSON array, if the array has any.
    fn element<'a>(document: &'a mut Value, array: &str, index: Index) -> Option<&'a mut Value> {
        let array = document.get_mut(array)?.as_array_mut()?;
        let at = (!array.is_empty()).then(|| index.index(array.len()))?;
        array.get_mut(at)
    }

    /// Applies a mutation that edits the JSON document and binary chunk.
    fn edit(document: &mut Value, bin: &mut Vec<u8>, mutation: &Mutation) {
        match mutation {
            Mutation::Number {
                field,
                element: at,
                value,
            } => {
                let (array, name) = NUMBER_FIELDS[field.index(NUMBER_FIELDS.len())];
                if let Some(object) = element(document, array, *at) {
                    object[name] = json!(value);
                }
            }
            Mutation::Children(edges) => {
                for (parent, child) in edges {
                    let count = document["nodes"].as_array().map_or(0, Vec::len);
                    if let Some(node) = element(document, "nodes", *parent) {
                        let children = node["children"].take();
                        let mut children = children.as_array().cloned().unwrap_or_default();
                        children.push(json!(child.index(count)));
                        node["children"] = json!(children);
                    }
                }
            }
            Mutation::Image { image, bytes } => {
                let view = add_view(document, bin, bytes);
                if let Some(image) = element(document, "images", *image) {
                    *image = json!({"bufferView": view, "mimeType": "image/png"});
                }
            }
            Mutation::Sparse { accessor, indices } => {
                let bytes: Vec<u8> = indices.iter().flat_map(|i| i.to_le_bytes()).collect();
                let indices_view = add_view(document, bin, &bytes);
                let values_view = add_view(document, bin, &vec![0; indices.len() * 16]);
                if let Some(accessor) = element(document, "accessors", *accessor) {
                    accessor["sparse"] = json!({
                        "count": indices.len(),
                        "indices": {"bufferView": indices_view, "componentType": 5125},
                        "values": {"bufferView": values_view}
                    });
                }
            }
            Mutation::Truncate(_) | Mutation::Flip(_) => {}
        }
    }

    /// Applies a mutation that damages the model file's bytes.
    fn damage(bytes: &mut Vec<u8>, mutation: &Mutation) {
        match mutation {
            Mutation::Truncate(at) if !bytes.is_empty() => bytes.truncate(at.index(bytes.len())),
            Mutation::Flip(flips) if !bytes.is_empty() => {
                for (at, value) in flips {
                    let at = at.index(bytes.len());
                    bytes[at] = *value;
                }
            }
            _ => {}
        }
    }

    /// The mutated model as `booth.glb`, or as `booth.gltf` with `booth.bin`.
    fn mutated(base: &[u8], as_gltf: bool, mutations: &[Mutation]) -> (FileMap, &'static str) {
        let (mut document, mut bin) = split_glb(base);
        for mutation in mutations {
            edit(&mut document, &mut bin, mutation);
        }
        let (mut files, name) = if as_gltf {
            (gltf_files(&assemble_glb(&document, &bin)), "booth.gltf")
        } else {
            (glb_files(assemble_glb(&document, &bin)), "booth.glb")
        };
        if let Some(Ok(bytes)) = files.get_mut(name) {
            for mutation in mutations {
                damage(bytes, mutation);
            }
        }
        (files, name)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(192))]

        #[test]
        fn damaged_models_never_panic_and_refusals_say_why(
            sample in any::<bool>(),
            as_gltf in any::<bool>(),
            mutations in prop::collection::vec(mutation(), 1..4),
        ) {
            let base = if sample { SAMPLE_GLB.to_vec() } else { small_glb() };
            let (files, name) = mutated(&base, as_gltf, &mutations);
            if let Some(Ok(bytes)) = files.get(name) {
                // What a preview fetches next, read from the same bytes.
                model_references(bytes);
            }
            let report = check_model_file(&files, name);
            assert_every_problem_has_a_reason(&report, name);
        }
    }
}
