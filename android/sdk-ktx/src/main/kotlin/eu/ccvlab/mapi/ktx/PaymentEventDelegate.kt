package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.Callback
import eu.ccvlab.mapi.core.DeliveryBoxCallback
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback
import eu.ccvlab.mapi.core.payment.DisplayTextRequest
import eu.ccvlab.mapi.core.payment.EReceiptRequest
import eu.ccvlab.mapi.core.payment.MainTextRequest
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult
import eu.ccvlab.mapi.core.payment.PaymentReceipt
import eu.ccvlab.mapi.core.payment.PaymentResult
import eu.ccvlab.mapi.core.payment.TextLine
import java.util.logging.Level

/**
 * The Java delegate of one payment turned into [PaymentEvent]s, shared by the cold flow ([PaymentRun]) and the
 * hot [PaymentHandle] so that both report a terminal's callbacks the same way. Every method runs on the
 * callback executor; subclasses decide where events go.
 */
internal abstract class PaymentEventDelegate : PaymentDelegate {
    /** An event that needs no answer. */
    protected abstract fun push(event: PaymentEvent)

    /** A [PaymentEvent.Question] or [PaymentEvent.SignatureRequest]: the terminal waits for its answer. */
    protected abstract fun ask(event: PaymentEvent)

    /** The payment's final callback. */
    protected abstract fun finish(outcome: PaymentOutcome)

    /** Called after the app or the SDK answered a question this delegate asked; any thread. */
    protected open fun answered() = Unit

    override fun showTerminalOutputLines(lines: List<TextLine>) = push(TerminalEvent.CashierDisplay(lines.toList()))

    override fun showOnCustomerDisplay(mainText: MainTextRequest, lines: DisplayTextRequest) =
        push(PaymentEvent.CustomerDisplay(lines.lines().toList()))

    override fun printMerchantReceiptAndSignature(receipt: PaymentReceipt) =
        push(TerminalEvent.ReceiptReady(ReceiptKind.MERCHANT, receipt))

    override fun printCustomerReceiptAndSignature(receipt: PaymentReceipt) =
        push(TerminalEvent.ReceiptReady(ReceiptKind.CUSTOMER, receipt))

    override fun printJournalReceipt(receipt: PaymentReceipt) =
        push(TerminalEvent.ReceiptReady(ReceiptKind.JOURNAL, receipt))

    override fun printDccOffer(receipt: PaymentReceipt) =
        push(TerminalEvent.ReceiptReady(ReceiptKind.DCC_OFFER, receipt))

    override fun storeEJournal(journal: String) = push(TerminalEvent.EJournal(journal))

    override fun eReceipt(eReceiptRequest: EReceiptRequest) = push(TerminalEvent.EReceiptReady(eReceiptRequest.content()))

    override fun drawCustomerSignature(callback: CustomerSignatureCallback) =
        ask(PaymentEvent.SignatureRequest(callback, ::answered))

    override fun askCustomerIdentification(callback: Callback) =
        ask(PaymentEvent.Question(QuestionKind.CUSTOMER_IDENTIFICATION, callback, ::answered))

    override fun askCustomerSignature(callback: Callback) =
        ask(PaymentEvent.Question(QuestionKind.CUSTOMER_SIGNATURE, callback, ::answered))

    override fun askMerchantSignature(callback: Callback) =
        ask(PaymentEvent.Question(QuestionKind.MERCHANT_SIGNATURE, callback, ::answered))

    override fun onDeliverGoodsOrServices(callback: DeliveryBoxCallback) =
        ask(
            PaymentEvent.Question(
                QuestionKind.GOODS_DELIVERED,
                object : Callback {
                    override fun onSuccess() = callback.proceed(true)

                    override fun onFailure() = callback.proceed(false)
                },
                ::answered,
            ),
        )

    override fun onPaymentSuccess(result: PaymentResult) = finish(PaymentOutcome.Approved(result))

    override fun onPaymentError(result: PaymentResult) = finish(PaymentOutcome.NotApproved(result))

    override fun onError(error: Error) = finish(PaymentOutcome.of(error))

    override fun onPaymentAdministrationSuccess(result: PaymentAdministrationResult<*>) {
        // Not a payment's final callback; reporting it as one would end the flow on a wrong answer.
        MapiCoroutines.logger.log(Level.WARNING, "administration result on a payment delegate ignored: {0}", result)
    }
}
