package eu.ccvlab.mapi.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.SocketMode;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal.TerminalType;
import eu.ccvlab.mapi.internal.NativeEngine;
import eu.ccvlab.mapi.internal.NativeTerminal;

/**
 * A simulated CCV payment terminal inside the test process: a real OPI terminal on a free loopback TCP port,
 * speaking OPI-NL or OPI-DE in dual or single socket mode, following a {@link Scenario}. The app's payment code
 * reaches it through {@link #terminal()} like any terminal; the test then reads what arrived on the wire
 * ({@link #receivedFrames()}) and synchronises with the terminal's progress ({@link #awaitStep}) instead of
 * sleeping.
 *
 * <pre>{@code
 * try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_ACCEPTED)) {
 *     ExternalTerminal terminal = simulator.terminal();
 *     new PaymentService().payment(terminal, sale, paymentDelegate);
 *     simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
 *     new PaymentService().abort(terminal, abortDelegate);
 *     // … paymentDelegate gets onPaymentError(ABORTED), abortDelegate onPaymentAdministrationSuccess
 *     assertEquals(1, simulator.abortRequests().size());
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Every method may be called from any thread. {@link #start}, {@link #terminal()},
 * {@link #attach} and {@link #close()} block briefly (they bind or close sockets); {@link #awaitStep} blocks
 * until the step or the timeout, so never call it on Android's main thread while the SDK delivers callbacks
 * there. The other methods return at once. After {@link #close()}, every method but {@code close} throws
 * {@link IllegalStateException}.
 *
 * <p>This class needs {@code libmapi_simulator.so}, which the {@code mapi-sdk-testing} artifact adds next to the
 * SDK's own {@code libmapi.so}; without it, it fails with {@link UnsatisfiedLinkError}.
 */
public final class TerminalSimulator implements AutoCloseable {
    static {
        // The simulator's own library: the SDK's libmapi.so, which an app's release also ships, has none of
        // these natives.
        System.loadLibrary("mapi_simulator");
    }

    /** How long {@link #awaitStep(Step)} waits at most: a guard that only a failing test reaches. */
    public static final long DEFAULT_WAIT_MILLIS = 20_000;

    /** The request type of an abort, as {@link ReceivedFrame#requestType()} reports it. */
    public static final String ABORT_REQUEST = "AbortRequest";

    /** Each simulator gets its own workstation id, so the engine gives it its own session. */
    private static final AtomicInteger WORKSTATIONS = new AtomicInteger();

    /** The steps of a payment run the simulator reports, in the order they happen. */
    public enum Step {
        /** The payment request arrived and is the running payment. */
        REQUEST_RECEIVED("RequestReceived"),
        /** Waiting for the card: an abort now is accepted (F1A). */
        AWAITING_CARD("AwaitingCard"),
        /** The payment is authorised: from here on an abort is refused (F1B). */
        AUTHORISED("Authorised"),
        /** Waiting to complete the authorised payment. */
        AWAITING_COMPLETION("AwaitingCompletion"),
        /** About to send the payment's response (also reached when a fault then withholds it). */
        RESPONDING("Responding");

        private final String nativeName;

        Step(String nativeName) {
            this.nativeName = nativeName;
        }
    }

    private final long handle;
    private final TerminalType type;
    private final SocketMode socketMode;
    private final String workstationId;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TerminalSimulator(Scenario scenario, TerminalType type, SocketMode socketMode) {
        this.type = type;
        this.socketMode = socketMode;
        this.workstationId = "SIM" + WORKSTATIONS.incrementAndGet();
        // Codes as NativeTerminal's dialect and socketMode fields.
        this.handle = nativeStart(type == TerminalType.OPI_DE ? 1 : 0, socketMode == SocketMode.SINGLE_SOCKET ? 1 : 0,
                scenario.presetName());
    }

    /**
     * Starts an OPI-NL terminal in dual socket mode (CCV's default layout) on a free loopback port. Thread: any;
     * blocks briefly.
     *
     * @param scenario what it does with payments
     * @return the running simulator; close it when the test ends
     * @throws NullPointerException if {@code scenario} is null
     */
    public static TerminalSimulator start(Scenario scenario) {
        return start(scenario, TerminalType.OPI_NL, SocketMode.DUAL_SOCKET);
    }

    /**
     * Starts a terminal of the given dialect and socket mode on a free loopback port. Thread: any; blocks
     * briefly.
     *
     * @param scenario   what it does with payments
     * @param type       OPI-NL or OPI-DE
     * @param socketMode where its device requests go: dual socket (to the POS's compatibility port) or single
     *                   socket (on the request's own connection)
     * @return the running simulator; close it when the test ends
     * @throws NullPointerException if an argument is null
     */
    public static TerminalSimulator start(Scenario scenario, TerminalType type, SocketMode socketMode) {
        Objects.requireNonNull(scenario, "scenario must not be null");
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(socketMode, "socketMode must not be null");
        return new TerminalSimulator(scenario, type, socketMode);
    }

