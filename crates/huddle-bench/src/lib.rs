//! Load-generation parts shared by the `huddle-bench` binary and the server's tests.

pub mod socket;
