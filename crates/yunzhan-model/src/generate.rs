//! The deterministic generator of the shipped catalog: the projects the
//! source report names (`data/named-projects.json`) plus generated demo
//! projects up to the conference's 5,740, each marked `generated: true`.
//!
//! The real platform's data is not available; everything made up here is
//! labelled as demo data ("演示") in its text and flags.

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::hall::{HALLS, HallIndex};
use crate::project::{CooperationMode, Industry, Project, ProjectKind, ServiceAgent};

/// Projects at the second Sci-Tech Innovation conference (report: 5,740).
pub const TOTAL_PROJECTS: usize = 5740;
/// Service agents who collected them (report: 2,230 科服保姆).
pub const TOTAL_AGENTS: usize = 2230;
/// Major projects launched on stage: 10 of each kind (report: 30).
pub const FEATURED_PER_KIND: usize = 10;
pub const CATALOG_VERSION: &str = "2023-02-15-demo.1";

const NAMED_PROJECTS: &str = include_str!("../data/named-projects.json");

/// Demo distribution of projects over the halls, in [`HALLS`] order. The
/// report gives no per-hall counts; these are invented, with Chengdu the
/// largest, and sum to [`TOTAL_PROJECTS`].
const HALL_TARGETS: [usize; 22] = [
    630, 1450, 170, 160, 220, 300, 350, 150, 170, 160, 200, 240, 180, 260, 160, 220, 130, 130, 130,
    90, 90, 150,
];

/// A named project as written in `data/named-projects.json`: the report's
/// facts; the generator adds the platform number and a placeholder agent.
#[derive(Deserialize)]
struct NamedProject {
    title: String,
    organisation: String,
    hall: HallIndex,
    industry: Industry,
    kind: ProjectKind,
    featured: bool,
    summary: String,
    keywords: Vec<String>,
    cooperation_modes: Vec<CooperationMode>,
    source: String,
}

