//! Light baked into vertex colours when a scene is built: an even ambient
//! level, pools of light under the ceiling fixtures, and ambient occlusion
//! (walls darken towards the floor, the floor darkens beside what stands on
//! it). Nothing is lit at run time, so the low tier looks as lit as the
//! high one at the cost of drawing flat colours.

use bevy::prelude::*;

/// Light reaching every surface.
const AMBIENT: f32 = 0.6;
/// The brightest a pool adds right under its fixture.
const POOL: f32 = 0.6;
/// How wide a pool spreads (the standard deviation of its falloff, metres).
const POOL_SPREAD: f32 = 2.0;
/// What reaches surfaces that face down (the ceiling, undersides).
const FACING_DOWN: f32 = 0.55;
/// Walls are this much darker where they meet the floor, fading out by
/// [`WALL_OCCLUSION_HEIGHT`].
const WALL_OCCLUSION: f32 = 0.38;
const WALL_OCCLUSION_HEIGHT: f32 = 1.4;

/// Ceiling fixtures on a square grid over a rectangle of the floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BakedLight {
    /// World x and z of the first fixture.
    pub(crate) origin: Vec2,
    pub(crate) spacing: f32,
    /// Fixtures along x and along z.
    pub(crate) count: UVec2,
    pub(crate) height: f32,
}

impl BakedLight {
    /// Fixtures every `spacing` metres over world x in `x` and world z in `z`.
    pub(crate) fn over(x: [f32; 2], z: [f32; 2], spacing: f32, height: f32) -> Self {
        let count = |[from, to]: [f32; 2]| (((to - from) / spacing).floor() as u32).max(1);
        let count = UVec2::new(count(x), count(z));
        let origin = Vec2::new(x[0], z[0])
            + (Vec2::new(x[1] - x[0], z[1] - z[0]) - (count - 1).as_vec2() * spacing) / 2.0;
        BakedLight {
            origin,
            spacing,
            count,
            height,
        }
    }

    /// World positions of the fixtures.
    pub(crate) fn fixtures(&self) -> impl Iterator<Item = Vec3> + '_ {
        (0..self.count.y)
            .flat_map(move |j| (0..self.count.x).map(move |i| self.fixture(UVec2::new(i, j))))
    }

    fn fixture(&self, index: UVec2) -> Vec3 {
        let at = self.origin + index.as_vec2() * self.spacing;
        Vec3::new(at.x, self.height, at.y)
    }

    /// The light falling on a surface at `position` facing `normal`, where
    /// 1 is full light (colours are multiplied by it).
    pub(crate) fn at(&self, position: Vec3, normal: Vec3) -> f32 {
        if normal.y < -0.5 {
            return FACING_DOWN;
        }
        let nearest = ((Vec2::new(position.x, position.z) - self.origin) / self.spacing).round();
        let mut pools = 0.0;
        for dz in -1..=1 {
            for dx in -1..=1 {
                let index = nearest + Vec2::new(dx as f32, dz as f32);
                if index.cmplt(Vec2::ZERO).any() || index.cmpge(self.count.as_vec2()).any() {
                    continue;
                }
                let fixture = self.fixture(index.as_uvec2());
                let across = Vec2::new(fixture.x - position.x, fixture.z - position.z);
                let falloff = (-across.length_squared() / (2.0 * POOL_SPREAD * POOL_SPREAD)).exp();
                let facing = normal
                    .dot((fixture - position).normalize_or_zero())
                    .max(0.0);
                pools += POOL * falloff * (0.35 + 0.65 * facing);
            }
        }
        let occlusion = if normal.y.abs() < 0.5 {
            let rise = (position.y / WALL_OCCLUSION_HEIGHT).clamp(0.0, 1.0);
            1.0 - WALL_OCCLUSION * (1.0 - rise * rise * (3.0 - 2.0 * rise))
        } else {
            1.0
        };
        (AMBIENT + pools) * occlusion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_brightest_under_their_fixtures_and_walls_darken_at_the_floor() {
        let light = BakedLight::over([0.0, 24.0], [-24.0, 0.0], 6.0, 6.5);
        let fixture = light.fixtures().next().unwrap();
        let under = light.at(Vec3::new(fixture.x, 0.0, fixture.z), Vec3::Y);
        let between = light.at(Vec3::new(fixture.x + 3.0, 0.0, fixture.z + 3.0), Vec3::Y);
        assert!(under > between + 0.1, "{under} vs {between}");
        let wall_foot = light.at(Vec3::new(1.0, 0.0, -1.0), Vec3::X);
        let wall_top = light.at(Vec3::new(1.0, 3.0, -1.0), Vec3::X);
        assert!(wall_top > wall_foot * 1.4, "{wall_top} vs {wall_foot}");
        assert_eq!(light.fixtures().count(), 16);
    }
}
