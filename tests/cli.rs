//! The `stompwire` binary, run as a user would: help text, option parsing, decode/encode round
//! trips, malformed input, and send/subscribe/bench against the real brokers (RabbitMQ over TCP
//! and Web-STOMP, ActiveMQ over TCP), with headers that change what the broker does.
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
        "20s",
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
    let out = run(&["--connect-timeout", "2s", "send", &url, "/queue/x", "body"]);
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

fn rabbit_url() -> String {
    format!(
        "tcp://{}",
        env_or("STOMPWIRE_RABBIT_TCP", "127.0.0.1:61613")
    )
}

fn activemq_url() -> String {
    format!(
        "tcp://{}",
        env_or("STOMPWIRE_ACTIVEMQ_TCP", "127.0.0.1:61633")
    )
}

const RABBIT: [&str; 6] = ["--login", "guest", "--passcode", "guest", "--vhost", "/"];

fn with(prefix: &[&str], rest: &[&str]) -> Vec<String> {
    prefix.iter().chain(rest).map(|s| s.to_string()).collect()
}

fn run_owned(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

#[test]
fn help_teaches_url_forms_examples_exit_codes_and_durations() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for needle in [
        "tcp://HOST:PORT",
        "ssl://HOST:PORT",
        "ws://HOST:PORT/PATH",
        "wss://HOST:PORT/PATH",
        "multicast://GROUP:PORT",
        "failover:(URL,URL,...)?OPTIONS",
        "a bare HOST:PORT means tcp",
        "Exit status:",
        "  3  incomplete",
        "Examples:",
        "250ms, 5s, 2m",
        "RUST_LOG",
        "Connection options:",
        "--reconnect-attempts",
        "--connect-header",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    assert!(!help.contains("sans-I/O"), "{help}");
    for command in ["send", "subscribe", "bench"] {
        let out = run(&[command, "--help"]);
        assert!(out.status.success());
        let help = stdout(&out);
        for needle in [
            "Broker URLs:",
            "failover:(",
            "Examples:",
            &format!("stompwire {command} "),
            "Connection options:",
            "Exit status:",
            "250ms, 5s, 2m",
        ] {
            assert!(
                help.contains(needle),
                "{command} --help lacks {needle:?}:\n{help}"
            );
        }
    }
    let sub = stdout(&run(&["subscribe", "--help"]));
    assert!(sub.contains("-H, --header <NAME:VALUE>"), "{sub}");
    assert!(sub.contains("x-queue-type"), "{sub}");
    for command in ["decode", "encode"] {
        let help = stdout(&run(&[command, "--help"]));
        assert!(help.contains("Examples:"), "{help}");
        assert!(help.contains("Exit status:"), "{help}");
    }
}

#[test]
fn durations_need_a_unit_and_bad_ones_are_named() {
    for (option, value) in [
        ("--timeout", "8"),
        ("--connect-timeout", "2000"),
        ("--heartbeat", "1000,1000"),
    ] {
        let out = run(&["subscribe", "127.0.0.1:1", "/queue/x", option, value]);
        assert_eq!(out.status.code(), Some(2), "{option} {value}");
        let err = stderr(&out);
        let n = value.split(',').next().unwrap();
        assert!(
            err.contains(&format!("{n}s")) && err.contains(&format!("{n}ms")),
            "{option} {value}: {err}"
        );
    }
    let out = run(&[
        "subscribe",
        "127.0.0.1:1",
        "/queue/x",
        "--timeout",
        "5 parsecs",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--timeout"), "{}", stderr(&out));
    let out = run(&["bench", "127.0.0.1:1", "--max-time", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_250ms_timeout_ends_an_idle_subscription_with_success() {
    let queue = unique_queue("idle");
    let started = std::time::Instant::now();
    let out = run_owned(&with(
        &RABBIT,
        &["subscribe", &rabbit_url(), &queue, "--timeout", "250ms"],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn headers_the_version_cannot_carry_are_refused_before_connecting() {
    // Port 1: nothing listens, so getting past the check would fail differently (exit 1).
    let out = run(&[
        "--versions",
        "1.0",
        "send",
        "127.0.0.1:1",
        "/queue/x",
        "b",
        "-H",
        "a:x\ny",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("0x0a cannot be written in STOMP 1.0"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "--versions",
        "1.1",
        "subscribe",
        "127.0.0.1:1",
        "/queue/x",
        "-H",
        "a:x\ry",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs 1.2"), "{}", stderr(&out));
    let out = run(&[
        "--connect-header",
        "a:x\ny",
        "send",
        "127.0.0.1:1",
        "/q",
        "b",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("CONNECT headers are never escaped"));
    let out = run(&["send", "127.0.0.1:1", "/q", "b", "-H", "no-colon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not NAME:VALUE"));
    // The same header is fine where the version escapes it.
    let out = run(&[
        "--versions",
        "1.2",
        "--connect-timeout",
        "1s",
        "--reconnect-attempts",
        "0",
        "send",
        "127.0.0.1:1",
        "/q",
        "b",
        "-H",
        "a:x\ny",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_selector_header_on_subscribe_reaches_activemq() {
    let url = activemq_url();
    let queue = unique_queue("selector");
    for color in ["blue", "red"] {
        let header = format!("color:{color}");
        let out = run(&["send", &url, &queue, color, "-H", &header, "--receipt"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let sub = |extra: &[&str], count: &str| {
        let mut args = vec!["subscribe", &url, &queue, "--json", "--count", count];
        args.extend(["--timeout", "3s"]);
        args.extend(extra);
        run(&args)
    };
    // Only red matches: the first message (blue) is skipped by the broker.
    let out = sub(&["-H", "selector:color = 'red'"], "1");
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["body"], "red");
    // No red left: the count is not reached (exit 3), and the reason is one line.
    let out = sub(&["-H", "selector:color = 'red'"], "1");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "stompwire: received 0 of 1 messages within 3s"
    );
    // Blue is still there for a subscriber without a selector.
    let out = sub(&[], "1");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"body\":\"blue\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn queue_arguments_on_subscribe_reach_rabbitmq() {
    let url = rabbit_url();
    let queue = unique_queue("quorum");
    let quorum = [
        "-H",
        "x-queue-type:quorum",
        "-H",
        "durable:true",
        "-H",
        "auto-delete:false",
        "-H",
        "x-expires:120000",
    ];
    // The first SUBSCRIBE declares the queue, as a quorum queue.
    let mut args = with(&RABBIT, &["subscribe", &url, &queue, "--timeout", "1s"]);
    args.extend(quorum.iter().map(|s| s.to_string()));
    let out = run_owned(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args = with(&RABBIT, &["send", &url, &queue, "q-body", "--receipt"]);
    args.extend(quorum.iter().map(|s| s.to_string()));
    let out = run_owned(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut args = with(
        &RABBIT,
        &[
            "subscribe",
            &url,
            &queue,
            "--count",
            "1",
            "--timeout",
            "10s",
            "--json",
        ],
    );
    args.extend(quorum.iter().map(|s| s.to_string()));
    let out = run_owned(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("q-body"));
    // RabbitMQ says what the queue is when asked to declare it otherwise.
    let mut args = with(
        &RABBIT,
        &[
            "--reconnect-attempts",
            "0",
            "subscribe",
            &url,
            &queue,
            "--count",
            "1",
            "--timeout",
            "10s",
        ],
    );
    args.extend(
        [
            "-H",
            "x-queue-type:classic",
            "-H",
            "durable:true",
            "-H",
            "auto-delete:false",
            "-H",
            "x-expires:120000",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let out = run_owned(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("ERROR frame from the broker")
            && err.contains("received 'classic' but current is 'quorum'"),
        "{err}"
    );
}

#[test]
fn bench_draws_no_progress_when_stderr_is_not_a_terminal() {
    let out = run_owned(&with(
        &RABBIT,
        &[
            "bench",
            &rabbit_url(),
            "--messages",
            "300",
            "--size",
            "64",
            "--max-time",
            "30s",
        ],
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{:?}", stderr(&out));
    let text = stdout(&out);
    for field in [
        "sent          300",
        "delivered     300",
        "latency ms    p50",
        "cpu  ",
    ] {
        assert!(text.contains(field), "{field:?} missing:\n{text}");
    }
}

#[test]
fn bench_draws_progress_on_a_terminal() {
    // `script` runs the command on a pseudo-terminal.
    let cmd = format!(
        "{} --login guest --passcode guest --vhost / bench {} --messages 3000 --size 64 --max-time 30s",
        env!("CARGO_BIN_EXE_stompwire"),
        rabbit_url()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script(1) from util-linux");
    assert!(out.status.success(), "{}", stdout(&out));
    let screen = stdout(&out);
    assert!(screen.contains("delivered ["), "{screen:?}");
    assert!(screen.contains("/3000"), "{screen:?}");
    assert!(screen.contains("delivered     3000"), "{screen:?}");
}

#[test]
fn rust_log_and_v_log_with_timestamps_and_without_the_passcode() {
    let url = activemq_url();
    let queue = unique_queue("log");
    let secret = "s3cr3t-passcode";
    let mut child = bin();
    child
        .args([
            "--login",
            "someone",
            "--passcode",
            secret,
            "send",
            &url,
            &queue,
            "b",
        ])
        .env("RUST_LOG", "stompwire=debug");
    let out = child.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(
        log.contains("DEBUG stompwire::native::dispatch] connecting to"),
        "{log}"
    );
    assert!(
        log.lines().all(|l| l.starts_with("[20")),
        "timestamps: {log}"
    );
    assert!(!log.contains(secret), "{log}");
    let out = run(&["-v", "--passcode", secret, "send", &url, &queue, "b"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains(" DEBUG "), "{}", stderr(&out));
    assert!(!stderr(&out).contains(secret));
    let mut quiet = bin();
    quiet
        .args(["send", &url, &queue, "b"])
        .env_remove("RUST_LOG");
    let out = quiet.output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
