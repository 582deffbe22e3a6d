/**
 * The bridge between the public API and the native engine ({@code libmapi.so}). <b>Not for apps:</b> nothing
 * here is stable, and calling it directly bypasses the argument checks of the public services.
 *
 * <ul>
 * <li>{@link eu.ccvlab.mapi.internal.NativeEngine}: the native methods (the JNI contract).</li>
 * <li>{@link eu.ccvlab.mapi.internal.NativeTerminal}: an {@code ExternalTerminal} flattened into the fields
 * native code reads.</li>
 * <li>{@link eu.ccvlab.mapi.internal.NativeCallbacks}: the one interface native code calls, on its engine
 * thread; {@link eu.ccvlab.mapi.internal.DelegateCallbacks} implements it by re-posting every call onto the
 * callback executor as a call of the app's delegate.</li>
 * <li>{@link eu.ccvlab.mapi.internal.Flows}: how each public service method starts its native flow.</li>
 * </ul>
 */
package eu.ccvlab.mapi.internal;
