// The venue's material: light is baked into the vertex colours when a scene
// is built, so a fragment is its texture (if any) times its vertex colour —
// no lighting at run time, the cheapest shading a GPU (or a software
// rasteriser) can do. In a hall the camera's linear `DistanceFog` (the haze
// that hides the edge of what is built) is mixed in by distance.
#import bevy_pbr::forward_io::VertexOutput
#ifdef DISTANCE_FOG
#import bevy_pbr::mesh_view_bindings::{fog, view}
#endif

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
#ifdef DISTANCE_FOG
    // Linear falloff only: be.x is where it starts, be.y where it is whole.
    let distance = length(in.world_position.xyz - view.world_position.xyz);
    let amount = fog.base_color.a * clamp((distance - fog.be.x) / (fog.be.y - fog.be.x), 0.0, 1.0);
    color = vec4<f32>(mix(color.rgb, fog.base_color.rgb, amount), color.a);
#endif
    return color;
}
