//! Pure domain of Huddle: names, roles and the events a project records.
//!
//! Nothing here does I/O or is async, so every rule can be tested exhaustively. The workflow and
//! TDD state machines, the command grammar and the approval policy join this crate later.

pub mod agent;
pub mod command;
pub mod direct;
pub mod event;
pub mod name;
pub mod role;
pub mod text;
pub mod workflow;

pub use agent::{AgentRole, UserKind};
pub use event::EventKind;
pub use name::{NameError, ProjectName, Username};
pub use role::{Permission, Role};
pub use workflow::WorkflowState;
