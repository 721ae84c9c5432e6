//! What the gltf crate indexes or slices without checking, checked first on
//! the raw JSON document: the accessors a primitive names exist (the crate's
//! own validation indexes POSITION's unchecked), every image has a source,
//! every buffer view and accessor lies inside the bytes it names (checked
//! arithmetic throughout), what the reader reads has the type it assumes,
//! nodes form a forest, and sparse indices stay inside their accessor.

use std::borrow::Cow;

use gltf::json::accessor::{ComponentType, GenericComponentType, Type};
use gltf::json::buffer::View;
use gltf::json::mesh::{Primitive, Semantic};
use gltf::json::validation::{Checked, Error};
use gltf::json::{Accessor, Root};

use super::MAX_MODEL_BYTES;

/// The document once its structure is sound; else what is wrong with it.
pub(super) fn document(root: Root) -> Result<gltf::Document, Vec<String>> {
    let mut unreadable: Vec<String> = other_version(&root).into_iter().collect();
    unreadable.extend(missing_primitive_accessors(&root));
    if !unreadable.is_empty() {
        return Err(unreadable);
    }
    let document = gltf::Document::from_json(root).map_err(validation_problems)?;
    let json = document.as_json();
    let mut problems = image_sources(json);
    problems.extend(buffer_views(json));
    problems.extend(accessors(json));
    problems.extend(read_attribute_types(json));
    problems.extend(node_forest(json));
    if problems.is_empty() {
        Ok(document)
    } else {
        Err(problems)
    }
}

/// Why the document is not glTF 2, if it is not.
fn other_version(root: &Root) -> Option<String> {
    let version = &root.asset.version;
    (version.split('.').next() != Some("2"))
        .then(|| format!("asset.version is {version:?}; only glTF 2.0 is read"))
}

/// The gltf crate's validation errors, worded for an exhibitor.
fn validation_problems(error: gltf::Error) -> Vec<String> {
    let gltf::Error::Validation(errors) = error else {
        return vec![error.to_string()];
    };
    errors
        .iter()
        .map(|(path, error)| {
            let why = match error {
                Error::IndexOutOfBounds => "names an object the file does not have",
                Error::Invalid => "has a value glTF does not allow",
                Error::Missing => "is missing",
                Error::Oversize => "is too large",
                Error::Unsupported => "is an extension Yunzhan does not support",
            };
            format!("{path} {why}")
        })
        .collect()
}

/// Every mesh primitive with its path (`meshes[m].primitives[p]`).
fn primitives(root: &Root) -> impl Iterator<Item = (String, &Primitive)> {
    root.meshes.iter().enumerate().flat_map(|(m, mesh)| {
        mesh.primitives
            .iter()
            .enumerate()
            .map(move |(p, primitive)| (format!("meshes[{m}].primitives[{p}]"), primitive))
    })
}

/// The accessors a primitive names: by attribute (None for `indices`).
fn named_accessors(
    primitive: &Primitive,
) -> impl Iterator<Item = (Option<&Checked<Semantic>>, usize)> {
    let attributes = primitive
        .attributes
        .iter()
        .map(|(semantic, accessor)| (Some(semantic), accessor.value()));
    let indices = primitive
        .indices
        .iter()
        .map(|accessor| (None, accessor.value()));
    attributes.chain(indices)
}

/// A primitive's field naming an accessor: `attributes.NAME` or `indices`.
fn field(semantic: Option<&Checked<Semantic>>) -> String {
    semantic.map_or("indices".to_string(), |semantic| {
        format!("attributes.{}", semantic.to_string())
    })
}