    /**
     * The loopback port the terminal listens on (channel 0). Thread: any.
     *
     * @return the port
     * @throws IllegalStateException after {@link #close()}
     */
    public int port() {
        return nativePort(handle);
    }

    /**
     * The dialect this terminal speaks. Thread: any.
     *
     * @return OPI-NL or OPI-DE
     */
    public TerminalType terminalType() {
        return type;
    }

    /**
     * How this terminal sends its device requests. Thread: any.
     *
     * @return dual or single socket
     */
    public SocketMode socketMode() {
        return socketMode;
    }

    /**
     * A builder that reaches this simulator: loopback, its port, its dialect and socket mode, a free compatibility
     * port (0) and a workstation id of its own. Add settings (timeouts, language…) and pass it to
     * {@link #terminal(ExternalTerminal.Builder)}. Thread: any.
     *
     * @return a new builder
     * @throws IllegalStateException after {@link #close()}
     */
    public ExternalTerminal.Builder terminalBuilder() {
        return ExternalTerminal.builder()
                .ipAddress("127.0.0.1")
                .port(port())
                .compatibilityPort(0)
                .terminalType(type)
                .socketMode(socketMode)
                .workstationId(workstationId);
    }

    /**
     * {@code terminal(terminalBuilder())}: the terminal to pass to the SDK's services. Thread: any; blocks
     * briefly.
     *
     * @return the terminal
     * @throws IllegalStateException after {@link #close()}
     */
    public ExternalTerminal terminal() {
        return terminal(terminalBuilder());
    }

    /**
     * Builds the terminal and {@linkplain #attach attaches} it. Thread: any; blocks briefly.
     *
     * @param builder from {@link #terminalBuilder()}, possibly with more settings
     * @return the terminal
     * @throws NullPointerException  if {@code builder} is null
     * @throws IllegalStateException after {@link #close()}
     */
    public ExternalTerminal terminal(ExternalTerminal.Builder builder) {
        return attach(Objects.requireNonNull(builder, "builder must not be null").build());
    }

    /**
     * Wires a terminal the app built itself to this simulator: in dual socket mode, starts the SDK's session for
     * it and tells the simulator the POS's actual compatibility port, so device requests (display lines, receipts,
     * questions) reach the app. The terminal must point at {@code 127.0.0.1:}{@link #port()} with this
     * simulator's dialect and socket mode. Use the returned terminal unchanged for every later call, and set
     * {@code MapiConfig} (state directory) before attaching: a terminal with other settings is another SDK
     * session, whose compatibility port the simulator does not know. Thread: any; blocks briefly.
     *
     * @param terminal the terminal
     * @return {@code terminal}
     * @throws NullPointerException  if {@code terminal} is null
     * @throws IllegalStateException after {@link #close()}, or if the SDK session has no compatibility port
     */
    public ExternalTerminal attach(ExternalTerminal terminal) {
        Objects.requireNonNull(terminal, "terminal must not be null");
        checkOpen();
        if (terminal.socketMode() == SocketMode.DUAL_SOCKET) {
            int posPort = NativeEngine.listenPort(NativeTerminal.from(terminal));
            if (posPort <= 0) {
                throw new IllegalStateException("the SDK's session has no compatibility port (got " + posPort + ")");
            }
            nativeSetPosPort(handle, posPort);
        }
        return terminal;
    }

    /**
     * Switches the scenario for the next payment run; a running payment keeps the one it started with.
     * Thread: any.
     *
     * @param scenario the new scenario
     * @throws NullPointerException  if {@code scenario} is null
     * @throws IllegalStateException after {@link #close()}
     */
    public void setScenario(Scenario scenario) {
        nativeSetScenario(handle, Objects.requireNonNull(scenario, "scenario must not be null").presetName());
    }

