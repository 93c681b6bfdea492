//! The `stompwire` binary, run as a user would: decode/encode round trips, malformed input, and
//! send/subscribe against the real brokers (RabbitMQ over TCP and Web-STOMP, ActiveMQ over TCP).
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stompwire"))
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn stompwire");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_with_stdin(args, b"")
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn unique_queue(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "/queue/cli-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn decode_then_encode_gives_back_the_same_frames() {
    let streams: [&[u8]; 4] = [
        b"SEND\ndestination:/q/a\\cb\ncontent-length:3\n\na\0b\0",
        b"MESSAGE\nsubscription:s\nmessage-id:ID:host-1:2\ndestination:/t\n\nhello\0\n\n\r\n",
        b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0",
        b"ERROR\nmessage:bad\\nthing\n\n\xff\xfe\0",
    ];
    for stream in streams {
        let decoded = run_with_stdin(&["decode", "--heartbeats"], stream);
        assert!(decoded.status.success(), "{}", stderr(&decoded));
        let encoded = run_with_stdin(&["encode"], &decoded.stdout);
        assert!(encoded.status.success(), "{}", stderr(&encoded));
        let again = run_with_stdin(&["decode", "--heartbeats"], &encoded.stdout);
        assert_eq!(stdout(&again), stdout(&decoded));
    }
}

#[test]
fn decode_prints_binary_bodies_as_base64() {
    let out = run_with_stdin(&["decode"], b"MESSAGE\ncontent-length:2\n\n\xff\0\0");
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        r#"{"command":"MESSAGE","headers":[["content-length","2"]],"body_base64":"/wA="}"#
    );
}

#[test]
fn decode_of_a_malformed_stream_prints_what_came_before_and_exits_2() {
    let out = run_with_stdin(&["decode"], b"MESSAGE\n\nok\0SEND\nno colon here\n\n\0");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("has no ':'"), "{err}");
}

#[test]
fn decode_names_the_limit_a_hostile_content_length_hits() {
    let out = run_with_stdin(&["decode"], b"MESSAGE\ncontent-length:4294967295\n\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("max_body_size"), "{}", stderr(&out));
}

#[test]
fn decode_of_a_truncated_stream_exits_2() {
    let out = run_with_stdin(&["decode"], b"MESSAGE\ndestination:/q\n\npart");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ends inside a frame"));
}

#[test]
fn encode_refuses_a_header_the_version_cannot_write() {
    let line = br#"{"command":"SEND","headers":[["a","x\ny"]],"body":""}"#;
    let out = run_with_stdin(&["encode", "--version", "1.0"], line);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("stompwire: line 1:"),
        "{}",
        stderr(&out)
    );
    let ok = run_with_stdin(&["encode", "--version", "1.2"], line);
    assert!(ok.status.success());
    assert_eq!(ok.stdout, b"SEND\na:x\\ny\n\n\0");
}

fn rabbit_args(url: &str) -> Vec<String> {
    ["--login", "guest", "--passcode", "guest", "--vhost", "/"]
        .iter()
        .map(|s| s.to_string())
        .chain([url.to_owned()])
        .collect()
}

/// send with receipts, then subscribe --json, on one broker URL.
fn send_then_subscribe(url: &str, credentials: &[&str]) {
    let queue = unique_queue("rt");
    let body_file = std::env::temp_dir().join(format!("stompwire{}.bin", queue.replace('/', "-")));
    std::fs::write(&body_file, b"bin\0ary\xff").unwrap();
    let mut send: Vec<&str> = credentials.to_vec();
    send.extend([
        "send",
        url,
        &queue,
        "text body",
        "--receipt",
        "--count",
        "2",
    ]);
    let out = run(&send);
    assert!(out.status.success(), "send: {}", stderr(&out));
    let file = body_file.to_str().unwrap();
    let mut send_bin: Vec<&str> = credentials.to_vec();
    send_bin.extend(["send", url, &queue, "--file", file, "--receipt"]);
    let out = run(&send_bin);
    assert!(out.status.success(), "send --file: {}", stderr(&out));

    let mut sub: Vec<&str> = credentials.to_vec();
    sub.extend([
        "subscribe",
        url,
        &queue,
        "--count",
        "3",
        "--json",
        "--timeout",
        "20",
        "--ack",
        "client",
    ]);
    let out = run(&sub);
    assert!(out.status.success(), "subscribe: {}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&out));
    assert_eq!(lines[0]["body"], "text body");
    assert_eq!(lines[1]["body"], "text body");
    assert_eq!(lines[2]["body_base64"], "YmluAGFyef8=");
    assert!(lines.iter().all(|l| l["command"] == "MESSAGE"));
    let _ = std::fs::remove_file(body_file);
}

#[test]
fn send_and_subscribe_over_rabbitmq_tcp() {
    let url = format!(
        "tcp://{}",
        env_or("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613")
    );
    let args = rabbit_args(&url);
    let creds: Vec<&str> = args[..6].iter().map(String::as_str).collect();
    send_then_subscribe(&url, &creds);
}

#[test]
fn send_and_subscribe_over_rabbitmq_web_stomp() {
    let url = env_or("STOMPWIRE_RABBIT_WS", "ws://127.0.0.1:15674/ws");
    let args = rabbit_args(&url);
    let creds: Vec<&str> = args[..6].iter().map(String::as_str).collect();
    send_then_subscribe(&url, &creds);
}

#[test]
fn send_and_subscribe_over_activemq_tcp() {
    let url = format!(
        "tcp://{}",
        env_or("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633")
    );
    send_then_subscribe(&url, &[]);
}

#[test]
fn send_to_a_closed_port_fails_with_one_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("tcp://127.0.0.1:{port}");
    let out = run(&[
        "--connect-timeout",
        "2000",
        "send",
        &url,
        "/queue/x",
        "body",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("stompwire: "), "{err}");
}

#[test]
fn bad_credentials_are_reported_and_exit_1() {
    let url = format!(
        "tcp://{}",
        env_or("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613")
    );
    let out = run(&[
        "--login",
        "guest",
        "--passcode",
        "wrong",
        "--vhost",
        "/",
        "send",
        &url,
        "/queue/x",
        "b",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        !err.contains("wrong"),
        "the passcode must not be printed: {err}"
    );
    assert!(
        err.to_lowercase().contains("refused") || err.contains("ERROR"),
        "{err}"
    );
}
