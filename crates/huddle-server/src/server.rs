//! Assembling and running the server: state, routes, Socket.IO, background tasks, shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use huddle_bus::{Bus, LocalBus};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{
    load_or_create_jwt_secret, JwtKeys, LoginThrottle, SessionGuard, Sessions, ThrottleLimits,
};
use crate::bootstrap::{ensure_admin, open_store, AdminCreated};
use crate::chat::uploads::rate::UploadRate;
use crate::config::Config;
use crate::connections::ConnectionLimits;
use crate::realtime::{self, run_dispatcher, Realtime};
use crate::routes::{self, web};
use crate::state::AppState;

/// A server ready to accept connections.
pub struct Server {
    state: AppState,
    /// Set when this start created the `admin` account.
    pub admin_created: Option<AdminCreated>,
}

impl Server {
    /// Opens the store, runs migrations and creates the first admin when needed.
    pub async fn prepare(config: Config) -> anyhow::Result<Server> {
        if config.redis_url.is_some() {
            anyhow::bail!(
                "REDIS_URL is set, but multi-node fan-out is not available in this version; \
                 unset it to run a single node"
            );
        }
        crate::auth::configure_password_workers(config.auth.password_hash_workers);
        let store = open_store(&config).await?;
        let admin_created = ensure_admin(store.as_ref(), &config).await?;
        let secret = match &config.auth.jwt_secret {
            Some(secret) if secret.expose().len() >= 32 => secret.expose().as_bytes().to_vec(),
            Some(_) => anyhow::bail!("auth.jwt_secret must be at least 32 characters"),
            None => load_or_create_jwt_secret(&config.data_dir)?,
        };
        let auth = &config.auth;
        let sessions = Sessions::new(
            JwtKeys::new(&secret, auth.access_token_ttl_secs),
            chrono::Duration::days(i64::try_from(auth.refresh_token_ttl_days).unwrap_or(30)),
            chrono::Duration::seconds(i64::try_from(auth.refresh_grace_secs).unwrap_or(10)),
            SessionGuard::new(Duration::from_secs(auth.session_check_secs)),
        );
        let throttle = LoginThrottle::new(ThrottleLimits::from(auth));
        let uploads = &config.attachments;
        let upload_rate =
            UploadRate::new(uploads.uploads_per_minute, uploads.upload_bytes_per_minute);
        let bus: Arc<dyn Bus> = Arc::new(LocalBus::new(config.realtime.bus_capacity));
        let realtime = Arc::new(Realtime::new(&config.realtime));
        let state = AppState {
            config: Arc::new(config),
            store,
            bus,
            sessions: Arc::new(sessions),
            throttle: Arc::new(throttle),
            upload_rate: Arc::new(upload_rate),
            realtime,
        };
        Ok(Server {
            state,
            admin_created,
        })
    }

    /// Serves on `listener` until `shutdown` resolves, then closes sockets, lets in-flight
    /// requests finish (up to the configured grace period) and stops background tasks.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state;
        let (socket_layer, io) = realtime::build(&state.config.realtime, state.clone());
        let _ = state.realtime.io.set(io.clone());
        let csp = crate::http::content_security_policy(web::import_map_hash().as_deref());
        let app: Router = routes::router(&state.config)
            .fallback(web::serve)
            .with_state(state.clone())
            .layer(socket_layer);
        let app = crate::http::layers(app, &state.config.http, &csp);

        let tasks = TaskTracker::new();
        let stop = CancellationToken::new();
        tasks.spawn(run_dispatcher(
            state.bus.clone(),
            state.store.clone(),
            io.clone(),
            state.realtime.clone(),
            stop.clone(),
        ));

        tasks.spawn(realtime::run_session_watch(
            state.clone(),
            io.clone(),
            stop.clone(),
        ));

        tasks.spawn(crate::chat::uploads::run_sweeper(
            state.clone(),
            stop.clone(),
        ));

        let draining = CancellationToken::new();
        let on_signal = {
            let (draining, io) = (draining.clone(), io.clone());
            async move {
                shutdown.await;
                tracing::info!("shutting down: closing sockets, finishing requests");
                draining.cancel();
                io.close().await;
            }
        };
        let http = &state.config.http;
        let limits = ConnectionLimits {
            header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
            per_address: http.max_connections_per_address,
        };
        let server = crate::connections::serve(listener, app, limits, on_signal);
        let grace = Duration::from_secs(http.shutdown_grace_secs);
        tokio::select! {
            () = server => {},
            () = async { draining.cancelled().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the grace period; stopping anyway");
            }
        }
        stop.cancel();
        tasks.close();
        tasks.wait().await;
        tracing::info!("stopped");
        Ok(())
    }
}
