//! A transaction handle: stompjs's `ITransaction` — `{ id, commit(), abort() }`.

use alloc::rc::Rc;
use alloc::string::String;

use wasm_bindgen::prelude::*;

use super::engine::Inner;
use crate::frame::Command;

/// What `begin` returns: the transaction's id and the two ways to end it.
#[wasm_bindgen(skip_typescript)]
pub struct Transaction {
    inner: Rc<Inner>,
    id: String,
}

impl Transaction {
    pub(crate) fn new(inner: Rc<Inner>, id: String) -> Transaction {
        Transaction { inner, id }
    }
}

#[wasm_bindgen]
impl Transaction {
    /// The transaction id (the `transaction` header).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// Commits the transaction (COMMIT).
    pub fn commit(&self) -> Result<(), JsValue> {
        self.inner.end_transaction(Command::Commit, &self.id)
    }

    /// Aborts the transaction (ABORT).
    pub fn abort(&self) -> Result<(), JsValue> {
        self.inner.end_transaction(Command::Abort, &self.id)
    }
}
