//! Where state lives, parsed from the `--store` URL before anything is opened.

use std::path::{Path, PathBuf};

use crate::StoreError;

/// File name of the SQLite store when `sqlite:` names no path: it goes in the data
/// directory the binary chooses.
pub const DEFAULT_SQLITE_FILE: &str = "state.sqlite3";

const EXPECTED: &str = "expected memory:, sqlite:<path> (sqlite: alone for the data directory) or redis://host:port/db";

/// A parsed store URL. Deliberately not `Debug`: a Redis URL may carry a password.
pub(crate) enum Location {
    Memory,
    Sqlite(PathBuf),
    Redis(String),
}

impl Location {
    /// `sqlite:` accepts both `sqlite:relative/or/absolute` and the URL-like
    /// `sqlite:///absolute`, since operators write either.
    pub(crate) fn parse(url: &str, data_dir: &Path) -> Result<Self, StoreError> {
        if url == "memory" || url == "memory:" {
            return Ok(Self::Memory);
        }
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            return Ok(Self::Sqlite(if path.is_empty() {
                data_dir.join(DEFAULT_SQLITE_FILE)
            } else {
                PathBuf::from(path)
            }));
        }
        if url.starts_with("redis://") || url.starts_with("redis+unix://") {
            return Ok(Self::Redis(url.to_owned()));
        }
        if url.starts_with("rediss://") {
            return Err(StoreError::InvalidUrl {
                reason: "TLS to Redis (rediss://) is not supported yet; use redis:// on a private network",
            });
        }
        Err(StoreError::InvalidUrl { reason: EXPECTED })
    }
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_SQLITE_FILE, Location};
    use crate::StoreError;
    use std::path::{Path, PathBuf};

    fn parse(url: &str) -> Result<Location, StoreError> {
        Location::parse(url, Path::new("/data"))
    }

    fn sqlite_path(url: &str) -> PathBuf {
        match parse(url) {
            Ok(Location::Sqlite(path)) => path,
            _ => panic!("{url} should be a sqlite location"),
        }
    }

    #[test]
    fn memory() {
        assert!(matches!(parse("memory:"), Ok(Location::Memory)));
        assert!(matches!(parse("memory"), Ok(Location::Memory)));
    }

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite:"),
            Path::new("/data").join(DEFAULT_SQLITE_FILE)
        );
        assert_eq!(
            sqlite_path("sqlite://"),
            Path::new("/data").join(DEFAULT_SQLITE_FILE)
        );
        assert_eq!(sqlite_path("sqlite:state.db"), PathBuf::from("state.db"));
        assert_eq!(
            sqlite_path("sqlite:/var/lib/z.db"),
            PathBuf::from("/var/lib/z.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/z.db"),
            PathBuf::from("/var/lib/z.db")
        );
    }

    #[test]
    fn redis_url_kept_whole() {
        match parse("redis://:pw@127.0.0.1:6379/2") {
            Ok(Location::Redis(url)) => assert_eq!(url, "redis://:pw@127.0.0.1:6379/2"),
            _ => panic!("expected a redis location"),
        }
    }

    #[test]
    fn unknown_schemes_are_refused_without_echoing_the_url() {
        for url in [
            "",
            "postgres://u:secret@h/db",
            "rediss://:secret@h:6379/0",
            "secret",
        ] {
            let Err(err) = parse(url) else {
                panic!("{url} should be refused")
            };
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