/// Accessors that primitives name but the file lacks (the gltf crate's own
/// validation indexes POSITION's without checking).
fn missing_primitive_accessors(root: &Root) -> Vec<String> {
    let count = root.accessors.len();
    primitives(root)
        .flat_map(|(path, primitive)| {
            named_accessors(primitive)
                .filter(|&(_, accessor)| accessor >= count)
                .map(move |(semantic, accessor)| {
                    format!(
                        "{path}.{} names accessor {accessor}, but the file has {count} accessors",
                        field(semantic)
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn image_sources(root: &Root) -> Vec<String> {
    let problems = root.images.iter().enumerate().filter_map(|(index, image)| {
        let why = match (&image.uri, &image.buffer_view, &image.mime_type) {
            (None, None, _) => "has neither a uri nor a bufferView",
            (Some(_), Some(_), _) => "has both a uri and a bufferView; give one",
            (None, Some(_), None) => {
                "is in a bufferView but has no mimeType (image/png or image/jpeg)"
            }
            _ => return None,
        };
        Some(format!("images[{index}] {why}"))
    });
    problems.collect()
}

fn buffer_views(root: &Root) -> Vec<String> {
    let problems = root.buffer_views.iter().enumerate().filter_map(|(index, view)| {
        let buffer = view.buffer.value();
        let available = root.buffers.get(buffer)?.byte_length.0;
        let (offset, length) = (view.byte_offset.unwrap_or_default().0, view.byte_length.0);
        match offset.checked_add(length) {
            Some(end) if end <= available => None,
            _ => Some(format!(
                "bufferViews[{index}]: {length} bytes from byte {offset} lie beyond the end of buffers[{buffer}] ({available} bytes)"
            )),
        }
    });
    problems.collect()
}

/// Bytes of one element of an accessor, when its types are valid.
fn element_bytes(accessor: &Accessor) -> Option<u64> {
    match (accessor.component_type, accessor.type_) {
        (Checked::Valid(GenericComponentType(component)), Checked::Valid(kind)) => {
            Some((component.size() * kind.multiplicity()) as u64)
        }
        _ => None,
    }
}

/// Where `count` elements of `size` bytes end, the first at `offset`, each
/// `stride` after the last (as the gltf crate's reader slices them); None
/// when that does not fit in a `u64`.
fn span_end(offset: u64, count: u64, size: u64, stride: u64) -> Option<u64> {
    count
        .checked_sub(1)?
        .checked_mul(stride)?
        .checked_add(size)?
        .checked_add(offset)
}

/// `count` elements of `size` bytes from `offset` in buffer view `view`:
/// why they do not fit, if they do not.
fn outside_view(root: &Root, view: usize, offset: u64, count: u64, size: u64) -> Option<String> {
    let View {
        byte_length,
        byte_stride,
        ..
    } = root.buffer_views.get(view)?;
    let stride = byte_stride.map_or(size, |stride| stride.0 as u64);
    if stride < size {
        return Some(format!(
            "its elements of {size} bytes are longer than bufferViews[{view}]'s byteStride {stride}"
        ));
    }
    match span_end(offset, count, size, stride) {
        Some(end) if end <= byte_length.0 => None,
        _ => Some(format!(
            "{count} elements of {size} bytes from byte {offset} (every {stride} bytes) do not fit in bufferViews[{view}] ({} bytes)",
            byte_length.0
        )),
    }
}

/// Each accessor's elements lie inside its buffer view (or, sparse only,
/// within the size budget), and so do its sparse indices and values.
fn accessors(root: &Root) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, accessor) in root.accessors.iter().enumerate() {
        let Some(size) = element_bytes(accessor) else {
            continue; // reported by the gltf crate's validation
        };
        let count = accessor.count.0;
        let why = if count == 0 {
            Some("count 0: an accessor holds at least one element".to_string())
        } else if let Some(view) = accessor.buffer_view {
            let offset = accessor.byte_offset.unwrap_or_default().0;
            outside_view(root, view.value(), offset, count, size)
        } else {
            // Sparse only: elements the reader makes from nothing.
            count
                .checked_mul(size)
                .is_none_or(|bytes| bytes > MAX_MODEL_BYTES)
                .then(|| format!("{count} elements of {size} bytes without a bufferView are over the {MAX_MODEL_BYTES}-byte limit"))
        };
        problems.extend(why.map(|why| format!("accessors[{index}]: {why}")));
        problems.extend(sparse_layout(root, index, accessor, size));
    }
    problems
}

/// What is wrong with where accessor `index`'s sparse indices and values lie.
fn sparse_layout(root: &Root, index: usize, accessor: &Accessor, size: u64) -> Option<String> {
    let sparse = accessor.sparse.as_ref()?;
    let path = format!("accessors[{index}].sparse");
    let (count, most) = (sparse.count.0, accessor.count.0);
    if count == 0 || count > most {
        return Some(format!(
            "{path}: count {count} is not between 1 and the accessor's count {most}"
        ));
    }
    let Checked::Valid(index_type) = sparse.indices.component_type else {
        return None; // reported by the gltf crate's validation
    };
    let (indices, values) = (&sparse.indices, &sparse.values);
    let index_bytes = index_type.0.size() as u64;
    let indices = outside_view(
        root,
        indices.buffer_view.value(),
        indices.byte_offset.0,
        count,
        index_bytes,
    );
    let values = outside_view(
        root,
        values.buffer_view.value(),
        values.byte_offset.0,
        count,
        size,
    );
    indices
        .map(|why| format!("{path}.indices: {why}"))
        .or(values.map(|why| format!("{path}.values: {why}")))
}

fn component_name(component: ComponentType) -> &'static str {
    match component {
        ComponentType::I8 => "BYTE",
        ComponentType::U8 => "UNSIGNED_BYTE",
        ComponentType::I16 => "SHORT",
        ComponentType::U16 => "UNSIGNED_SHORT",
        ComponentType::U32 => "UNSIGNED_INT",
        ComponentType::F32 => "FLOAT",
    }
}

fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::Scalar => "SCALAR",
        Type::Vec2 => "VEC2",
        Type::Vec3 => "VEC3",
        Type::Vec4 => "VEC4",
        Type::Mat2 => "MAT2",
        Type::Mat3 => "MAT3",
        Type::Mat4 => "MAT4",
    }
}

/// The type and component types the booth reader (and the gltf crate's
/// reader under it, which asserts or panics on others) reads a field as.
fn read_as(semantic: Option<&Checked<Semantic>>) -> Option<(Type, &'static [ComponentType])> {
    use ComponentType::{F32, U8, U16, U32};
    match semantic {
        None => Some((Type::Scalar, &[U8, U16, U32])),
        Some(Checked::Valid(Semantic::Positions | Semantic::Normals)) => Some((Type::Vec3, &[F32])),
        Some(Checked::Valid(Semantic::TexCoords(0))) => Some((Type::Vec2, &[F32, U8, U16])),
        Some(_) => None,
    }
}

/// What the reader reads has the type it reads it as (see [`read_as`]).
fn read_attribute_types(root: &Root) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, primitive) in primitives(root) {
        for (semantic, index) in named_accessors(primitive) {
            let (Some((kind, components)), Some(accessor)) =
                (read_as(semantic), root.accessors.get(index))
            else {
                continue;
            };
            let (Checked::Valid(GenericComponentType(found)), Checked::Valid(found_kind)) =
                (accessor.component_type, accessor.type_)
            else {
                continue; // reported by the gltf crate's validation
            };
            if found_kind != kind || !components.contains(&found) {
                let allowed: Vec<&str> = components.iter().map(|&c| component_name(c)).collect();
                problems.push(format!(
                    "{path}.{}: accessors[{index}] holds {} {} values; it must hold {} of {}",
                    field(semantic),
                    type_name(found_kind),
                    component_name(found),
                    type_name(kind),
                    allowed.join(" or ")
                ));
            }
        }
    }
    problems
}

