//! [`Transaction`]: a STOMP transaction as a handle — commit or abort it; dropped, it aborts.

use std::fmt;
use std::prelude::rust_2024::*;

use crate::frame::Headers;

use super::{Client, Error};

/// An open transaction. [`commit`](Self::commit) and [`abort`](Self::abort) wait for the
/// broker's RECEIPT; dropping it without either sends ABORT. A connection lost before the
/// commit loses the transaction (the broker aborts it): the commit then fails.
pub struct Transaction {
    client: Client,
    id: String,
    done: bool,
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction").field("id", &self.id).finish()
    }
}

impl Transaction {
    pub(crate) fn new(client: Client, id: String) -> Transaction {
        Transaction {
            client,
            id,
            done: false,
        }
    }

    /// The transaction id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sends `body` to `destination` inside the transaction.
    pub async fn send(
        &self,
        destination: &str,
        headers: Headers,
        body: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let mut headers = headers;
        headers.set("transaction", &self.id);
        self.client.send_with(destination, headers, body).await
    }

    /// Commits, and waits for the broker's RECEIPT.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.done = true;
        self.client.end_transaction(&self.id, true)?.await
    }

    /// Aborts, and waits for the broker's RECEIPT.
    pub async fn abort(mut self) -> Result<(), Error> {
        self.done = true;
        self.client.end_transaction(&self.id, false)?.await
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.done {
            self.client.abort_quietly(&self.id);
        }
    }
}
