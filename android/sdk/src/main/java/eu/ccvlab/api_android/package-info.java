/**
 * The Android entry point ({@link eu.ccvlab.api_android.MAPI}): initialisation with an app's
 * {@code Context}.
 *
 * <p><b>Nullness.</b> {@code @NullMarked}: a parameter or result is never null unless its type says
 * {@code @Nullable} (JSpecify); Kotlin reads these as real types.
 */
@NullMarked
package eu.ccvlab.api_android;

import org.jspecify.annotations.NullMarked;
