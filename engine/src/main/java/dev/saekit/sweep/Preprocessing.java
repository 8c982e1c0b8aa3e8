package dev.saekit.sweep;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the rows went through before a model saw them: the mean row {@code mu} subtracted (null:
 * not centred) and the factor {@code s} they were then multiplied by, so the model reads
 * {@code (x - mu) s}. A downstream evaluator applies it to raw activations before encoding and
 * undoes it on a reconstruction before splicing it back into the model it came from. Saved with
 * each cell's checkpoint as the attachments {@value #MEAN} and {@value #SCALE}, which
 * {@code saekit encode} and {@code export} read.
 *
 * @param mean  the mean row subtracted, {@code [1, width]} or {@code [width]}, or null
 * @param scale the factor applied after centring, finite and > 0
 */
public record Preprocessing(INDArray mean, double scale) {
    /** The attachment of the mean row. */
    public static final String MEAN = "data_mean";
    /** The attachment of the scale. */
    public static final String SCALE = "data_scale";

    public Preprocessing {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("preprocessing scale must be finite and > 0, was " + scale);
        }
    }

    /** Rows used as they are. */
    public static Preprocessing none() {
        return new Preprocessing(null, 1.0);
    }

    /** Raw rows {@code x} as the model reads them: {@code (x - mu) s}, a new array. */
    public INDArray apply(INDArray raw) {
        INDArray x = mean == null
                ? raw.dup()
                : raw.subRowVector(mean.reshape(1, mean.length()).castTo(raw.dataType()));
        return scale == 1.0 ? x : x.muli(scale);
    }

    /** The model's rows (a reconstruction) in raw units: {@code x / s + mu}, a new array. */
    public INDArray restore(INDArray modelRows) {
        INDArray x = scale == 1.0 ? modelRows.dup() : modelRows.div(scale);
        return mean == null ? x : x.addiRowVector(mean.reshape(1, mean.length()).castTo(x.dataType()));
    }

    /** The checkpoint attachments: {@value #MEAN} when centred, {@value #SCALE} when scaled. */
    public Map<String, INDArray> attachments() {
        Map<String, INDArray> a = new LinkedHashMap<>();
        if (mean != null) {
            a.put(MEAN, mean);
        }
        if (scale != 1.0) {
            a.put(SCALE, Nd4j.createFromArray(new double[] {scale}));
        }
        return a;
    }

    /** The preprocessing that a checkpoint's {@code attachments} record. */
    public static Preprocessing fromAttachments(Map<String, INDArray> attachments) {
        INDArray s = attachments.get(SCALE);
        return new Preprocessing(attachments.get(MEAN), s == null ? 1.0 : s.getDouble(0));
    }
}
