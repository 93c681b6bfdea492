//! A subscription handle: stompjs's `StompSubscription` — `{ id, unsubscribe(headers) }`.

use alloc::rc::Rc;
use alloc::string::String;

use wasm_bindgen::prelude::*;

use super::engine::Inner;
use super::headers;

/// What `subscribe` returns: the subscription's id and a way to end it.
#[wasm_bindgen(skip_typescript)]
pub struct StompSubscription {
    inner: Rc<Inner>,
    id: String,
}

impl StompSubscription {
    pub(crate) fn new(inner: Rc<Inner>, id: String) -> StompSubscription {
        StompSubscription { inner, id }
    }
}

#[wasm_bindgen]
impl StompSubscription {
    /// The subscription id (the SUBSCRIBE's `id` header).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// Ends the subscription (UNSUBSCRIBE, with extra `headers`). Throws a `TypeError` when
    /// there is no connection.
    pub fn unsubscribe(&self, headers: JsValue) -> Result<(), JsValue> {
        self.inner.unsubscribe(&self.id, headers::from_js(&headers))
    }
}
