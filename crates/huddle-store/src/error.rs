//! Store errors. Database details stay in the log; callers see what kind of failure it was.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// The request contradicts stored data (e.g. a reply to a message in another channel).
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    /// The store cannot take the request right now (a writer stopped, a batch failed).
    #[error("{0}")]
    Unavailable(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database URL names no backend we have.
    #[error("{0}")]
    InvalidUrl(String),
    // The cause is part of the message (not a `source`), so `{:#}` prints it once.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        StoreError::Database(err)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Migrate(err)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Unique-constraint violations become `Conflict` so callers can answer 409.
    pub(crate) fn from_insert(err: sqlx::Error, what: &str) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("{what} already exists"))
            }
            _ => StoreError::Database(err),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(err: serde_json::Error) -> StoreError {
        StoreError::Corrupt(format!("json: {err}"))
    }
}