/// Nodes form a forest: no node is the child of two, none its own
/// ancestor (a cycle would make any walk down the scene endless).
fn node_forest(root: &Root) -> Vec<String> {
    let mut problems = Vec::new();
    let mut parents: Vec<Option<usize>> = vec![None; root.nodes.len()];
    for (index, node) in root.nodes.iter().enumerate() {
        for child in node.children.iter().flatten().map(|child| child.value()) {
            match parents.get_mut(child) {
                Some(Some(other)) => problems.push(format!(
                    "nodes[{child}] is a child of both nodes[{other}] and nodes[{index}]; a node has one parent"
                )),
                Some(parent) => *parent = Some(index),
                None => {} // reported by the gltf crate's validation
            }
        }
    }
    problems.extend(cycles(&parents).iter().map(|cycle| describe_cycle(cycle)));
    problems
}

/// The cycles among nodes that have at most one parent each, each from its
/// lowest node down to the child that closes it. Walks up from every node
/// once, so a long chain takes linear time.
fn cycles(parents: &[Option<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unvisited,
        OnThisWalk,
        Finished,
    }
    let mut state = vec![Mark::Unvisited; parents.len()];
    let mut found = Vec::new();
    for start in 0..parents.len() {
        let mut walked = Vec::new();
        let mut at = Some(start);
        while let Some(node) = at.filter(|&node| state[node] == Mark::Unvisited) {
            state[node] = Mark::OnThisWalk;
            walked.push(node);
            at = parents[node];
        }
        if let Some(closing) = at.filter(|&node| state[node] == Mark::OnThisWalk) {
            // Walked child to parent; the cycle is the walk from `closing` on.
            let from = walked.iter().position(|&node| node == closing).unwrap_or(0);
            let mut cycle: Vec<usize> = walked[from..].iter().rev().copied().collect();
            let lowest = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
            cycle.rotate_left(lowest);
            found.push(cycle);
        }
        for node in walked {
            state[node] = Mark::Finished;
        }
    }
    found
}