    /**
     * The cardholder presents the card now ({@link Scenario#HOLD}, or earlier than {@link Scenario#ABORT_ACCEPTED}
     * would). Opens the gate once, for the payment waiting there or the next one to arrive there; a release no
     * payment used is dropped when the running payment ends. Thread: any.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void releaseCard() {
        nativeRelease(handle, 0);
    }

    /**
     * The authorised payment completes now ({@link Scenario#HOLD}, or earlier than {@link Scenario#ABORT_TOO_LATE}
     * would). Opens the gate once, like {@link #releaseCard()}. Thread: any.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void releaseCompletion() {
        nativeRelease(handle, 1);
    }

    /**
     * Waits until a payment run reaches {@code step}. Each call waits for the next occurrence that no earlier call
     * returned, counting from the simulator's start: a step reached before the call counts, and two payments need
     * two calls. Thread: any except one the SDK's callbacks need; blocks.
     *
     * @param step    the step
     * @param timeout how long to wait at most
     * @param unit    the unit of {@code timeout}
     * @return whether the step was reached in time
     * @throws NullPointerException  if {@code step} or {@code unit} is null
     * @throws IllegalStateException after {@link #close()}
     */
    public boolean awaitStep(Step step, long timeout, TimeUnit unit) {
        Objects.requireNonNull(step, "step must not be null");
        return nativeWaitForStep(handle, step.nativeName, Objects.requireNonNull(unit, "unit must not be null")
                .toMillis(timeout));
    }

    /**
     * {@link #awaitStep(Step, long, TimeUnit)} with {@link #DEFAULT_WAIT_MILLIS}, failing the test when the step
     * never comes. Thread: any except one the SDK's callbacks need; blocks.
     *
     * @param step the step
     * @throws AssertionError        if the step was not reached in time (the message lists the received frames)
     * @throws NullPointerException  if {@code step} is null
     * @throws IllegalStateException after {@link #close()}
     */
    public void awaitStep(Step step) {
        if (!awaitStep(step, DEFAULT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the simulated terminal never reached " + step + "; it received "
                    + receivedFrames());
        }
    }

    /**
     * Every frame received so far, on every channel and connection, oldest first. Thread: any.
     *
     * @return a snapshot (unmodifiable)
     * @throws IllegalStateException after {@link #close()}
     */
    public List<ReceivedFrame> receivedFrames() {
        String[] flat = nativeReceivedFrames(handle);
        // Six strings per frame (src/jni/simulator_bridge.rs, received_frames): channel, connection, root,
        // RequestType, RequestID, XML.
        List<ReceivedFrame> frames = new ArrayList<>();
        if (flat != null) {
            for (int i = 0; i + 5 < flat.length; i += 6) {
                frames.add(new ReceivedFrame(Integer.parseInt(flat[i]), Long.parseLong(flat[i + 1]), flat[i + 2],
                        flat[i + 3], flat[i + 4], flat[i + 5]));
            }
        }
        return Collections.unmodifiableList(frames);
    }

    /**
     * The received frames of one OPI request type, oldest first. Thread: any.
     *
     * @param requestType for example {@code "CardPayment"}, {@code "AbortRequest"} or {@code "RepeatLastMessage"}
     * @return a snapshot (unmodifiable)
     * @throws NullPointerException  if {@code requestType} is null
     * @throws IllegalStateException after {@link #close()}
     */
    public List<ReceivedFrame> receivedFrames(String requestType) {
        Objects.requireNonNull(requestType, "requestType must not be null");
        List<ReceivedFrame> matching = new ArrayList<>();
        for (ReceivedFrame frame : receivedFrames()) {
            if (frame.requestType().equals(requestType)) {
                matching.add(frame);
            }
        }
        return Collections.unmodifiableList(matching);
    }

    /**
     * The aborts received (CardServiceRequest or ServiceRequest with RequestType AbortRequest), oldest first.
     * However often the app called {@code abort}, certification expects one per payment. Thread: any.
     *
     * @return a snapshot (unmodifiable)
     * @throws IllegalStateException after {@link #close()}
     */
    public List<ReceivedFrame> abortRequests() {
        return receivedFrames(ABORT_REQUEST);
    }

    /**
     * Forgets the frames received so far, so a test can look at one phase of a scenario. Thread: any.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public void clearReceived() {
        nativeClearReceived(handle);
    }

    /**
     * Stops the terminal: closes its listener and every connection. Idempotent. Thread: any; blocks briefly.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            nativeStop(handle);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the terminal simulator is closed");
        }
    }

    @Override
    public String toString() {
        return "TerminalSimulator{" + type + " " + socketMode + ", workstationId=" + workstationId
                + (closed.get() ? ", closed}" : "}");
    }

    // One-line natives in src/jni/testing_exports.rs; a closed or unknown handle throws IllegalStateException.
    private static native long nativeStart(int dialect, int socketMode, String scenario);

    private static native int nativePort(long handle);

    private static native void nativeSetPosPort(long handle, int port);

    private static native void nativeSetScenario(long handle, String scenario);

    private static native void nativeRelease(long handle, int stage);

    private static native boolean nativeWaitForStep(long handle, String step, long timeoutMillis);

    private static native String[] nativeReceivedFrames(long handle);

    private static native void nativeClearReceived(long handle);

    private static native void nativeStop(long handle);
}
