//! The deterministic floor plan of a hall: booths in islands along aisles,
//! industry zones with signs, the featured stage by the entrance.
//!
//! Coordinates are metres on the floor: `x` across the hall from its west
//! wall, `z` into the hall from the entrance wall (the door is at `z = 0`).
//! Islands are two rows of booths back to back; the south row faces the aisle
//! towards the entrance, the north row the aisle behind. Cross aisles cut the
//! rows every few booths, and a perimeter aisle runs along the walls.

use std::ops::Range;

use crate::catalog::{Catalog, ProjectId};
use crate::hall::HallIndex;
use crate::project::Industry;

pub const BOOTH_WIDTH: f32 = 6.0;
pub const BOOTH_DEPTH: f32 = 4.0;
/// Project cards one booth shows; a larger exhibitor gets adjacent booths.
pub const CARDS_PER_BOOTH: usize = 8;
/// The aisles between islands (east–west).
pub const MAIN_AISLE: f32 = 4.0;
/// The aisles cutting through rows (north–south).
pub const CROSS_AISLE: f32 = 3.0;
pub const PERIMETER_AISLE: f32 = 3.0;
/// The narrowest aisle anywhere in a hall.
pub const MIN_AISLE: f32 = 3.0;
pub const BOOTHS_PER_SEGMENT: usize = 5;
/// Open space between the entrance wall and the first island: the entrance
/// plaza with the featured stage.
pub const FRONT_DEPTH: f32 = 14.0;
pub const DOOR_WIDTH: f32 = 4.0;
const MIN_COLUMNS: usize = BOOTHS_PER_SEGMENT;
const STAGE_WIDTH: f32 = 10.0;

/// An axis-aligned rectangle on the floor, `min`/`max` as `[x, z]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub min: [f32; 2],
    pub max: [f32; 2],
}

impl Rect {
    pub fn new(x0: f32, z0: f32, x1: f32, z1: f32) -> Self {
        Rect {
            min: [x0.min(x1), z0.min(z1)],
            max: [x0.max(x1), z0.max(z1)],
        }
    }

    pub fn center(&self) -> [f32; 2] {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
        ]
    }

    pub fn size(&self) -> [f32; 2] {
        [self.max[0] - self.min[0], self.max[1] - self.min[1]]
    }

    /// True when the interiors overlap (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.min[0] < other.max[0]
            && other.min[0] < self.max[0]
            && self.min[1] < other.max[1]
            && other.min[1] < self.max[1]
    }

    pub fn contains(&self, point: [f32; 2]) -> bool {
        (self.min[0]..=self.max[0]).contains(&point[0])
            && (self.min[1]..=self.max[1]).contains(&point[1])
    }

    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            min: [self.min[0].min(other.min[0]), self.min[1].min(other.min[1])],
            max: [self.max[0].max(other.max[0]), self.max[1].max(other.max[1])],
        }
    }
}

/// The direction a booth's open side (or a gate) faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facing {
    /// Towards +z, away from the entrance.
    North,
    /// Towards -z, towards the entrance.
    South,
    East,
    West,
}

impl Facing {
    /// Unit vector `[x, z]` pointing out of the open side.
    pub fn normal(self) -> [f32; 2] {
        match self {
            Facing::North => [0.0, 1.0],
            Facing::South => [0.0, -1.0],
            Facing::East => [1.0, 0.0],
            Facing::West => [-1.0, 0.0],
        }
    }
}

/// What the layout needs to know of an exhibitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExhibitorSpec {
    pub industry: Industry,
    pub project_count: usize,
}

/// One booth: part `part` of `parts` of an exhibitor's stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Booth {
    /// Index of the exhibitor in the layout's input.
    pub exhibitor: usize,
    /// Which of the exhibitor's projects this booth shows.
    pub cards: Range<usize>,
    pub part: usize,
    pub parts: usize,
    pub industry: Industry,
    pub rect: Rect,
    pub facing: Facing,
}

