import dev.saekit.io.Npy;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code java -cp saekit.jar CompareCodes.java A.npy B.npy}: whether two codes files of the same
 * rows are the same codes up to float32 rounding (part of dev/newcomer-check: the codes before an
 * export and after the import back). Prints one line and exits 0 when they are, 1 when not.
 */
public class CompareCodes {
    public static void main(String[] args) throws Exception {
        INDArray a = Npy.read(Path.of(args[0]));
        INDArray b = Npy.read(Path.of(args[1]));
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            System.out.println("different shapes " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
            System.exit(1);
        }
        long otherSupport = 0;
        double worst = 0;
        for (long r = 0; r < a.rows(); r++) {
            double[] x = a.getRow(r).toDoubleVector();
            double[] y = b.getRow(r).toDoubleVector();
            boolean same = true;
            double scale = Float.MIN_NORMAL;
            for (int j = 0; j < x.length; j++) {
                same &= (x[j] != 0) == (y[j] != 0);
                scale = Math.max(scale, Math.abs(x[j]));
            }
            if (!same) {
                otherSupport++;
                continue;
            }
            for (int j = 0; j < x.length; j++) {
                worst = Math.max(worst, Math.abs(x[j] - y[j]) / scale);
            }
        }
        // float32 rounding of a folded bias: a few hundred ulps; a near tie may move one row's support
        boolean ok = worst < 512 * Math.ulp(1f) && otherSupport <= a.rows() / 1000;
        System.out.printf(Locale.ROOT, "%s: %d rows, largest relative difference %.2e, %d rows with other concepts%n",
                ok ? "same codes" : "DIFFERENT codes", a.rows(), worst, otherSupport);
        System.exit(ok ? 0 : 1);
    }
}
