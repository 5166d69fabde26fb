package org.porter.mta.config;

import org.porter.mta.api.SettingDef;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Issue 14, coverage-guided fuzzing (Jazzer) of every setting's value parser (durations, sizes, ports,
 * host:port lists, CIDR lists, schedules, file names...), with the property of
 * {@link SettingValuesPropertyTest}: a value is taken in a normal form that is taken again unchanged,
 * or refused with a message.
 */
class SettingValuesFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void everyValueIsTakenInItsNormalFormOrRefused(FuzzedDataProvider data) {
        SettingDef def = SettingValuesPropertyTest.ALL.get(data.consumeInt(0, SettingValuesPropertyTest.ALL.size() - 1));
        SettingValuesPropertyTest.takenInNormalFormOrRefused(def, data.consumeRemainingAsString());
    }
}
