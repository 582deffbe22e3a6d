package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

import eu.ccvlab.mapi.core.requests.ResultState;

import org.jspecify.annotations.Nullable;

/**
 * How the terminal settled a payment (or, with {@link #recovered()}, how a recovery found it settled).
 * Delivered to {@code PaymentDelegate.onPaymentSuccess} when {@link #resultState()} is
 * {@link ResultState#SUCCESS}, else to {@code onPaymentError}. Fields the terminal did not report are null.
 */
public final class PaymentResult {
    private final ResultState resultState;
    private final String requestId;
    private final Money amount;
    private final boolean recovered;
    private final String terminalId;
    private final String stan;
    private final String approvalCode;
    private final String cardCircuit;
    private final String maskedPan;
    private final String token;
    private final String receiptNumber;
    private final String returnCode;
    private final String answerCode;

    /**
     * Thread: any.
     *
     * @param resultState  the terminal's result (required)
     * @param requestId    the payment's RequestID (required)
     * @param amount       the amount, or null
     * @param recovered    whether the result was obtained by recovery (RepeatLastMessage)
     * @param terminalId   the terminal's id, or null
     * @param stan         the STAN (leading zeros kept), or null
     * @param approvalCode the acquirer's approval code, or null
     * @param cardCircuit  the card brand (for example "MAESTRO"), or null
     * @param maskedPan    the card number, masked, or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentResult(ResultState resultState, String requestId, @Nullable Money amount, boolean recovered,
            @Nullable String terminalId, @Nullable String stan, @Nullable String approvalCode,
            @Nullable String cardCircuit, @Nullable String maskedPan) {
        this(resultState, requestId, amount, recovered, terminalId, stan, approvalCode, cardCircuit, maskedPan, null);
    }

    /**
     * Thread: any.
     *
     * @param resultState  the terminal's result (required)
     * @param requestId    the payment's RequestID (required)
     * @param amount       the amount, or null (a card read has none)
     * @param recovered    whether the result was obtained by recovery (RepeatLastMessage)
     * @param terminalId   the terminal's id, or null
     * @param stan         the STAN (leading zeros kept), or null
     * @param approvalCode the acquirer's approval code, or null
     * @param cardCircuit  the card brand (for example "MAESTRO"), or null
     * @param maskedPan    the card number, masked, or null
     * @param token        the card token the terminal issued (asked with {@code ExternalTerminal.requestToken}),
     *                     or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentResult(ResultState resultState, String requestId, @Nullable Money amount, boolean recovered,
            @Nullable String terminalId, @Nullable String stan, @Nullable String approvalCode,
            @Nullable String cardCircuit, @Nullable String maskedPan, @Nullable String token) {
        this(resultState, requestId, amount, recovered, terminalId, stan, approvalCode, cardCircuit, maskedPan, token,
                null, null, null);
    }

    /**
     * Thread: any.
     *
     * @param resultState   the terminal's result (required)
     * @param requestId     the payment's RequestID (required)
     * @param amount        the amount, or null (a card read has none)
     * @param recovered     whether the result was obtained by recovery (RepeatLastMessage)
     * @param terminalId    the terminal's id, or null
     * @param stan          the STAN (leading zeros kept), or null
     * @param approvalCode  the acquirer's approval code, or null
     * @param cardCircuit   the card brand (for example "MAESTRO"), or null
     * @param maskedPan     the card number, masked, or null
     * @param token         the card token the terminal issued, or null
     * @param receiptNumber the receipt number of the authorisation (OPI {@code ReceiptNumber}), or null
     * @param returnCode    the authorisation's return code (OPI {@code ReturnCode}), or null
     * @param answerCode    the acquirer's action code (OPI {@code ActionCode}), or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentResult(ResultState resultState, String requestId, @Nullable Money amount, boolean recovered,
            @Nullable String terminalId, @Nullable String stan, @Nullable String approvalCode,
            @Nullable String cardCircuit, @Nullable String maskedPan, @Nullable String token,
            @Nullable String receiptNumber, @Nullable String returnCode, @Nullable String answerCode) {
        this.receiptNumber = receiptNumber;
        this.returnCode = returnCode;
        this.answerCode = answerCode;
        this.token = token;
        this.resultState = Objects.requireNonNull(resultState, "resultState must not be null");
        this.requestId = Objects.requireNonNull(requestId, "requestId must not be null");
        this.amount = amount;
        this.recovered = recovered;
        this.terminalId = terminalId;
        this.stan = stan;
        this.approvalCode = approvalCode;
        this.cardCircuit = cardCircuit;
        this.maskedPan = maskedPan;
    }

    /** @return the terminal's result. Thread: any. */
    public ResultState resultState() {
        return resultState;
    }

