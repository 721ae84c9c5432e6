//! A checked booth model read into plain geometry: triangle lists with
//! their model-space transforms, materials, encoded textures and the two
//! anchor nodes. The app turns this into meshes; nothing here needs a GPU.

use std::borrow::Cow;

use super::REQUIRED_NODES;

/// A 4x4 transform, column-major as in glTF.
pub(super) type Matrix = [f32; 16];

const IDENTITY: Matrix = [
    1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
];

/// A booth model ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct BoothModel {
    pub meshes: Vec<ModelMesh>,
    pub materials: Vec<ModelMaterial>,
    /// Encoded PNG or JPEG bytes by glTF image index (empty when unreadable).
    pub images: Vec<Vec<u8>>,
    /// Model-space transform of the `yunzhan_header` node.
    pub header: Matrix,
    /// Model-space transform of the `yunzhan_cards` node.
    pub cards: Matrix,
}

/// One triangle list in model space (its node's transform already applied).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMesh {
    pub positions: Vec<[f32; 3]>,
    /// Empty when the file has none (the app computes them).
    pub normals: Vec<[f32; 3]>,
    /// Empty when the file has none.
    pub uvs: Vec<[f32; 2]>,
    pub indices: Vec<u32>,
    pub material: Option<usize>,
}

/// The glTF metallic-roughness material, as far as a booth uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMaterial {
    /// Linear RGBA.
    pub base_color: [f32; 4],
    /// Index into [`BoothModel::images`].
    pub base_color_image: Option<usize>,
    pub metallic: f32,
    pub roughness: f32,
    /// Linear RGB.
    pub emissive: [f32; 3],
    pub double_sided: bool,
    /// Alpha blending (glTF `BLEND`); `MASK` is treated as opaque.
    pub blend: bool,
}

impl BoothModel {
    /// The axis-aligned box around every vertex, model space.
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        let mut min = [f32::INFINITY; 3];
        let mut max = [f32::NEG_INFINITY; 3];
        for position in self.meshes.iter().flat_map(|mesh| &mesh.positions) {
            for axis in 0..3 {
                min[axis] = min[axis].min(position[axis]);
                max[axis] = max[axis].max(position[axis]);
            }
        }
        if self.meshes.iter().all(|mesh| mesh.positions.is_empty()) {
            return ([0.0; 3], [0.0; 3]);
        }
        (min, max)
    }

    /// Where the model stands in a visitor's way: the cells of a `cell`-metre
    /// grid over the floor (`[x, z]`, model space) crossed by a surface
    /// between `low` and `high` metres up, as rectangles (runs along x
    /// merged). Platforms and overhead beams stay walkable.
    pub fn obstacles(&self, cell: f32, low: f32, high: f32) -> Vec<crate::layout::Rect> {
        let (min, max) = self.bounds();
        let columns = (((max[0] - min[0]) / cell).ceil() as usize).max(1);
        let rows = (((max[2] - min[2]) / cell).ceil() as usize).max(1);
        let mut blocked = vec![false; columns * rows];
        let mut mark = |p: [f32; 3]| {
            if (low..=high).contains(&p[1]) {
                let column = (((p[0] - min[0]) / cell) as usize).min(columns - 1);
                let row = (((p[2] - min[2]) / cell) as usize).min(rows - 1);
                blocked[row * columns + column] = true;
            }
        };
        for mesh in &self.meshes {
            for triangle in mesh.indices.chunks_exact(3) {
                let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[triangle[k] as usize]);
                let edge = |p: [f32; 3], q: [f32; 3]| {
                    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
                };
                // Sample the triangle at least every half cell.
                let steps = ((edge(a, b).max(edge(b, c)).max(edge(c, a)) / (cell / 2.0)).ceil()
                    as usize)
                    .clamp(1, 400);
                for i in 0..=steps {
                    for j in 0..=steps - i {
                        let (u, v) = (i as f32 / steps as f32, j as f32 / steps as f32);
                        let w = 1.0 - u - v;
                        mark([0, 1, 2].map(|k| a[k] * w + b[k] * u + c[k] * v));
                    }
                }
            }
        }
        let mut rects = Vec::new();
        for row in 0..rows {
            let mut column = 0;
            while column < columns {
                if !blocked[row * columns + column] {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < columns && blocked[row * columns + column] {
                    column += 1;
                }
                rects.push(crate::layout::Rect::new(
                    min[0] + start as f32 * cell,
                    min[2] + row as f32 * cell,
                    (min[0] + column as f32 * cell).min(max[0]),
                    (min[2] + (row + 1) as f32 * cell).min(max[2]),
                ));
            }
        }
        rects
    }

    /// Triangles in all meshes.
    pub fn triangles(&self) -> usize {
        self.meshes.iter().map(|mesh| mesh.indices.len() / 3).sum()
    }
}

fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    let mut out = [0.0; 16];
    for column in 0..4 {
        for row in 0..4 {
            out[column * 4 + row] = (0..4).map(|k| a[k * 4 + row] * b[column * 4 + k]).sum();
        }
    }
    out
}

