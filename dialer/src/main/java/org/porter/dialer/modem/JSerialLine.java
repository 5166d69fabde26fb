package org.porter.dialer.modem;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import com.fazecast.jSerialComm.SerialPort;

/**
 * A {@link SerialLine} on a real serial port (or a pty, by its symlink path) through jSerialComm:
 * 8N1 at the given speed, RTS/CTS flow control when asked. On a pty the DTR calls return false.
 */
public final class JSerialLine implements SerialLine {
    private final SerialPort port;
    private final String name;
    private volatile boolean closed;

    private JSerialLine(SerialPort port, String name) {
        this.port = port;
        this.name = name;
    }

    /** Opens {@code device} at {@code speed} bit/s; {@code hardwareFlow} selects RTS/CTS. */
    public static JSerialLine open(Path device, int speed, boolean hardwareFlow) throws IOException {
        SerialPort port = SerialPort.getCommPort(device.toString());
        port.setComPortParameters(speed, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(hardwareFlow ? SerialPort.FLOW_CONTROL_RTS_ENABLED | SerialPort.FLOW_CONTROL_CTS_ENABLED
                : SerialPort.FLOW_CONTROL_DISABLED);
        if (!port.openPort()) {
            throw new IOException("cannot open serial device " + device + " (error " + port.getLastErrorCode() + ")");
        }
        return new JSerialLine(port, device.toString());
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        int done = 0;
        while (done < bytes.length) {
            int n = port.writeBytes(bytes, bytes.length - done, done);
            if (n < 0 || closed) {
                throw new LineClosedException(name + ": line closed while writing");
            }
            done += n;
        }
    }

    @Override
    public int read(byte[] buffer, Duration timeout) throws IOException {
        if (closed) {
            throw new LineClosedException(name + ": closed");
        }
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, (int) Math.max(1, timeout.toMillis()), 0);
        int n = port.readBytes(buffer, buffer.length);
        if (n < 0) {
            throw new LineClosedException(name + ": line lost (error " + port.getLastErrorCode() + ")");
        }
        return n;
    }

    @Override
    public boolean setDtr(boolean on) {
        try {
            return on ? port.setDTR() : port.clearDTR();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            port.closePort();
        }
    }
}
