package eu.ccvlab.mapi.ktx

import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate
import eu.ccvlab.mapi.core.api.response.result.Error
import eu.ccvlab.mapi.core.api.response.result.ConfigData
import eu.ccvlab.mapi.core.payment.EReceiptRequest
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult
import eu.ccvlab.mapi.core.payment.PaymentReceipt
import eu.ccvlab.mapi.core.payment.TextLine
import java.util.logging.Level
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Awaits one abort or administrative request. A [TokenDelegate] is also a TerminalDelegate, so one collector
 * serves every API. Cancellation only stops the waiting: the request was sent and runs to its end; its answer
 * is then logged, since neither an abort nor an administrative request carries a transaction outcome.
 */
// resume(value, onCancellation) is marked experimental but has been in kotlinx.coroutines since 1.2, and it is
// the only way to learn that a value was dropped by a cancellation racing with the resume.
@OptIn(ExperimentalCoroutinesApi::class)
internal suspend fun <T> awaitTerminalRequest(
    what: String,
    settle: (PaymentAdministrationResult<*>?, Error?, List<TerminalEvent>) -> T,
    start: (TokenDelegate) -> Unit,
): T = suspendCancellableCoroutine { continuation ->
    val delegate = object : TokenDelegate {
        private val output = ArrayList<TerminalEvent>()

        private fun add(event: TerminalEvent) = synchronized(output) { output.add(event) }

        private fun done(result: PaymentAdministrationResult<*>?, error: Error?) {
            val value = settle(result, error, synchronized(output) { output.toList() })
            // The hook runs when the caller was cancelled first, even if cancelled before this resume.
            continuation.resume(value) { _ -> dropped(value) }
        }

        private fun dropped(value: T) =
            MapiCoroutines.logger.log(Level.INFO, "{0} answered after its caller stopped waiting: {1}",
                arrayOf(what, value))

        override fun showTerminalOutputLines(lines: List<TextLine>) {
            add(TerminalEvent.CashierDisplay(lines.toList()))
        }

        override fun printMerchantReceiptAndSignature(receipt: PaymentReceipt) {
            add(TerminalEvent.ReceiptReady(ReceiptKind.MERCHANT, receipt))
        }

        override fun printCustomerReceiptAndSignature(receipt: PaymentReceipt) {
            add(TerminalEvent.ReceiptReady(ReceiptKind.CUSTOMER, receipt))
        }

        override fun printJournalReceipt(receipt: PaymentReceipt) {
            add(TerminalEvent.ReceiptReady(ReceiptKind.JOURNAL, receipt))
        }

        override fun storeEJournal(journal: String) {
            add(TerminalEvent.EJournal(journal))
        }

        override fun eReceipt(eReceiptRequest: EReceiptRequest) {
            add(TerminalEvent.EReceiptReady(eReceiptRequest.content()))
        }

        override fun configData(configData: ConfigData) {
            add(TerminalEvent.ConfigReceived(configData))
        }

        override fun cardUID(uid: String) {
            add(TerminalEvent.CardUidRead(uid))
        }

        override fun onPaymentAdministrationSuccess(result: PaymentAdministrationResult<*>) = done(result, null)

        override fun onError(error: Error) = done(null, error)
    }
    start(delegate)
}

internal fun abortOutcome(result: PaymentAdministrationResult<*>?, error: Error?): AbortOutcome =
    if (result != null) AbortOutcome.Accepted(result) else AbortOutcome.of(error!!)

internal fun administrationOutcome(
    result: PaymentAdministrationResult<*>?,
    error: Error?,
    output: List<TerminalEvent>,
): AdministrationOutcome =
    if (result != null) AdministrationOutcome.Succeeded(result, output) else AdministrationOutcome.Failed(error!!, output)