/// SplitMix64: tiny, fast and stable across platforms and versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Topics per industry, `(zh, en)`, in [`Industry::ALL`] order.
const TOPICS: [&[(&str, &str)]; 7] = [
    &[
        ("工业互联网边缘计算", "industrial IoT edge computing"),
        ("毫米波雷达芯片", "millimetre-wave radar chips"),
        ("北斗高精度定位", "BeiDou high-precision positioning"),
        ("智能视频分析", "intelligent video analytics"),
        ("信创数据库", "domestic database software"),
        ("功率半导体器件", "power semiconductor devices"),
        ("卫星互联网终端", "satellite internet terminals"),
        ("工业软件", "industrial software"),
        ("网络安全态势感知", "network security situational awareness"),
        ("柔性显示", "flexible displays"),
        ("智慧城市数字孪生", "smart-city digital twins"),
        ("大模型推理加速", "large-model inference acceleration"),
    ],
    &[
        ("航空发动机叶片", "aero-engine blades"),
        ("智能数控机床", "smart CNC machine tools"),
        ("重型燃气轮机", "heavy gas turbines"),
        ("轨道交通制动", "rail transit braking"),
        ("工业机器人", "industrial robots"),
        ("水电机组", "hydropower units"),
        ("无人机", "unmanned aerial vehicles"),
        ("增材制造", "additive manufacturing"),
        ("精密减速器", "precision reducers"),
        ("智能农机", "smart farm machinery"),
        ("应急救援装备", "emergency rescue equipment"),
        ("液压系统", "hydraulic systems"),
    ],
    &[
        ("白酒酿造", "baijiu brewing"),
        ("川菜调味品", "Sichuan cuisine seasonings"),
        ("茶叶精深加工", "tea deep processing"),
        ("蚕丝", "silk"),
        ("功能性食品", "functional foods"),
        ("预制菜", "prepared dishes"),
        ("竹纤维纺织", "bamboo fibre textiles"),
        ("食品冷链", "food cold chain"),
        ("发酵工程", "fermentation engineering"),
        ("食品安全快检", "rapid food safety testing"),
        ("皮革清洁生产", "clean leather production"),
        ("果蔬加工", "fruit and vegetable processing"),
    ],
    &[
        ("页岩气开采", "shale gas extraction"),
        ("氢能储运", "hydrogen storage and transport"),
        ("锂电池回收", "lithium battery recycling"),
        ("天然气净化", "natural gas purification"),
        ("光伏组件", "photovoltaic modules"),
        ("储能电站", "energy storage stations"),
        ("精细化工", "fine chemicals"),
        ("化工废水处理", "chemical wastewater treatment"),
        ("磷化工", "phosphorus chemicals"),
        ("碳捕集利用", "carbon capture and utilisation"),
        ("智能电网", "smart grids"),
        ("小水电增效", "small hydropower efficiency"),
    ],
    &[
        ("钒钛新材料", "vanadium-titanium materials"),
        ("锂电正极材料", "lithium battery cathode materials"),
        ("稀土功能材料", "rare-earth functional materials"),
        ("碳纤维复合材料", "carbon fibre composites"),
        ("高温合金", "superalloys"),
        ("玄武岩纤维", "basalt fibre"),
        ("电子级多晶硅", "electronic-grade polysilicon"),
        ("生物基材料", "bio-based materials"),
        ("特种玻璃", "speciality glass"),
        ("高分子膜材料", "polymer membranes"),
        ("石墨烯", "graphene"),
        ("可降解塑料", "degradable plastics"),
    ],
    &[
        ("中药材种植", "Chinese herbal medicine cultivation"),
        ("创新疫苗", "innovative vaccines"),
        ("医学影像人工智能", "medical imaging AI"),
        ("高端医疗器械", "high-end medical devices"),
        ("生物医用材料", "biomedical materials"),
        ("抗体药物", "antibody drugs"),
        ("康复辅具", "rehabilitation aids"),
        ("远程医疗", "telemedicine"),
        ("精准诊断试剂", "precision diagnostic reagents"),
        ("藏羌医药", "Tibetan and Qiang medicine"),
        ("智慧养老", "smart elderly care"),
        ("细胞治疗", "cell therapy"),
    ],
    &[
        ("水稻育种", "rice breeding"),
        ("生猪养殖", "pig farming"),
        ("柑橘种植", "citrus cultivation"),
        ("茶园管理", "tea garden management"),
        ("食用菌栽培", "edible fungus cultivation"),
        ("高标准农田", "high-standard farmland"),
        ("智慧灌溉", "smart irrigation"),
        ("土壤修复", "soil remediation"),
        ("畜禽粪污利用", "livestock manure utilisation"),
        ("猕猴桃种植", "kiwifruit cultivation"),
        ("蔬菜病虫害绿色防控", "green pest control for vegetables"),
        ("农产品溯源", "farm produce traceability"),
    ],
];

/// Title patterns per kind; `{}` is the topic.
const TITLE_PATTERNS: [&[&str]; 3] = [
    &[
        "{}关键技术攻关",
        "{}可靠性难题攻关",
        "{}降本增效技术需求",
        "{}国产化替代技术攻关",
    ],
    &[
        "{}成套技术推广",
        "新一代{}技术推广",
        "{}智能化解决方案",
        "{}绿色低碳技术推广",
    ],
    &[
        "一种{}方法及装置",
        "{}专利技术转化",
        "{}中试成果转化",
        "{}新工艺成果转化",
    ],
];

const BRAND_SYLLABLES: [&str; 24] = [
    "华", "锐", "蜀", "天", "川", "恒", "新", "创", "达", "盛", "远", "科", "德", "信", "泰", "瑞",
    "博", "智", "峰", "源", "和", "升", "安", "嘉",
];

/// Organisation suffixes per industry.
const ORGANISATION_SUFFIXES: [&[&str]; 7] = [
    &["电子科技有限公司", "信息技术有限公司", "软件有限公司"],
    &["智能装备有限公司", "机械制造有限公司", "精工有限公司"],
    &["食品有限公司", "酒业有限公司", "纺织有限公司"],
    &["能源有限公司", "化工有限公司", "新能源科技有限公司"],
    &["新材料有限公司", "材料科技有限公司", "材料研究院"],
    &["生物医药有限公司", "医疗器械有限公司", "健康科技有限公司"],
    &["农业科技有限公司", "农业开发有限公司", "现代农业研究院"],
];