impl Booth {
    /// A point on the aisle in front of the booth's open side, `distance` metres out.
    pub fn front(&self, distance: f32) -> [f32; 2] {
        let [cx, cz] = self.rect.center();
        let [nx, nz] = self.facing.normal();
        let half_depth = BOOTH_DEPTH / 2.0;
        [
            cx + nx * (half_depth + distance),
            cz + nz * (half_depth + distance),
        ]
    }
}

/// An industry zone: a contiguous run of booths with a hanging sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub industry: Industry,
    pub booths: Range<usize>,
    pub bounds: Rect,
    /// Where the zone's sign hangs: `[x, height, z]`.
    pub sign: [f32; 3],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub rect: Rect,
    pub facing: Facing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HallLayout {
    pub width: f32,
    pub depth: f32,
    /// Centre of the entrance door on the entrance wall (`z = 0`).
    pub door: [f32; 2],
    pub door_width: f32,
    pub stage: Stage,
    pub booths: Vec<Booth>,
    pub zones: Vec<Zone>,
}

impl HallLayout {
    /// Lays out booths for `exhibitors`, grouped into industry zones (in
    /// [`Industry::ALL`] order, keeping the input order inside a zone).
    pub fn new(exhibitors: &[ExhibitorSpec]) -> Self {
        let mut order: Vec<usize> = (0..exhibitors.len()).collect();
        order.sort_by_key(|&index| (exhibitors[index].industry, index));

        let mut booths: Vec<Booth> = Vec::new();
        for &exhibitor in &order {
            let spec = exhibitors[exhibitor];
            let parts = spec.project_count.div_ceil(CARDS_PER_BOOTH).max(1);
            for part in 0..parts {
                let start = part * CARDS_PER_BOOTH;
                booths.push(Booth {
                    exhibitor,
                    cards: start..spec.project_count.min(start + CARDS_PER_BOOTH),
                    part,
                    parts,
                    industry: spec.industry,
                    rect: Rect::new(0.0, 0.0, 0.0, 0.0),
                    facing: Facing::South,
                });
            }
        }

        let columns = MIN_COLUMNS.max((booths.len() as f32).sqrt().ceil() as usize);
        let islands = booths.len().div_ceil(2 * columns).max(1);
        let width = 2.0 * PERIMETER_AISLE
            + columns as f32 * BOOTH_WIDTH
            + ((columns - 1) / BOOTHS_PER_SEGMENT) as f32 * CROSS_AISLE;
        let depth = FRONT_DEPTH
            + islands as f32 * 2.0 * BOOTH_DEPTH
            + (islands - 1) as f32 * MAIN_AISLE
            + MAIN_AISLE;

        for (slot, booth) in booths.iter_mut().enumerate() {
            let island = slot / (2 * columns);
            let row = (slot % (2 * columns)) / columns;
            let column = slot % columns;
            let x = PERIMETER_AISLE
                + column as f32 * BOOTH_WIDTH
                + (column / BOOTHS_PER_SEGMENT) as f32 * CROSS_AISLE;
            let z = FRONT_DEPTH
                + island as f32 * (2.0 * BOOTH_DEPTH + MAIN_AISLE)
                + row as f32 * BOOTH_DEPTH;
            booth.rect = Rect::new(x, z, x + BOOTH_WIDTH, z + BOOTH_DEPTH);
            booth.facing = if row == 0 {
                Facing::South
            } else {
                Facing::North
            };
        }

        let mut zones: Vec<Zone> = Vec::new();
        for (index, booth) in booths.iter().enumerate() {
            match zones.last_mut() {
                Some(zone) if zone.industry == booth.industry => {
                    zone.booths.end = index + 1;
                    zone.bounds = zone.bounds.union(&booth.rect);
                }
                _ => {
                    let [x, z] = booth.front(0.5 * MAIN_AISLE.min(CROSS_AISLE));
                    zones.push(Zone {
                        industry: booth.industry,
                        booths: index..index + 1,
                        bounds: booth.rect,
                        sign: [x, 4.2, z],
                    });
                }
            }
        }

        let door = [width / 2.0, 0.0];
        let stage_x = door[0] + DOOR_WIDTH / 2.0 + MIN_AISLE;
        let stage = Stage {
            rect: Rect::new(
                stage_x,
                3.0,
                (stage_x + STAGE_WIDTH).min(width - PERIMETER_AISLE),
                8.0,
            ),
            facing: Facing::West,
        };
        HallLayout {
            width,
            depth,
            door,
            door_width: DOOR_WIDTH,
            stage,
            booths,
            zones,
        }
    }

