package org.porter.appliance.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.porter.appliance.config.ApplianceSettings;
import org.porter.appliance.lifecycle.MtaFactory;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;

/** Gives an admin command the Mta of a data folder: the two ways a command reaches Porter. */
public interface MtaConnector {

    MtaLease open(Path dataDir);

    /** No server runs: open the database ourselves for the command's duration, then close it. */
    static MtaConnector direct(MtaFactory factory) {
        return dataDir -> {
            if (!Files.isDirectory(dataDir)) {
                throw new InvalidRequestException("no Porter data folder at " + dataDir
                        + " (start 'porter serve' once, or pass --data DIR)");
            }
            Mta mta = factory.open(dataDir, "localhost", ApplianceSettings.all());
            mta.engineLogIn(org.porter.appliance.lifecycle.LogFolder.command(dataDir,
                    mta.settings().get(ApplianceSettings.LOG_FOLDER)));
            return new MtaLease() {
                @Override
                public Mta mta() {
                    return mta;
                }

                @Override
                public void close() {
                    mta.close();
                }
            };
        };
    }

    /** Inside {@code porter serve}: the server's own, open Mta, which the command must not close. */
    static MtaConnector running(Mta mta) {
        return dataDir -> new MtaLease() {
            @Override
            public Mta mta() {
                return mta;
            }

            @Override
            public void close() {
            }
        };
    }
}