    /** @return the terminal's result. Thread: any. */
    public ResultState getResultState() {
        return resultState;
    }

    /** @return the payment's RequestID (the key to recover it). Thread: any. */
    public String requestId() {
        return requestId;
    }

    /** @return the payment's RequestID (the key to recover it). Thread: any. */
    public String getRequestId() {
        return requestId;
    }

    /** @return the amount, or null when unknown (a recovery without journal). Thread: any. */
    public @Nullable Money amount() {
        return amount;
    }

    /** @return the amount, or null when unknown (a recovery without journal). Thread: any. */
    public @Nullable Money getAmount() {
        return amount;
    }

    /** @return whether this result came from a recovery after a crash or a lost connection. Thread: any. */
    public boolean recovered() {
        return recovered;
    }

    /** @return whether this result came from a recovery after a crash or a lost connection. Thread: any. */
    public boolean isRecovered() {
        return recovered;
    }

    /** @return the terminal's id, or null. Thread: any. */
    public @Nullable String terminalId() {
        return terminalId;
    }

    /** @return the terminal's id, or null. Thread: any. */
    public @Nullable String getTerminalId() {
        return terminalId;
    }

    /** @return the STAN (system trace audit number, leading zeros kept), or null. Thread: any. */
    public @Nullable String stan() {
        return stan;
    }

    /** @return the STAN (system trace audit number, leading zeros kept), or null. Thread: any. */
    public @Nullable String getStan() {
        return stan;
    }

    /** @return the approval code, or null. Thread: any. */
    public @Nullable String approvalCode() {
        return approvalCode;
    }

    /** @return the approval code, or null. Thread: any. */
    public @Nullable String getApprovalCode() {
        return approvalCode;
    }

    /** @return the card brand, or null. Thread: any. */
    public @Nullable String cardCircuit() {
        return cardCircuit;
    }

    /** @return the card brand, or null. Thread: any. */
    public @Nullable String getCardCircuit() {
        return cardCircuit;
    }

    /** @return the masked card number, or null. Thread: any. */
    public @Nullable String maskedPan() {
        return maskedPan;
    }

    /** @return the masked card number, or null. Thread: any. */
    public @Nullable String getMaskedPan() {
        return maskedPan;
    }

    /**
     * The card token the terminal issued when the terminal was configured with {@code requestToken(true)}: store
     * it to charge the same card later. It is card data: never log it. Thread: any.
     *
     * @return the token, or null
     */
    public @Nullable String token() {
        return token;
    }

    /** @return the card token, or null; see {@link #token()}. Thread: any. */
    public @Nullable String getToken() {
        return token;
    }

    /**
     * The terminal's result: the same as {@link #resultState()}, under the name apps written for CCV's SDK use.
     * Thread: any.
     *
     * @return the terminal's result
     */
    public ResultState state() {
        return resultState;
    }

    /** @return the terminal's result; see {@link #state()}. Thread: any. */
    public ResultState getState() {
        return resultState;
    }

    /**
     * The STAN under CCV's SDK name: the same as {@link #stan()} (the terminal's {@code STAN}). Thread: any.
     *
     * @return the STAN (leading zeros kept), or null
     */
    public @Nullable String paymentSTAN() {
        return stan;
    }

