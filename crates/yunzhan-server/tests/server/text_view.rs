//! The text view: every hall and project reachable by links, the same
//! detail as the 3D panels, text escaped, an inquiry form whose fields have
//! labels, the pages served by the server and exported as files alike.

use super::common::{UNLIMITED, scratch, settings, start};
use yunzhan_model::{Catalog, EMBEDDED_CATALOG, HallIndex};
use yunzhan_server::db::DbTarget;
use yunzhan_server::text_view;

fn catalog() -> Catalog {
    Catalog::load(EMBEDDED_CATALOG).unwrap().catalog
}

/// The `href`s of a page's links.
fn links(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn every_hall_and_every_project_is_one_link_away_from_its_parent() {
    let catalog = catalog();
    let index = text_view::index(&catalog);
    let hall_links: Vec<&str> = links(&index)
        .into_iter()
        .filter(|link| link.starts_with("halls/"))
        .collect();
    assert_eq!(hall_links.len(), 22);
    let mut projects = 0;
    for hall in HallIndex::all() {
        let page = text_view::hall(&catalog, hall);
        assert!(page.contains(&format!("<h1>{}", hall.hall().name_zh)));
        let project_links = links(&page)
            .into_iter()
            .filter(|link| link.starts_with("../projects/"))
            .count();
        assert_eq!(
            project_links,
            catalog.hall_project_count(hall),
            "{}",
            hall.hall().id
        );
        projects += project_links;
    }
    assert_eq!(projects, catalog.projects().len());
}

#[test]
fn a_project_page_has_the_panel_detail_a_labelled_form_and_escaped_text() {
    let mut catalog = catalog();
    let real = catalog
        .projects()
        .iter()
        .find(|project| !project.generated)
        .unwrap()
        .clone();
    let page = text_view::project(&real);
    for needle in [
        real.title.as_str(),
        real.platform_no.as_str(),
        real.organisation.as_str(),
        real.agent.name.as_str(),
        real.kind.name_zh(),
        real.industry.name_zh(),
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
    assert!(page.contains(&format!("index.html?project={}", real.platform_no)));
    assert!(!page.contains("演示 <span lang=\"en\">DEMO</span></strong></h1>"));
    for field in [
        "name",
        "organisation",
        "phone",
        "email",
        "message",
        "intent",
    ] {
        assert!(
            page.contains(&format!("<label for=\"{field}\">")),
            "{field} has no label"
        );
        assert!(
            page.contains(&format!("id=\"{field}\"")),
            "{field} has no control"
        );
    }

    let mut hostile = real.clone();
    hostile.platform_no = "YZ-2023-99999".into();
    hostile.title = "<script>alert(1)</script>".into();
    hostile.generated = true;
    let mut projects = catalog.projects().to_vec();
    projects.push(hostile);
    catalog = Catalog::from_projects("test", projects).catalog;
    let id = catalog.find("YZ-2023-99999").unwrap();
    let page = text_view::project(catalog.project(id));
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("DEMO"), "generated projects are marked");
}

#[tokio::test]
async fn the_server_serves_the_same_pages_the_export_writes() {
    // The text view reads only the served catalog: one back end suffices.
    let dir = scratch("text-view");
    let db = DbTarget::Sqlite(dir.join("yunzhan.db"));
    let server = start(&settings(&db, UNLIMITED), 0);
    let catalog = catalog();
    let pages = text_view::export(&catalog, &dir.join("text")).unwrap();
    assert_eq!(pages, 1 + 22 + catalog.projects().len());
    let http = yunzhan_client::http_client().unwrap();
    for path in [
        "index.html",
        "halls/bazhong.html",
        "projects/YZ-2023-00001.html",
        "inquiry.js",
    ] {
        let served = http
            .get(format!("{}/text/{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{path}");
        let file = std::fs::read_to_string(dir.join("text").join(path)).unwrap();
        assert_eq!(served.text().await.unwrap(), file, "{path}");
    }
    // The CJK font the pages fall back on, where no system font has Chinese.
    let font_path = "fonts/NotoSansSC-Yunzhan.otf";
    let font = http
        .get(format!("{}/text/{font_path}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(font.headers()["content-type"], "font/otf");
    let bytes = font.bytes().await.unwrap();
    assert_eq!(
        bytes.as_ref(),
        std::fs::read(dir.join("text").join(font_path)).unwrap()
    );
    assert!(bytes.starts_with(b"OTTO"), "an OpenType font");
    let missing = http
        .get(format!("{}/text/projects/YZ-0000-00000.html", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("YZ-0000-00000"));
}
