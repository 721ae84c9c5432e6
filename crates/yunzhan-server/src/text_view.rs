//! The text view: the expo as plain accessible HTML for screen readers and
//! weak devices. Real headings, lists and links, no canvas; the same detail
//! as the 3D panels; each project page has an inquiry form that posts to
//! the API (`inquiry.js`). The server renders the pages from the catalog it
//! serves (`/text/…`); `yunzhan-server export-text DIR` writes the same
//! pages as files for a static deployment.

use std::fmt::Write as _;
use std::path::Path;

use yunzhan_model::layout::HallLayout;
use yunzhan_model::{Catalog, HallIndex, Project};

/// The form's script, served as `/text/inquiry.js`.
pub const INQUIRY_JS: &str = include_str!("text_view/inquiry.js");
/// The pages' style sheet, served as `/text/style.css`.
pub const STYLE_CSS: &str = include_str!("text_view/style.css");
/// The app's CJK font (a subset of Noto Sans CJK SC, OFL), served as
/// `/text/fonts/NotoSansSC-Yunzhan.otf` for the text view's and the
/// workspace's pages, so Chinese renders where no CJK font is installed.
pub const CJK_FONT: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Yunzhan.otf");
/// Where [`CJK_FONT`] is, below the text view.
const FONT_PATH: &str = "fonts/NotoSansSC-Yunzhan.otf";

/// Text made safe inside HTML elements and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page: `root` is the relative path from the page to the site's root
/// (where the 3D app's index.html is).
fn page(title: &str, root: &str, body: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · 云展 Yunzhan</title>
<link rel="stylesheet" href="{root}text/style.css">
</head>
<body>
<a class="skip" href="#main">跳到正文 <span lang="en">Skip to content</span></a>
<header>
<p class="site"><a href="{root}text/index.html">云展 · 天府科技云 文字版 <span lang="en">Yunzhan text view</span></a></p>
</header>
<main id="main">
{body}
</main>
<footer><p>演示项目（标注“演示 DEMO”）为生成的示例数据，并非真实项目。 <span lang="en">Projects marked DEMO are generated examples, not real projects.</span></p></footer>
</body>
</html>
"##,
        title = escape(title),
    )
}

fn hall_names(hall: HallIndex) -> String {
    let hall = hall.hall();
    format!(
        r#"{} <span lang="en">{}</span>"#,
        escape(hall.name_zh),
        escape(hall.name_en)
    )
}

fn demo_mark(generated: bool) -> &'static str {
    if generated {
        r#" <strong class="demo">演示 <span lang="en">DEMO</span></strong>"#
    } else {
        ""
    }
}

/// The hall list and the featured projects.
pub fn index(catalog: &Catalog) -> String {
    let mut body = String::new();
    body.push_str(
        r#"<h1>云展 · 天府科技云 <span lang="en">Yunzhan · Tianfu Sci-Tech Cloud</span></h1>
<p>22 个展馆的全部项目，以文字列出。 <span lang="en">Every project of the 22 halls, as text.</span>
<a href="../index.html">进入三维展厅 <span lang="en">Enter the 3D expo</span></a></p>
<h2>展馆 <span lang="en">Halls</span></h2>
<ul class="halls">
"#,
    );
    for hall in HallIndex::all() {
        let _ = writeln!(
            body,
            r#"<li><a href="halls/{id}.html">{names}</a> — {count} 个项目 <span lang="en">projects</span></li>"#,
            id = hall.hall().id,
            names = hall_names(hall),
            count = catalog.hall_project_count(hall),
        );
    }
    body.push_str("</ul>\n<h2>重大项目 <span lang=\"en\">Major projects</span></h2>\n<ul>\n");
    for id in catalog.featured() {
        let project = catalog.project(id);
        let _ = writeln!(
            body,
            r#"<li>{link}{demo} — {hall}</li>"#,
            link = project_link(project, ""),
            demo = demo_mark(project.generated),
            hall = hall_names(project.hall),
        );
    }
    body.push_str("</ul>\n");
    page("文字版 Text view", "../", &body)
}

