//! Bounds a peer cannot move (issue 15, findings 4–6), against the real tokio transport with a
//! hand-written terminal on loopback, and against the sans-IO session:
//! - reading stops while the engine is behind, so a flood waits in the kernel, not in the POS;
//! - a terminal that stops reading loses its connection at the write-queue limit, as a lost
//!   connection the app is told about;
//! - connections trickling bytes cannot keep the terminal's receipt connection out, and a frame
//!   that never ends costs its connection;
//! - an answer is an outcome only on the connection its request went out on, and a device request
//!   only on the channel it belongs to.
//!
//! Waiting is on events, answers and closed sockets. The one exception is the flood test's stall
//! detector: proving that the POS has stopped reading needs a bound on "no progress", and a write
//! that makes none for STALL is that bound (a slow machine can only make it stall earlier, which
//! still passes).

#[path = "support/session_harness.rs"]
mod session_harness;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use mapi::message::abort::AbortDisplay;
use mapi::message::abort::AbortVia;
use mapi::message::codec::{encode_frame, FrameDecoder};
use mapi::message::{
    CardRequestType, CardServiceRequest, CardServiceResponse, Message, OverallResult, RequestId,
    TotalAmount,
};
use mapi::session::{Diagnostic, Event, Outcome, Request, Session, SessionConfig};
use mapi::transport::{Endpoint, Transport, TransportLimits};
use mapi::{Dialect, MapiError};
use session_harness::{card_response, Harness};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// Only reached when a test fails.
const WAIT: Duration = Duration::from_secs(30);
/// A write that makes no progress for this long means the POS stopped reading.
const STALL: Duration = Duration::from_secs(1);
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const PAYMENT_ID: &str = "4711";
const MIB: usize = 1024 * 1024;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The kernel's largest TCP buffer (`tcp_rmem`/`tcp_wmem`'s last field): what may sit in a
/// socket besides what the POS holds.
fn kernel_max(file: &str) -> usize {
    std::fs::read_to_string(format!("/proc/sys/net/ipv4/{file}"))
        .ok()
        .and_then(|text| text.split_whitespace().last()?.parse().ok())
        .unwrap_or(32 * MIB)
}

enum Command {
    Start(Box<Request>),
    /// Stop handling I/O (the engine is behind) until the receiver fires.
    Pause(oneshot::Sender<()>, oneshot::Receiver<()>),
}

/// Drives `transport` on the runtime; every event goes to the returned receiver.
fn drive(mut transport: Transport) -> (mpsc::UnboundedSender<Command>, Events) {
    let (commands, mut inbox) = mpsc::unbounded_channel();
    let (sink, events) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                command = inbox.recv() => match command {
                    Some(Command::Start(request)) => {
                        transport.start_request(*request);
                    }
                    Some(Command::Pause(paused, resume)) => {
                        let _ = paused.send(());
                        let _ = resume.await;
                    }
                    None => return,
                },
                event = transport.next_event() => if sink.send(event).is_err() {
                    return;
                },
            }
        }
    });
    (commands, Events(events))
}

struct Events(mpsc::UnboundedReceiver<Event>);

impl Events {
    /// The next event that `wanted` picks, with every event skipped on the way.
    async fn until(&mut self, what: &str, mut wanted: impl FnMut(&Event) -> bool) -> Vec<Event> {
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout(WAIT, self.0.recv()).await {
                Ok(Some(event)) => {
                    let done = wanted(&event);
                    seen.push(event);
                    if done {
                        return seen;
                    }
                }
                _ => panic!("no {what}; saw {seen:#?}"),
            }
        }
    }

    async fn outcome(&mut self) -> (Outcome, Vec<Event>) {
        let seen = self
            .until("outcome", |e| matches!(e, Event::Finished { .. }))
            .await;
        match seen.last() {
            Some(Event::Finished { outcome, .. }) => (outcome.clone(), seen),
            _ => unreachable!("until returns the wanted event last"),
        }
    }
}

fn endpoint(terminal: SocketAddr, dual: bool) -> Endpoint {
    Endpoint {
        terminal,
        listen: dual.then_some(SocketAddr::new(LOOPBACK, 0)),
        connect_timeout: Duration::from_secs(3),
        // Only the behaviour under test may close a connection.
        inbound_idle_timeout: Duration::from_secs(3600),
        max_inbound_connections: 8,
    }
}

