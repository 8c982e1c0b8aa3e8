package dev.saekit;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import dev.saekit.tensor.Tensors;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's floors, as {@code dev/saekit/package-info.java} and the README state them: a package
 * imports only packages on lower floors and its own. Checked on the compiled classes, so a fully
 * qualified name in the code counts as much as an import (a constant that javac inlines does not).
 */
class LayeringTest {
    /**
     * Lowest first, one package per floor; a sub-package ({@code train.listeners}) is on its parent's
     * floor. A package that is not here fails {@link #everyPackageImportsOnlyLowerFloors}: a new
     * package must be given its floor, here and in the package-info, before it can be used.
     */
    static final List<String> FLOORS = List.of(
            "files",
            "parallel",
            "tensor",
            "kernel",
            "data",
            "dictionary",
            "encoder",
            "model",
            "metrics",
            "train",
            "io",
            "concepts",
            "sweep");

    /** The engine's own classes only: the main output folder, without tests or other modules' jars. */
    private static final JavaClasses ENGINE = new ClassFileImporter().importPath(mainClasses());

    private static Path mainClasses() {
        try {
            return Path.of(Tensors.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the engine's classes", e);
        }
    }

    /** The rule built from {@link #FLOORS}: each floor may use the floors below it and nothing above. */
    static LayeredArchitecture floors() {
        LayeredArchitecture rule = layeredArchitecture()
                .consideringOnlyDependenciesInAnyPackage("dev.saekit..")
                .ensureAllClassesAreContainedInArchitectureIgnoring("dev.saekit"); // the root holds only the overview
        for (String floor : FLOORS) {
            rule = rule.layer(floor).definedBy("dev.saekit." + floor + "..");
        }
        rule = rule.whereLayer(FLOORS.get(0)).mayNotAccessAnyLayer();
        for (int i = 1; i < FLOORS.size(); i++) {
            rule = rule.whereLayer(FLOORS.get(i))
                    .mayOnlyAccessLayers(FLOORS.subList(0, i).toArray(String[]::new));
        }
        return rule;
    }

    @Test
    void everyPackageImportsOnlyLowerFloors() {
        floors().check(ENGINE);
    }

    @Test
    void noTwoFloorsDependOnEachOther() {
        slices().matching("dev.saekit.(*)..").should().beFreeOfCycles().check(ENGINE);
    }
}
