//! Whether a session is still live, and who its user is now, read from the store and trusted for
//! a few seconds (`auth.session_check_secs`). Logout, revocation and password changes made on
//! this node drop the cached answer at once; made elsewhere (the CLI, another node) they bite
//! within the cache time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use huddle_store::{Store, StoreResult, User};
use parking_lot::Mutex;

/// Cached answers kept before stale ones are swept, so a flood of sessions cannot grow memory.
const SWEEP_AT: usize = 10_000;

struct Checked {
    at: Instant,
    user: Option<User>,
}

pub struct SessionGuard {
    ttl: Duration,
    cache: Mutex<HashMap<String, Checked>>,
}

impl SessionGuard {
    pub fn new(ttl: Duration) -> SessionGuard {
        SessionGuard {
            ttl,
            cache: Mutex::default(),
        }
    }

    /// The user of a live session, or `None` when it ended.
    pub async fn user(&self, store: &dyn Store, session_id: &str) -> StoreResult<Option<User>> {
        let now = Instant::now();
        if let Some(hit) = self.cache.lock().get(session_id) {
            if now.duration_since(hit.at) < self.ttl {
                return Ok(hit.user.clone());
            }
        }
        let user = store.session_user(session_id).await?;
        let mut cache = self.cache.lock();
        if cache.len() >= SWEEP_AT {
            let ttl = self.ttl;
            cache.retain(|_, c| now.duration_since(c.at) < ttl);
        }
        cache.insert(
            session_id.to_owned(),
            Checked {
                at: now,
                user: user.clone(),
            },
        );
        Ok(user)
    }

    pub fn forget(&self, session_id: &str) {
        self.cache.lock().remove(session_id);
    }

    /// Drops every cached session of `user_id` (a password or rights change).
    pub fn forget_user(&self, user_id: &str) {
        self.cache
            .lock()
            .retain(|_, c| c.user.as_ref().is_none_or(|u| u.id != user_id));
    }
}
