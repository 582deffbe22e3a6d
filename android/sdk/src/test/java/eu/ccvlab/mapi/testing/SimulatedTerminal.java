package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeEngine;
import eu.ccvlab.mapi.internal.NativeTerminal;

/**
 * One simulated terminal for one test, and the {@link ExternalTerminal} that reaches it. Each terminal gets its
 * own workstation id, so the engine gives it its own session even when the OS reuses a port of an earlier test.
 */
public final class SimulatedTerminal implements AutoCloseable {
    /** Failure guard for every wait: only reached when a test fails. */
    public static final long WAIT_MILLIS = 20_000;

    private static final AtomicInteger WORKSTATIONS = new AtomicInteger();

    private final long sim;
    private final ExternalTerminal.TerminalType type;
    private final ExternalTerminal.SocketMode socketMode;
    private boolean stopped;

    private SimulatedTerminal(ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode socketMode,
            String scenario) {
        this.type = type;
        this.socketMode = socketMode;
        this.sim = SimulatorBridge.start(type == ExternalTerminal.TerminalType.OPI_DE ? SimulatorBridge.OPI_DE
                : SimulatorBridge.OPI_NL, socketMode == ExternalTerminal.SocketMode.SINGLE_SOCKET
                        ? SimulatorBridge.SINGLE_SOCKET : SimulatorBridge.DUAL_SOCKET, scenario);
    }

    /**
     * Starts a simulator.
     *
     * @param type       dialect
     * @param socketMode socket layout
     * @param scenario   simulator preset
     * @return the running simulator
     */
    public static SimulatedTerminal start(ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode socketMode,
            String scenario) {
        return new SimulatedTerminal(type, socketMode, scenario);
    }

    /**
     * An OPI-NL dual-socket simulator (CCV's default layout).
     *
     * @param scenario simulator preset
     * @return the running simulator
     */
    public static SimulatedTerminal startNl(String scenario) {
        return start(ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET, scenario);
    }

    /**
     * The native view of {@code terminal}, as the engine will see it.
     *
     * @param terminal a terminal
     * @return its native view
     */
    public static NativeTerminal nativeTerminalFor(ExternalTerminal terminal) {
        return NativeTerminal.from(terminal);
    }

    /** @return a builder reaching this simulator (loopback, its port, dialect, socket mode, a unique workstation). */
    public ExternalTerminal.Builder builder() {
        return ExternalTerminal.builder()
                .ipAddress("127.0.0.1")
                .port(SimulatorBridge.port(sim))
                .compatibilityPort(0)
                .terminalType(type)
                .socketMode(socketMode)
                .workstationId("JT" + WORKSTATIONS.incrementAndGet());
    }

    /**
     * Builds the terminal and, in dual socket mode, starts its engine session and tells the simulator where the
     * POS listens. Use the returned terminal unchanged for every later call: other settings are another session.
     *
     * @param builder from {@link #builder()}, possibly with more settings
     * @return the terminal
     */
    public ExternalTerminal connect(ExternalTerminal.Builder builder) {
        ExternalTerminal terminal = builder.build();
        if (terminal.socketMode() == ExternalTerminal.SocketMode.DUAL_SOCKET) {
            int posPort = NativeEngine.listenPort(nativeTerminalFor(terminal));
            assertTrue("the engine's channel-1 port should be real, was " + posPort, posPort > 0);
            SimulatorBridge.setPosPort(sim, posPort);
        }
        return terminal;
    }

    /** @return {@code connect(builder())}. */
    public ExternalTerminal terminal() {
        return connect(builder());
    }

    /**
     * Waits (up to {@link #WAIT_MILLIS}) until the payment run reached {@code step}; fails the test otherwise.
     *
     * @param step "AwaitingCard", "Authorised", "AwaitingCompletion" or "Responding"
     */
    public void awaitStep(String step) {
        assertTrue("the simulator never reached " + step + "; received " + receivedXml(),
                SimulatorBridge.waitForStep(sim, step, WAIT_MILLIS));
    }

    /** @param stage {@link SimulatorBridge#CARD_PRESENTED} or {@link SimulatorBridge#COMPLETION} */
    public void release(int stage) {
        SimulatorBridge.release(sim, stage);
    }

    /** @return every frame's XML the simulator received, in order */
    public List<String> receivedXml() {
        String[] frames = SimulatorBridge.receivedXml(sim);
        return frames == null ? new ArrayList<String>() : new ArrayList<>(Arrays.asList(frames));
    }

    /**
     * @param fragment text to look for, for example {@code "AbortRequest"}
     * @return the received frames containing it
     */
    public List<String> receivedContaining(String fragment) {
        List<String> matching = new ArrayList<>();
        for (String xml : receivedXml()) {
            if (xml.contains(fragment)) {
                matching.add(xml);
            }
        }
        return matching;
    }

    /** @return the AbortRequests received */
    public List<String> abortRequests() {
        return receivedContaining("AbortRequest");
    }

    /** Stops the simulator (once). */
    @Override
    public void close() {
        if (!stopped) {
            stopped = true;
            SimulatorBridge.stop(sim);
        }
    }
}
