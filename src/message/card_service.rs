//! `CardServiceRequest` / `CardServiceResponse`: payments, refunds, reversals, pre-authorisations,
//! card reads, ticket reprints, RepeatLastMessage and the AbortRequest.

use serde::{Deserialize, Serialize};

use super::common::{
    Authorisation, CardValue, IxRetailNamespace, OriginalHeader, OriginalTransaction, PosData,
    PrivateData, TerminalInfo, TotalAmount,
};
use super::values::{CardRequestType, OverallResult, RequestId};

/// A card service request on channel 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardServiceRequest {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// What is asked.
    #[serde(rename = "@RequestType")]
    pub request_type: CardRequestType,
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
    /// Unique per workstation; the recovery key.
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
    /// The POS's reference of the transaction a refund refers to (IFSF model attribute; sent only
    /// with the `payment-references = ifsf` profile, see `profile`).
    #[serde(
        rename = "@ReferenceNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reference_number: Option<String>,
    /// Time and language.
    #[serde(rename = "POSdata", default, skip_serializing_if = "Option::is_none")]
    pub pos_data: Option<PosData>,
    /// The transaction a reversal/capture refers to. Written before `TotalAmount`: the IFSF OPI
    /// model orders POSdata, …, OriginalTransaction, TotalAmount, and a terminal that validates
    /// against the schema refuses the other order (FormatError).
    #[serde(
        rename = "OriginalTransaction",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub original_transaction: Option<OriginalTransaction>,
    /// The amount asked.
    #[serde(
        rename = "TotalAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<TotalAmount>,
    /// Acquirer data: the merchant's reference (IFSF model order: after TotalAmount, before
    /// PrivateData).
    #[serde(rename = "Acquirer", default, skip_serializing_if = "Option::is_none")]
    pub acquirer: Option<Acquirer>,
    /// Vendor extensions.
    #[serde(
        rename = "PrivateData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_data: Option<PrivateData>,
}

/// `Acquirer` of a card service request (IFSF model).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acquirer {
    /// The merchant's own reference for the transaction.
    #[serde(
        rename = "@MerchantReference",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub merchant_reference: Option<String>,
}

impl CardServiceRequest {
    /// A request with only the mandatory attributes set.
    pub fn new(request_type: CardRequestType, workstation_id: &str, request_id: RequestId) -> Self {
        CardServiceRequest {
            namespace: IxRetailNamespace,
            request_type,
            application_sender: None,
            workstation_id: workstation_id.to_owned(),
            request_id,
            pop_id: None,
            reference_request_id: None,
            reference_number: None,
            pos_data: None,
            total_amount: None,
            acquirer: None,
            original_transaction: None,
            private_data: None,
        }
    }
}

/// `Tender`: the money part of a card service response. Terminals send `TotalAmount` and
/// `Authorisation` in either order; serde's field matching does not care.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    /// Amount authorised.
    #[serde(
        rename = "TotalAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<TotalAmount>,
    /// Some terminals name it so.
    #[serde(
        rename = "PaymentAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_amount: Option<TotalAmount>,
    /// The acquirer's decision.
    #[serde(
        rename = "Authorisation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub authorisation: Option<Authorisation>,
}

/// The answer to a [`CardServiceRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardServiceResponse {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// Echo of the request's type.
    #[serde(rename = "@RequestType")]
    pub request_type: CardRequestType,
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
    /// Echo of the request's id: the matching key, with the type.
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
    /// Money and authorisation.
    #[serde(rename = "Tender", default, skip_serializing_if = "Option::is_none")]
    pub tender: Option<Tender>,
    /// Card data of card-reading requests.
    #[serde(rename = "CardValue", default, skip_serializing_if = "Option::is_none")]
    pub card_value: Option<CardValue>,
    /// Present in RepeatLastMessage answers: the request being repeated.
    #[serde(
        rename = "OriginalHeader",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub original_header: Option<OriginalHeader>,
    /// Vendor extensions (error codes and texts).
    #[serde(
        rename = "PrivateData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_data: Option<PrivateData>,
}

impl CardServiceResponse {
    /// A response to `request` with only the mandatory attributes set.
    pub fn answering(request: &CardServiceRequest, overall_result: OverallResult) -> Self {
        CardServiceResponse {
            namespace: IxRetailNamespace,
            request_type: request.request_type.clone(),
            // The answer names the terminal's application, not the POS's.
            application_sender: None,
            workstation_id: request.workstation_id.clone(),
            request_id: request.request_id.clone(),
            pop_id: request.pop_id.clone(),
            overall_result,
            terminal: None,
            tender: None,
            card_value: None,
            original_header: None,
            private_data: None,
        }
    }
}
