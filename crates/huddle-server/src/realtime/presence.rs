//! Who is looking at which project on this node: counted per user, so a user with three tabs
//! open is one active user and leaves only when the last tab does.

use std::collections::HashMap;

use parking_lot::Mutex;

#[derive(Default)]
pub struct Presence {
    projects: Mutex<HashMap<String, HashMap<String, usize>>>,
}

/// The result of a socket entering or leaving a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceChange {
    /// The user's first socket arrived, or their last one left.
    pub user_changed: bool,
    pub active_users: usize,
}

impl Presence {
    pub fn enter(&self, project_id: &str, user_id: &str) -> PresenceChange {
        let mut projects = self.projects.lock();
        let users = projects.entry(project_id.to_owned()).or_default();
        let sockets = users.entry(user_id.to_owned()).or_insert(0);
        *sockets += 1;
        PresenceChange {
            user_changed: *sockets == 1,
            active_users: users.len(),
        }
    }

    pub fn leave(&self, project_id: &str, user_id: &str) -> PresenceChange {
        let mut projects = self.projects.lock();
        let Some(users) = projects.get_mut(project_id) else {
            return PresenceChange {
                user_changed: false,
                active_users: 0,
            };
        };
        let user_changed = match users.get_mut(user_id) {
            Some(sockets) if *sockets > 1 => {
                *sockets -= 1;
                false
            }
            Some(_) => {
                users.remove(user_id);
                true
            }
            None => false,
        };
        let active_users = users.len();
        if active_users == 0 {
            projects.remove(project_id);
        }
        PresenceChange {
            user_changed,
            active_users,
        }
    }

    pub fn active_users(&self, project_id: &str) -> usize {
        self.projects.lock().get(project_id).map_or(0, HashMap::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_counted_once_however_many_sockets() {
        let p = Presence::default();
        assert_eq!(
            p.enter("p", "alice"),
            PresenceChange {
                user_changed: true,
                active_users: 1
            }
        );
        assert_eq!(
            p.enter("p", "alice"),
            PresenceChange {
                user_changed: false,
                active_users: 1
            }
        );
        assert_eq!(
            p.enter("p", "bob"),
            PresenceChange {
                user_changed: true,
                active_users: 2
            }
        );
        assert_eq!(
            p.leave("p", "alice"),
            PresenceChange {
                user_changed: false,
                active_users: 2
            }
        );
        assert_eq!(
            p.leave("p", "alice"),
            PresenceChange {
                user_changed: true,
                active_users: 1
            }
        );
        assert_eq!(p.active_users("p"), 1);
    }

    #[test]
    fn leaving_what_was_never_entered_changes_nothing() {
        let p = Presence::default();
        assert_eq!(
            p.leave("p", "ghost"),
            PresenceChange {
                user_changed: false,
                active_users: 0
            }
        );
        p.enter("p", "alice");
        assert_eq!(p.leave("p", "ghost").active_users, 1);
        p.leave("p", "alice");
        assert_eq!(p.active_users("p"), 0);
    }
}
