package eu.ccvlab.mapi.testing;

import java.math.BigDecimal;
import java.util.Currency;

import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;

/** Values the tests share. */
public final class Fixtures {
    private Fixtures() {
    }

    /** @return EUR 12.50 */
    public static Money twelveFifty() {
        return new Money(new BigDecimal("12.50"), Currency.getInstance("EUR"));
    }

    /** @return a sale of EUR 12.50 */
    public static Payment sale() {
        return payment(Payment.Type.SALE);
    }

    /**
     * @param type the payment type
     * @return a payment of EUR 12.50 of that type
     */
    public static Payment payment(Payment.Type type) {
        return Payment.builder().type(type).amount(twelveFifty()).build();
    }
}