fn session() -> Session {
    let mut config = SessionConfig::new(Dialect::OpiNl, "POS1");
    config.request_timeout = Duration::from_secs(3600);
    Session::new(config)
}

fn payment() -> Request {
    let mut request = CardServiceRequest::new(
        CardRequestType::CardPayment,
        "POS1",
        RequestId::from(PAYMENT_ID),
    );
    request.total_amount = Some(TotalAmount::new("12.50".parse().unwrap(), "EUR"));
    Request::Card(request)
}

/// A channel-1 DeviceRequest Output for the cashier display.
fn device_request(sequence: u32, text: &str) -> Vec<u8> {
    let xml = format!(
        "<?xml version=\"1.0\"?><DeviceRequest RequestType=\"Output\" WorkstationID=\"POS1\" \
         RequestID=\"{PAYMENT_ID}\" SequenceID=\"{sequence}\"><Output OutDeviceTarget=\"CashierDisplay\">\
         <TextLine>{text}</TextLine></Output></DeviceRequest>"
    );
    encode_frame(xml.as_bytes()).unwrap()
}

/// The final answer to the payment.
fn payment_answer(result: OverallResult) -> Vec<u8> {
    let request = CardServiceRequest::new(
        CardRequestType::CardPayment,
        "POS1",
        RequestId::from(PAYMENT_ID),
    );
    let answer = Message::CardServiceResponse(CardServiceResponse::answering(&request, result));
    answer.to_frame().unwrap()
}

/// One frame; `None` when the other side closed the connection instead.
async fn read_message(stream: &mut TcpStream, decoder: &mut FrameDecoder) -> Option<Message> {
    let mut buffer = [0u8; 4096];
    loop {
        if let Ok(Some(payload)) = decoder.next_frame() {
            return Some(Message::parse(&payload).expect("the POS sends valid OPI"));
        }
        match tokio::time::timeout(WAIT, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return None,
            Ok(Ok(n)) => decoder.push(&buffer[..n]),
            Err(_) => panic!("the POS neither answered nor closed"),
        }
    }
}

fn sequence_of(message: &Message) -> String {
    match message {
        Message::DeviceResponse(r) => r.sequence_id.clone().unwrap_or_default(),
        other => panic!("expected a DeviceResponse, got {other:?}"),
    }
}

/// Sends a device request and returns the SequenceID of the first answer; `None` when the POS
/// closed the connection instead of answering.
async fn probe(stream: &mut TcpStream, sequence: u32) -> Option<String> {
    stream
        .write_all(&device_request(sequence, "probe"))
        .await
        .ok()?;
    let message = read_message(stream, &mut FrameDecoder::new()).await?;
    Some(sequence_of(&message))
}

