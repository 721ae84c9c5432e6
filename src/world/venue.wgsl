// The venue's material: light is baked into the vertex colours when a scene
// is built, so a fragment is its texture (if any) times its vertex colour —
// no lighting at run time, the cheapest shading a GPU (or a software
// rasteriser) can do.
#import bevy_pbr::forward_io::VertexOutput

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var base_texture: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var base_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    var color = vec4<f32>(1.0);
#ifdef VERTEX_UVS_A
    color = textureSample(base_texture, base_sampler, in.uv);
#endif
#ifdef VERTEX_COLORS
    color = color * in.color;
#endif
    return color;
}
