//! The session state machine: bytes and time in; bytes, events and deadlines out.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use super::heartbeat::Heartbeats;
use super::ids::Ids;
use super::receipts::{Asked, Pending, Receipts};
use super::subscriptions::Subscriptions;
use super::{
    AckMode, CloseReason, Config, Connected, Disconnected, Event, LostReason, Negotiated,
    ReceiptOutcome, RequiredHeader, SessionError, SharedId, State, Subscription,
};
use crate::frame::{
    Command, ContentLength, Decoded, Decoder, Frame, Headers, Item, Version, encode_heartbeat,
    encode_with,
};

/// A STOMP client session, without I/O.
///
/// The shell owns the transport and the clock and drives the session with four kinds of call:
///
/// - input: [`handle_bytes`](Session::handle_bytes) (what the transport received),
///   [`handle_timeout`](Session::handle_timeout) (the clock reached
///   [`poll_timeout`](Session::poll_timeout)), [`handle_close`](Session::handle_close) (the
///   transport closed);
/// - user calls: [`connect`](Session::connect), [`send`](Session::send),
///   [`subscribe`](Session::subscribe), [`ack`](Session::ack), [`begin`](Session::begin),
///   [`disconnect`](Session::disconnect)…;
/// - output, to drain after every input or user call: [`poll_transmit`](Session::poll_transmit)
///   (bytes to write), [`poll_event`](Session::poll_event) (what happened),
///   [`wants_close`](Session::wants_close) (close the transport now), and
///   [`poll_timeout`](Session::poll_timeout) (when to call `handle_timeout` next).
///
/// Time is a millisecond count from any fixed origin (`performance.now()`, an `Instant`…).
///
/// A frame with a `receipt` header is tracked whatever call sent it, until its outcome: each
/// pending receipt is reported exactly once as an [`Event::Receipt`] that is
/// [confirmed](ReceiptOutcome::Confirmed), [timed out](ReceiptOutcome::TimedOut) or
/// [lost](ReceiptOutcome::Lost) (with a [`LostReason`]), after zero or more
/// [resent](ReceiptOutcome::Resent). Pending receipts and their deadlines outlive a close:
/// those of SEND frames sent again after a reconnect stay pending, the others are lost at the
/// close. [`add_receipt`](Session::add_receipt) puts a fresh id in a frame's headers;
/// [`set_receipt_deadline`](Session::set_receipt_deadline) gives one receipt a deadline of its
/// own; [`expect_receipt`](Session::expect_receipt) tracks an id before (or without) a frame;
/// [`shut_down`](Session::shut_down) ends the wait for all when the shell stops connecting.
///
/// An ERROR frame becomes an [`Event::Error`] carrying it. The specification has the server
/// close the connection right after one, so the session asks for the close as well
/// ([`CloseReason::ConnectRefused`] while connecting, [`CloseReason::ServerError`] after).
/// A frame the server may not send in the current state (MESSAGE before CONNECTED, a client
/// command…) is a [`SessionError::UnexpectedFrame`] that closes the session; a call the user
/// may not make now (SEND after DISCONNECT…) is refused with an error and changes nothing.
///
/// ```
/// use stompwire::frame::Headers;
/// use stompwire::session::{AckMode, Config, Event, Session};
///
/// let mut session = Session::new(Config::default());
/// session.connect(0).unwrap();
/// let connect = session.poll_transmit().unwrap();
/// assert!(connect.starts_with(b"CONNECT\n"));
///
/// // What the transport received:
/// session.handle_bytes(b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0", 5).unwrap();
/// assert!(matches!(session.poll_event(), Some(Event::Connected(_))));
///
/// let id = session.subscribe("/queue/a", AckMode::Auto, Headers::new(), 6).unwrap();
/// let subscribe = session.poll_transmit().unwrap();
/// assert!(subscribe.starts_with(b"SUBSCRIBE\n"));
///
/// session
///     .handle_bytes(b"MESSAGE\nsubscription:sub-0\nmessage-id:1\ndestination:/queue/a\n\nhi\0", 7)
///     .unwrap();
/// match session.poll_event() {
///     Some(Event::Message { subscription, frame }) => {
///         assert_eq!(subscription.as_deref(), Some(&id));
///         assert_eq!(frame.body(), b"hi");
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug)]
pub struct Session {
    config: Config,
    state: State,
    decoder: Decoder,
    version: Version,
    heartbeats: Heartbeats,
    connect_deadline: Option<u64>,
    disconnect: Option<(String, u64)>,
    /// The RECEIPT that confirmed DISCONNECT, for the [`Disconnected`] event.
    disconnect_receipt: Option<Frame>,
    /// The user asked for the session to end ([`Session::disconnect`]).
    closing_by_user: bool,
    close_reason: Option<CloseReason>,
    subscriptions: Subscriptions,
    receipts: Receipts,
    /// Open transactions, in the order they began.
    transactions: Vec<String>,
    ids: Ids,
    /// CONNECTED frames handled: which connection the session is on.
    current_connection: u64,
    /// [`Event::Connected`]s polled: the connection of the events polled so far.
    polled_connection: u64,
    transmits: VecDeque<Vec<u8>>,
    /// Frames are appended to the last chunk not yet taken
    /// ([`set_coalesce_transmits`](Session::set_coalesce_transmits)).
    coalesce: bool,
    /// The headers of the last SEND that asked for no receipt, kept for their room.
    send_headers: Headers,
    spare: Vec<Vec<u8>>,
    events: VecDeque<Event>,
}

/// Buffers kept for reuse by [`Session::recycle`].
const SPARE_BUFFERS: usize = 8;

/// A buffer given back larger than this is not kept: a burst does not pin its memory.
const SPARE_CAPACITY: usize = 1 << 20;

/// The most header text a SEND's headers may hold to be kept for the next one.
const SEND_HEADERS_KEPT: usize = 4 << 10;

/// A coalesced chunk takes no more frames once it is this long, so that its buffer is
/// reused (not grown and dropped) in a flood; each chunk is still written in one go.
const COALESCE_LIMIT: usize = 256 << 10;

/// Room for events kept once the queue is drained.
const EVENTS_KEPT: usize = 16;

