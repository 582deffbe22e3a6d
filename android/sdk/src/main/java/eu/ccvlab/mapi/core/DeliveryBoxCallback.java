package eu.ccvlab.mapi.core;

/**
 * The app's answer to the terminal's question "were the goods or the service delivered?" (OPI-NL DeliveryBox
 * device request, unattended and on-device flows), handed to
 * {@code PaymentDelegate.onDeliverGoodsOrServices(DeliveryBoxCallback)}.
 *
 * <p><b>Not wired yet.</b> This SDK's engine does not receive DeliveryBox requests yet, so nothing calls
 * {@code onDeliverGoodsOrServices} today and no answer reaches the terminal: the type exists so that apps
 * written for CCV's SDK compile. Carrying the request and this answer on the wire is future work.
 *
 * <p>Call {@link #proceed(boolean)} exactly once, from any thread; later calls are ignored.
 */
public interface DeliveryBoxCallback {
    /**
     * Answers the terminal. Thread: any; returns at once.
     *
     * @param delivered true: delivered, the flow goes on; false: not delivered
     */
    void proceed(boolean delivered);
}