fn transform_point(m: &Matrix, p: [f32; 3]) -> [f32; 3] {
    let w = m[3] * p[0] + m[7] * p[1] + m[11] * p[2] + m[15];
    let w = if w.abs() > f32::EPSILON { w } else { 1.0 };
    [0, 1, 2].map(|row| (m[row] * p[0] + m[4 + row] * p[1] + m[8 + row] * p[2] + m[12 + row]) / w)
}

/// The determinant of the upper 3x3: negative for a mirroring transform.
fn determinant(m: &Matrix) -> f32 {
    let c = cofactors(m);
    m[0] * c[0][0] + m[4] * c[0][1] + m[8] * c[0][2]
}

/// Normals go through the inverse transpose of the upper 3x3: the cofactor
/// matrix, with the determinant's sign (its size does not matter, normals
/// are normalised).
fn normal_matrix(m: &Matrix) -> [[f32; 3]; 3] {
    let sign = determinant(m).signum();
    cofactors(m).map(|row| row.map(|c| c * sign))
}

fn cofactors(m: &Matrix) -> [[f32; 3]; 3] {
    let a = |row: usize, column: usize| m[column * 4 + row];
    let cofactor =
        |r0: usize, r1: usize, c0: usize, c1: usize| a(r0, c0) * a(r1, c1) - a(r0, c1) * a(r1, c0);
    // Rows of the cofactor matrix = columns of the inverse transpose (up to scale).
    [
        [
            cofactor(1, 2, 1, 2),
            -cofactor(1, 2, 0, 2),
            cofactor(1, 2, 0, 1),
        ],
        [
            -cofactor(0, 2, 1, 2),
            cofactor(0, 2, 0, 2),
            -cofactor(0, 2, 0, 1),
        ],
        [
            cofactor(0, 1, 1, 2),
            -cofactor(0, 1, 0, 2),
            cofactor(0, 1, 0, 1),
        ],
    ]
}

fn transform_normal(n: &[[f32; 3]; 3], v: [f32; 3]) -> [f32; 3] {
    let out = [0, 1, 2].map(|row| n[row][0] * v[0] + n[row][1] * v[1] + n[row][2] * v[2]);
    let length = (out[0] * out[0] + out[1] * out[1] + out[2] * out[2]).sqrt();
    if length > f32::EPSILON {
        out.map(|c| c / length)
    } else {
        [0.0, 1.0, 0.0]
    }
}

/// Reads a model whose structure and budgets were checked. `images` are the
/// encoded images by index, as the check found them.
pub(super) fn read(
    document: &gltf::Document,
    buffers: &[Cow<[u8]>],
    images: Vec<Vec<u8>>,
) -> Result<BoothModel, String> {
    let mut model = BoothModel {
        meshes: Vec::new(),
        materials: document.materials().map(material).collect(),
        images,
        header: IDENTITY,
        cards: IDENTITY,
    };
    let world = world_transforms(document);
    for node in document.nodes() {
        let transform = world[node.index()];
        match node.name() {
            Some(name) if name == REQUIRED_NODES[0] => model.header = transform,
            Some(name) if name == REQUIRED_NODES[1] => model.cards = transform,
            _ => {}
        }
        let Some(mesh) = node.mesh() else { continue };
        for primitive in mesh.primitives() {
            let label = format!(
                "mesh {:?} primitive {}",
                mesh.name().unwrap_or(""),
                primitive.index()
            );
            if let Some(read) = read_primitive(&primitive, buffers, &transform)
                .map_err(|why| format!("{label}: {why}"))?
            {
                model.meshes.push(read);
            }
        }
    }
    Ok(model)
}

/// A node's own transform.
fn local_transform(node: &gltf::Node) -> Matrix {
    node.transform()
        .matrix()
        .concat()
        .try_into()
        .unwrap_or(IDENTITY)
}

/// Every node's model-space transform by index, walking the scene down
/// from its roots (nodes form a forest: checked before); a node outside the
/// scene keeps its own transform.
fn world_transforms(document: &gltf::Document) -> Vec<Matrix> {
    let mut world: Vec<Option<Matrix>> = vec![None; document.nodes().len()];
    let roots: Vec<gltf::Node> = match document
        .default_scene()
        .or_else(|| document.scenes().next())
    {
        Some(scene) => scene.nodes().collect(),
        None => document.nodes().collect(),
    };
    let mut stack: Vec<(gltf::Node, Matrix)> = roots.into_iter().map(|n| (n, IDENTITY)).collect();
    while let Some((node, parent)) = stack.pop() {
        if world[node.index()].is_some() {
            continue; // a scene may list a node twice
        }
        let transform = multiply(&parent, &local_transform(&node));
        world[node.index()] = Some(transform);
        stack.extend(node.children().map(|child| (child, transform)));
    }
    document
        .nodes()
        .map(|node| world[node.index()].unwrap_or_else(|| local_transform(&node)))
        .collect()
}

