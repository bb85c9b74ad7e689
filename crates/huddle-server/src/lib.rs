//! The Huddle server: HTTP API, Socket.IO namespaces and the embedded web UI over one store and
//! one event bus. `main.rs` parses the command line and calls [`Server::prepare`] and
//! [`Server::serve`]; tests do the same with a listener on port 0.

pub mod access;
pub mod accounts;
pub mod auth;
pub mod bootstrap;
pub mod changes;
pub mod chat;
pub mod commands;
pub mod config;
mod connections;
pub mod error;
pub mod extract;
pub mod http;
pub mod log_writer;
pub mod realtime;
pub mod routes;
pub mod server;
pub mod state;

pub use bootstrap::AdminCreated;
pub use config::Config;
pub use server::Server;