impl Session {
    /// A disconnected session with this configuration.
    pub fn new(config: Config) -> Session {
        let version = config
            .versions
            .iter()
            .copied()
            .max()
            .unwrap_or(Version::V1_2);
        Session {
            decoder: Decoder::new(config.limits),
            heartbeats: Heartbeats::new(Negotiated::NONE, config.heart_beat_receive_scale, 0),
            config,
            state: State::Disconnected,
            version,
            connect_deadline: None,
            disconnect: None,
            disconnect_receipt: None,
            closing_by_user: false,
            close_reason: None,
            subscriptions: Subscriptions::default(),
            receipts: Receipts::default(),
            transactions: Vec::new(),
            ids: Ids::default(),
            current_connection: 0,
            polled_connection: 0,
            transmits: VecDeque::new(),
            coalesce: false,
            send_headers: Headers::new(),
            spare: Vec::new(),
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configuration, to change between connections (credentials, heart-beats…); changes
    /// apply from the next [`connect`](Session::connect).
    pub fn config_mut(&mut self) -> &mut Config {
        &mut self.config
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the session is open (CONNECTED arrived, no DISCONNECT sent).
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// The negotiated version; before CONNECTED, the highest offered.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The heart-beat intervals in force.
    pub fn heart_beat(&self) -> Negotiated {
        self.heartbeats.negotiated
    }

    /// The connection the events polled so far came on: 0 before the first CONNECTED, then one
    /// more with every [`Event::Connected`] that [`poll_event`](Session::poll_event) returns.
    /// A shell keeps it with each MESSAGE it hands out, and gives it back to
    /// [`ack_from`](Session::ack_from) or [`nack_from`](Session::nack_from), which refuse a
    /// message of an earlier connection.
    ///
    /// ```
    /// use stompwire::frame::Headers;
    /// use stompwire::session::{AckMode, Config, Event, Session, SessionError};
    ///
    /// let mut session = Session::new(Config::default());
    /// let connected = b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0";
    /// session.connect(0).unwrap();
    /// session.handle_bytes(connected, 0).unwrap();
    /// while session.poll_event().is_some() {}
    /// session.subscribe("/queue/a", AckMode::Client, Headers::new(), 0).unwrap();
    /// let message = b"MESSAGE\nsubscription:sub-0\nmessage-id:1\nack:a-1\ndestination:/queue/a\n\n\0";
    /// session.handle_bytes(message, 1).unwrap();
    /// let Some(Event::Message { frame, .. }) = session.poll_event() else { panic!() };
    /// let on = session.connection();
    ///
    /// // The connection drops and the session reconnects before the ACK.
    /// session.handle_close(2);
    /// session.connect(3).unwrap();
    /// session.handle_bytes(connected, 3).unwrap();
    /// while session.poll_event().is_some() {}
    /// assert_eq!(
    ///     session.ack_from(&frame, on, Headers::new(), 4),
    ///     Err(SessionError::StaleMessage)
    /// );
    /// ```
    pub fn connection(&self) -> u64 {
        self.polled_connection
    }

    /// The registered subscriptions.
    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.iter()
    }

    /// One registered subscription.
    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions.get(id)
    }

    /// The open transactions.
    pub fn transactions(&self) -> impl Iterator<Item = &str> {
        self.transactions.iter().map(String::as_str)
    }

    /// How many receipts are awaited: on the open connection, and kept across a close to be
    /// sent again.
    pub fn pending_receipts(&self) -> usize {
        self.receipts.len()
    }

    /// Whether receipt `id` is awaited.
    pub fn is_receipt_pending(&self, id: &str) -> bool {
        self.receipts.contains(id)
    }

    /// A fresh receipt id (`rcpt-N`), for a `receipt` header; never one that is pending.
    pub fn next_receipt_id(&mut self) -> String {
        let receipts = &self.receipts;
        self.ids.next_free("rcpt", |id| receipts.contains(id))
    }

    /// Makes a frame ask for a receipt: returns the `receipt` header of `headers`, adding a
    /// fresh id ([`next_receipt_id`](Session::next_receipt_id)) when it has none. The receipt
    /// is tracked once the frame is sent with these headers.
    ///
    /// ```
    /// # use stompwire::frame::Headers;
    /// # use stompwire::session::{Config, Session};
    /// let mut session = Session::new(Config::default());
    /// let mut headers = Headers::new();
    /// let id = session.add_receipt(&mut headers);
    /// assert_eq!(headers.get("receipt"), Some(id.as_str()));
    /// // A receipt the caller chose is kept.
    /// let mut mine = Headers::new();
    /// mine.push("receipt", "mine-1");
    /// assert_eq!(session.add_receipt(&mut mine), "mine-1");
    /// ```
    pub fn add_receipt(&mut self, headers: &mut Headers) -> String {
        if let Some(id) = headers.get("receipt") {
            return String::from(id);
        }
        let id = self.next_receipt_id();
        headers.push("receipt", &id);
        id
    }

    /// Waits for receipt `id`: tracks it from now when no frame has asked for it yet — the
    /// caller sends that frame later, or may never (the id is then reported like any other:
    /// timed out, or lost at the next close) — and, when `deadline` is given, sets its
    /// deadline as [`set_receipt_deadline`](Session::set_receipt_deadline) does (`None` keeps
    /// the deadline it has). A frame sent later with this id keeps that deadline.
    pub fn expect_receipt(&mut self, id: &str, deadline: Option<u64>) {
        if !self.receipts.contains(id) {
            self.receipts.insert(
                String::from(id),
                Pending {
                    deadline: None,
                    asked: Asked::Expected,
                },
            );
        }
        if deadline.is_some() {
            self.set_receipt_deadline(id, deadline);
        }
    }

    /// Ends the wait for every pending receipt: each is reported lost
    /// ([`LostReason::ShutDown`]) and no frame is kept to send again. For a shell that stops
    /// connecting (the user closed the client, the reconnect policy gave up); call it after
    /// [`handle_close`](Session::handle_close). The session can connect again afterwards.
    pub fn shut_down(&mut self) {
        for id in self.receipts.drain() {
            self.events.push_back(Event::Receipt(ReceiptOutcome::Lost {
                id,
                reason: LostReason::ShutDown,
            }));
        }
    }

    /// Stops waiting for the pending receipt `id` and reports it
    /// [lost](ReceiptOutcome::Lost) for `reason` (an event, as every outcome), keeping no
    /// copy of its frame to send again: for a shell that could not send the frame
    /// ([`LostReason::NotSent`]). Returns `false`, reporting nothing, when no receipt `id` is
    /// pending or it is the receipt of a graceful DISCONNECT (which ends with the session).
    ///
    /// ```
    /// use stompwire::session::{Config, Event, LostReason, ReceiptOutcome, Session};
    ///
    /// let mut session = Session::new(Config::default());
    /// session.expect_receipt("r-1", None);
    /// assert!(session.abandon_receipt("r-1", LostReason::NotSent));
    /// assert_eq!(
    ///     session.poll_event(),
    ///     Some(Event::Receipt(ReceiptOutcome::Lost {
    ///         id: "r-1".into(),
    ///         reason: LostReason::NotSent,
    ///     }))
    /// );
    /// assert!(!session.abandon_receipt("r-1", LostReason::NotSent), "no longer pending");
    /// ```
    pub fn abandon_receipt(&mut self, id: &str, reason: LostReason) -> bool {
        if self.disconnect.as_ref().is_some_and(|d| d.0 == id) {
            return false;
        }
        if self.receipts.remove(id).is_none() {
            return false;
        }
        self.events.push_back(Event::Receipt(ReceiptOutcome::Lost {
            id: String::from(id),
            reason,
        }));
        true
    }

    /// Sets when the pending receipt `id` times out, as a time on the session's clock (`None`:
    /// never), replacing the deadline [`Config::receipt_timeout_ms`] gave it. A missed
    /// deadline is a [`ReceiptOutcome::TimedOut`], through
    /// [`poll_timeout`](Session::poll_timeout) and [`handle_timeout`](Session::handle_timeout)
    /// like every deadline; it holds across a reconnect. Returns `false` when no receipt `id`
    /// is pending.
    ///
    /// The receipt of a graceful DISCONNECT has its own deadline
    /// ([`Config::disconnect_timeout_ms`]) and is not affected.
    pub fn set_receipt_deadline(&mut self, id: &str, deadline: Option<u64>) -> bool {
        if self.disconnect.as_ref().is_some_and(|d| d.0 == id) {
            return self.receipts.contains(id);
        }
        self.receipts.set_deadline(id, deadline)
    }

    // ----- output ---------------------------------------------------------------------------

    /// The next chunk of bytes to write: one frame, or one heart-beat EOL. Call until `None`
    /// after every input and user call.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// Appends every frame queued while the last chunk has not been taken to that chunk, when
    /// `on`: [`poll_transmit`](Session::poll_transmit) then gives everything ready in one
    /// buffer (a new one begins past 256 KiB), each frame encoded once, straight into the
    /// buffer the shell writes. For a
    /// shell that writes a byte stream (TCP, TLS, or a WebSocket whose messages may hold
    /// several frames) in as few writes as it can. Off by default: each chunk is one frame
    /// or one heart-beat EOL.
    ///
    /// ```
    /// use stompwire::frame::Headers;
    /// use stompwire::session::{Config, Session};
    ///
    /// let mut session = Session::new(Config::default());
    /// session.set_coalesce_transmits(true);
    /// session.connect(0).unwrap();
    /// session.handle_bytes(b"CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0", 0).unwrap();
    /// session.send("/queue/a", Headers::new(), "one", 1).unwrap();
    /// session.send("/queue/a", Headers::new(), "two", 1).unwrap();
    /// let chunk = session.poll_transmit().unwrap();
    /// assert!(chunk.starts_with(b"CONNECT\n"));
    /// assert_eq!(chunk.windows(5).filter(|w| w == b"SEND\n").count(), 2);
    /// assert_eq!(session.poll_transmit(), None);
    /// ```
    pub fn set_coalesce_transmits(&mut self, on: bool) {
        self.coalesce = on;
    }

    /// Bytes queued for [`poll_transmit`](Session::poll_transmit).
    pub fn transmit_len(&self) -> usize {
        self.transmits.iter().map(Vec::len).sum()
    }

    /// Gives a buffer from [`poll_transmit`](Session::poll_transmit) back for reuse.
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.spare.len() < SPARE_BUFFERS && buf.capacity() <= SPARE_CAPACITY {
            buf.clear();
            self.spare.push(buf);
        }
    }

