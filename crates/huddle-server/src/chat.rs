//! Chat: rendering, validation and the changes behind every chat request (socket or REST).

pub mod commands;
pub mod direct;
pub mod markdown;
pub mod search;
pub mod service;
pub mod uploads;