/// True once the POS closed `stream` (fails the test after [`WAIT`]).
async fn closed_by_pos(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 256];
    loop {
        match tokio::time::timeout(WAIT, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Finding 4: memory is bounded by the POS's configuration, not by what the peer sends.

/// How far a peer got writing `frame` over and over into a socket nobody may read.
struct Flooded {
    stream: std::net::TcpStream,
    bytes: usize,
    stalled: bool,
}

/// Writes `frame` repeatedly until `cap` bytes went out or a write made no progress for STALL.
fn flood_until_stalled(mut stream: std::net::TcpStream, frame: &[u8], cap: usize) -> Flooded {
    stream.set_nonblocking(false).unwrap();
    stream.set_write_timeout(Some(STALL)).unwrap();
    let block: Vec<u8> = frame.repeat((64 * 1024 / frame.len()).max(1));
    let mut bytes = 0;
    while bytes < cap {
        let at = bytes % block.len();
        match stream.write(&block[at..]) {
            Ok(0) => break,
            Ok(n) => bytes += n,
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Flooded {
                    stream,
                    bytes,
                    stalled: true,
                }
            }
            Err(error) => panic!("the POS dropped the connection under a flood: {error}"),
        }
    }
    Flooded {
        stream,
        bytes,
        stalled: false,
    }
}

#[test]
fn a_flood_on_channel_1_waits_in_the_kernel_while_the_engine_is_behind_and_none_of_it_is_lost() {
    runtime().block_on(async {
        let transport = Transport::start(session(), endpoint(SocketAddr::new(LOOPBACK, 9), true))
            .await
            .unwrap();
        let listen = transport.listen_address().unwrap();
        let (commands, _events) = drive(transport);
        let socket = TcpSocket::new_v4().unwrap();
        // A fixed send buffer on the terminal's side: what the flood can park there is known.
        socket.set_send_buffer_size(64 * 1024).unwrap();
        let mut stream = socket.connect(listen).await.unwrap();
        assert_eq!(probe(&mut stream, 1).await.as_deref(), Some("1"));

        let (paused, is_paused) = oneshot::channel();
        let (resume, resumed) = oneshot::channel();
        commands.send(Command::Pause(paused, resumed)).unwrap();
        is_paused.await.unwrap();

        // What the flood may park outside the POS: the POS socket's receive buffer at its largest
        // and the terminal's send buffer; plus what the POS may hold (16 reads of 16 KiB in the
        // queue, one in hand) and 1 MiB to spare.
        let outside_the_pos = kernel_max("tcp_rmem") + 4 * 64 * 1024;
        let bound = outside_the_pos + 17 * 16 * 1024 + MIB;
        let frame = device_request(7, "flood");
        let std_stream = stream.into_std().unwrap();
        let (cap, sent) = (bound + 16 * MIB, frame.clone());
        let flooded =
            tokio::task::spawn_blocking(move || flood_until_stalled(std_stream, &sent, cap))
                .await
                .unwrap();
        assert!(
            flooded.stalled,
            "the terminal wrote {} bytes while the engine handled nothing: the POS kept reading",
            flooded.bytes
        );
        assert!(
            flooded.bytes <= bound,
            "{} bytes taken while the engine handled nothing (bound {bound})",
            flooded.bytes
        );

        resume.send(()).unwrap();
        let mut stream = flooded.stream;
        let partial = flooded.bytes % frame.len();
        let mut frames = flooded.bytes / frame.len();
        let rest = frame[partial..].to_vec();
        let stream = tokio::task::spawn_blocking(move || {
            if partial > 0 {
                stream.set_write_timeout(Some(WAIT)).unwrap();
                stream.write_all(&rest).unwrap();
            }
            stream
        })
        .await
        .unwrap();
        if partial > 0 {
            frames += 1;
        }
        stream.set_nonblocking(true).unwrap();
        let mut stream = TcpStream::from_std(stream).unwrap();
        stream
            .write_all(&device_request(99, "probe"))
            .await
            .unwrap();
        let mut decoder = FrameDecoder::new();
        let mut answered = 0;
        loop {
            let message = read_message(&mut stream, &mut decoder)
                .await
                .expect("the POS answers after the flood");
            match sequence_of(&message).as_str() {
                "7" => answered += 1,
                "99" => break,
                other => panic!("unexpected answer {other}"),
            }
        }
        assert_eq!(
            answered, frames,
            "every flooded device request was answered"
        );
    });
}

#[test]
fn a_terminal_that_stops_reading_loses_its_connection_at_the_write_queue_limit() {
    runtime().block_on(async {
        let socket = TcpSocket::new_v4().unwrap();
        // The terminal takes almost nothing into its receive buffer and never reads.
        socket.set_recv_buffer_size(4096).unwrap();
        socket.bind(SocketAddr::new(LOOPBACK, 0)).unwrap();
        let terminal: TcpListener = socket.listen(4).unwrap();
        let address = terminal.local_addr().unwrap();
        // Single socket: the terminal's device requests come on the payment's connection and the
        // POS answers each on it.
        let transport = Transport::start(session(), endpoint(address, false))
            .await
            .unwrap();
        let (commands, mut events) = drive(transport);
        commands.send(Command::Start(Box::new(payment()))).unwrap();

        // Enough device requests that the answers would overflow every buffer on the way
        // (several times what the kernel holds), unless the POS gives up on the connection.
        let cap = kernel_max("tcp_rmem") + 2 * kernel_max("tcp_wmem") + 16 * MIB;
        let mut flood = tokio::spawn(async move {
            let (mut stream, _) = terminal.accept().await.unwrap();
            let request = read_message(&mut stream, &mut FrameDecoder::new()).await;
            assert!(matches!(request, Some(Message::CardServiceRequest(_))));
            let block = device_request(3, "flood").repeat(256);
            let mut sent = 0;
            while sent < cap {
                if stream.write_all(&block).await.is_err() {
                    return Err(sent);
                }
                sent += block.len();
            }
            Ok(sent)
        });

        let mut flood_over = false;
        let give_up = tokio::time::sleep(WAIT);
        tokio::pin!(give_up);
        let outcome = loop {
            tokio::select! {
                event = events.0.recv() => match event {
                    Some(Event::Finished { outcome, .. }) => break outcome,
                    Some(_) => {}
                    None => panic!("the transport stopped"),
                },
                sent = &mut flood, if !flood_over => match sent.unwrap() {
                    Ok(sent) => panic!(
                        "the terminal wrote {sent} bytes of device requests and read none of the \
                         answers, and the POS still holds the connection: its write queue is unbounded"
                    ),
                    Err(_) => flood_over = true,
                },
                () = &mut give_up => panic!("no outcome"),
            }
        };
        let error = outcome.expect_err("the payment cannot have succeeded");
        assert_eq!(error.error, MapiError::TerminalConnectionLost);
        assert!(error.recovery_needed, "the payment's result is unknown");
        assert!(
            error.detail.contains("stopped reading") && error.detail.contains("limit"),
            "{}",
            error.detail
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Finding 5: the channel-1 slots cannot be held by connections trickling bytes.

#[test]
fn eight_trickling_connections_cannot_keep_the_receipt_connection_out() {
    runtime().block_on(async {
        let transport = Transport::start(session(), endpoint(SocketAddr::new(LOOPBACK, 9), true))
            .await
            .unwrap();
        let listen = transport.listen_address().unwrap();
        let (_commands, mut events) = drive(transport);
        let mut tricklers = Vec::new();
        for _ in 0..8 {
            let mut stream = TcpStream::connect(listen).await.unwrap();
            // The first byte of a length prefix: sent, never a frame.
            stream.write_all(&[0]).await.unwrap();
            tricklers.push(stream);
        }
        let mut receipt = TcpStream::connect(listen).await.unwrap();
        assert_eq!(
            probe(&mut receipt, 1).await.as_deref(),
            Some("1"),
            "the terminal's receipt connection was refused while eight connections trickled"
        );
        events
            .until("the receipt", |e| {
                matches!(e, Event::Output { lines, .. } if lines.iter().any(|l| l.text == "probe"))
            })
            .await;
        assert!(
            closed_by_pos(&mut tricklers[0]).await,
            "the oldest trickler made room"
        );

        // Another one arrives: the next trickler makes room, never the connection that delivered.
        let mut another = TcpStream::connect(listen).await.unwrap();
        another.write_all(&[0]).await.unwrap();
        assert!(closed_by_pos(&mut tricklers[1]).await);
        assert_eq!(probe(&mut receipt, 2).await.as_deref(), Some("2"));
    });
}

#[test]
fn a_frame_that_never_ends_costs_its_connection_and_a_finished_one_does_not() {
    runtime().block_on(async {
        let limits = TransportLimits {
            inbound_frame_timeout: Duration::from_millis(300),
            ..TransportLimits::default()
        };
        let transport = Transport::start_with_limits(
            session(),
            endpoint(SocketAddr::new(LOOPBACK, 9), true),
            limits,
        )
        .await
        .unwrap();
        let listen = transport.listen_address().unwrap();
        let (_commands, _events) = drive(transport);

        let mut trickler = TcpStream::connect(listen).await.unwrap();
        trickler.write_all(&[0, 0]).await.unwrap();
        // One whole device request, then the first bytes of a second that never completes.
        let mut second_stalls = TcpStream::connect(listen).await.unwrap();
        assert_eq!(probe(&mut second_stalls, 1).await.as_deref(), Some("1"));
        second_stalls.write_all(&[0, 0, 1]).await.unwrap();
        let mut served = TcpStream::connect(listen).await.unwrap();
        assert_eq!(probe(&mut served, 2).await.as_deref(), Some("2"));

        assert!(closed_by_pos(&mut trickler).await, "no first frame");
        assert!(closed_by_pos(&mut second_stalls).await, "no second frame");
        // Idle between frames is the idle timeout's business, not the frame bound's.
        assert_eq!(probe(&mut served, 3).await.as_deref(), Some("3"));
    });
}

// ---------------------------------------------------------------------------------------------
// Finding 6: frames count only on the channel they belong to.

#[test]
fn a_card_service_response_on_channel_1_does_not_end_the_payment() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(300);
    h.connect(conn);
    let channel_1 = h.session.handle_inbound(h.now);
    h.receive(
        channel_1,
        &card_response(300, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(
        h.outcomes.is_empty(),
        "an answer on channel 1 ended the payment: {:?}",
        h.outcomes
    );
    assert!(h.others.iter().any(|e| matches!(
        e,
        Event::Diagnostic(Diagnostic::UnmatchedResponse { conn, .. }) if *conn == channel_1
    )));
    h.receive(
        conn,
        &card_response(300, CardRequestType::CardPayment, OverallResult::Failure),
    );
    assert_eq!(h.result_of(payment), OverallResult::Failure);
}

#[test]
fn answers_count_only_on_their_own_channel_0_connection() {
    let mut h = Harness::new(Dialect::OpiNl);
    let (payment, conn) = h.pay(310);
    h.connect(conn);
    let abort = h.abort(311, AbortVia::NewConnection, AbortDisplay::Normal);
    let abort_conn = *h.connects.last().unwrap();
    assert_ne!(abort_conn, conn);
    h.connect(abort_conn);
    // Each answer on the other's connection.
    h.receive(
        conn,
        &card_response(311, CardRequestType::AbortRequest, OverallResult::Success),
    );
    h.receive(
        abort_conn,
        &card_response(310, CardRequestType::CardPayment, OverallResult::Success),
    );
    assert!(
        h.outcomes.is_empty(),
        "an answer on the wrong connection became an outcome: {:?}",
        h.outcomes
    );
    h.receive(
        abort_conn,
        &card_response(311, CardRequestType::AbortRequest, OverallResult::Success),
    );
    h.receive(
        conn,
        &card_response(310, CardRequestType::CardPayment, OverallResult::Aborted),
    );
    assert_eq!(h.result_of(abort), OverallResult::Success);
    assert_eq!(h.result_of(payment), OverallResult::Aborted);
}

#[test]
fn in_dual_socket_mode_misplaced_frames_are_ignored_by_the_real_transport() {
    runtime().block_on(async {
        let terminal = TcpListener::bind(SocketAddr::new(LOOPBACK, 0))
            .await
            .unwrap();
        let transport = Transport::start(session(), endpoint(terminal.local_addr().unwrap(), true))
            .await
            .unwrap();
        let listen = transport.listen_address().unwrap();
        let (commands, mut events) = drive(transport);
        commands.send(Command::Start(Box::new(payment()))).unwrap();
        let (mut channel_0, _) = terminal.accept().await.unwrap();
        let request = read_message(&mut channel_0, &mut FrameDecoder::new()).await;
        assert!(matches!(request, Some(Message::CardServiceRequest(_))));

        // A device request on channel 0 (it belongs on channel 1 here).
        channel_0
            .write_all(&device_request(5, "misplaced"))
            .await
            .unwrap();
        let seen = events
            .until("a diagnostic for the misplaced device request", |e| {
                matches!(e, Event::Diagnostic(Diagnostic::UnexpectedMessage { .. }))
            })
            .await;
        assert!(
            !seen.iter().any(|e| matches!(e, Event::Output { .. })),
            "{seen:#?}"
        );

        // The payment's final answer on channel 1.
        let mut channel_1 = TcpStream::connect(listen).await.unwrap();
        channel_1
            .write_all(&payment_answer(OverallResult::Success))
            .await
            .unwrap();
        let seen = events
            .until("a diagnostic for the misplaced answer", |e| {
                matches!(e, Event::Diagnostic(Diagnostic::UnmatchedResponse { .. }))
            })
            .await;
        assert!(
            !seen.iter().any(|e| matches!(e, Event::Finished { .. })),
            "an answer on channel 1 ended the payment: {seen:#?}"
        );

        // The real answer, where it belongs, is the one outcome.
        channel_0
            .write_all(&payment_answer(OverallResult::Failure))
            .await
            .unwrap();
        let (outcome, _) = events.outcome().await;
        let response = outcome.expect("the terminal's answer");
        assert_eq!(response.overall_result(), &OverallResult::Failure);
    });
}
