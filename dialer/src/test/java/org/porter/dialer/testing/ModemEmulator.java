package org.porter.dialer.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import org.porter.dialer.modem.JSerialLine;
import org.porter.dialer.modem.SerialLine;
import org.porter.mta.testing.TestTime;

/**
 * Our modem emulator, on the far end of a {@link PtyPair}: a Hayes modem (or an ISDN terminal
 * adapter: {@code CONNECT 64000}, {@code AT&E<msn>}) that answers AT commands, records every command
 * it received, and can be told what the next dials give (BUSY, NO CARRIER, NO DIALTONE, NO ANSWER,
 * ERROR, CONNECT ...: "BUSY twice then CONNECT" is {@code dialResults("BUSY", "BUSY")}), to drop the
 * line when dialled or mid-session, or to say NO CARRIER mid-session. After CONNECT it is the line:
 * bytes go through to {@link #data()} until the escape ({@code +++} between guard times).
 *
 * <p>Echo is on (ATE1) and result codes are verbose (ATV1) until told otherwise, as on a real modem.
 */
public final class ModemEmulator implements AutoCloseable {
    private static final Duration GUARD = Duration.ofMillis(150);

    private final SerialLine line;
    private final String connect;
    private final Thread thread;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final Deque<String> dialResults = new ArrayDeque<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    private volatile boolean echo = true;
    private volatile boolean verbose = true;
    private volatile boolean online;
    private volatile boolean dropOnDial;
    private volatile boolean silentOnDial;
    private volatile boolean noCarrierOnHangUp;
    private volatile boolean closed;
    private volatile OutputStream farOut;
    private volatile boolean faxModem;
    private volatile boolean faxCall;
    private volatile boolean faxData;
    private final ByteArrayOutputStream faxPage = new ByteArrayOutputStream();
    private final List<byte[]> faxPages = new CopyOnWriteArrayList<>();
    private final Deque<byte[]> incomingPages = new ArrayDeque<>();
    private volatile String incomingStation;
    private volatile boolean incomingCall;
    private volatile boolean awaitingStartChar;
    private volatile boolean autoAnswer;
    private volatile boolean class20;
    /** The service class the DTE set (AT+FCLASS=n; ATZ makes it 0): a dial in class 0 is a data call. */
    private volatile String fclass = "0";
    private volatile boolean answerHeld;

    private final PtyPair pty;

    private ModemEmulator(PtyPair pty, SerialLine line, String connect) {
        this.pty = pty;
        this.line = line;
        this.connect = connect;
        this.thread = Thread.ofPlatform().daemon().name("modem-emulator").start(this::run); // jSerialComm reads block in native code: a virtual thread would pin a carrier
    }

    /** An analog modem answering dials with {@code CONNECT 33600}. */
    public static ModemEmulator analog(PtyPair pty) throws IOException {
        return new ModemEmulator(pty, JSerialLine.open(pty.dce(), 115200, false), "CONNECT 33600");
    }

    /**
     * An analog modem on any serial device, e.g. a pty that socat joined to a virtual machine's serial
     * port. {@link #dropLine} then closes only the emulator's end.
     */
    public static ModemEmulator analog(Path dce) throws IOException {
        return new ModemEmulator(null, JSerialLine.open(dce, 115200, false), "CONNECT 33600");
    }

