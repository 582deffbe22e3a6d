package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.MAPIError
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult
import eu.ccvlab.mapi.core.payment.PaymentResult
import eu.ccvlab.mapi.core.requests.ResultState

/**
 * How a payment (or a reservation, or a payment recovery) ended: the four final callbacks of
 * `PaymentDelegate` folded into one value, so that a `when` over it must handle every case, including the one a
 * POS must never ignore, [NeedsRecovery].
 *
 * Immutable; read it on any thread.
 */
public sealed class PaymentOutcome {
    /** The RequestID of the payment, the key to recover or look it up; null when nothing was sent. Any thread. */
    public abstract val requestId: String?

    /**
     * The terminal approved the payment: money moved (`onPaymentSuccess`).
     *
     * @property result the approved payment, with amount, STAN, card brand, masked PAN…
     */
    public data class Approved(val result: PaymentResult) : PaymentOutcome() {
        override val requestId: String get() = result.requestId()
    }

    /**
     * The terminal settled the payment without approving it (`onPaymentError`): declined (`FAILURE`), aborted
     * by the POS or the cardholder (`ABORTED`), `TIMED_OUT`, `BUSY`, `DEVICE_UNAVAILABLE`… No money moved.
     *
     * @property result the settled payment; [resultState] says why
     */
    public data class NotApproved(val result: PaymentResult) : PaymentOutcome() {
        override val requestId: String get() = result.requestId()

        /** The terminal's verdict, never `SUCCESS`. Any thread. */
        val resultState: ResultState get() = result.resultState()

        /** Whether the payment ended because an abort (the POS's or the cardholder's) was accepted. Any thread. */
        val isAborted: Boolean get() = result.resultState() == ResultState.ABORTED
    }

    /**
     * The SDK ended the request and knows that no money moved (`onError` without `recoveryNeeded`): another
     * request was running (`FLOW_ALREADY_HAPPENING`), the terminal could not be reached
     * (`FAILED_TO_CONNECT_TO_TERMINAL`)… Safe to try again.
     *
     * @property error why, for the cashier and the support log
     */
    public data class Failed(val error: Error) : PaymentOutcome() {
        override val requestId: String? get() = error.requestId()

        /** The SDK's reason, or null when the terminal refused the request itself. Any thread. */
        val mapiError: MAPIError? get() = error.mapiError()
    }

    /**
     * Nobody knows whether money moved (`onError` with `recoveryNeeded`): the connection dropped or the terminal
     * stopped answering after the request was sent. Settle it with [recoverPaymentAwait] (or
     * `TerminalApi.recoverPayment`) before starting another payment on that terminal.
     *
     * @property error what happened; [requestId] is the payment to recover
     */
    public data class NeedsRecovery(val error: Error) : PaymentOutcome() {
        override val requestId: String? get() = error.requestId()
    }

    internal companion object {
        fun of(error: Error): PaymentOutcome = if (error.recoveryNeeded()) NeedsRecovery(error) else Failed(error)
    }
}

/**
 * The terminal's answer to an abort (`PaymentApi.abort`, `TokenApi.abort`…). A refusal is a normal answer,
 * not an exception: the payment then simply goes on to its own end, which its own caller receives.
 *
 * Immutable; read it on any thread.
 */
public sealed class AbortOutcome {
    /**
     * The terminal accepted the abort; the running payment ends [PaymentOutcome.NotApproved] with `ABORTED`.
     *
     * @property result the AbortRequest's answer
     */
    public data class Accepted(val result: PaymentAdministrationResult<*>) : AbortOutcome()

    /**
     * The terminal refused: too late (the card was already authorised) or not abortable now. The payment goes
     * on to its own end, usually [PaymentOutcome.Approved].
     *
     * @property error the terminal's answer (`mapiError()` null, `resultState()` usually `FAILURE`)
     */
    public data class Refused(val error: Error) : AbortOutcome()

    /**
     * Nothing was running on that terminal (`NOT_A_FLOW_HAPPENING`); nothing was sent.
     *
     * @property error the SDK's explanation
     */
    public data class NothingToAbort(val error: Error) : AbortOutcome()

    /**
     * The abort could not be settled: another abort is already waiting (`SECONDARY_FLOW_ALREADY_HAPPENING`,
     * nothing sent) or the terminal did not answer it (`RESPONSE_TIMEOUT`). The payment's own outcome still
     * arrives to the payment's caller.
     *
     * @property error why
     */
    public data class Failed(val error: Error) : AbortOutcome()

    internal companion object {
        fun of(error: Error): AbortOutcome = when {
            error.mapiError() == null -> Refused(error)
            error.mapiError() == MAPIError.NOT_A_FLOW_HAPPENING -> NothingToAbort(error)
            else -> Failed(error)
        }
    }
}

/**
 * How an administrative request (status, login, period closing, ticket reprint…) ended, with what the
 * terminal printed or displayed while it ran (a period closing's report arrives as a merchant receipt, a
 * reprinted ticket as a customer receipt).
 *
 * Immutable; read it on any thread.
 */
public sealed class AdministrationOutcome {
    /** Display lines, receipts and e-journal the terminal sent before the final answer, in protocol order. */
    public abstract val output: List<TerminalEvent>

    /** Receipts of [kind] in [output], in order. Any thread. */
    public fun receipts(kind: ReceiptKind): List<TerminalEvent.ReceiptReady> =
        output.filterIsInstance<TerminalEvent.ReceiptReady>().filter { it.kind == kind }

    /**
     * The terminal carried the request out (`onPaymentAdministrationSuccess`).
     *
     * @property result the terminal's answer
     */
    public data class Succeeded(
        val result: PaymentAdministrationResult<*>,
        override val output: List<TerminalEvent>,
    ) : AdministrationOutcome()

    /**
     * The request failed (`onError`): refused by the terminal (`mapiError()` null), not reachable, not
     * supported yet by this SDK…
     *
     * @property error why
     */
    public data class Failed(val error: Error, override val output: List<TerminalEvent>) : AdministrationOutcome()
}
