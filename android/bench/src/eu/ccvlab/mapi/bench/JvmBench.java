package eu.ccvlab.mapi.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Currency;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.simpleframework.xml.Serializer;
import org.simpleframework.xml.core.Persister;
import org.w3c.dom.Document;

import eu.ccvlab.mapi.api.PaymentService;
import eu.ccvlab.mapi.api.TerminalService;
import eu.ccvlab.mapi.core.MapiConfig;
import eu.ccvlab.mapi.core.api.response.delegate.PaymentDelegate;
import eu.ccvlab.mapi.core.api.response.result.Error;
import eu.ccvlab.mapi.core.payment.Money;
import eu.ccvlab.mapi.core.payment.Payment;
import eu.ccvlab.mapi.core.payment.PaymentAdministrationResult;
import eu.ccvlab.mapi.core.payment.PaymentResult;
import eu.ccvlab.mapi.core.terminal.ExternalTerminal;
import eu.ccvlab.mapi.internal.NativeEngine;
import eu.ccvlab.mapi.internal.NativeTerminal;
import eu.ccvlab.mapi.testing.Scenario;
import eu.ccvlab.mapi.testing.TerminalSimulator;

/**
 * The JVM half of {@code scripts/bench.sh}. Prints {@code MAPI-RESULT key value} lines like the Rust benches.
 *
 * <pre>
 * java ... eu.ccvlab.mapi.bench.JvmBench abort ROUNDS      # Java API → AbortRequest on the wire / success callback
 * java ... eu.ccvlab.mapi.bench.JvmBench codec DATA_DIR    # Simple XML 2.7 and javax.xml DOM on benches/data
 * java ... eu.ccvlab.mapi.bench.JvmBench soak CYCLES CHECKPOINT   # JNI global refs and handles
 * </pre>
 */
