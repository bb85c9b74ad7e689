//! The `huddle` command: parses the command line, sets up logging, loads configuration and hands
//! over to the server library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use huddle_core::AgentRole;
use huddle_server::commands::Account;
use huddle_server::config::{Config, Overrides};
use huddle_server::{bootstrap, commands, Server};

/// Huddle: a self-hosted command center where people and AI coding agents run Scrum + TDD
/// together.
#[derive(Parser)]
#[command(name = "huddle", version, about)]
struct Cli {
    /// Configuration file (optional; defaults are used when it does not exist).
    #[arg(
        long,
        global = true,
        env = "HUDDLE_CONFIG",
        default_value = "huddle.toml"
    )]
    config: PathBuf,
    /// Directory for the SQLite database, the JWT secret and uploads.
    #[arg(long, global = true, env = "HUDDLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTP API, real-time sockets and web UI).
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, env = "HUDDLE_LISTEN")]
        listen: Option<SocketAddr>,
        /// Seed a demo project (arrives with the workflow and agents).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage agent accounts: the agents people talk to in direct messages.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Manage projects.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the version.
    Version,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prompts for the password unless --password is given.
    Add {
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// Make the user a server administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set a user's password; prompts unless --password is given.
    Passwd {
        name: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Create an agent account; prompts for the password unless --password is given. The agent
    /// logs in with it like a person and is added to projects as a member.
    Add {
        name: String,
        /// orchestrator, design, code, qa or data.
        #[arg(long)]
        role: AgentRole,
        #[arg(long)]
        password: Option<String>,
    },
    /// List agent accounts.
    List,
}

#[derive(Subcommand)]
enum ProjectCommand {
    /// Create a project; the owner (default: the first admin) becomes its admin.
    Add {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        owner: Option<String>,
    },
    /// List projects.
    List,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the configuration in effect, with every default, secrets redacted.
    Print,
}

/// Errors end the process with one readable line (and its causes), not a backtrace.
fn main() -> std::process::ExitCode {
    match start() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn start() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing();
    let listen = match &cli.command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    let overrides = Overrides {
        listen,
        data_dir: cli.data_dir.clone(),
    };
    let config = Config::load(&cli.config, &overrides).context("loading configuration")?;
    tokio::runtime::Runtime::new()?.block_on(run(cli.command, config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { demo, .. } => serve(config, demo).await,
        Command::Migrate => {
            bootstrap::open_store(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::User(cmd) => {
            let store = bootstrap::open_store(&config).await?;
            let out = match cmd {
                UserCommand::Add {
                    name,
                    password,
                    admin,
                } => {
                    let password = password_or_prompt(password)?;
                    commands::user_add(store.as_ref(), &name, password, Account::Person { admin })
                        .await?
                }
                UserCommand::Passwd { name, password } => {
                    commands::user_passwd(store.as_ref(), &name, password_or_prompt(password)?)
                        .await?
                }
                UserCommand::List => commands::user_list(store.as_ref()).await?,
            };
            println!("{out}");
            Ok(())
        }
        Command::Agent(cmd) => {
            let store = bootstrap::open_store(&config).await?;
            let out = match cmd {
                AgentCommand::Add {
                    name,
                    role,
                    password,
                } => {
                    let password = password_or_prompt(password)?;
                    commands::user_add(store.as_ref(), &name, password, Account::Agent(role))
                        .await?
                }
                AgentCommand::List => commands::agent_list(store.as_ref()).await?,
            };
            println!("{out}");
            Ok(())
        }
        Command::Project(cmd) => {
            let store = bootstrap::open_store(&config).await?;
            let out = match cmd {
                ProjectCommand::Add {
                    name,
                    description,
                    owner,
                } => {
                    commands::project_add(store.as_ref(), &name, &description, owner.as_deref())
                        .await?
                }
                ProjectCommand::List => commands::project_list(store.as_ref()).await?,
            };
            println!("{out}");
            Ok(())
        }
        Command::Config(ConfigCommand::Print) => {
            print!("{}", config.annotated_toml());
            Ok(())
        }
        Command::Version => {
            println!("huddle {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    if demo {
        anyhow::bail!("--demo needs the workflow engine and the script executor, which this version does not have yet");
    }
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}; is another server running there?"))?;
    let server = Server::prepare(config).await?;
    if let Some(admin) = &server.admin_created {
        match &admin.generated_password {
            Some(password) => println!(
                "created user '{}' with password: {password}\n(shown only once; change it with `huddle user passwd {}`)",
                admin.username, admin.username
            ),
            None => println!("created user '{}' with the password from HUDDLE_ADMIN_PASSWORD", admin.username),
        }
    }
    println!("listening on http://{}", listener.local_addr()?);
    server.serve(listener, shutdown_signal()).await
}

fn password_or_prompt(password: Option<String>) -> anyhow::Result<String> {
    match password {
        Some(p) => Ok(p),
        None => rpassword::prompt_password("password: ").context("reading the password"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Structured logs on stderr; `RUST_LOG` filters, `HUDDLE_LOG_FORMAT=json` for JSON lines.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours off: the writer escapes every escape sequence, the formatter's too.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(huddle_server::log_writer::EscapedStderr);
    if std::env::var("HUDDLE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
