/**
 * The SDK's core types: errors ({@link eu.ccvlab.mapi.core.MAPIError}), the answer to a terminal's question
 * ({@link eu.ccvlab.mapi.core.Callback}) and, as an extension of this SDK, the process-wide settings
 * ({@link eu.ccvlab.mapi.core.MapiConfig}) that let the SDK run without Android.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core;

import org.jspecify.annotations.NullMarked;
