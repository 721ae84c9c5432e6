//! Who may use the workspace: bearer tokens (made with `yunzhan-server
//! agent-token` / `organiser-token` / `exhibitor-token`) and the sessions a token is exchanged
//! for at sign-in. Tokens and session ids are kept as SHA-256 digests only.

use std::time::Duration;

use sqlx::Row;

use super::{Db, DbResult, digest, unix_now};

/// What a token or session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A service agent: their own projects' inquiries.
    Agent,
    /// An organiser: every inquiry's stage (not its text), reassignment,
    /// settings, the figures.
    Organiser,
    /// An exhibitor (its subject is the organisation's name): its own
    /// booth's anonymous figures, nothing of the workspace.
    Exhibitor,
}

impl Role {
    fn wire(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Organiser => "organiser",
            Role::Exhibitor => "exhibitor",
        }
    }

    fn from_wire(name: &str) -> Option<Role> {
        match name {
            "agent" => Some(Role::Agent),
            "organiser" => Some(Role::Organiser),
            "exhibitor" => Some(Role::Exhibitor),
            _ => None,
        }
    }
}

/// A signed-in workspace user.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub role: Role,
    /// The agent's id, or the organiser's name.
    pub subject: String,
    /// The token every state-changing form of this session must carry.
    pub csrf: String,
    pub expires_at: f64,
}

/// `bytes` random bytes as hex: tokens, secrets, session ids.
pub fn random_secret(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system's random source works");
    buffer.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Db {
    /// Makes a new bearer token and returns it; only its digest is kept.
    pub async fn create_token(
        &self,
        role: Role,
        subject: &str,
        created_at: &str,
    ) -> DbResult<String> {
        let token = random_secret(24);
        sqlx::query(
            "INSERT INTO agent_tokens (token_sha256, agent_id, created_at, role) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest(token.as_bytes()))
        .bind(subject)
        .bind(created_at)
        .bind(role.wire())
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// A new token for service agent `agent_id`.
    pub async fn create_agent_token(&self, agent_id: &str, created_at: &str) -> DbResult<String> {
        self.create_token(Role::Agent, agent_id, created_at).await
    }

    /// Who a bearer token belongs to.
    pub async fn token_holder(&self, token: &str) -> DbResult<Option<(Role, String)>> {
        let row = sqlx::query("SELECT role, agent_id FROM agent_tokens WHERE token_sha256 = $1")
            .bind(digest(token.as_bytes()))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|row| {
            let role: String = row.try_get("role").ok()?;
            Some((Role::from_wire(&role)?, row.try_get("agent_id").ok()?))
        }))
    }

    /// The agent a bearer token belongs to (organisers' tokens: none).
    pub async fn token_agent(&self, token: &str) -> DbResult<Option<String>> {
        Ok(match self.token_holder(token).await? {
            Some((Role::Agent, agent)) => Some(agent),
            _ => None,
        })
    }

    /// Starts a session for the holder of a token; returns its id (the
    /// cookie's value) and the session.
    pub async fn start_session(
        &self,
        role: Role,
        subject: &str,
        lifetime: Duration,
    ) -> DbResult<(String, Session)> {
        let id = random_secret(32);
        let session = Session {
            role,
            subject: subject.to_string(),
            csrf: random_secret(24),
            expires_at: unix_now() + lifetime.as_secs_f64(),
        };
        sqlx::query(
            "INSERT INTO sessions (id_sha256, role, subject, csrf, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(digest(id.as_bytes()))
        .bind(role.wire())
        .bind(&session.subject)
        .bind(&session.csrf)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok((id, session))
    }

    /// The live session a cookie names (expired ones are none).
    pub async fn session(&self, id: &str) -> DbResult<Option<Session>> {
        let row = sqlx::query(
            "SELECT role, subject, csrf, expires_at FROM sessions WHERE id_sha256 = $1 AND expires_at > $2",
        )
        .bind(digest(id.as_bytes()))
        .bind(unix_now())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let role: String = row.try_get("role")?;
        Ok(Role::from_wire(&role).map(|role| Session {
            role,
            subject: row.try_get("subject").unwrap_or_default(),
            csrf: row.try_get("csrf").unwrap_or_default(),
            expires_at: row.try_get("expires_at").unwrap_or_default(),
        }))
    }

    /// Ends a session (sign-out), and forgets every expired one.
    pub async fn end_session(&self, id: &str) -> DbResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1 OR expires_at <= $2")
            .bind(digest(id.as_bytes()))
            .bind(unix_now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
