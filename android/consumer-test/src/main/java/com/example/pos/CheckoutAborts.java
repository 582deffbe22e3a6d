package com.example.pos;

import java.util.List;

import android.content.Context;

import eu.ccvlab.api_android.MAPI;
import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.api.PaymentApi;
import eu.ccvlab.mapi.core.api.TokenApi;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.TextLine;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * The shapes CCV's "Stop Ongoing Payment" page shows an integrator, written as an app would: a
 * {@link TerminalDelegate} or {@link TokenDelegate} overriding the raw {@code PaymentAdministrationResult}
 * callback, passed to each abort form of {@link PaymentApi} and {@link TokenApi}. Compiled against the published
 * artifacts only; that the calls behave is the SDK's own suites' job.
 */
@SuppressWarnings("rawtypes") // the page overrides the raw type; an app copying it must compile
public final class CheckoutAborts {
    private final ExternalTerminal terminal;
    private String lastOutcome = "none";

    public CheckoutAborts(Context context, String terminalAddress) {
        MAPI.initialize(context);
        terminal = ExternalTerminal.builder()
                .ipAddress(terminalAddress)
                .port(20002)
                .compatibilityPort(20007)
                .socketMode(ExternalTerminal.SocketMode.DUAL_SOCKET)
                .terminalType(ExternalTerminal.TerminalType.OPI_NL)
                .workstationId("POS-1")
                .build();
    }

    private TerminalDelegate abortOutcome() {
        return new TerminalDelegate() {
            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                lastOutcome = "abort accepted";
            }

            @Override
            public void onError(Error error) {
                lastOutcome = "abort failed: " + error;
            }
        };
    }

    private TokenDelegate tokenAbortOutcome() {
        return new TokenDelegate() {
            @Override
            public void showTerminalOutputLines(List<TextLine> lines) {
                lastOutcome = "terminal shows " + lines.size() + " lines";
            }

            @Override
            public void onPaymentAdministrationSuccess(PaymentAdministrationResult result) {
                lastOutcome = "token abort accepted";
            }

            @Override
            public void onError(Error error) {
                lastOutcome = "token abort failed: " + error;
            }
        };
    }

    /** Stops the running payment on the connection it runs on. */
    public void abortOnSameConnection() {
        PaymentApi payments = new PaymentService();
        payments.abort(terminal, abortOutcome());
    }

    /** Stops the running payment from a new connection (OPI-NL). */
    public void abortOnNewConnection() {
        PaymentApi payments = new PaymentService();
        payments.abortOnNewConnection(terminal, abortOutcome());
    }

    /** The token forms: a normal abort shows "Aborted" on the terminal, a silent one does not. */
    public void tokenAbort(boolean isSilent, boolean onNewConnection) {
        TokenApi tokens = new TokenService();
        if (onNewConnection) {
            tokens.abortOnNewConnection(isSilent, terminal, tokenAbortOutcome());
        } else {
            tokens.abort(isSilent, terminal, tokenAbortOutcome());
        }
    }

    public String lastOutcome() {
        return lastOutcome;
    }
}
