// The venue's material: light is baked into the vertex colours when a scene
// is built, so a fragment is its texture (if any) times its vertex colour —
// no lighting at run time, the cheapest shading a GPU (or a software
// rasteriser) can do. An untextured surface also gets its finish (carpet,
// wood, brushed metal), drawn from its world position by `finish` with no
// texture to download. In a hall the camera's linear `DistanceFog` (the
// haze that hides the edge of what is built) is mixed in by distance.
#import bevy_pbr::forward_io::VertexOutput
#ifdef DISTANCE_FOG
#import bevy_pbr::mesh_view_bindings::{fog, view}
#endif

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var base_texture: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var base_sampler: sampler;

// A cheap integer hash of a cell, in [0, 1).
fn cell_noise(cell: vec2<f32>) -> f32 {
    let c = bitcast<vec2<u32>>(vec2<i32>(floor(cell)));
    var h = (c.x * 73856093u) ^ (c.y * 19349663u);
    h = (h ^ (h >> 13u)) * 1274126177u;
    return f32(h >> 8u) / 16777216.0;
}

// The brightness a finish gives a point: an untextured surface's alpha names
// its finish (1 plain, 0.75 carpet, 0.5 wood, 0.25 metal; the constants in
// venue.rs). Each pattern fades where its detail is finer than a pixel, so
// nothing shimmers in the distance.
fn finish(kind: f32, p: vec3<f32>) -> f32 {
    if kind > 0.875 {
        return 1.0;
    }
    if kind > 0.625 {
        // Carpet: tufts of 2.5 cm, in rows of a slightly different weave.
        let tuft = p.xz * 40.0;
        let fade = clamp(1.5 - 2.0 * max(fwidth(tuft).x, fwidth(tuft).y), 0.0, 1.0);
        let weave = 0.5 + 0.5 * sin(p.x * 9.0);
        return 1.0 + fade * ((cell_noise(tuft) - 0.5) * 0.16 + (weave - 0.5) * 0.05);
    }
    if kind > 0.375 {
        // Wood: grain along the board, wavering.
        let grain = p.x * 30.0 + sin(p.z * 6.0 + p.x * 1.3) * 2.0;
        let fade = clamp(1.5 - 0.5 * fwidth(grain), 0.0, 1.0);
        return 1.0 + fade * 0.09 * sin(grain);
    }
    // Metal: fine brushed lines across the member.
    let line = (p.x + p.z) * 120.0;
    let fade = clamp(1.5 - 2.0 * fwidth(line), 0.0, 1.0);
    return 1.0 + fade * (cell_noise(vec2<f32>(line, 0.0)) - 0.5) * 0.10;
}

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    var color = vec4<f32>(1.0);
#ifdef VERTEX_UVS_A
    color = textureSample(base_texture, base_sampler, in.uv);
#endif
#ifdef VERTEX_COLORS
    color = color * in.color;
#ifndef VERTEX_UVS_A
    color = vec4<f32>(color.rgb * finish(in.color.a, in.world_position.xyz), 1.0);
#endif
#endif
#ifdef DISTANCE_FOG
    // Linear falloff only: be.x is where it starts, be.y where it is whole.
    let distance = length(in.world_position.xyz - view.world_position.xyz);
    let amount = fog.base_color.a * clamp((distance - fog.be.x) / (fog.be.y - fog.be.x), 0.0, 1.0);
    color = vec4<f32>(mix(color.rgb, fog.base_color.rgb, amount), color.a);
#endif
    return color;
}
