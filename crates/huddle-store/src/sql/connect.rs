//! Opening a database from its URL, tuning SQLite, and running the migrations of its backend.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, Executor};

use super::SqlStore;
use crate::{Backend, Store, StoreError, StoreResult};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite:PATH` or `postgres://…`.
    pub url: String,
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
    /// Run pending migrations before returning.
    pub migrate: bool,
}

/// Opens the store the URL names and, if asked, brings its schema up to date.
pub async fn connect(options: &ConnectOptions) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(open(options).await?))
}

/// [`connect`] without the trait object, for tests of the SQL internals.
pub(super) async fn open(options: &ConnectOptions) -> StoreResult<SqlStore> {
    sqlx::any::install_default_drivers();
    let backend = backend_of(&options.url)?;
    let store = match backend {
        Backend::Sqlite => open_sqlite(options).await?,
        Backend::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect(&options.url)
                .await?;
            SqlStore {
                backend,
                write: pool.clone(),
                read: pool,
                posts: None,
            }
        }
    };
    if options.migrate {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&store.write).await?;
        tracing::debug!(?backend, "migrations applied");
    }
    Ok(store)
}

fn backend_of(url: &str) -> StoreResult<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::InvalidUrl(
            "DATABASE_URL must start with sqlite: or postgres://".into(),
        ))
    }
}

async fn open_sqlite(options: &ConnectOptions) -> StoreResult<SqlStore> {
    let connect = AnyConnectOptions::from_str(&with_create_mode(&options.url))?;
    // A SQLite connection is a file in this process, not a socket that can hang up: the ping
    // sqlx sends before handing out an idle connection would cost every transaction a round
    // trip to the connection's worker thread for nothing.
    let write = AnyPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .after_connect(tune)
        .connect_with(connect.clone())
        .await?;
    // WAL lets readers proceed while the writer commits; the mode is stored in the file.
    write.execute("PRAGMA journal_mode = WAL;").await?;
    let read = AnyPoolOptions::new()
        .max_connections(options.max_connections)
        .test_before_acquire(false)
        .after_connect(tune)
        .connect_with(connect)
        .await?;
    let posts = Some(super::batch::PostBatcher::start(write.clone()));
    Ok(SqlStore {
        backend: Backend::Sqlite,
        write,
        read,
        posts,
    })
}

/// Per-connection SQLite settings: wait for the writer instead of failing, fsync less in WAL
/// (durable against process crashes, which is what WAL + NORMAL guarantees), enforce keys.
fn tune(
    conn: &mut AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + '_>> {
    Box::pin(async move {
        conn.execute(
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .await?;
        Ok(())
    })
}

/// `sqlite:path` must create the file on first start.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(backend_of("sqlite:./x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            backend_of("postgres://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            backend_of("postgresql://u@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(backend_of("mysql://u@h/db").is_err());
    }

    #[test]
    fn sqlite_urls_get_create_mode_once() {
        assert_eq!(with_create_mode("sqlite:a.db"), "sqlite:a.db?mode=rwc");
        assert_eq!(
            with_create_mode("sqlite:a.db?cache=shared"),
            "sqlite:a.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            with_create_mode("sqlite:a.db?mode=ro"),
            "sqlite:a.db?mode=ro"
        );
    }
}