fn project_link(project: &Project, prefix: &str) -> String {
    format!(
        r#"<a href="{prefix}projects/{no}.html">{title}</a>"#,
        no = escape(&project.platform_no),
        title = escape(&project.title),
    )
}

/// A hall: its exhibitors (booths, numbered as in the 3D hall) and their projects.
pub fn hall(catalog: &Catalog, hall: HallIndex) -> String {
    let layout = HallLayout::for_hall(catalog, hall);
    let exhibitors = catalog.hall_exhibitors(hall);
    let names = hall_names(hall);
    let mut body = format!(
        r#"<nav aria-label="位置 Breadcrumb"><a href="../index.html">全部展馆 <span lang="en">All halls</span></a></nav>
<h1>{names}</h1>
<p>{booths} 个展商，{projects} 个项目。 <span lang="en">{booths} exhibitors, {projects} projects.</span>
<a href="../../index.html?hall={id}">在三维展厅中打开 <span lang="en">Open in the 3D hall</span></a></p>
"#,
        booths = exhibitors.len(),
        projects = catalog.hall_project_count(hall),
        id = hall.hall().id,
    );
    for (index, &exhibitor_id) in exhibitors.iter().enumerate() {
        let exhibitor = catalog.exhibitor(exhibitor_id);
        let booth = layout
            .booths
            .iter()
            .position(|booth| booth.exhibitor == index)
            .map(|booth| format!(" · 展位 <span lang=\"en\">booth</span> {}", booth + 1))
            .unwrap_or_default();
        let _ = writeln!(
            body,
            "<section>\n<h2>{name}{demo}</h2>\n<p class=\"meta\">{count} 个项目 <span lang=\"en\">projects</span>{booth}</p>\n<ul>",
            name = escape(&exhibitor.name),
            demo = demo_mark(exhibitor.generated),
            count = exhibitor.projects.len(),
        );
        for &id in &exhibitor.projects {
            let project = catalog.project(id);
            let _ = writeln!(
                body,
                "<li>{link}{demo} — {kind} · {industry}</li>",
                link = project_link(project, "../"),
                demo = demo_mark(project.generated),
                kind = project.kind.name_zh(),
                industry = project.industry.name_zh(),
            );
        }
        body.push_str("</ul>\n</section>\n");
    }
    page(hall.hall().name_zh, "../../", &body)
}

