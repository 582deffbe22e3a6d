package eu.ccvlab.mapi.demo;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Locale;

import android.app.Activity;
import android.app.AlertDialog;
import android.content.SharedPreferences;
import android.graphics.Typeface;
import android.os.Bundle;
import android.text.InputType;
import android.view.View;
import android.view.ViewGroup;
import android.widget.ArrayAdapter;
import android.widget.Button;
import android.widget.EditText;
import android.widget.LinearLayout;
import android.widget.ScrollView;
import android.widget.Spinner;
import android.widget.Switch;
import android.widget.TextView;

import eu.ccvlab.api_android.MAPI;
import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.api.TokenService;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;

/**
 * The demo: one screen to drive a CCV terminal through the public API only — a payment, the three
 * ways to stop it, and every callback written to a log. The screen is built in code, so the APK
 * needs no resources besides its manifest.
 */
public final class DemoActivity extends Activity {
    private static final String[] DIALECTS = {"OPI-NL", "OPI-DE"};

    private final PaymentService payments = new PaymentService();
    private final TokenService tokens = new TokenService();
    private final TerminalService terminals = new TerminalService();

    private EditText ipAddress;
    private EditText port;
    private EditText compatibilityPort;
    private Spinner dialect;
    private EditText amount;
    private EditText currency;
    private Switch silent;
    private TextView log;
    private ScrollView logScroll;
    private TextView receipts;
    private AlertDialog questionDialog;
    private DemoModel model;

