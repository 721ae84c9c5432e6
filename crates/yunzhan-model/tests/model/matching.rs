use yunzhan_model::generate::shipped_catalog;
use yunzhan_model::matching::{Judgements, Matcher, precision_at};
use yunzhan_model::{Catalog, ProjectKind};

fn judgements() -> Judgements {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/matching-judgements.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn a_challenge_is_solved_by_other_organisations_promotions_and_transfers() {
    let catalog = shipped_catalog();
    let matcher = Matcher::new(&catalog);
    let yiner = catalog.find("YZ-2023-00004").unwrap();
    let solutions = matcher.solutions(&catalog, yiner, 10);
    assert_eq!(solutions.len(), 10);
    for pair in solutions.windows(2) {
        assert!(pair[0].score >= pair[1].score, "best first");
    }
    for solution in &solutions {
        let project = catalog.project(solution.project);
        assert_ne!(project.kind, ProjectKind::Challenge);
        assert_ne!(project.organisation, catalog.project(yiner).organisation);
    }
    // 通江银耳 names 食用菌 among its keywords: mushroom growers come first.
    let best = &solutions[0];
    assert_eq!(catalog.project(best.project).keywords[0], "食用菌栽培");
    assert!(best.same_industry);
    assert_eq!(best.shared_keywords, ["食用菌"]);
}

#[test]
fn only_challenges_have_solutions() {
    let catalog = shipped_catalog();
    let matcher = Matcher::new(&catalog);
    let promotion = catalog.find("YZ-2023-00002").unwrap();
    assert!(matcher.solutions(&catalog, promotion, 5).is_empty());
}

#[test]
fn the_judgements_name_real_challenges_and_topics() {
    let catalog = shipped_catalog();
    let judgements = judgements();
    assert_eq!(judgements.challenges.len(), 30);
    for judgement in &judgements.challenges {
        let id = catalog.find(&judgement.challenge).unwrap();
        assert_eq!(catalog.project(id).kind, ProjectKind::Challenge);
        let solvers = catalog
            .projects()
            .iter()
            .filter(|project| judgement.solved_by(project))
            .count();
        assert!(solvers >= 40, "{}: {solvers} solvers", judgement.challenge);
        for topic in &judgement.topics {
            assert!(
                catalog
                    .projects()
                    .iter()
                    .any(|p| p.generated && &p.keywords[0] == topic),
                "{}: no topic {topic}",
                judgement.challenge
            );
        }
    }
}

/// Precision@5 on the hand-judged challenges: matching beats the plain
/// related-projects list, which mixes in other challenges.
#[test]
fn matching_finds_more_solvers_than_related_projects() {
    let catalog: Catalog = shipped_catalog();
    let judgements = judgements();
    let matcher = Matcher::new(&catalog);
    let matched = precision_at(&catalog, &judgements, 5, |id| {
        matcher
            .solutions(&catalog, id, 5)
            .into_iter()
            .map(|s| s.project)
            .collect()
    })
    .unwrap();
    let related = precision_at(&catalog, &judgements, 5, |id| catalog.related(id, 5)).unwrap();
    assert!(
        mean(&matched) > mean(&related) + 0.2,
        "matching {:.2} vs related {:.2}",
        mean(&matched),
        mean(&related)
    );
    assert!(mean(&matched) >= 0.8, "matching {:.2}", mean(&matched));
}

#[test]
fn an_unknown_challenge_is_named() {
    let catalog = shipped_catalog();
    let mut judgements = judgements();
    judgements.challenges[0].challenge = "YZ-1999-00000".into();
    let error = precision_at(&catalog, &judgements, 5, |_| Vec::new()).unwrap_err();
    assert!(error.contains("YZ-1999-00000"), "{error}");
}