/// A project with everything the 3D detail panel shows, and the inquiry form.
pub fn project(project: &Project) -> String {
    let hall = project.hall.hall();
    let mut body = format!(
        r#"<nav aria-label="位置 Breadcrumb"><a href="../index.html">全部展馆 <span lang="en">All halls</span></a> › <a href="../halls/{hall_id}.html">{hall_names}</a></nav>
<h1>{title}{demo}</h1>
"#,
        hall_id = hall.id,
        hall_names = hall_names(project.hall),
        title = escape(&project.title),
        demo = demo_mark(project.generated),
    );
    if let Some(title_en) = &project.title_en {
        let _ = writeln!(
            body,
            r#"<p lang="en" class="subtitle">{}</p>"#,
            escape(title_en)
        );
    }
    body.push_str("<dl>\n");
    let mut row = |term: &str, detail: String| {
        let _ = writeln!(body, "<dt>{term}</dt><dd>{detail}</dd>");
    };
    row(
        "编号 <span lang=\"en\">No.</span>",
        escape(&project.platform_no),
    );
    row(
        "机构 <span lang=\"en\">Organisation</span>",
        escape(&project.organisation),
    );
    row(
        "展馆 <span lang=\"en\">Hall</span>",
        hall_names(project.hall),
    );
    row(
        "类别 <span lang=\"en\">Kind</span>",
        format!(
            "{} <span lang=\"en\">{}</span>{}",
            project.kind.name_zh(),
            project.kind.name_en(),
            if project.featured {
                " · ★ 重大项目 <span lang=\"en\">major project</span>"
            } else {
                ""
            }
        ),
    );
    row(
        "行业 <span lang=\"en\">Industry</span>",
        format!(
            "{} <span lang=\"en\">{}</span>",
            project.industry.name_zh(),
            project.industry.name_en()
        ),
    );
    row(
        "简介 <span lang=\"en\">Summary</span>",
        escape(&project.summary),
    );
    if !project.keywords.is_empty() {
        row(
            "关键词 <span lang=\"en\">Keywords</span>",
            escape(&project.keywords.join("、")),
        );
    }
    let modes: Vec<String> = project
        .cooperation_modes
        .iter()
        .map(|mode| {
            format!(
                "{} <span lang=\"en\">{}</span>",
                mode.name_zh(),
                mode.name_en()
            )
        })
        .collect();
    row(
        "合作方式 <span lang=\"en\">Cooperation</span>",
        modes.join("；"),
    );
    let agent = &project.agent;
    let mut contact = escape(&agent.name);
    if let Some(phone) = &agent.phone {
        let _ = write!(
            contact,
            " · 电话 <span lang=\"en\">phone</span> {}",
            escape(phone)
        );
    }
    if let Some(email) = &agent.email {
        let _ = write!(
            contact,
            r#" · <a href="mailto:{email}">{email}</a>"#,
            email = escape(email)
        );
    }
    if agent.generated {
        contact.push_str(" （演示联系人 <span lang=\"en\">demo contact</span>）");
    }
    row("科服保姆 <span lang=\"en\">Service agent</span>", contact);
    if let Some(source) = &project.source {
        row("来源 <span lang=\"en\">Source</span>", escape(source));
    }
    body.push_str("</dl>\n");
    let _ = write!(
        body,
        r#"<p><a href="../../index.html?project={no}">在三维展厅中查看 <span lang="en">View in the 3D hall</span></a></p>
<h2 id="inquiry-title">联系科服保姆 <span lang="en">Send an inquiry to the service agent</span></h2>
<form id="inquiry" aria-labelledby="inquiry-title" data-platform-no="{no}" data-api="../../" novalidate>
<p>带 * 的为必填项；电话和邮箱至少填一项。 <span lang="en">Fields marked * are required; give a phone number or an e-mail address.</span></p>
{name}{organisation}{phone}{email}
<p><label for="intent">合作意向 * <span lang="en">Intent *</span></label>
<select id="intent" name="intent" aria-describedby="intent-error"><option value="">—</option>{options}</select>
<span id="intent-error" class="error"></span></p>
{message}
<p><button type="submit">发送 <span lang="en">Send</span></button></p>
<p id="inquiry-status" role="status" aria-live="polite"></p>
</form>
<script src="../inquiry.js"></script>
"#,
        no = escape(&project.platform_no),
        name = field("name", "姓名 *", "Name *", "text", "name"),
        organisation = field(
            "organisation",
            "单位",
            "Organisation",
            "text",
            "organization"
        ),
        phone = field("phone", "电话", "Phone", "tel", "tel"),
        email = field("email", "邮箱", "E-mail", "email", "email"),
        options = project
            .cooperation_modes
            .iter()
            .map(|mode| format!(
                r#"<option value="{}">{} {}</option>"#,
                mode_id(*mode),
                mode.name_zh(),
                mode.name_en()
            ))
            .collect::<String>(),
        message = textarea("message", "留言 *", "Message *"),
    );
    page(&project.title, "../../", &body)
}

