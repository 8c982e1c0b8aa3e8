package dev.saekit.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a data-parallel run's time went, from the workers' reports and the driver's clock: per
 * worker the start (joining the ring, loading the model and opening the data), the compute (the
 * training loop less the time inside sums) and the all-reduce (the ring's sums, waiting for the
 * slowest worker included); Spark's share is the stage's wall time less the slowest worker's start
 * and training. Printed after the run and written to {@code OUT/spark.json}.
 */
record TrainTimes(String master, double wallSeconds, List<WorkerReport> workers) {

    static TrainTimes of(List<WorkerReport> reports, double wall, String master) {
        return new TrainTimes(master, wall, List.copyOf(reports));
    }

    /** The stage's wall time less the slowest worker's own time: scheduling, task launch, result transfer. */
    double sparkSeconds() {
        double slowest = 0;
        for (WorkerReport w : workers) {
            slowest = Math.max(slowest, w.startSeconds() + w.trainSeconds());
        }
        return Math.max(0, wallSeconds - slowest);
    }

    void print(PrintWriter out) {
        out.printf(
                Locale.ROOT,
                "%nspark     %d worker(s), %.1f s in all; Spark itself %.1f s%n",
                workers.size(),
                wallSeconds,
                sparkSeconds());
        out.printf(
                Locale.ROOT,
                "  %-6s %8s %8s %9s %11s %10s %7s%n",
                "worker",
                "rows",
                "start s",
                "compute s",
                "allreduce s",
                "sent MB",
                "steps");
        for (WorkerReport w : workers) {
            out.printf(
                    Locale.ROOT,
                    "  %-6d %8d %8.2f %9.2f %11.2f %10.1f %7d%n",
                    w.rank(),
                    w.rows(),
                    w.startSeconds(),
                    w.trainSeconds() - w.allReduceSeconds(),
                    w.allReduceSeconds(),
                    w.bytesSent() / 1e6,
                    w.steps());
        }
        out.flush();
    }

    void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("master", master);
        root.put("workers", workers.size());
        root.put("wall_seconds", wallSeconds);
        root.put("spark_seconds", sparkSeconds());
        ArrayNode list = root.putArray("per_worker");
        for (WorkerReport w : workers) {
            ObjectNode n = list.addObject();
            n.put("rank", w.rank());
            n.put("rows", w.rows());
            n.put("steps", w.steps());
            n.put("start_seconds", w.startSeconds());
            n.put("train_seconds", w.trainSeconds());
            n.put("compute_seconds", w.trainSeconds() - w.allReduceSeconds());
            n.put("allreduce_seconds", w.allReduceSeconds());
            n.put("bytes_sent", w.bytesSent());
            ObjectNode phases = n.putObject("phase_seconds");
            Trainer.Phase[] names = Trainer.Phase.values();
            for (int i = 0; i < names.length && i < w.phaseSeconds().length; i++) {
                phases.put(names[i].name().toLowerCase(Locale.ROOT), w.phaseSeconds()[i]);
            }
        }
        AtomicFiles.write(
                file,
                json.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
    }
}
