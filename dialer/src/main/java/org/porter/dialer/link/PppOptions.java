package org.porter.dialer.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How Porter runs pppd: the argument vector and the options file of one call.
 *
 * <p>Our choice: the AT dialog runs in Java (so every result code is ours to log and act on), then
 * pppd runs on the same, already connected device with no connect script. Porter keeps its own
 * file descriptor on the device open until pppd has exited, so DTR stays up across the hand-over.
 * pppd runs with {@code nodetach} (Porter supervises the process: its exit is the link going down),
 * logs to its standard output ({@code logfd 1}), which Porter reads: "local  IP address" means the
 * interface is up, "Sent N bytes, received M bytes." gives the call's traffic.
 *
 * <p>The command line carries the device, the speed and the options file only; the PPP login and
 * password go into the options file, created 0600 before anything is written to it and deleted at
 * hang-up, so the password is never on a command line ({@code ps}) nor in a world-readable file.
 *
 * <p>Porter as a user (the appliance image runs it as {@code porter}, in group dip): pppd takes
 * {@code noauth}, {@code nolock} and {@code plugin} only from a privileged source, so with {@code ppp.peer} set
 * they live in the root-owned {@code /etc/ppp/peers/<peer>} and the command line says {@code call
 * <peer>}; everything else, the password included, stays in Porter's own 0600 file.
 *
 * <p>ISDN with a CAPI card: {@code plugin capiplugin.so} dials (number, msn, protocol hdlc, sync
 * framing), the device is {@code /dev/null}; channel bundling (2 B channels) is multilink PPP: two
 * pppd instances with the same options and {@code multilink}, joined into one bundle.
 */
public record PppOptions(Path pppd, String device, int speed, String user, String password, Duration maxConnect,
        Capi capi, String peer) {

    /** The CAPI variant's dialing parameters; null for a serial device. */
    public record Capi(String number, String msn, int channels) {
    }

    public static PppOptions serial(Path pppd, Path device, int speed, String user, String password, Duration maxConnect) {
        return new PppOptions(pppd, device.toString(), speed, user, password, maxConnect, null, "");
    }

    public static PppOptions capi(Path pppd, String number, String msn, int channels, String user, String password,
            Duration maxConnect) {
        return new PppOptions(pppd, "/dev/null", 0, user, password, maxConnect, new Capi(number, msn, channels), "");
    }

    /**
     * The same options with pppd's privileged ones taken from {@code /etc/ppp/peers/<peer>} ({@code call
     * peer}), for a Porter that does not run as root: pppd (setuid root, group dip) accepts {@code noauth}
     * and {@code plugin} only from root's command line or a privileged file such as a peers file. ""
     * keeps everything in Porter's own file.
     */
    public PppOptions withPeer(String peer) {
        return new PppOptions(pppd, device, speed, user, password, maxConnect, capi, peer);
    }

    /** pppd instances to run: 2 for a bundled ISDN call, else 1. */
    public int instances() {
        return capi != null && capi.channels() > 1 ? capi.channels() : 1;
    }

    /** The exact argument vector; {@code optionsFile} is where {@link #write} put the options. */
    public List<String> argv(Path optionsFile) {
        List<String> argv = new ArrayList<>();
        argv.add(pppd.toString());
        argv.add(device);
        if (capi == null) {
            argv.add(Integer.toString(speed));
        }
        if (!peer.isEmpty()) {
            argv.add("call"); // before "file": the peers file loads the CAPI plugin whose options follow
            argv.add(peer);
        }
        argv.add("file");
        argv.add(optionsFile.toString());
        return argv;
    }

    /** The options file's text (one option per line). */
    public String text() {
        List<String> o = new ArrayList<>();
        o.add("# pppd options for one Porter call: written 0600, deleted at hang-up");
        o.add("nodetach");
        o.add("logfd 1");
        if (capi == null && peer.isEmpty()) {
            // the modem's UUCP lock is Porter's, held from the AT dialog to the hang-up (ModemLock); nolock is a
            // privileged option of pppd: with a peers file, it is there
            o.add("nolock");
        }
        if (capi == null) {
            o.add("crtscts");
            o.add("modem");
        } else {
            if (peer.isEmpty()) {
                o.add("plugin capiplugin.so");
            }
            o.add("number " + capi.number());
            if (!capi.msn().isEmpty()) {
                o.add("msn " + capi.msn());
            }
            o.add("protocol hdlc");
            o.add("sync");
            if (capi.channels() > 1) {
                o.add("multilink");
                o.add("mrru 1524");
            }
        }
        if (peer.isEmpty()) {
            o.add("noauth");
        } else {
            o.add("# privileged options (noauth" + (capi == null ? ", nolock" : ", plugin capiplugin.so")
                    + ") come from /etc/ppp/peers/" + peer);
        }
        o.add("defaultroute");
        o.add("noipdefault");
        o.add("usepeerdns");
        o.add("lcp-echo-interval 30");
        o.add("lcp-echo-failure 4");
        o.add("maxconnect " + Math.max(1, maxConnect.toSeconds()));
        o.add("ipparam porter");
        if (!user.isEmpty()) {
            o.add("user " + quote(user));
        }
        if (!password.isEmpty()) {
            o.add("password " + quote(password));
        }
        return String.join("\n", o) + "\n";
    }

    /** Writes the options file (0600 from its creation) and returns its path. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("pppd-options");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text(), StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }

    /** pppd's option-file quoting: double quotes, backslash escapes. */
    static String quote(String s) {
        if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a PPP login or password cannot contain a line break");
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "PppOptions[" + pppd + " " + device + (capi == null ? " " + speed : " capi") + ", user " + user + "]";
    }
}
