package eu.ccvlab.mapi.core.payment;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * (An extension, not in CCV's SDK.) A payment whose outcome the terminal has not told yet: it may have
 * moved money. The SDK keeps it in its state directory until the terminal's answer about it arrives
 * (recovery reports it with {@code PaymentResult.recovered()}) or an operator resolves it with
 * {@code TerminalService.resolvePendingPayment}; meanwhile a new payment on its terminal is refused with
 * {@code MAPIError.PAYMENT_PENDING_RECOVERY}. Immutable; every accessor may be called from any thread.
 */
public final class PendingPayment {

    /** Where a pending payment stands. */
    public enum State {
        /** Sent (or about to be) and never answered: the app or its connection died. */
        IN_FLIGHT,
        /** Recovery asked and the terminal has not told yet (busy, another request…); recovery goes on. */
        PENDING,
        /**
         * The terminal reprinted its last ticket instead of answering (PrintLastTicket): a person reads the
         * outcome on that ticket and resolves the payment.
         */
        NEEDS_OPERATOR,
        /** Its record cannot be read; kept for support until an operator resolves it by {@link #key()}. */
        CORRUPT
    }

    private final String key;
    private final @Nullable String requestId;
    private final @Nullable String requestType;
    private final @Nullable Money amount;
    private final @Nullable String terminal;
    private final @Nullable Long startedAtMillis;
    private final State state;
    private final int attempts;
    private final String reason;
    private final List<String> evidence;

    private PendingPayment(String[] f, int at) {
        key = f[at];
        requestId = emptyToNull(f[at + 1]);
        requestType = emptyToNull(f[at + 2]);
        String value = emptyToNull(f[at + 3]);
        String currency = emptyToNull(f[at + 4]);
        amount = value != null && currency != null
                ? new Money(new BigDecimal(value), Currency.getInstance(currency)) : null;
        terminal = emptyToNull(f[at + 5]);
        String started = emptyToNull(f[at + 6]);
        startedAtMillis = started == null ? null : Long.valueOf(started);
        state = State.valueOf(f[at + 7]);
        attempts = Integer.parseInt(f[at + 8]);
        reason = f[at + 9];
        String lines = f[at + 10];
        evidence = lines.isEmpty() ? Collections.<String>emptyList()
                : Collections.unmodifiableList(new ArrayList<>(Arrays.asList(lines.split("\n"))));
    }

    /**
     * Builds the payments of a flat native answer ({@code fields} strings each). Internal: the SDK calls it.
     *
     * @param flat   the strings
     * @param fields strings per payment
     * @return the payments, oldest first
     */
    public static List<PendingPayment> fromFlat(String[] flat, int fields) {
        Objects.requireNonNull(flat, "flat must not be null");
        List<PendingPayment> payments = new ArrayList<>();
        for (int at = 0; at + fields <= flat.length; at += fields) {
            payments.add(new PendingPayment(flat, at));
        }
        return Collections.unmodifiableList(payments);
    }

    private static @Nullable String emptyToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** @return what {@code resolvePendingPayment} takes: the RequestID, or an unreadable record's file name */
    public String key() {
        return key;
    }

    /** @return the payment's RequestID, or null when its record cannot be read */
    public @Nullable String requestId() {
        return requestId;
    }

    /** @return the OPI RequestType ({@code CardPayment}, {@code PaymentRefund}…), or null */
    public @Nullable String requestType() {
        return requestType;
    }

    /** @return the amount asked, or null */
    public @Nullable Money amount() {
        return amount;
    }

    /** @return the terminal ({@code address:port}), or null */
    public @Nullable String terminal() {
        return terminal;
    }

    /** @return when it was started (ms since the epoch), or null */
    public @Nullable Long startedAtMillis() {
        return startedAtMillis;
    }

    /** @return where it stands */
    public State state() {
        return state;
    }

    /** @return recovery attempts so far */
    public int attempts() {
        return attempts;
    }

    /** @return why it is not settled, for the support log */
    public String reason() {
        return reason;
    }

    /** @return what the terminal said about it so far (card data masked), oldest first */
    public List<String> evidence() {
        return evidence;
    }

    @Override
    public String toString() {
        return "PendingPayment{" + key + ", " + state + ", " + requestType + " " + amount + ", attempts=" + attempts
                + ", reason=" + reason + "}";
    }
}
