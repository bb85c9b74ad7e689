//! Shared application state handed to every HTTP and socket handler.

use std::sync::Arc;

use huddle_bus::Bus;
use huddle_store::Store;

use crate::auth::{LoginThrottle, Sessions};
use crate::chat::uploads::rate::UploadRate;
use crate::config::Config;
use crate::realtime::Realtime;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub bus: Arc<dyn Bus>,
    pub sessions: Arc<Sessions>,
    pub throttle: Arc<LoginThrottle>,
    pub upload_rate: Arc<UploadRate>,
    pub realtime: Arc<Realtime>,
}
