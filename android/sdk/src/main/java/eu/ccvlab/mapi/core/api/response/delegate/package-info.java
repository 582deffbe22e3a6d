/**
 * The callbacks a request reports through: {@link eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate},
 * {@link eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate} and
 * {@link eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate}. They run on the callback executor.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.api.response.delegate;

import org.jspecify.annotations.NullMarked;
