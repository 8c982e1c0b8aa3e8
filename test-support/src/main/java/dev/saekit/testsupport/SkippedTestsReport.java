package dev.saekit.testsupport;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints every skipped test with its reason on the console, one line each:
 * {@code SKIPPED: IdxTest > readsFashionMnist(): /usr/share/datasets/... not installed}. Surefire
 * otherwise counts skipped tests and keeps their reasons in its XML reports only. Covers both ways
 * a test is skipped: disabled before it runs ({@code @Disabled}, a failed condition) and aborted by
 * a failed assumption while running. Registered through {@code META-INF/services} on every module's
 * test class path.
 */
public final class SkippedTestsReport implements TestExecutionListener {
    private final PrintStream out;
    private TestPlan plan;

    public SkippedTestsReport() {
        this(System.out);
    }

    SkippedTestsReport(PrintStream out) {
        this.out = out;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        report(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            report(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private void report(TestIdentifier test, String reason) {
        out.println(
                "SKIPPED: " + path(test) + ": " + (reason == null || reason.isBlank() ? "(no reason given)" : reason));
        out.flush();
    }

    /** The test's display name under its containers', from the class down ({@code Class > method > [3] case}). */
    private String path(TestIdentifier test) {
        Deque<String> names = new ArrayDeque<>();
        Optional<TestIdentifier> at = Optional.of(test);
        while (at.isPresent() && at.get().getParentId().isPresent()) { // the engine itself is left out
            names.addFirst(at.get().getDisplayName());
            at = plan == null ? Optional.empty() : plan.getParent(at.get());
        }
        return String.join(" > ", names);
    }
}
