package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.response.result.ConfigData
import eu.ccvlab.mapi.core.Callback
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback
import eu.ccvlab.mapi.core.payment.PaymentReceipt
import eu.ccvlab.mapi.core.payment.TextLine
import java.util.concurrent.atomic.AtomicBoolean

/**
 * Something a payment produced while it ran, as [PaymentHandle.events] (and the older [paymentEvents]) emit it
 * in protocol order, ending with exactly one [Finished]. Events are emitted in the collector's coroutine context, whatever dispatcher that is.
 */
public sealed interface PaymentEvent {

    /**
     * Text for the customer display (OPI CustomerDisplay, `showOnCustomerDisplay`).
     *
     * @property lines the lines to show
     */
    public data class CustomerDisplay(val lines: List<TextLine>) : PaymentEvent {
        /** The lines' texts. Any thread. */
        val texts: List<String> get() = lines.map { it.text() }
    }

    /**
     * The terminal waits for a yes/no answer from the cashier (`askCustomerSignature`,
     * `askCustomerIdentification`, `askMerchantSignature`, `onDeliverGoodsOrServices`). Call [answer] once,
     * from any thread, now or later (after showing a dialog, say): the terminal waits until then. When a
     * [paymentEvents] collection or a [paymentAwait] stops before an answer, the SDK answers "no" itself; a
     * [PaymentHandle]'s question stays open across re-collection, until answered or [PaymentHandle.abort].
     *
     * @property kind what is asked
     */
    public class Question internal constructor(
        public val kind: QuestionKind,
        private val callback: Callback,
        private val onAnswered: () -> Unit = {},
    ) : PaymentEvent {
        private val answered = AtomicBoolean()

        /** Whether an answer was given (by the app or, after the collection stopped, by the SDK). Any thread. */
        public val isAnswered: Boolean get() = answered.get()

        /**
         * Sends the answer. Thread: any; returns at once.
         *
         * @param yes true for yes (signature OK, identity checked, goods delivered…)
         * @return true if this call's answer was sent, false if the question had been answered already
         */
        public fun answer(yes: Boolean): Boolean {
            if (!answered.compareAndSet(false, true)) return false
            if (yes) callback.onSuccess() else callback.onFailure()
            onAnswered()
            return true
        }

        /** For logs: the question's kind and whether it was answered. Any thread. */
        override fun toString(): String = "Question($kind, answered=$isAnswered)"
    }

    /**
     * The terminal asks for the customer's signature drawn on the POS screen (`drawCustomerSignature`). Call
     * [sign] or [decline] once, from any thread. The SDK declines by itself as it answers a [Question] "no".
     */
    public class SignatureRequest internal constructor(
        private val callback: CustomerSignatureCallback,
        private val onAnswered: () -> Unit = {},
    ) : PaymentEvent {
        private val answered = AtomicBoolean()

        /** Whether a signature or a refusal was sent. Any thread. */
        public val isAnswered: Boolean get() = answered.get()

        /**
         * Hands the customer's signature to the terminal. Thread: any; returns at once.
         *
         * @param png the signature as a PNG image
         * @return true if sent, false if already answered
         */
        public fun sign(png: ByteArray): Boolean {
            if (!answered.compareAndSet(false, true)) return false
            callback.onSignature(png)
            onAnswered()
            return true
        }

        /**
         * The customer did not or could not sign. Thread: any; returns at once.
         *
         * @return true if sent, false if already answered
         */
        public fun decline(): Boolean {
            if (!answered.compareAndSet(false, true)) return false
            callback.onFailure()
            onAnswered()
            return true
        }

        /** For logs. Any thread. */
        override fun toString(): String = "SignatureRequest(answered=$isAnswered)"
    }

    /**
     * The last event: how the payment ended. Handle it without suspending: a collector cancelled while it
     * handles this event makes the SDK hand the outcome to the late-outcome handler as well.
     *
     * @property outcome the payment's outcome
     */
    public data class Finished(val outcome: PaymentOutcome) : PaymentEvent
}

/**
 * Output that any request may produce before its final answer: what [paymentEvents] emits and what
 * [AdministrationOutcome.output] lists.
 */
public sealed interface TerminalEvent : PaymentEvent {

    /**
     * Text for the cashier display (OPI CashierDisplay, `showTerminalOutputLines`), for example
     * "Present card" or "Aborted".
     *
     * @property lines the lines to show
     */
    public data class CashierDisplay(val lines: List<TextLine>) : TerminalEvent {
        /** The lines' texts. Any thread. */
        val texts: List<String> get() = lines.map { it.text() }
    }

    /**
     * A receipt to print or store.
     *
     * @property kind whose copy it is
     * @property receipt its lines
     */
    public data class ReceiptReady(val kind: ReceiptKind, val receipt: PaymentReceipt) : TerminalEvent

    /**
     * E-journal text the POS must store (`storeEJournal`, certification M1A).
     *
     * @property journal the whole e-journal text of the transaction
     */
    public data class EJournal(val journal: String) : TerminalEvent

    /**
     * An electronic receipt for the customer (`eReceipt`), sent during a payment.
     *
     * @property content the whole receipt text
     */
    public data class EReceiptReady(val content: String) : TerminalEvent

    /**
     * The terminal's configuration, answering [getConfigAwait] (`configData`).
     *
     * @property config the values
     */
    public data class ConfigReceived(val config: ConfigData) : TerminalEvent

    /**
     * The UID of the Mifare card read by [readMifareUidAwait] (`cardUID`).
     *
     * @property uid the card's UID, hex
     */
    public data class CardUidRead(val uid: String) : TerminalEvent
}

/** Whose copy a [TerminalEvent.ReceiptReady] is. */
public enum class ReceiptKind {
    /** The merchant's copy (`printMerchantReceiptAndSignature`); also a period closing's report. */
    MERCHANT,

    /** The customer's copy (`printCustomerReceiptAndSignature`); also a reprinted ticket. */
    CUSTOMER,

    /** A journal receipt (`printJournalReceipt`, certification M2A/M3A). */
    JOURNAL,

    /** A dynamic currency conversion offer (`printDccOffer`). */
    DCC_OFFER,
}

/** What a [PaymentEvent.Question] asks. */
public enum class QuestionKind {
    /** Does the customer's signature match the card? "No" declines the payment (certification U1B). */
    CUSTOMER_SIGNATURE,

    /** Did the cashier check the customer's identity? (certification U1A). */
    CUSTOMER_IDENTIFICATION,

    /** Did the merchant sign? */
    MERCHANT_SIGNATURE,

    /** Unattended: were the goods or the service delivered? */
    GOODS_DELIVERED,
}
