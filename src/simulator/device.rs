//! Device requests from the simulated terminal to the POS, and waiting for their answer.
//!
//! Dual socket: one short connection to the POS's channel-1 listener per request (connect, send
//! one DeviceRequest, read the DeviceResponse, close), as CCV terminals do. Single socket: the
//! request goes out on the running request's channel-0 connection and the connection task routes
//! the DeviceResponse back by SequenceID. Either way the wait is bounded: a POS that never answers
//! delays the payment, it does not hang it.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::events::{Channel, ConnectionId, ReceivedFrame, SimEvent};
use super::responses::APPLICATION_SENDER;
use super::terminal::Shared;
use crate::dialect::SocketMode;
use crate::message::codec::FrameDecoder;
use crate::message::common::IxRetailNamespace;
use crate::message::{
    CardServiceRequest, DeviceRequest, DeviceRequestType, DeviceResponse, DeviceTarget, Input,
    InputCommand, Message, Output, RequestId, ServiceRequest, TextLine,
};

/// How long the terminal waits for the POS to answer one device request.
pub(crate) const DEVICE_RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The request a device request belongs to: a payment-like card request, or a service request
/// whose answer prints (an overview, a reprint). Its header is echoed on the device request.
pub(crate) trait Running {
    /// WorkstationID, RequestID and POPID of the running request.
    fn header(&self) -> (&str, &RequestId, Option<&String>);
}

impl Running for CardServiceRequest {
    fn header(&self) -> (&str, &RequestId, Option<&String>) {
        (&self.workstation_id, &self.request_id, self.pop_id.as_ref())
    }
}

impl Running for ServiceRequest {
    fn header(&self) -> (&str, &RequestId, Option<&String>) {
        (&self.workstation_id, &self.request_id, self.pop_id.as_ref())
    }
}

/// A device request carrying the running request's header, the terminal id and the next SequenceID.
fn device_request(
    shared: &Shared,
    running: &impl Running,
    request_type: DeviceRequestType,
    outputs: Vec<Output>,
    input: Option<Input>,
) -> DeviceRequest {
    let (workstation_id, request_id, pop_id) = running.header();
    DeviceRequest {
        namespace: IxRetailNamespace,
        request_type,
        application_sender: Some(APPLICATION_SENDER.to_owned()),
        workstation_id: workstation_id.to_owned(),
        terminal_id: Some(shared.terminal_id.clone()),
        request_id: request_id.clone(),
        sequence_id: Some(shared.devices.next_sequence().to_string()),
        pop_id: pop_id.cloned(),
        outputs,
        input,
    }
}

/// Text for one device (display, printer, e-journal).
pub(crate) fn output(
    shared: &Shared,
    running: &impl Running,
    target: DeviceTarget,
    lines: Vec<TextLine>,
) -> DeviceRequest {
    let outputs = vec![Output { target, lines }];
    device_request(shared, running, DeviceRequestType::Output, outputs, None)
}

/// The U1B question: the cashier checks the signature and answers yes or no.
pub(crate) fn signature_question(shared: &Shared, running: &CardServiceRequest) -> DeviceRequest {
    confirmation_question(shared, running, "Signature OK?")
}

/// The U1A question: the cashier checks the customer's identification and answers yes or no.
pub(crate) fn identification_question(
    shared: &Shared,
    running: &CardServiceRequest,
) -> DeviceRequest {
    confirmation_question(shared, running, "Check identification: ID OK?")
}

fn confirmation_question(
    shared: &Shared,
    running: &CardServiceRequest,
    prompt: &str,
) -> DeviceRequest {
    let outputs = vec![Output {
        target: DeviceTarget::CashierDisplay,
        lines: super::receipt::display_lines(&[prompt]),
    }];
    let input = Input {
        target: DeviceTarget::CashierKeyboard,
        command: Some(InputCommand {
            timeout: Some("60".to_owned()),
            command: "GetConfirmation".to_owned(),
            ..InputCommand::default()
        }),
    };
    device_request(
        shared,
        running,
        DeviceRequestType::Input,
        outputs,
        Some(input),
    )
}

