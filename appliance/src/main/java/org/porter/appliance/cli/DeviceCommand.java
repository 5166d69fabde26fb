package org.porter.appliance.cli;

import java.io.PrintWriter;
import java.util.List;

import org.porter.mta.api.Cidr;
import org.porter.mta.api.Devices;
import org.porter.mta.api.Devices.Device;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.api.OfficeNetwork;
import org.porter.mta.api.Values;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "device", description = {"Office devices (scanners and MFPs that mail their scans, Internet fax "
        + "machines, old RFC 821 clients): what SMTP allows a device's address or subnet.",
        "A change applies to the device's next connection; --port applies at the next start of 'porter serve'."},
        subcommands = {DeviceCommand.Add.class, DeviceCommand.ListDevices.class, DeviceCommand.Show.class,
                DeviceCommand.Remove.class})
public final class DeviceCommand {

    @Command(name = "add", description = "Register a device by its address or subnet.")
    static final class Add extends AdminCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "a short name, e.g. mfp-2nd-floor")
        String name;

        @Parameters(index = "1", paramLabel = "ADDRESS|CIDR", description = "e.g. 192.168.1.20 or 192.168.1.0/24")
        String network;

        @Option(names = "--relay", description = "may send mail to any domain without authenticating "
                + "(the MFP \"exception list\"); without it, only to the office's own addresses")
        boolean relay;

        @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "50M",
                description = "the largest message it may send, e.g. 100M (default 50M: scans are big)")
        String maxSize;

        @Option(names = "--lenient-line-endings", description = "take message lines that end in a bare LF "
                + "(stored with CRLF), for old devices that send them; the end of data must still be CRLF . CRLF")
        boolean lenient;

        @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
                description = "an SMTP port of its own (only devices registered for it may connect there); "
                        + "opened at the next start of 'porter serve'")
        int port;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            if (port < 0 || port > 65535) {
                throw new InvalidRequestException("--port must be 1 to 65535, not " + port);
            }
            Device d = new Device(name, Cidr.parse(network), relay, Values.parseSize(maxSize), lenient, port);
            mta.devices().add(d);
            out.println("added " + describe(d));
            return 0;
        }
    }

    /** One line: name, network and what it may do. */
    static String describe(Device d) {
        return d.name() + "\t" + d.network() + "\t" + String.join(", ", traits(d));
    }

    static List<String> traits(Device d) {
        List<String> t = new java.util.ArrayList<>();
        t.add(d.relay() ? "may relay" : "local mail only");
        t.add("max " + size(d.maxSize()));
        if (d.lenientLineEndings()) {
            t.add("bare LF taken");
        }
        if (d.port() > 0) {
            t.add("port " + d.port());
        }
        return t;
    }

    static String size(long octets) {
        if (octets % (1L << 30) == 0) {
            return octets / (1L << 30) + "G";
        }
        if (octets % (1L << 20) == 0) {
            return octets / (1L << 20) + "M";
        }
        return octets % 1024 == 0 ? octets / 1024 + "K" : Long.toString(octets);
    }

    @Command(name = "list", description = {"List the devices: name, address or subnet, what each may do.",
            "The first line is the built-in profile of the whole office network: the setting smtp.relay-networks."})
    static final class ListDevices extends AdminCommand {
        @Override
        protected int run(Mta mta, PrintWriter out) {
            OfficeNetwork office = OfficeNetwork.of(mta.settings());
            out.println(office.summary() + ", max " + size(office.maxSize()) + " (built in: the setting "
                    + OfficeNetwork.SETTING + ")");
            List<Device> all = mta.devices().list();
            if (all.isEmpty()) {
                out.println("no devices (add one with: porter device add NAME ADDRESS|CIDR [--relay] ...)");
            }
            all.forEach(d -> out.println(describe(d)));
            return 0;
        }
    }

    @Command(name = "show", description = "Show one device's profile.")
    static final class Show extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            Devices devices = mta.devices();
            Device d = devices.find(name).orElseThrow(() -> new InvalidRequestException("no device named " + name));
            out.println("name: " + d.name());
            out.println("address: " + d.network());
            out.println("relay: " + (d.relay() ? "yes, without authentication" : "no (local addresses only)"));
            out.println("max-size: " + size(d.maxSize()));
            out.println("lenient-line-endings: " + (d.lenientLineEndings() ? "yes" : "no"));
            out.println("port: " + (d.port() > 0 ? Integer.toString(d.port()) : "none (the normal SMTP port)"));
            return 0;
        }
    }

    @Command(name = "remove", description = "Unregister a device (its next connection gets the normal rules).")
    static final class Remove extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(Mta mta, PrintWriter out) {
            mta.devices().remove(name);
            return 0;
        }
    }
}
