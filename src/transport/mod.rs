//! The tokio driver around one [`Session`]: it opens the connections the session asks for,
//! listens on the compatibility port for the terminal's device requests (dual socket), feeds
//! bytes and time into the session and hands its events up. It decides nothing the session decides.

mod connection;
mod lane;
mod tap;

pub use connection::{ConnWriter, WriteError};
pub use lane::{pos_timestamp, AbortLane, AbortTicket, RecordedAbort, RequestIds};
pub use tap::{Direction, TapConnection, TapEvent, TapSlot, WireTap};

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::dialect::SocketMode;
use crate::message::{RequestId, WireProfile};
use crate::session::{
    AbortCommand, Action, CommandId, ConnId, Event, InputAnswer, InputTicket, Request, Session,
    SessionError,
};
use connection::{FrameBoundaries, IoEvent};

/// Where the terminal is and how the POS side listens.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The terminal's channel-0 address.
    pub terminal: SocketAddr,
    /// Where to listen for channel 1 (dual socket); `None` in single-socket mode. Port 0 picks a free port.
    pub listen: Option<SocketAddr>,
    /// Backstop for connecting (the session has its own deadline).
    pub connect_timeout: Duration,
    /// A channel-1 connection that the POS has had nothing to answer on for this long is closed
    /// (a peer trickling bytes does not extend it).
    pub inbound_idle_timeout: Duration,
    /// At most this many channel-1 connections at once. When full, a new one is still let in and
    /// the one that made the least progress makes room (see [`Transport`]'s slot policy).
    pub max_inbound_connections: usize,
}

/// What the transport may buffer, whatever the terminal (or anyone reaching the compatibility
/// port from the terminal's address) sends or fails to read. With these limits and
/// [`crate::session::SessionConfig::max_frame_len`] (1 MiB by default: the codec refuses a longer
/// frame from its length prefix, before buffering its body), the transport holds at most
/// `read_queue` × 16 KiB of reads, plus per open connection a 16 KiB read buffer, `write_queue`
/// bytes and one frame being reassembled — about 13 MiB with the defaults, 8 channel-1
/// connections and two channel-0 ones, and usually a few KiB. A peer that sends faster than the
/// engine handles is slowed down by TCP flow control; none of it is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportLimits {
    /// Reads waiting for the engine, across every connection (each at most 16 KiB). When full,
    /// connections leave their sockets unread until the engine catches up. Default 16. At least
    /// 1 is used.
    pub read_queue: usize,
    /// Bytes that may wait on one connection for the peer to read them, beyond what the kernel
    /// took. Past it the connection is closed as lost (a terminal that stopped reading). Must
    /// exceed the largest frame the POS sends (a few KiB). Default 256 KiB.
    pub write_queue: usize,
    /// How long a channel-1 connection may take to deliver a complete frame: its first from the
    /// moment it is accepted, each later one from its first byte. Default 10 s: a terminal sends
    /// a device request whole, at once, right after connecting.
    pub inbound_frame_timeout: Duration,
}

impl Default for TransportLimits {
    fn default() -> Self {
        TransportLimits {
            read_queue: 16,
            write_queue: 256 * 1024,
            inbound_frame_timeout: Duration::from_secs(10),
        }
    }
}

