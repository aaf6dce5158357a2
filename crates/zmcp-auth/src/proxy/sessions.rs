//! Sign-in sessions and their refresh tokens.
//!
//! A successful sign-in starts a session: who signed in, for which client, and the
//! provider's refresh token (sealed at rest, never sent to a client). Our access tokens name
//! the session (`sid`) and are honoured only while it exists; our refresh tokens are opaque,
//! single-use and rotate on every use (OAuth 2.1 §4.3.1 for public clients). A refresh token
//! presented a second time means it leaked: the whole session ends, so the thief's fresh
//! tokens stop working with the victim's. Ending a session (revocation, reuse, the provider
//! refusing to refresh) therefore revokes every token of it at once.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    own_token::{Identity, random_token},
    sealed::{Sealed, StateError},
    upstream::UpstreamGrant,
};

const SESSIONS: &str = "oidcproxy.sessions";
const REFRESH_TOKENS: &str = "oidcproxy.refresh-tokens";
/// Refresh tokens already used, kept as long as a session lives to recognise a replay.
const SPENT_REFRESH_TOKENS: &str = "oidcproxy.spent-refresh-tokens";

/// How long a session lasts without being refreshed; each refresh extends it.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// One signed-in user at one client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) client_id: String,
    pub(crate) identity: Identity,
    /// The provider's refresh token and scopes, if it gave one.
    pub(crate) upstream: Option<UpstreamGrant>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RefreshRecord {
    sid: String,
    client_id: String,
}

/// What a presented refresh token turned out to be.
#[derive(Debug)]
pub(crate) enum Redeemed {
    /// Live: it is now spent; the caller issues the next one (or puts it back).
    Live {
        sid: String,
        client_id: String,
        session: Box<Session>,
    },
    /// Already used once: its session has just been ended.
    Replayed,
    /// Unknown, expired, or its session has ended.
    Unknown,
}

/// Sessions and refresh tokens in the state store.
#[derive(Debug, Clone)]
pub(crate) struct Sessions {
    state: Sealed,
}

impl Sessions {
    pub(crate) fn new(state: Sealed) -> Self {
        Self { state }
    }

    /// Starts a session; returns its id.
    pub(crate) async fn start(&self, session: &Session) -> Result<String, StateError> {
        let sid = random_token();
        self.state
            .put(SESSIONS, &sid, session, Some(SESSION_TTL))
            .await?;
        Ok(sid)
    }

    /// Replaces the session's record and extends its life; `false` when the session ended
    /// meanwhile (revoked, replayed), which a refresh in flight must not undo.
    pub(crate) async fn update(&self, sid: &str, session: &Session) -> Result<bool, StateError> {
        self.state
            .replace(SESSIONS, sid, session, Some(SESSION_TTL))
            .await
    }

    /// Whether the session still exists (access tokens naming it are honoured).
    pub(crate) async fn is_live(&self, sid: &str) -> Result<bool, StateError> {
        Ok(self.state.get::<Session>(SESSIONS, sid).await?.is_some())
    }

    /// Ends the session: its access and refresh tokens stop working.
    pub(crate) async fn end(&self, sid: &str) -> Result<bool, StateError> {
        self.state.delete(SESSIONS, sid).await
    }

    /// A new refresh token for the session.
    pub(crate) async fn new_refresh_token(
        &self,
        sid: &str,
        client_id: &str,
    ) -> Result<String, StateError> {
        let token = random_token();
        let record = RefreshRecord {
            sid: sid.to_owned(),
            client_id: client_id.to_owned(),
        };
        self.state
            .put(REFRESH_TOKENS, &token, &record, Some(SESSION_TTL))
            .await?;
        Ok(token)
    }

    /// Spends `token`. Exactly one of concurrent callers gets [`Redeemed::Live`]; a later
    /// presentation ends the session ([`Redeemed::Replayed`]).
    pub(crate) async fn redeem(&self, token: &str) -> Result<Redeemed, StateError> {
        let Some(record) = self
            .state
            .take::<RefreshRecord>(REFRESH_TOKENS, token)
            .await?
        else {
            return match self
                .state
                .get::<String>(SPENT_REFRESH_TOKENS, token)
                .await?
            {
                Some(sid) => {
                    self.end(&sid).await?;
                    Ok(Redeemed::Replayed)
                }
                None => Ok(Redeemed::Unknown),
            };
        };
        self.state
            .put(SPENT_REFRESH_TOKENS, token, &record.sid, Some(SESSION_TTL))
            .await?;
        match self.state.get::<Session>(SESSIONS, &record.sid).await? {
            Some(session) => Ok(Redeemed::Live {
                sid: record.sid,
                client_id: record.client_id,
                session: Box::new(session),
            }),
            None => Ok(Redeemed::Unknown),
        }
    }

