//! The legacy HTTP+SSE transport (MCP 2024-11-05), which rmcp 3 no longer ships.
//!
//! `GET /sse` opens a session: its first event is `endpoint` with the URL to POST to
//! (`/messages/?session_id=<id>`), then every server message arrives as a `message` event.
//! `POST /messages/?session_id=<id>` hands one JSON-RPC message to that session and answers
//! 202. Each session is an rmcp service over a (sink, stream) channel pair; it is removed when
//! the event stream is dropped (client gone) or the service ends.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::channel::mpsc;
use futures::{SinkExt, Stream, StreamExt};
use http::StatusCode;
use http::request::Parts;
use rmcp::ServiceExt;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions};
use rmcp::service::{RoleServer, TxJsonRpcMessage};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::McpServer;

/// Where clients POST their messages.
const MESSAGES_PATH: &str = "/messages/";
/// Messages buffered per direction before the sender waits.
const CHANNEL_CAPACITY: usize = 32;
/// Comment events that keep proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

type ClientSender = mpsc::Sender<ClientJsonRpcMessage>;

/// One legacy SSE session: where its client messages go, and who opened it.
#[derive(Clone)]
struct Session {
    sender: ClientSender,
    /// The authenticated subject of the `GET /sse` that opened the session; every
    /// `POST /messages/` must come from the same one, so a leaked session id is useless to
    /// anybody else.
    subject: Option<String>,
}

fn subject_of(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<zmcp_auth::Principal>()
        .map(|p| p.subject.clone())
}

/// Open SSE sessions, shared by the stream and message routes.
#[derive(Clone)]
pub struct SseState {
    server: McpServer,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    shutdown: CancellationToken,
}

impl SseState {
    pub fn new(server: McpServer, shutdown: CancellationToken) -> Self {
        Self {
            server,
            sessions: Arc::new(Mutex::new(HashMap::new())),
            shutdown,
        }
    }

    fn session(&self, id: &str) -> Option<Session> {
        self.sessions.lock().ok()?.get(id).cloned()
    }

    fn remove(&self, id: &str) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.remove(id);
        }
    }
}

/// `GET /sse` and `POST /messages/` (with and without the trailing slash).
pub fn routes(state: SseState) -> Router {
    Router::new()
        .route("/messages/", post(post_message))
        .route("/messages", post(post_message))
        .with_state(state.clone())
        .merge(stream_route("/sse", state))
}

/// The event stream at `path` (`/sse`, and `/mcp` when the SSE transport is selected).
pub fn stream_route(path: &str, state: SseState) -> Router {
    Router::new()
        .route(path, get(open_stream))
        .with_state(state)
}

async fn open_stream(State(state): State<SseState>, parts: Parts) -> Response {
    let id = session_id();
    let (to_server, from_client) = mpsc::channel::<ClientJsonRpcMessage>(CHANNEL_CAPACITY);
    let (to_client, from_server) = mpsc::channel::<TxJsonRpcMessage<RoleServer>>(CHANNEL_CAPACITY);
    let Ok(mut sessions) = state.sessions.lock() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    sessions.insert(
        id.clone(),
        Session {
            sender: to_server,
            subject: subject_of(&parts),
        },
    );
    drop(sessions);

    let session_ct = state.shutdown.child_token();
    let server = state.server.clone();
    let cleanup = state.clone();
    let task_id = id.clone();
    let task_ct = session_ct.clone();
    tokio::spawn(async move {
        match server
            .serve_with_ct((to_client, from_client), task_ct)
            .await
        {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(error) => tracing::debug!(%error, "SSE session ended before initialize"),
        }
        cleanup.remove(&task_id);
    });

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("{MESSAGES_PATH}?session_id={id}"));
    let guard = SessionGuard {
        state,
        id,
        ct: session_ct.clone(),
    };
    let messages = from_server
        .map(|message| {
            let data = serde_json::to_string(&message).unwrap_or_default();
            Event::default().event("message").data(data)
        })
        .take_until(session_ct.cancelled_owned());
    let stream = futures::stream::once(async move { endpoint })
        .chain(messages)
        .map(move |event| {
            let _alive = &guard;
            Ok::<_, Infallible>(event)
        });
    Sse::new(Box::pin(stream) as std::pin::Pin<Box<dyn Stream<Item = _> + Send>>)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// Ends the session when the client's event stream goes away.
struct SessionGuard {
    state: SseState,
    id: String,
    ct: CancellationToken,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.state.remove(&self.id);
        self.ct.cancel();
    }
}

#[derive(Deserialize)]
struct SessionQuery {
    session_id: Option<String>,
    #[serde(rename = "sessionId")]
    session_id_camel: Option<String>,
}

async fn post_message(
    State(state): State<SseState>,
    Query(query): Query<SessionQuery>,
    parts: Parts,
    body: Bytes,
) -> Response {
    let Some(id) = query.session_id.or(query.session_id_camel) else {
        return (StatusCode::BAD_REQUEST, "session_id is required").into_response();
    };
    let Some(Session {
        mut sender,
        subject,
    }) = state.session(&id)
    else {
        return (StatusCode::NOT_FOUND, "Could not find session").into_response();
    };
    if subject != subject_of(&parts) {
        return (
            StatusCode::FORBIDDEN,
            "This session belongs to another authenticated client",
        )
            .into_response();
    }
    let mut message: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            let body = json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": {"code": -32700, "message": format!("Parse error: {error}")},
            });
            return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
        }
    };
    // The request's parts carry the caller's Principal to the handler (audit, confirmation
    // binding), as rmcp's streamable HTTP service does for `/mcp`.
    match &mut message {
        ClientJsonRpcMessage::Request(request) => {
            request.request.extensions_mut().insert(parts);
        }
        ClientJsonRpcMessage::Notification(notification) => {
            notification.notification.extensions_mut().insert(parts);
        }
        _ => {}
    }
    if sender.send(message).await.is_err() {
        state.remove(&id);
        return (StatusCode::NOT_FOUND, "Could not find session").into_response();
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}

/// 128 random bits, hex.
fn session_id() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
