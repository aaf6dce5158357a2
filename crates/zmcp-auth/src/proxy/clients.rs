//! The MCP clients this server knows: those registered at `/register` (kept in the state
//! store, so a restart does not make them register again) and, in the facade, those named by
//! a Client ID Metadata Document URL.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    cimd::{self, FetchError, Fetcher},
    own_token::random_token,
    redirect_uri::RedirectPolicy,
    sealed::{Sealed, StateError},
};

const CLIENTS: &str = "oidcproxy.clients";
const DOCUMENTS: &str = "oidcproxy.client-documents";
/// Documents that could not be used, so a retry (or a flood) does not fetch again.
const DOCUMENT_FAILURES: &str = "oidcproxy.client-document-failures";
/// How long a failed fetch is remembered.
const FAILURE_TTL: Duration = Duration::from_secs(60);

/// How long a registration that has never obtained a token is kept: registering is
/// anonymous, so what nobody uses must not pile up for months.
const UNUSED_CLIENT_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a registration is kept once used; every token grant to the client extends it.
pub(crate) const CLIENT_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
/// How long a fetched metadata document is trusted before it is fetched again.
const DOCUMENT_TTL: Duration = Duration::from_secs(3600);

/// A client and the redirect URIs it may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Client {
    pub(crate) redirect_uris: Vec<String>,
    /// What the client calls itself (shown on the consent page, never trusted).
    pub(crate) client_name: Option<String>,
    /// Described by a metadata document at its `client_id` URL (its host vouches for it).
    #[serde(default)]
    pub(crate) from_document: bool,
}

/// Why a client cannot be used.
#[derive(Debug)]
pub(crate) enum LookupError {
    /// Not registered (or registration expired) and not a usable document URL.
    Unknown,
    /// A metadata document URL that could not be fetched or checked.
    Document(String),
    /// The store failed.
    State(StateError),
}

impl From<StateError> for LookupError {
    fn from(err: StateError) -> Self {
        Self::State(err)
    }
}

/// Registered clients and metadata documents.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    state: Sealed,
    /// Set when metadata documents are accepted (the facade).
    documents: Option<Fetcher>,
}

impl Clients {
    pub(crate) fn new(state: Sealed, documents: Option<Fetcher>) -> Self {
        Self { state, documents }
    }

    /// Stores a registration; returns its new client id.
    pub(crate) async fn register(&self, client: &Client) -> Result<String, StateError> {
        loop {
            let client_id = random_token();
            if self
                .state
                .put_if_absent(CLIENTS, &client_id, client, Some(UNUSED_CLIENT_TTL))
                .await?
            {
                return Ok(client_id);
            }
        }
    }

    /// Keeps a registration alive while it is used.
    pub(crate) async fn touch(&self, client_id: &str, client: &Client) -> Result<(), StateError> {
        if client.from_document {
            return Ok(());
        }
        self.state
            .put(CLIENTS, client_id, client, Some(CLIENT_TTL))
            .await
    }

    /// The client `client_id` names.
    pub(crate) async fn find(
        &self,
        client_id: &str,
        policy: &RedirectPolicy,
    ) -> Result<Client, LookupError> {
        match (&self.documents, cimd::is_document_url(client_id)) {
            (Some(fetcher), true) => self.document_client(fetcher, client_id, policy).await,
            (None, true) => Err(LookupError::Unknown),
            (_, false) => self
                .state
                .get::<Client>(CLIENTS, client_id)
                .await?
                .ok_or(LookupError::Unknown),
        }
    }

    async fn document_client(
        &self,
        fetcher: &Fetcher,
        client_id: &str,
        policy: &RedirectPolicy,
    ) -> Result<Client, LookupError> {
        if let Some(cached) = self.state.get::<Client>(DOCUMENTS, client_id).await? {
            return Ok(cached);
        }
        if let Some(reason) = self
            .state
            .get::<String>(DOCUMENT_FAILURES, client_id)
            .await?
        {
            return Err(LookupError::Document(reason));
        }
        let doc = match fetcher.fetch(client_id, policy).await {
            Ok(doc) => doc,
            Err(FetchError::Busy) => {
                return Err(LookupError::Document(FetchError::Busy.to_string()));
            }
            Err(FetchError::Refused(reason)) => {
                self.state
                    .put(DOCUMENT_FAILURES, client_id, &reason, Some(FAILURE_TTL))
                    .await?;
                return Err(LookupError::Document(reason));
            }
        };
        let client = Client {
            redirect_uris: doc.redirect_uris,
            client_name: Some(doc.client_name),
            from_document: true,
        };
        self.state
            .put(DOCUMENTS, client_id, &client, Some(DOCUMENT_TTL))
            .await?;
        Ok(client)
    }
}
