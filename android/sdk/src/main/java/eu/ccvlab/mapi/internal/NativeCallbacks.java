package eu.ccvlab.mapi.internal;

/**
 * What native code calls while a flow runs, always on its engine thread, in protocol order. The signatures
 * are the JNI contract: do not change them. Implementations must return quickly and must not throw (native
 * code logs and clears a thrown exception); {@link DelegateCallbacks} re-posts every call to the callback
 * executor. Every flow ends with exactly one call of {@link #onPaymentResult}, {@link #onAdministrationSuccess}
 * or {@link #onError}.
 */
public interface NativeCallbacks {
    /** Output target: cashier display. */
    int CASHIER_DISPLAY = 0;
    /** Output target: customer display. */
    int CUSTOMER_DISPLAY = 1;
    /** Output target: merchant receipt (OPI Printer). */
    int MERCHANT_RECEIPT = 2;
    /** Output target: customer receipt (OPI PrinterReceipt). */
    int CUSTOMER_RECEIPT = 3;
    /** Output target: journal receipt. */
    int JOURNAL_RECEIPT = 4;
    /** Output target: e-journal; the lines array holds one element, the whole text. */
    int E_JOURNAL = 5;
    /** Output target: a DCC offer to print for the customer. */
    int DCC_OFFER = 6;
    /** Output target: an electronic receipt; the lines array holds one element, the whole text. */
    int E_RECEIPT = 7;

    /** Data kind: configuration, as name, value, name, value… */
    int CONFIG_DATA = 0;
    /** Data kind: the UID of a Mifare card (one element). */
    int CARD_UID = 1;

    /** Question kind: check the customer's signature. */
    int ASK_CUSTOMER_SIGNATURE = 0;
    /** Question kind: check the customer's identity. */
    int ASK_CUSTOMER_IDENTIFICATION = 1;
    /** Question kind: were the goods or the service delivered (DeliveryBox)? */
    int ASK_DELIVER_GOODS = 2;

    /**
     * The terminal sent text for a display, a receipt or the e-journal. Thread: the engine thread.
     *
     * @param target one of the output target constants
     * @param lines  the lines (for {@link #E_JOURNAL} one element: the whole text)
     */
    void onOutput(int target, String[] lines);

    /**
     * The terminal asks a yes/no question. {@code NativeEngine.answerAsk(askHandle, yes)} must be called
     * exactly once, from any thread. Thread: the engine thread.
     *
     * @param kind      one of the question kind constants
     * @param askHandle the handle to answer with
     * @param prompt    the text the terminal shows with the question
     */
    void onAsk(int kind, long askHandle, String[] prompt);

    /**
     * Final: the terminal settled a payment (or a recovery found it settled). Thread: the engine thread.
     *
     * @param success      whether the result is Success
     * @param result       the OPI OverallResult
     * @param requestId    the payment's RequestID
     * @param amount       the amount as a plain decimal, or null
     * @param currency     the ISO 4217 code, or null
     * @param recovered    whether obtained by recovery
     * @param terminalId   the terminal's id, or null
     * @param stan         the STAN, or null
     * @param approvalCode the approval code, or null
     * @param cardCircuit  the card brand, or null
     * @param maskedPan    the masked card number, or null
     * @param token        the card token, or null
     * @param receiptNumber the authorisation's ReceiptNumber, or null
     * @param returnCode   the authorisation's ReturnCode, or null
     * @param actionCode   the authorisation's ActionCode, or null
     */
    void onPaymentResult(boolean success, String result, String requestId, String amount, String currency,
            boolean recovered, String terminalId, String stan, String approvalCode, String cardCircuit,
            String maskedPan, String token, String receiptNumber, String returnCode, String actionCode);

    /**
     * Final: an abort or administrative request succeeded. Thread: the engine thread.
     *
     * @param result      the OPI OverallResult
     * @param requestId   the request's RequestID
     * @param requestType the OPI RequestType, or null
     * @param data        the answer's data (card brands, or one "circuit count amount currency" per total), or null
     * @param terminalId  the TerminalID of the answer's Terminal element, or null
     */
    void onAdministrationSuccess(String result, String requestId, String requestType, String[] data,
            String terminalId);

    /**
     * Data an administrative answer carries, before its final callback. Thread: the engine thread.
     *
     * @param kind   one of the data kind constants
     * @param values the values (see the constant)
     */
    void onData(int kind, String[] values);

    /**
     * Final: the flow failed. Thread: the engine thread.
     *
     * @param mapiError      a {@code MAPIError} constant name, or null when the terminal answered
     * @param result         the terminal's OverallResult, or null
     * @param requestId      the RequestID concerned, or null
     * @param recoveryNeeded whether the outcome is unknown and must be recovered
     * @param detail         what happened, for logs
     */
    void onError(String mapiError, String result, String requestId, boolean recoveryNeeded, String detail);
}
