//! The tokio driver around one [`Session`]: it opens the connections the session asks for,
//! listens on the compatibility port for the terminal's device requests (dual socket), feeds
//! bytes and time into the session and hands its events up. It decides nothing the session decides.

mod connection;
mod tap;

pub use connection::{ConnWriter, WriteError};
pub use tap::{Direction, TapConnection, TapEvent, TapSlot, WireTap};

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::dialect::SocketMode;
use crate::session::{Action, ConnId, Event, Session};
use connection::IoEvent;

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
    /// At most this many channel-1 connections at once. When full, a new one replaces the oldest
    /// that has not sent a byte; if every one has, the new one is refused.
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
}

impl Default for TransportLimits {
    fn default() -> Self {
        TransportLimits {
            read_queue: 16,
            write_queue: 256 * 1024,
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

/// Hands an abort that left outside the engine thread back to the session.
///
/// The client layer may put an armed AbortRequest (see [`Session::arm_abort`]) on the wire from the
/// app's thread through the connection's [`ConnWriter`]. The session must learn of it before it
/// sees any byte that could be the terminal's answer, so the transport asks the gate before it
/// feeds any I/O into the session.
pub trait FiredAbortGate: Send + Sync {
    /// Registers an abort fired since the last call with the session
    /// ([`Session::armed_abort_fired`]); returns the connection and the frame that went out, for
    /// the wire trace.
    fn absorb(&self, session: &mut Session) -> Option<(ConnId, Vec<u8>)>;
}

/// A [`Session`] connected to the network. Use [`Transport::session`] to issue commands, then
/// [`Transport::flush`]; await [`Transport::next_event`] for what the app must see.
pub struct Transport {
    session: Session,
    endpoint: Endpoint,
    limits: TransportLimits,
    listener: Option<TcpListener>,
    writers: HashMap<ConnId, Arc<ConnWriter>>,
    inbound: HashSet<ConnId>,
    /// Inbound connections that have not sent a byte yet, oldest first: a flood of silent
    /// connections must not lock the terminal's device requests out until they time out.
    quiet: BTreeSet<ConnId>,
    io_tx: mpsc::Sender<IoEvent>,
    io_rx: mpsc::Receiver<IoEvent>,
    /// The wire trace's view of the connections (inert unless a tap is installed).
    tracer: tap::Tracer,
    /// Aborts that left from the app's thread, absorbed before any I/O is handled.
    fired_aborts: Option<Arc<dyn FiredAbortGate>>,
}

impl Drop for Transport {
    /// Connection tasks hold their writers too: tell each to shut its connection down.
    fn drop(&mut self) {
        for writer in self.writers.values() {
            writer.close();
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
            inbound: HashSet::new(),
            quiet: BTreeSet::new(),
            io_tx,
            io_rx,
            tracer: tap::Tracer::default(),
            fired_aborts: None,
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

    /// Installs the gate through which aborts written outside the engine thread reach the session.
    pub fn set_fired_abort_gate(&mut self, gate: Arc<dyn FiredAbortGate>) {
        self.fired_aborts = Some(gate);
    }

    /// Lets the session learn of an abort fired outside the engine thread (see
    /// [`FiredAbortGate`]). Runs before every I/O event; the client also calls it before it
    /// starts anything itself.
    pub fn absorb_fired_abort(&mut self) {
        let Some(gate) = &self.fired_aborts else {
            return;
        };
        if let Some((conn, frame)) = gate.absorb(&mut self.session) {
            self.tracer.written(conn, &frame);
        }
    }

    /// The write side of an open connection, to put an armed abort on the wire from any thread.
    pub fn writer(&self, conn: ConnId) -> Option<Arc<ConnWriter>> {
        self.writers.get(&conn).cloned()
    }

    /// The session, to start requests, aborts and answers. Call [`Transport::flush`] afterwards.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The address the channel-1 listener is bound to.
    pub fn listen_address(&self) -> Option<SocketAddr> {
        self.listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Carries out what the session asked for (connects, writes, closes). Never blocks.
    pub fn flush(&mut self) {
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
            self.flush();
            if let Some(event) = self.session.poll_event() {
                return event;
            }
            let deadline = self.session.poll_timeout();
            let sleep = async {
                match deadline {
                    Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
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
                () = sleep => self.session.handle_timeout(Instant::now()),
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
        self.quiet.remove(&conn);
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
                self.quiet.remove(&conn);
                self.session.handle_data(conn, &bytes, now)
            }
            IoEvent::Closed(conn, reason) => {
                self.tracer.closed(conn, &reason);
                self.writers.remove(&conn);
                self.inbound.remove(&conn);
                self.quiet.remove(&conn);
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
        if self.inbound.len() >= self.endpoint.max_inbound_connections {
            if let Some(oldest) = self.quiet.pop_first() {
                log::warn!(
                    "closing channel-1 connection {} (silent since it opened) to make room for {peer}",
                    oldest.0
                );
                self.close_connection(oldest, "closed to make room for a new connection");
                self.session.handle_closed(
                    oldest,
                    "closed to make room for a new connection",
                    Instant::now(),
                );
            }
        }
        if self.inbound.len() >= self.endpoint.max_inbound_connections {
            log::warn!(
                "refused a channel-1 connection from {peer}: {} already open",
                self.inbound.len()
            );
            return;
        }
        let _ = stream.set_nodelay(true);
        let conn = self.session.handle_inbound(Instant::now());
        self.tracer.opened(conn, 1, peer);
        let writer = Arc::new(ConnWriter::new(self.limits.write_queue));
        self.writers.insert(conn, Arc::clone(&writer));
        self.inbound.insert(conn);
        self.quiet.insert(conn);
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
