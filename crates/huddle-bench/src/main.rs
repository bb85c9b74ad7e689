//! `huddle-bench`: measures a real `huddle` binary from the outside.
//!
//! - `startup`: time from spawn to `/ready`, idle RSS, and time to exit on SIGTERM.
//! - `http`: closed-loop load on an authenticated read route, with latency percentiles.
//!
//! Figures go to `docs/PERFORMANCE.md` with the command that produced them.

mod http_load;
mod process;
mod startup;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "huddle-bench", about = "Benchmarks for the huddle server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start-up time to ready, idle memory and shutdown time over several runs.
    Startup {
        /// The server binary (build it with `cargo build --release`).
        #[arg(long, default_value = "target/release/huddle")]
        bin: String,
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Closed-loop GETs of a project's event page by concurrent clients.
    Http {
        #[arg(long, default_value = "target/release/huddle")]
        bin: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Startup { bin, runs } => startup::run(&bin, runs).await,
        Command::Http {
            bin,
            clients,
            seconds,
        } => http_load::run(&bin, clients, seconds).await,
    }
}