/// Why the transport cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The compatibility port is taken or not allowed.
    #[error("cannot listen for the terminal's device requests on {address}: {source} — another app (or a second SDK instance) may use this compatibility port")]
    Listen {
        /// The address asked for.
        address: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A [`Session`] connected to the network, and its only owner. Commands ([`Transport::start_request`],
/// [`Transport::abort`], [`Transport::answer_input`], …) go to the session and out on the network
/// at once; await [`Transport::next_event`] for what the app must see. With an [`AbortLane`]
/// ([`Transport::with_abort_lane`]) the transport keeps an abort of the running request armed for
/// the app's thread, and records a fired one before it handles any I/O.
///
/// Channel-1 slot policy. The terminal opens a channel-1 connection for its device requests
/// (receipts, display text, cashier questions) and must get in, even when the slots are taken by
/// connections that never deliver anything: silent ones, or ones trickling a byte now and then.
/// Bytes prove nothing (one byte per second keeps a connection "active"), so progress is counted
/// in complete frames only. Two rules follow:
/// - A new connection from the terminal's address is always let in. At the cap, the connection
///   with the least progress makes room: first the oldest one that has not delivered a single
///   complete frame; only if every one has delivered one, the one whose last frame is oldest.
///   A trickler can therefore never push out a connection that delivered a device request.
/// - A connection must complete each frame within [`TransportLimits::inbound_frame_timeout`]
///   (its first from the moment it is accepted), or it is closed: a slot cannot be held by a
///   frame that never ends. Between frames the idle timeout of [`Endpoint`] applies.
pub struct Transport {
    session: Session,
    endpoint: Endpoint,
    limits: TransportLimits,
    listener: Option<TcpListener>,
    writers: HashMap<ConnId, Arc<ConnWriter>>,
    /// The open channel-1 connections, in the order they were accepted.
    inbound: BTreeMap<ConnId, Slot>,
    io_tx: mpsc::Sender<IoEvent>,
    io_rx: mpsc::Receiver<IoEvent>,
    /// The wire trace's view of the connections (inert unless a tap is installed).
    tracer: tap::Tracer,
    /// The abort lane and where its aborts' RequestIDs come from.
    lane: Option<(Arc<AbortLane>, Box<dyn RequestIds>)>,
    /// Fired aborts the session recorded, until the owner takes them.
    recorded: Vec<RecordedAbort>,
}

impl Drop for Transport {
    /// Connection tasks hold their writers too: tell each to shut its connection down.
    fn drop(&mut self) {
        for writer in self.writers.values() {
            writer.close();
        }
    }
}

/// A channel-1 connection's progress, for the slot policy.
struct Slot {
    frames: FrameBoundaries,
    /// When it last completed a frame; `None` until its first.
    last_frame: Option<tokio::time::Instant>,
    /// When the frame it owes must be complete; `None` between frames.
    frame_due: Option<tokio::time::Instant>,
}

impl Slot {
    fn new(frame_timeout: Duration) -> Slot {
        Slot {
            frames: FrameBoundaries::default(),
            last_frame: None,
            frame_due: Some(tokio::time::Instant::now() + frame_timeout),
        }
    }

    /// Bytes arrived: a completed frame is progress, a frame just begun starts its clock.
    fn read(&mut self, bytes: &[u8], frame_timeout: Duration) {
        let now = tokio::time::Instant::now();
        if self.frames.feed(bytes) > 0 {
            self.last_frame = Some(now);
            self.frame_due = self.frames.mid_frame().then(|| now + frame_timeout);
        } else if self.frame_due.is_none() && self.frames.mid_frame() {
            self.frame_due = Some(now + frame_timeout);
        }
    }
}

impl Transport {
    /// Binds the channel-1 listener (dual socket) with the default [`TransportLimits`]. Must run
    /// inside a tokio runtime.
    pub async fn start(session: Session, endpoint: Endpoint) -> Result<Transport, TransportError> {
        Transport::start_with_limits(session, endpoint, TransportLimits::default()).await
    }

    /// Binds the channel-1 listener (dual socket). Must run inside a tokio runtime.
    pub async fn start_with_limits(
        mut session: Session,
        endpoint: Endpoint,
        limits: TransportLimits,
    ) -> Result<Transport, TransportError> {
        // Where device requests may arrive is the transport's to know: it listens or it does not.
        session.set_socket_mode(match endpoint.listen {
            Some(_) => SocketMode::DualSocket,
            None => SocketMode::SingleSocket,
        });
        let listener = match endpoint.listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|source| TransportError::Listen { address, source })?,
            ),
            None => None,
        };
        let (io_tx, io_rx) = mpsc::channel(limits.read_queue.max(1));
        Ok(Transport {
            session,
            endpoint,
            limits,
            listener,
            writers: HashMap::new(),
            inbound: BTreeMap::new(),
            io_tx,
            io_rx,
            tracer: tap::Tracer::default(),
            lane: None,
            recorded: Vec::new(),
        })
    }

    /// Reports every frame of the connections opened from now on to the tap installed in `slot`
    /// (if any, at the moment each connection opens).
    pub fn set_wire_tap(&mut self, slot: Arc<TapSlot>) {
        let dual_socket = self.endpoint.listen.is_some();
        self.tracer.attach(
            slot,
            self.endpoint.terminal,
            self.session.config(),
            dual_socket,
        );
    }

    /// Keeps an abort of the running request armed in `lane` from now on, its RequestIDs taken
    /// from `ids`.
    pub fn with_abort_lane(mut self, lane: Arc<AbortLane>, ids: Box<dyn RequestIds>) -> Self {
        self.lane = Some((lane, ids));
        self.settle();
        self
    }

    /// Starts `request` (see [`Session::start`]) and sends it as soon as it can.
    pub fn start_request(&mut self, request: Request) -> CommandId {
        self.absorb_fired_abort();
        let command = self.session.start(request, Instant::now());
        self.settle();
        command
    }

    /// Aborts the running request (see [`Session::abort`]). Call
    /// [`Transport::withdraw_armed_abort`] before taking the abort's RequestID, so an armed abort
    /// cannot go out after this one and its id is reused.
    pub fn abort(&mut self, command: AbortCommand) -> CommandId {
        self.withdraw_armed_abort();
        let command = self.session.abort(command, Instant::now());
        self.settle();
        command
    }

    /// Answers the terminal's question `ticket` (see [`Session::answer_input`]).
    pub fn answer_input(
        &mut self,
        ticket: InputTicket,
        answer: InputAnswer,
    ) -> Result<(), SessionError> {
        self.absorb_fired_abort();
        let result = self.session.answer_input(ticket, answer, Instant::now());
        self.settle();
        result
    }

    /// Spells the next abort with `profile` (the armed one, built with the old profile, is
    /// withdrawn).
    pub fn set_wire_profile(&mut self, profile: WireProfile) {
        self.withdraw_armed_abort();
        self.session.set_wire_profile(profile);
        self.settle();
    }

    /// The RequestID of the running request, if any.
    pub fn running_request(&self) -> Option<&RequestId> {
        self.session.running_request()
    }

    /// Records an abort fired from the app's thread, then takes the armed one out of the lane
    /// (giving its RequestID back): the owner is about to run an abort itself.
    pub fn withdraw_armed_abort(&mut self) {
        self.absorb_fired_abort();
        let generation = self
            .lane
            .as_ref()
            .and_then(|(lane, _)| lane.armed_generation());
        if let Some(generation) = generation {
            self.withdraw_generation(generation);
        }
    }

    /// The fired aborts the session recorded since the last call, oldest first. Take them before
    /// handling the event [`Transport::next_event`] returned: it may be one's outcome.
    pub fn take_fired_aborts(&mut self) -> Vec<RecordedAbort> {
        std::mem::take(&mut self.recorded)
    }

    /// Lets the session learn of an abort fired from the app's thread. Runs before every command
    /// and every I/O event, so before any byte that could answer the abort.
    fn absorb_fired_abort(&mut self) {
        let Some((lane, _)) = &self.lane else {
            return;
        };
        if let Some((recorded, wire)) = lane.absorb(&mut self.session) {
            if let Some((conn, frame)) = wire {
                self.tracer.written(conn, &frame);
            }
            self.recorded.push(recorded);
        }
    }

    fn withdraw_generation(&mut self, generation: u64) {
        let Some((lane, ids)) = self.lane.as_mut() else {
            return;
        };
        if lane.withdraw(generation) {
            if let Some(id) = self.session.disarm_abort(generation) {
                ids.give_back(&id);
            }
        } else {
            // Fired a moment ago, from the app's thread.
            self.absorb_fired_abort();
        }
    }

    /// Carries out what the session asked for, then keeps the lane in step: withdraws an armed
    /// abort that is no longer right (its request ended, another abort started) and arms one when
    /// a request has left and no abort runs.
    fn settle(&mut self) {
        self.flush();
        self.absorb_fired_abort();
        let Some((lane, _)) = &self.lane else {
            return;
        };
        if let Some(generation) = lane.armed_generation() {
            if !self.session.armed_abort_is_current(generation) {
                self.withdraw_generation(generation);
            }
        }
        self.arm();
    }

    fn arm(&mut self) {
        let Some((lane, ids)) = self.lane.as_mut() else {
            return;
        };
        if !lane.is_empty() {
            return;
        }
        let Some(conn) = self.session.abort_armable() else {
            return;
        };
        let Some(writer) = self.writers.get(&conn).cloned() else {
            return;
        };
        let id = match ids.take() {
            Ok(id) => id,
            Err(error) => {
                log::debug!("no RequestID to arm an abort with ({error}); aborts take the engine");
                return;
            }
        };
        let timestamp = pos_timestamp();
        let profile = self.session.config().wire_profile;
        match self.session.arm_abort(id.clone(), Some(timestamp.clone())) {
            Some(armed) => {
                let generation = armed.generation;
                if !lane.arm(armed, profile, writer, Some(&timestamp)) {
                    if let Some(id) = self.session.disarm_abort(generation) {
                        ids.give_back(&id);
                    }
                }
            }
            None => ids.give_back(&id),
        }
    }

    /// The address the channel-1 listener is bound to.
    pub fn listen_address(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Carries out what the session asked for (connects, writes, closes). Never blocks.
    fn flush(&mut self) {
        while let Some(action) = self.session.poll_action() {
            match action {
                Action::Connect(conn) => {
                    self.tracer.opened(conn, 0, self.endpoint.terminal);
                    let writer = Arc::new(ConnWriter::new(self.limits.write_queue));
                    self.writers.insert(conn, Arc::clone(&writer));
                    tokio::spawn(connection::run_outbound(
                        conn,
                        self.endpoint.terminal,
                        self.endpoint.connect_timeout,
                        writer,
                        self.io_tx.clone(),
                    ));
                }
                Action::Send {
                    conn,
                    bytes,
                    summary,
                } => match self.writers.get(&conn) {
                    Some(writer) => {
                        self.tracer.written(conn, &bytes);
                        match writer.write(&bytes) {
                            Ok(()) => log::debug!("conn {} sent {summary}", conn.0),
                            // The connection's task reports the failure as a close.
                            Err(error) => {
                                log::warn!("conn {}: {error}; dropped {summary}", conn.0)
                            }
                        }
                    }
                    _ => log::warn!("conn {} is gone; dropped {summary}", conn.0),
                },
                Action::Close(conn) => self.close_connection(conn, "closed by the POS"),
            }
        }
    }

    /// Drives the network until the session has an event for the app. Cancel-safe: dropping the
    /// future between events loses nothing.
    pub async fn next_event(&mut self) -> Event {
        loop {
            self.settle();
            if let Some(event) = self.session.poll_event() {
                return event;
            }
            // While an abort is armed or fired, look at the lane now and then: a fired abort the
            // terminal never answers must still be recorded, so its timeout ends it.
            let lane_check = self
                .lane
                .as_ref()
                .filter(|(lane, _)| !lane.is_empty())
                .map(|_| {
                    tokio::time::Instant::now()
                        + lane::check_period(self.session.config().abort_timeout)
                });
            let session_due = self
                .session
                .poll_timeout()
                .map(tokio::time::Instant::from_std);
            let frame_due = self
                .inbound
                .values()
                .filter_map(|slot| slot.frame_due)
                .min();
            let deadline = [session_due, frame_due, lane_check]
                .into_iter()
                .flatten()
                .min();
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending::<()>().await,
                }
            };
            let accept = async {
                match &self.listener {
                    Some(listener) => listener.accept().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                io = self.io_rx.recv() => {
                    // The transport holds a sender itself, so the channel never closes.
                    if let Some(io) = io {
                        self.handle_io(io);
                    }
                }
                accepted = accept => match accepted {
                    Ok((stream, peer)) => self.handle_accept(stream, peer),
                    Err(error) => log::warn!("accepting a channel-1 connection failed: {error}"),
                },
                () = sleep => {
                    self.absorb_fired_abort();
                    self.session.handle_timeout(Instant::now());
                    self.drop_unfinished_frames();
                }
            }
        }
    }

    /// The POS ends a connection: its task writes what is still queued, then shuts it down.
    fn close_connection(&mut self, conn: ConnId, why: &str) {
        self.tracer.closed(conn, why);
        if let Some(writer) = self.writers.remove(&conn) {
            writer.close();
        }
        self.inbound.remove(&conn);
    }

    /// Takes a channel-1 slot back at once: nothing queued for the peer is written, and the
    /// session learns the connection is gone (a cashier question on it is withdrawn).
    fn cut_inbound(&mut self, conn: ConnId, why: &str) {
        log::warn!("closing channel-1 connection {}: {why}", conn.0);
        self.tracer.closed(conn, why);
        if let Some(writer) = self.writers.remove(&conn) {
            writer.cut(why);
        }
        self.inbound.remove(&conn);
        self.session.handle_closed(conn, why, Instant::now());
    }

    /// Closes the channel-1 connections whose frame is overdue (see the slot policy).
    fn drop_unfinished_frames(&mut self) {
        let now = tokio::time::Instant::now();
        let overdue: Vec<ConnId> = self
            .inbound
            .iter()
            .filter(|(_, slot)| slot.frame_due.is_some_and(|due| due <= now))
            .map(|(conn, _)| *conn)
            .collect();
        let why = format!(
            "no complete frame from the terminal within {:?}",
            self.limits.inbound_frame_timeout
        );
        for conn in overdue {
            self.cut_inbound(conn, &why);
        }
    }

    /// The channel-1 connection that made the least progress (see the slot policy).
    fn least_progress(&self) -> Option<ConnId> {
        self.inbound
            .iter()
            .min_by_key(|(conn, slot)| (slot.last_frame.is_some(), slot.last_frame, **conn))
            .map(|(conn, _)| *conn)
    }

    fn handle_io(&mut self, io: IoEvent) {
        // An abort fired from the app's thread may be what this I/O answers.
        self.absorb_fired_abort();
        let now = Instant::now();
        match io {
            IoEvent::Connected(conn) => self.session.handle_connected(conn, now),
            IoEvent::ConnectFailed(conn, reason) => {
                self.tracer.closed(conn, &reason);
                self.writers.remove(&conn);
                self.session.handle_connect_failed(conn, &reason, now);
            }
            IoEvent::Data(conn, bytes) => {
                self.tracer.read(conn, &bytes);
                if let Some(slot) = self.inbound.get_mut(&conn) {
                    slot.read(&bytes, self.limits.inbound_frame_timeout);
                }
                self.session.handle_data(conn, &bytes, now)
            }
            IoEvent::Closed(conn, reason) => {
                self.tracer.closed(conn, &reason);
                self.writers.remove(&conn);
                self.inbound.remove(&conn);
                self.session.handle_closed(conn, &reason, now);
            }
        }
    }

    fn handle_accept(&mut self, stream: tokio::net::TcpStream, peer: SocketAddr) {
        if !same_host(peer.ip(), self.endpoint.terminal.ip()) {
            log::warn!(
                "refused a channel-1 connection from {peer}: only the terminal {} may connect",
                self.endpoint.terminal.ip()
            );
            return;
        }
        if self.endpoint.max_inbound_connections == 0 {
            log::warn!("refused a channel-1 connection from {peer}: none are allowed");
            return;
        }
        while self.inbound.len() >= self.endpoint.max_inbound_connections {
            let Some(victim) = self.least_progress() else {
                break;
            };
            let why = match self.inbound.get(&victim).and_then(|slot| slot.last_frame) {
                None => "closed to make room for a new connection: it had not delivered a complete frame",
                Some(_) => "closed to make room for a new connection: every connection had delivered frames, this one least recently",
            };
            self.cut_inbound(victim, why);
        }
        let _ = stream.set_nodelay(true);
        let conn = self.session.handle_inbound(Instant::now());
        self.tracer.opened(conn, 1, peer);
        let writer = Arc::new(ConnWriter::new(self.limits.write_queue));
        self.writers.insert(conn, Arc::clone(&writer));
        self.inbound
            .insert(conn, Slot::new(self.limits.inbound_frame_timeout));
        tokio::spawn(connection::run_stream(
            conn,
            stream,
            Some(self.endpoint.inbound_idle_timeout),
            writer,
            self.io_tx.clone(),
        ));
    }
}

/// IPv4-mapped IPv6 peers (dual-stack listeners) are the same host as their IPv4 form.
fn same_host(a: IpAddr, b: IpAddr) -> bool {
    let canonical = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    canonical(a) == canonical(b)
}
