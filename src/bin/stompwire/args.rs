//! The command line: global connection options and one struct per command, with the help
//! text that teaches them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use stompwire::frame::Version;

use crate::duration::{parse_duration, parse_heartbeat};

/// Parses `1.0`, `1.1` or `1.2`.
fn parse_version(s: &str) -> Result<Version, String> {
    Version::parse(s.trim()).ok_or_else(|| "expected 1.0, 1.1 or 1.2".to_owned())
}

/// The broker URL forms, shown in the help of the tool and of every command that connects.
const URL_FORMS: &str = "\
Broker URLs:
  tcp://HOST:PORT            plain TCP (also stomp://); a bare HOST:PORT means tcp
  ssl://HOST:PORT            TLS (also stomp+ssl://); see --ca-file, --cert, --key
  ws://HOST:PORT/PATH        WebSocket (RabbitMQ Web-STOMP: ws://127.0.0.1:15674/ws)
  wss://HOST:PORT/PATH       WebSocket over TLS
  multicast://GROUP:PORT     UDP multicast, no broker (stomp.py's MulticastConnection)
  failover:(URL,URL,...)?OPTIONS
                             several brokers, tried in turn; OPTIONS as ActiveMQ writes them:
                             initialReconnectDelay=MS, maxReconnectDelay=MS,
                             maxReconnectAttempts=N, randomize=false, ...";

/// The duration syntax, shown in the help of the tool and of every command with a time option.
const DURATIONS: &str = "\
Durations: a number with a unit, e.g. 250ms, 5s, 2m, 1h 30m. A bare number is refused
(give the unit); only 0 may be written without one.";

/// The exit codes, shown in the help of the tool and of every command.
const EXIT: &str = "\
Exit status:
  0  done
  1  connection or broker failure: cannot connect, refused, ERROR frame, protocol
     violation, connection lost for good (each reported on stderr as one line)
  2  bad arguments, or malformed input to decode/encode
  3  incomplete: fewer messages or receipts than asked for within the time given (for
     send without --receipt: the broker did not confirm the DISCONNECT)";

/// The environment, shown in the help of the tool.
const ENVIRONMENT: &str = "\
Environment:
  STOMP_PASSCODE   the passcode, instead of --passcode
  RUST_LOG         log filter (e.g. debug, stompwire=trace); -v and -vv set it too";

const TOOL_EXAMPLES: &str = "\
Examples:
  stompwire --login guest --passcode guest send tcp://127.0.0.1:61613 /queue/a 'hello'
  stompwire subscribe ws://127.0.0.1:15674/ws /queue/a --count 10 --timeout 30s --json
  stompwire bench 'failover:(tcp://127.0.0.1:61613,tcp://127.0.0.1:61623)' --messages 50000";

const SEND_EXAMPLES: &str = "\
Examples:
  stompwire send tcp://127.0.0.1:61613 /queue/a 'hello' --receipt
  echo '{\"n\":1}' | stompwire send 127.0.0.1:61613 /topic/t -H priority:9 --content-type application/json
  stompwire send ssl://broker:61614 /queue/a --file report.pdf --receipt --timeout 30s";

const SUBSCRIBE_EXAMPLES: &str = "\
Examples:
  stompwire subscribe tcp://127.0.0.1:61613 /queue/a --count 1 --timeout 10s
  stompwire subscribe 127.0.0.1:61633 /queue/orders -H \"selector:region = 'EU'\" --json
  stompwire subscribe tcp://127.0.0.1:61613 /queue/q -H x-queue-type:quorum -H durable:true \\
      -H auto-delete:false -H prefetch-count:10 --ack client-individual";

const BENCH_EXAMPLES: &str = "\
Examples:
  stompwire bench tcp://127.0.0.1:61613 --messages 10000 --size 128
  stompwire bench ws://127.0.0.1:15674/ws --messages 2000 --json --max-time 30s

The figures: messages sent per second (publisher), delivered per second and MB/s (consumer,
from the first send to the last arrival), latency percentiles p50/p90/p99/max in ms, and CPU
time per message (both connections). A progress bar is drawn on stderr when it is a terminal.";

const DECODE_EXAMPLES: &str = "\
Examples:
  stompwire decode capture.bin
  printf 'MESSAGE\\ndestination:/q\\n\\nhi\\0' | stompwire decode --version 1.1";

const ENCODE_EXAMPLES: &str = "\
Examples:
  echo '{\"command\":\"SEND\",\"headers\":[[\"destination\",\"/q\"]],\"body\":\"hi\"}' | stompwire encode
  stompwire decode in.bin | stompwire encode --version 1.0 > out.bin";

/// A STOMP 1.0/1.1/1.2 command-line client: send, subscribe and bench against a broker over
/// TCP, TLS, WebSocket, UDP multicast or a failover list; decode and encode raw frames.
#[derive(Debug, Parser)]
#[command(
    name = "stompwire",
    version,
    about = "A STOMP 1.0/1.1/1.2 client: send, subscribe, bench, decode and encode",
    long_about = None,
    after_help = format!("{URL_FORMS}\n\n{DURATIONS}\n\n{EXIT}\n\n{ENVIRONMENT}\n\n{TOOL_EXAMPLES}"),
)]
pub struct Cli {
    /// Connection options (before or after the command).
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Log to stderr with timestamps (credentials redacted): -v debug, -vv trace.
    /// RUST_LOG, when set, decides instead.
    #[arg(
        short = 'v',
        long = "verbose",
        global = true,
        action = clap::ArgAction::Count,
        help_heading = "Output"
    )]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command that connects.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection options")]
