//! Socket.IO: authentication on connect, the `/portal` namespace, and delivery of committed
//! project events to the sockets that joined each project, in `seq` order.

pub(crate) mod chat;
mod connect;
mod feed;
mod limits;
mod portal;
mod presence;
mod sessions;
mod typing;
mod view;

use std::time::Duration;

use socketioxide::layer::SocketIoLayer;
use socketioxide::SocketIo;

pub use chat::presence::Status as ChatStatus;
pub use feed::{run_dispatcher, Feeds};
pub use presence::Presence;
pub use sessions::run_session_watch;
pub use view::{visible_to, EventView};

use crate::config::RealtimeConfig;
use crate::state::AppState;

pub const PORTAL: &str = "/portal";

/// The chat namespace of a project.
pub fn chat_namespace(project_name: &str) -> String {
    format!("/chat/{project_name}")
}

/// Per-node realtime state shared by the handlers and the dispatcher.
pub struct Realtime {
    pub feeds: Feeds,
    /// Who has `/portal` joined to each project (by user id).
    pub presence: Presence,
    pub chat_connections: limits::ConnectionCap,
    pub portal_connections: limits::ConnectionCap,
    /// Every authenticated socket and its session, so ended sessions close their sockets.
    pub open_sockets: sessions::OpenSockets,
    /// Event budgets per user and project, shared by all their sockets.
    pub budgets: limits::UserBudgets,
    /// The Socket.IO handle, set once the layer is built.
    pub io: std::sync::OnceLock<SocketIo>,
}

impl Realtime {
    pub fn new(config: &RealtimeConfig) -> Realtime {
        Realtime {
            feeds: Feeds::new(feed::GapPolicy {
                wait: Duration::from_millis(config.gap_wait_ms),
                most_held: config.gap_most_held,
            }),
            presence: Presence::default(),
            chat_connections: limits::ConnectionCap::default(),
            portal_connections: limits::ConnectionCap::default(),
            open_sockets: sessions::OpenSockets::default(),
            budgets: limits::UserBudgets::default(),
            io: std::sync::OnceLock::new(),
        }
    }

    /// Who is in the project's chat right now, by username: online or idle.
    pub fn chat_presence(
        &self,
        project_name: &str,
    ) -> std::collections::BTreeMap<String, ChatStatus> {
        self.io
            .get()
            .map(|io| chat::presence::snapshot(io, &chat_namespace(project_name), None))
            .unwrap_or_default()
    }
}

/// Builds the Socket.IO layer and registers the namespaces.
pub fn build(config: &RealtimeConfig, state: AppState) -> (SocketIoLayer, SocketIo) {
    let payload_cap = usize::try_from(config.max_payload_bytes).unwrap_or(usize::MAX);
    let (layer, io) = SocketIo::builder()
        .ping_interval(Duration::from_secs(config.ping_interval_secs))
        .ping_timeout(Duration::from_secs(config.ping_timeout_secs))
        .max_payload(config.max_payload_bytes)
        // Websocket frames and messages are capped like polling bodies, before they are
        // buffered, so no one can make the server hold more than one payload per read.
        .ws_max_message_size(payload_cap)
        .ws_max_frame_size(payload_cap)
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .max_buffer_size(config.socket_buffer)
        .ws_read_buffer_size(config.ws_read_buffer_bytes.max(64))
        .with_state(state)
        .build_layer();
    io.ns(PORTAL, portal::on_connect.with(connect::authenticate));
    if let Err(e) = io.dyn_ns("/chat/{name}", chat::on_connect.with(chat::admit)) {
        tracing::error!(error = %e, "cannot register the chat namespace");
    }
    (layer, io)
}

use socketioxide::handler::ConnectHandler as _;
