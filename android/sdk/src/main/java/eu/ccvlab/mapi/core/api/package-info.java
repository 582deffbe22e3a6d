/**
 * The API interfaces the services implement: {@link eu.ccvlab.mapi.core.api.PaymentApi},
 * {@link eu.ccvlab.mapi.core.api.TerminalApi} and {@link eu.ccvlab.mapi.core.api.TokenApi}.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.api;

import org.jspecify.annotations.NullMarked;
