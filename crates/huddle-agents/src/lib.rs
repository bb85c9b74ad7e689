//! Agent executors (DESIGN §5).
//!
//! This crate is the seam for the agents capability: process groups, output normalisation and
//! worktrees arrive with the agents issue. The role vocabulary lives in `huddle-core`, so the
//! store, the workflow engine and the UI agree on names; it is re-exported here.

pub use huddle_core::AgentRole;
