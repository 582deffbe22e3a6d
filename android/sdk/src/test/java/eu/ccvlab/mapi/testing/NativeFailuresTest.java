package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.MAPIError;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeEngine;

/** Failures inside the native library reach Java as an error or an exception, never as a JVM crash. */
public class NativeFailuresTest {
    private final PaymentService payments = new PaymentService();

    @Test
    public void aPanicInTheEngineEndsThePendingPaymentWithOneErrorAndTheTerminalKeepsWorking() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("hold")) {
            ExternalTerminal terminal = simulator.terminal();
            RecordingDelegate held = new RecordingDelegate();
            payments.payment(terminal, Fixtures.sale(), held);
            simulator.awaitStep("AwaitingCard");
            EngineFaults.injectEnginePanic(SimulatedTerminal.nativeTerminalFor(terminal));
            Error error = held.awaitError(MAPIError.TERMINAL_CONNECTION_LOST);
            assertTrue(error.toString(), error.recoveryNeeded());
            held.assertFinalCount(1);

            RecordingDelegate idle = new RecordingDelegate();
            payments.abort(terminal, idle);
            idle.awaitError(MAPIError.NOT_A_FLOW_HAPPENING);
        }
    }

    @Test
    public void aPanicInsideANativeCallIsARuntimeException() {
        RuntimeException thrown = assertThrows(RuntimeException.class, EngineFaults::panicNow);
        assertTrue(thrown.getMessage(), thrown.getMessage().contains("panic injected by a test"));
    }

    @Test
    public void staleHandlesRaiseIllegalStateException() {
        IllegalStateException ask = assertThrows(IllegalStateException.class,
                () -> NativeEngine.answerAsk(Long.MAX_VALUE, true));
        assertTrue(ask.getMessage(), ask.getMessage().contains("never existed"));
        TerminalSimulator sim = TerminalSimulator.start(Scenario.SUCCESS);
        sim.close();
        IllegalStateException stopped = assertThrows(IllegalStateException.class, sim::port);
        assertTrue(stopped.getMessage(), stopped.getMessage().contains("is stopped or unknown"));
    }
}
