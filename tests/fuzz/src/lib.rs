//! Invariants checked by the fuzz targets, shared by the libFuzzer targets (`fuzz_targets/`)
//! and by the stable property tests (`cargo test --no-default-features`):
//!
//! - [`decode`]: the STOMP frame decoder on arbitrary bytes;
//! - [`session`]: the session state machine on arbitrary broker bytes, caller calls and time.

pub mod decode;
pub mod session;

pub use decode::check;

/// The committed seed corpus of fuzz target `target` (`corpus/TARGET/`), sorted by file name;
/// fails the test when it holds fewer than `min` files.
#[cfg(test)]
pub(crate) fn seed_corpus(target: &str, min: usize) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= min,
        "{target} seed corpus has only {} files",
        files.len()
    );
    files
}