/// Builds the shipped catalog. Deterministic: the same code gives the same
/// catalog, byte for byte.
pub fn shipped_catalog() -> Catalog {
    let named: Vec<NamedProject> =
        serde_json::from_str(NAMED_PROJECTS).expect("data/named-projects.json is valid");
    let mut rng = Rng(0x5943_5A48_414E_2023); // "YZHAN" 2023
    let mut projects: Vec<Project> = Vec::with_capacity(TOTAL_PROJECTS);

    for record in named {
        projects.push(Project {
            platform_no: String::new(),
            title: record.title,
            title_en: None,
            organisation: record.organisation,
            hall: record.hall,
            industry: record.industry,
            kind: record.kind,
            featured: record.featured,
            summary: record.summary,
            keywords: record.keywords,
            cooperation_modes: record.cooperation_modes,
            agent: placeholder_agent(0),
            media: Vec::new(),
            generated: false,
            source: Some(record.source),
        });
    }

    for hall in HallIndex::all() {
        let target = HALL_TARGETS[hall.0 as usize];
        let mut remaining = target - projects.iter().filter(|p| p.hall == hall).count();
        let mut used_names = std::collections::HashSet::new();
        while remaining > 0 {
            let count = (2 + rng.below(12)).min(remaining);
            let industry = Industry::ALL[weighted_industry(&mut rng)];
            let organisation = loop {
                let name = format!(
                    "{}{}{}{}（演示）",
                    HALLS[hall.0 as usize].name_zh.trim_end_matches('州'),
                    rng.pick(&BRAND_SYLLABLES),
                    rng.pick(&BRAND_SYLLABLES),
                    rng.pick(ORGANISATION_SUFFIXES[industry as usize]),
                );
                if used_names.insert(name.clone()) {
                    break name;
                }
            };
            for _ in 0..count {
                let industry = if rng.below(100) < 85 {
                    industry
                } else {
                    *rng.pick(&Industry::ALL)
                };
                projects.push(demo_project(&mut rng, hall, industry, &organisation));
            }
            remaining -= count;
        }
    }

    feature_demo_projects(&mut rng, &mut projects);
    assign_numbers_and_agents(&mut projects);
    let report = Catalog::from_projects(CATALOG_VERSION, projects);
    assert!(
        report.rejected.is_empty(),
        "the generator made invalid records: {:?}",
        report.rejected
    );
    report.catalog
}

/// Industry index, weighted so the six leading industries dominate.
fn weighted_industry(rng: &mut Rng) -> usize {
    const WEIGHTS: [usize; 7] = [18, 17, 14, 14, 12, 13, 12];
    let mut roll = rng.below(WEIGHTS.iter().sum());
    for (index, weight) in WEIGHTS.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    0
}

