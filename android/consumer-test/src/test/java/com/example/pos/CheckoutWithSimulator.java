package com.example.pos;

import java.math.BigDecimal;
import java.util.Currency;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TerminalDelegate;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.testing.Scenario;
import eu.ccvlab.mapi.testing.TerminalSimulator;

/**
 * An app test's use of mapi-sdk-testing: a simulated terminal in the test process, reached through the SDK's
 * own {@link ExternalTerminal}. Compiles only with both artifacts resolved: the simulator's API names the
 * SDK's types, which mapi-sdk-testing takes from its dependency on mapi-sdk, not from a copy.
 */
public final class CheckoutWithSimulator {
    private CheckoutWithSimulator() {
    }

    /** Aborts a sale that waits for its card; a real test then awaits its delegate's outcome. */
    public static void abortWhileWaitingForCard() {
        try (TerminalSimulator simulator = TerminalSimulator.start(Scenario.ABORT_ACCEPTED)) {
            ExternalTerminal terminal = simulator.terminal();
            Payment sale = Payment.builder()
                    .type(Payment.Type.SALE)
                    .amount(new Money(new BigDecimal("12.50"), Currency.getInstance("EUR")))
                    .build();
            new PaymentService().payment(terminal, sale, new PaymentDelegate() {
            });
            simulator.awaitStep(TerminalSimulator.Step.AWAITING_CARD);
            new PaymentService().abort(terminal, new TerminalDelegate() {
            });
        }
    }
}
