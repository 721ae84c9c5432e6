//! Rendering quality tiers. High: 4x MSAA, the sun light, full-size card
//! textures within 30 m. Low, for weak devices: no MSAA, ambient light
//! only, half-size card textures (a quarter of the texture memory) within
//! 18 m. The visitor chooses auto (the default), high or low; auto starts
//! high unless the GPU is a software renderer and drops to low when frames
//! stay slow.

use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;
use bevy::render::view::Msaa;
use serde::{Deserialize, Serialize};

use crate::expo::Screen;
use crate::world::cards::CardAtlas;

/// What the visitor chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum QualitySetting {
    #[default]
    Auto,
    High,
    Low,
}

impl QualitySetting {
    pub(crate) const ALL: [QualitySetting; 3] = [
        QualitySetting::Auto,
        QualitySetting::High,
        QualitySetting::Low,
    ];

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|setting| setting.name() == name)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            QualitySetting::Auto => "auto",
            QualitySetting::High => "high",
            QualitySetting::Low => "low",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Tier {
    #[default]
    High,
    Low,
}

/// The visitor's setting and the tier in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Quality {
    pub(crate) setting: QualitySetting,
    pub(crate) tier: Tier,
    /// Why auto chose low, for the diagnostics overlay.
    pub(crate) auto_low_because: Option<&'static str>,
}

/// Frames (after a scene settles) whose median decides whether auto drops to low.
const SAMPLE_FRAMES: usize = 90;
/// Frames skipped after a scene change (building, painting) before sampling.
const SETTLE_FRAMES: u32 = 30;
/// A median frame time above this (20 fps) counts as slow.
const SLOW_FRAME_SECS: f32 = 0.05;

/// The light level without the sun, so the low tier is not darker.
const LOW_AMBIENT: f32 = 900.0;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Quality>();
    app.add_systems(
        Update,
        (
            learn_renderer,
            follow_setting,
            detect_software_renderer,
            watch_frame_times.run_if(not(in_state(Screen::Loading))),
            apply_tier.run_if(resource_changed::<Quality>),
            give_new_cameras_the_tier,
        )
            .chain(),
    );
}

fn follow_setting(mut quality: ResMut<Quality>, mut last: Local<Option<QualitySetting>>) {
    if *last == Some(quality.setting) {
        return;
    }
    *last = Some(quality.setting);
    let tier = match quality.setting {
        QualitySetting::Low => Tier::Low,
        QualitySetting::High | QualitySetting::Auto => Tier::High,
    };
    quality.auto_low_because = None;
    quality.set_if_neq(Quality { tier, ..*quality });
}

/// The GPU the app renders with (learnt from Bevy's render adapter; absent
/// in headless runs, which then keep their tier).
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub(crate) struct Renderer {
    pub(crate) name: String,
    /// A software rasteriser (SwiftShader, llvmpipe, lavapipe).
    pub(crate) software: bool,
}

impl Renderer {
    pub(crate) fn named(name: &str, cpu_device: bool) -> Self {
        let lower = name.to_lowercase();
        let software = cpu_device
            || ["swiftshader", "llvmpipe", "lavapipe", "software"]
                .iter()
                .any(|marker| lower.contains(marker));
        Renderer {
            name: name.to_string(),
            software,
        }
    }
}

fn learn_renderer(
    mut commands: Commands,
    adapter: Option<Res<RenderAdapterInfo>>,
    known: Option<Res<Renderer>>,
) {
    if let (Some(adapter), None) = (adapter, known) {
        // wgpu's `DeviceType::Cpu`, which Bevy does not re-export.
        let cpu = format!("{:?}", adapter.device_type) == "Cpu";
        commands.insert_resource(Renderer::named(&adapter.name, cpu));
    }
}

/// Software rasterisers start low in auto.
fn detect_software_renderer(renderer: Option<Res<Renderer>>, mut quality: ResMut<Quality>) {
    let Some(renderer) = renderer else {
        return;
    };
    if renderer.is_added() && renderer.software && quality.setting == QualitySetting::Auto {
        quality.tier = Tier::Low;
        quality.auto_low_because = Some("software renderer");
    }
}

/// In auto at the high tier, drops to low when the median frame time of a
/// settled scene stays above 50 ms. Only where something is rendered:
/// headless runs keep their tier.
fn watch_frame_times(
    time: Res<Time>,
    renderer: Option<Res<Renderer>>,
    screen: Res<State<Screen>>,
    mut quality: ResMut<Quality>,
    mut samples: Local<Vec<f32>>,
    mut settle: Local<u32>,
) {
    if screen.is_changed() {
        *settle = 0;
        samples.clear();
    }
    if renderer.is_none() || quality.setting != QualitySetting::Auto || quality.tier == Tier::Low {
        return;
    }
    if *settle < SETTLE_FRAMES {
        *settle += 1;
        return;
    }
    samples.push(time.delta_secs());
    if samples.len() < SAMPLE_FRAMES {
        return;
    }
    samples.sort_by(f32::total_cmp);
    let median = samples[samples.len() / 2];
    samples.clear();
    if median > SLOW_FRAME_SECS {
        info!(
            "frames take {:.0} ms: switching to the low quality tier",
            median * 1000.0
        );
        quality.tier = Tier::Low;
        quality.auto_low_because = Some("slow frames");
    }
}

impl Tier {
    fn msaa(self) -> Msaa {
        match self {
            Tier::High => Msaa::Sample4,
            Tier::Low => Msaa::Off,
        }
    }
}

/// A camera spawned after the tier was applied gets its anti-aliasing.
fn give_new_cameras_the_tier(
    quality: Res<Quality>,
    mut commands: Commands,
    cameras: Query<Entity, Added<Camera3d>>,
) {
    for camera in &cameras {
        commands.entity(camera).insert(quality.tier.msaa());
    }
}

/// Applies a changed tier to the cameras, the lights and the card atlas; a
/// hall on show is rebuilt (keeping the visitor's place) so its cards are
/// repainted at the new size.
fn apply_tier(
    quality: Res<Quality>,
    mut applied: Local<Option<Tier>>,
    mut commands: Commands,
    mut atlas: ResMut<CardAtlas>,
    mut ambient: ResMut<GlobalAmbientLight>,
    mut suns: Query<&mut Visibility, With<DirectionalLight>>,
    cameras: Query<Entity, With<Camera3d>>,
    mut rebuild: crate::world::rebuild::RebuildScene,
) {
    let tier = quality.tier;
    if *applied == Some(tier) {
        return;
    }
    for camera in &cameras {
        commands.entity(camera).insert(tier.msaa());
    }
    let first = applied.is_none();
    *applied = Some(tier);
    for mut sun in &mut suns {
        *sun = match tier {
            Tier::High => Visibility::Inherited,
            Tier::Low => Visibility::Hidden,
        };
    }
    ambient.brightness = match tier {
        Tier::High => crate::world::visitor::AMBIENT,
        Tier::Low => LOW_AMBIENT,
    };
    if atlas.set_tier(tier) && !first && rebuild.in_hall() {
        rebuild.keeping_place(&mut commands);
    }
}
