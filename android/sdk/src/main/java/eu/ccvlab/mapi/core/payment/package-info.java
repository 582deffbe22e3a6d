/**
 * Payment values: what to pay ({@link eu.ccvlab.mapi.core.payment.Payment},
 * {@link eu.ccvlab.mapi.core.payment.Money}) and what the terminal reports back
 * ({@link eu.ccvlab.mapi.core.payment.PaymentResult}, {@link eu.ccvlab.mapi.core.payment.PaymentReceipt},
 * {@link eu.ccvlab.mapi.core.payment.TextLine}, {@link eu.ccvlab.mapi.core.payment.PaymentAdministrationResult}).
 *
 * <p><b>Which names are guesses.</b> Public apps built on CCV's SDK 1.33/1.34 import {@code Payment} (with a
 * builder and {@code Payment.Type}), {@code Money}, {@code PaymentResult}, {@code PaymentAdministrationResult},
 * {@code PaymentReceipt} ({@code plainTextLines()}), {@code TextLine} ({@code text()}), {@code EReceiptRequest},
 * {@code DisplayTextRequest} and {@code MainTextRequest} ({@code text()}) from this package (see
 * {@code docs/api-provenance.md}); {@code ConfigData} lives in {@code eu.ccvlab.mapi.core.api.response.result}
 * (the class here is a deprecated subclass). The accessors not seen in those apps ({@code Money.value()},
 * {@code PaymentResult.stan()}, {@code PaymentAdministrationResult.data()}, the fields of
 * {@code EReceiptRequest} and {@code DisplayTextRequest}, the name of {@link eu.ccvlab.mapi.core.payment.Card})
 * are ours. Each class lives in its own file, so a rename is a one-line move.
 *
 * <p>Every value here is immutable and safe to share between threads.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.payment;

import org.jspecify.annotations.NullMarked;