    /// Makes a token spent by [`Sessions::redeem`] usable again, when the refresh failed
    /// for a reason that is not the client's (the provider was unreachable).
    pub(crate) async fn restore(
        &self,
        token: &str,
        sid: &str,
        client_id: &str,
    ) -> Result<(), StateError> {
        self.state.delete(SPENT_REFRESH_TOKENS, token).await?;
        let record = RefreshRecord {
            sid: sid.to_owned(),
            client_id: client_id.to_owned(),
        };
        self.state
            .put(REFRESH_TOKENS, token, &record, Some(SESSION_TTL))
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::proxy::sealed::StateKeys;

    fn sessions() -> Sessions {
        Sessions::new(Sealed::new(
            zmcp_store::Store::memory(),
            Arc::new(StateKeys::derive(b"k").unwrap()),
        ))
    }

    fn session() -> Session {
        Session {
            client_id: "c1".into(),
            identity: Identity {
                sub: "s".into(),
                oid: None,
                tid: None,
                preferred_username: None,
                email: None,
                name: None,
            },
            upstream: Some(UpstreamGrant {
                refresh_token: "UP".into(),
                scope: None,
            }),
        }
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_a_replay_ends_the_session() {
        let s = sessions();
        let sid = s.start(&session()).await.unwrap();
        let first = s.new_refresh_token(&sid, "c1").await.unwrap();
        let Redeemed::Live {
            sid: got,
            client_id,
            ..
        } = s.redeem(&first).await.unwrap()
        else {
            panic!("the first use must be live")
        };
        assert_eq!((got.as_str(), client_id.as_str()), (sid.as_str(), "c1"));
        let second = s.new_refresh_token(&sid, "c1").await.unwrap();
        assert!(s.is_live(&sid).await.unwrap());
        assert!(matches!(
            s.redeem(&first).await.unwrap(),
            Redeemed::Replayed
        ));
        assert!(!s.is_live(&sid).await.unwrap());
        assert!(matches!(
            s.redeem(&second).await.unwrap(),
            Redeemed::Unknown
        ));
        assert!(matches!(
            s.redeem("never-issued").await.unwrap(),
            Redeemed::Unknown
        ));
    }

    #[test]
    fn debug_output_never_shows_the_provider_token() {
        assert!(!format!("{:?}", session()).contains("\"UP\""));
    }

    #[tokio::test]
    async fn a_restored_token_works_again() {
        let s = sessions();
        let sid = s.start(&session()).await.unwrap();
        let token = s.new_refresh_token(&sid, "c1").await.unwrap();
        assert!(matches!(
            s.redeem(&token).await.unwrap(),
            Redeemed::Live { .. }
        ));
        s.restore(&token, &sid, "c1").await.unwrap();
        assert!(matches!(
            s.redeem(&token).await.unwrap(),
            Redeemed::Live { .. }
        ));
        assert!(s.is_live(&sid).await.unwrap());
    }

    #[tokio::test]
    async fn an_update_does_not_revive_an_ended_session() {
        let s = sessions();
        let sid = s.start(&session()).await.unwrap();
        assert!(s.update(&sid, &session()).await.unwrap());
        assert!(s.end(&sid).await.unwrap());
        assert!(!s.update(&sid, &session()).await.unwrap());
        assert!(!s.is_live(&sid).await.unwrap());
    }

    #[tokio::test]
    async fn ending_a_session_kills_its_refresh_tokens() {
        let s = sessions();
        let sid = s.start(&session()).await.unwrap();
        let token = s.new_refresh_token(&sid, "c1").await.unwrap();
        assert!(s.end(&sid).await.unwrap());
        assert!(matches!(s.redeem(&token).await.unwrap(), Redeemed::Unknown));
    }
}