fn demo_project(rng: &mut Rng, hall: HallIndex, industry: Industry, organisation: &str) -> Project {
    let kind = ProjectKind::ALL[[0, 1, 1, 2, 2, 0, 1, 2, 2, 1][rng.below(10)]];
    let (topic, topic_en) = *rng.pick(TOPICS[industry as usize]);
    let pattern = rng.pick(TITLE_PATTERNS[kind as usize]);
    let title = pattern.replace("{}", topic);
    let mut modes: Vec<CooperationMode> = (0..1 + rng.below(3))
        .map(|_| *rng.pick(&CooperationMode::ALL))
        .collect();
    modes.sort();
    modes.dedup();
    let mode_names: Vec<&str> = modes.iter().map(|mode| mode.name_zh()).collect();
    Project {
        platform_no: String::new(),
        title,
        title_en: Some(format!(
            "{} ({}), demo",
            capitalise(topic_en),
            kind.name_en()
        )),
        organisation: organisation.to_string(),
        hall,
        industry,
        kind,
        featured: false,
        summary: format!(
            "【演示数据】本项目由云展生成，用于展示展厅效果，并非真实项目。方向：{topic}（{}），类型：{}，寻求：{}。",
            industry.name_zh(),
            kind.name_zh(),
            mode_names.join("、"),
        ),
        keywords: vec![
            topic.to_string(),
            industry.name_zh().to_string(),
            kind.name_zh().to_string(),
        ],
        cooperation_modes: modes,
        agent: placeholder_agent(0),
        media: Vec::new(),
        generated: true,
        source: None,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Tops the named featured projects up to 10 per kind with demo projects,
/// each from a different hall where possible.
fn feature_demo_projects(rng: &mut Rng, projects: &mut [Project]) {
    for kind in ProjectKind::ALL {
        let mut missing = FEATURED_PER_KIND
            - projects
                .iter()
                .filter(|p| p.featured && p.kind == kind)
                .count();
        let mut used_halls: Vec<HallIndex> = Vec::new();
        let mut offset = rng.below(projects.len());
        while missing > 0 {
            offset = (offset + 97) % projects.len();
            let project = &mut projects[offset];
            let hall_free = !used_halls.contains(&project.hall) || used_halls.len() >= HALLS.len();
            if project.generated && !project.featured && project.kind == kind && hall_free {
                project.featured = true;
                used_halls.push(project.hall);
                missing -= 1;
            }
        }
    }
}

/// Platform numbers in catalog order, and agents spread so that each of the
/// 2,230 serves the projects of one hall.
fn assign_numbers_and_agents(projects: &mut [Project]) {
    let mut per_hall: Vec<Vec<usize>> = vec![Vec::new(); HALLS.len()];
    for (index, project) in projects.iter_mut().enumerate() {
        project.platform_no = format!("YZ-2023-{:05}", index + 1);
        per_hall[project.hall.0 as usize].push(index);
    }
    // Largest-remainder share of agents per hall.
    let mut shares: Vec<usize> = per_hall
        .iter()
        .map(|list| list.len() * TOTAL_AGENTS / TOTAL_PROJECTS)
        .collect();
    let mut order: Vec<usize> = (0..HALLS.len()).collect();
    order.sort_by_key(|&hall| {
        std::cmp::Reverse((per_hall[hall].len() * TOTAL_AGENTS) % TOTAL_PROJECTS)
    });
    let short = TOTAL_AGENTS - shares.iter().sum::<usize>();
    for &hall in order.iter().take(short) {
        shares[hall] += 1;
    }
    let mut next_agent = 1;
    for (hall, list) in per_hall.iter().enumerate() {
        for (position, &index) in list.iter().enumerate() {
            projects[index].agent = placeholder_agent(next_agent + position % shares[hall]);
        }
        next_agent += shares[hall];
    }
}

/// A made-up agent: the report names none, so these are labelled as demo.
fn placeholder_agent(number: usize) -> ServiceAgent {
    ServiceAgent {
        id: format!("KF-{number:04}"),
        name: format!("科服保姆 {number:04} 号（演示）"),
        phone: None,
        email: Some(format!("kf{number:04}@demo.example.org")),
        generated: true,
    }
}

/// The shipped catalog grown to `total` projects by repeating its demo
/// projects under new platform numbers, each round of copies under new
/// demo exhibitors (the name and the round's number), so that exhibitors
/// and their booths are as full as in the shipped halls; for benchmarks
/// and scale tests.
pub fn scaled_catalog(total: usize) -> Catalog {
    let shipped = shipped_catalog();
    let mut projects = shipped.projects().to_vec();
    let demo: Vec<Project> = projects.iter().filter(|p| p.generated).cloned().collect();
    for index in 0..total.saturating_sub(projects.len()) {
        let mut copy = demo[index % demo.len()].clone();
        copy.platform_no = format!("YZ-S-{index:07}");
        copy.organisation = format!("{} {}", copy.organisation, index / demo.len() + 2);
        copy.featured = false;
        projects.push(copy);
    }
    projects.truncate(total);
    Catalog::from_projects(shipped.catalog_version(), projects).catalog
}
