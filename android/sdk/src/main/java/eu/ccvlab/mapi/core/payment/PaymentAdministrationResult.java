package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

import eu.ccvlab.mapi.core.requests.ResultState;

import org.jspecify.annotations.Nullable;

/**
 * The successful outcome of an abort or an administrative request (status, login, period closing…),
 * delivered to {@code TerminalDelegate.onPaymentAdministrationSuccess}.
 *
 * @param <S> the type of request-specific data; aborts and the administrative requests of this SDK carry
 *            none ({@link #data()} is null)
 */
public final class PaymentAdministrationResult<S> {
    private final ResultState resultState;
    private final String requestId;
    private final String requestType;
    private final S data;
    private final String terminalId;

    /**
     * Thread: any.
     *
     * @param resultState the terminal's result (required)
     * @param requestId   the request's RequestID (required)
     * @param requestType the OPI RequestType, for example "AbortRequest", or null
     * @param data        request-specific data, or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentAdministrationResult(ResultState resultState, String requestId, @Nullable String requestType,
            @Nullable S data) {
        this(resultState, requestId, requestType, data, null);
    }

    /**
     * Thread: any.
     *
     * @param resultState the terminal's result (required)
     * @param requestId   the request's RequestID (required)
     * @param requestType the OPI RequestType, for example "Diagnosis", or null
     * @param data        request-specific data, or null
     * @param terminalId  the id of the terminal that answered, or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentAdministrationResult(ResultState resultState, String requestId, @Nullable String requestType,
            @Nullable S data, @Nullable String terminalId) {
        this.terminalId = terminalId;
        this.resultState = Objects.requireNonNull(resultState, "resultState must not be null");
        this.requestId = Objects.requireNonNull(requestId, "requestId must not be null");
        this.requestType = requestType;
        this.data = data;
    }

    /** @return the terminal's result (SUCCESS). Thread: any. */
    public ResultState resultState() {
        return resultState;
    }

    /** @return the terminal's result (SUCCESS). Thread: any. */
    public ResultState getResultState() {
        return resultState;
    }

    /** @return the request's RequestID. Thread: any. */
    public String requestId() {
        return requestId;
    }

    /** @return the request's RequestID. Thread: any. */
    public String getRequestId() {
        return requestId;
    }

    /** @return the OPI RequestType (for example "AbortRequest", "Diagnosis"), or null. Thread: any. */
    public @Nullable String requestType() {
        return requestType;
    }

    /** @return the OPI RequestType (for example "AbortRequest", "Diagnosis"), or null. Thread: any. */
    public @Nullable String getRequestType() {
        return requestType;
    }

    /** @return request-specific data, or null. Thread: any. */
    public @Nullable S data() {
        return data;
    }

    /** @return request-specific data, or null. Thread: any. */
    public @Nullable S getData() {
        return data;
    }

    /**
     * The id of the terminal that answered, from the {@code TerminalID} of its answer (OPI {@code Terminal}
     * element); null when the answer carried none (an abort's answer usually does not). Thread: any.
     *
     * @return the terminal's id, or null
     */
    public @Nullable String terminalId() {
        return terminalId;
    }

    /** @return the terminal's id, or null; see {@link #terminalId()}. Thread: any. */
    public @Nullable String getTerminalId() {
        return terminalId;
    }

    /** @return every field, for support logs. Thread: any. */
    @Override
    public String toString() {
        return "PaymentAdministrationResult{" + requestType + " " + resultState + ", requestId=" + requestId
                + (terminalId != null ? ", terminalId=" + terminalId : "") + (data != null ? ", data=" + data : "") + "}";
    }
}