    /** @return the STAN, or null; see {@link #paymentSTAN()}. Thread: any. */
    public @Nullable String getPaymentSTAN() {
        return stan;
    }

    /**
     * The card token under CCV's other name: the same as {@link #token()}. It is card data: never log it.
     * Thread: any.
     *
     * @return the token, or null
     */
    public @Nullable String cardToken() {
        return token;
    }

    /** @return the card token, or null; see {@link #cardToken()}. Thread: any. */
    public @Nullable String getCardToken() {
        return token;
    }

    /**
     * The receipt number of the authorisation, from the {@code ReceiptNumber} of the terminal's answer (OPI
     * {@code Authorisation}); null when the terminal sent none. Thread: any.
     *
     * @return the receipt number, or null
     */
    public @Nullable String receiptNumber() {
        return receiptNumber;
    }

    /** @return the receipt number, or null; see {@link #receiptNumber()}. Thread: any. */
    public @Nullable String getReceiptNumber() {
        return receiptNumber;
    }

    /**
     * The authorisation's return code, from the {@code ReturnCode} of the terminal's answer (OPI
     * {@code Authorisation}); null when the terminal sent none. Thread: any.
     *
     * @return the return code, or null
     */
    public @Nullable String returnCode() {
        return returnCode;
    }

    /** @return the return code, or null; see {@link #returnCode()}. Thread: any. */
    public @Nullable String getReturnCode() {
        return returnCode;
    }

    /**
     * The acquirer's answer code. This SDK fills it from the {@code ActionCode} of the terminal's answer (OPI
     * {@code Authorisation}); that CCV's SDK reads the same attribute is our assumption (its documentation does
     * not say). Null when the terminal sent none. Thread: any.
     *
     * @return the answer code, or null
     */
    public @Nullable String answerCode() {
        return answerCode;
    }

    /** @return the answer code, or null; see {@link #answerCode()}. Thread: any. */
    public @Nullable String getAnswerCode() {
        return answerCode;
    }

    /**
     * The transaction reference number. Always null in this SDK: the OPI answers the engine reads carry no such
     * field. Thread: any.
     *
     * @return null
     */
    public @Nullable String trxReferenceNumber() {
        return null;
    }

    /** @return null; see {@link #trxReferenceNumber()}. Thread: any. */
    public @Nullable String getTrxReferenceNumber() {
        return null;
    }

    /**
     * Hash data of the card. Always null in this SDK: the OPI answers the engine reads carry no such field.
     * Thread: any.
     *
     * @return null
     */
    public @Nullable String hashData() {
        return null;
    }

    /** @return null; see {@link #hashData()}. Thread: any. */
    public @Nullable String getHashData() {
        return null;
    }

    /**
     * The card: its masked number ({@link #maskedPan()}) and brand ({@link #cardCircuit()}); null when the
     * terminal reported neither. Thread: any.
     *
     * @return the card, or null
     */
    public @Nullable Card card() {
        return maskedPan == null && cardCircuit == null ? null : new Card(maskedPan, cardCircuit);
    }

    /** @return the card, or null; see {@link #card()}. Thread: any. */
    public @Nullable Card getCard() {
        return card();
    }

    /** @return every field, for support logs (the card number is masked, the token left out). Thread: any. */
    @Override
    public String toString() {
        return "PaymentResult{" + resultState + ", requestId=" + requestId + ", amount=" + amount
                + (recovered ? ", recovered" : "") + ", terminalId=" + terminalId + ", stan=" + stan
                + ", approvalCode=" + approvalCode + ", cardCircuit=" + cardCircuit + ", pan=" + maskedPan
                + ", receiptNumber=" + receiptNumber + ", returnCode=" + returnCode + ", answerCode=" + answerCode
                + (token != null ? ", token=<redacted>" : "") + "}";
    }
}
