package eu.ccvlab.mapi.testing;

import static org.junit.Assert.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.core.DeliveryBoxCallback;
import eu.ccvlab.mapi.core.requests.ResultState;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/** CCV's unattended DeliveryBox step through the Java API, against the simulator playing it. */
public class DeliveryBoxTest {
    private final PaymentService payments = new PaymentService();

    /** A vending machine: answers the DeliveryBox question with {@code delivered}, on the callback thread. */
    private static final class Vending extends RecordingDelegate {
        final AtomicInteger asked = new AtomicInteger();
        private final boolean delivered;

        Vending(boolean delivered) {
            this.delivered = delivered;
        }

        @Override
        public void onDeliverGoodsOrServices(DeliveryBoxCallback callback) {
            asked.incrementAndGet();
            callback.proceed(delivered);
        }
    }

    @Test
    public void deliveredGoodsLetThePaymentBeApproved() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("delivery-box")) {
            ExternalTerminal terminal = simulator.terminal();
            Vending vending = new Vending(true);
            payments.payment(terminal, Fixtures.sale(), vending);
            assertEquals(ResultState.SUCCESS, vending.awaitPaymentSuccess().resultState());
            assertEquals(1, vending.asked.get());
            vending.assertFinalCount(1);
        }
    }

    @Test
    public void goodsNotDeliveredEndThePaymentWithoutCharging() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("delivery-box")) {
            Vending vending = new Vending(false);
            payments.payment(simulator.terminal(), Fixtures.sale(), vending);
            assertEquals(ResultState.ABORTED, vending.awaitPaymentError().resultState());
            assertEquals(1, vending.asked.get());
        }
    }

    @Test
    public void aDelegateWithoutTheCallbackAnswersNotDelivered() {
        try (SimulatedTerminal simulator = SimulatedTerminal.startNl("delivery-box")) {
            RecordingDelegate plain = new RecordingDelegate();
            payments.payment(simulator.terminal(), Fixtures.sale(), plain);
            assertEquals(ResultState.ABORTED, plain.awaitPaymentError().resultState());
        }
    }
}
