//! Delivery of committed events to the sockets in each project's room, in `seq` order.
//!
//! Each project joined on this node has a feed: a [`Sequencer`] behind an async lock. The
//! dispatcher takes events from the bus, fills any gap from the store, and emits under the lock;
//! a joining socket enters the room and gets its replay under the same lock. So every socket sees
//! each event exactly once, whether it came by replay or live.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use huddle_bus::{Admission, Bus, BusEvent, Holdback, Sequencer};
use huddle_core::EventKind;
use huddle_store::{Project, Store, StoredEvent};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::value::RawValue;
use socketioxide::extract::SocketRef;
use socketioxide::{SendError, SocketError, SocketIo};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::portal::wants;
use super::view::{is_private, socket_payload, visible_to};
use super::{chat_namespace, PORTAL};
use crate::auth::AuthUser;

struct Feed {
    project: Project,
    sequencer: Sequencer,
    /// Events that arrived before one ahead of them.
    early: Holdback<BusEvent>,
}

/// How long a gap in the bus's order is waited for, and how many early events may be held,
/// before the missing events are read from the store.
#[derive(Clone, Copy)]
pub struct GapPolicy {
    pub wait: Duration,
    pub most_held: usize,
}

type FeedCell = Arc<tokio::sync::Mutex<Option<Feed>>>;

pub struct Feeds {
    cells: Mutex<HashMap<String, FeedCell>>,
    gaps: GapPolicy,
}

/// What a joining socket was given.
pub enum Replay {
    /// `joined_project` reports this `last_seq`; that many events (possibly none) were replayed.
    Done { last_seq: i64 },
    /// The socket is too far behind to replay; it should reload state.
    ResyncRequired { last_seq: i64 },
}

pub fn room(project_id: &str) -> String {
    format!("project:{project_id}")
}

/// Every `/portal` socket of one user, whichever projects it joined.
pub fn user_room(user_id: &str) -> String {
    format!("user:{user_id}")
}

impl Feeds {
    pub fn new(gaps: GapPolicy) -> Feeds {
        Feeds {
            cells: Mutex::default(),
            gaps,
        }
    }

    fn cell(&self, project_id: &str) -> Option<FeedCell> {
        self.cells.lock().get(project_id).cloned()
    }

    fn cell_or_new(&self, project_id: &str) -> FeedCell {
        self.cells
            .lock()
            .entry(project_id.to_owned())
            .or_default()
            .clone()
    }

    /// Puts `socket` in the project's room and sends `ready_event` (built by `ready` from the
    /// last delivered `seq`) and what it missed since `since_seq`, all before any newer live
    /// event can reach it.
    #[allow(clippy::too_many_arguments)]
    pub async fn join(
        &self,
        store: &dyn Store,
        socket: &SocketRef,
        project: &Project,
        since_seq: Option<i64>,
        replay_limit: i64,
        ready_event: &str,
        ready: impl FnOnce(i64) -> serde_json::Value,
    ) -> Result<Replay, huddle_store::StoreError> {
        let cell = self.cell_or_new(&project.id);
        let mut guard = cell.lock().await;
        let feed = match guard.as_mut() {
            Some(feed) => feed,
            None => {
                let delivered = store.last_seq(&project.id).await?;
                guard.insert(Feed {
                    project: project.clone(),
                    sequencer: Sequencer::new(delivered),
                    early: Holdback::default(),
                })
            }
        };
        let last_seq = feed.sequencer.delivered();
        socket.join(room(&project.id));
        send(socket, ready_event, &ready(last_seq));
        let Some(since) = since_seq else {
            return Ok(Replay::Done { last_seq });
        };
        if since > last_seq || last_seq - since > replay_limit {
            return Ok(Replay::ResyncRequired { last_seq });
        }
        for event in store.events_after(project, since, last_seq - since).await? {
            if may_receive(socket, &event.kind, &event.payload) {
                if let Some(frame) = Frame::of(&event) {
                    send(socket, &event.kind, &frame);
                }
            }
        }
        Ok(Replay::Done { last_seq })
    }

    async fn dispatch(&self, store: &dyn Store, io: &SocketIo, event: BusEvent) {
        tell_added_member(io, &event);
        let Some(cell) = self.cell(&event.project_id) else {
            return; // nobody on this node joined the project
        };
        let mut guard = cell.lock().await;
        let Some(feed) = guard.as_mut() else { return };
        let now = Instant::now();
        match feed.sequencer.admit(event.seq) {
            Admission::Duplicate => {}
            Admission::Deliver => {
                deliver(io, feed, &event);
                release_early(io, feed, now);
            }
            Admission::Gap { .. } => feed.early.hold(event.seq, event, now),
        }
        if feed.early.overdue(now, self.gaps.wait, self.gaps.most_held) {
            fill_gap(store, io, feed, now).await;
        }
    }

