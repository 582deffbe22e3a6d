/**
 * How the app hands a drawn signature back to the terminal
 * ({@link eu.ccvlab.mapi.core.machine.CustomerSignatureCallback}).
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.machine;

import org.jspecify.annotations.NullMarked;
