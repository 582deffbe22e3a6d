package eu.ccvlab.api_android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.api.PaymentApi;
import eu.ccvlab.mapi.core.api.TokenApi;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.robolectric.MapiRobolectricRunner;
import eu.ccvlab.mapi.testing.Fixtures;
import eu.ccvlab.mapi.testing.RecordingDelegate;
import eu.ccvlab.mapi.testing.SimulatedTerminal;

/**
 * The code snippets of CCV's "Stop Ongoing Payment" page (shared/seed), copied verbatim between the
 * "seed snippet" comments as in the plain JUnit {@code SeedSnippetsTest}, run here as an app runs them: after
 * {@code MAPI.initialize(context)}, on the main thread, with every callback a message on the main Looper. The
 * test body is the main thread, so it lets the Looper run while it waits ({@link MainLooper}). The raw
 * {@code PaymentAdministrationResult} override of the page is a raw type, hence the warning suppression.
 *
 * <p>Thread: JUnit calls every public method here on Robolectric's main-Looper thread (paused looper mode);
 * the SDK's callbacks arrive on that thread too, when the test lets the Looper run.
 */
@RunWith(MapiRobolectricRunner.class)
@Config(sdk = MapiRobolectricRunner.SDK)
@SuppressWarnings("rawtypes")
public class SeedSnippetsOnAndroidTest {
    private SimulatedTerminal simulator;
    private ExternalTerminal externalTerminal;
    private final RecordingDelegate payment = new RecordingDelegate();
    private final RecordingDelegate tokenOutcome = new RecordingDelegate();

    @After
    public void stopSimulator() {
        if (simulator != null) {
            simulator.close();
        }
        MapiConfig.setStateDirectory(null);
    }

    private ExternalTerminal createExternalTerminal() {
        return externalTerminal;
    }

    /** Starts a payment on an abort-window simulator and waits until the terminal waits for the card. */
    private void paymentWaitingForCard(ExternalTerminal.TerminalType type, ExternalTerminal.SocketMode mode) {
        MAPI.initialize(RuntimeEnvironment.getApplication());
        simulator = SimulatedTerminal.start(type, mode, "abort-window");
        externalTerminal = simulator.terminal();
        new PaymentService().payment(externalTerminal, Fixtures.sale(), payment);
        simulator.awaitStep("AwaitingCard");
    }

    /**
     * The abort was accepted: the payment ended ABORTED, every callback of it on the main thread, and one
     * AbortRequest reached the terminal.
     */
    private void assertPaymentAborted() {
        MainLooper.awaitFinals(payment, 1);
        assertEquals(ResultState.ABORTED, payment.awaitPaymentError().resultState());
        assertEquals(1, simulator.abortRequests().size());
        MainLooper.assertFinalCountOnMainThread(payment, 1);
    }

    private void assertTokenAbort(boolean isSilent) {
        MainLooper.awaitFinals(tokenOutcome, 1);
        assertEquals(ResultState.SUCCESS, tokenOutcome.awaitAdministrationSuccess().resultState());
        assertPaymentAborted();
        MainLooper.assertFinalCountOnMainThread(tokenOutcome, 1);
        List<String> aborts = simulator.abortRequests();
        assertEquals(isSilent, aborts.get(0).contains("SilentAbort"));
        assertEquals("'Aborted' on the token delegate's display", !isSilent,
                tokenOutcome.displayLines().contains("Aborted"));
        assertEquals("'Aborted' on the payment delegate's display", !isSilent,
                payment.displayLines().contains("Aborted"));
    }

