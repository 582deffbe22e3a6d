package eu.ccvlab.mapi.core.api.response.result;

import java.util.Objects;

import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.requests.ResultState;

import org.jspecify.annotations.Nullable;

/**
 * Why a request or an abort did not succeed, delivered to {@code TerminalDelegate.onError}. Not a
 * {@link Throwable}: the name is CCV's, so inside code that imports it, Java's own {@code java.lang.Error}
 * needs its full name.
 *
 * <ul>
 * <li>{@link #mapiError()} set: the SDK ended the flow itself (no connection, timeout, nothing to abort…);
 * {@link #resultState()} is then {@link ResultState#FAILURE}.</li>
 * <li>{@link #mapiError()} null: the terminal answered with a result other than Success, found in
 * {@link #resultState()} (for example FAILURE when an abort came too late), or the SDK refused the call
 * for another reason told by {@link #detail()} (for example an operation not supported yet).</li>
 * <li>{@link #recoveryNeeded()} true: the outcome of a payment is unknown; recover it with
 * {@code TerminalService.recoverPayment} before starting a new one.</li>
 * </ul>
 */
public final class Error {
    private final MAPIError mapiError;
    private final ResultState resultState;
    private final String requestId;
    private final boolean recoveryNeeded;
    private final String detail;

    /**
     * Thread: any.
     *
     * @param mapiError      the SDK's error, or null when the terminal answered
     * @param resultState    the terminal's result, or FAILURE for SDK errors (required)
     * @param requestId      the RequestID concerned, or null when nothing was sent
     * @param recoveryNeeded whether the request's outcome is unknown and must be recovered
     * @param detail         what happened and what to do, for support logs (required)
     * @throws NullPointerException if {@code resultState} or {@code detail} is null
     */
    public Error(@Nullable MAPIError mapiError, ResultState resultState, @Nullable String requestId,
            boolean recoveryNeeded, String detail) {
        this.mapiError = mapiError;
        this.resultState = Objects.requireNonNull(resultState, "resultState must not be null");
        this.requestId = requestId;
        this.recoveryNeeded = recoveryNeeded;
        this.detail = Objects.requireNonNull(detail, "detail must not be null");
    }

    /** @return the SDK's error, or null when the terminal itself answered with a non-success result. Thread: any. */
    public @Nullable MAPIError mapiError() {
        return mapiError;
    }

    /** @return the SDK's error, or null when the terminal itself answered with a non-success result. Thread: any. */
    public @Nullable MAPIError getMapiError() {
        return mapiError;
    }

    /** @return the terminal's result; FAILURE when the SDK ended the flow. Thread: any. */
    public ResultState resultState() {
        return resultState;
    }

    /** @return the terminal's result; FAILURE when the SDK ended the flow. Thread: any. */
    public ResultState getResultState() {
        return resultState;
    }

    /** @return extension: the RequestID concerned, or null when nothing was sent. Thread: any. */
    public @Nullable String requestId() {
        return requestId;
    }

    /** @return extension: the RequestID concerned, or null when nothing was sent. Thread: any. */
    public @Nullable String getRequestId() {
        return requestId;
    }

    /** @return extension: whether the payment's outcome is unknown and must be recovered first. Thread: any. */
    public boolean recoveryNeeded() {
        return recoveryNeeded;
    }

    /** @return extension: whether the payment's outcome is unknown and must be recovered first. Thread: any. */
    public boolean isRecoveryNeeded() {
        return recoveryNeeded;
    }

    /** @return extension: what happened and what to do, in English, for support logs. Thread: any. */
    public String detail() {
        return detail;
    }

    /** @return extension: what happened and what to do, in English, for support logs. Thread: any. */
    public String getDetail() {
        return detail;
    }

    /**
     * For support logs, for example
     * {@code Error{RESPONSE_TIMEOUT, resultState=FAILURE, requestId=42, recoveryNeeded: no answer in 120 s}}.
     * Thread: any.
     *
     * @return a one-line description
     */
    @Override
    public String toString() {
        return "Error{" + (mapiError != null ? mapiError + ", " : "") + "resultState=" + resultState
                + (requestId != null ? ", requestId=" + requestId : "") + (recoveryNeeded ? ", recoveryNeeded" : "")
                + ": " + detail + "}";
    }
}
