//! In-process TLS: the certificate and key are read from PEM files at start-up and read
//! again whenever the files change (polled, and on SIGHUP), so a renewed certificate is
//! served to new connections without a restart while open connections carry on.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{RootCertStore, ServerConfig};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Where the server's TLS material lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain, leaf first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1; not encrypted).
    pub key: PathBuf,
    /// PEM CA certificates: when set, clients must present a certificate they issued (mTLS).
    pub client_ca: Option<PathBuf>,
}

/// Why TLS material cannot be used. Never carries key bytes.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The certificate file holds no usable PEM certificate.
    #[error("{0}: no PEM certificate found")]
    NoCertificate(PathBuf),
    /// The key file holds no usable PEM private key.
    #[error("{0}: no PEM private key found (PKCS#8, PKCS#1 or SEC1)")]
    NoKey(PathBuf),
    /// The key is encrypted; this build cannot decrypt keys.
    #[error(
        "{0}: the private key is encrypted, which this server does not support; \
         store it decrypted (e.g. `openssl pkey -in key.pem -out key-plain.pem`) in a file only the server can read"
    )]
    EncryptedKey(PathBuf),
    /// The key is of an unsupported type or does not belong to the certificate.
    #[error("certificate {cert} and key {key} cannot be used together: {reason}")]
    Mismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        reason: rustls::Error,
    },
    /// The client CA file is unusable.
    #[error("client CA file {path}: {reason}")]
    ClientCa {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The server side of TLS: an acceptor whose certificate can be replaced while serving.
#[derive(Clone)]
pub struct TlsServer {
    inner: Arc<Inner>,
}

struct Inner {
    files: TlsFiles,
    current: Arc<CurrentCert>,
    /// Digest of the certificate and key files last read, loadable or not: a bad file is
    /// reported once, and read again only after it changes.
    seen: Mutex<[u8; 32]>,
    acceptor: TlsAcceptor,
}

impl fmt::Debug for TlsServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsServer")
            .field("files", &self.inner.files)
            .finish_non_exhaustive()
    }
}

impl TlsServer {
    /// Loads the certificate, key and (optional) client CA.
    ///
    /// # Errors
    /// When a file is missing or unusable.
    pub fn load(files: TlsFiles) -> Result<Self, TlsError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let (digest, bytes) = read_pair(&files)?;
        let certified = certified_key(&files, &bytes, &provider)?;
        let current = Arc::new(CurrentCert(RwLock::new(Arc::new(certified))));
        let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()?;
        let builder = match &files.client_ca {
            Some(path) => builder.with_client_cert_verifier(client_verifier(path, provider)?),
            None => builder.with_no_client_auth(),
        };
        let mut config =
            builder.with_cert_resolver(Arc::clone(&current) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            inner: Arc::new(Inner {
                files,
                current,
                seen: Mutex::new(digest),
                acceptor: TlsAcceptor::from(Arc::new(config)),
            }),
        })
    }

    /// The acceptor new connections handshake with.
    pub fn acceptor(&self) -> TlsAcceptor {
        self.inner.acceptor.clone()
    }

    /// Whether clients must present a certificate.
    pub fn requires_client_certificates(&self) -> bool {
        self.inner.files.client_ca.is_some()
    }

    /// Reads the certificate and key again and, when they changed and form a usable pair,
    /// serves them to new handshakes. Returns whether a new certificate is now served.
    ///
    /// # Errors
    /// When the changed files are unusable; the previous certificate stays in force.
    pub fn reload_if_changed(&self) -> Result<bool, TlsError> {
        let files = &self.inner.files;
        let (digest, bytes) = read_pair(files)?;
        {
            let mut seen = self
                .inner
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *seen == digest {
                return Ok(false);
            }
            *seen = digest;
        }
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let certified = certified_key(files, &bytes, &provider)?;
        let fingerprint = leaf_fingerprint(&certified);
        *self
            .inner
            .current
            .0
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(certified);
        tracing::info!(
            "TLS certificate reloaded from {} (sha256 {fingerprint})",
            files.cert.display()
        );
        Ok(true)
    }

    /// Checks the files every `every` and on SIGHUP until `stop` is cancelled. Polling,
    /// not file notifications: Kubernetes swaps mounted secrets through a symlink, which
    /// watchers on the file itself miss.
    pub fn watch(&self, every: Duration, stop: CancellationToken) {
        let server = self.clone();
        tokio::spawn(async move {
            let mut hangup = hangup_signals();
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the first tick is immediate; the files were just read
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    _ = tick.tick() => {}
                    () = next_hangup(&mut hangup) => {}
                }
                if let Err(err) = server.reload_if_changed() {
                    tracing::warn!(
                        "TLS certificate not reloaded, the previous one stays in use: {err}"
                    );
                }
            }
        });
    }
}

