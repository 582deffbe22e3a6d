//! `ServiceRequest` / `ServiceResponse`: login, status (Diagnosis), reconciliation (period closing),
//! RepeatLastMessage, and the ServiceRequest form of the AbortRequest.

use serde::{Deserialize, Serialize};

use super::common::{
    Authorisation, CardCircuit, IxRetailNamespace, OriginalHeader, PosData, PrivateData,
    TerminalInfo, TotalAmount,
};
use super::values::{OverallResult, RequestId, ServiceRequestType};

/// A service request on channel 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// What is asked.
    #[serde(rename = "@RequestType")]
    pub request_type: ServiceRequestType,
    /// Name of the POS application.
    #[serde(
        rename = "@ApplicationSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_sender: Option<String>,
    /// The POS workstation.
    #[serde(rename = "@WorkstationID")]
    pub workstation_id: String,
    /// Unique per workstation.
    #[serde(rename = "@RequestID")]
    pub request_id: RequestId,
    /// Point of payment.
    #[serde(rename = "@POPID", default, skip_serializing_if = "Option::is_none")]
    pub pop_id: Option<String>,
    /// A request this one refers to.
    #[serde(
        rename = "@ReferenceRequestID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reference_request_id: Option<RequestId>,
    /// Time and language.
    #[serde(rename = "POSdata", default, skip_serializing_if = "Option::is_none")]
    pub pos_data: Option<PosData>,
    /// Vendor extensions.
    #[serde(
        rename = "PrivateData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_data: Option<PrivateData>,
}

impl ServiceRequest {
    /// A request with only the mandatory attributes set.
    pub fn new(
        request_type: ServiceRequestType,
        workstation_id: &str,
        request_id: RequestId,
    ) -> Self {
        ServiceRequest {
            namespace: IxRetailNamespace,
            request_type,
            application_sender: None,
            workstation_id: workstation_id.to_owned(),
            request_id,
            pop_id: None,
            reference_request_id: None,
            pos_data: None,
            private_data: None,
        }
    }
}

/// `Reconciliation`: totals of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Language of the totals' texts.
    #[serde(
        rename = "@LanguageCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub language_code: Option<String>,
    /// One total per card circuit and payment type.
    #[serde(rename = "TotalAmount", default, skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<TotalAmount>,
}

/// The answer to a [`ServiceRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResponse {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// Echo of the request's type.
    #[serde(rename = "@RequestType")]
    pub request_type: ServiceRequestType,
    /// The terminal application.
    #[serde(
        rename = "@ApplicationSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_sender: Option<String>,
    /// Echo of the workstation.
    #[serde(rename = "@WorkstationID")]
    pub workstation_id: String,
    /// Echo of the request's id.
    #[serde(rename = "@RequestID")]
    pub request_id: RequestId,
    /// Echo of the point of payment.
    #[serde(rename = "@POPID", default, skip_serializing_if = "Option::is_none")]
    pub pop_id: Option<String>,
    /// The result.
    #[serde(rename = "@OverallResult")]
    pub overall_result: OverallResult,
    /// Which terminal answered.
    #[serde(rename = "Terminal", default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<TerminalInfo>,
    /// Carries the time of a reconciliation.
    #[serde(
        rename = "Authorisation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub authorisation: Option<Authorisation>,
    /// Period totals.
    #[serde(
        rename = "Reconciliation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reconciliation: Option<Reconciliation>,
    /// Present in RepeatLastMessage answers.
    #[serde(
        rename = "OriginalHeader",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub original_header: Option<OriginalHeader>,
    /// Accepted card brands of a GetCardCircuits answer, as children of the response.
    #[serde(rename = "CardCircuit", default, skip_serializing_if = "Vec::is_empty")]
    pub card_circuits: Vec<CardCircuit>,
    /// Vendor extensions.
    #[serde(
        rename = "PrivateData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_data: Option<PrivateData>,
}

impl ServiceResponse {
    /// The accepted card brands' codes, wherever the terminal put them (children of the answer or
    /// of its PrivateData): CCV-FW looks for `CardCircuit` anywhere in the answer.
    pub fn card_circuit_codes(&self) -> Vec<String> {
        self.card_circuits
            .iter()
            .chain(
                self.private_data
                    .iter()
                    .flat_map(|p| p.card_circuits.iter()),
            )
            .map(|circuit| circuit.code.trim().to_owned())
            .filter(|code| !code.is_empty())
            .collect()
    }

    /// A response to `request` with only the mandatory attributes set.
    pub fn answering(request: &ServiceRequest, overall_result: OverallResult) -> Self {
        ServiceResponse {
            namespace: IxRetailNamespace,
            request_type: request.request_type.clone(),
            // The answer names the terminal's application, not the POS's.
            application_sender: None,
            workstation_id: request.workstation_id.clone(),
            request_id: request.request_id.clone(),
            pop_id: request.pop_id.clone(),
            overall_result,
            terminal: None,
            authorisation: None,
            reconciliation: None,
            original_header: None,
            card_circuits: Vec::new(),
            private_data: None,
        }
    }
}