    /// Fills the gaps that have waited too long, also when no further event comes to notice.
    async fn fill_overdue(&self, store: &dyn Store, io: &SocketIo) {
        let cells: Vec<FeedCell> = self.cells.lock().values().cloned().collect();
        let now = Instant::now();
        for cell in cells {
            let mut guard = cell.lock().await;
            if let Some(feed) = guard.as_mut() {
                if feed.early.overdue(now, self.gaps.wait, self.gaps.most_held) {
                    fill_gap(store, io, feed, now).await;
                }
            }
        }
    }

    /// After the bus dropped events for us: bring every feed up to the store's log.
    async fn catch_up_all(&self, store: &dyn Store, io: &SocketIo) {
        let cells: Vec<FeedCell> = self.cells.lock().values().cloned().collect();
        for cell in cells {
            let mut guard = cell.lock().await;
            if let Some(feed) = guard.as_mut() {
                fill_gap(store, io, feed, Instant::now()).await;
            }
        }
    }
}

/// Delivers the held events that now follow without a gap.
fn release_early(io: &SocketIo, feed: &mut Feed, now: Instant) {
    for event in feed.early.release(feed.sequencer.delivered(), now) {
        deliver(io, feed, &event);
    }
}

/// Reads what is missing from the store and delivers it, then whatever held events follow.
async fn fill_gap(store: &dyn Store, io: &SocketIo, feed: &mut Feed, now: Instant) {
    let after = feed.sequencer.delivered();
    catch_up(store, io, feed, after).await;
    release_early(io, feed, now);
}

async fn catch_up(store: &dyn Store, io: &SocketIo, feed: &mut Feed, after: i64) {
    const PAGE: i64 = 500;
    let mut after = after;
    loop {
        let page = match store.events_after(&feed.project, after, PAGE).await {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, project = %feed.project.name, "cannot load missed events");
                return;
            }
        };
        let full = page.len() as i64 == PAGE;
        for event in &page {
            deliver(io, feed, event);
            after = event.seq;
        }
        if !full {
            return;
        }
    }
}

/// Emits the event to the project's room in `/portal` and in its `/chat/{name}` namespace. The
/// payload is serialised once, here; every socket is sent the same text.
fn deliver(io: &SocketIo, feed: &mut Feed, event: &StoredEvent) {
    feed.sequencer.mark_delivered(event.seq);
    let Some(frame) = Frame::of(event) else {
        return;
    };
    let private = is_private(&event.kind, &event.payload);
    let removed = removed_user(event);
    let room = room(&event.project_id);
    for ns in [PORTAL.to_owned(), chat_namespace(&event.project_name)] {
        let Some(ns) = io.of(&ns) else { continue };
        // Encoded once per namespace (the packet names it), by its first receiving socket.
        let mut encoded = None;
        for socket in ns.to(room.clone()).sockets() {
            let visible = !private || sees(&socket, &event.kind, &event.payload);
            if visible && wants(&socket, &event.kind) {
                if encoded.is_none() {
                    encoded = match socket.encode_event(&event.kind, &frame) {
                        Ok(packet) => Some(packet),
                        Err(e) => {
                            tracing::error!(error = ?e, kind = %event.kind, "cannot encode an event");
                            return;
                        }
                    };
                }
                if let Some(packet) = &encoded {
                    sent(&socket, socket.emit_encoded(packet));
                }
            }
            if removed.is_some_and(|id| loses_access(&socket, id)) {
                evict(&socket, &room, &event.project_name);
            }
        }
    }
}

/// An event's socket payload ([`socket_payload`]) serialised once, to be sent as it is to
/// every socket that receives the event.
pub struct Frame(Box<RawValue>);

impl Frame {
    fn of(event: &StoredEvent) -> Option<Frame> {
        match serde_json::value::to_raw_value(&socket_payload(event)) {
            Ok(raw) => Some(Frame(raw)),
            Err(e) => {
                tracing::error!(error = %e, kind = %event.kind, "cannot serialise an event");
                None
            }
        }
    }
}

