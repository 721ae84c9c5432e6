//! The lobby (序厅): a square plaza with a gate to each hall on its walls,
//! the provincial hall's gate wide and central on the far wall, prefecture
//! gates grouped by economic region, and the featured stage in the middle.

use crate::hall::{HALLS, HallIndex, HallLevel, Region};
use crate::layout::{Facing, Rect};

pub const LOBBY_SIZE: f32 = 64.0;
pub const GATE_WIDTH: f32 = 4.0;
pub const PROVINCIAL_GATE_WIDTH: f32 = 10.0;

/// A gate from the lobby into a hall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub hall: HallIndex,
    /// Centre of the gate on its wall, `[x, z]`.
    pub center: [f32; 2],
    /// The direction the gate faces: into the lobby.
    pub facing: Facing,
    pub width: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LobbyLayout {
    pub size: f32,
    /// Where a visitor arrives, `[x, z]`, looking north.
    pub spawn: [f32; 2],
    pub stage: Rect,
    pub gates: Vec<Gate>,
}

impl LobbyLayout {
    pub fn new() -> Self {
        let halls_in = |regions: &[Region]| -> Vec<HallIndex> {
            regions
                .iter()
                .flat_map(|&region| {
                    HallIndex::all().filter(move |hall| hall.hall().region == Some(region))
                })
                .collect()
        };
        let mut gates = Vec::with_capacity(HALLS.len());
        // The far (north) wall: the provincial hall in the middle, the two
        // small western regions either side.
        let provincial = HallIndex::all()
            .find(|hall| hall.hall().level == HallLevel::Provincial)
            .expect("the provincial hall exists");
        gates.push(Gate {
            hall: provincial,
            center: [LOBBY_SIZE / 2.0, LOBBY_SIZE],
            facing: Facing::South,
            width: PROVINCIAL_GATE_WIDTH,
        });
        let north_xs = [10.0, 18.0, LOBBY_SIZE - 18.0, LOBBY_SIZE - 10.0];
        for (hall, x) in halls_in(&[Region::Northwest, Region::Panxi])
            .into_iter()
            .zip(north_xs)
        {
            gates.push(Gate {
                hall,
                center: [x, LOBBY_SIZE],
                facing: Facing::South,
                width: GATE_WIDTH,
            });
        }
        // Side walls, from the entrance end to the far end.
        let side = |halls: Vec<HallIndex>, x: f32, facing: Facing| {
            let (first, last) = (14.0, LOBBY_SIZE - 6.0);
            let step = (last - first) / (halls.len().max(2) - 1) as f32;
            halls
                .into_iter()
                .enumerate()
                .map(move |(index, hall)| Gate {
                    hall,
                    center: [x, first + index as f32 * step],
                    facing,
                    width: GATE_WIDTH,
                })
        };
        gates.extend(side(halls_in(&[Region::ChengduPlain]), 0.0, Facing::East));
        gates.extend(side(
            halls_in(&[Region::South, Region::Northeast]),
            LOBBY_SIZE,
            Facing::West,
        ));
        LobbyLayout {
            size: LOBBY_SIZE,
            spawn: [LOBBY_SIZE / 2.0, 4.0],
            stage: Rect::new(24.0, 26.0, 40.0, 36.0),
            gates,
        }
    }
}

impl Default for LobbyLayout {
    fn default() -> Self {
        LobbyLayout::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hall_has_one_gate_and_gates_do_not_collide() {
        let lobby = LobbyLayout::new();
        let mut halls: Vec<u8> = lobby.gates.iter().map(|gate| gate.hall.0).collect();
        halls.sort();
        assert_eq!(halls, (0..22).collect::<Vec<u8>>());
        for (i, a) in lobby.gates.iter().enumerate() {
            for b in &lobby.gates[i + 1..] {
                let gap = ((a.center[0] - b.center[0]).powi(2)
                    + (a.center[1] - b.center[1]).powi(2))
                .sqrt();
                assert!(
                    gap >= (a.width + b.width) / 2.0 + 1.0,
                    "{:?} and {:?}",
                    a.hall,
                    b.hall
                );
            }
        }
    }

    #[test]
    fn the_provincial_gate_is_central_and_widest() {
        let lobby = LobbyLayout::new();
        let provincial = lobby
            .gates
            .iter()
            .find(|gate| gate.hall == HallIndex(0))
            .unwrap();
        assert_eq!(provincial.center, [LOBBY_SIZE / 2.0, LOBBY_SIZE]);
        assert!(
            lobby
                .gates
                .iter()
                .all(|gate| gate.width <= provincial.width)
        );
    }
}
