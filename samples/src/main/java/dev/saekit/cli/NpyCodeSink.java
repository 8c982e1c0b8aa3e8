package dev.saekit.cli;

import dev.saekit.io.NpyRowWriter;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The {@link CodeSink} of {@code saekit encode} without {@code --sparse}: dense float32 codes, streamed into a {@code .npy}. */
final class NpyCodeSink implements CodeSink {
    private final NpyRowWriter writer;

    NpyCodeSink(Path out, int concepts) throws IOException {
        writer = NpyRowWriter.open(out, DType.FLOAT32, concepts);
    }

    @Override
    public void append(INDArray codes) throws IOException {
        writer.append(codes);
    }

    @Override
    public void commit() throws IOException {
        writer.commit();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