pub struct ConnectionArgs {
    /// Login.
    #[arg(long, global = true)]
    pub login: Option<String>,
    /// Passcode (never printed or logged).
    #[arg(long, env = "STOMP_PASSCODE", hide_env_values = true, global = true)]
    pub passcode: Option<String>,
    /// Virtual host: the `host` header (RabbitMQ: `/`).
    #[arg(long, global = true)]
    pub vhost: Option<String>,
    /// Versions offered, e.g. 1.0,1.1,1.2. Headers given on the command line must be
    /// writable in the lowest one.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1.0,1.1,1.2",
        value_parser = parse_version,
        global = true
    )]
    pub versions: Vec<Version>,
    /// Extra CONNECT header (repeatable). CONNECT headers are never escaped: no line
    /// breaks.
    #[arg(long = "connect-header", value_name = "NAME:VALUE", global = true)]
    pub connect_headers: Vec<String>,
    /// Heart-beats OUT,IN: what this client sends, what it asks of the server (0 = none).
    #[arg(
        long,
        default_value = "0,0",
        value_name = "OUT,IN",
        value_parser = parse_heartbeat,
        global = true
    )]
    pub heartbeat: (Duration, Duration),
    /// How long opening the socket, and then waiting for CONNECTED, may each take.
    #[arg(
        long,
        default_value = "10s",
        value_name = "DURATION",
        value_parser = parse_duration,
        global = true
    )]
    pub connect_timeout: Duration,
    /// How many times to try again after the first attempt fails or a connection is lost
    /// (0 = never). Default: the URL's maxReconnectAttempts, else 3 attempts in all. A
    /// refusal (ERROR answering CONNECT) is never retried.
    #[arg(long, value_name = "N", global = true)]
    pub reconnect_attempts: Option<u32>,
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
    #[command(after_help = format!("{URL_FORMS}\n\n{DURATIONS}\n\n{EXIT}\n\n{SEND_EXAMPLES}"))]
    Send(SendArgs),
    /// Print the messages of a destination.
    #[command(after_help = format!("{URL_FORMS}\n\n{DURATIONS}\n\n{EXIT}\n\n{SUBSCRIBE_EXAMPLES}"))]
    Subscribe(SubscribeArgs),
    /// Publish N messages and consume them on a second connection; report rates and latency.
    #[command(after_help = format!("{URL_FORMS}\n\n{DURATIONS}\n\n{EXIT}\n\n{BENCH_EXAMPLES}"))]
    Bench(BenchArgs),
    /// Raw STOMP bytes (file or stdin) to one JSON line per frame.
    #[command(after_help = format!("{EXIT}\n\n{DECODE_EXAMPLES}"))]
    Decode(DecodeArgs),
    /// JSON lines on stdin to raw STOMP frames on stdout.
    #[command(after_help = format!("{EXIT}\n\n{ENCODE_EXAMPLES}"))]
    Encode(EncodeArgs),
}

/// `send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Broker URL (forms below).
    pub url: String,
    /// Destination.
    pub destination: String,
    /// Body (else --file, else stdin).
    pub body: Option<String>,
    /// Read the body from this file.
    #[arg(long, conflicts_with = "body")]
    pub file: Option<PathBuf>,
    /// SEND header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// content-type header.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Ask for a receipt for every frame and wait for it (exit 3 if one does not come).
    #[arg(long)]
    pub receipt: bool,
    /// How long to wait for the receipts.
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
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
    /// Broker URL (forms below).
    pub url: String,
    /// Destination.
    pub destination: String,
    /// SUBSCRIBE header (repeatable): selector, durable, auto-delete, x-queue-type,
    /// prefetch-count, activemq.subscriptionName, ...
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// Ack mode; in client modes each message is acked after it is printed.
    #[arg(long, value_enum, default_value = "auto")]
    pub ack: AckArg,
    /// Exit after this many messages; fewer by the --timeout, or a connection lost for
    /// good, is a failure (exit 3, or 1 after a broker failure).
    #[arg(long)]
    pub count: Option<u64>,
    /// Stop after this long (exit 0 unless --count was not reached).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

/// `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Broker URL (forms below).
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
    /// Stop after this long, finished or not (exit 3 if not).
    #[arg(long, default_value = "2m", value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Duration,
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
    #[arg(long, default_value = "1.2", value_parser = parse_version)]
    pub version: Version,
    /// Print heart-beats as {"command":"HEARTBEAT"}.
    #[arg(long)]
    pub heartbeats: bool,
}

/// `encode`.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// Escaping rules: 1.0, 1.1 or 1.2.
    #[arg(long, default_value = "1.2", value_parser = parse_version)]
    pub version: Version,
}