fn material(material: gltf::Material) -> ModelMaterial {
    let pbr = material.pbr_metallic_roughness();
    ModelMaterial {
        base_color: pbr.base_color_factor(),
        base_color_image: pbr
            .base_color_texture()
            .map(|info| info.texture().source().index()),
        metallic: pbr.metallic_factor(),
        roughness: pbr.roughness_factor(),
        emissive: material.emissive_factor(),
        double_sided: material.double_sided(),
        blend: material.alpha_mode() == gltf::material::AlphaMode::Blend,
    }
}

/// Turns a primitive's vertex order into a triangle list.
type Triangulate = fn(&[u32]) -> Vec<u32>;

/// How a primitive's mode turns its vertex order into a triangle list;
/// None for points and lines.
fn triangle_list(mode: gltf::mesh::Mode) -> Option<Triangulate> {
    use gltf::mesh::Mode;
    match mode {
        Mode::Triangles => Some(|order| order[..order.len() / 3 * 3].to_vec()),
        Mode::TriangleStrip => Some(|order| {
            (2..order.len())
                .flat_map(|i| {
                    if i % 2 == 0 {
                        [order[i - 2], order[i - 1], order[i]]
                    } else {
                        [order[i - 1], order[i - 2], order[i]]
                    }
                })
                .collect()
        }),
        Mode::TriangleFan => Some(|order| {
            (2..order.len())
                .flat_map(|i| [order[0], order[i - 1], order[i]])
                .collect()
        }),
        _ => None,
    }
}

/// A primitive as a triangle list; None for points and lines.
fn read_primitive(
    primitive: &gltf::Primitive,
    buffers: &[Cow<[u8]>],
    transform: &Matrix,
) -> Result<Option<ModelMesh>, String> {
    let Some(triangles) = triangle_list(primitive.mode()) else {
        return Ok(None);
    };
    let reader = primitive.reader(|buffer| buffers.get(buffer.index()).map(|data| &**data));
    let positions: Vec<[f32; 3]> = reader
        .read_positions()
        .ok_or("no readable POSITION attribute")?
        .map(|p| transform_point(transform, p))
        .collect();
    if positions.iter().flatten().any(|c| !c.is_finite()) {
        return Err(
            "a vertex lies at no finite position (NaN or infinity in POSITION or a node's transform); export the model again"
                .to_string(),
        );
    }
    // Normals and UVs only when there is one for every vertex.
    let one_each = |semantic| {
        primitive
            .get(&semantic)
            .is_some_and(|accessor| accessor.count() == positions.len())
    };
    let normal_matrix = normal_matrix(transform);
    let normals: Vec<[f32; 3]> = match reader.read_normals() {
        Some(normals) if one_each(gltf::Semantic::Normals) => normals
            .map(|n| transform_normal(&normal_matrix, n))
            .collect(),
        _ => Vec::new(),
    };
    let uvs: Vec<[f32; 2]> = match reader.read_tex_coords(0) {
        Some(uvs) if one_each(gltf::Semantic::TexCoords(0)) => uvs.into_f32().collect(),
        _ => Vec::new(),
    };
    let order: Vec<u32> = match reader.read_indices() {
        Some(indices) => indices.into_u32().collect(),
        None => (0..positions.len() as u32).collect(),
    };
    if let Some(&bad) = order.iter().find(|&&i| i as usize >= positions.len()) {
        return Err(format!(
            "index {bad} points past the {} vertices; export the model again",
            positions.len()
        ));
    }
    let indices = triangles(&order);
    // A mirroring transform turns faces inside out: keep them facing out.
    let indices = if determinant(transform) < 0.0 {
        indices
            .chunks_exact(3)
            .flat_map(|t| [t[0], t[2], t[1]])
            .collect()
    } else {
        indices
    };
    Ok(Some(ModelMesh {
        positions,
        normals,
        uvs,
        indices,
        material: primitive.material().index(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiply_composes_translation_then_scale() {
        let mut translate = IDENTITY;
        translate[12] = 1.0;
        let mut scale = IDENTITY;
        scale[0] = 2.0;
        // translate * scale: scale first, then move.
        let m = multiply(&translate, &scale);
        assert_eq!(transform_point(&m, [1.0, 0.0, 0.0]), [3.0, 0.0, 0.0]);
        let m = multiply(&scale, &translate);
        assert_eq!(transform_point(&m, [1.0, 0.0, 0.0]), [4.0, 0.0, 0.0]);
    }

    #[test]
    fn normals_survive_non_uniform_scale() {
        let mut scale = IDENTITY;
        scale[0] = 4.0;
        // A 45° slope's normal leans further towards +Y once x is stretched.
        let n = transform_normal(&normal_matrix(&scale), [1.0, 1.0, 0.0]);
        assert!(n[1] > n[0] * 3.9 && (n[0] * n[0] + n[1] * n[1] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn a_mirror_keeps_normals_pointing_out() {
        let mut mirror = IDENTITY;
        mirror[0] = -1.0;
        assert!(determinant(&mirror) < 0.0);
        // A face looking +x, mirrored, looks -x.
        let n = transform_normal(&normal_matrix(&mirror), [1.0, 0.0, 0.0]);
        assert_eq!(n, [-1.0, 0.0, 0.0]);
    }
}