/// A cycle of nodes (parent first) in words.
fn describe_cycle(cycle: &[usize]) -> String {
    const MOST_SHOWN: usize = 6;
    let first = cycle.first().copied().unwrap_or_default();
    if cycle.len() == 1 {
        return format!("nodes[{first}] is its own child; nodes must form a tree");
    }
    let shown: Vec<String> = cycle
        .iter()
        .take(MOST_SHOWN)
        .map(|node| format!("nodes[{node}]"))
        .collect();
    let rest = if cycle.len() > MOST_SHOWN {
        format!(" → … ({} nodes in all)", cycle.len())
    } else {
        String::new()
    };
    format!(
        "{}{rest} → nodes[{first}] form a cycle, each the child of the one before; nodes must form a tree",
        shown.join(" → ")
    )
}

/// Sparse indices rise strictly and stay below their accessor's count (the
/// gltf crate's reader silently drops the rest). Needs the buffers' bytes,
/// each at least as long as it declares, and a [`document`]-checked root.
pub(super) fn sparse_indices(root: &Root, buffers: &[Cow<[u8]>]) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, accessor) in root.accessors.iter().enumerate() {
        let Some(sparse) = &accessor.sparse else {
            continue;
        };
        let Checked::Valid(index_type) = sparse.indices.component_type else {
            continue;
        };
        let Some(view) = root.buffer_views.get(sparse.indices.buffer_view.value()) else {
            continue;
        };
        let size = index_type.0.size();
        let stride = view.byte_stride.map_or(size, |stride| stride.0);
        let start = view
            .byte_offset
            .unwrap_or_default()
            .0
            .checked_add(sparse.indices.byte_offset.0)
            .and_then(|start| usize::try_from(start).ok());
        let Some(bytes) = start.and_then(|start| buffers.get(view.buffer.value())?.get(start..))
        else {
            continue;
        };
        let count = usize::try_from(sparse.count.0).unwrap_or(usize::MAX);
        let values = bytes.chunks(stride).take(count).map_while(|element| {
            let little_endian = element.get(..size)?;
            Some(
                little_endian
                    .iter()
                    .rev()
                    .fold(0u64, |value, &byte| value << 8 | u64::from(byte)),
            )
        });
        if let Some(why) = first_misplaced(values, accessor.count.0) {
            problems.push(format!("accessors[{index}].sparse: {why}"));
        }
    }
    problems
}

/// Why a list of sparse indices is not strictly rising below `count`.
fn first_misplaced(indices: impl Iterator<Item = u64>, count: u64) -> Option<String> {
    let mut previous = None;
    for index in indices {
        if index >= count {
            return Some(format!(
                "sparse index {index} is past the accessor's {count} elements"
            ));
        }
        if let Some(previous) = previous
            && previous >= index
        {
            return Some(format!(
                "sparse indices must rise, but {previous} is followed by {index}"
            ));
        }
        previous = Some(index);
    }
    None
}
