package dev.saekit.spark;

import dev.saekit.cli.TextModelOption;
import dev.saekit.io.ActivationManifest;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.onnx.text.HarvestPart;
import dev.saekit.onnx.text.HarvestPlan;
import dev.saekit.onnx.text.HarvestState;
import dev.saekit.onnx.text.TextModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * A harvest whose directory is a Hadoop file system URI ({@code spark harvest --out hdfs://...}).
 * The driver plans and assembles in a local folder that holds the harvest's small files only (the
 * staged plan, the parts' {@code part.json} records, {@code harvest.json} and the manifest),
 * fetched from the URI before and published to it after; the shard and token files never pass
 * through the driver. A task fetches the staged plan and its own byte range of the staged
 * documents, computes its part on local disk, and publishes the part's files to {@code
 * parts/part-00003/} with {@code part.json} last: a part is committed when its {@code part.json}
 * is there. Assembling renames the parts' files into place on the file system, then publishes
 * {@code manifest.json} and last {@code harvest.json}. The files are those of a harvest into a
 * local directory, byte for byte.
 */
final class RemoteHarvest {
    private RemoteHarvest() {}

    /**
     * Fills the empty local {@code mirror} with what the driver's planning reads from the harvest
     * at {@code store}: a finished harvest's {@code harvest.json}, or the staged plan and the
     * committed parts' records (deleting the folders of parts a stopped task left unfinished).
     */
    static void pull(HadoopStore store, Path mirror) throws IOException {
        Files.createDirectories(mirror);
        if (store.isFile(HarvestState.FILE_NAME)) {
            store.fetch(HarvestState.FILE_NAME, mirror.resolve(HarvestState.FILE_NAME));
            return;
        }
        if (store.isFile(HarvestPlan.planFile())) {
            store.fetch(HarvestPlan.planFile(), mirror.resolve(HarvestPlan.planFile()));
            for (String name : store.list(HarvestPlan.stagingFolder())) {
                String folder = HarvestPlan.stagingFolder() + "/" + name;
                if (!name.startsWith("part-")) {
                    if (name.startsWith(".")) { // a file a stopped publish left under a temporary name
                        store.delete(folder);
                    }
                    continue;
                }
                String record = folder + "/" + HarvestPart.recordName();
                if (store.isFile(record)) {
                    store.fetch(record, mirror.resolve(record));
                } else {
                    store.delete(folder); // no part runs while the driver plans
                }
            }
            return;
        }
        if (store.isNonEmptyFolder("")) {
            throw new IllegalArgumentException(store.uri() + " is not empty and holds neither a harvest ("
                    + HarvestState.FILE_NAME + ") nor planned parts (" + HarvestPlan.stagingFolder()
                    + "/): choose a new or empty directory for the harvest");
        }
    }

    /** Publishes the staged files the planning wrote into {@code mirror}, {@code plan.json} last, unless the store has this plan staged. */
    static void stage(HadoopStore store, Path mirror) throws IOException {
        if (store.isFile(HarvestState.FILE_NAME) || store.isFile(HarvestPlan.planFile())) {
            return; // assembled, or this same plan staged (planning refuses another)
        }
        String staging = HarvestPlan.stagingFolder();
        for (String name : List.of(HarvestDirectory.DOCUMENTS, HarvestDirectory.VOCAB, HarvestDirectory.TOKENIZER)) {
            store.publish(mirror.resolve(staging).resolve(name), staging + "/" + name);
        }
        store.publish(mirror.resolve(HarvestPlan.planFile()), HarvestPlan.planFile());
    }

    /** Fetches the records of the parts committed since {@link #pull} into {@code mirror}. */
    static void pullRecords(HadoopStore store, Path mirror, HarvestPlan plan) throws IOException {
        if (store.isFile(HarvestState.FILE_NAME)) {
            return;
        }
        for (HarvestPart p : plan.parts()) {
            String record = p.folder() + "/" + HarvestPart.recordName();
            if (!Files.exists(mirror.resolve(record)) && store.isFile(record)) {
                store.fetch(record, mirror.resolve(record));
            }
        }
    }

    /** Assembles the harvest on the store: files renamed there, then the manifest and {@code harvest.json} published. */
    static HarvestState assemble(HadoopStore store, Path mirror, HarvestPlan plan) throws IOException {
        HarvestState state = plan.assemble(
                mirror, (from, to, owner) -> store.moveIntoPlace(relative(mirror, from), relative(mirror, to), owner));
        store.publish(mirror.resolve(ActivationManifest.FILE_NAME), ActivationManifest.FILE_NAME);
        store.publish(mirror.resolve(HarvestState.FILE_NAME), HarvestState.FILE_NAME);
        store.delete(HarvestPlan.stagingFolder());
        return state;
    }

    private static String relative(Path mirror, Path file) {
        return mirror.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * One part on an executor: skipped if committed on the store already; else computed in a local
     * scratch folder (under {@code java.io.tmpdir}) from the fetched plan and documents, and
     * published. Part, computed, rows, seconds, load seconds.
     */
    record RunPart(String uri, HadoopConf conf, TextModelOption.Spec model, int threads)
            implements Function<HarvestPart, double[]> {
        @Override
        public double[] call(HarvestPart part) throws Exception {
            long t0 = System.nanoTime();
            try (HadoopStore store = HadoopStore.open(uri, conf.get())) {
                if (store.isFile(part.folder() + "/" + HarvestPart.recordName())) {
                    return new double[] {part.number(), 0, part.rows(), (System.nanoTime() - t0) / 1e9, 0};
                }
                Path local = Files.createTempDirectory("saekit-harvest-part-");
                try {
                    store.fetch(HarvestPlan.planFile(), local.resolve(HarvestPlan.planFile()));
                    long[] range = part.stagedDocumentsRange();
                    String documents = HarvestPlan.stagingFolder() + "/" + HarvestDirectory.DOCUMENTS;
                    store.fetchRange(documents, local.resolve(documents), range[0], range[1]);
                    long t1 = System.nanoTime();
                    try (TextModel m = model.open()) {
                        double load = (System.nanoTime() - t1) / 1e9;
                        HarvestPart.Result r = part.run(m, local, threads);
                        store.publishTree(
                                local.resolve(part.folder()),
                                part.folder(),
                                HarvestPart.recordName(),
                                () -> FaultInjection.beforeCommit(part.number()));
                        return new double[] {r.part(), 1, r.rows(), r.seconds(), load};
                    }
                } finally {
                    LocalFiles.deleteTree(local);
                }
            }
        }
    }
}
