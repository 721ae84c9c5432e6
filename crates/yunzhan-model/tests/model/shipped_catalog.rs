//! The shipped catalog is true to the source report and to its generator.

use yunzhan_model::generate::{TOTAL_AGENTS, TOTAL_PROJECTS, shipped_catalog};
use yunzhan_model::{Catalog, EMBEDDED_CATALOG, HallIndex, Industry, ProjectKind};

fn embedded() -> Catalog {
    let report = Catalog::load(EMBEDDED_CATALOG).expect("the embedded catalog is a catalog");
    assert_eq!(
        report.rejected,
        vec![],
        "the shipped catalog has no bad records"
    );
    report.catalog
}

#[test]
fn the_checked_in_catalog_is_the_generators_output() {
    let generated = shipped_catalog().to_json();
    assert!(
        generated.as_bytes() == EMBEDDED_CATALOG,
        "assets/catalog/catalog.json is stale: run `cargo run -p yunzhan-sheet --bin yunzhan-catalog -- generate`"
    );
}

#[test]
fn counts_match_the_report() {
    let catalog = embedded();
    let stats = catalog.stats();
    assert_eq!(stats.halls, 22);
    assert_eq!(stats.projects, TOTAL_PROJECTS);
    assert_eq!(stats.projects, 5740);
    assert_eq!(stats.agents, TOTAL_AGENTS);
    assert_eq!(stats.featured, 30);
    for kind in ProjectKind::ALL {
        assert_eq!(stats.featured_by_kind[&kind], 10, "{kind:?}");
    }
    assert_eq!(stats.by_hall.len(), 22, "every hall has projects");
    assert_eq!(stats.by_industry.len(), Industry::ALL.len());
    let chengdu = stats.by_hall["chengdu"];
    assert!(
        stats.by_hall.values().all(|&count| count <= chengdu),
        "Chengdu is the largest hall"
    );
}

#[test]
fn named_projects_are_real_and_in_their_halls() {
    let catalog = embedded();
    let expectations = [
        (
            "通江银耳",
            "bazhong",
            "巴中市通江银耳科学技术研究所",
            ProjectKind::Challenge,
        ),
        (
            "龙安柚",
            "guangan",
            "广安龙安柚发展有限公司",
            ProjectKind::Challenge,
        ),
        (
            "无线ECP",
            "meishan",
            "中车眉山车辆有限公司",
            ProjectKind::Promotion,
        ),
        (
            "研发运维一体化",
            "chengdu",
            "成都精英云科技有限公司",
            ProjectKind::Promotion,
        ),
        (
            "mRNA",
            "chengdu",
            "四川大学生物治疗国家重点实验室",
            ProjectKind::Promotion,
        ),
        (
            "溴化锂",
            "chengdu",
            "希望深蓝空调制造有限公司",
            ProjectKind::Transfer,
        ),
        ("G1F1", "yaan", "四川农业大学", ProjectKind::Transfer),
        (
            "脊椎侧弯",
            "chengdu",
            "成都成电金盘健康数据技术有限公司",
            ProjectKind::Transfer,
        ),
        (
            "扫风降噪",
            "panzhihua",
            "攀枝花市仁和区瑞天祐新能源有限公司",
            ProjectKind::Challenge,
        ),
        (
            "高钢级厚壁套管",
            "provincial",
            "发布单位未载明",
            ProjectKind::Challenge,
        ),
        (
            "非能动管道爆破",
            "provincial",
            "发布单位未载明",
            ProjectKind::Promotion,
        ),
        (
            "新型绿色农药",
            "provincial",
            "发布单位未载明",
            ProjectKind::Transfer,
        ),
    ];
    for (title_part, hall, organisation, kind) in expectations {
        let matches: Vec<_> = catalog
            .projects()
            .iter()
            .filter(|p| p.title.contains(title_part))
            .collect();
        assert_eq!(matches.len(), 1, "{title_part}");
        let project = matches[0];
        assert_eq!(
            project.hall,
            HallIndex::from_id(hall).unwrap(),
            "{title_part}"
        );
        assert_eq!(project.organisation, organisation, "{title_part}");
        assert_eq!(project.kind, kind, "{title_part}");
        assert!(!project.generated, "{title_part} is real");
        assert!(project.source.is_some(), "{title_part} cites the report");
        assert!(project.agent.generated, "the report names no agents");
    }
    // The wind-noise project is not said to be one of the 30; all the others are.
    let featured_named = catalog
        .projects()
        .iter()
        .filter(|p| !p.generated && p.featured)
        .count();
    assert_eq!(featured_named, 11);
}

#[test]
fn generated_projects_say_so() {
    let catalog = embedded();
    let generated: Vec<_> = catalog.projects().iter().filter(|p| p.generated).collect();
    assert_eq!(generated.len(), 5740 - 12);
    for project in generated {
        assert!(
            project.organisation.contains("演示"),
            "{}",
            project.platform_no
        );
        assert!(
            project.summary.starts_with("【演示数据】"),
            "{}",
            project.platform_no
        );
        assert!(project.title_en.as_deref().unwrap().ends_with("demo"));
        assert!(project.source.is_none());
    }
}

/// The scale-test catalog (`yunzhan-catalog generate --projects N`): the
/// shipped projects first, unchanged, then demo copies under new platform
/// numbers and new exhibitors, flagged as generated and never featured;
/// its exhibitors hold about as many projects as the shipped ones.
#[test]
fn a_scaled_catalog_keeps_the_shipped_projects_and_flags_every_copy() {
    let shipped = shipped_catalog();
    let scaled = yunzhan_model::generate::scaled_catalog(100_000);
    assert_eq!(scaled.projects().len(), 100_000);
    assert_eq!(&scaled.projects()[..TOTAL_PROJECTS], shipped.projects());
    let copies = &scaled.projects()[TOTAL_PROJECTS..];
    assert!(copies.iter().all(|p| p.generated && !p.featured));
    let mut numbers: Vec<&str> = (scaled.projects().iter())
        .map(|p| p.platform_no.as_str())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 100_000, "platform numbers are unique");
    let chengdu = HallIndex::from_id("chengdu").unwrap();
    assert!(scaled.hall_project_count(chengdu) > 10 * shipped.hall_project_count(chengdu));
    let per_exhibitor = |catalog: &yunzhan_model::Catalog| {
        catalog.hall_project_count(chengdu) as f32 / catalog.hall_exhibitors(chengdu).len() as f32
    };
    let (before, after) = (per_exhibitor(&shipped), per_exhibitor(&scaled));
    assert!(
        (after / before - 1.0).abs() < 0.1,
        "{before} vs {after} projects per exhibitor"
    );
}
