//! The command line: global connection options and one struct per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// STOMP 1.0/1.1/1.2 client: send, subscribe, bench, decode and encode.
///
/// URLs: tcp://HOST:PORT, ssl://HOST:PORT, ws://HOST:PORT/PATH, wss://HOST:PORT/PATH,
/// multicast://GROUP:PORT, failover:(URL,URL)?OPTIONS; a bare HOST:PORT means tcp.
#[derive(Debug, Parser)]
#[command(name = "stompwire", version, about, long_about = None)]
pub struct Cli {
    /// Connection options (before the command).
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Extra CONNECT header, NAME:VALUE (repeatable; before the command).
    #[arg(short = 'H', long = "connect-header", value_name = "NAME:VALUE")]
    pub connect_headers: Vec<String>,
    /// Debug log to stderr (credentials redacted).
    #[arg(short = 'v', long = "verbose", global = true)]
    pub verbose: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command that connects.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Login.
    #[arg(long, global = true)]
    pub login: Option<String>,
    /// Passcode.
    #[arg(long, env = "STOMP_PASSCODE", hide_env_values = true, global = true)]
    pub passcode: Option<String>,
    /// Virtual host: the `host` header (RabbitMQ: `/`).
    #[arg(long, global = true)]
    pub vhost: Option<String>,
    /// Versions offered, e.g. 1.0,1.1,1.2.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1.0,1.1,1.2",
        global = true
    )]
    pub versions: Vec<String>,
    /// Heart-beats OUT,IN in milliseconds (0 = none).
    #[arg(long, default_value = "0,0", value_name = "OUT,IN", global = true)]
    pub heartbeat: String,
    /// Connect timeout in milliseconds.
    #[arg(long, default_value_t = 10_000, value_name = "MS", global = true)]
    pub connect_timeout: u64,
    /// CA certificates (PEM) to verify a TLS server with.
    #[arg(long, global = true)]
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM) for TLS.
    #[arg(long, global = true)]
    pub cert: Option<PathBuf>,
    /// Client private key (PEM) for TLS.
    #[arg(long, global = true)]
    pub key: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send a message (body from the argument, --file, or stdin).
    Send(SendArgs),
    /// Print the messages of a destination.
    Subscribe(SubscribeArgs),
    /// Publish N messages and consume them on a second connection; report rates and latency.
    Bench(BenchArgs),
    /// Raw STOMP bytes (file or stdin) to one JSON line per frame.
    Decode(DecodeArgs),
    /// JSON lines on stdin to raw STOMP frames on stdout.
    Encode(EncodeArgs),
}

/// `send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Broker URL.
    pub url: String,
    /// Destination.
    pub destination: String,
    /// Body (else --file, else stdin).
    pub body: Option<String>,
    /// Read the body from this file.
    #[arg(long, conflicts_with = "body")]
    pub file: Option<PathBuf>,
    /// Header NAME:VALUE (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// content-type header.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Ask for a receipt for every frame and wait for it (exit 1 if one does not come).
    #[arg(long)]
    pub receipt: bool,
    /// Seconds to wait for receipts.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Send the body this many times.
    #[arg(long, default_value_t = 1)]
    pub count: u64,
}

/// Ack modes on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AckArg {
    /// auto
    Auto,
    /// client (cumulative)
    Client,
    /// client-individual
    ClientIndividual,
}

/// `subscribe`.
#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// Broker URL.
    pub url: String,
    /// Destination.
    pub destination: String,
    /// Ack mode; in client modes each message is acked after it is printed.
    #[arg(long, value_enum, default_value = "auto")]
    pub ack: AckArg,
    /// Exit after this many messages.
    #[arg(long)]
    pub count: Option<u64>,
    /// Exit (status 0) after this many seconds.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

/// `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Broker URL.
    pub url: String,
    /// Messages to publish.
    #[arg(long, default_value_t = 10_000)]
    pub messages: u64,
    /// Body size in bytes.
    #[arg(long, default_value_t = 128)]
    pub size: usize,
    /// Destination (default: a fresh queue).
    #[arg(long)]
    pub destination: Option<String>,
    /// Seconds after which the run stops, finished or not.
    #[arg(long, default_value_t = 120.0)]
    pub max_seconds: f64,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Input file (default stdin).
    pub file: Option<PathBuf>,
    /// Escaping rules: 1.0, 1.1 or 1.2.
    #[arg(long, default_value = "1.2")]
    pub version: String,
    /// Print heart-beats as {"command":"HEARTBEAT"}.
    #[arg(long)]
    pub heartbeats: bool,
}

/// `encode`.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// Escaping rules: 1.0, 1.1 or 1.2.
    #[arg(long, default_value = "1.2")]
    pub version: String,
}