    // The framework's retention across a configuration change, which AndroidX's ViewModel is built on:
    // deprecated in favour of that library, which this demo, built from Debian's tools without Gradle, lacks.
    @SuppressWarnings("deprecation")
    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        // Callbacks on the main thread, state (RequestIDs, in-flight journal) in noBackupFilesDir/mapi.
        MAPI.initialize(getApplicationContext());
        setContentView(buildScreen());
        restoreSettings();
        // After a rotation, the previous Activity's model, with the request still running into it.
        model = (DemoModel) getLastNonConfigurationInstance();
        boolean fresh = model == null;
        if (fresh) {
            model = new DemoModel();
        }
        model.attach(new ModelScreen());
        if (fresh) {
            append("ready: enter the terminal's address, then Pay");
        }
    }

    @SuppressWarnings("deprecation")
    @Override
    public Object onRetainNonConfigurationInstance() {
        return model;
    }

    @Override
    protected void onDestroy() {
        // Whether rotated or finished, this Activity is gone: callbacks must not reach it any more.
        model.detach();
        if (questionDialog != null) {
            questionDialog.dismiss();
            questionDialog = null;
        }
        super.onDestroy();
    }

    @Override
    protected void onPause() {
        super.onPause();
        saveSettings();
    }

    private View buildScreen() {
        LinearLayout root = new LinearLayout(this);
        root.setOrientation(LinearLayout.VERTICAL);
        root.setFitsSystemWindows(true); // keeps clear of the system bars, also edge-to-edge (target 35)
        int pad = dp(8);
        root.setPadding(pad, pad, pad, pad);

        ipAddress = field("terminal IP", InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_VARIATION_URI);
        port = field("port (default)", InputType.TYPE_CLASS_NUMBER);
        compatibilityPort = field("compat. port (default)", InputType.TYPE_CLASS_NUMBER);
        dialect = new Spinner(this);
        ArrayAdapter<String> dialects = new ArrayAdapter<>(this, android.R.layout.simple_spinner_item, DIALECTS);
        dialects.setDropDownViewResource(android.R.layout.simple_spinner_dropdown_item);
        dialect.setAdapter(dialects);
        root.addView(row(weighted(ipAddress, 3), weighted(port, 1.5f), weighted(compatibilityPort, 1.5f)));

        amount = field("amount", InputType.TYPE_CLASS_NUMBER | InputType.TYPE_NUMBER_FLAG_DECIMAL);
        currency = field("currency", InputType.TYPE_CLASS_TEXT | InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS);
        root.addView(row(weighted(dialect, 2), weighted(amount, 2), weighted(currency, 1)));

        silent = new Switch(this);
        silent.setText("silent");
        root.addView(row(weighted(button("Pay", v -> pay(Payment.Type.SALE)), 1),
                weighted(button("Abort", v -> abort(false)), 1)));
        root.addView(row(weighted(button("Refund", v -> pay(Payment.Type.REFUND)), 1),
                weighted(button("Void last", v -> pay(Payment.Type.VOID)), 1),
                weighted(button("Recover", v -> recover()), 1)));
        root.addView(row(weighted(button("Status", v -> administration("status")), 1),
                weighted(button("Period closing", v -> administration("periodClosing")), 1),
                weighted(button("Last ticket", v -> administration("retrieveLastTicket")), 1)));
        root.addView(row(weighted(button("Abort on new connection", v -> abort(true)), 1)));
        root.addView(row(weighted(button("Token abort", v -> tokenAbort()), 1), silent));

        log = new TextView(this);
        log.setTextIsSelectable(true);
        log.setTypeface(Typeface.MONOSPACE);
        log.setTextSize(11);
        logScroll = new ScrollView(this);
        logScroll.addView(log);
        root.addView(label("callbacks"));
        root.addView(logScroll, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 2));

        receipts = new TextView(this);
        receipts.setTextIsSelectable(true);
        receipts.setTypeface(Typeface.MONOSPACE);
        receipts.setTextSize(11);
        ScrollView receiptScroll = new ScrollView(this);
        receiptScroll.addView(receipts);
        root.addView(label("receipts"));
        root.addView(receiptScroll, new LinearLayout.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, 0, 1));
        return root;
    }

    private void pay(Payment.Type type) {
        ExternalTerminal terminal = terminal();
        if (terminal == null) {
            return;
        }
        Money money;
        try {
            money = new Money(new BigDecimal(amount.getText().toString().trim()),
                    Currency.getInstance(currency.getText().toString().trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) { // NumberFormatException is one
            append("invalid amount or currency: " + e.getMessage());
            return;
        }
        model.clearReceipts();
        String flow = type.name().toLowerCase(Locale.ROOT);
        append("→ " + flow + " " + money + " on " + terminal);
        payments.payment(terminal, Payment.builder().type(type).amount(money).build(), model.delegate(flow));
    }

    private void abort(boolean newConnection) {
        ExternalTerminal terminal = terminal();
        if (terminal == null) {
            return;
        }
        if (newConnection) {
            append("→ abortOnNewConnection");
            payments.abortOnNewConnection(terminal, model.delegate("abort (new connection)"));
        } else {
            append("→ abort");
            payments.abort(terminal, model.delegate("abort"));
        }
    }

    /** Settles the last payment whose outcome the app did not learn (crash, lost connection). */
    private void recover() {
        ExternalTerminal terminal = terminal();
        if (terminal == null) {
            return;
        }
        model.clearReceipts();
        append("→ recoverPayment");
        terminals.recoverPayment(terminal, null, model.delegate("recovery"));
    }

    private void administration(String operation) {
        ExternalTerminal terminal = terminal();
        if (terminal == null) {
            return;
        }
        model.clearReceipts();
        append("→ " + operation);
        DemoModel.LoggingDelegate delegate = model.delegate(operation);
        switch (operation) {
            case "status":
                terminals.status(terminal, delegate);
                break;
            case "periodClosing":
                terminals.periodClosing(terminal, delegate);
                break;
            default:
                terminals.retrieveLastTicket(terminal, delegate);
                break;
        }
    }

    private void tokenAbort() {
        ExternalTerminal terminal = terminal();
        if (terminal == null) {
            return;
        }
        boolean isSilent = silent.isChecked();
        append("→ token abort, silent=" + isSilent);
        tokens.abort(isSilent, terminal, model.delegate(isSilent ? "token abort (silent)" : "token abort"));
    }

    /** The terminal described by the form, or null (and a log line) when a field is invalid. */
    private ExternalTerminal terminal() {
        try {
            ExternalTerminal.TerminalType type = dialect.getSelectedItemPosition() == 1
                    ? ExternalTerminal.TerminalType.OPI_DE : ExternalTerminal.TerminalType.OPI_NL;
            ExternalTerminal.Builder builder = ExternalTerminal.builder()
                    .ipAddress(ipAddress.getText().toString().trim())
                    .terminalType(type);
            String mainPort = port.getText().toString().trim();
            if (!mainPort.isEmpty()) {
                builder.port(Integer.parseInt(mainPort));
            }
            String compatPort = compatibilityPort.getText().toString().trim();
            if (!compatPort.isEmpty()) {
                builder.compatibilityPort(Integer.parseInt(compatPort));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            append("invalid terminal settings: " + e.getMessage());
            return null;
        }
    }

    private void append(String line) {
        model.append(line);
    }

    /** Shows the model's state; the retained model calls it only while this Activity is attached. */
    private final class ModelScreen implements DemoModel.Screen {
        @Override
        public void showLog(CharSequence text) {
            log.setText(text);
            logScroll.post(() -> logScroll.fullScroll(View.FOCUS_DOWN));
        }

        @Override
        public void showReceipts(CharSequence text) {
            receipts.setText(text);
        }

        @Override
        public void showQuestion(String flow, String question) {
            if (questionDialog != null) {
                questionDialog.dismiss();
                questionDialog = null;
            }
            if (question == null) {
                return;
            }
            questionDialog = new AlertDialog.Builder(DemoActivity.this)
                    .setTitle(flow)
                    .setMessage(question)
                    .setCancelable(false)
                    .setPositiveButton("Yes", (dialog, which) -> model.answer(true))
                    .setNegativeButton("No", (dialog, which) -> model.answer(false))
                    .show();
        }
    }

    private void restoreSettings() {
        SharedPreferences settings = getPreferences(MODE_PRIVATE);
        ipAddress.setText(settings.getString("ip", "192.168.1.20"));
        port.setText(settings.getString("port", ""));
        compatibilityPort.setText(settings.getString("compatibilityPort", ""));
        dialect.setSelection(settings.getInt("dialect", 0));
        amount.setText(settings.getString("amount", "12.50"));
        currency.setText(settings.getString("currency", "EUR"));
    }

    private void saveSettings() {
        getPreferences(MODE_PRIVATE).edit()
                .putString("ip", ipAddress.getText().toString())
                .putString("port", port.getText().toString())
                .putString("compatibilityPort", compatibilityPort.getText().toString())
                .putInt("dialect", dialect.getSelectedItemPosition())
                .putString("amount", amount.getText().toString())
                .putString("currency", currency.getText().toString())
                .apply();
    }

    private EditText field(String hint, int inputType) {
        EditText field = new EditText(this);
        field.setHint(hint);
        field.setInputType(inputType);
        field.setSingleLine(true);
        return field;
    }

    private Button button(String text, View.OnClickListener onClick) {
        Button button = new Button(this);
        button.setText(text);
        button.setAllCaps(false);
        button.setOnClickListener(onClick);
        return button;
    }

    private TextView label(String text) {
        TextView label = new TextView(this);
        label.setText(text);
        label.setTypeface(Typeface.DEFAULT_BOLD);
        return label;
    }

    private View weighted(View view, float weight) {
        view.setLayoutParams(new LinearLayout.LayoutParams(0, ViewGroup.LayoutParams.WRAP_CONTENT, weight));
        return view;
    }

    private LinearLayout row(View... views) {
        LinearLayout row = new LinearLayout(this);
        row.setOrientation(LinearLayout.HORIZONTAL);
        for (View view : views) {
            row.addView(view);
        }
        return row;
    }

    private int dp(int value) {
        return Math.round(value * getResources().getDisplayMetrics().density);
    }
}
