//! Who is asking: the session cookie (`HttpOnly`, `SameSite=Strict`,
//! `Secure` when served over https), the CSRF token every state-changing
//! form carries, the same-origin check on every POST, and the language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

use super::pages::{self, Lang};
use super::{Refusal, WorkspaceSettings};
use crate::api::AppState;
use crate::db::{Role, Session};

pub(super) const SESSION_COOKIE: &str = "yz_session";
const LANG_COOKIE: &str = "yz_lang";

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}

/// The page's language: `?lang=`, else the cookie a choice left, else the
/// browser's first preference between Chinese (the default) and English.
pub(super) fn language(parts: &Parts) -> Lang {
    let asked = parts.uri.query().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "lang")
            .map(|(_, value)| value.into_owned())
    });
    let chosen = asked.or_else(|| cookie_value(&parts.headers, LANG_COOKIE));
    match chosen.as_deref() {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => {
            let accept = parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            if accept.trim_start().starts_with("en") {
                Lang::En
            } else {
                Lang::Zh
            }
        }
    }
}

/// A `Set-Cookie` value with the attributes every cookie here has.
fn cookie_header(
    settings: &WorkspaceSettings,
    name: &str,
    value: &str,
    max_age: cookie::time::Duration,
    http_only: bool,
) -> HeaderValue {
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookies)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("cookies here are ASCII")
}

/// The session's cookie. The server ends the session after its lifetime;
/// the browser keeps the cookie a day longer, so that a visit after the
/// end is told the session expired instead of just seeing the sign-in.
pub(super) fn session_cookie(settings: &WorkspaceSettings, id: &str) -> HeaderValue {
    let kept = settings.session_lifetime.as_secs_f64().ceil() as i64 + 24 * 3600;
    cookie_header(
        settings,
        SESSION_COOKIE,
        id,
        cookie::time::Duration::seconds(kept),
        true,
    )
}

pub(super) fn cleared_session_cookie(settings: &WorkspaceSettings) -> HeaderValue {
    cookie_header(
        settings,
        SESSION_COOKIE,
        "",
        cookie::time::Duration::ZERO,
        true,
    )
}

pub(super) fn language_cookie(settings: &WorkspaceSettings, lang: Lang) -> HeaderValue {
    cookie_header(
        settings,
        LANG_COOKIE,
        lang.code(),
        cookie::time::Duration::days(365),
        false,
    )
}

/// A request's language and, when signed in, its session.
pub(super) struct Visitor {
    pub lang: Lang,
    /// The session cookie's value, when one was sent.
    pub cookie: Option<String>,
    pub session: Option<Session>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let lang = language(parts);
        let cookie = cookie_value(&parts.headers, SESSION_COOKIE).filter(|id| !id.is_empty());
        let session = match &cookie {
            Some(id) => state
                .db
                .session(id)
                .await
                .map_err(|error| Refusal::database(state, lang, error))?,
            None => None,
        };
        Ok(Visitor {
            lang,
            cookie,
            session,
        })
    }
}

/// A signed-in request (anything else is answered with the sign-in page,
/// 401, saying why).
pub(super) struct SignedIn {
    pub lang: Lang,
    pub session: Session,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.session {
            // Exhibitors have their own page and nothing of the workspace.
            Some(session) if session.role == Role::Exhibitor => Err(Refusal::forbidden(
                visitor.lang,
                pages::Notice::ExhibitorsOwnPage,
            )),
            Some(session) => Ok(SignedIn {
                lang: visitor.lang,
                session,
            }),
            None => Err(Refusal::sign_in(
                visitor.lang,
                visitor.cookie.is_some().then_some(pages::Notice::Expired),
            )),
        }
    }
}

impl SignedIn {
    /// Refuses a form whose CSRF token is not this session's.
    pub(super) fn check_csrf(&self, sent: &str) -> Result<(), Refusal> {
        let expected = self.session.csrf.as_bytes();
        let same = sent.len() == expected.len()
            && sent
                .bytes()
                .zip(expected)
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(Refusal::forbidden(self.lang, pages::Notice::StaleForm))
        }
    }

    pub(super) fn is_organiser(&self) -> bool {
        self.session.role == Role::Organiser
    }

    /// The agent whose inquiries this session sees (`None`: all of them).
    pub(super) fn agent_scope(&self) -> Option<String> {
        match self.session.role {
            Role::Organiser => None,
            // (An exhibitor never gets this far: see the extractor.)
            Role::Agent | Role::Exhibitor => Some(self.session.subject.clone()),
        }
    }
}

/// Refuses a POST from another site: its `Origin` (or, lacking one,
/// `Referer`) must name this host. Browsers send one of them on every
/// form post; a request with neither is not a browser's and carries no
/// cookie it did not choose to.
pub(super) fn same_origin(headers: &HeaderMap, lang: Lang) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok());
    let Some(source) = source else {
        return Ok(());
    };
    let matches = url::Url::parse(source).ok().is_some_and(|url| {
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        authority.eq_ignore_ascii_case(host)
    });
    if matches {
        Ok(())
    } else {
        Err(Refusal::forbidden(lang, pages::Notice::OtherSite))
    }
}
