#!/usr/bin/env python3
"""Writes the sample booth model assets/booths/sample/booth.glb (stdlib only):
a carpeted platform, a wood-panelled back wall with a teal band, a side
wall, a corner pillar and a reception counter, as boxes with flat normals
in four materials (the wood has a small PNG texture), plus the two empty
nodes Yunzhan needs: `yunzhan_header` (the centre of the exhibitor's name
header) and `yunzhan_cards` (the centre of the wall of project cards).
Units are metres, +Y up, the open side facing +Z, the origin at the middle
of the booth's 6 m x 4 m floor. See docs/booth-format.md.

    python3 assets/booths/sample/make-booth.py
"""
import json, pathlib, struct, zlib

OUT = pathlib.Path(__file__).resolve().parent
WOOD, TEAL, WHITE, CARPET = range(4)

# (x0, y0, z0, x1, y1, z1, material)
BOXES = [
    (-3.0, 0.0, -2.0, 3.0, 0.06, 2.0, CARPET),   # platform
    (-3.0, 0.0, -2.0, 3.0, 3.2, -1.85, WOOD),    # back wall
    (-3.0, 3.2, -2.0, 3.0, 3.9, -1.85, TEAL),    # band behind the header
    (-3.0, 0.0, -1.85, -2.88, 3.2, 0.4, WOOD),   # side wall
    (2.65, 0.0, 1.5, 2.95, 3.9, 1.8, TEAL),      # corner pillar
    (1.0, 0.06, 0.5, 2.4, 1.0, 1.2, TEAL),       # reception counter
    (0.95, 1.0, 0.45, 2.45, 1.06, 1.25, WHITE),  # counter top
]


def box(x0, y0, z0, x1, y1, z1):
    """24 vertices (4 per face, flat normals), texture coordinates in metres."""
    faces = [  # normal, four corners counter-clockwise seen from outside
        ((0, 0, 1), [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]),
        ((0, 0, -1), [(x1, y0, z0), (x0, y0, z0), (x0, y1, z0), (x1, y1, z0)]),
        ((1, 0, 0), [(x1, y0, z1), (x1, y0, z0), (x1, y1, z0), (x1, y1, z1)]),
        ((-1, 0, 0), [(x0, y0, z0), (x0, y0, z1), (x0, y1, z1), (x0, y1, z0)]),
        ((0, 1, 0), [(x0, y1, z1), (x1, y1, z1), (x1, y1, z0), (x0, y1, z0)]),
        ((0, -1, 0), [(x0, y0, z0), (x1, y0, z0), (x1, y0, z1), (x0, y0, z1)]),
    ]
    positions, normals, uvs, indices = [], [], [], []
    for normal, corners in faces:
        base = len(positions)
        for x, y, z in corners:
            positions.append((x, y, z))
            normals.append(normal)
            # Planar mapping on the face's two other axes, 1 unit per 1.5 m.
            u = (z if normal[0] else x) / 1.5
            uvs.append((u, 1 - (z if normal[1] else y) / 1.5))
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    return positions, normals, uvs, indices


def png(width, height, pixel):
    raw = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def wood(x, y):
    """Vertical planks 16 px wide with dark joints and a faint grain."""
    if x % 16 == 0:
        return (120, 88, 58)
    shade = 8 * ((x // 16) % 3) + (4 if (y + 3 * x) % 11 == 0 else 0)
    return (200 - shade, 162 - shade, 112 - shade)


blobs, views, accessors, primitives = [], [], [], []


def add(data, fmt, count, kind, component, target=None, bounds=False):
    blob = struct.pack(f"<{len(data)}{fmt}", *data)
    view = {"buffer": 0, "byteOffset": sum((len(b) + 3) // 4 * 4 for b in blobs), "byteLength": len(blob)}
    if target:
        view["target"] = target
    blobs.append(blob)
    views.append(view)
    accessor = {"bufferView": len(views) - 1, "componentType": component, "count": count, "type": kind}
    if bounds:
        triples = [data[i:i + 3] for i in range(0, len(data), 3)]
        accessor["min"] = [min(t[i] for t in triples) for i in range(3)]
        accessor["max"] = [max(t[i] for t in triples) for i in range(3)]
    accessors.append(accessor)
    return len(accessors) - 1


triangles = 0
for material in range(4):
    positions, normals, uvs, indices = [], [], [], []
    for *corners, m in BOXES:
        if m != material:
            continue
        p, n, t, i = box(*corners)
        indices += [len(positions) + k for k in i]
        positions += p
        normals += n
        uvs += t
    triangles += len(indices) // 3
    flat = lambda rows: [c for row in rows for c in row]
    primitives.append({
        "attributes": {
            "POSITION": add(flat(positions), "f", len(positions), "VEC3", 5126, 34962, bounds=True),
            "NORMAL": add(flat(normals), "f", len(normals), "VEC3", 5126, 34962),
            "TEXCOORD_0": add(flat(uvs), "f", len(uvs), "VEC2", 5126, 34962),
        },
        "indices": add(indices, "H", len(indices), "SCALAR", 5123, 34963),
        "material": material,
    })

texture = png(64, 64, wood)
blobs.append(texture)
views.append({"buffer": 0, "byteOffset": sum((len(b) + 3) // 4 * 4 for b in blobs[:-1]), "byteLength": len(texture)})
binary = b"".join(blob + b"\0" * ((4 - len(blob) % 4) % 4) for blob in blobs)

gltf = {
    "asset": {"version": "2.0", "generator": "yunzhan assets/booths/sample/make-booth.py"},
    "scene": 0,
    "scenes": [{"nodes": [0, 1, 2]}],
    "nodes": [{"name": "booth", "mesh": 0},
              {"name": "yunzhan_header", "translation": [0, 3.55, -1.83]},
              {"name": "yunzhan_cards", "translation": [0, 1.75, -1.83]}],
    "meshes": [{"name": "booth", "primitives": primitives}],
    "materials": [
        {"name": "wood", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0, "roughnessFactor": 0.8}},
        {"name": "teal", "pbrMetallicRoughness": {"baseColorFactor": [0.02, 0.28, 0.32, 1], "metallicFactor": 0, "roughnessFactor": 0.5}},
        {"name": "white", "pbrMetallicRoughness": {"baseColorFactor": [0.85, 0.85, 0.82, 1], "metallicFactor": 0, "roughnessFactor": 0.3}},
        {"name": "carpet", "pbrMetallicRoughness": {"baseColorFactor": [0.18, 0.2, 0.26, 1], "metallicFactor": 0, "roughnessFactor": 1}},
    ],
    "textures": [{"source": 0}],
    "images": [{"name": "wood", "bufferView": len(views) - 1, "mimeType": "image/png"}],
    "accessors": accessors,
    "bufferViews": views,
    "buffers": [{"byteLength": len(binary)}],
}
text = json.dumps(gltf).encode()
text += b" " * ((4 - len(text) % 4) % 4)
glb = (struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(text) + 8 + len(binary))
       + struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(binary), b"BIN\0") + binary)
(OUT / "booth.glb").write_bytes(glb)


def logo(x, y):
    """A teal roundel with a white ring on white: the sample exhibitor's mark."""
    d = ((x - 32) ** 2 + (y - 32) ** 2) ** 0.5
    if d < 18:
        return (10, 110, 125)
    if d < 24:
        return (255, 255, 255)
    if d < 30:
        return (10, 110, 125)
    return (255, 255, 255)


(OUT / "logo.png").write_bytes(png(64, 64, logo))
print(f"booth.glb: {len(glb)} bytes, {triangles} triangles")