    /// The layout of one hall of a catalog. Booth `exhibitor` indices refer
    /// to [`Catalog::hall_exhibitors`].
    pub fn for_hall(catalog: &Catalog, hall: HallIndex) -> Self {
        let specs: Vec<ExhibitorSpec> = catalog
            .hall_exhibitors(hall)
            .iter()
            .map(|&id| {
                let projects = &catalog.exhibitor(id).projects;
                ExhibitorSpec {
                    industry: main_industry(catalog, projects),
                    project_count: projects.len(),
                }
            })
            .collect();
        HallLayout::new(&specs)
    }
}

/// The industry most of the projects belong to (ties: the earlier industry).
fn main_industry(catalog: &Catalog, projects: &[ProjectId]) -> Industry {
    let mut counts = [0usize; Industry::ALL.len()];
    for &id in projects {
        counts[catalog.project(id).industry as usize] += 1;
    }
    let best = (0..counts.len())
        .max_by_key(|&index| (counts[index], std::cmp::Reverse(index)))
        .unwrap_or(0);
    Industry::ALL[best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::VecDeque;

    /// Walkability grid cell size in metres.
    const CELL: f32 = 0.25;

    /// Breadth-first search over free floor cells from the door; returns
    /// which cells can be reached.
    fn reachable(layout: &HallLayout) -> (usize, Vec<bool>) {
        let columns = (layout.width / CELL).ceil() as usize;
        let rows = (layout.depth / CELL).ceil() as usize;
        let obstacles: Vec<Rect> = layout
            .booths
            .iter()
            .map(|booth| booth.rect)
            .chain([layout.stage.rect])
            .collect();
        let free = |column: usize, row: usize| {
            let center = [(column as f32 + 0.5) * CELL, (row as f32 + 0.5) * CELL];
            !obstacles.iter().any(|rect| rect.contains(center))
        };
        let mut seen = vec![false; columns * rows];
        let start: (usize, usize) = ((layout.door[0] / CELL) as usize, 0);
        let mut queue = VecDeque::from([start]);
        seen[start.0] = true;
        while let Some((column, row)) = queue.pop_front() {
            let neighbours = [
                (column.wrapping_sub(1), row),
                (column + 1, row),
                (column, row.wrapping_sub(1)),
                (column, row + 1),
            ];
            for (c, r) in neighbours {
                if c < columns && r < rows && !seen[r * columns + c] && free(c, r) {
                    seen[r * columns + c] = true;
                    queue.push_back((c, r));
                }
            }
        }
        (columns, seen)
    }

    fn check_properties(layout: &HallLayout) -> Result<(), TestCaseError> {
        let hall = Rect::new(0.0, 0.0, layout.width, layout.depth);
        for (i, a) in layout.booths.iter().enumerate() {
            prop_assert!(hall.contains(a.rect.min) && hall.contains(a.rect.max));
            prop_assert!(
                !a.rect.overlaps(&layout.stage.rect),
                "booth {i} on the stage"
            );
            for (j, b) in layout.booths.iter().enumerate().skip(i + 1) {
                prop_assert!(!a.rect.overlaps(&b.rect), "booths {i} and {j} overlap");
            }
            // The aisle in front of the open side is clear for MIN_AISLE metres.
            let [fx, fz] = a.front(0.0);
            let [nx, nz] = a.facing.normal();
            let half = BOOTH_WIDTH / 2.0 - 0.01;
            let aisle = Rect::new(
                fx - half * nz.abs() + 0.01 * nx,
                fz - half * nx.abs() + 0.01 * nz,
                fx + half * nz.abs() + MIN_AISLE * nx,
                fz + half * nx.abs() + MIN_AISLE * nz,
            );
            prop_assert!(hall.contains(aisle.min) && hall.contains(aisle.max));
            for (j, b) in layout.booths.iter().enumerate() {
                prop_assert!(
                    !aisle.overlaps(&b.rect),
                    "aisle of booth {i} blocked by {j}"
                );
            }
        }
        let (columns, seen) = reachable(layout);
        for (i, booth) in layout.booths.iter().enumerate() {
            let [x, z] = booth.front(1.0);
            let cell = (z / CELL) as usize * columns + (x / CELL) as usize;
            prop_assert!(seen[cell], "booth {i} cannot be reached from the entrance");
        }
        let stage_front = [
            layout.stage.rect.min[0] - 1.0,
            layout.stage.rect.center()[1],
        ];
        let cell = (stage_front[1] / CELL) as usize * columns + (stage_front[0] / CELL) as usize;
        prop_assert!(seen[cell], "the stage cannot be reached");
        Ok(())
    }

    fn industry() -> impl Strategy<Value = Industry> {
        (0..Industry::ALL.len()).prop_map(|index| Industry::ALL[index])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn booths_never_overlap_and_all_are_reachable(
            specs in prop::collection::vec(
                (industry(), 1usize..30).prop_map(|(industry, project_count)| ExhibitorSpec { industry, project_count }),
                0..160,
            )
        ) {
            let layout = HallLayout::new(&specs);
            check_properties(&layout)?;
            // Every project has exactly one card slot.
            let cards: usize = layout.booths.iter().map(|booth| booth.cards.len()).sum();
            prop_assert_eq!(cards, specs.iter().map(|spec| spec.project_count).sum::<usize>());
            // Zones are in industry order and cover all booths.
            prop_assert!(layout.zones.windows(2).all(|pair| pair[0].industry < pair[1].industry));
            let covered: usize = layout.zones.iter().map(|zone| zone.booths.len()).sum();
            prop_assert_eq!(covered, layout.booths.len());
        }
    }

    #[test]
    fn the_layout_is_deterministic_and_grows_with_booths() {
        let small: Vec<ExhibitorSpec> = (0..10)
            .map(|_| ExhibitorSpec {
                industry: Industry::MedicineHealth,
                project_count: 5,
            })
            .collect();
        let large: Vec<ExhibitorSpec> = (0..200)
            .map(|_| ExhibitorSpec {
                industry: Industry::MedicineHealth,
                project_count: 5,
            })
            .collect();
        assert_eq!(HallLayout::new(&small), HallLayout::new(&small));
        let (a, b) = (HallLayout::new(&small), HallLayout::new(&large));
        assert!(b.width > a.width && b.depth > a.depth);
    }

    #[test]
    fn the_stage_is_near_the_entrance() {
        let layout = HallLayout::new(&[]);
        let [_, z] = layout.stage.rect.center();
        assert!(z < FRONT_DEPTH && layout.stage.rect.max[1] <= FRONT_DEPTH - MIN_AISLE);
    }

    #[test]
    fn the_blocked_aisle_check_can_fail() {
        // Guard against a vacuous property: a booth dropped into an aisle is caught.
        let specs = vec![
            ExhibitorSpec {
                industry: Industry::MedicineHealth,
                project_count: 40
            };
            12
        ];
        let mut layout = HallLayout::new(&specs);
        let mut intruder = layout.booths[0].clone();
        let [x, z] = layout.booths[0].front(1.5);
        intruder.rect = Rect::new(x - 1.0, z - 1.0, x + 1.0, z + 1.0);
        layout.booths.push(intruder);
        assert!(check_properties(&layout).is_err());
    }
}
