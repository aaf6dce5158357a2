//! The one serving loop for every HTTP configuration: plaintext or TLS, with the peer
//! address recorded for the source-IP check and the logs, TCP_NODELAY, and a graceful
//! shutdown bounded by a grace period.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener, ListenerExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

use crate::{ServerError, TlsServer};

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshaken connections waiting for the server to pick them up.
const ACCEPT_QUEUE: usize = 64;

/// How [`serve`] runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Terminate TLS in-process with this certificate; `None` serves plaintext.
    pub tls: Option<TlsServer>,
    /// Cancelled to stop accepting; open requests then get `grace` to finish.
    pub shutdown: CancellationToken,
    /// How long open connections (event streams) may delay the end after `shutdown`.
    pub grace: Duration,
}

impl ServeOptions {
    /// Plaintext, stopping when `shutdown` is cancelled, with a 10 s grace period.
    pub fn plaintext(shutdown: CancellationToken) -> Self {
        Self {
            tls: None,
            shutdown,
            grace: Duration::from_secs(10),
        }
    }
}

/// Serves `app` (already layered: see [`crate::guard`]) on `listener` until
/// `options.shutdown` is cancelled and open requests finish or the grace period ends.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    options: ServeOptions,
) -> Result<(), ServerError> {
    match &options.tls {
        None => run(listener.tap_io(set_nodelay), app, &options).await,
        Some(tls) => {
            // TCP_NODELAY is set on the TCP stream before the handshake; the no-op tap is
            // what makes axum record the peer address (`ConnectInfo<SocketAddr>`) for a
            // listener of our own.
            let listener =
                TlsListener::new(listener, tls)?.tap_io(|_: &mut TlsStream<TcpStream>| {});
            run(listener, app, &options).await
        }
    }
}

/// Without TCP_NODELAY, Nagle's algorithm and the client's delayed ACK hold back every
/// streamed (SSE) reply by ~40 ms.
fn set_nodelay(tcp: &mut TcpStream) {
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::debug!("could not set TCP_NODELAY: {err}");
    }
}

async fn run<L>(listener: L, app: Router, options: &ServeOptions) -> Result<(), ServerError>
where
    L: Listener,
    L::Addr: std::fmt::Debug,
    SocketAddr: for<'a> Connected<IncomingStream<'a, L>>,
{
    use std::future::IntoFuture;

    let graceful = options.shutdown.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { graceful.cancelled().await })
    .into_future();
    tokio::select! {
        result = server => Ok(result?),
        () = async {
            options.shutdown.cancelled().await;
            tokio::time::sleep(options.grace).await;
        } => {
            tracing::warn!(
                "connections still open {} s after shutdown; exiting",
                options.grace.as_secs()
            );
            Ok(())
        }
    }
}

/// Accepts TCP connections and hands over those that complete the TLS handshake. Each
/// handshake runs in its own task, so a client that stalls it delays nobody else.
struct TlsListener {
    handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    accept_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    fn new(listener: TcpListener, tls: &TlsServer) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let (sender, handshaken) = mpsc::channel(ACCEPT_QUEUE);
        let accept_task = tokio::spawn(accept_loop(listener, tls.clone(), sender));
        Ok(Self {
            handshaken,
            local,
            accept_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.handshaken.recv().await {
            Some(accepted) => accepted,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: TlsServer,
    sender: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (mut tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        set_nodelay(&mut tcp);
        let acceptor = tls.acceptor();
        let sender = sender.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => {
                    // A send error means the server stopped; the connection just closes.
                    let _closed = sender.send((stream, peer)).await;
                }
                Ok(Err(err)) => tracing::debug!(%peer, "TLS handshake failed: {err}"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}
