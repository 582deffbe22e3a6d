package eu.ccvlab.mapi.bench;

import java.math.BigDecimal;
import java.util.List;

import org.simpleframework.xml.Attribute;
import org.simpleframework.xml.Element;
import org.simpleframework.xml.ElementList;
import org.simpleframework.xml.Namespace;
import org.simpleframework.xml.Root;
import org.simpleframework.xml.Text;

/**
 * Simple XML 2.7 bindings equivalent to the Rust model ({@code src/message}) for the two benchmark messages:
 * the same attributes and elements, optional ones optional, the amount as a decimal, unknown content
 * tolerated ({@code strict = false}), the IXRetail namespace declared on output.
 */
final class SimpleXmlModel {
    private SimpleXmlModel() {
    }

    static final String IXRETAIL = "http://www.nrf-arts.org/IXRetail/namespace";

    @Root(name = "CardServiceResponse", strict = false)
    @Namespace(reference = IXRETAIL)
    static final class CardServiceResponse {
        @Attribute(name = "RequestType") String requestType;
        @Attribute(name = "ApplicationSender", required = false) String applicationSender;
        @Attribute(name = "WorkstationID") String workstationId;
        @Attribute(name = "RequestID") String requestId;
        @Attribute(name = "POPID", required = false) String popId;
        @Attribute(name = "OverallResult") String overallResult;
        @Element(name = "Terminal", required = false) TerminalInfo terminal;
        @Element(name = "Tender", required = false) Tender tender;
        @Element(name = "CardValue", required = false) CardValue cardValue;
        @Element(name = "OriginalHeader", required = false) OriginalHeader originalHeader;
        @Element(name = "PrivateData", required = false) PrivateData privateData;
    }

    @Root(name = "Terminal", strict = false)
    static final class TerminalInfo {
        @Attribute(name = "TerminalID", required = false) String terminalId;
        @Attribute(name = "TerminalBatch", required = false) String terminalBatch;
        @Attribute(name = "STAN", required = false) String stan;
        @Attribute(name = "MerchantID", required = false) String merchantId;
    }

    @Root(name = "Tender", strict = false)
    static final class Tender {
        @Element(name = "TotalAmount", required = false) TotalAmount totalAmount;
        @Element(name = "PaymentAmount", required = false) TotalAmount paymentAmount;
        @Element(name = "Authorisation", required = false) Authorisation authorisation;
    }

    @Root(name = "TotalAmount", strict = false)
    static final class TotalAmount {
        @Attribute(name = "Currency", required = false) String currency;
        @Attribute(name = "NumberPayments", required = false) String numberPayments;
        @Attribute(name = "PaymentType", required = false) String paymentType;
        @Attribute(name = "CardCircuit", required = false) String cardCircuit;
        @Text BigDecimal value;
    }

    @Root(name = "Authorisation", strict = false)
    static final class Authorisation {
        @Attribute(name = "AcquirerID", required = false) String acquirerId;
        @Attribute(name = "AuthorisationType", required = false) String authorisationType;
        @Attribute(name = "CardCircuit", required = false) String cardCircuit;
        @Attribute(name = "CardPAN", required = false) String cardPan;
        @Attribute(name = "Merchant", required = false) String merchant;
        @Attribute(name = "ReceiptNumber", required = false) String receiptNumber;
        @Attribute(name = "ActionCode", required = false) String actionCode;
        @Attribute(name = "ReturnCode", required = false) String returnCode;
        @Attribute(name = "ApprovalCode", required = false) String approvalCode;
        @Attribute(name = "TimeStamp", required = false) String timeStamp;
    }

    @Root(name = "CardValue", strict = false)
    static final class CardValue {
        @Element(name = "CardCircuit", required = false) String cardCircuit;
        @Element(name = "CardPAN", required = false) String cardPan;
        @Element(name = "ExpiryDate", required = false) String expiryDate;
    }

    @Root(name = "OriginalHeader", strict = false)
    static final class OriginalHeader {
        @Attribute(name = "RequestType", required = false) String requestType;
        @Attribute(name = "RequestID", required = false) String requestId;
        @Attribute(name = "WorkstationID", required = false) String workstationId;
        @Attribute(name = "OverallResult", required = false) String overallResult;
    }

    @Root(name = "PrivateData", strict = false)
    static final class PrivateData {
        @Element(name = "CardTechnologyType", required = false) String cardTechnologyType;
        @Element(name = "CardVerificationMethod", required = false) String cardVerificationMethod;
        @Element(name = "ErrorCode", required = false) String errorCode;
        @Element(name = "ErrorText", required = false) String errorText;
        @Element(name = "SilentAbort", required = false) Boolean silentAbort;
    }

    @Root(name = "DeviceRequest", strict = false)
    @Namespace(reference = IXRETAIL)
    static final class DeviceRequest {
        @Attribute(name = "RequestType") String requestType;
        @Attribute(name = "ApplicationSender", required = false) String applicationSender;
        @Attribute(name = "WorkstationID", required = false) String workstationId;
        @Attribute(name = "TerminalID", required = false) String terminalId;
        @Attribute(name = "RequestID") String requestId;
        @Attribute(name = "SequenceID", required = false) String sequenceId;
        @Attribute(name = "POPID", required = false) String popId;
        @ElementList(inline = true, entry = "Output", required = false) List<Output> outputs;
        @Element(name = "Input", required = false) Input input;
    }

    @Root(name = "Output", strict = false)
    static final class Output {
        @Attribute(name = "OutDeviceTarget") String target;
        @ElementList(inline = true, entry = "TextLine", required = false) List<TextLine> lines;
    }

    @Root(name = "TextLine", strict = false)
    static final class TextLine {
        @Attribute(name = "Row", required = false) String row;
        @Attribute(name = "Column", required = false) String column;
        @Attribute(name = "CharSet", required = false) String charSet;
        @Attribute(name = "Erase", required = false) String erase;
        @Attribute(name = "TimeOut", required = false) String timeOut;
        @Attribute(name = "Hidden", required = false) String hidden;
        @Attribute(name = "Alignment", required = false) String alignment;
        @Attribute(name = "CharStyle1", required = false) String charStyle;
        @Text(required = false) String text;
    }

    @Root(name = "Input", strict = false)
    static final class Input {
        @Attribute(name = "InDeviceTarget") String target;
        @Element(name = "Command", required = false) String command;
    }
}
