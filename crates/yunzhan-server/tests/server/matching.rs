//! Demand-side matching in the workspace: an agent sees a challenge's
//! possible solutions and routes a solver to it as a tracked 对接, once;
//! nobody else sees or routes it.

use reqwest::StatusCode;
use yunzhan_model::ProjectKind;
use yunzhan_model::deal::Stage;
use yunzhan_server::db::Role;

use super::common::{UNLIMITED, back_ends, settings, start};
use super::deals::Browser;

const CHALLENGE: &str = "YZ-2023-00004";

fn location(answer: &reqwest::Response) -> String {
    answer.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_routes_a_solver_to_their_challenge_once() {
    for db in back_ends("matching").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let served = server.state.served();
        let catalog = &served.catalog;
        let challenge = catalog.project(catalog.find(CHALLENGE).unwrap());
        let agent = challenge.agent.id.clone();
        let solutions = served
            .matcher()
            .solutions(catalog, catalog.find(CHALLENGE).unwrap(), 8);
        let solver = catalog.project(solutions[0].project);

        let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
        let (_, inbox) = workspace.get("/agent/").await;
        assert!(inbox.contains(&format!("/agent/challenges/{CHALLENGE}")));
        let (status, page) = workspace
            .get(&format!("/agent/challenges/{CHALLENGE}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        for solution in &solutions {
            assert!(page.contains(&catalog.project(solution.project).platform_no));
        }
        assert!(page.contains("关键词：食用菌"), "why it is suggested");

        let route = format!("/agent/challenges/{CHALLENGE}/route");
        let first = workspace
            .submit(&route, &[("solver", &solver.platform_no)])
            .await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        let again = workspace
            .submit(&route, &[("solver", &solver.platform_no)])
            .await;
        assert_eq!(location(&again), location(&first), "routed once");
        assert_eq!(server.state.db.inquiry_count().await.unwrap(), 1);

        let id: i64 = location(&first)
            .strip_prefix("/agent/inquiries/")
            .unwrap()
            .parse()
            .unwrap();
        let file = server.state.db.inquiry_file(id).await.unwrap().unwrap();
        assert_eq!(file.row.platform_no, CHALLENGE);
        assert_eq!(file.row.agent_id, agent);
        assert_eq!(file.row.stage, Stage::Contacted);
        assert_eq!(file.inquiry.organisation, solver.organisation);
        assert!(file.inquiry.message.contains(&solver.platform_no));
        let (_, deal_page) = workspace.get(&location(&first)).await;
        assert!(deal_page.contains(&format!("/agent/challenges/{CHALLENGE}")));
        assert!(deal_page.contains("需求侧撮合"));

        // Not a solver: another challenge, or an unknown project.
        let other_challenge = catalog
            .projects()
            .iter()
            .find(|p| p.kind == ProjectKind::Challenge && p.platform_no != CHALLENGE)
            .unwrap();
        for bad in [other_challenge.platform_no.as_str(), "YZ-1999-00000"] {
            let refused = workspace.submit(&route, &[("solver", bad)]).await;
            assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{bad}");
        }
        // Without the session's CSRF token nothing is routed.
        let forged = workspace
            .post(
                &route,
                &[(
                    "solver",
                    catalog.project(solutions[1].project).platform_no.as_str(),
                )],
            )
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert_eq!(server.state.db.inquiry_count().await.unwrap(), 1);

        // Another agent neither sees nor routes it (the same 404 as none).
        let stranger = catalog
            .projects()
            .iter()
            .find(|p| p.agent.id != agent)
            .unwrap()
            .agent
            .id
            .clone();
        let other = Browser::sign_in(&server, Role::Agent, &stranger).await;
        let (hidden, hidden_page) = other.get(&format!("/agent/challenges/{CHALLENGE}")).await;
        let (missing, missing_page) = other.get("/agent/challenges/YZ-1999-00000").await;
        assert_eq!(
            (hidden, missing),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
        );
        assert_eq!(hidden_page, missing_page);
        let theirs = other
            .submit(&route, &[("solver", &solver.platform_no)])
            .await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

        // An organiser sees the solutions but routing is the agent's.
        let organiser = Browser::sign_in(&server, Role::Organiser, "organiser").await;
        let (status, page) = organiser
            .get(&format!("/agent/challenges/{CHALLENGE}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(&solver.platform_no) && !page.contains("发起对接："));
        let refused = organiser
            .submit(&route, &[("solver", &solver.platform_no)])
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(server.state.db.inquiry_count().await.unwrap(), 1);
    }
}