    @Test
    public void abortOnTheSameConnection() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET);
        // seed snippet: "On the same connection/socket"
        TerminalDelegate terminalDelegate = new TerminalDelegate() {
            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                //Successful abort
            }

            @Override
            public void onError(Error error) {
                //Failed abort
            }
        };

        PaymentApi paymentService = new PaymentService();
        paymentService.abort(externalTerminal, terminalDelegate);
        // end of seed snippet
        assertPaymentAborted();
    }

    @Test
    public void abortOnNewConnection() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET);
        // seed snippet: "Abort On New Connection"
        TerminalDelegate terminalDelegate = new TerminalDelegate() {
            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                //Successful abort
            }

            @Override
            public void onError(Error error) {
                //Failed abort
            }
        };

        PaymentApi paymentService = new PaymentService();
        paymentService.abortOnNewConnection(externalTerminal, terminalDelegate);
        // end of seed snippet
        assertPaymentAborted();
    }

    @Test
    public void tokenNormalAbort() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_DE, ExternalTerminal.SocketMode.SINGLE_SOCKET);
        // seed snippet: "Normal Abort"
        boolean isSilent = false;
        TokenApi tokenService = new TokenService();
        ExternalTerminal terminal = createExternalTerminal();

        TokenDelegate tokenDelegate = new TokenDelegate() {
            // The page elides this body ("..."); here it forwards to a recorder so the test sees the outcome.
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                tokenOutcome.showTerminalOutputLines(lines);
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                tokenOutcome.onPaymentAdministrationSuccess(result);
            }

            @Override
            public void onError(Error error) {
                tokenOutcome.onError(error);
            }
        };

        tokenService.abort(isSilent, terminal, tokenDelegate);
        // end of seed snippet
        assertTokenAbort(isSilent);
    }

    @Test
    public void tokenSilentAbort() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_DE, ExternalTerminal.SocketMode.SINGLE_SOCKET);
        // seed snippet: "Silent Abort"
        boolean isSilent = true;
        TokenApi tokenService = new TokenService();
        ExternalTerminal terminal = createExternalTerminal();

        TokenDelegate tokenDelegate = new TokenDelegate() {
            // The page elides this body ("..."); here it forwards to a recorder so the test sees the outcome.
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                tokenOutcome.showTerminalOutputLines(lines);
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                tokenOutcome.onPaymentAdministrationSuccess(result);
            }

            @Override
            public void onError(Error error) {
                tokenOutcome.onError(error);
            }
        };

        tokenService.abort(isSilent, terminal, tokenDelegate);
        // end of seed snippet
        assertTokenAbort(isSilent);
    }

    @Test
    public void tokenNormalAbortOnNewConnection() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET);
        // seed snippet: "Normal Abort On New Connection"
        boolean isSilent = false;
        TokenApi tokenService = new TokenService();
        ExternalTerminal terminal = createExternalTerminal();

        TokenDelegate tokenDelegate = new TokenDelegate() {
            // The page elides this body ("..."); here it forwards to a recorder so the test sees the outcome.
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                tokenOutcome.showTerminalOutputLines(lines);
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                tokenOutcome.onPaymentAdministrationSuccess(result);
            }

            @Override
            public void onError(Error error) {
                tokenOutcome.onError(error);
            }
        };

        tokenService.abortOnNewConnection(isSilent, terminal, tokenDelegate);
        // end of seed snippet
        assertTokenAbort(isSilent);
    }

    @Test
    public void tokenSilentAbortOnNewConnection() {
        paymentWaitingForCard(ExternalTerminal.TerminalType.OPI_NL, ExternalTerminal.SocketMode.DUAL_SOCKET);
        // seed snippet: "Silent Abort On New Connection"
        boolean isSilent = true;
        TokenApi tokenService = new TokenService();
        ExternalTerminal terminal = createExternalTerminal();

        TokenDelegate tokenDelegate = new TokenDelegate() {
            // The page elides this body ("..."); here it forwards to a recorder so the test sees the outcome.
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                tokenOutcome.showTerminalOutputLines(lines);
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                tokenOutcome.onPaymentAdministrationSuccess(result);
            }

            @Override
            public void onError(Error error) {
                tokenOutcome.onError(error);
            }
        };

        tokenService.abortOnNewConnection(isSilent, terminal, tokenDelegate);
        // end of seed snippet
        assertTokenAbort(isSilent);
        assertFalse(payment.displayLines().isEmpty());
        assertTrue(payment.displayLines().contains("Present card"));
    }
}