    /**
     * The far end of every call from now on: while online, the bytes the DTE sends go to {@code out}
     * (another modem's line: a real pppd answering, say) and what comes from {@code in} goes to the DTE,
     * as over a telephone line. {@link #data()} still counts what the DTE sent.
     */
    public ModemEmulator farEnd(InputStream in, OutputStream out) {
        this.farOut = out;
        Thread.ofPlatform().daemon().name("modem-far-end").start(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (online && n > 0) {
                        line.write(java.util.Arrays.copyOf(buf, n));
                    } // bytes while on hook go nowhere, as on a real line
                }
            } catch (IOException e) {
                if (!closed) {
                    events.add("far end lost");
                }
            }
        });
        return this;
    }

    /**
     * An analog fax modem of service Class 2 (EIA/TIA-592 as efax drives it: {@code AT+FCLASS=2},
     * {@code +FCON}/{@code +FDIS} on connecting, {@code AT+FDT} answered {@code +FDCS}, {@code CONNECT}
     * and XON, page data DLE-stuffed up to DLE ETX, {@code AT+FET=n} answered {@code +FPTS:1}: every page
     * received well by the far fax machine). The pages received are in {@link #faxPages()}.
     * {@link #dialResults} apply to fax calls too (BUSY, NO CARRIER ...).
     */
    public static ModemEmulator faxClass2(PtyPair pty) throws IOException {
        ModemEmulator m = new ModemEmulator(pty, JSerialLine.open(pty.dce(), 115200, false), "CONNECT 14400");
        m.faxModem = true;
        return m;
    }

    /**
     * A fax machine calls in: the modem says RING, and once the DTE answers (ATA, or at once when
     * auto-answer is on: ATS0=n, n > 0) it plays the calling machine of a Class 2 receive session:
     * {@code +FCON}, {@code +FTSI:"station"}, {@code +FDCS}, OK; each {@code AT+FDR} gets {@code +FCFR},
     * {@code +FDCS}, CONNECT, and after the DTE's DC2 the next page (T.4 data, bits least significant
     * first as a Class 2 modem gives them, DLE-stuffed, ended by DLE ETX), then {@code +FPTS:1},
     * {@code +FET:0} (another page follows) or {@code +FET:2} (the last), OK; the {@code AT+FDR} after the
     * last page gets {@code +FHNG:0}, OK.
     */
    public synchronized void incomingFax(String station, List<byte[]> pages) throws IOException {
        incomingPages.clear();
        incomingPages.addAll(pages);
        incomingStation = station;
        incomingCall = true;
        events.add("ringing");
        send("RING", "2");
        if (autoAnswer && !answerHeld) {
            answerFaxCall();
        }
    }

    /**
     * Auto-answer waits from now on: an incoming fax rings, and the DTE that saw the ring (efax, which
     * then locks the modem for the call) waits for the answer until {@link #releaseAnswer}: a fax call
     * in progress, held still for as long as a test needs.
     */
    public void holdAnswer() {
        answerHeld = true;
    }

    /** Answers the held incoming fax call now (see {@link #holdAnswer}). */
    public synchronized void releaseAnswer() throws IOException {
        answerHeld = false;
        if (incomingCall && autoAnswer) {
            answerFaxCall();
        }
    }

    private void answerFaxCall() throws IOException {
        events.add("fax call answered");
        faxCall = true;
        line.write((class20 ? "\r\n+FCO\r\n\r\n+FTI:\"" + incomingStation + "\"\r\n\r\n+FCS:1,5,0,2,0,0,0,0\r\n"
                : "\r\n+FCON\r\n\r\n+FTSI:\"" + incomingStation + "\"\r\n\r\n+FDCS:1,5,0,2,0,0,0,0\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        send("OK", "0");
    }

    /** The next page toward the DTE, after its DC2. */
    private synchronized void sendIncomingPage() throws IOException {
        byte[] page = incomingPages.poll();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : page) {
            if (b == 0x10) {
                out.write(0x10);
            }
            out.write(b);
        }
        out.write(0x10);
        out.write(0x03);
        line.write(out.toByteArray());
        boolean last = incomingPages.isEmpty();
        line.write((class20 ? "\r\n+FPS:1\r\n\r\n+FET:" + (last ? 2 : 0) + "\r\n"
                : "\r\n+FPTS:1\r\n\r\n+FET:" + (last ? 2 : 0) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        send("OK", "0");
        events.add("fax page sent " + (last ? "(last)" : ""));
    }

    /** T.4 data with each byte's bits reversed: a file's order (most significant first) to a Class 2 modem's. */
    public static byte[] reverseBits(byte[] data) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (Integer.reverse(data[i] & 0xff) >>> 24);
        }
        return out;
    }

    /**
     * An analog fax modem of service Class 2.0 (ITU-T T.32 as efax drives it; efax picks 2.0 when
     * {@code AT+FCLASS=?} lists it): {@code +FCO} on connecting, {@code AT+FDT} answered {@code +FCS} and
     * CONNECT (no XON), a page ended by DLE ',' (another follows) or DLE '.' (the last) answered OK; on
     * receiving {@code +FCO}/{@code +FCS} and, after the last page, {@code +FHS:0}. The rest as
     * {@link #faxClass2}.
     */
    public static ModemEmulator faxClass20(PtyPair pty) throws IOException {
        ModemEmulator m = faxClass2(pty);
        m.class20 = true;
        return m;
    }

    /** The fax pages received (DLE stuffing removed: T.4 data as on the telephone line), in order. */
    public List<byte[]> faxPages() {
        return List.copyOf(faxPages);
    }

    /**
     * The T.4 end-of-line codes in a page (at least 11 zero bits, then a one; bits least significant
     * first, as a Class 2 DTE sends them): one per scan line, and six more for the end of the page.
     */
    public static int eolCount(byte[] page) {
        int zeros = 0;
        int eols = 0;
        for (byte b : page) {
            for (int bit = 0; bit < 8; bit++) {
                if ((b >> bit & 1) == 0) {
                    zeros++;
                } else {
                    if (zeros >= 11) {
                        eols++;
                    }
                    zeros = 0;
                }
            }
        }
        return eols;
    }

    /** An ISDN terminal adapter answering dials with {@code CONNECT 64000}. */
    public static ModemEmulator isdnTa(PtyPair pty) throws IOException {
        return new ModemEmulator(pty, JSerialLine.open(pty.dce(), 115200, false), "CONNECT 64000");
    }

    /** The results of the next dials, in order; after them, dials connect. */
    public synchronized ModemEmulator dialResults(String... results) {
        dialResults.addAll(List.of(results));
        return this;
    }

    /** The next dial loses the line (the emulator's port closes) instead of answering. */
    public ModemEmulator dropOnDial() {
        dropOnDial = true;
        return this;
    }

    /** The next dial gets no answer at all (a dead modem): the DTE's timeout must act. */
    public ModemEmulator silentOnDial() {
        silentOnDial = true;
        return this;
    }

    /** The next ATH is answered NO CARRIER instead of OK: the line dropped while the DTE hung up. */
    public ModemEmulator noCarrierOnHangUp() {
        noCarrierOnHangUp = true;
        return this;
    }

    /**
     * Drops the line now, as when the cable is pulled: the pty pair goes away (socat ends), so the
     * DTE's next read or write fails. (Closing only our end would not do: socat keeps the pty open.)
     */
    public void dropLine() {
        events.add("line dropped");
        closed = true;
        try {
            if (pty != null) {
                pty.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Mid-session: the carrier is lost; says NO CARRIER and goes back to command mode. */
    public void noCarrier() throws IOException {
        online = false;
        events.add("no carrier");
        send("NO CARRIER", "3");
    }

    /** Sends bytes to the DTE as if from the far end of the call. */
    public void sendData(byte[] bytes) throws IOException {
        line.write(bytes);
    }

    /** Every AT command received, as sent (without the CR). */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** "connected", "escape", "hung up (ATH)", "line dropped", "no carrier", "line lost". */
    public List<String> events() {
        return List.copyOf(events);
    }

    public boolean online() {
        return online;
    }

    /** Bytes received while online. */
    public synchronized byte[] data() {
        return data.toByteArray();
    }

    /** Waits until {@code event} was seen, at most {@code timeout} ({@linkplain TestTime#scaled scaled}). */
    public boolean awaitEvent(String event, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + TestTime.scaled(timeout).toNanos();
        while (System.nanoTime() < deadline) {
            if (events.contains(event)) {
                return true;
            }
            Thread.sleep(10);
        }
        return events.contains(event);
    }

    private void run() {
        byte[] buf = new byte[512];
        StringBuilder cmd = new StringBuilder();
        String tail = "";
        try {
            while (!closed) {
                int n = line.read(buf, GUARD);
                if (awaitingStartChar && n > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == 0x12 || buf[i] == 0x11) { // DC2 (or XON with efax -ox): send the page
                            awaitingStartChar = false;
                            sendIncomingPage();
                        }
                    }
                    continue;
                }
                if (faxData) {
                    faxBytes(buf, n);
                    continue;
                }
                if (online) {
                    if (n == 0 && tail.endsWith("+++")) {
                        online = false;
                        events.add("escape");
                        synchronized (this) {
                            byte[] all = data.toByteArray();
                            data.reset();
                            data.write(all, 0, Math.max(0, all.length - 3));
                        }
                        send("OK", "0");
                        tail = "";
                        continue;
                    }
                    if (n > 0) {
                        synchronized (this) {
                            data.write(buf, 0, n);
                        }
                        OutputStream far = farOut;
                        if (far != null) {
                            far.write(buf, 0, n);
                            far.flush();
                        }
                        tail = (tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        tail = tail.substring(Math.max(0, tail.length() - 3));
                    }
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    char c = (char) (buf[i] & 0xff);
                    if (echo) {
                        line.write(new byte[] {buf[i]});
                    }
                    if (c == '\r') {
                        String command = cmd.toString().strip();
                        cmd.setLength(0);
                        if (!command.isEmpty()) {
                            commands.add(command);
                            answer(command);
                        }
                    } else if (c != '\n') {
                        cmd.append(c);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                events.add("line lost");
            }
        } finally {
            line.close();
        }
    }

    private void answer(String command) throws IOException {
        String c = command.toUpperCase(Locale.ROOT);
        if (!c.startsWith("AT")) {
            send("ERROR", "4");
            return;
        }
        String body = c.substring(2);
        if (faxModem && faxCommand(command.substring(2), body)) {
            return;
        }
        if (body.startsWith("D")) {
            dial(body);
        } else if (body.equals("H") || body.equals("H0")) {
            events.add("hung up (ATH)");
            if (noCarrierOnHangUp) {
                noCarrierOnHangUp = false;
                send("NO CARRIER", "3");
            } else {
                send("OK", "0");
            }
        } else if (body.equals("E0")) {
            echo = false;
            send("OK", "0");
        } else if (body.equals("E1")) {
            echo = true;
            send("OK", "0");
        } else if (body.equals("V0")) {
            verbose = false;
            send("OK", "0");
        } else if (body.equals("V1")) {
            verbose = true;
            send("OK", "0");
        } else if (body.equals("Z") || body.equals("") || body.startsWith("&E") || body.startsWith("X")
                || body.startsWith("&F") || body.startsWith("S") || body.startsWith("M") || body.startsWith("L")
                || body.startsWith("&C") || body.startsWith("&D") || body.startsWith("&K")) {
            if (body.equals("Z")) {
                echo = true;
                verbose = true;
                fclass = "0";
            }
            send("OK", "0");
        } else {
            send("ERROR", "4");
        }
    }

    /** Class 2 fax commands; false for a command that is not one (handled as on a data modem). */
    private boolean faxCommand(String asSent, String body) throws IOException {
        if (body.equals("Q0V1")) {
            verbose = true;
            send("OK", "0");
        } else if (body.equals("I3")) {
            info("Porter fax modem emulator");
        } else if (body.equals("+FCLASS=?")) {
            info(class20 ? "0,2,2.0" : "0,2");
        } else if (body.equals("+FMI?")) {
            info("PORTER");
        } else if (body.equals("+FMM?")) {
            info("CLASS 2.0 EMULATOR");
        } else if (body.equals("+FMR?")) {
            info("1.0");
        } else if (body.equals("+FIS?")) {
            info("+FIS:1,5,0,2,0,0,0,0");
        } else if (class20 && (body.equals("+FIP") || body.startsWith("+FNR=") || body.startsWith("+FLO=")
                || body.startsWith("+FBO=") || body.startsWith("+FIS=") || body.startsWith("+FCC=")
                || body.startsWith("+FPS=") || body.equals("+FKS"))) {
            send("OK", "0");
        } else if (class20 && body.startsWith("+FLI=")) {
            events.add("fax id " + asSent.substring(asSent.indexOf('=') + 1).strip());
            send("OK", "0");
        } else if (body.equals("+FMFR?")) {
            info("PORTER");
        } else if (body.equals("+FMDL?")) {
            info("CLASS 2 EMULATOR");
        } else if (body.equals("+FDIS?")) {
            info("+FDIS:1,5,0,2,0,0,0,0");
        } else if (body.equals("A") && incomingCall) {
            answerFaxCall();
        } else if (body.startsWith("S0=")) {
            autoAnswer = !body.equals("S0=0");
            send("OK", "0");
        } else if (body.equals("+FDR") && incomingCall) {
            synchronized (this) {
                if (incomingPages.isEmpty()) {
                    incomingCall = false;
                    faxCall = false;
                    events.add("fax received by the DTE");
                    line.write((class20 ? "\r\n+FHS:0\r\n" : "\r\n+FHNG:0\r\n").getBytes(StandardCharsets.US_ASCII));
                    send("OK", "0");
                    return true;
                }
            }
            line.write((class20 ? "\r\n+FCS:1,5,0,2,0,0,0,0\r\n" : "\r\n+FCFR\r\n\r\n+FDCS:1,5,0,2,0,0,0,0\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            send("CONNECT", "1");
            awaitingStartChar = true;
        } else if (body.startsWith("D") && body.length() > 1 && fclass.equals("0")) {
            return false; // a data call (the dial-up link sharing the fax modem)
        } else if (body.startsWith("+FCLASS=") || body.startsWith("+FCR=") || body.startsWith("+FDCC=")
                || body.startsWith("+FDIS=") || body.startsWith("+FLID=") || body.startsWith("+FBOR=")
                || body.startsWith("+FK") || body.startsWith("+FPTS=")) {
            if (body.startsWith("+FCLASS=")) {
                fclass = body.substring(8);
            }
            if (body.startsWith("+FLID=")) {
                events.add("fax id " + asSent.substring(asSent.indexOf('=') + 1).strip());
            }
            send("OK", "0");
        } else if (body.startsWith("D") && body.length() > 1) {
            String result;
            synchronized (this) {
                result = dialResults.isEmpty() ? "+FCON" : dialResults.poll();
            }
            if (!result.equals("+FCON")) {
                send(result, numeric(result));
                return true;
            }
            faxCall = true;
            events.add("fax call to " + body.substring(1));
            line.write((class20 ? "\r\n+FCO\r\n\r\n+FIS:1,5,0,2,0,0,0,0\r\n" : "\r\n+FCON\r\n\r\n+FDIS:1,5,0,2,0,0,0,0\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            send("OK", "0");
        } else if (body.equals("+FDT") && faxCall) {
            line.write((class20 ? "\r\n+FCS:1,5,0,2,0,0,0,0\r\n" : "\r\n+FDCS:1,5,0,2,0,0,0,0\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            send("CONNECT", "1");
            faxData = true;
            if (!class20) {
                line.write(new byte[] {0x11}); // XON: the DTE may send the page now (Class 2 only)
            }
        } else if (body.startsWith("+FET=") && faxCall) {
            line.write("\r\n+FPTS:1\r\n".getBytes(StandardCharsets.US_ASCII)); // MCF: page received well
            send("OK", "0");
            if (body.equals("+FET=2")) {
                faxCall = false;
                events.add("fax done");
            }
        } else {
            return false;
        }
        return true;
    }

    private void info(String text) throws IOException {
        line.write(("\r\n" + text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        send("OK", "0");
    }

    private boolean dle;

    /**
     * Page data: DLE DLE is one DLE, DLE ETX ends the page. The end is answered 1.1 s after it came:
     * efax divides by the whole seconds a page took and dies of SIGFPE on a page that took none (a
     * real line takes 5 to 20 s a page; the tests need not wait that long).
     */
    private void faxBytes(byte[] buf, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            int b = buf[i] & 0xff;
            if (dle) {
                dle = false;
                if (b == 0x03 || class20 && (b == ',' || b == '.' || b == ';')) { // Class 2.0: the page end says what follows
                    byte[] page = faxPage.toByteArray();
                    faxPage.reset();
                    faxData = false;
                    try {
                        Thread.sleep(1100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    faxPages.add(page);
                    events.add("fax page " + faxPages.size());
                    send("OK", "0");
                    if (class20 && b == '.') {
                        faxCall = false;
                        events.add("fax done");
                    }
                    return;
                }
                if (b == 0x10) {
                    faxPage.write(0x10);
                }
                continue; // other DLE pairs (DLE SUB ...) carry no page data here
            }
            if (b == 0x10) {
                dle = true;
            } else {
                faxPage.write(b);
            }
        }
    }

    private void dial(String body) throws IOException {
        if (dropOnDial) {
            dropOnDial = false;
            dropLine();
            return;
        }
        if (silentOnDial) {
            silentOnDial = false;
            return;
        }
        String result;
        synchronized (this) {
            result = dialResults.isEmpty() ? connect : dialResults.poll();
        }
        send("RING".equals(result) ? "RING" : result, numeric(result));
        if (result.startsWith("RING")) {
            send(connect, "1");
            result = connect;
        }
        if (result.startsWith("CONNECT")) {
            online = true;
            events.add("connected");
        }
    }

    private static String numeric(String verbose) {
        return switch (verbose) {
            case "OK" -> "0";
            case "RING" -> "2";
            case "NO CARRIER" -> "3";
            case "ERROR" -> "4";
            case "NO DIALTONE" -> "6";
            case "BUSY" -> "7";
            case "NO ANSWER" -> "8";
            default -> "1";
        };
    }

    private void send(String verboseText, String number) throws IOException {
        String text = verbose ? "\r\n" + verboseText + "\r\n" : number + "\r";
        line.write(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        closed = true;
        line.close();
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ModemEmulator" + new ArrayList<>(commands) + " " + events;
    }
}
