//! The programs in `examples/` run against the real brokers: TCP (RabbitMQ and ActiveMQ), TLS
//! and Web-STOMP (RabbitMQ). The multicast example is built but not run here: multicast runs
//! only inside the test script's private network namespace.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// `target/…/examples/NAME`, next to the directory of the binary cargo built for the tests.
fn example(name: &str) -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_stompwire"));
    let path = bin.parent().unwrap().join("examples").join(name);
    assert!(path.exists(), "{} not built", path.display());
    Command::new(path)
}

fn run_ok(mut command: Command, expect: &str) {
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(expect), "{stdout}");
}

#[test]
fn the_tcp_example_round_trips_on_rabbitmq_and_activemq() {
    for (addr, queue) in [
        (env_or("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613"), "rabbit"),
        (
            env_or("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633"),
            "activemq",
        ),
    ] {
        let mut cmd = example("tcp");
        cmd.args([
            format!("tcp://{addr}"),
            format!("/queue/example-tcp-{queue}-{}", std::process::id()),
        ]);
        run_ok(cmd, "received \"hello over TCP\"");
    }
}

#[test]
fn the_tls_example_round_trips_with_a_ca_file() {
    let dir = env_or("STOMPWIRE_TLS_DIR", "/var/tmp/stompwire-brokers/tls");
    let mut cmd = example("tls");
    cmd.args([
        format!(
            "ssl://{}",
            env_or("STOMPWIRE_RABBIT_TLS", "127.0.0.1:61614")
        ),
        format!("{dir}/ca.pem"),
    ]);
    run_ok(cmd, "received \"hello over TLS\"");
}

#[test]
fn the_websocket_example_gets_its_receipt() {
    let mut cmd = example("websocket");
    cmd.arg(env_or("STOMPWIRE_RABBIT_WS", "ws://127.0.0.1:15674/ws"));
    run_ok(cmd, "the broker confirmed both messages");
}
