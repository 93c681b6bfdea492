//! `stompwire`: a STOMP command-line client — send, subscribe, bench, decode and encode over
//! TCP, TLS, WebSocket, UDP multicast and failover URLs.

mod args;
mod bench;
mod connect;
mod decode;
mod duration;
mod encode;
mod fail;
mod headers;
mod json;
mod logger;
mod progress;
mod report;
mod send;
mod subscribe;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    report::set_secret(cli.connection.passcode.as_deref());
    logger::init(cli.verbose);
    let result = match &cli.command {
        Command::Send(a) => send::run(&cli, a),
        Command::Subscribe(a) => subscribe::run(&cli, a),
        Command::Bench(a) => bench::run(&cli, a),
        Command::Decode(a) => decode::run(a),
        Command::Encode(a) => encode::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            report::line(&failure.to_string());
            failure.exit_code()
        }
    }
}
