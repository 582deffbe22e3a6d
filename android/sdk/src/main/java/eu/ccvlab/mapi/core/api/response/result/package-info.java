/**
 * What a failed request or a configuration query reports:
 * {@link eu.ccvlab.mapi.core.api.response.result.Error} and
 * {@link eu.ccvlab.mapi.core.api.response.result.ConfigData}.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.mapi.core.api.response.result;

import org.jspecify.annotations.NullMarked;
