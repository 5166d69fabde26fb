package org.porter.mta.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.porter.mta.api.Directory;
import org.porter.mta.api.PasswordHash;
import org.porter.mta.api.InvalidRequestException;
import org.porter.mta.api.Mta;
import org.porter.mta.testing.StoreEngine;

/** The directory's rules, on each database (one store per database, shared by the tests of that round). */
@ParameterizedClass(name = "on {0}")
@EnumSource(StoreEngine.class)
class DirectoryStoreTest {
    @Parameter
    StoreEngine engine;
    @TempDir
    static Path tmp;
    static Mta mta;
    static Directory d;

    @BeforeParameterizedClassInvocation
    static void open(StoreEngine engine) throws Exception {
        mta = Mta.open(engine.dataFolder(tmp.resolve(engine.name())), "test", List.of());
        d = mta.directory();
        d.addDomain("Office.Example");
        d.addUser("Alice@office.example", "password1".toCharArray());
    }

    @AfterParameterizedClassInvocation
    static void close() {
        mta.close();
    }

    @Test
    void namesAreStoredLowerCase() {
        assertThat(d.domains()).contains("office.example");
        assertThat(d.users()).extracting(Directory.UserInfo::address).contains("alice@office.example");
    }

    @Test
    void authenticationByAddressOrUniqueLocalPart() {
        assertThat(d.authenticate("alice@office.example", "password1".toCharArray())).contains("alice@office.example");
        assertThat(d.authenticate("ALICE", "password1".toCharArray())).contains("alice@office.example");
        assertThat(d.authenticate("alice@office.example", "wrong-pass".toCharArray())).isEmpty();
        assertThat(d.authenticate("nobody@office.example", "password1".toCharArray())).isEmpty();
    }

    @Test
    void aRepeatedLoginSkipsTheSlowHashButAWrongOrChangedPasswordNeverMatches() {
        DirectoryStore store = (DirectoryStore) d;
        d.addUser("carol@office.example", "carol-pass-1".toCharArray());
        long before = store.verifiedLoginHits();
        assertThat(d.authenticate("carol@office.example", "carol-pass-1".toCharArray())).contains("carol@office.example");
        assertThat(store.verifiedLoginHits()).as("first login: the slow check").isEqualTo(before);
        assertThat(d.authenticate("CAROL", "carol-pass-1".toCharArray())).contains("carol@office.example");
        assertThat(store.verifiedLoginHits()).as("second login: remembered").isEqualTo(before + 1);

        assertThat(d.authenticate("carol@office.example", "carol-pass-2".toCharArray())).isEmpty();
        assertThat(d.authenticate("carol@office.example", "carol-pass-".toCharArray())).isEmpty();
        assertThat(d.authenticate("carol@office.example", "carol-pass-1 ".toCharArray())).isEmpty();
        assertThat(d.authenticate("alice@office.example", "carol-pass-1".toCharArray())).isEmpty();

        d.setPassword("carol@office.example", "carol-pass-2".toCharArray());
        assertThat(d.authenticate("carol@office.example", "carol-pass-1".toCharArray())).as("old password").isEmpty();
        assertThat(d.authenticate("carol@office.example", "carol-pass-2".toCharArray())).contains("carol@office.example");
        // the same password set again gets a new salt: the remembered check no longer applies
        d.setPassword("carol@office.example", "carol-pass-1".toCharArray());
        long hits = store.verifiedLoginHits();
        assertThat(d.authenticate("carol@office.example", "carol-pass-1".toCharArray())).contains("carol@office.example");
        assertThat(store.verifiedLoginHits()).isEqualTo(hits);

        d.removeUser("carol@office.example");
        assertThat(d.authenticate("carol@office.example", "carol-pass-1".toCharArray())).as("removed user").isEmpty();
    }

    @Test
    void passwordsAreHashedNotStored() {
        String h = PasswordHash.hash("password1".toCharArray());
        assertThat(h).startsWith("pbkdf2-sha256$210000$").doesNotContain("password1");
        assertThat(PasswordHash.verify("password1".toCharArray(), h)).isTrue();
        assertThat(PasswordHash.hash("password1".toCharArray())).as("salted").isNotEqualTo(h);
    }

    @Test
    void clearErrorsForBadRequests() {
        assertThatThrownBy(() -> d.addDomain("bad_domain!")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("not a valid domain name: bad_domain!");
        assertThatThrownBy(() -> d.addDomain("office.example")).hasMessage("domain already exists: office.example");
        assertThatThrownBy(() -> d.addUser("x@nowhere.example", "password1".toCharArray()))
                .hasMessageStartingWith("not a local domain: nowhere.example");
        assertThatThrownBy(() -> d.addUser("alice@office.example", "password1".toCharArray()))
                .hasMessage("user already exists: alice@office.example");
        assertThatThrownBy(() -> d.addUser("new@office.example", "short".toCharArray()))
                .hasMessageStartingWith("password too short");
        assertThatThrownBy(() -> d.addAlias("x@office.example", List.of("ghost@office.example")))
                .hasMessage("no such local user or alias: ghost@office.example");
        assertThatThrownBy(() -> d.removeDomain("office.example")).hasMessageContaining("still has users");
        assertThatThrownBy(() -> d.removeUser("ghost@office.example")).hasMessage("no such user: ghost@office.example");
    }

    @Test
    void aliasesAddAndRemoveTargets() {
        d.addUser("bob@office.example", "password2".toCharArray());
        d.addAlias("sales@office.example", List.of("alice@office.example", "partner@remote.example"));
        d.addAlias("sales@office.example", List.of("bob@office.example"));
        assertThat(d.aliases()).contains(new Directory.AliasInfo("sales@office.example",
                List.of("alice@office.example", "partner@remote.example", "bob@office.example")));
        d.removeAlias("sales@office.example", List.of("partner@remote.example"));
        assertThat(d.aliases()).contains(new Directory.AliasInfo("sales@office.example",
                List.of("alice@office.example", "bob@office.example")));
        d.removeAlias("sales@office.example", List.of());
        assertThat(d.aliases()).extracting(Directory.AliasInfo::alias).doesNotContain("sales@office.example");
    }
}
