/**
 * The terminal to talk to ({@link eu.ccvlab.mapi.core.terminal.ExternalTerminal}) and how to talk to it
 * ({@link eu.ccvlab.mapi.core.terminal.LanguageCode}, {@link eu.ccvlab.mapi.core.terminal.WireProfile}).
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.terminal;

import org.jspecify.annotations.NullMarked;
