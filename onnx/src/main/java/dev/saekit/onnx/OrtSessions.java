package dev.saekit.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ONNX Runtime sessions made the same way everywhere in this package, and what they say about
 * their tensors.
 *
 * <p>The environment is created once, on a thread with a large stack: ONNX Runtime 1.29.0 parses
 * {@code /proc/self/cmdline} recursively when its environment is created and overflows a 1 MB Java
 * thread stack (SIGSEGV, no {@code hs_err} file) once the JVM's command line is longer than about
 * 4 KB, which a {@code java -cp} with a few dozen jars reaches. A 256 MB stack (address space only;
 * pages are committed as used) covers any command line Linux allows.
 */
public final class OrtSessions {
    private static final long INIT_STACK_BYTES = 256L << 20;
    private static OrtEnvironment environment;

    private OrtSessions() {}

    /** A model file's bytes and their SHA-256 (lower-case hex). */
    record ModelBytes(Path file, byte[] bytes, String sha256) {
        static ModelBytes read(Path file) throws IOException {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(file.toString(), null, "no such model file");
            } catch (OutOfMemoryError e) {
                throw new IOException(file + ": too large to read into memory", e);
            }
            return new ModelBytes(file, bytes, OrtSessions.sha256(bytes));
        }
    }

    /** The environment (logging only errors), made on first use. */
    static synchronized OrtEnvironment environment() throws IOException {
        if (environment == null) {
            Object[] result = new Object[1];
            Thread init = new Thread(
                    null,
                    () -> {
                        try {
                            result[0] =
                                    OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "saekit");
                        } catch (RuntimeException | LinkageError e) {
                            result[0] = e;
                        }
                    },
                    "onnxruntime-init",
                    INIT_STACK_BYTES);
            init.start();
            try {
                init.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting ONNX Runtime", e);
            }
            if (result[0] instanceof Throwable t) {
                throw new IOException(
                        "ONNX Runtime does not start on " + System.getProperty("os.name") + " "
                                + System.getProperty("os.arch") + ": " + t,
                        t);
            }
            environment = (OrtEnvironment) result[0];
        }
        return environment;
    }

    /**
     * A session of {@code model} (the bytes of {@code file}, perhaps with extra outputs) with every
     * graph optimisation, on {@code threads} intra-op threads (0: ONNX Runtime's default), whose idle
     * threads sleep instead of spinning.
     */
    static OrtSession create(byte[] model, Path file, int threads) throws OrtException, IOException {
        return create(model, file, threads, false);
    }

    /**
     * A session made as {@link #create(byte[], Path, int)} makes it; unless {@code spin}, its idle
     * intra-op threads sleep instead of spinning ({@code session.intra_op.allow_spinning=0}), which
     * on a machine with few, shared cores keeps them from taking the cores the other threads need
     * (5 times slower at batch 1 on 2 busy cores with spinning).
     */
    public static OrtSession create(byte[] model, Path file, int threads, boolean spin)
            throws OrtException, IOException {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            if (!spin) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) { // a model loaded from bytes finds its external weight files here
                options.addConfigEntry("session.model_external_initializers_file_folder_path", dir.toString());
            }
            return env.createSession(model, options);
        }
    }

    static MalformedFileException cannotLoad(Path file, OrtException e) {
        return new MalformedFileException(file.toString(), "ONNX Runtime cannot load it: " + e.getMessage());
    }

    /** Name to type and shape, in the session's order. */
    static Map<String, TensorSpec> specs(Map<String, NodeInfo> infos) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (NodeInfo n : infos.values()) {
            specs.put(
                    n.getName(),
                    n.getInfo() instanceof TensorInfo t ? spec(n.getName(), t) : TensorSpec.unknown(n.getName()));
        }
        return specs;
    }

    /**
     * The spec of {@code info}. A session reports a shape it could not infer as rank 0: that is shown
     * as unknown (a true scalar is then unknown too) unless {@code concrete} says it comes from a
     * computed value.
     */
    static TensorSpec spec(String name, TensorInfo info, boolean concrete) {
        long[] shape = info.getShape();
        if (shape.length == 0 && !concrete) {
            return new TensorSpec(name, elementType(info.onnxType), Optional.empty());
        }
        String[] names = info.getDimensionNames();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            String symbol = names != null && i < names.length ? names[i] : "";
            dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : symbol == null || symbol.isEmpty() ? "?" : symbol);
        }
        return new TensorSpec(name, elementType(info.onnxType), Optional.of(dims));
    }

    static TensorSpec spec(String name, TensorInfo info) {
        return spec(name, info, false);
    }

    /** ONNX Runtime's Java enum numbers the types its own way: map by name. */
    private static ElementType elementType(TensorInfo.OnnxTensorType type) {
        String name = type.name().substring("ONNX_TENSOR_ELEMENT_DATA_TYPE_".length());
        try {
            return ElementType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return ElementType.UNDEFINED;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
