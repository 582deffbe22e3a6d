//! The AbortRequest, and the one place that knows how the unattended "silent" flag is carried.
//!
//! How CCV's IM30 firmware distinguishes a silent abort from a normal one on the wire is not public.
//! This engine carries it as `<PrivateData><SilentAbort>true</SilentAbort></PrivateData>` on the
//! AbortRequest; the simulator reads it through [`is_silent`]. If a real terminal trace shows
//! another encoding, these two functions are the only code to change.

use super::card_service::CardServiceRequest;
use super::common::{PosData, PrivateData};
use super::profile::{AbortRequestId, SilentAbort, WireProfile};
use super::service::ServiceRequest;
use super::values::{CardRequestType, RequestId, ServiceRequestType};

/// Where an abort travels (a property of the abort request, like its display).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortVia {
    /// On the connection that carries the running request (`PaymentService.abort`).
    SameConnection,
    /// On a fresh channel-0 connection (`abortOnNewConnection`, OPI-NL).
    NewConnection,
}

/// Whether the terminal should show its "Aborted" message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbortDisplay {
    /// `PaymentService.abort` and `TokenService.abort(false, …)`: the terminal shows "Aborted".
    Normal,
    /// `TokenService.abort(true, …)`: no display message.
    Silent,
}

/// The CardServiceRequest AbortRequest as CCV's SDK sends it: its own RequestID, on channel 0.
pub fn abort_request(
    workstation_id: &str,
    request_id: RequestId,
    application_sender: Option<&str>,
    pos_timestamp: Option<String>,
    display: AbortDisplay,
) -> CardServiceRequest {
    let mut request =
        CardServiceRequest::new(CardRequestType::AbortRequest, workstation_id, request_id);
    request.application_sender = application_sender.map(str::to_owned);
    request.pos_data = pos_timestamp.map(|timestamp| PosData {
        pos_timestamp: Some(timestamp),
        ..PosData::default()
    });
    request.private_data = silent_marker(display);
    request
}

/// The AbortRequest for the running request `running_id` as `profile` spells it: which RequestID
/// it carries (its own `own_id`, the running one, or its own with `ReferenceRequestID`), whether
/// the silent marker goes out, and POSdata's printer fields.
pub fn profiled_abort_request(
    profile: &WireProfile,
    workstation_id: &str,
    own_id: RequestId,
    running_id: &RequestId,
    application_sender: Option<&str>,
    pos_timestamp: Option<String>,
    display: AbortDisplay,
) -> CardServiceRequest {
    let display = match profile.silent_abort {
        SilentAbort::PrivateData => display,
        SilentAbort::Omit => AbortDisplay::Normal,
    };
    let id = abort_wire_id(profile, own_id, running_id);
    let mut request = abort_request(
        workstation_id,
        id,
        application_sender,
        pos_timestamp,
        display,
    );
    if profile.abort_request_id == AbortRequestId::Referenced {
        request.reference_request_id = Some(running_id.clone());
    }
    if let Some(data) = request.pos_data.as_mut() {
        data.report_devices(profile);
    }
    request
}

/// The RequestID an abort carries under `profile`.
fn abort_wire_id(profile: &WireProfile, own_id: RequestId, running_id: &RequestId) -> RequestId {
    match profile.abort_request_id {
        AbortRequestId::Running => running_id.clone(),
        AbortRequestId::Own | AbortRequestId::Referenced => own_id,
    }
}

/// The ServiceRequest form of the abort that some implementations send, reusing the running RequestID.
pub fn abort_service_request(
    workstation_id: &str,
    running_request_id: RequestId,
    display: AbortDisplay,
) -> ServiceRequest {
    let mut request = ServiceRequest::new(
        ServiceRequestType::AbortRequest,
        workstation_id,
        running_request_id,
    );
    request.private_data = silent_marker(display);
    request
}

fn silent_marker(display: AbortDisplay) -> Option<PrivateData> {
    match display {
        AbortDisplay::Normal => None,
        AbortDisplay::Silent => Some(PrivateData {
            silent_abort: Some(true),
            ..PrivateData::default()
        }),
    }
}

/// Reads the display choice back from an abort's private data (the simulator's side of the encoding).
pub fn is_silent(private_data: Option<&PrivateData>) -> AbortDisplay {
    match private_data.and_then(|data| data.silent_abort) {
        Some(true) => AbortDisplay::Silent,
        _ => AbortDisplay::Normal,
    }
}
