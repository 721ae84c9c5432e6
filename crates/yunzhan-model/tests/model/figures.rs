//! The organisers' figures: every count follows from the facts given.

use yunzhan_model::deal::Stage;
use yunzhan_model::figures::{Attention, DealFact, Figures, FunnelStep, is_overdue};
use yunzhan_model::{Catalog, EMBEDDED_CATALOG, HALLS};

const HOUR: i64 = 3600;
const NOW: i64 = 1_800_000_000;

fn fact(catalog: &Catalog, index: usize, stage: Stage, furthest: Stage) -> DealFact {
    let project = &catalog.projects()[index];
    DealFact {
        platform_no: project.platform_no.clone(),
        agent_id: project.agent.id.clone(),
        received_at: NOW - 100 * HOUR,
        received_day: "2026-11-28".into(),
        stage,
        furthest,
        first_reply_at: None,
        amount_wan: stage.has_terms().then_some(120.0),
    }
}

#[test]
fn headline_tallies_and_funnel_follow_the_stages() {
    let catalog = Catalog::load(EMBEDDED_CATALOG).unwrap().catalog;
    let mut facts = vec![
        fact(&catalog, 0, Stage::New, Stage::New),
        fact(&catalog, 0, Stage::Intention, Stage::Intention),
        fact(&catalog, 1, Stage::Signed, Stage::Signed),
        fact(&catalog, 2, Stage::Delivered, Stage::Delivered),
        // Closed after an intention: not an intention now, but it got there.
        fact(&catalog, 3, Stage::Closed, Stage::Intention),
    ];
    facts[1].first_reply_at = Some(NOW - 98 * HOUR);
    facts[2].first_reply_at = Some(NOW - 96 * HOUR);
    facts[4].received_day = "2026-11-29".into();

    let figures = Figures::compute(&catalog, &facts, None, NOW, 48.0);
    assert_eq!(figures.halls, HALLS.len());
    assert_eq!(figures.projects, catalog.projects().len());
    assert_eq!(figures.total.inquiries, 5);
    assert_eq!(
        figures.total.intentions, 3,
        "intention, signed and delivered"
    );
    assert_eq!(figures.total.amount_wan, 360.0);
    assert_eq!(figures.total.signed, 2);
    assert_eq!(figures.total.delivered, 1);
    let hall_inquiries: usize = figures.by_hall.iter().map(|(_, t)| t.inquiries).sum();
    let kind_projects: usize = figures.by_kind.iter().map(|(_, t)| t.projects).sum();
    assert_eq!(hall_inquiries, 5);
    assert_eq!(kind_projects, catalog.projects().len());

    let counts: Vec<Option<u64>> = figures.funnel.iter().map(|row| row.count).collect();
    assert_eq!(counts, [None, None, Some(5), Some(4), Some(4), Some(2)]);
    assert_eq!(
        figures.funnel[2].conversion, None,
        "nothing counted before inquiries"
    );
    assert_eq!(figures.funnel[5].conversion, Some(0.5));
    assert_eq!(
        figures.per_day,
        [("2026-11-28".to_string(), 4), ("2026-11-29".to_string(), 1)]
    );
}

#[test]
fn attention_opens_the_funnel_and_agents_get_medians_and_overdue_counts() {
    let catalog = Catalog::load(EMBEDDED_CATALOG).unwrap().catalog;
    let mut facts: Vec<DealFact> = (0..3)
        .map(|_| fact(&catalog, 0, Stage::New, Stage::New))
        .collect();
    facts[0].first_reply_at = Some(facts[0].received_at + HOUR);
    facts[1].first_reply_at = Some(facts[1].received_at + 3 * HOUR);
    let attention = Attention {
        booth_visits: 40,
        card_opens: 10,
    };

    let figures = Figures::compute(&catalog, &facts, Some(attention), NOW, 48.0);
    let card_opens = &figures.funnel[1];
    assert_eq!(card_opens.step, FunnelStep::CardOpens);
    assert_eq!(card_opens.conversion, Some(0.25));
    assert_eq!(figures.funnel[2].conversion, Some(0.3));
    let agent = &figures.agents[0];
    assert_eq!(agent.id, catalog.projects()[0].agent.id);
    assert_eq!((agent.inquiries, agent.replied, agent.overdue), (3, 2, 1));
    assert_eq!(agent.median_first_reply_hours, Some(2.0));
}

#[test]
fn overdue_needs_no_reply_an_open_deal_and_the_threshold_passed() {
    assert!(is_overdue(false, Stage::New, 49 * HOUR, 48.0));
    assert!(!is_overdue(false, Stage::New, 47 * HOUR, 48.0));
    assert!(!is_overdue(true, Stage::New, 49 * HOUR, 48.0));
    assert!(!is_overdue(false, Stage::Closed, 49 * HOUR, 48.0));
}
