//! `huddle-bench`: measures a real `huddle` binary from the outside.
//!
//! - `startup`: time from spawn to `/ready`, idle RSS, and time to exit on SIGTERM.
//! - `http`: closed-loop load on an authenticated read route, with latency percentiles.
//! - `chat`: N chat clients, M persisted messages per second, send→receive latency.
//! - `idle`: many idle Socket.IO connections, server memory per connection.
//! - `store`: durable posts per second, history and search latency, in process.
//! - `login-storm`: many logins at once; the server's memory before, at the peak and after.
//! - `fanout`: one chat load against a bare socketioxide server, a Node socket.io server and
//!   Huddle; server CPU per delivery, latency, losses and memory side by side.
//!
//! Figures go to `docs/PERFORMANCE.md` with the command that produced them.

mod bare_server;
mod chat_load;
mod fanout;
mod http_load;
mod idle;
mod login_storm;
mod process;
mod startup;
mod stats;
mod store_load;

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
    /// Chat fan-out: clients in one project, messages per second, latency percentiles.
    Chat {
        #[arg(long, default_value = "target/release/huddle")]
        bin: String,
        #[arg(long, default_value_t = 100)]
        clients: usize,
        /// Messages per second, from all senders together.
        #[arg(long, default_value_t = 100)]
        rate: u64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Sending connections (separate from the receiving clients).
        #[arg(long, default_value_t = 4)]
        senders: usize,
    },
    /// The store alone: durable posts/s, then history and search latency over them.
    Store {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// Defaults to a fresh SQLite file in the temp dir.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Many logins at once (mostly wrong passwords) and the server memory they take.
    LoginStorm {
        #[arg(long, default_value = "target/release/huddle")]
        bin: String,
        #[arg(long, default_value_t = 200)]
        logins: usize,
        /// Logins in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
    /// Idle connections and the server memory they take.
    Idle {
        #[arg(long, default_value = "target/release/huddle")]
        bin: String,
        #[arg(long, default_value_t = 1000)]
        connections: usize,
    },
    /// The same fan-out load against a bare socketioxide server, a Node socket.io server (when
    /// `node` is on PATH) and Huddle: server CPU per delivery, latency, losses, memory.
    Fanout(fanout::FanoutArgs),
    /// The bare socketioxide room server `fanout` measures (started by it).
    #[command(hide = true)]
    BareServer {
        #[arg(long, default_value_t = 2048)]
        socket_buffer: usize,
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
        Command::Chat {
            bin,
            clients,
            rate,
            seconds,
            senders,
        } => {
            chat_load::run(
                &bin,
                chat_load::ChatLoad {
                    clients,
                    rate,
                    seconds,
                    senders,
                },
            )
            .await
        }
        Command::LoginStorm {
            bin,
            logins,
            concurrency,
        } => login_storm::run(&bin, logins, concurrency).await,
        Command::Idle { bin, connections } => idle::run(&bin, connections).await,
        Command::Store {
            messages,
            writers,
            database_url,
        } => store_load::run(messages, writers, database_url).await,
        Command::Fanout(args) => fanout::run(args).await,
        Command::BareServer { socket_buffer } => bare_server::run(socket_buffer).await,
    }
}
