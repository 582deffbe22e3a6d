package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeTerminal;

/**
 * One simulated terminal for one test, and the {@link ExternalTerminal} that reaches it: the repository's own
 * tests drive the simulator through the public testing artifact ({@link TerminalSimulator}), as app developers
 * do. Each terminal gets its own workstation id, so the engine gives it its own session even when the OS reuses
 * a port of an earlier test. Every method may be called from any thread; waits block the caller.
 */
public final class SimulatedTerminal implements AutoCloseable {
    /** Failure guard for every wait: only reached when a test fails. */
    public static final long WAIT_MILLIS = 20_000;
    /** {@link #release(int)}: the cardholder presents the card. */
    public static final int CARD_PRESENTED = 0;
    /** {@link #release(int)}: the authorised payment completes. */
    public static final int COMPLETION = 1;

    private static final AtomicInteger WORKSTATIONS = new AtomicInteger();

    private final TerminalSimulator sim;
    private final ExternalTerminal.TerminalType type;
    private final ExternalTerminal.SocketMode socketMode;

    private SimulatedTerminal(ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode socketMode,
            String scenario) {
        this.type = type;
        this.socketMode = socketMode;
        this.sim = TerminalSimulator.start(scenario(scenario), type, socketMode);
    }

    /** The public scenario of a simulator preset name, so tests keep the Rust crate's names. */
    private static Scenario scenario(String preset) {
        for (Scenario scenario : Scenario.values()) {
            if (scenario.presetName().equals(preset)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("no TerminalSimulator scenario has the preset '" + preset + "'");
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
                .port(sim.port())
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
        return sim.attach(builder.build());
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
        TerminalSimulator.Step wanted;
        switch (step) {
            case "RequestReceived":
                wanted = TerminalSimulator.Step.REQUEST_RECEIVED;
                break;
            case "AwaitingCard":
                wanted = TerminalSimulator.Step.AWAITING_CARD;
                break;
            case "Authorised":
                wanted = TerminalSimulator.Step.AUTHORISED;
                break;
            case "AwaitingCompletion":
                wanted = TerminalSimulator.Step.AWAITING_COMPLETION;
                break;
            case "Responding":
                wanted = TerminalSimulator.Step.RESPONDING;
                break;
            default:
                throw new IllegalArgumentException("unknown step " + step);
        }
        assertTrue("the simulator never reached " + step + "; received " + receivedXml(),
                sim.awaitStep(wanted, WAIT_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** @param stage {@link #CARD_PRESENTED} or {@link #COMPLETION} */
    public void release(int stage) {
        if (stage == CARD_PRESENTED) {
            sim.releaseCard();
        } else {
            sim.releaseCompletion();
        }
    }

    /** @return every frame's XML the simulator received, in order */
    public List<String> receivedXml() {
        List<String> xml = new ArrayList<>();
        for (ReceivedFrame frame : sim.receivedFrames()) {
            xml.add(frame.xml());
        }
        return xml;
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
        sim.close();
    }
}
