/**
 * The services a POS calls: {@link eu.ccvlab.mapi.api.PaymentService} (payments and aborts),
 * {@link eu.ccvlab.mapi.api.TerminalService} (administration and recovery) and
 * {@link eu.ccvlab.mapi.api.TokenService} (unattended aborts; its package is a guess).
 *
 * <p>Services hold no state: create them freely, share them between threads. Every method returns at once;
 * outcomes arrive through the delegate on the callback executor (the main thread after
 * {@code MAPI.initialize}, else {@code MapiConfig.getCallbackExecutor()}), never on a native thread.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.api;

import org.jspecify.annotations.NullMarked;
