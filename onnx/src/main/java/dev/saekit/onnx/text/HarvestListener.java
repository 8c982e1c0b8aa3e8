package dev.saekit.onnx.text;

import java.io.IOException;

/** Told of each shard a {@link TokenHarvest} finishes (its files in place, {@code harvest.json} written). */
@FunctionalInterface
public interface HarvestListener {
    /** Does nothing. */
    HarvestListener NONE = shard -> {};

    void onShard(HarvestState.Shard shard) throws IOException;
}