/// The name the API uses for a cooperation mode (`joint_development`).
fn mode_id(mode: yunzhan_model::CooperationMode) -> String {
    serde_json::to_value(mode)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn field(id: &str, zh: &str, en: &str, kind: &str, autocomplete: &str) -> String {
    format!(
        r#"<p><label for="{id}">{zh} <span lang="en">{en}</span></label>
<input id="{id}" name="{id}" type="{kind}" autocomplete="{autocomplete}" aria-describedby="{id}-error">
<span id="{id}-error" class="error"></span></p>
"#
    )
}

fn textarea(id: &str, zh: &str, en: &str) -> String {
    format!(
        r#"<p><label for="{id}">{zh} <span lang="en">{en}</span></label>
<textarea id="{id}" name="{id}" rows="5" aria-describedby="{id}-error"></textarea>
<span id="{id}-error" class="error"></span></p>
"#
    )
}

/// Writes every page (and the script and style) under `dir`, as the server
/// serves them under `/text/`. Returns how many pages were written.
pub fn export(catalog: &Catalog, dir: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir.join("halls"))?;
    std::fs::create_dir_all(dir.join("projects"))?;
    std::fs::create_dir_all(dir.join("fonts"))?;
    std::fs::write(dir.join(FONT_PATH), CJK_FONT)?;
    std::fs::write(dir.join("index.html"), index(catalog))?;
    std::fs::write(dir.join("inquiry.js"), INQUIRY_JS)?;
    std::fs::write(dir.join("style.css"), STYLE_CSS)?;
    let mut pages = 1;
    for hall_index in HallIndex::all() {
        let path = dir.join(format!("halls/{}.html", hall_index.hall().id));
        std::fs::write(path, hall(catalog, hall_index))?;
        pages += 1;
    }
    for item in catalog.projects() {
        let path = dir.join(format!("projects/{}.html", item.platform_no));
        std::fs::write(path, project(item))?;
        pages += 1;
    }
    Ok(pages)
}

/// The text view's routes under `/text/`, rendered from the catalog served.
pub fn routes() -> axum::Router<crate::api::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/text",
            get(|| async { axum::response::Redirect::permanent("/text/index.html") }),
        )
        .route("/text/", get(index_page))
        .route("/text/index.html", get(index_page))
        .route("/text/halls/{file}", get(hall_page))
        .route("/text/projects/{file}", get(project_page))
        .route(
            "/text/inquiry.js",
            get(|| async { asset("text/javascript", INQUIRY_JS) }),
        )
        .route(
            "/text/style.css",
            get(|| async { asset("text/css", STYLE_CSS) }),
        )
        .route(&format!("/text/{FONT_PATH}"), get(font))
}

async fn font() -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "font/otf"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CJK_FONT,
    )
        .into_response()
}

type Page = (
    axum::http::StatusCode,
    [(axum::http::HeaderName, &'static str); 2],
    String,
);

fn html(status: axum::http::StatusCode, body: String) -> Page {
    use axum::http::header;
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Page {
    use axum::http::header;
    (
        axum::http::StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body.to_string(),
    )
}

fn not_found(what: &str) -> Page {
    let body = format!(
        "<h1>找不到 {what} <span lang=\"en\">Not found: {what}</span></h1>\n<p><a href=\"/text/index.html\">全部展馆 <span lang=\"en\">All halls</span></a></p>",
        what = escape(what)
    );
    html(
        axum::http::StatusCode::NOT_FOUND,
        page("找不到 Not found", "/", &body),
    )
}

async fn index_page(
    axum::extract::State(state): axum::extract::State<crate::api::AppState>,
) -> Page {
    html(axum::http::StatusCode::OK, index(&state.served().catalog))
}

async fn hall_page(
    axum::extract::State(state): axum::extract::State<crate::api::AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Page {
    let id = file.strip_suffix(".html").unwrap_or(&file);
    match HallIndex::from_id(id) {
        Some(index) => html(
            axum::http::StatusCode::OK,
            hall(&state.served().catalog, index),
        ),
        None => not_found(id),
    }
}

async fn project_page(
    axum::extract::State(state): axum::extract::State<crate::api::AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Page {
    let no = file.strip_suffix(".html").unwrap_or(&file);
    let served = state.served();
    match served.catalog.find(no) {
        Some(id) => html(
            axum::http::StatusCode::OK,
            project(served.catalog.project(id)),
        ),
        None => not_found(no),
    }
}