public final class JvmBench {
    private JvmBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "abort":
                abort(Integer.parseInt(args[1]));
                break;
            case "codec":
                codec(args[1]);
                break;
            case "soak":
                soak(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            default:
                System.err.println("usage: JvmBench abort ROUNDS | codec DATA_DIR | soak CYCLES CHECKPOINT");
                System.exit(2);
        }
        System.exit(0);
    }

    static void report(String key, Object value) {
        System.out.println("MAPI-RESULT " + key + " " + value);
    }

    // ------------------------------------------------------------------------------------------------------
    // Abort latency through the Java API (JNI), against a raw TCP terminal in this JVM.

    private static final long WAIT_MS = 10_000;

    /** A raw channel-0 terminal: holds a payment, timestamps an AbortRequest's arrival, answers at once. */
    static final class RawTerminal implements Runnable {
        final ServerSocket server;
        final BlockingQueue<long[]> events = new LinkedBlockingQueue<>(); // {0} payment, {1, nanos} abort

        RawTerminal() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(this, "bench-raw-terminal");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            while (true) {
                try (Socket socket = server.accept()) {
                    socket.setTcpNoDelay(true);
                    serve(socket.getInputStream(), socket.getOutputStream());
                } catch (IOException ended) {
                    // next connection
                }
            }
        }

        private void serve(InputStream in, OutputStream out) throws IOException {
            byte[] prefix = new byte[4];
            String[] payment = null;
            while (true) {
                if (!readFully(in, prefix)) {
                    return;
                }
                int length = ((prefix[0] & 0xff) << 24) | ((prefix[1] & 0xff) << 16) | ((prefix[2] & 0xff) << 8)
                        | (prefix[3] & 0xff);
                byte[] body = new byte[length];
                if (!readFully(in, body)) {
                    return;
                }
                long arrived = System.nanoTime();
                String xml = new String(body, StandardCharsets.UTF_8);
                String type = attribute(xml, "RequestType");
                String workstation = attribute(xml, "WorkstationID");
                String id = attribute(xml, "RequestID");
                if ("AbortRequest".equals(type)) {
                    ByteArrayOutputStream answer = new ByteArrayOutputStream();
                    frame(answer, response("CardServiceResponse", "AbortRequest", workstation, id, "Success"));
                    if (payment != null) {
                        frame(answer, response("CardServiceResponse", payment[0], payment[1], payment[2], "Aborted"));
                        payment = null;
                    }
                    out.write(answer.toByteArray());
                    out.flush();
                    // Reported after answering, so waking the bench thread does not delay the answer.
                    events.add(new long[] {1, arrived});
                } else if (xml.contains("<CardServiceRequest")) {
                    payment = new String[] {type, workstation, id};
                    events.add(new long[] {0, arrived});
                } else {
                    ByteArrayOutputStream answer = new ByteArrayOutputStream();
                    frame(answer, response("ServiceResponse", type, workstation, id, "Success"));
                    out.write(answer.toByteArray());
                    out.flush();
                }
            }
        }

        long[] next() throws InterruptedException {
            long[] event = events.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new IllegalStateException("the raw terminal saw nothing");
            }
            return event;
        }
    }

    static boolean readFully(InputStream in, byte[] buffer) throws IOException {
        int read = 0;
        while (read < buffer.length) {
            int n = in.read(buffer, read, buffer.length - read);
            if (n < 0) {
                return false;
            }
            read += n;
        }
        return true;
    }

    static String attribute(String xml, String name) {
        String pattern = " " + name + "=\"";
        int start = xml.indexOf(pattern);
        if (start < 0) {
            return "";
        }
        start += pattern.length();
        return xml.substring(start, xml.indexOf('"', start));
    }

    static void frame(ByteArrayOutputStream out, String xml) {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        out.write(body.length >>> 24);
        out.write(body.length >>> 16);
        out.write(body.length >>> 8);
        out.write(body.length);
        out.write(body, 0, body.length);
    }

    static String response(String root, String type, String workstation, String id, String result) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + root
                + " xmlns=\"http://www.nrf-arts.org/IXRetail/namespace\" RequestType=\"" + type + "\" WorkstationID=\""
                + workstation + "\" RequestID=\"" + id + "\" OverallResult=\"" + result + "\"/>";
    }

    /** Puts every final callback on a queue: {kind, nanos} with 0 payment, 1 abort/admin success, 2 error. */
    static final class FinalsDelegate implements PaymentDelegate {
        final BlockingQueue<Object[]> finals = new LinkedBlockingQueue<>();

        @Override
        public void onPaymentSuccess(PaymentResult result) {
            finals.add(new Object[] {0, System.nanoTime(), String.valueOf(result.resultState())});
        }

        @Override
        public void onPaymentError(PaymentResult result) {
            finals.add(new Object[] {0, System.nanoTime(), String.valueOf(result.resultState())});
        }

        @Override
        public void onPaymentAdministrationSuccess(PaymentAdministrationResult<?> result) {
            finals.add(new Object[] {1, System.nanoTime(), "success"});
        }

        @Override
        public void onError(Error error) {
            finals.add(new Object[] {2, System.nanoTime(), String.valueOf(error)});
        }

        Object[] next() throws InterruptedException {
            Object[] event = finals.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new IllegalStateException("a final callback is missing");
            }
            return event;
        }
    }

    static File stateDirectory(String name) throws IOException {
        File dir = Files.createTempDirectory("mapi-bench-" + name).toFile();
        dir.deleteOnExit();
        return dir;
    }

    static ExternalTerminal connect(int port, String workstation) {
        ExternalTerminal terminal = ExternalTerminal.builder().ipAddress("127.0.0.1").port(port).compatibilityPort(0)
                .terminalType(ExternalTerminal.TerminalType.OPI_NL)
                .socketMode(ExternalTerminal.SocketMode.DUAL_SOCKET).workstationId(workstation).build();
        int listen = NativeEngine.listenPort(NativeTerminal.from(terminal));
        if (listen <= 0) {
            throw new IllegalStateException("no channel-1 port: " + listen);
        }
        return terminal;
    }

    static Payment sale() {
        return Payment.builder().type(Payment.Type.SALE)
                .amount(new Money(new BigDecimal("12.50"), Currency.getInstance("EUR"))).build();
    }

    static void abort(int rounds) throws Exception {
        MapiConfig.setStateDirectory(stateDirectory("abort"));
        RawTerminal raw = new RawTerminal();
        ExternalTerminal terminal = connect(raw.server.getLocalPort(), "JBENCH1");
        PaymentService payments = new PaymentService();
        TerminalService admin = new TerminalService();
        FinalsDelegate delegate = new FinalsDelegate();
        Payment sale = sale();
        long pauseMicros = Long.parseLong(System.getProperty("mapi.bench.pauseMicros", "1000"));
        int warmUp = Math.min(1000, Math.max(200, rounds / 3)); // JNI paths and the callback executor JIT-compiled
        long[] wire = new long[rounds];
        long[] endToEnd = new long[rounds];
        long started = System.nanoTime();
        for (int round = -warmUp; round < rounds; round++) {
            payments.payment(terminal, sale, delegate);
            if (raw.next()[0] != 0) {
                throw new IllegalStateException("expected the payment at the terminal");
            }
            TimeUnit.MICROSECONDS.sleep(pauseMicros);
            long start = System.nanoTime();
            payments.abort(terminal, delegate);
            long[] arrived = raw.next();
            if (arrived[0] != 1) {
                throw new IllegalStateException("expected the AbortRequest at the terminal");
            }
            long abortDone = -1;
            boolean paymentDone = false;
            while (abortDone < 0 || !paymentDone) {
                Object[] done = delegate.next();
                int kind = (Integer) done[0];
                if (kind == 1) {
                    abortDone = (Long) done[1];
                } else if (kind == 0) {
                    paymentDone = true;
                } else {
                    throw new IllegalStateException("abort failed: " + done[2]);
                }
            }
            admin.status(terminal, delegate); // the engine has finished the cycle's work (journal cleared)
            if ((Integer) delegate.next()[0] != 1) {
                throw new IllegalStateException("status failed");
            }
            if (round >= 0) {
                wire[round] = arrived[1] - start;
                endToEnd[round] = abortDone - start;
            }
        }
        System.out.printf("java abort latency: %d rounds (+%d warm-up) in %.1f s%n", rounds, warmUp,
                (System.nanoTime() - started) / 1e9);
        latencies("java.abort_to_wire", wire);
        latencies("java.abort_end_to_end", endToEnd);
    }

    static void latencies(String key, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = percentile(sorted, 50) / 1e3;
        double p90 = percentile(sorted, 90) / 1e3;
        double p99 = percentile(sorted, 99) / 1e3;
        double max = sorted[sorted.length - 1] / 1e3;
        System.out.printf("%-28s n=%-6d p50=%8.1f µs  p90=%8.1f µs  p99=%8.1f µs  max=%9.1f µs%n", key, sorted.length,
                p50, p90, p99, max);
        report(key + ".p50_us", String.format("%.2f", p50));
        report(key + ".p99_us", String.format("%.2f", p99));
        report(key + ".n", sorted.length);
    }

    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, Math.min(sorted.length, rank)) - 1];
    }

    // ------------------------------------------------------------------------------------------------------
    // Codec: the same bytes as the Rust bench, parsed and serialised by Simple XML and by DOM + Transformer.

    interface Op {
        int run() throws Exception;
    }

    /**
     * Median CPU ns per call over {@code batches} batches of ~20 ms, after {@code warmUpMillis} of calls (JIT).
     * Thread CPU time, as the Rust side: time spent waiting for a core on a loaded machine does not count.
     */
    static double medianNanos(Op op, long warmUpMillis, int batches) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long calls = 0;
        long start = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long warmUpEnd = start + warmUpMillis * 1_000_000L;
        while (System.nanoTime() < warmUpEnd) {
            sink += op.run();
            calls++;
        }
        double perCall = (double) (threads.getCurrentThreadCpuTime() - cpuStart) / Math.max(1, calls);
        long batch = Math.max(1, (long) (20_000_000.0 / perCall));
        double[] samples = new double[batches];
        for (int i = 0; i < batches; i++) {
            long t = threads.getCurrentThreadCpuTime();
            for (long j = 0; j < batch; j++) {
                sink += op.run();
            }
            samples[i] = (double) (threads.getCurrentThreadCpuTime() - t) / batch;
        }
        if (sink == 42) {
            System.out.print("");
        }
        Arrays.sort(samples);
        return samples[batches / 2];
    }

    static void codec(String dataDir) throws Exception {
        final byte[] response = Files.readAllBytes(Paths.get(dataDir, "card_service_response.xml"));
        final byte[] receipt = Files.readAllBytes(Paths.get(dataDir, "device_request_receipt_40.xml"));
        long warmUp = Long.parseLong(System.getProperty("mapi.bench.warmUpMillis", "3000"));
        int batches = Integer.parseInt(System.getProperty("mapi.bench.batches", "50"));

        final Serializer simple = new Persister();
        SimpleXmlModel.DeviceRequest parsed = simple.read(SimpleXmlModel.DeviceRequest.class,
                new ByteArrayInputStream(receipt));
        if (parsed.outputs.get(0).lines.size() != 40) {
            throw new IllegalStateException("Simple XML read " + parsed.outputs.get(0).lines.size() + " lines");
        }
        SimpleXmlModel.CardServiceResponse parsedResponse = simple.read(SimpleXmlModel.CardServiceResponse.class,
                new ByteArrayInputStream(response));
        if (parsedResponse.tender.totalAmount.value.compareTo(new BigDecimal("12.50")) != 0) {
            throw new IllegalStateException("Simple XML read the wrong amount");
        }
        Op simpleResponse = () -> {
            SimpleXmlModel.CardServiceResponse r = simple.read(SimpleXmlModel.CardServiceResponse.class,
                    new ByteArrayInputStream(response));
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            simple.write(r, out);
            return out.size();
        };
        Op simpleReceipt = () -> {
            SimpleXmlModel.DeviceRequest r = simple.read(SimpleXmlModel.DeviceRequest.class,
                    new ByteArrayInputStream(receipt));
            ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
            simple.write(r, out);
            return out.size();
        };

        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        final DocumentBuilder builder = factory.newDocumentBuilder();
        final Transformer transformer = TransformerFactory.newInstance().newTransformer();
        Document document = builder.parse(new ByteArrayInputStream(receipt));
        if (document.getElementsByTagNameNS(SimpleXmlModel.IXRETAIL, "TextLine").getLength() != 40) {
            throw new IllegalStateException("DOM read the wrong number of lines");
        }
        Op domResponse = () -> dom(builder, transformer, response);
        Op domReceipt = () -> dom(builder, transformer, receipt);

        Map<String, Double> results = new TreeMap<>();
        results.put("simplexml.response_ns", medianNanos(simpleResponse, warmUp, batches));
        results.put("simplexml.receipt_ns", medianNanos(simpleReceipt, warmUp, batches));
        results.put("simplexml.both_ns", medianNanos(() -> simpleResponse.run() + simpleReceipt.run(), warmUp, batches));
        results.put("dom.response_ns", medianNanos(domResponse, warmUp, batches));
        results.put("dom.receipt_ns", medianNanos(domReceipt, warmUp, batches));
        results.put("dom.both_ns", medianNanos(() -> domResponse.run() + domReceipt.run(), warmUp, batches));
        System.out.printf("codec (JVM %s, parse+serialize, thread CPU time, median of %d batches after %d ms warm-up):%n",
                System.getProperty("java.version"), batches, warmUp);
        for (Map.Entry<String, Double> entry : results.entrySet()) {
            System.out.printf("  %-24s %10.1f µs%n", entry.getKey(), entry.getValue() / 1e3);
            report("codec." + entry.getKey(), String.format("%.0f", entry.getValue()));
        }
    }

    static int dom(DocumentBuilder builder, Transformer transformer, byte[] bytes) throws Exception {
        Document document = builder.parse(new ByteArrayInputStream(bytes));
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        transformer.transform(new DOMSource(document), new StreamResult(out));
        return out.size();
    }

    // ------------------------------------------------------------------------------------------------------
    // Soak: payment + abort cycles through the Java API against the Rust simulator; native counters.

    static long[] settledCounts(PaymentService payments, ExternalTerminal terminal, FinalsDelegate delegate)
            throws InterruptedException {
        long refs = Long.MAX_VALUE;
        long handles = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            payments.abort(terminal, delegate); // nothing running: one NOT_A_FLOW_HAPPENING round trip
            delegate.next();
            CountDownLatch drained = new CountDownLatch(1);
            MapiConfig.getCallbackExecutor().execute(drained::countDown);
            drained.await(WAIT_MS, TimeUnit.MILLISECONDS);
            refs = Math.min(refs, NativeEngine.globalRefCount());
            handles = Math.min(handles, NativeEngine.liveHandleCount());
        }
        return new long[] {refs, handles};
    }

    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return -1;
    }

    static void soak(int cycles, int checkpoint) throws Exception {
        MapiConfig.setStateDirectory(stateDirectory("soak"));
        TerminalSimulator sim = TerminalSimulator.start(Scenario.ABORT_ACCEPTED);
        ExternalTerminal terminal = sim.attach(connect(sim.port(), "JSOAK1"));
        PaymentService payments = new PaymentService();
        FinalsDelegate delegate = new FinalsDelegate();
        Payment sale = sale();
        Map<String, Integer> outcomes = new TreeMap<>();
        long[] atCheckpoint = null;
        long rssCheckpoint = 0;
        long started = System.nanoTime();
        for (int cycle = 1; cycle <= cycles; cycle++) {
            payments.payment(terminal, sale, delegate);
            payments.abort(terminal, delegate);
            for (int i = 0; i < 2; i++) {
                Object[] done = delegate.next();
                String key = ((Integer) done[0] == 0 ? "payment " : (Integer) done[0] == 1 ? "abort " : "error ")
                        + ((Integer) done[0] == 2 ? "" : done[2]);
                outcomes.merge(key.trim(), 1, Integer::sum);
            }
            if (cycle == checkpoint) {
                atCheckpoint = settledCounts(payments, terminal, delegate);
                System.gc();
                rssCheckpoint = rssKib();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] end = settledCounts(payments, terminal, delegate);
        System.gc();
        long rssEnd = rssKib();
        sim.close();
        System.out.printf("java soak: %d cycles in %.1f s (%.0f/s); outcomes %s%n", cycles, seconds, cycles / seconds,
                outcomes);
        System.out.printf("java soak: at cycle %d globalRefCount=%d liveHandleCount=%d RSS=%d KiB; at %d "
                + "globalRefCount=%d liveHandleCount=%d RSS=%d KiB%n", checkpoint, atCheckpoint[0], atCheckpoint[1],
                rssCheckpoint, cycles, end[0], end[1], rssEnd);
        int finals = 0;
        for (int count : outcomes.values()) {
            finals += count;
        }
        report("java.soak.cycles", cycles);
        report("java.soak.checkpoint", checkpoint);
        report("java.soak.seconds", String.format("%.1f", seconds));
        report("java.soak.finals", finals);
        report("java.soak.global_refs_mid", atCheckpoint[0]);
        report("java.soak.global_refs_end", end[0]);
        report("java.soak.handles_mid", atCheckpoint[1]);
        report("java.soak.handles_end", end[1]);
        report("java.soak.rss_mid_kib", rssCheckpoint);
        report("java.soak.rss_end_kib", rssEnd);
    }
}
