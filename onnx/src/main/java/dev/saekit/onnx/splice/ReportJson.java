package dev.saekit.onnx.splice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@link InModelReport} as JSON with snake_case keys. */
final class ReportJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportJson() {}

    static ObjectNode of(InModelReport r) {
        ObjectNode json = JSON.createObjectNode();
        json.put("model", r.model());
        json.put("tap", r.tap());
        json.put("width", r.width());
        json.put("sequences", r.sequences());
        json.put("tokens", r.tokens());
        json.put("mean_ablation", r.meanOfEvaluatedRows() ? "mean of the evaluated tokens" : "given mean row");
        downstream(json.putObject("downstream"), r.downstream());
        reconstruction(json.putObject("reconstruction"), r.reconstruction());
        ObjectNode t = json.putObject("timing");
        put(t, "seconds", r.timing().seconds());
        put(t, "ms_per_token", r.msPerToken());
        put(t, "mean_pass_seconds", r.timing().meanPassSeconds());
        put(t, "model_seconds", r.timing().modelSeconds());
        put(t, "sae_seconds", r.timing().saeSeconds());
        put(t, "scoring_seconds", r.timing().scoringSeconds());
        return json;
    }

    private static void downstream(ObjectNode json, Fidelity f) {
        if (f instanceof EmbeddingFidelity e) {
            json.put("kind", "sentence_embedding");
            json.put("output", e.output());
            json.put("documents", e.documents());
            for (Ablation a : Ablation.values()) {
                put(json, "cosine_" + a.key(), e.cosine(a));
            }
        } else {
            CharacterFidelity c = (CharacterFidelity) f;
            json.put("kind", "character_distributions");
            json.put("output", c.output());
            json.put("output_is", c.probabilities() ? "probabilities" : "logits");
            json.put("lines", c.lines());
            json.put("frames", c.frames());
            put(json, "clean_cer_vs_truth", c.cleanCerVsTruth());
            for (Ablation a : Ablation.values()) {
                CharacterFidelity.Scores s = c.scores(a);
                ObjectNode o = json.putObject(a.key());
                put(o, "kl_nats", s.klNats());
                put(o, "argmax_agreement", s.argmaxAgreement());
                put(o, "cer_vs_clean", s.cerVsClean());
                put(o, "cer_vs_truth", s.cerVsTruth());
            }
        }
        put(json, "fraction_recovered", f.fractionRecovered());
        put(json, "fraction_recovered_over_mean", f.fractionRecoveredOverMean());
    }

    private static void reconstruction(ObjectNode json, ReconstructionQuality q) {
        json.put("tokens", q.tokens());
        json.put("latents", q.latents());
        put(json, "fvu", q.fvu());
        put(json, "explained_variance", q.explainedVariance());
        put(json, "mse", q.mse());
        put(json, "l0", q.l0());
        put(json, "cosine", q.cosine());
        put(json, "l2_ratio", q.l2Ratio());
        json.put("dead_latents", q.deadLatents());
        put(json, "dead_fraction", q.deadFraction());
        json.put("dense_latents", q.denseLatents());
        put(json, "dense_fraction", q.denseFraction());
        json.put("dense_above_frequency", ReconstructionQuality.DENSE_FREQUENCY);
        ObjectNode h = json.putObject("density_histogram");
        ArrayNode edges = h.putArray("log10_frequency_edges");
        for (double e : q.density().edges()) {
            edges.add(e);
        }
        ArrayNode counts = h.putArray("counts");
        for (long c : q.density().counts()) {
            counts.add(c);
        }
        h.put("dead", q.density().dead());
    }

    private static void put(ObjectNode json, String key, double value) {
        if (Double.isFinite(value)) {
            json.put(key, value);
        } else {
            json.putNull(key);
        }
    }
}