impl Serialize for Frame {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Whether the socket subscribed to `kind` and its user may see the event. The user is looked
/// up only for the few private events, keeping the fan-out of everything else as cheap as before.
pub fn may_receive(socket: &SocketRef, kind: &str, payload: &serde_json::Value) -> bool {
    wants(socket, kind) && (!is_private(kind, payload) || sees(socket, kind, payload))
}

/// Whether the socket's user may see a private event.
fn sees(socket: &SocketRef, kind: &str, payload: &serde_json::Value) -> bool {
    socket
        .extensions
        .get::<AuthUser>()
        .is_some_and(|user| visible_to(kind, payload, &user.username))
}

/// A person added to a project has not joined it yet, so its room cannot tell them: their
/// `/portal` sockets get `added_to_project` (no `seq`; it is a nudge to list projects again).
fn tell_added_member(io: &SocketIo, event: &StoredEvent) {
    if event.kind != EventKind::MemberAdded.as_str() {
        return;
    }
    let (Some(user_id), Some(ns)) = (event.payload["user_id"].as_str(), io.of(PORTAL)) else {
        return;
    };
    let notice = serde_json::json!({
        "project_name": event.project_name,
        "role": event.payload["role"],
        "by": event.actor,
    });
    for socket in ns.to(user_room(user_id)).sockets() {
        send(&socket, "added_to_project", &notice);
    }
}

/// The user a `member_removed` event takes out of the project.
fn removed_user(event: &StoredEvent) -> Option<&str> {
    (event.kind == EventKind::MemberRemoved.as_str())
        .then(|| event.payload["user_id"].as_str())
        .flatten()
}

/// Server admins keep access to every project; anyone else removed loses it at once.
fn loses_access(socket: &SocketRef, user_id: &str) -> bool {
    socket
        .extensions
        .get::<AuthUser>()
        .is_some_and(|u| u.id == user_id && !u.is_admin)
}

/// Takes a removed member's socket out of the project: it is told, receives nothing more, and a
/// chat socket (which belongs to that one project) is disconnected.
fn evict(socket: &SocketRef, room: &str, project_name: &str) {
    let notice = serde_json::json!({
        "reason": "removed_from_project",
        "project_name": project_name,
        "message": format!("You are no longer a member of {project_name}."),
    });
    send(socket, "removed_from_project", &notice);
    socket.leave(room.to_owned());
    if socket.ns() != PORTAL {
        let _ = socket.clone().disconnect();
    }
}

/// Emits to one socket. A socket whose buffer is full is too slow to keep up: it leaves its
/// rooms at once (so it is sent nothing more and holds no memory for later events) and is
/// disconnected as soon as its buffer has room for the disconnect packet, i.e. right after the
/// events it already has. It reconnects and resumes from its last `seq`: nothing is lost.
pub fn send<T: Serialize + ?Sized>(socket: &SocketRef, event: &str, payload: &T) {
    match socket.emit(event, payload) {
        Ok(()) => {}
        Err(SendError::Socket(e)) => sent(socket, Err(e)),
        Err(SendError::Serialize(e)) => {
            tracing::error!(error = ?e, event, "cannot serialise an event");
        }
    }
}

/// What [`send`] does with the outcome of an emit: a full buffer drops the socket.
fn sent(socket: &SocketRef, outcome: Result<(), SocketError>) {
    let full = match outcome {
        Ok(()) => false,
        Err(SocketError::InternalChannelFull) => true,
        // Closed by the client (or already dropped): nothing to do.
        Err(SocketError::Closed) => false,
    };
    if !full || socket.extensions.get::<TooSlow>().is_some() {
        return;
    }
    tracing::warn!(sid = %socket.id, ns = socket.ns(), "socket cannot keep up; dropping it");
    socket.extensions.insert(TooSlow);
    socket.leave_all();
    let socket = socket.clone();
    tokio::spawn(async move {
        // Ends when the disconnect is queued or the connection is gone (ping timeout at worst).
        while socket.connected() && socket.clone().disconnect().is_err() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

/// Marks a socket that overflowed and is being dropped.
#[derive(Clone, Copy)]
struct TooSlow;

/// Runs until `shutdown`: takes committed events from the bus and delivers them.
pub async fn run_dispatcher(
    bus: Arc<dyn Bus>,
    store: Arc<dyn Store>,
    io: SocketIo,
    feeds: Arc<super::Realtime>,
    shutdown: CancellationToken,
) {
    let mut events = bus.subscribe();
    let mut overdue = tokio::time::interval(feeds.feeds.gaps.wait.max(Duration::from_millis(1)));
    overdue.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let received = tokio::select! {
            () = shutdown.cancelled() => return,
            received = events.recv() => received,
            _ = overdue.tick() => {
                feeds.feeds.fill_overdue(store.as_ref(), &io).await;
                continue;
            }
        };
        match received {
            Ok(event) => feeds.feeds.dispatch(store.as_ref(), &io, event).await,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "event dispatcher lagged; catching up from the store"
                );
                feeds.feeds.catch_up_all(store.as_ref(), &io).await;
            }
            Err(RecvError::Closed) => return,
        }
    }
}
