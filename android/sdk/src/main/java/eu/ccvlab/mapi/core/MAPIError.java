package eu.ccvlab.mapi.core;

import org.jspecify.annotations.Nullable;

/**
 * Why the SDK itself ended a flow, rather than the terminal settling it. Found in
 * {@link eu.ccvlab.mapi.core.api.response.result.Error#mapiError()}; when the terminal answered
 * with a result other than Success, {@code mapiError()} is {@code null} and the terminal's result is in
 * {@link eu.ccvlab.mapi.core.api.response.result.Error#resultState()} instead.
 */
public enum MAPIError {
    /** A request was started while another one runs on the same terminal; nothing was sent. */
    FLOW_ALREADY_HAPPENING("Another request is already running on this terminal; nothing was sent."),
    /**
     * The connection dropped (or a send failed) while the request ran: its outcome is unknown. Recover it
     * with {@code TerminalService.recoverPayment} before starting a new payment.
     */
    TERMINAL_CONNECTION_LOST("The connection to the terminal was lost while the request ran; its outcome is unknown and must be recovered."),
    /** The terminal could not be reached: check its IP address, port and that it is in OPI mode. */
    FAILED_TO_CONNECT_TO_TERMINAL("The terminal could not be reached; check its IP address, port and that it is in OPI mode."),
    /** The terminal did not answer in time; for a payment, recover it before retrying. */
    RESPONSE_TIMEOUT("The terminal did not answer in time; a payment must be recovered before retrying."),
    /** The terminal or its OPI dialect does not support the authorise-and-capture flow. */
    AUTH_AND_CAP_FLOW_NOT_SUPPORTED("The terminal does not support reservations and captures."),
    /** The terminal sent something that is not a valid answer to the running request. */
    RECEIVED_UNKNOWN_MESSAGE_FROM_TERMINAL("The terminal sent a message that is not a valid answer to the running request."),
    /** The terminal's dialect cannot void a specific (not the last) sale. */
    VOID_SPECIFIC_SALE_NOT_SUPPORTED("This terminal can only void the last transaction, not a specific one."),
    /** An abort was asked while no request runs on that terminal; nothing was sent. */
    NOT_A_FLOW_HAPPENING("There is no running request to abort; nothing was sent."),
    /** An abort was asked while another abort is still waiting for its answer; nothing was sent. */
    SECONDARY_FLOW_ALREADY_HAPPENING("An abort is already waiting for the terminal's answer; nothing was sent."),
    /**
     * (An extension, not in CCV's SDK.) A recovery attempt ended without the terminal's answer about the
     * payment (the terminal was busy, named another request, asked for a ticket reprint…): its outcome is
     * still unknown. The SDK keeps it as a pending payment and, with automatic recovery, tries again.
     * {@code Error.requestId()} names the payment, {@code detail()} says why.
     */
    RECOVERY_PENDING("The recovery did not get the terminal's answer about the payment; its outcome is still unknown."),
    /**
     * (An extension, not in CCV's SDK.) A payment was refused before anything was sent because an earlier
     * payment on this terminal is not settled: {@code Error.requestId()} names it. Recover it with
     * {@code TerminalService.recoverPayment}, or resolve it by hand with
     * {@code TerminalService.resolvePendingPayment} once its outcome is known.
     */
    PAYMENT_PENDING_RECOVERY("An earlier payment on this terminal is not settled; recover or resolve it before a new payment.");

    private final String description;

    MAPIError(String description) {
        this.description = description;
    }

    /**
     * A sentence saying what went wrong, in English, for the merchant or a support log. Thread: any.
     *
     * @return the description, never null
     */
    public String description() {
        return description;
    }

    /**
     * The constant named {@code name}, or {@code null} when {@code name} is {@code null} or unknown (a newer
     * native library may know more errors than this Java API).
     *
     * <p>Thread: any.
     *
     * @param name a constant name such as {@code "RESPONSE_TIMEOUT"}, or {@code null}
     * @return the constant, or {@code null}
     */
    public static @Nullable MAPIError fromName(@Nullable String name) {
        if (name == null) {
            return null;
        }
        for (MAPIError error : values()) {
            if (error.name().equals(name)) {
                return error;
            }
        }
        return null;
    }
}