    /// The next event. Call until `None` after every input and user call.
    ///
    /// The queue gives back the room a burst of events took (one read of many small frames or
    /// heart-beats) once it is drained, so that what the server sent once is not kept.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        match &event {
            Some(Event::Connected(_)) => self.polled_connection += 1,
            Some(_) => {}
            None if self.events.capacity() > EVENTS_KEPT => self.events.shrink_to(EVENTS_KEPT),
            None => {}
        }
        event
    }

    /// Whether [`poll_event`](Session::poll_event) has an event to give.
    #[must_use]
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// When [`handle_timeout`](Session::handle_timeout) must be called next, if ever.
    /// Changes after every input and user call.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        let mut next: Option<u64> = None;
        let mut consider = |t: Option<u64>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        match self.state {
            State::Connecting => consider(self.connect_deadline),
            State::Connected | State::Disconnecting => {
                consider(self.heartbeats.send_deadline());
                consider(self.heartbeats.receive_deadline());
                consider(self.disconnect.as_ref().map(|d| d.1));
            }
            State::Disconnected | State::Closing => {}
        }
        // Receipt deadlines run in every state: they hold across a reconnect.
        consider(self.receipts.next_deadline());
        next
    }

    /// Whether the session wants the transport closed now (state [`State::Closing`]). After
    /// closing it, call [`handle_close`](Session::handle_close).
    #[must_use]
    pub fn wants_close(&self) -> bool {
        self.state == State::Closing
    }

    // ----- input ----------------------------------------------------------------------------

    /// Handles bytes the transport received.
    ///
    /// On error (undecodable bytes, a frame not allowed now) the session asks for the
    /// transport to be closed ([`wants_close`](Session::wants_close)) and the error is also the
    /// [`CloseReason`]. Events for frames before the bad one are kept.
    ///
    /// While [`State::Closing`] input is ignored: the session is over and the transport about
    /// to close. While [`State::Disconnected`] there is no connection to read from: input is
    /// refused with [`SessionError::NotConnected`] and nothing changes.
    pub fn handle_bytes(&mut self, mut input: &[u8], now: u64) -> Result<(), SessionError> {
        match self.state {
            State::Disconnected if !input.is_empty() => {
                return Err(SessionError::NotConnected { state: self.state });
            }
            State::Disconnected | State::Closing => return Ok(()),
            _ if input.is_empty() => return Ok(()),
            _ => {}
        }
        self.heartbeats.received(now);
        while !input.is_empty() {
            let result = match self.decoder.decode(input) {
                Ok(Decoded { consumed, item }) => {
                    input = &input[consumed..];
                    match item {
                        Some(Item::Frame(frame)) => self.on_frame(frame, now),
                        Some(Item::Heartbeat) => {
                            self.events.push_back(Event::Heartbeat);
                            Ok(())
                        }
                        None => Ok(()),
                    }
                }
                Err(e) => Err(SessionError::Decode(e)),
            };
            if let Err(e) = result {
                self.request_close(CloseReason::Protocol(e.clone()));
                return Err(e);
            }
            if self.state == State::Closing {
                break;
            }
        }
        Ok(())
    }

    /// Takes the body of the MESSAGE being read, `n` bytes the caller holds, as read without
    /// storing it ([`Decoder::elide_body`](crate::frame::Decoder::elide_body)): a shell that receives a large MESSAGE in one
    /// transport message hands the session its head and its end only, and gives the program
    /// the body from its own buffer. The MESSAGE event then carries an empty body. `false`
    /// (nothing changed) unless the input so far ends with the blank line of a MESSAGE whose
    /// `content-length` is `n`, on an open session.
    pub fn elide_body(&mut self, n: usize) -> bool {
        matches!(self.state, State::Connected) && self.decoder.elide_body(n)
    }

    /// Tolerates, in the input that follows, the damage of a transport that cuts each message
    /// at its first NUL, for a caller that appends the lost NUL to such messages (stompjs's
    /// `appendMissingNULLonIncoming`): see [`Decoder::set_cut_nul`]. Off by default; a new
    /// connection starts with it off.
    pub fn set_cut_nul(&mut self, on: bool) {
        self.decoder.set_cut_nul(on);
    }

    /// Handles the clock reaching [`poll_timeout`](Session::poll_timeout): sends due
    /// heart-beats and reports missed deadlines (receipts' in every state).
    pub fn handle_timeout(&mut self, now: u64) {
        self.handle_deadlines(now);
        for id in self.receipts.expire(now) {
            self.events
                .push_back(Event::Receipt(ReceiptOutcome::TimedOut { id }));
        }
    }

    fn handle_deadlines(&mut self, now: u64) {
        match self.state {
            State::Connecting => {
                if self.connect_deadline.is_some_and(|d| d <= now) {
                    self.request_close(CloseReason::ConnectTimeout);
                }
            }
            State::Connected | State::Disconnecting => {
                if self.heartbeats.send_deadline().is_some_and(|d| d <= now) {
                    encode_heartbeat(self.out());
                    self.heartbeats.sent(now);
                }
                if let Some(deadline) = self.heartbeats.receive_deadline().filter(|d| *d <= now) {
                    self.heartbeats.mark_timed_out();
                    self.events.push_back(Event::HeartbeatTimeout {
                        last_received: self.heartbeats.last_received(),
                        deadline,
                    });
                    if self.config.close_on_heartbeat_timeout {
                        self.request_close(CloseReason::HeartbeatTimeout);
                        return;
                    }
                }
                if self.disconnect.as_ref().is_some_and(|d| d.1 <= now) {
                    self.request_close(CloseReason::DisconnectTimeout);
                }
            }
            State::Disconnected | State::Closing => {}
        }
    }

    /// Asks for the transport to be closed, for a reason the shell knows and the session
    /// cannot (the supervisor's CONNECTED timeout: [`CloseReason::ConnectTimeout`]); the
    /// [`Event::Disconnected`] after [`handle_close`](Session::handle_close) carries it. A
    /// reason given earlier (by the session or by this call) is kept. A no-op while
    /// disconnected.
    pub fn close(&mut self, reason: CloseReason) {
        if self.state != State::Disconnected {
            self.request_close(reason);
        }
    }

    /// Handles the transport having closed, whoever closed it. Emits
    /// [`Event::Disconnected`] and returns to [`State::Disconnected`]; a no-op when already
    /// there.
    ///
    /// Open transactions are reported lost. Unless the close was asked for by the user
    /// ([`disconnect`](Session::disconnect)), subscriptions stay registered for replay and SEND
    /// frames whose receipt never came stay pending, with their deadlines, to be sent again
    /// (see [`Config`]); every other pending receipt is reported
    /// [lost](ReceiptOutcome::Lost), before the [`Event::Disconnected`]. Output not yet taken
    /// with [`poll_transmit`](Session::poll_transmit) is dropped: it belonged to the
    /// connection that is gone.
    pub fn handle_close(&mut self, _now: u64) {
        if self.state == State::Disconnected {
            return;
        }
        let reason = self
            .close_reason
            .take()
            .unwrap_or(CloseReason::TransportClosed {
                mid_frame: self.decoder.in_frame(),
            });
        let by_user = self.closing_by_user
            || matches!(
                reason,
                CloseReason::Graceful | CloseReason::Immediate | CloseReason::DisconnectTimeout
            );
        let lost_transactions = core::mem::take(&mut self.transactions);
        for (id, why) in self.receipts.close(by_user, self.config.resend_unreceipted) {
            self.events.push_back(Event::Receipt(ReceiptOutcome::Lost {
                id,
                reason: LostReason::Closed(why),
            }));
        }
        if by_user || !self.config.replay_subscriptions {
            self.subscriptions.clear();
        }
        while let Some(buf) = self.transmits.pop_front() {
            self.recycle(buf);
        }
        self.decoder.reset();
        self.state = State::Disconnected;
        self.closing_by_user = false;
        self.heartbeats =
            Heartbeats::new(Negotiated::NONE, self.config.heart_beat_receive_scale, 0);
        self.connect_deadline = None;
        self.disconnect = None;
        let receipt = self
            .disconnect_receipt
            .take()
            .filter(|_| reason == CloseReason::Graceful);
        self.events.push_back(Event::Disconnected(Disconnected {
            reason,
            lost_transactions,
            receipt,
        }));
    }

    // ----- user calls -----------------------------------------------------------------------

    /// Starts a connection: queues CONNECT (or STOMP). The shell must have the transport open.
    ///
    /// Headers: `accept-version` (unless only 1.0 is offered), `host`, `login`, `passcode`,
    /// `heart-beat`; [`Config::connect_headers`] come first and win over these.
    pub fn connect(&mut self, now: u64) -> Result<(), SessionError> {
        if self.state != State::Disconnected {
            return Err(SessionError::AlreadyConnected { state: self.state });
        }
        let only_1_0 = self.config.versions.iter().all(|v| *v == Version::V1_0);
        let command = if self.config.use_stomp_command && !only_1_0 {
            Command::Stomp
        } else {
            Command::Connect
        };
        let mut headers = self.config.connect_headers.clone();
        let mut add = |name: &str, value: &str| {
            if !headers.contains(name) {
                headers.push(name, value);
            }
        };
        if !only_1_0 {
            // Oldest first, each once (no sort: it costs kilobytes in a wasm build).
            let offered = Version::ALL
                .into_iter()
                .filter(|v| self.config.versions.contains(v));
            let mut list = String::new();
            for v in offered {
                if !list.is_empty() {
                    list.push(',');
                }
                list.push_str(v.as_str());
            }
            add("accept-version", &list);
        }
        if let Some(host) = &self.config.host {
            add("host", host);
        }
        if let Some(login) = &self.config.login {
            add("login", login);
        }
        if let Some(passcode) = &self.config.passcode {
            add("passcode", passcode);
        }
        if !only_1_0 {
            let hb = self.config.heart_beat;
            let mut value = String::new();
            value.push_str(crate::frame::decimal(
                u64::from(hb.outgoing_ms),
                &mut [0; 20],
            ));
            value.push(',');
            value.push_str(crate::frame::decimal(
                u64::from(hb.incoming_ms),
                &mut [0; 20],
            ));
            add("heart-beat", &value);
        }
        self.decoder = Decoder::new(self.config.limits);
        self.version = self
            .config
            .versions
            .iter()
            .copied()
            .max()
            .unwrap_or(Version::V1_2);
        // Until CONNECTED names the version, read (an ERROR, typically) as the highest
        // offered version writes.
        self.decoder.set_version(self.version);
        self.close_reason = None;
        self.closing_by_user = false;
        self.heartbeats =
            Heartbeats::new(Negotiated::NONE, self.config.heart_beat_receive_scale, now);
        let frame = Frame::from_parts(command, headers, Vec::new());
        self.push_frame(frame, ContentLength::Auto, now)?;
        self.state = State::Connecting;
        self.connect_deadline = self
            .config
            .connect_timeout_ms
            .map(|t| now.saturating_add(t));
        Ok(())
    }

    /// Sends `body` to `destination`. `headers` may hold `content-type`, `receipt`,
    /// `transaction` (which must be open) and any others.
    pub fn send(
        &mut self,
        destination: &str,
        headers: Headers,
        body: impl Into<Vec<u8>>,
        now: u64,
    ) -> Result<(), SessionError> {
        let mut all = core::mem::take(&mut self.send_headers);
        all.clear();
        all.push("destination", destination);
        all.extend(headers.iter().filter(|(n, _)| *n != "destination"));
        let frame = Frame::from_parts(Command::Send, all, body.into());
        if frame.receipt().is_some() {
            return self.send_frame(frame, ContentLength::Auto, now);
        }
        // Nothing to track: the frame is only encoded, and its headers' room kept for the next.
        let result = self.check_send(&frame).and_then(|()| {
            self.encode_out(&frame, self.version, ContentLength::Auto)?;
            self.heartbeats.sent(now);
            Ok(())
        });
        // Unless a caller's large headers would pin their memory.
        let text: usize = frame.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        if text <= SEND_HEADERS_KEPT {
            self.send_headers = frame.headers;
        }
        result
    }

    /// What a SEND needs: an open session, a destination, an open transaction if it names one.
    fn check_send(&self, frame: &Frame) -> Result<(), SessionError> {
        self.require_open()?;
        if frame.destination().is_none() {
            return Err(SessionError::MissingHeader {
                command: Command::Send,
                header: RequiredHeader::Destination,
            });
        }
        self.check_transaction(&frame.headers)
    }

    /// Sends a SEND frame built by the caller; `content_length` says whether to add the
    /// header (see [`ContentLength`]).
    pub fn send_frame(
        &mut self,
        frame: Frame,
        content_length: ContentLength,
        now: u64,
    ) -> Result<(), SessionError> {
        if frame.command != Command::Send {
            return Err(SessionError::WrongCommand {
                command: frame.command,
            });
        }
        self.check_send(&frame)?;
        self.push_frame(frame, content_length, now)
    }

    /// Subscribes to `destination`; returns the subscription id — `headers`' `id` when given,
    /// else a generated `sub-N`. The subscription is registered for message routing and for
    /// replay after a reconnect.
    pub fn subscribe(
        &mut self,
        destination: &str,
        ack: AckMode,
        headers: Headers,
        now: u64,
    ) -> Result<String, SessionError> {
        self.require_open()?;
        if ack == AckMode::ClientIndividual && self.version == Version::V1_0 {
            return Err(SessionError::AckModeUnsupported {
                version: self.version,
            });
        }
        let id = match headers.get("id") {
            Some(id) => String::from(id),
            None => {
                let subscriptions = &self.subscriptions;
                self.ids.next_free("sub", |id| subscriptions.contains(id))
            }
        };
        if self.subscriptions.contains(&id) {
            return Err(SessionError::DuplicateSubscription(id));
        }
        let mut all = Headers::with_capacity(headers.len() + 3, 64);
        all.push("destination", destination);
        all.push("id", &id);
        all.push("ack", ack.as_str());
        all.extend(
            headers
                .iter()
                .filter(|(n, _)| !matches!(*n, "destination" | "id" | "ack")),
        );
        let mut kept = all.clone();
        kept.remove("receipt");
        self.push_frame(
            Frame::from_parts(Command::Subscribe, all, Vec::new()),
            ContentLength::Auto,
            now,
        )?;
        self.subscriptions.insert(Subscription {
            id: SharedId::new(id.clone()),
            destination: String::from(destination),
            ack,
            headers: kept,
        });
        Ok(id)
    }

    /// Ends the subscription `id` and forgets it. While no session is open (reconnecting,
    /// connecting, closing) it is only forgotten, at once: the broker ended it with the
    /// connection, so no UNSUBSCRIBE goes, and it is not replayed on the next connection.
    pub fn unsubscribe(
        &mut self,
        id: &str,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        let Some(sub) = self.subscriptions.get(id) else {
            return Err(SessionError::UnknownSubscription(String::from(id)));
        };
        if self.state != State::Connected {
            self.subscriptions.remove(id);
            return Ok(());
        }
        let mut all = Headers::with_capacity(headers.len() + 2, 64);
        all.push("id", id);
        if self.version == Version::V1_0 {
            all.push("destination", &sub.destination);
        }
        all.extend(
            headers
                .iter()
                .filter(|(n, _)| !matches!(*n, "destination" | "id")),
        );
        self.push_frame(
            Frame::from_parts(Command::Unsubscribe, all, Vec::new()),
            ContentLength::Auto,
            now,
        )?;
        self.subscriptions.remove(id);
        Ok(())
    }

    /// Ends the subscription to `destination` (the STOMP 1.0 way); returns its id. While no
    /// session is open it is only forgotten, as with [`unsubscribe`](Session::unsubscribe).
    pub fn unsubscribe_destination(
        &mut self,
        destination: &str,
        headers: Headers,
        now: u64,
    ) -> Result<String, SessionError> {
        let id = match self.subscriptions.by_destination(destination) {
            Some(sub) => String::clone(&sub.id),
            None => return Err(SessionError::UnknownSubscription(String::from(destination))),
        };
        self.unsubscribe(&id, headers, now)?;
        Ok(id)
    }

    /// Acknowledges `message` (a MESSAGE frame), by the rules of the negotiated version:
    /// 1.2 sends the MESSAGE's `ack` header as `id`; 1.1 sends `message-id` and
    /// `subscription`; 1.0 sends `message-id`. In `client` mode the ACK is cumulative.
    pub fn ack(&mut self, message: &Frame, headers: Headers, now: u64) -> Result<(), SessionError> {
        self.ack_message(Command::Ack, message, headers, now)
    }

    /// Negatively acknowledges `message` (1.1+; an error in 1.0).
    pub fn nack(
        &mut self,
        message: &Frame,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.ack_message(Command::Nack, message, headers, now)
    }

    /// Acknowledges `message`, which came on connection `connection` (the
    /// [`connection`](Session::connection) when its event was polled), as
    /// [`ack`](Session::ack) does — unless it came on an earlier connection, or its connection
    /// is gone: an acknowledgement id is valid only on the connection that delivered it, so
    /// that is refused with [`SessionError::StaleMessage`] and nothing is sent (the broker
    /// redelivers the message). A message of an `auto` subscription is refused first
    /// ([`SessionError::AckInAutoMode`]).
    pub fn ack_from(
        &mut self,
        message: &Frame,
        connection: u64,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.check_fresh(message, connection)?;
        self.ack_message(Command::Ack, message, headers, now)
    }

    /// Negatively acknowledges `message`, which came on connection `connection`; see
    /// [`ack_from`](Session::ack_from).
    pub fn nack_from(
        &mut self,
        message: &Frame,
        connection: u64,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.check_fresh(message, connection)?;
        self.ack_message(Command::Nack, message, headers, now)
    }

    /// Acknowledges by id: the `ack` header of a 1.2 MESSAGE, or the `message-id` in 1.0/1.1
    /// (where 1.1 also needs `subscription`). The stomp.py form.
    pub fn ack_id(
        &mut self,
        id: &str,
        subscription: Option<&str>,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.push_ack(Command::Ack, id, subscription, headers, now)
    }

    /// Negatively acknowledges by id; see [`ack_id`](Session::ack_id).
    pub fn nack_id(
        &mut self,
        id: &str,
        subscription: Option<&str>,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.push_ack(Command::Nack, id, subscription, headers, now)
    }

    /// Begins a transaction; returns its id — `id` when given, else a generated `tx-N`.
    pub fn begin(
        &mut self,
        id: Option<&str>,
        headers: Headers,
        now: u64,
    ) -> Result<String, SessionError> {
        self.require_open()?;
        let id = match id {
            Some(id) => String::from(id),
            None => {
                let transactions = &self.transactions;
                self.ids
                    .next_free("tx", |id| transactions.iter().any(|t| t == id))
            }
        };
        if self.transactions.contains(&id) {
            return Err(SessionError::DuplicateTransaction(id));
        }
        self.push_transaction_frame(Command::Begin, &id, headers, now)?;
        self.transactions.push(id.clone());
        Ok(id)
    }

    /// Commits the open transaction `id`.
    pub fn commit(&mut self, id: &str, headers: Headers, now: u64) -> Result<(), SessionError> {
        self.end_transaction(Command::Commit, id, headers, now)
    }

    /// Aborts the open transaction `id`.
    pub fn abort(&mut self, id: &str, headers: Headers, now: u64) -> Result<(), SessionError> {
        self.end_transaction(Command::Abort, id, headers, now)
    }

    /// Ends the session. With a `receipt` header in `headers` it is graceful: the session
    /// waits (up to [`Config::disconnect_timeout_ms`]) for the RECEIPT, which confirms that the
    /// server has processed every earlier frame, then asks for the transport to close. Without
    /// one it asks for the close at once. While connecting, it just asks for the close.
    pub fn disconnect(&mut self, headers: Headers, now: u64) -> Result<(), SessionError> {
        match self.state {
            State::Connected => {}
            State::Connecting => {
                self.closing_by_user = true;
                self.request_close(CloseReason::Immediate);
                return Ok(());
            }
            State::Disconnecting | State::Closing => return Ok(()),
            State::Disconnected => return Err(SessionError::NotConnected { state: self.state }),
        }
        let receipt = headers.get("receipt").map(String::from);
        self.push_frame(
            Frame::from_parts(Command::Disconnect, headers, Vec::new()),
            ContentLength::Auto,
            now,
        )?;
        self.closing_by_user = true;
        match receipt {
            Some(id) => {
                // The DISCONNECT receipt has its own deadline, not the one of other receipts.
                self.receipts.set_deadline(&id, None);
                self.state = State::Disconnecting;
                let deadline = now.saturating_add(self.config.disconnect_timeout_ms);
                self.disconnect = Some((id, deadline));
            }
            None => self.request_close(CloseReason::Immediate),
        }
        Ok(())
    }

    // ----- internals ------------------------------------------------------------------------

    fn require_open(&self) -> Result<(), SessionError> {
        if self.state == State::Connected {
            Ok(())
        } else {
            Err(SessionError::NotConnected { state: self.state })
        }
    }

    /// Refuses to acknowledge a message of an `auto` subscription, then one of a connection
    /// that is not the open one.
    fn check_fresh(&self, message: &Frame, connection: u64) -> Result<(), SessionError> {
        self.refuse_auto(message)?;
        let open = matches!(
            self.state,
            State::Connected | State::Disconnecting | State::Closing
        );
        if connection != self.current_connection || !open {
            return Err(SessionError::StaleMessage);
        }
        Ok(())
    }

    /// A message of an `auto` subscription has nothing to acknowledge (and a 1.2 one has no
    /// `ack` header). A 1.0 MESSAGE may lack `subscription`: its subscription is found the way
    /// it was routed.
    fn refuse_auto(&self, message: &Frame) -> Result<(), SessionError> {
        match self.route(message).filter(|s| s.ack == AckMode::Auto) {
            Some(sub) => Err(SessionError::AckInAutoMode {
                subscription: String::clone(&sub.id),
            }),
            None => Ok(()),
        }
    }

    fn check_transaction(&self, headers: &Headers) -> Result<(), SessionError> {
        match headers.get("transaction") {
            Some(tx) if !self.transactions.iter().any(|t| t == tx) => {
                Err(SessionError::UnknownTransaction(String::from(tx)))
            }
            _ => Ok(()),
        }
    }

    fn request_close(&mut self, reason: CloseReason) {
        if self.close_reason.is_none() {
            self.close_reason = Some(reason);
        }
        self.state = State::Closing;
    }

    /// The buffer the next chunk of output is appended to: the last one not yet taken when
    /// coalescing, else a new one at the back of the queue.
    fn out(&mut self) -> &mut Vec<u8> {
        let full = self
            .transmits
            .back()
            .is_none_or(|back| back.len() >= COALESCE_LIMIT);
        if !self.coalesce || full {
            let buf = self.spare.pop().unwrap_or_default();
            self.transmits.push_back(buf);
        }
        self.transmits.back_mut().expect("just ensured")
    }

    /// Appends `frame` to the output; on error nothing is queued.
    fn encode_out(
        &mut self,
        frame: &Frame,
        version: Version,
        content_length: ContentLength,
    ) -> Result<(), crate::frame::EncodeError> {
        let result = encode_with(frame, version, content_length, self.out());
        // A buffer left empty by the failure is not output.
        if result.is_err() && self.transmits.back().is_some_and(Vec::is_empty) {
            if let Some(buf) = self.transmits.pop_back() {
                self.recycle(buf);
            }
        }
        result
    }

    /// Encodes and queues `frame`, tracking its receipt if it asks for one.
    fn push_frame(
        &mut self,
        frame: Frame,
        content_length: ContentLength,
        now: u64,
    ) -> Result<(), SessionError> {
        if let Some(id) = frame.receipt().filter(|id| self.receipts.is_asked(id)) {
            return Err(SessionError::DuplicateReceipt(String::from(id)));
        }
        self.encode_out(&frame, self.version, content_length)?;
        self.heartbeats.sent(now);
        if let Some(id) = frame.receipt() {
            let id = String::from(id);
            let asked = match (frame.command, frame.transaction()) {
                (Command::Send, Some(_)) => Asked::SendInTransaction,
                (Command::Send, None) => Asked::Send(
                    self.config
                        .resend_unreceipted
                        .then_some((frame, content_length)),
                ),
                _ => Asked::Other,
            };
            self.receipts.insert(
                id,
                Pending {
                    deadline: self
                        .config
                        .receipt_timeout_ms
                        .map(|t| now.saturating_add(t)),
                    asked,
                },
            );
        }
        Ok(())
    }

    fn ack_message(
        &mut self,
        command: Command,
        message: &Frame,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.require_open()?;
        // The mode first, before the headers the mode leaves out.
        self.refuse_auto(message)?;
        let (id, header) = if self.version == Version::V1_2 {
            (message.ack(), RequiredHeader::Ack)
        } else {
            (message.message_id(), RequiredHeader::MessageId)
        };
        let id = id.ok_or(SessionError::MissingHeader {
            command: Command::Message,
            header,
        })?;
        self.push_ack(command, id, message.subscription(), headers, now)
    }

    /// The registered subscription a MESSAGE belongs to: by its `subscription` header, or
    /// (STOMP 1.0) by its destination.
    fn route(&self, message: &Frame) -> Option<&Subscription> {
        match message.subscription() {
            Some(id) => self.subscriptions.get(id),
            None => message
                .destination()
                .and_then(|d| self.subscriptions.by_destination(d)),
        }
    }

    fn push_ack(
        &mut self,
        command: Command,
        id: &str,
        subscription: Option<&str>,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.require_open()?;
        if command == Command::Nack && self.version == Version::V1_0 {
            return Err(SessionError::Unsupported {
                command,
                version: self.version,
            });
        }
        if let Some(sub) = subscription.and_then(|s| self.subscriptions.get(s)) {
            if sub.ack == AckMode::Auto {
                return Err(SessionError::AckInAutoMode {
                    subscription: String::clone(&sub.id),
                });
            }
        }
        self.check_transaction(&headers)?;
        let mut all = Headers::with_capacity(headers.len() + 2, 64);
        match self.version {
            Version::V1_2 => all.push("id", id),
            Version::V1_1 => {
                let subscription = subscription.ok_or(SessionError::MissingHeader {
                    command,
                    header: RequiredHeader::Subscription,
                })?;
                all.push("message-id", id);
                all.push("subscription", subscription);
            }
            Version::V1_0 => all.push("message-id", id),
        }
        all.extend(
            headers
                .iter()
                .filter(|(n, _)| !matches!(*n, "id" | "message-id" | "subscription")),
        );
        self.push_frame(
            Frame::from_parts(command, all, Vec::new()),
            ContentLength::Auto,
            now,
        )
    }

    fn push_transaction_frame(
        &mut self,
        command: Command,
        id: &str,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        let mut all = Headers::with_capacity(headers.len() + 1, 64);
        all.push("transaction", id);
        all.extend(headers.iter().filter(|(n, _)| *n != "transaction"));
        self.push_frame(
            Frame::from_parts(command, all, Vec::new()),
            ContentLength::Auto,
            now,
        )
    }

    fn end_transaction(
        &mut self,
        command: Command,
        id: &str,
        headers: Headers,
        now: u64,
    ) -> Result<(), SessionError> {
        self.require_open()?;
        if !self.transactions.iter().any(|t| t == id) {
            return Err(SessionError::UnknownTransaction(String::from(id)));
        }
        self.push_transaction_frame(command, id, headers, now)?;
        self.transactions.retain(|t| t != id);
        Ok(())
    }

    fn on_frame(&mut self, frame: Frame, now: u64) -> Result<(), SessionError> {
        match (self.state, frame.command) {
            (State::Connecting, Command::Connected) => self.on_connected(frame, now),
            (State::Connecting, Command::Error) => {
                self.request_close(CloseReason::ConnectRefused(frame.clone()));
                self.events.push_back(Event::Error(frame));
                Ok(())
            }
            (State::Connected | State::Disconnecting, Command::Message) => {
                let subscription = self.route(&frame).map(|s| s.id.clone());
                self.events.push_back(Event::Message {
                    subscription,
                    frame,
                });
                Ok(())
            }
            (State::Connected | State::Disconnecting, Command::Receipt) => {
                let id =
                    frame
                        .receipt_id()
                        .map(String::from)
                        .ok_or(SessionError::MissingHeader {
                            command: Command::Receipt,
                            header: RequiredHeader::ReceiptId,
                        })?;
                let expected = self.receipts.remove(&id).is_some();
                let graceful = self.disconnect.as_ref().is_some_and(|d| d.0 == id);
                if graceful {
                    self.disconnect_receipt = Some(frame.clone());
                }
                self.events.push_back(if expected {
                    Event::Receipt(ReceiptOutcome::Confirmed { id, frame })
                } else {
                    Event::UnexpectedReceipt { id, frame }
                });
                if graceful {
                    self.request_close(CloseReason::Graceful);
                }
                Ok(())
            }
            (State::Connected | State::Disconnecting, Command::Error) => {
                // The receipt it names will not come; the server closes the connection next.
                if let Some(id) = frame.receipt_id() {
                    if self.receipts.remove(id).is_some() {
                        self.events.push_back(Event::Receipt(ReceiptOutcome::Lost {
                            id: String::from(id),
                            reason: LostReason::Error(frame.clone()),
                        }));
                    }
                }
                self.events.push_back(Event::Error(frame));
                self.request_close(CloseReason::ServerError);
                Ok(())
            }
            (state, command) => Err(SessionError::UnexpectedFrame { command, state }),
        }
    }

    fn on_connected(&mut self, frame: Frame, now: u64) -> Result<(), SessionError> {
        let version = match frame.version() {
            None => Version::V1_0,
            Some(v) => Version::parse(v)
                .filter(|v| self.config.versions.contains(v))
                .ok_or_else(|| SessionError::VersionNotOffered(String::from(v)))?,
        };
        self.version = version;
        self.decoder.set_version(version);
        let negotiated = if version == Version::V1_0 {
            Negotiated::NONE
        } else {
            Negotiated::from_offers(self.config.heart_beat, frame.heart_beat().unwrap_or((0, 0)))
        };
        self.heartbeats = Heartbeats::new(negotiated, self.config.heart_beat_receive_scale, now);
        self.state = State::Connected;
        self.connect_deadline = None;

        let mut replayed = Vec::new();
        if self.config.replay_subscriptions {
            let subs: Vec<Subscription> = self.subscriptions.iter().cloned().collect();
            for sub in subs {
                self.push_frame(
                    Frame::from_parts(Command::Subscribe, sub.headers, Vec::new()),
                    ContentLength::Auto,
                    now,
                )?;
                replayed.push(String::clone(&sub.id));
            }
        }
        // SEND frames kept across the close go again, in sending order, with the same receipt
        // ids and the deadlines they had.
        let mut resent = Vec::new();
        let mut unencodable = Vec::new();
        for (id, pending) in self.receipts.iter() {
            let Some((frame, content_length)) = pending.resend() else {
                continue;
            };
            let mut buf = self.spare.pop().unwrap_or_default();
            match encode_with(frame, version, *content_length, &mut buf) {
                Ok(()) => {
                    let back = self.transmits.back_mut();
                    match back.filter(|b| self.coalesce && b.len() < COALESCE_LIMIT) {
                        Some(back) => {
                            back.extend_from_slice(&buf);
                            if self.spare.len() < SPARE_BUFFERS {
                                buf.clear();
                                self.spare.push(buf);
                            }
                        }
                        None => self.transmits.push_back(buf),
                    }
                    resent.push(String::from(id));
                }
                Err(e) => {
                    self.spare.push(buf);
                    unencodable.push((String::from(id), e));
                }
            }
        }
        if !resent.is_empty() {
            self.heartbeats.sent(now);
        }
        self.current_connection += 1;
        self.events.push_back(Event::Connected(Connected {
            version,
            server: frame.server().map(String::from),
            session: frame.session().map(String::from),
            heart_beat: negotiated,
            frame,
            replayed,
            resent: resent.clone(),
        }));
        for id in resent {
            self.events
                .push_back(Event::Receipt(ReceiptOutcome::Resent { id }));
        }
        for (id, e) in unencodable {
            self.receipts.remove(&id);
            self.events.push_back(Event::Receipt(ReceiptOutcome::Lost {
                id,
                reason: LostReason::Unencodable(e),
            }));
        }
        Ok(())
    }
}
