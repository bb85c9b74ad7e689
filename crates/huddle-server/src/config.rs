//! Configuration: built-in defaults, then an optional `huddle.toml`, then `HUDDLE_*` variables
//! (`__` separates nested keys, e.g. `HUDDLE_AUTH__ACCESS_TOKEN_TTL_SECS`), then `DATABASE_URL`
//! and `REDIS_URL`, then command-line flags. Every limit lives here with DESIGN's default.

mod secret;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

pub use secret::Secret;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where the SQLite database, the JWT secret and uploads live.
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://…`; empty means `sqlite:<data_dir>/huddle.db`.
    pub database_url: String,
    /// Turns on multi-node fan-out when set.
    pub redis_url: Option<String>,
    /// Password for the `admin` user created on first start; random (printed once) if unset.
    pub admin_password: Option<Secret>,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    pub realtime: RealtimeConfig,
    pub attachments: AttachmentsConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsConfig {
    /// Largest file accepted.
    pub max_file_bytes: usize,
    /// Files per message (and per upload request).
    pub max_per_message: usize,
    /// Longest side of generated image thumbnails, in pixels.
    pub thumbnail_px: u32,
    /// Uploads no message used within this many hours are deleted.
    pub unclaimed_ttl_hours: u64,
    /// Files one user may upload per minute: a burst up to this, then at this pace (`429`
    /// beyond). 0: no limit.
    pub uploads_per_minute: u32,
    /// Bytes one user may upload per minute, likewise. 0: no limit.
    pub upload_bytes_per_minute: u64,
    /// Bytes of one user's uploads that no message uses yet (`413 upload_quota_exceeded`
    /// beyond). 0: no limit.
    pub max_pending_bytes: u64,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        AttachmentsConfig {
            max_file_bytes: 10 * 1024 * 1024,
            max_per_message: 5,
            thumbnail_px: 320,
            unclaimed_ttl_hours: 24,
            uploads_per_minute: 30,
            upload_bytes_per_minute: 50 * 1024 * 1024,
            max_pending_bytes: 50 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// HS256 signing secret; generated and stored in the data dir when unset. Several nodes must
    /// share one.
    pub jwt_secret: Option<Secret>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_days: u64,
    /// Login throttling (docs/operations.md): failed logins one address may make for one
    /// username before each further one waits, from `login_delay_secs` doubling up to
    /// `max_login_delay_secs` (`429` while a wait is pending).
    pub max_failures_per_user: u32,
    /// A username's counters (and an address's for that username) are forgotten after this
    /// long without failures, counted from the end of the last wait.
    pub user_window_secs: u64,
    /// Failed logins one address may make over all usernames before its waits begin.
    pub max_attempts_per_ip: u32,
    /// An address's counter is forgotten after this long without failures.
    pub ip_window_secs: u64,
    /// The first wait after the free failures; each further failure doubles it. 0: no waits.
    pub login_delay_secs: u64,
    /// Longest wait of an address, for one username or for all.
    pub max_login_delay_secs: u64,
    /// Addresses that may fail for one username before the username itself waits; each
    /// address counts once per `user_window_secs`, so one attacker never slows the real user.
    pub max_addresses_per_user: u32,
    /// Longest wait of a username: the most that strangers can delay its real user.
    pub max_user_delay_secs: u64,
    /// Password hashes computed at once (each takes 19 MiB while it runs); more wait in line,
    /// answered in order. 0: one per core, at most 4.
    pub password_hash_workers: usize,
    /// How long a session's liveness (and the user's rights) read from the store is trusted
    /// before it is read again; logout and revocation on this node take effect at once.
    pub session_check_secs: u64,
    /// A refresh token used again within this many seconds of its rotation (two tabs
    /// refreshing at once) gets a fresh pair instead of revoking the session.
    pub refresh_grace_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Origins allowed by CORS. Empty: same-origin only.
    pub cors_origins: Vec<String>,
    /// Largest JSON request body.
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    /// Seconds in-flight requests get to finish on shutdown.
    pub shutdown_grace_secs: u64,
    /// A connection that has not sent a whole request header within this is closed.
    pub header_read_timeout_secs: u64,
    /// Open connections one client address may hold; more are refused. Behind a reverse proxy
    /// every client shares the proxy's address: raise this there.
    pub max_connections_per_address: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RealtimeConfig {
    pub ping_interval_secs: u64,
    pub ping_timeout_secs: u64,
    /// Largest Socket.IO packet accepted.
    pub max_payload_bytes: u64,
    /// Packets queued per socket before it is considered too slow and disconnected.
    pub socket_buffer: usize,
    /// Most events replayed on join; further behind gets `resync_required`.
    pub replay_limit: i64,
    /// Committed events queued for the slowest bus subscriber.
    pub bus_capacity: usize,
    /// Chat events a user may send per second and per minute in one project, over all their
    /// sockets.
    pub events_per_second: usize,
    pub events_per_minute: usize,
    /// Reads (history pages, search, read marks, previews) a user may make per second and per
    /// minute in one project: a budget of their own, so scrolling never uses up the send budget.
    pub reads_per_second: usize,
    pub reads_per_minute: usize,
    /// Chat connections per user; a new one beyond this closes the oldest.
    pub connections_per_user: usize,
    /// A typing indicator ends this long after the last `typing_start`.
    pub typing_expiry_secs: u64,
    /// An Engine.IO connection that has not joined a namespace with a valid token within this
    /// is closed.
    pub connect_timeout_secs: u64,
    /// Open sockets are checked this often: an expired token or an ended session closes them.
    pub session_recheck_secs: u64,
    /// Portal (`/portal`) connections per user; a new one beyond this closes the oldest.
    pub portal_connections_per_user: usize,
    /// Each websocket connection's read buffer, allocated when it opens and grown only for a
    /// larger message; every idle connection holds it.
    pub ws_read_buffer_bytes: usize,
    /// Events committed together can reach the dispatcher out of order; one that arrives ahead
    /// of a missing one is held this long for it before the gap is read from the store...
    pub gap_wait_ms: u64,
    /// ...or until this many are held.
    pub gap_most_held: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            data_dir: PathBuf::from("./huddle-data"),
            database_url: String::new(),
            redis_url: None,
            admin_password: None,
            database: DatabaseConfig::default(),
            auth: AuthConfig::default(),
            http: HttpConfig::default(),
            realtime: RealtimeConfig::default(),
            attachments: AttachmentsConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { max_connections: 8 }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            jwt_secret: None,
            access_token_ttl_secs: 3600,
            refresh_token_ttl_days: 30,
            max_failures_per_user: 5,
            user_window_secs: 900,
            max_attempts_per_ip: 20,
            ip_window_secs: 900,
            login_delay_secs: 1,
            max_login_delay_secs: 300,
            max_addresses_per_user: 10,
            max_user_delay_secs: 60,
            password_hash_workers: 0,
            session_check_secs: 5,
            refresh_grace_secs: 10,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            cors_origins: Vec::new(),
            max_body_bytes: 64 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 10,
            header_read_timeout_secs: 10,
            max_connections_per_address: 64,
        }
    }
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig {
            ping_interval_secs: 25,
            ping_timeout_secs: 60,
            max_payload_bytes: 1024 * 1024,
            socket_buffer: 2048,
            replay_limit: 1000,
            bus_capacity: 4096,
            events_per_second: 10,
            events_per_minute: 100,
            reads_per_second: 20,
            reads_per_minute: 600,
            connections_per_user: 5,
            typing_expiry_secs: 8,
            connect_timeout_secs: 10,
            session_recheck_secs: 30,
            portal_connections_per_user: 10,
            ws_read_buffer_bytes: 1024,
            gap_wait_ms: 50,
            gap_most_held: 1000,
        }
    }
}