/// Sends `request` and waits for its answer; `None` (with an event saying why) when there is none.
/// `conn` is the running request's channel-0 connection, used in single-socket mode.
pub(crate) async fn exchange(
    shared: Arc<Shared>,
    conn: ConnectionId,
    request: DeviceRequest,
) -> Option<DeviceResponse> {
    let sequence_id: u64 = request
        .sequence_id
        .as_deref()
        .and_then(|text| text.parse().ok())
        .unwrap_or(0);
    let target = request
        .input
        .as_ref()
        .map(|input| input.target.clone())
        .or_else(|| request.outputs.first().map(|output| output.target.clone()))
        .unwrap_or(DeviceTarget::CashierDisplay);
    let request_id = request.request_id.clone();
    let message = Message::DeviceRequest(request);
    let frame = match message.to_frame() {
        Ok(frame) => frame,
        Err(error) => return failed(&shared, sequence_id, error.to_string()),
    };
    let channel = match shared.socket_mode {
        SocketMode::DualSocket => Channel::Channel1,
        SocketMode::SingleSocket => Channel::Channel0(conn),
    };
    let outcome = match shared.socket_mode {
        SocketMode::DualSocket => {
            let Some(pos) = shared.pos_address() else {
                return failed(&shared, sequence_id, "no POS channel-1 address set".into());
            };
            shared.event(SimEvent::DeviceRequestSent {
                request_id,
                sequence_id,
                target,
                channel,
            });
            let exchange = over_channel1(&shared, pos, &frame, &message);
            tokio::time::timeout(DEVICE_RESPONSE_TIMEOUT, exchange)
                .await
                .unwrap_or_else(|_| Err("no DeviceResponse within 5 s".to_owned()))
        }
        SocketMode::SingleSocket => {
            let answer = shared.devices.expect(sequence_id, conn);
            let _forget = ForgetOnDrop {
                shared: &shared,
                sequence_id,
            };
            if !shared.send_bytes(conn, frame, message.summary()) {
                return failed(&shared, sequence_id, "channel 0 is closed".into());
            }
            shared.event(SimEvent::DeviceRequestSent {
                request_id,
                sequence_id,
                target,
                channel,
            });
            match tokio::time::timeout(DEVICE_RESPONSE_TIMEOUT, answer).await {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(_)) => Err("channel 0 closed before the DeviceResponse".to_owned()),
                Err(_) => Err("no DeviceResponse within 5 s".to_owned()),
            }
        }
    };
    match outcome {
        Ok(response) => {
            shared.event(SimEvent::DeviceResponseReceived {
                sequence_id,
                result: response.overall_result.clone(),
            });
            Some(response)
        }
        Err(reason) => failed(&shared, sequence_id, reason),
    }
}

fn failed(shared: &Shared, sequence_id: u64, reason: String) -> Option<DeviceResponse> {
    log::info!("simulator: device request #{sequence_id} failed: {reason}");
    shared.event(SimEvent::DeviceRequestFailed {
        sequence_id,
        reason,
    });
    None
}

/// Removes the single-socket waiter when the exchange ends or is cancelled (an abort interrupts
/// the "Present card" display), so a late DeviceResponse is reported as unsolicited.
struct ForgetOnDrop<'a> {
    shared: &'a Shared,
    sequence_id: u64,
}

impl Drop for ForgetOnDrop<'_> {
    fn drop(&mut self) {
        self.shared.devices.forget(self.sequence_id);
    }
}

/// One channel-1 connection: connect, send, read frames (recording each) until the answer.
async fn over_channel1(
    shared: &Shared,
    pos: std::net::SocketAddr,
    frame: &[u8],
    request: &Message,
) -> Result<DeviceResponse, String> {
    let mut stream = TcpStream::connect(pos)
        .await
        .map_err(|e| format!("cannot connect to the POS channel-1 listener {pos}: {e}"))?;
    stream
        .write_all(frame)
        .await
        .map_err(|e| format!("cannot write to channel 1: {e}"))?;
    shared.event(SimEvent::FrameSent {
        channel: Channel::Channel1,
        summary: request.summary(),
    });
    let mut decoder = FrameDecoder::new();
    let mut buffer = vec![0u8; 8192];
    loop {
        let read = stream
            .read(&mut buffer)
            .await
            .map_err(|e| format!("channel 1 read failed: {e}"))?;
        let Some(bytes) = buffer.get(..read).filter(|bytes| !bytes.is_empty()) else {
            return Err("the POS closed channel 1 without a DeviceResponse".to_owned());
        };
        decoder.push(bytes);
        while let Some(payload) = decoder.next_frame().map_err(|e| e.to_string())? {
            let parsed = Message::parse(&payload);
            shared.recorder.frame(ReceivedFrame {
                channel: Channel::Channel1,
                bytes: payload,
                message: parsed.clone(),
            });
            match parsed {
                // The connection carries this one request, so any DeviceResponse answers it.
                Ok(Message::DeviceResponse(response)) => {
                    if response.request_id != *request.request_id() {
                        log::warn!(
                            "simulator: DeviceResponse on channel 1 echoes RequestID {} instead of {}",
                            response.request_id,
                            request.request_id()
                        );
                    }
                    return Ok(response);
                }
                Ok(other) => log::info!(
                    "simulator: ignoring {} on channel 1 while waiting for a DeviceResponse",
                    other.summary()
                ),
                Err(error) => log::info!("simulator: unparsable frame on channel 1: {error}"),
            }
        }
    }
}
