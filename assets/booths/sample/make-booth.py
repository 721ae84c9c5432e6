#!/usr/bin/env python3
"""Writes the sample booth model assets/booths/sample/booth.glb (stdlib only):
a floor, a back wall and two side walls as one mesh of boxes (with a small
wood-colour PNG texture), plus the two empty nodes Yunzhan needs:
`yunzhan_header` (where the exhibitor's name goes) and `yunzhan_cards`
(the centre of the wall of project cards). Units are metres, +Y up, the
open side facing +Z. See docs/booth-format.md.

    python3 assets/booths/sample/make-booth.py
"""
import json, pathlib, struct, zlib

OUT = pathlib.Path(__file__).resolve().parent

def box(x0, y0, z0, x1, y1, z1):
    corners = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    return corners, [i for a, b, c, d in faces for i in (a, b, c, a, c, d)]

parts = [box(-3, 0, -1.5, 3, 0.05, 1.5), box(-3, 0, -1.5, 3, 3.5, -1.35),
         box(-3, 0, -1.5, -2.85, 3.5, 1.5), box(2.85, 0, -1.5, 3, 3.5, 1.5)]
positions, uvs, indices = [], [], []
for corners, faces in parts:
    base = len(positions)
    positions += corners
    uvs += [((x + 3) / 6, 1 - y / 3.5) for x, y, z in corners]
    indices += [base + i for i in faces]

def png(width, height, rgb):
    raw = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

texture = png(64, 64, (196, 160, 112))
blobs = [struct.pack(f"<{len(positions) * 3}f", *[c for p in positions for c in p]),
         struct.pack(f"<{len(uvs) * 2}f", *[c for uv in uvs for c in uv]),
         struct.pack(f"<{len(indices)}H", *indices), texture]
views, offset = [], 0
for blob in blobs:
    views.append({"buffer": 0, "byteOffset": offset, "byteLength": len(blob)})
    offset += (len(blob) + 3) // 4 * 4
binary = b"".join(blob + b"\0" * ((4 - len(blob) % 4) % 4) for blob in blobs)
gltf = {
    "asset": {"version": "2.0", "generator": "yunzhan assets/booths/sample/make-booth.py"},
    "scene": 0,
    "scenes": [{"nodes": [0, 1, 2]}],
    "nodes": [{"name": "booth", "mesh": 0},
              {"name": "yunzhan_header", "translation": [0, 3.2, -1.3]},
              {"name": "yunzhan_cards", "translation": [0, 1.8, -1.3]}],
    "meshes": [{"name": "booth", "primitives": [{"attributes": {"POSITION": 0, "TEXCOORD_0": 1}, "indices": 2, "material": 0}]}],
    "materials": [{"name": "wood", "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}, "metallicFactor": 0}}],
    "textures": [{"source": 0}],
    "images": [{"name": "wood", "bufferView": 3, "mimeType": "image/png"}],
    "accessors": [
        {"bufferView": 0, "componentType": 5126, "count": len(positions), "type": "VEC3",
         "min": [min(p[i] for p in positions) for i in range(3)], "max": [max(p[i] for p in positions) for i in range(3)]},
        {"bufferView": 1, "componentType": 5126, "count": len(uvs), "type": "VEC2"},
        {"bufferView": 2, "componentType": 5123, "count": len(indices), "type": "SCALAR"},
    ],
    "bufferViews": views,
    "buffers": [{"byteLength": len(binary)}],
}
text = json.dumps(gltf).encode()
text += b" " * ((4 - len(text) % 4) % 4)
glb = (struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(text) + 8 + len(binary))
       + struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(binary), b"BIN\0") + binary)
(OUT / "booth.glb").write_bytes(glb)
(OUT / "logo.png").write_bytes(png(128, 64, (20, 112, 130)))
print(f"booth.glb: {len(glb)} bytes, {len(indices) // 3} triangles")
