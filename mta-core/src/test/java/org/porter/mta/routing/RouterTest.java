package org.porter.mta.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.porter.mta.routing.Route.Accepted;
import org.porter.mta.routing.Route.Reason;
import org.porter.mta.routing.Route.Rejected;

class RouterTest {
    static final DirectoryView DIR = new DirectoryView() {
        final Set<String> domains = Set.of("office.example", "branch.example");
        final Map<String, Long> users = Map.of("alice@office.example", 1L, "bob@office.example", 2L, "eve@branch.example", 3L);
        final Map<String, List<String>> aliases = Map.of(
                "team@office.example", List.of("alice@office.example", "bob@office.example", "partner@remote.example"),
                "all@office.example", List.of("team@office.example", "eve@branch.example", "alice@office.example"),
                "loop1@office.example", List.of("loop2@office.example"),
                "loop2@office.example", List.of("loop1@office.example"),
                "dangling@office.example", List.of("gone@office.example", "bob@office.example"));

        @Override
        public boolean isLocalDomain(String domain) {
            return domains.contains(domain);
        }

        @Override
        public Optional<Long> userId(String address) {
            return Optional.ofNullable(users.get(address));
        }

        @Override
        public List<String> aliasTargets(String address) {
            return aliases.getOrDefault(address, List.of());
        }
    };
    final Router router = new Router(DIR);

    static List<String> local(Route r) {
        return ((Accepted) r).local().stream().map(Route.LocalTarget::address).toList();
    }

    @Test
    void localUserAnyCase() {
        assertThat(local(router.route("Alice@OFFICE.example", false))).containsExactly("alice@office.example");
    }

    @Test
    void unknownLocalUserIsRejected() {
        assertThat(router.route("nobody@office.example", true)).isEqualTo(new Rejected(Reason.UNKNOWN_USER));
    }

    @Test
    void remoteNeedsRelayPermission() {
        assertThat(router.route("x@remote.example", false)).isEqualTo(new Rejected(Reason.RELAY_DENIED));
        assertThat(router.route("x@remote.example", true)).isEqualTo(new Accepted(List.of(), List.of("x@remote.example")));
    }

    @Test
    void aliasExpandsToLocalAndRemoteTargetsEvenWithoutRelayPermission() {
        Accepted a = (Accepted) router.route("team@office.example", false);
        assertThat(local(a)).containsExactly("alice@office.example", "bob@office.example");
        assertThat(a.remote()).containsExactly("partner@remote.example");
    }

    @Test
    void nestedAliasesDeliverEachMailboxOnce() {
        Accepted a = (Accepted) router.route("all@office.example", false);
        assertThat(local(a)).containsExactlyInAnyOrder("alice@office.example", "bob@office.example", "eve@branch.example");
    }

    @Test
    void aliasLoopWithoutMailboxIsRejected() {
        assertThat(router.route("loop1@office.example", false)).isInstanceOf(Rejected.class);
    }

    @Test
    void danglingTargetDoesNotStopTheOthers() {
        assertThat(local(router.route("dangling@office.example", false))).containsExactly("bob@office.example");
    }
}
