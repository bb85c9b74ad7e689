//! Fresh, isolated databases for the store suites (each test file uses part of it).

#![allow(dead_code)]

use std::sync::Arc;

use huddle_store::{connect, ConnectOptions, Store};
use sqlx::Connection;

pub struct Backend {
    pub url: String,
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
    /// Admin URL and name of a PostgreSQL database to drop afterwards.
    drop_db: Option<(String, String)>,
}

impl Backend {
    pub async fn sqlite() -> Backend {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("huddle.db").display());
        let store = open(&url).await;
        Backend {
            url,
            store,
            _dir: Some(dir),
            drop_db: None,
        }
    }

    /// A new database on the server named by `HUDDLE_TEST_POSTGRES_URL`, or `None` (with a
    /// notice) when the variable is unset. Set but unreachable is a failure, not a skip.
    pub async fn postgres() -> Option<Backend> {
        let Ok(admin_url) = std::env::var("HUDDLE_TEST_POSTGRES_URL") else {
            eprintln!(
                "notice: HUDDLE_TEST_POSTGRES_URL is not set; skipping the PostgreSQL store test"
            );
            return None;
        };
        sqlx::any::install_default_drivers();
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .expect("HUDDLE_TEST_POSTGRES_URL is set but PostgreSQL is unreachable");
        let db = format!("huddle_test_{}", uuid_like());
        sqlx::query(&format!("CREATE DATABASE {db}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        let url = format!("{base}/{db}");
        let store = open(&url).await;
        Some(Backend {
            url,
            store,
            _dir: None,
            drop_db: Some((admin_url, db)),
        })
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn arc(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }
}

async fn open(url: &str) -> Arc<dyn Store> {
    connect(&ConnectOptions {
        url: url.to_owned(),
        max_connections: 8,
        migrate: true,
    })
    .await
    .expect("open store")
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}_{}", std::process::id(), nanos)
}

impl Drop for Backend {
    fn drop(&mut self) {
        let Some((admin_url, db)) = self.drop_db.take() else {
            return;
        };
        // Drop runs inside the test's runtime, so the cleanup gets a thread and runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut admin = sqlx::AnyConnection::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                Ok::<_, sqlx::Error>(())
            })
            .map_err(std::io::Error::other)
        });
        if let Ok(Err(e)) = cleanup.join() {
            eprintln!("notice: could not drop test database: {e}");
        }
    }
}

/// Runs each named `async fn(Backend)` of the including file on SQLite, and on PostgreSQL when
/// it is configured.
#[macro_export]
macro_rules! backend_suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test] async fn $name() { super::$name(super::Backend::sqlite().await).await } )*
        }
        mod postgres {
            $( #[tokio::test] async fn $name() {
                if let Some(backend) = super::Backend::postgres().await { super::$name(backend).await }
            } )*
        }
    };
}
