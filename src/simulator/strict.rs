//! A strict terminal: one that takes only one wire profile's spelling of each part of a request on
//! which public sources disagree, and answers the other spellings the way a terminal that
//! validates its input would. Tests use it to cover both sides of every disagreement, and `pay
//! conformance` is tested by finding the profile the simulator plays. Pure: no I/O.

use crate::message::profile::{AbortRequestId, FieldForm};
use crate::message::{
    CardRequestType, Message, OverallResult, PosData, RequestId, ServiceRequestType, WireProfile,
};

/// What a terminal playing `profile` answers at once instead of running `message`, or `None` when
/// it takes the message. `running` is the RequestID of the payment running now, if any.
pub(crate) fn refusal(
    profile: &WireProfile,
    message: &Message,
    running: Option<&RequestId>,
) -> Option<OverallResult> {
    let pos_data = match message {
        Message::CardServiceRequest(request) => request.pos_data.as_ref(),
        Message::ServiceRequest(request) => request.pos_data.as_ref(),
        _ => return None,
    };
    if pos_data.is_some_and(|data| !pos_data_fits(profile, data)) {
        // A schema-validating terminal refuses an attribute where it expects an element.
        return Some(OverallResult::FormatError);
    }
    match message {
        Message::ServiceRequest(request) => {
            let asked = &request.request_type;
            let status = matches!(
                asked,
                ServiceRequestType::GetStatus | ServiceRequestType::Diagnosis
            );
            let circuits = matches!(
                asked,
                ServiceRequestType::GetCardCircuits | ServiceRequestType::CardCircuits
            );
            let other_spelling = (status && *asked != profile.status_type())
                || (circuits && *asked != profile.card_circuits_type());
            other_spelling.then_some(OverallResult::NotSupported)
        }
        Message::CardServiceRequest(request)
            if request.request_type == CardRequestType::AbortRequest =>
        {
            // With nothing running the abort is refused anyway, whatever its spelling.
            let running = running?;
            let fits = match profile.abort_request_id {
                AbortRequestId::Own => request.request_id != *running,
                AbortRequestId::Running => request.request_id == *running,
                AbortRequestId::Referenced => {
                    request.request_id != *running
                        && request.reference_request_id.as_ref() == Some(running)
                }
            };
            (!fits).then_some(OverallResult::ValidationError)
        }
        _ => None,
    }
}

fn pos_data_fits(profile: &WireProfile, data: &PosData) -> bool {
    let fits = |form: FieldForm, attribute: &Option<String>, element: &Option<String>| match form {
        FieldForm::Attribute => element.is_none(),
        FieldForm::Element => attribute.is_none(),
    };
    fits(
        profile.language_code,
        &data.language_code,
        &data.language_code_element,
    ) && fits(
        profile.shift_number,
        &data.shift_number_attribute,
        &data.shift_number,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::abort::{abort_request, AbortDisplay};
    use crate::message::{CardServiceRequest, ServiceRequest};

    fn id(text: &str) -> RequestId {
        RequestId::from(text)
    }

    #[test]
    fn each_profile_takes_its_own_spelling_and_refuses_the_other() {
        let nl = WireProfile::OPI_NL;
        let de = WireProfile::OPI_DE;
        let status = |kind| Message::ServiceRequest(ServiceRequest::new(kind, "POS1", id("5")));
        assert_eq!(
            refusal(&nl, &status(ServiceRequestType::GetStatus), None),
            None
        );
        assert_eq!(
            refusal(&nl, &status(ServiceRequestType::Diagnosis), None),
            Some(OverallResult::NotSupported)
        );
        assert_eq!(
            refusal(&de, &status(ServiceRequestType::Diagnosis), None),
            None
        );
        // Login is no disputed name: every profile takes it.
        assert_eq!(refusal(&de, &status(ServiceRequestType::Login), None), None);

        let mut login = ServiceRequest::new(ServiceRequestType::Login, "POS1", id("6"));
        let mut data = PosData::default();
        data.set_shift(FieldForm::Element, "3");
        login.pos_data = Some(data);
        let login = Message::ServiceRequest(login);
        assert_eq!(refusal(&de, &login, None), None);
        assert_eq!(refusal(&nl, &login, None), Some(OverallResult::FormatError));
    }

    #[test]
    fn an_abort_fits_only_with_the_profiles_request_id() {
        let running = id("41");
        let abort = |own: &str, reference: Option<&str>| {
            let mut request: CardServiceRequest =
                abort_request("POS1", id(own), None, None, AbortDisplay::Normal);
            request.reference_request_id = reference.map(id);
            Message::CardServiceRequest(request)
        };
        let with = |abort_request_id| WireProfile {
            abort_request_id,
            ..WireProfile::OPI_NL
        };
        let refused = Some(OverallResult::ValidationError);
        let own = with(AbortRequestId::Own);
        let same = with(AbortRequestId::Running);
        let referenced = with(AbortRequestId::Referenced);
        assert_eq!(refusal(&own, &abort("42", None), Some(&running)), None);
        assert_eq!(refusal(&own, &abort("41", None), Some(&running)), refused);
        assert_eq!(refusal(&same, &abort("41", None), Some(&running)), None);
        assert_eq!(refusal(&same, &abort("42", None), Some(&running)), refused);
        assert_eq!(
            refusal(&referenced, &abort("42", None), Some(&running)),
            refused
        );
        assert_eq!(
            refusal(&referenced, &abort("42", Some("41")), Some(&running)),
            None
        );
        assert_eq!(refusal(&same, &abort("42", None), None), None);
    }
}