/// The certificate every handshake gets: the latest usable one.
#[derive(Debug)]
struct CurrentCert(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for CurrentCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(
            &self.0.read().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

/// The certificate and key file contents and a digest over both.
fn read_pair(files: &TlsFiles) -> Result<([u8; 32], [Vec<u8>; 2]), TlsError> {
    let cert = read(&files.cert)?;
    let key = read(&files.key)?;
    let mut hasher = Sha256::new();
    hasher.update((cert.len() as u64).to_be_bytes());
    hasher.update(&cert);
    hasher.update(&key);
    Ok((hasher.finalize().into(), [cert, key]))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn certified_key(
    files: &TlsFiles,
    [cert, key]: &[Vec<u8>; 2],
    provider: &CryptoProvider,
) -> Result<CertifiedKey, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
        .collect::<Result<_, _>>()
        .map_err(|_| TlsError::NoCertificate(files.cert.clone()))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(files.cert.clone()));
    }
    if contains(key, b"ENCRYPTED") {
        return Err(TlsError::EncryptedKey(files.key.clone()));
    }
    // The parse error is dropped on purpose: its text could quote key material.
    let key = PrivateKeyDer::from_pem_slice(key).map_err(|_| TlsError::NoKey(files.key.clone()))?;
    CertifiedKey::from_der(chain, key, provider).map_err(|reason| TlsError::Mismatch {
        cert: files.cert.clone(),
        key: files.key.clone(),
        reason,
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn client_verifier(
    path: &Path,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, TlsError> {
    let bad = |reason: String| TlsError::ClientCa {
        path: path.to_owned(),
        reason,
    };
    let pem = read(path)?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|err| bad(format!("not PEM: {err}")))?;
        roots.add(cert).map_err(|err| bad(err.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no CA certificate found".to_owned()));
    }
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|err| bad(err.to_string()))
}

/// SHA-256 of the leaf certificate, as `openssl x509 -fingerprint -sha256` prints it
/// (colon-separated uppercase hex), so operators can tell which certificate is served.
fn leaf_fingerprint(certified: &CertifiedKey) -> String {
    certified
        .cert
        .first()
        .map(|leaf| {
            Sha256::digest(leaf.as_ref())
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":")
        })
        .unwrap_or_default()
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = ();

#[cfg(unix)]
fn hangup_signals() -> Hangup {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup())
        .map_err(|err| tracing::warn!("cannot watch SIGHUP for TLS reloads ({err}); polling only"))
        .ok()
}

#[cfg(not(unix))]
fn hangup_signals() -> Hangup {}

#[cfg(unix)]
async fn next_hangup(hangup: &mut Hangup) {
    if let Some(signal) = hangup
        && signal.recv().await.is_some()
    {
        return;
    }
    // No SIGHUP stream (or it ended): only the poll triggers reloads.
    std::future::pending().await
}

#[cfg(not(unix))]
async fn next_hangup(_hangup: &mut Hangup) {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_pair(dir: &Path, names: &[&str]) -> TlsFiles {
        let cert = rcgen::generate_simple_self_signed(
            names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>(),
        )
        .expect("certificate");
        let files = TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
            client_ca: None,
        };
        std::fs::write(&files.cert, cert.cert.pem()).expect("write cert");
        std::fs::write(&files.key, cert.signing_key.serialize_pem()).expect("write key");
        files
    }

    fn served(tls: &TlsServer) -> Vec<u8> {
        tls.inner.current.0.read().expect("lock").cert[0].to_vec()
    }

    #[test]
    fn reload_serves_a_changed_pair_and_keeps_the_old_one_on_errors() {
        let dir = tempfile::tempdir().expect("dir");
        let files = write_pair(dir.path(), &["localhost"]);
        let tls = TlsServer::load(files.clone()).expect("load");
        let first = served(&tls);
        assert!(!tls.reload_if_changed().expect("unchanged"));

        write_pair(dir.path(), &["localhost", "127.0.0.1"]);
        assert!(tls.reload_if_changed().expect("reloaded"));
        let second = served(&tls);
        assert_ne!(first, second);

        // A key of another certificate: refused, and the served one stays.
        let other = rcgen::generate_simple_self_signed(vec!["x".to_owned()]).expect("cert");
        std::fs::write(&files.key, other.signing_key.serialize_pem()).expect("write");
        assert!(matches!(
            tls.reload_if_changed(),
            Err(TlsError::Mismatch { .. })
        ));
        assert_eq!(served(&tls), second);
    }

    #[test]
    fn unusable_files_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        let files = write_pair(dir.path(), &["localhost"]);
        std::fs::write(
            &files.key,
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .expect("write");
        assert!(matches!(
            TlsServer::load(files.clone()),
            Err(TlsError::EncryptedKey(_))
        ));
        std::fs::write(&files.key, "not a key").expect("write");
        assert!(matches!(
            TlsServer::load(files.clone()),
            Err(TlsError::NoKey(_))
        ));
        std::fs::write(&files.cert, "").expect("write");
        assert!(matches!(
            TlsServer::load(files.clone()),
            Err(TlsError::NoCertificate(_))
        ));
        let missing = TlsFiles {
            cert: dir.path().join("absent.pem"),
            ..files
        };
        assert!(matches!(
            TlsServer::load(missing),
            Err(TlsError::Read { .. })
        ));
    }
}
