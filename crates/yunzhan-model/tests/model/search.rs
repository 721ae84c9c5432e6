//! Search and recommendation over the shipped catalog.

use yunzhan_model::generate::shipped_catalog;
use yunzhan_model::{HallIndex, Industry, ProjectKind, Query};

fn titles(catalog: &yunzhan_model::Catalog, query: &Query, limit: usize) -> Vec<String> {
    catalog
        .search(query, limit)
        .into_iter()
        .map(|hit| catalog.project(hit.project).title.clone())
        .collect()
}

#[test]
fn chinese_substring_finds_the_project() {
    let catalog = shipped_catalog();
    assert_eq!(
        titles(&catalog, &Query::text("银耳种质"), 5)[0],
        "通江银耳种质资源保护与利用"
    );
    assert_eq!(
        titles(&catalog, &Query::text("龙安柚"), 5)[0],
        "广安龙安柚保鲜技术研究"
    );
}

#[test]
fn english_is_case_insensitive_and_terms_combine() {
    let catalog = shipped_catalog();
    assert_eq!(
        titles(&catalog, &Query::text("MRNA"), 5)[0],
        "mRNA创新药物研发——威斯津生物"
    );
    assert_eq!(
        titles(&catalog, &Query::text("ecp 重载"), 5),
        vec!["重载长大列车无线ECP系统的开发技术"]
    );
    assert!(titles(&catalog, &Query::text("ecp 银耳"), 5).is_empty());
}

#[test]
fn organisation_and_keywords_are_searched() {
    let catalog = shipped_catalog();
    let by_org = titles(&catalog, &Query::text("四川农业大学"), 5);
    assert_eq!(by_org, vec!["一种水稻粒型相关蛋白G1F1及其编码基因与应用"]);
    let by_keyword = titles(&catalog, &Query::text("气调冷藏"), 5);
    assert_eq!(by_keyword, vec!["广安龙安柚保鲜技术研究"]);
}

#[test]
fn bigrams_match_a_phrase_typed_differently() {
    let catalog = shipped_catalog();
    assert_eq!(
        titles(&catalog, &Query::text("通江银耳保护"), 5)[0],
        "通江银耳种质资源保护与利用"
    );
    assert!(titles(&catalog, &Query::text("量子引力波"), 5).is_empty());
}

#[test]
fn title_matches_rank_above_keyword_matches() {
    let catalog = shipped_catalog();
    let hits = catalog.search(&Query::text("水稻"), 20);
    let first = catalog.project(hits[0].project);
    assert!(first.title.contains("水稻"), "{}", first.title);
    assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
}

#[test]
fn filters_restrict_results() {
    let catalog = shipped_catalog();
    let query = Query {
        text: String::new(),
        hall: HallIndex::from_id("bazhong"),
        industry: Some(Industry::ModernAgriculture),
        kind: Some(ProjectKind::Challenge),
        featured_only: false,
    };
    let hits = catalog.search(&query, usize::MAX);
    assert!(!hits.is_empty());
    for hit in &hits {
        let project = catalog.project(hit.project);
        assert_eq!(project.hall, HallIndex::from_id("bazhong").unwrap());
        assert_eq!(project.industry, Industry::ModernAgriculture);
        assert_eq!(project.kind, ProjectKind::Challenge);
    }
    let featured = Query {
        featured_only: true,
        ..Query::default()
    };
    assert_eq!(catalog.search(&featured, usize::MAX).len(), 30);
}

#[test]
fn related_projects_share_industry_or_keywords() {
    let catalog = shipped_catalog();
    let yiner = catalog.search(&Query::text("通江银耳"), 1)[0].project;
    let related = catalog.related(yiner, 8);
    assert_eq!(related.len(), 8);
    assert!(!related.contains(&yiner));
    for id in related {
        assert_eq!(catalog.project(id).industry, Industry::ModernAgriculture);
    }
}
