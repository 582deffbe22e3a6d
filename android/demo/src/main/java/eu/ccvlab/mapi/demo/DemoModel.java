package eu.ccvlab.mapi.demo;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import eu.ccvlab.mapi.core.Callback;
import eu.ccvlab.mapi.core.DeliveryBoxCallback;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.delegate.TokenDelegate;
import eu.ccvlab.mapi.core.api.response.result.ConfigData;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.machine.CustomerSignatureCallback;
import eu.ccvlab.mapi.core.payment.DisplayTextRequest;
import eu.ccvlab.mapi.core.payment.EReceiptRequest;
import eu.ccvlab.mapi.core.payment.MainTextRequest;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentReceipt;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.payment.TextLine;

/**
 * What the demo shows, kept apart from any Activity: the callback log, the receipts and the question the
 * terminal waits on. The SDK's delegates write here, never into an Activity, and the Activity of the moment
 * attaches to read it. A rotation hands this object to the new Activity (the framework's own
 * {@code onRetainNonConfigurationInstance}, which AndroidX's ViewModel is built on), so a running payment keeps
 * its log and its open question; a destroyed Activity is detached and no callback reaches it any more. This is
 * the Java form of the ViewModel pattern docs/kotlin.md describes.
 *
 * <p>Every method runs on the main thread: the SDK's callbacks arrive there after {@code MAPI.initialize}.
 */
final class DemoModel {

    /** What an attached screen shows. Called on the main thread. */
    interface Screen {
        /** @param log the whole callback log */
        void showLog(CharSequence log);

        /** @param receipts every receipt of the current request */
        void showReceipts(CharSequence receipts);

        /**
         * @param flow     the request asking
         * @param question the question, or null when none is open any more
         */
        void showQuestion(String flow, String question);
    }

    private final StringBuilder log = new StringBuilder();
    private final StringBuilder receipts = new StringBuilder();
    private String questionFlow;
    private String question;
    private Callback questionCallback;
    private Screen screen;

    /** Shows everything so far on {@code next}, which from now on sees each change. */
    void attach(Screen next) {
        screen = next;
        next.showLog(log);
        next.showReceipts(receipts);
        next.showQuestion(questionFlow, question);
    }

    /** The screen is going away: nothing reaches it from now on; the request and its log go on. */
    void detach() {
        screen = null;
    }

    void append(String line) {
        String time = new SimpleDateFormat("HH:mm:ss.SSS", Locale.ROOT).format(new Date());
        log.append(time).append("  ").append(line).append('\n');
        if (screen != null) {
            screen.showLog(log);
        }
    }

    void clearReceipts() {
        receipts.setLength(0);
        if (screen != null) {
            screen.showReceipts(receipts);
        }
    }

    /** The cashier's answer to the open question; ignored when none is open. */
    void answer(boolean yes) {
        Callback callback = questionCallback;
        if (callback == null) {
            return;
        }
        append(questionFlow + ": answered " + (yes ? "yes" : "no"));
        questionFlow = null;
        question = null;
        questionCallback = null;
        if (screen != null) {
            screen.showQuestion(null, null);
        }
        if (yes) {
            callback.onSuccess();
        } else {
            callback.onFailure();
        }
    }

    private void receipt(String title, PaymentReceipt receipt) {
        receipts.append("---- ").append(title).append(" ----\n");
        for (String line : receipt.plainTextLines()) {
            receipts.append(line).append('\n');
        }
        if (screen != null) {
            screen.showReceipts(receipts);
        }
    }

    private void ask(String flow, String text, Callback callback) {
        append(flow + ": asks: " + text);
        questionFlow = flow;
        question = text;
        questionCallback = callback;
        if (screen != null) {
            screen.showQuestion(flow, text);
        }
    }

    /** A delegate that writes every callback of one request here. */
    LoggingDelegate delegate(String flow) {
        return new LoggingDelegate(flow);
    }

    /** Writes every callback of one request to the model; holds no Activity. */
    final class LoggingDelegate implements PaymentDelegate, TokenDelegate {
        private final String flow;

        LoggingDelegate(String flow) {
            this.flow = flow;
        }

        private void event(String text) {
            append(flow + ": " + text);
        }

        @Override
        public void showTerminalOutputLines(List<TextLine> lines) {
            event("cashier display " + lines);
        }

        @Override
        public void showOnCustomerDisplay(MainTextRequest mainText, DisplayTextRequest lines) {
            event("customer display " + lines.lines());
        }

        @Override
        public void printMerchantReceiptAndSignature(PaymentReceipt receipt) {
            event("merchant receipt (" + receipt.lines().size() + " lines)");
            receipt("MERCHANT", receipt);
        }

        @Override
        public void printCustomerReceiptAndSignature(PaymentReceipt receipt) {
            event("customer receipt (" + receipt.lines().size() + " lines)");
            receipt("CUSTOMER", receipt);
        }

        @Override
        public void printJournalReceipt(PaymentReceipt receipt) {
            event("journal receipt (" + receipt.lines().size() + " lines)");
            receipt("JOURNAL", receipt);
        }

        @Override
        public void printDccOffer(PaymentReceipt receipt) {
            event("DCC offer (" + receipt.lines().size() + " lines)");
            receipt("DCC OFFER", receipt);
        }

        @Override
        public void storeEJournal(String journal) {
            event("e-journal, " + journal.length() + " characters");
        }

        @Override
        public void configData(ConfigData configData) {
            event("config data " + configData);
        }

        @Override
        public void eReceipt(EReceiptRequest eReceiptRequest) {
            event("e-receipt " + eReceiptRequest);
        }

        @Override
        public void cardUID(String uid) {
            event("card UID " + uid);
        }

        @Override
        public void askCustomerSignature(Callback callback) {
            ask(flow, "Customer signature OK?", callback);
        }

        @Override
        public void askCustomerIdentification(Callback callback) {
            ask(flow, "Customer identified?", callback);
        }

        @Override
        public void askMerchantSignature(Callback callback) {
            ask(flow, "Merchant signature OK?", callback);
        }

        @Override
        public void onDeliverGoodsOrServices(DeliveryBoxCallback callback) {
            ask(flow, "Goods or services delivered?", new Callback() {
                @Override
                public void onSuccess() {
                    callback.proceed(true);
                }

                @Override
                public void onFailure() {
                    callback.proceed(false);
                }
            });
        }

        @Override
        public void drawCustomerSignature(CustomerSignatureCallback callback) {
            event("drawCustomerSignature: the demo cannot capture a signature, answering failure");
            callback.onFailure();
        }

        @Override
        public void onPaymentSuccess(PaymentResult result) {
            event("✔ onPaymentSuccess " + result);
        }

        @Override
        public void onPaymentError(PaymentResult result) {
            event("✘ onPaymentError " + result);
        }

        @Override
        public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
            event("✔ onPaymentAdministrationSuccess " + result);
        }

        @Override
        public void onError(Error error) {
            event("✘ onError " + error);
        }
    }
}
