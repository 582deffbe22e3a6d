package eu.ccvlab.mapi.core.payment;

import java.util.Objects;

import eu.ccvlab.mapi.core.requests.ResultState;

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

    /**
     * Thread: any.
     *
     * @param resultState the terminal's result (required)
     * @param requestId   the request's RequestID (required)
     * @param requestType the OPI RequestType, for example "AbortRequest", or null
     * @param data        request-specific data, or null
     * @throws NullPointerException if {@code resultState} or {@code requestId} is null
     */
    public PaymentAdministrationResult(ResultState resultState, String requestId, String requestType, S data) {
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
    public String requestType() {
        return requestType;
    }

    /** @return the OPI RequestType (for example "AbortRequest", "Diagnosis"), or null. Thread: any. */
    public String getRequestType() {
        return requestType;
    }

    /** @return request-specific data, or null. Thread: any. */
    public S data() {
        return data;
    }

    /** @return request-specific data, or null. Thread: any. */
    public S getData() {
        return data;
    }

    /** @return every field, for support logs. Thread: any. */
    @Override
    public String toString() {
        return "PaymentAdministrationResult{" + requestType + " " + resultState + ", requestId=" + requestId
                + (data != null ? ", data=" + data : "") + "}";
    }
}
