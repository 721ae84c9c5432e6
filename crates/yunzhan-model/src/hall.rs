//! The 22 regional halls of the exhibition: one provincial hall and the 21
//! prefectures of Sichuan, as named by the source report.

use serde::{Deserialize, Serialize};

/// Whether a hall is the provincial hall or a prefecture's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HallLevel {
    Provincial,
    Prefecture,
}

/// One regional hall. Halls are fixed facts of the conference, so they live in
/// code; catalog records refer to them by `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hall {
    /// Stable id used in catalog records, URLs and the API.
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub level: HallLevel,
    /// The economic region of a prefecture; `None` for the provincial hall.
    pub region: Option<Region>,
}

const fn prefecture(
    id: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    region: Region,
) -> Hall {
    Hall {
        id,
        name_zh,
        name_en,
        level: HallLevel::Prefecture,
        region: Some(region),
    }
}

/// The five economic regions of Sichuan (the report's "五区共兴"); the lobby
/// groups prefecture gates by region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    ChengduPlain,
    South,
    Northeast,
    Panxi,
    Northwest,
}

impl Region {
    pub const ALL: [Region; 5] = [
        Region::ChengduPlain,
        Region::South,
        Region::Northeast,
        Region::Panxi,
        Region::Northwest,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Region::ChengduPlain => "成都平原经济区",
            Region::South => "川南经济区",
            Region::Northeast => "川东北经济区",
            Region::Panxi => "攀西经济区",
            Region::Northwest => "川西北生态示范区",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Region::ChengduPlain => "Chengdu Plain",
            Region::South => "South Sichuan",
            Region::Northeast => "Northeast Sichuan",
            Region::Panxi => "Panxi",
            Region::Northwest => "Northwest Sichuan",
        }
    }
}

/// All halls in display order: the provincial hall first, then the
/// prefectures in the order the source report lists them.
pub const HALLS: [Hall; 22] = [
    Hall {
        id: "provincial",
        name_zh: "省级馆",
        name_en: "Provincial Hall",
        level: HallLevel::Provincial,
        region: None,
    },
    prefecture("chengdu", "成都", "Chengdu", Region::ChengduPlain),
    prefecture("zigong", "自贡", "Zigong", Region::South),
    prefecture("panzhihua", "攀枝花", "Panzhihua", Region::Panxi),
    prefecture("luzhou", "泸州", "Luzhou", Region::South),
    prefecture("deyang", "德阳", "Deyang", Region::ChengduPlain),
    prefecture("mianyang", "绵阳", "Mianyang", Region::ChengduPlain),
    prefecture("guangyuan", "广元", "Guangyuan", Region::Northeast),
    prefecture("suining", "遂宁", "Suining", Region::ChengduPlain),
    prefecture("neijiang", "内江", "Neijiang", Region::South),
    prefecture("leshan", "乐山", "Leshan", Region::ChengduPlain),
    prefecture("nanchong", "南充", "Nanchong", Region::Northeast),
    prefecture("meishan", "眉山", "Meishan", Region::ChengduPlain),
    prefecture("yibin", "宜宾", "Yibin", Region::South),
    prefecture("guangan", "广安", "Guang'an", Region::Northeast),
    prefecture("dazhou", "达州", "Dazhou", Region::Northeast),
    prefecture("yaan", "雅安", "Ya'an", Region::ChengduPlain),
    prefecture("bazhong", "巴中", "Bazhong", Region::Northeast),
    prefecture("ziyang", "资阳", "Ziyang", Region::ChengduPlain),
    prefecture("aba", "阿坝州", "Aba Prefecture", Region::Northwest),
    prefecture("ganzi", "甘孜州", "Garzê Prefecture", Region::Northwest),
    prefecture("liangshan", "凉山州", "Liangshan Prefecture", Region::Panxi),
];

/// Index of a hall in [`HALLS`]; compact and `Copy`, used everywhere a project
/// or booth refers to its hall after loading.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, bitcode::Encode, bitcode::Decode,
)]
pub struct HallIndex(pub u8);

impl HallIndex {
    pub fn hall(self) -> &'static Hall {
        &HALLS[self.0 as usize]
    }

    /// Looks a hall up by its stable id.
    pub fn from_id(id: &str) -> Option<Self> {
        HALLS
            .iter()
            .position(|hall| hall.id == id)
            .map(|index| HallIndex(index as u8))
    }

    pub fn all() -> impl Iterator<Item = HallIndex> {
        (0..HALLS.len() as u8).map(HallIndex)
    }
}

impl Serialize for HallIndex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.hall().id)
    }
}

impl<'de> Deserialize<'de> for HallIndex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        HallIndex::from_id(&id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown hall \"{id}\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_22_halls_one_provincial_and_21_prefectures() {
        assert_eq!(HALLS.len(), 22);
        let provincial = HALLS
            .iter()
            .filter(|hall| hall.level == HallLevel::Provincial)
            .count();
        assert_eq!(provincial, 1);
        let names: Vec<&str> = HALLS[1..].iter().map(|hall| hall.name_zh).collect();
        assert_eq!(
            names.join(" "),
            "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝州 甘孜州 凉山州"
        );
    }

    #[test]
    fn hall_ids_are_unique_and_round_trip() {
        for (index, hall) in HALLS.iter().enumerate() {
            assert_eq!(HallIndex::from_id(hall.id), Some(HallIndex(index as u8)));
        }
        assert_eq!(HallIndex::from_id("atlantis"), None);
    }
}
