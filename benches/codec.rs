//! Codec throughput: decoding and encoding small MESSAGE frames and 1 MiB binary bodies.
//!
//! Each group carries a baseline measured in the same run (a `memchr` scan of the same small
//! frame stream; a plain copy of the same 1 MiB body), so results can be read as ratios on a
//! shared, noisy machine.
//!
//! Run: `cargo bench --bench codec -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stompwire::frame::{Command, Decoder, Frame, Item, Limits, Version, encode};

/// Frames in the small-frame stream.
const FRAMES: usize = 10_000;
/// Chunk size for stream feeding, as a socket read would deliver it.
const CHUNK: usize = 64 * 1024;
/// Size of the large body.
const MIB: usize = 1024 * 1024;

/// A MESSAGE with 5 headers and a 128-byte body (the encoder adds `content-length`), with
/// a message id as RabbitMQ writes them.
fn small_frame() -> Frame {
    small_frame_with_id("T_sub-0@@session-Gq1PY1rS6Kz9H9lJHcNZCQ@@4711")
}

/// The same with a message id as ActiveMQ writes them: its colons are escaped in 1.2, so
/// decoding it unescapes one header.
fn small_escaped_frame() -> Frame {
    small_frame_with_id("ID:broker-1-40121-1700000000000-3:1:1:1:4711")
}

fn small_frame_with_id(id: &str) -> Frame {
    let mut body =
        br#"{"symbol":"ACME","bid":101.25,"ask":101.27,"ts":1700000000123,"venue":"XETR"}"#
            .to_vec();
    body.resize(128, b' ');
    Frame::new(Command::Message)
        .with_header("destination", "/topic/prices.eu.equities")
        .with_header("message-id", id)
        .with_header("subscription", "sub-0")
        .with_header("content-type", "application/json")
        .with_header("ack", "4711")
        .with_body(body)
}

/// A MESSAGE with a 1 MiB binary body, NULs included.
fn large_frame() -> Frame {
    let body: Vec<u8> = (0..MIB).map(|i| (i * 131 % 251) as u8).collect();
    Frame::new(Command::Message)
        .with_header("destination", "/queue/blobs")
        .with_header("message-id", "blob-1")
        .with_header("subscription", "sub-1")
        .with_header("content-type", "application/octet-stream")
        .with_body(body)
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    encode(frame, Version::V1_2, &mut out).unwrap();
    out
}

/// Feeds `input` in `chunk`-sized pieces and counts the frames.
fn decode_frames(decoder: &mut Decoder, input: &[u8], chunk: usize) -> usize {
    let mut frames = 0;
    for piece in input.chunks(chunk) {
        for item in decoder.feed(piece) {
            if let Item::Frame(frame) = item.unwrap() {
                black_box(&frame);
                frames += 1;
            }
        }
    }
    frames
}

fn small(c: &mut Criterion) {
    let frame = small_frame();
    assert_eq!(frame.body.len(), 128);
    let one = wire(&frame);
    let stream: Vec<u8> = one.repeat(FRAMES);

    let mut g = c.benchmark_group("small");
    g.throughput(Throughput::Elements(FRAMES as u64));

    g.bench_function("baseline_memchr_nul_scan", |b| {
        b.iter(|| memchr::memchr_iter(0, black_box(&stream)).count())
    });
    g.bench_function("decode_stream_64KiB_chunks", |b| {
        let mut decoder = Decoder::new(Limits::default());
        b.iter(|| {
            let n = decode_frames(&mut decoder, black_box(&stream), CHUNK);
            assert_eq!(n, FRAMES);
        })
    });
    let escaped: Vec<u8> = wire(&small_escaped_frame()).repeat(FRAMES);
    g.bench_function("decode_stream_64KiB_chunks_escaped_ids", |b| {
        let mut decoder = Decoder::new(Limits::default());
        b.iter(|| {
            let n = decode_frames(&mut decoder, black_box(&escaped), CHUNK);
            assert_eq!(n, FRAMES);
        })
    });
    g.bench_function("decode_one_frame_per_feed", |b| {
        let mut decoder = Decoder::new(Limits::default());
        b.iter(|| {
            let mut n = 0;
            for _ in 0..FRAMES {
                n += decode_frames(&mut decoder, black_box(&one), usize::MAX);
            }
            assert_eq!(n, FRAMES);
        })
    });
    g.bench_function("encode_reused_buffer", |b| {
        let mut out = Vec::with_capacity(one.len() * FRAMES);
        b.iter(|| {
            out.clear();
            for _ in 0..FRAMES {
                encode(black_box(&frame), Version::V1_2, &mut out).unwrap();
            }
            black_box(&out);
        })
    });
    g.finish();
}

fn large(c: &mut Criterion) {
    let frame = large_frame();
    let one = wire(&frame);

    let mut g = c.benchmark_group("1MiB");
    g.throughput(Throughput::Bytes(MIB as u64));

    g.bench_function("baseline_body_to_vec", |b| {
        b.iter(|| black_box(black_box(&frame.body).to_vec()))
    });
    g.bench_function("baseline_copy_into_reused_buffer", |b| {
        let mut out = Vec::with_capacity(one.len());
        b.iter(|| {
            out.clear();
            out.extend_from_slice(black_box(&frame.body));
            black_box(&out);
        })
    });
    g.bench_function("decode_whole", |b| {
        let mut decoder = Decoder::new(Limits::default());
        b.iter(|| assert_eq!(decode_frames(&mut decoder, black_box(&one), usize::MAX), 1))
    });
    g.bench_function("decode_64KiB_chunks", |b| {
        let mut decoder = Decoder::new(Limits::default());
        b.iter(|| assert_eq!(decode_frames(&mut decoder, black_box(&one), CHUNK), 1))
    });
    g.bench_function("encode_reused_buffer", |b| {
        let mut out = Vec::with_capacity(one.len());
        b.iter(|| {
            out.clear();
            encode(black_box(&frame), Version::V1_2, &mut out).unwrap();
            black_box(&out);
        })
    });
    g.finish();
}

criterion_group!(benches, small, large);
criterion_main!(benches);