impl RealtimeConfig {
    /// Events replayed on join at most: the configured limit, but never more than half the
    /// socket's buffer, so a replay cannot overflow the socket it is meant to catch up.
    pub fn replay_window(&self) -> i64 {
        let half_buffer = i64::try_from(self.socket_buffer / 2).unwrap_or(i64::MAX);
        self.replay_limit.min(half_buffer)
    }
}

/// Top-level keys `HUDDLE_*` variables may set; others (`HUDDLE_CONFIG`, test settings) are
/// not configuration and are left alone.
const TOP_LEVEL_KEYS: [&str; 10] = [
    "attachments",
    "listen",
    "data_dir",
    "database_url",
    "redis_url",
    "admin_password",
    "database",
    "auth",
    "http",
    "realtime",
];

fn is_config_key(key: &figment::value::UncasedStr) -> bool {
    let key = key.as_str();
    let head = key.split("__").next().unwrap_or(key);
    let head = head.split('.').next().unwrap_or(head);
    TOP_LEVEL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(head))
}

/// Command-line values that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Layers defaults, `file` (if it exists), the environment and `overrides`.
    pub fn load(file: &Path, overrides: &Overrides) -> Result<Config, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if file.exists() {
            figment = figment.merge(Toml::file(file));
        }
        let mut config: Config = figment
            .merge(Env::prefixed("HUDDLE_").split("__").filter(is_config_key))
            .merge(Env::raw().only(&["database_url", "redis_url"]))
            .extract()
            .map_err(Box::new)?;
        if let Some(listen) = overrides.listen {
            config.listen = listen;
        }
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        Ok(config)
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite:{}", self.data_dir.join("huddle.db").display())
        } else {
            self.database_url.clone()
        }
    }

    /// The configuration as TOML with every default spelled out and secrets redacted.
    pub fn annotated_toml(&self) -> String {
        let body =
            toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
        format!(
            "# Huddle configuration in effect (defaults < huddle.toml < HUDDLE_* env < flags).\n\
             # Nested keys map to env names with '__', e.g. [auth] access_token_ttl_secs =\n\
             # HUDDLE_AUTH__ACCESS_TOKEN_TTL_SECS. Secrets are shown redacted.\n\n{body}"
        )
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_design() {
        let c = Config::default();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8000");
        assert_eq!(c.auth.access_token_ttl_secs, 3600);
        assert_eq!(c.auth.refresh_token_ttl_days, 30);
        assert_eq!(
            (c.realtime.ping_interval_secs, c.realtime.ping_timeout_secs),
            (25, 60)
        );
        assert!(c.http.cors_origins.is_empty());
        let a = &c.auth;
        assert_eq!(
            (
                a.max_failures_per_user,
                a.max_attempts_per_ip,
                a.max_addresses_per_user
            ),
            (5, 20, 10)
        );
        assert_eq!((a.user_window_secs, a.ip_window_secs), (900, 900));
        assert_eq!(
            (
                a.login_delay_secs,
                a.max_login_delay_secs,
                a.max_user_delay_secs
            ),
            (1, 300, 60)
        );
        let at = &c.attachments;
        assert_eq!(
            (
                at.uploads_per_minute,
                at.upload_bytes_per_minute,
                at.max_pending_bytes
            ),
            (30, 50 * 1024 * 1024, 50 * 1024 * 1024)
        );
        assert!(c
            .effective_database_url()
            .ends_with("huddle-data/huddle.db"));
    }

    #[test]
    fn file_env_and_flags_layer_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "huddle.toml",
                "listen = \"127.0.0.1:9000\"\n[auth]\nuser_window_secs = 5\n",
            )?;
            jail.set_env("HUDDLE_AUTH__USER_WINDOW_SECS", "7");
            jail.set_env("DATABASE_URL", "postgres://db/x");
            jail.set_env("HUDDLE_TEST_POSTGRES_URL", "not configuration");
            let c =
                Config::load(Path::new("huddle.toml"), &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(c.listen.port(), 9000);
            assert_eq!(c.auth.user_window_secs, 7);
            assert_eq!(c.effective_database_url(), "postgres://db/x");
            let flags = Overrides {
                listen: Some(SocketAddr::from(([0, 0, 0, 0], 0))),
                data_dir: None,
            };
            assert_eq!(
                Config::load(Path::new("huddle.toml"), &flags)
                    .map_err(|e| *e)?
                    .listen
                    .port(),
                0
            );
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("huddle.toml", "lisen = \"127.0.0.1:9000\"\n")?;
            assert!(Config::load(Path::new("huddle.toml"), &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn printed_config_hides_secrets() {
        let mut c = Config::default();
        c.auth.jwt_secret = Some(Secret::new("super-secret-value".into()));
        c.admin_password = Some(Secret::new("hunter2".into()));
        for text in [c.annotated_toml(), format!("{c:?}")] {
            assert!(
                !text.contains("super-secret-value") && !text.contains("hunter2"),
                "{text}"
            );
        }
    }
}
