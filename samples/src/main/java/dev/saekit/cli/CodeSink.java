package dev.saekit.cli;

import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where {@code saekit encode} writes the codes, a batch at a time: {@link NpyCodeSink} (dense, {@code
 * .npy}) or, with {@code --sparse}, {@link CsrCodeSink} (CSR in safetensors), as {@link
 * EncodeJob#sink} chooses. Nothing is left behind unless {@link #commit} succeeds.
 */
public interface CodeSink extends AutoCloseable {
    /** Appends the codes of a block of rows. */
    void append(INDArray codes) throws IOException;

    /** Writes the file completely, in place. */
    void commit() throws IOException;

    @Override
    void close() throws IOException;
}
