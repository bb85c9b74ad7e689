//! Integration tests: the real server on port 0, real HTTP and Socket.IO clients. One binary
//! for all of them (one link per change); nextest still runs each test in its own process.

mod common;

mod attachments_api;
mod auth_api;
mod cache_headers;
mod chat_api;
mod crash_recovery;
mod delivery;
mod direct_messages;
mod first_connections;
mod history_cursor;
mod http_limits;
mod login_throttle;
mod ops;
mod owners_and_accounts;
mod projects_api;
mod realtime_limits;
mod sessions_end;
mod spoofing_text;
mod upload_limits;
