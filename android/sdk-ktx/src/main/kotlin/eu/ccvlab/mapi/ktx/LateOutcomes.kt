package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.MapiConfig
import eu.ccvlab.mapi.core.payment.Payment
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import java.util.logging.Level
import java.util.logging.Logger

/**
 * A payment outcome that arrived after the coroutine waiting for it had stopped (cancelled, timed out, or its
 * collector threw), or a [PaymentHandle]'s outcome that nobody awaited or collected when it arrived. The payment
 * may well have been approved: record it like any other outcome.
 *
 * @property terminal the terminal the payment ran on
 * @property payment what was asked (type and amount), or null for a recovery
 * @property outcome how the terminal settled it
 * @property abortSent whether an AbortRequest was sent for it (a stopped coroutine's, or [PaymentHandle.abort]);
 *   false when the payment had already ended by then, or for a recovery (nothing to abort)
 */
public data class LatePaymentOutcome(
    val terminal: ExternalTerminal,
    val payment: Payment?,
    val outcome: PaymentOutcome,
    val abortSent: Boolean,
)

/**
 * Receives what a stopped payment coroutine can no longer return. Both methods run on the SDK's callback
 * executor (`MapiConfig.getCallbackExecutor()`: the main thread after `MAPI.initialize`), one at a time; an
 * exception they throw is logged and ignored. Set one for the whole app in [MapiCoroutines.lateOutcomeHandler]
 * or pass one to a single call.
 */
public fun interface LateOutcomeHandler {
    /**
     * The payment's final outcome, exactly once per stopped payment whose outcome the caller did not receive.
     *
     * @param late the outcome and the payment it belongs to
     */
    public fun onLateOutcome(late: LatePaymentOutcome)

    /**
     * The terminal's answer to the AbortRequest sent because a payment coroutine stopped. [AbortOutcome.Refused]
     * means the payment goes on (too late to abort) and [onLateOutcome] will tell how it ended: a good moment
     * to tell the cashier. Default: logged at INFO.
     *
     * @param terminal the terminal
     * @param outcome the abort's outcome
     */
    public fun onCancellationAbort(terminal: ExternalTerminal, outcome: AbortOutcome) {
        MapiCoroutines.logger.log(Level.INFO, "abort sent on cancellation, {0}: {1}", arrayOf(terminal, outcome))
    }
}

/** Process-wide settings of the coroutine extensions. Every member may be used from any thread. */
public object MapiCoroutines {
    internal val logger: Logger = Logger.getLogger("eu.ccvlab.mapi.ktx")

    /**
     * The handler a payment call uses when none is passed: [LateOutcomes.recorder], which writes each late
     * outcome to the state directory until the app acknowledges it ([LateOutcomes.records]). Replace it with one
     * that books the outcome in the POS's own records if the POS has such a place (an approved payment means
     * money moved); a replacement must be as durable. Read when the call starts. Thread: any.
     */
    @Volatile
    @JvmStatic
    public var lateOutcomeHandler: LateOutcomeHandler = LateOutcomes.recorder

    internal fun onCallbackExecutor(what: String, block: () -> Unit) {
        val task = Runnable {
            try {
                block()
            } catch (failure: Throwable) {
                logger.log(Level.SEVERE, "$what threw", failure)
            }
        }
        try {
            MapiConfig.getCallbackExecutor().execute(task)
        } catch (rejected: RuntimeException) {
            // An app that shut its executor down still must not lose a payment outcome: run it here instead.
            task.run()
        }
    }
}
