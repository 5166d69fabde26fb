package org.porter.appliance.layout;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries the README's "How the code is laid out" promises, checked on the compiled main classes of
 * every module (the appliance's test class path holds them all): the other modules reach mta-core only
 * through {@code org.porter.mta.api}, only {@code store} speaks JDBC, and no two packages depend on each
 * other both ways. A failure names the offending class and the dependency it must not have.
 */
class LayoutTest {

    /** Main classes only: the tests' own classes and the test-jars may reach anywhere. */
    private static final ImportOption MAIN_CLASSES_ONLY = (Location location) ->
            !location.contains("/test-classes/") && !location.contains("-tests.jar");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(MAIN_CLASSES_ONLY)
                .importPackages("org.porter");
    }

    @Test
    void everyModuleIsOnTheClassPath() {
        // Guards the rules below against passing on an empty or partial import.
        for (String pkg : new String[] {"org.porter.mta.api", "org.porter.mta.store", "org.porter.pop3",
                "org.porter.dialer", "org.porter.webadmin", "org.porter.appliance"}) {
            org.assertj.core.api.Assertions.assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
                    .as("classes of %s imported", pkg).isTrue();
        }
    }

    @Test
    void otherModulesUseOnlyTheMtaApi() {
        noClasses().that().resideInAnyPackage("org.porter.pop3..", "org.porter.dialer..",
                        "org.porter.appliance..", "org.porter.webadmin..")
                .should().dependOnClassesThat(resideInAPackage("org.porter.mta..")
                        .and(not(resideInAPackage("org.porter.mta.api.."))))
                .because("mta-core's inside may change freely; the other modules see only org.porter.mta.api")
                .check(classes);
    }

    @Test
    void onlyTheStoreSpeaksJdbc() {
        noClasses().that().resideOutsideOfPackage("org.porter.mta.store..")
                .should().dependOnClassesThat(resideInAnyPackage("java.sql..", "javax.sql..", "org.apache.derby.."))
                .because("all SQL stays in one package so another database (PostgreSQL) is one dialect away")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.porter.(**)").should().beFreeOfCycles()
                .because("each package has one job and depends on the ones below it, never back")
                .check(classes);
    }
}
