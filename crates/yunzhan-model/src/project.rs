//! Projects (科创项目), their classification and their service agent (科服保姆).

use serde::{Deserialize, Serialize};

use crate::hall::HallIndex;

/// The six leading industries of the source report plus modern agriculture.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    ElectronicInformation,
    EquipmentManufacturing,
    FoodLightTextile,
    EnergyChemical,
    AdvancedMaterials,
    MedicineHealth,
    ModernAgriculture,
}

impl Industry {
    pub const ALL: [Industry; 7] = [
        Industry::ElectronicInformation,
        Industry::EquipmentManufacturing,
        Industry::FoodLightTextile,
        Industry::EnergyChemical,
        Industry::AdvancedMaterials,
        Industry::MedicineHealth,
        Industry::ModernAgriculture,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Industry::ElectronicInformation => "电子信息",
            Industry::EquipmentManufacturing => "装备制造",
            Industry::FoodLightTextile => "食品轻纺",
            Industry::EnergyChemical => "能源化工",
            Industry::AdvancedMaterials => "先进材料",
            Industry::MedicineHealth => "医药健康",
            Industry::ModernAgriculture => "现代农业",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Industry::ElectronicInformation => "Electronic information",
            Industry::EquipmentManufacturing => "Equipment manufacturing",
            Industry::FoodLightTextile => "Food & light textiles",
            Industry::EnergyChemical => "Energy & chemicals",
            Industry::AdvancedMaterials => "Advanced materials",
            Industry::MedicineHealth => "Medicine & health",
            Industry::ModernAgriculture => "Modern agriculture",
        }
    }
}

/// The three kinds of project launched at the conference.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// 科技难题攻关: a technical challenge seeking solvers.
    Challenge,
    /// 高新技术推广: a high technology to promote.
    Promotion,
    /// 科技成果转化: a research result to transfer.
    Transfer,
}

impl ProjectKind {
    pub const ALL: [ProjectKind; 3] = [
        ProjectKind::Challenge,
        ProjectKind::Promotion,
        ProjectKind::Transfer,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            ProjectKind::Challenge => "科技难题攻关",
            ProjectKind::Promotion => "高新技术推广",
            ProjectKind::Transfer => "科技成果转化",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ProjectKind::Challenge => "Technical challenge",
            ProjectKind::Promotion => "Technology promotion",
            ProjectKind::Transfer => "Result transfer",
        }
    }
}

/// How a partner may cooperate on a project; also the intent of an inquiry.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    bitcode::Encode,
    bitcode::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum CooperationMode {
    JointDevelopment,
    TechnologyTransfer,
    Licensing,
    Investment,
    CommissionedResearch,
    Consulting,
}

impl CooperationMode {
    pub const ALL: [CooperationMode; 6] = [
        CooperationMode::JointDevelopment,
        CooperationMode::TechnologyTransfer,
        CooperationMode::Licensing,
        CooperationMode::Investment,
        CooperationMode::CommissionedResearch,
        CooperationMode::Consulting,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            CooperationMode::JointDevelopment => "合作开发",
            CooperationMode::TechnologyTransfer => "技术转让",
            CooperationMode::Licensing => "技术许可",
            CooperationMode::Investment => "投资合作",
            CooperationMode::CommissionedResearch => "委托研发",
            CooperationMode::Consulting => "技术咨询",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CooperationMode::JointDevelopment => "Joint development",
            CooperationMode::TechnologyTransfer => "Technology transfer",
            CooperationMode::Licensing => "Licensing",
            CooperationMode::Investment => "Investment",
            CooperationMode::CommissionedResearch => "Commissioned research",
            CooperationMode::Consulting => "Consulting",
        }
    }
}

/// The project's service agent (科服保姆): every inquiry goes to this person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct ServiceAgent {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// True when this agent is a placeholder made up for the demo catalog
    /// (the source report names no agents).
    #[serde(default)]
    pub generated: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode,
)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Document,
    Model,
}

/// A picture, video, document or 3D model attached to a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct MediaRef {
    pub kind: MediaKind,
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// One project of the catalog, as validated on load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bitcode::Encode, bitcode::Decode)]
pub struct Project {
    /// The project's number (编号) on the platform; unique in a catalog.
    pub platform_no: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub organisation: String,
    pub hall: HallIndex,
    pub industry: Industry,
    pub kind: ProjectKind,
    #[serde(default)]
    pub featured: bool,
    pub summary: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub cooperation_modes: Vec<CooperationMode>,
    pub agent: ServiceAgent,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRef>,
    /// True for demo projects made by the generator; such projects are never
    /// presented as real.
    pub generated: bool,
    /// For real projects: where the source report names them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
