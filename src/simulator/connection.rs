//! Channel 0: the listener and one task per accepted connection. The task owns its socket: it
//! reads frames and hands them to the dispatcher, and it writes whatever the other tasks queue for
//! it, in order, so two responses on one socket never interleave their bytes.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::dispatch;
use super::events::{Channel, ConnectionId, SimEvent};
use super::terminal::{ConnCommand, Shared};
use crate::message::codec::FrameDecoder;

/// Accepts channel-0 connections until shutdown (the caller wraps it in `until_shutdown`).
pub(crate) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let (conn, commands) = shared.register_connection();
                log::info!("simulator: ch0#{conn} connected from {peer}");
                shared.event(SimEvent::Channel0Connected { conn });
                let task_shared = Arc::clone(&shared);
                shared.spawn(serve(task_shared, conn, stream, commands));
            }
            Err(error) => {
                // Typically "too many open files": back off instead of spinning.
                log::warn!("simulator: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Why a connection task stopped reading.
enum End {
    /// The POS closed, or the socket failed.
    Peer,
    /// A scripted fault asked for the close.
    Terminal,
    /// The stream cannot be split into frames any more.
    Framing,
}

async fn serve(
    shared: Arc<Shared>,
    conn: ConnectionId,
    mut stream: TcpStream,
    mut commands: mpsc::UnboundedReceiver<ConnCommand>,
) {
    let channel = Channel::Channel0(conn);
    let mut decoder = FrameDecoder::new();
    let mut buffer = vec![0u8; 8192];
    let end = loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(ConnCommand::Write { bytes, summary }) => {
                    if let Err(error) = stream.write_all(&bytes).await {
                        log::info!("simulator: ch0#{conn}: write failed: {error}");
                        break End::Peer;
                    }
                    shared.event(SimEvent::FrameSent { channel, summary });
                }
                Some(ConnCommand::Close) | None => break End::Terminal,
            },
            read = stream.read(&mut buffer) => {
                let bytes = match read {
                    Ok(count) => buffer.get(..count).unwrap_or_default(),
                    Err(error) => {
                        log::info!("simulator: ch0#{conn}: read failed: {error}");
                        break End::Peer;
                    }
                };
                if bytes.is_empty() {
                    if let Err(error) = decoder.finish() {
                        framing_error(&shared, channel, &error);
                    }
                    break End::Peer;
                }
                decoder.push(bytes);
                if !drain_frames(&shared, conn, &mut decoder) {
                    break End::Framing;
                }
            }
        }
    };
    match end {
        End::Peer => log::info!("simulator: ch0#{conn} closed by the POS"),
        End::Terminal => log::info!("simulator: ch0#{conn} closed by the terminal"),
        End::Framing => log::info!("simulator: ch0#{conn} closed after a framing error"),
    }
    drop(stream);
    shared.connection_closed(conn);
}

/// Dispatches every complete frame; `false` when the stream is desynchronised and must close.
fn drain_frames(shared: &Arc<Shared>, conn: ConnectionId, decoder: &mut FrameDecoder) -> bool {
    loop {
        match decoder.next_frame() {
            Ok(Some(payload)) => dispatch::handle_channel0_payload(shared, conn, payload),
            Ok(None) => return true,
            Err(error) => {
                framing_error(shared, Channel::Channel0(conn), &error);
                return false;
            }
        }
    }
}

fn framing_error(shared: &Shared, channel: Channel, error: &crate::message::codec::FrameError) {
    log::info!("simulator: {channel}: {error}");
    shared.event(SimEvent::FramingError {
        channel,
        error: error.to_string(),
    });
}
