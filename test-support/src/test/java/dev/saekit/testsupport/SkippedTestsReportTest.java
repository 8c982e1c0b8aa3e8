package dev.saekit.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** A disabled test and one aborted by an assumption are each printed with the reason; passing ones are not. */
class SkippedTestsReportTest {

    @Test
    void eachSkippedTestIsOneLineWithItsReason() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // only this report: the one registered through META-INF/services would print the sample's skips on the console
        LauncherFactory.create(LauncherConfig.builder()
                        .enableTestExecutionListenerAutoRegistration(false)
                        .build())
                .execute(
                        LauncherDiscoveryRequestBuilder.request()
                                .selectors(selectClass(Sample.class))
                                .build(),
                        new SkippedTestsReport(out));
        List<String> lines =
                bytes.toString(StandardCharsets.UTF_8).lines().sorted().toList();
        assertEquals(
                List.of(
                        "SKIPPED: SkippedTestsReportTest$Sample > aborted(): Assumption failed: the data set is not installed",
                        "SKIPPED: SkippedTestsReportTest$Sample > disabled(): not on this machine"),
                lines);
    }

    /** Run by the test above through its own launcher (not a test class of its own: the name does not end in Test). */
    static class Sample {
        @Test
        void passes() {}

        @Test
        @Disabled("not on this machine")
        void disabled() {}

        @Test
        void aborted() {
            Assumptions.assumeTrue(false, "the data set is not installed");
        }
    }
}
