package eu.ccvlab.mapi.core;

import java.io.File;
import java.io.IOException;

import eu.ccvlab.mapi.internal.NativeTrace;

/**
 * A masked trace of every message exchanged with the payment terminals, to send to support when something goes
 * wrong in the field (an extension of this SDK; CCV's SDK has no equivalent). Off by default.
 *
 * <p>While enabled, every frame the SDK sends or receives on every terminal connection, on both channels, is written
 * to the file as one JSON line with its UTC time, a monotonic offset, its direction, channel, connection and peer
 * address. Card data is masked before it reaches the file: card numbers show the first 6 and last 4 digits, track
 * data and card tokens are removed, and any other run of 13 or more digits is masked like a card number. The file
 * stops growing at its size limit (a last line says so); enable the trace again to start a new one. Support can
 * replay the file into the simulator to reproduce the problem ({@code mapi::simulator::replay}).
 *
 * <pre>{@code
 * WireTrace.enable(new File(context.getFilesDir(), "mapi-trace.jsonl"));
 * // … reproduce the problem …
 * WireTrace.export(new File(context.getCacheDir(), "for-support.jsonl"));   // attach it to the ticket
 * WireTrace.disable();
 * }</pre>
 *
 * <p>Threads: every method may be called from any thread, and blocks its caller for file work: {@link #enable}
 * creates the file and writes its header on the calling thread; {@link #disable} and {@link #export} wait (up to a
 * few seconds) for the trace's own writer thread, which flushes and copies the file ({@link #export} after
 * {@link #disable} copies on the calling thread). On Android call them off the main thread. The SDK's engine thread
 * never waits for the disk: it only hands frames to the writer thread. The trace applies to connections opened
 * after {@link #enable}, so a payment already running is traced from the next request on.
 */
public final class WireTrace {
    /** Default size limit: 4 MiB, a few hundred payments with their receipts. */
    public static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024;
    /** Smallest size limit accepted: 16 KiB. */
    public static final long MIN_MAX_BYTES = 16L * 1024;

    private WireTrace() {
    }

    /**
     * Starts tracing into {@code file} with the default size limit ({@link #DEFAULT_MAX_BYTES}).
     *
     * @param file the trace file; created with its directory, or truncated
     * @throws IOException when the file cannot be created or written
     */
    public static void enable(File file) throws IOException {
        enable(file, DEFAULT_MAX_BYTES);
    }

    /**
     * Starts tracing into {@code file}, replacing a trace that runs.
     *
     * @param file     the trace file; created with its directory, or truncated
     * @param maxBytes size limit in bytes, at least {@link #MIN_MAX_BYTES}
     * @throws IOException when the file cannot be created or written
     * @throws NullPointerException when {@code file} is null
     * @throws IllegalArgumentException when {@code maxBytes} is below {@link #MIN_MAX_BYTES}
     */
    public static void enable(File file, long maxBytes) throws IOException {
        if (file == null) {
            throw new NullPointerException("file must not be null");
        }
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MIN_MAX_BYTES + ", was " + maxBytes);
        }
        try {
            NativeTrace.enable(file.getPath(), maxBytes);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Stops tracing; the file stays, closed with a last line that counts its records. Does nothing when no trace
     * runs.
     *
     * @throws IOException when the trace could not be written completely (for example the disk is full)
     */
    public static void disable() throws IOException {
        try {
            NativeTrace.disable();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Copies the running trace (or, once disabled, the last one) to {@code destination}, for example to attach it
     * to a support ticket. Tracing carries on.
     *
     * @param destination where to copy it (overwritten); not the trace file itself
     * @return the number of bytes copied
     * @throws IOException when the copy fails
     * @throws NullPointerException when {@code destination} is null
     * @throws IllegalStateException when no trace was enabled since the app started
     */
    public static long export(File destination) throws IOException {
        if (destination == null) {
            throw new NullPointerException("destination must not be null");
        }
        try {
            return NativeTrace.export(destination.getPath());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
