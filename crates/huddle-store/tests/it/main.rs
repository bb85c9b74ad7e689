//! The store suite, one test binary: each module runs against SQLite and, when configured,
//! PostgreSQL (`backends`).

#[macro_use]
mod backends;

mod chat;
mod direct;
mod store;
