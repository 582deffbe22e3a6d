/**
 * Payment values: what to pay ({@link eu.ccvlab.mapi.core.payment.Payment},
 * {@link eu.ccvlab.mapi.core.payment.Money}) and what the terminal reports back
 * ({@link eu.ccvlab.mapi.core.payment.PaymentResult}, {@link eu.ccvlab.mapi.core.payment.PaymentReceipt},
 * {@link eu.ccvlab.mapi.core.payment.TextLine}, {@link eu.ccvlab.mapi.core.payment.PaymentAdministrationResult}).
 *
 * <p><b>Which names are guesses.</b> CCV's public documentation and the public apps that integrate its SDK
 * confirm the class names {@code Payment} (with a builder and {@code Payment.Type}), {@code Money},
 * {@code PaymentResult}, {@code PaymentAdministrationResult}, {@code PaymentReceipt} ({@code plainTextLines()}),
 * {@code TextLine} ({@code text()}), {@code EReceiptRequest}, {@code DisplayTextRequest} and {@code ConfigData},
 * but not the package they live in: this package ({@code eu.ccvlab.mapi.core.payment}) is a guess for all of
 * them, and so are the accessors not named above ({@code Money.value()}, {@code PaymentResult.stan()},
 * {@code PaymentAdministrationResult.data()}, the fields of {@code EReceiptRequest}, {@code DisplayTextRequest}
 * and {@code ConfigData}). Each class lives in its own file, so a rename is a one-line move.
 *
 * <p>Every value here is immutable and safe to share between threads.
 */
package eu.ccvlab.mapi.core.payment;
