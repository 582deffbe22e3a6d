//! One task per TCP connection: it writes the frames the session queues and reports every byte
//! read, the end of the stream and any error back to the driver. It decides nothing.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::session::ConnId;

/// What a connection task reports to its driver.
#[derive(Debug)]
pub(crate) enum IoEvent {
    Connected(ConnId),
    ConnectFailed(ConnId, String),
    Data(ConnId, Vec<u8>),
    Closed(ConnId, String),
}

const READ_CHUNK: usize = 16 * 1024;

/// Connects to the terminal, then runs the connection. The connect timeout here is a backstop;
/// the session keeps its own deadline.
pub(crate) async fn run_outbound(
    conn: ConnId,
    address: SocketAddr,
    connect_timeout: Duration,
    outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
    events: mpsc::UnboundedSender<IoEvent>,
) {
    let stream = match tokio::time::timeout(connect_timeout, TcpStream::connect(address)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => {
            let reason = connect_error_text(address, &error);
            let _ = events.send(IoEvent::ConnectFailed(conn, reason));
            return;
        }
        Err(_) => {
            let reason = format!(
                "terminal {address} did not accept a connection within {connect_timeout:?} — check the IP address and that the terminal is on and in OPI mode"
            );
            let _ = events.send(IoEvent::ConnectFailed(conn, reason));
            return;
        }
    };
    // Requests are small and latency matters (an abort must leave at once).
    let _ = stream.set_nodelay(true);
    if events.send(IoEvent::Connected(conn)).is_err() {
        return;
    }
    run_stream(conn, stream, None, outgoing, events).await;
}

fn connect_error_text(address: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::ConnectionRefused => format!(
            "terminal {address} refused the connection — check the port and that the terminal is in OPI mode"
        ),
        _ => format!("cannot connect to terminal {address}: {error}"),
    }
}

/// Runs an established connection until either side ends it. With `idle_timeout`, a connection
/// that gets nothing from the POS for that long is closed (channel-1 connections a terminal
/// forgot). Only what the POS writes (an answer) restarts that clock, not what it reads: a peer
/// trickling one byte at a time must not hold a channel-1 slot forever.
pub(crate) async fn run_stream(
    conn: ConnId,
    stream: TcpStream,
    idle_timeout: Option<Duration>,
    mut outgoing: mpsc::UnboundedReceiver<Vec<u8>>,
    events: mpsc::UnboundedSender<IoEvent>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let mut buffer = vec![0u8; READ_CHUNK];
    let idle_deadline = |limit: Duration| tokio::time::Instant::now() + limit;
    let mut idle_at = idle_timeout.map(idle_deadline);
    let reason = loop {
        let idle = async {
            match idle_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            frame = outgoing.recv() => match frame {
                Some(frame) => {
                    if let Err(error) = writer.write_all(&frame).await {
                        break format!("sending to the terminal failed: {error}");
                    }
                    idle_at = idle_timeout.map(idle_deadline);
                }
                None => {
                    // The session closed this connection: everything queued has been written.
                    let _ = writer.shutdown().await;
                    return;
                }
            },
            read = reader.read(&mut buffer) => match read {
                Ok(0) => break "the terminal closed the connection".to_owned(),
                Ok(n) => {
                    if events.send(IoEvent::Data(conn, buffer[..n].to_vec())).is_err() {
                        return;
                    }
                }
                Err(error) => break format!("reading from the terminal failed: {error}"),
            },
            () = idle => break format!(
                "no complete request from the terminal to answer within {idle_timeout:?}"
            ),
        }
    };
    let _ = events.send(IoEvent::Closed(conn, reason));
}
