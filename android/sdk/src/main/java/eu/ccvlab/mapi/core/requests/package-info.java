/**
 * The terminal's verdict on a request ({@link eu.ccvlab.mapi.core.requests.ResultState}).
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.requests;

import org.jspecify.annotations.NullMarked;
