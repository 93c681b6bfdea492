//! The session invariants with the memory bound on: every seed, and generated operation
//! sequences, under a counting allocator. The tests of this binary take turns (a lock), so
//! that the count is the running test's.

use std::alloc::System;
use std::sync::Mutex;

use cap::Cap;
use proptest::prelude::*;
use stompwire_fuzz::session::{OP_FRAME, check, encode_op, seeds};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

static TURN: Mutex<()> = Mutex::new(());

fn probe() -> usize {
    ALLOCATOR.allocated()
}

#[test]
fn seeds_stay_within_the_memory_bound() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    for (name, data) in seeds() {
        let result = std::panic::catch_unwind(|| check(&data, Some(&probe)));
        assert!(result.is_ok(), "seed {name}");
    }
}

/// The bound can fail: a harness that leaks what the broker sends is caught.
#[test]
fn the_bound_catches_growth_from_broker_input() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let leak = std::cell::RefCell::new(Vec::<Vec<u8>>::new());
    let leaky = || {
        leak.borrow_mut().push(vec![0; 4096]);
        probe()
    };
    let mut data = vec![0, 0, 0];
    for _ in 0..64 {
        encode_op(OP_FRAME, 6, 0, 5, &[], &mut data);
    }
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data, Some(&leaky))));
    assert!(result.is_err(), "256 KiB of growth passed the bound");
}

proptest! {
    #[test]
    fn operation_sequences_stay_within_the_memory_bound(
        config in any::<[u8; 3]>(),
        ops in prop::collection::vec((0u8..16, any::<u8>(), any::<u8>(), any::<u8>(),
            prop::collection::vec(any::<u8>(), 0..16)), 0..40),
    ) {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let mut data = config.to_vec();
        for (code, a, b, c, raw) in &ops {
            encode_op(*code, *a, *b, *c, raw, &mut data);
        }
        check(&data, Some(&probe));
    }
}
