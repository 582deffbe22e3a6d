package com.example.pos

import eu.ccvlab.mapi.api.PaymentService
import eu.ccvlab.mapi.api.TokenService
import eu.ccvlab.mapi.core.payment.Payment
import eu.ccvlab.mapi.core.terminal.ExternalTerminal
import eu.ccvlab.mapi.ktx.AbortOutcome
import eu.ccvlab.mapi.ktx.PaymentOutcome
import eu.ccvlab.mapi.ktx.abortAwait
import eu.ccvlab.mapi.ktx.paymentAwait

// An app's Kotlin against mapi-sdk-ktx: suspend calls and exhaustive `when`s over the sealed outcomes,
// which only compile when the extensions, the SDK they extend and kotlinx-coroutines all resolved.
class KotlinCheckout(private val terminal: ExternalTerminal) {
    suspend fun pay(payment: Payment): String =
        when (val outcome = PaymentService().paymentAwait(terminal, payment)) {
            is PaymentOutcome.Approved -> "approved ${outcome.requestId}"
            is PaymentOutcome.NotApproved -> "not approved"
            is PaymentOutcome.Failed -> "failed: ${outcome.error}"
            is PaymentOutcome.NeedsRecovery -> "unknown, recover ${outcome.requestId}"
        }

    suspend fun stop(silent: Boolean): Boolean =
        when (TokenService().abortAwait(silent, terminal)) {
            is AbortOutcome.Accepted -> true
            is AbortOutcome.Refused, is AbortOutcome.NothingToAbort, is AbortOutcome.Failed -> false
        }

    suspend fun stopPayment(): AbortOutcome = PaymentService().abortAwait(terminal)
}
