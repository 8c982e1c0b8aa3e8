package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch state dicts saved by {@code torch.save} ({@code ae.pt}, {@code model_final.pt}): a zip
 * archive of stored entries under one root folder, with the pickle {@code data.pkl} (read by the
 * restricted {@link PickleReader}) and one entry {@code data/<key>} per storage, little-endian.
 *
 * <p>Reading checks the archive before any tensor is built: stored, unencrypted, CRC-checked members
 * under one root, no duplicate names, {@code byteorder} little, every storage entry exactly
 * {@code numel} elements of its class, and every tensor's {@code storage_offset}, {@code size} and
 * {@code stride} inside its storage (exact arithmetic). Each tensor is read with its own strides into
 * a C-ordered array; a tensor larger than its storage (a broadcast view, stride 0) is refused, so
 * what is allocated is bounded by the file's size. Every defect is one {@link MalformedFileException}.
 *
 * <p>{@link #write} writes what {@code torch.save} writes: root folder named after the file's stem,
 * protocol-2 pickle, {@code .format_version}, {@code .storage_alignment} (64), {@code byteorder},
 * one contiguous storage per tensor with its data 64-byte aligned, {@code version} (3) and
 * {@code .data/serialization_id}; {@code torch.load(weights_only=True)} reads it. The file appears
 * complete or not at all ({@code dev.saekit.files.AtomicFiles}).
 */
public final class TorchArchive {
    /** The kind of the pickled root object. */
    public enum Root {
        /** A plain {@code dict} ({@code torch.save({k: v ...})}). */
        DICT,
        /** A {@code collections.OrderedDict} ({@code torch.save(module.state_dict())}). */
        ORDERED_DICT
    }

    /** A tensor to write: its values (any dtype, any layout) stored as {@code type}. */
    public record Stored(ElementType type, INDArray values) {}

    static final int ALIGNMENT = 64;
    private static final long MAX_PICKLE = 256L << 20;
    private static final String KIND = ".pt";

    private record Tensor(ElementType type, long[] shape, long[] stride, long offset, ByteBuffer storage) {}

    private final Path file;
    private final Root root;
    private final Map<String, Tensor> tensors;

    private final List<String> modules;

    private TorchArchive(Path file, Root root, Map<String, Tensor> tensors, List<String> modules) {
        this.file = file;
        this.root = root;
        this.tensors = tensors;
        this.modules = modules;
    }

    /** The state dict in {@code file}, checked as the class comment says. */
    public static TorchArchive read(Path file) throws IOException {
        try (FileChannel ch = RegularFiles.open(file)) {
            return read(ch, file);
        }
    }

    private static TorchArchive read(FileChannel ch, Path file) throws IOException {
        String source = file.toString();
        if (ch.size() == 0) {
            throw new MalformedFileException(source, "the file is empty; a .pt file is a zip archive");
        }
        ByteBuffer head = ByteBuffer.allocate(2);
        ch.read(head, 0);
        if (head.get(0) == (byte) 0x80 && head.get(1) <= 5) {
            throw new MalformedFileException(
                    source,
                    "a bare pickle: torch.save's legacy format (PyTorch before 1.6), which saekit does not"
                            + " read; load it and save it again with a recent PyTorch");
        }
        List<ZipArchive.Member> all = ZipArchive.read(ch, source, KIND, name -> true);
        if (all.isEmpty()) {
            throw new MalformedFileException(source, "an empty zip archive; torch.save writes data.pkl and storages");
        }
        String first = all.get(0).name();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new MalformedFileException(
                    source, "member " + Text.quote(first) + " is not under a root folder, as torch.save writes them");
        }
        String prefix = first.substring(0, slash + 1);
        Map<String, ZipArchive.Member> members = new HashMap<>();
        for (ZipArchive.Member m : all) {
            if (!m.name().startsWith(prefix)) {
                throw new MalformedFileException(
                        source,
                        "member " + Text.quote(m.name()) + " is outside the root folder " + Text.quote(prefix)
                                + " of the other members");
            }
            if (members.put(m.name().substring(prefix.length()), m) != null) {
                throw new MalformedFileException(source, "member " + Text.quote(m.name()) + " appears twice");
            }
        }
        ZipArchive.Member order = members.get("byteorder");
        if (order != null && !new String(bytes(ch, file, order, 16), StandardCharsets.US_ASCII).equals("little")) {
            throw new MalformedFileException(
                    source, "byteorder is not 'little'; saekit reads the little-endian archives torch.save writes");
        }
        ZipArchive.Member pkl = members.get("data.pkl");
        if (pkl == null) {
            throw new MalformedFileException(source, "no member " + Text.quote(prefix + "data.pkl") + " (the pickle)");
        }
        String pklSource = file + ", member " + Text.quote(pkl.name());
        Object rootObject = PickleReader.read(ByteBuffer.wrap(bytes(ch, file, pkl, MAX_PICKLE)), pklSource);
        Map<Object, Object> items;
        Root kind;
        List<String> modules = new ArrayList<>();
        if (rootObject instanceof PickleReader.OrderedDict od) {
            items = od.items;
            kind = Root.ORDERED_DICT;
            Object metadata = od.attributes.get("_metadata");
            if (metadata instanceof PickleReader.OrderedDict m) {
                m.items.keySet().forEach(k -> modules.add(String.valueOf(k)));
            } else if (metadata instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> modules.add(String.valueOf(k)));
            }
        } else if (rootObject instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> plain = (Map<Object, Object>) m;
            items = plain;
            kind = Root.DICT;
        } else {
            throw new MalformedFileException(
                    pklSource, "the pickle holds " + PickleReader.describe(rootObject) + ", not a state dict");
        }
        Map<String, ByteBuffer> storages = new HashMap<>();
        Map<String, PickleReader.StorageRef> declared = new HashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : items.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof PickleReader.TensorRef t)) {
                throw new MalformedFileException(
                        pklSource,
                        "entry " + PickleReader.describe(e.getKey()) + " holds "
                                + PickleReader.describe(e.getValue())
                                + "; saekit reads state dicts of named tensors");
            }
            PickleReader.StorageRef s = t.storage();
            PickleReader.StorageRef before = declared.putIfAbsent(s.key(), s);
            if (before != null && (!before.type().equals(s.type()) || before.numel() != s.numel())) {
                throw new MalformedFileException(
                        pklSource,
                        "storage " + Text.quote(s.key()) + " is declared twice with different types or sizes");
            }
            ByteBuffer data = storages.get(s.key());
            if (data == null) {
                data = storage(ch, file, members.get("data/" + s.key()), prefix, s);
                storages.put(s.key(), data);
            }
            checkView(pklSource, name, t);
            tensors.put(name, new Tensor(s.type().type(), t.shape(), t.stride(), t.offset(), data));
        }
        return new TorchArchive(file, kind, tensors, List.copyOf(modules));
    }

    /** The storage entry of {@code s}, mapped, its size and CRC checked. */
    private static ByteBuffer storage(
            FileChannel ch, Path file, ZipArchive.Member m, String prefix, PickleReader.StorageRef s)
            throws IOException {
        if (m == null) {
            throw new MalformedFileException(
                    file.toString(),
                    "the pickle names storage " + Text.quote(s.key()) + " but the archive has no member "
                            + Text.quote(prefix + "data/" + s.key()));
        }
        String source = file + ", member " + Text.quote(m.name());
        long bytes;
        try {
            bytes = Math.multiplyExact(s.numel(), (long) s.type().type().size());
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        if (bytes != m.size()) {
            throw new MalformedFileException(
                    source,
                    "holds " + m.size() + " bytes but the pickle declares " + s.numel() + " elements of "
                            + s.type().name() + " (" + s.type().type().size() + " bytes each)");
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new MalformedFileException(
                    source, "a storage of " + bytes + " bytes; saekit reads storages below 2 GiB");
        }
        requireStored(m, source);
        ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, m.dataOffset(), bytes);
        requireCrc(m, data, source);
        return data.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Every element the view {@code t} reaches lies in its storage, and the view is no larger than the storage. */
    private static void checkView(String source, String name, PickleReader.TensorRef t) throws MalformedFileException {
        long numel = t.storage().numel();
        try {
            long count = 1;
            long last = t.offset();
            for (int i = 0; i < t.shape().length; i++) {
                count = Math.multiplyExact(count, t.shape()[i]);
                if (t.shape()[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(t.shape()[i] - 1, t.stride()[i]));
                }
            }
            if (count == 0 ? t.offset() > numel : last >= numel) {
                throw new MalformedFileException(
                        source,
                        "tensor " + Text.quote(name) + " (size " + Arrays.toString(t.shape()) + ", stride "
                                + Arrays.toString(t.stride()) + ", offset " + t.offset() + ") reaches element "
                                + last + " of a storage of " + numel);
            }
            if (count > numel) {
                throw new MalformedFileException(
                        source,
                        "tensor " + Text.quote(name) + " has " + count + " elements over a storage of " + numel
                                + " (a broadcast view); saekit reads tensors no larger than their storage");
            }
        } catch (ArithmeticException e) {
            throw new MalformedFileException(
                    source, "tensor " + Text.quote(name) + ": its size and strides overflow 64 bits");
        }
    }

    private static byte[] bytes(FileChannel ch, Path file, ZipArchive.Member m, long max) throws IOException {
        String source = file + ", member " + Text.quote(m.name());
        requireStored(m, source);
        if (m.size() > max) {
            throw new MalformedFileException(source, m.size() + " bytes, more than the " + max + " saekit reads");
        }
        ByteBuffer b = ByteBuffer.allocate((int) m.size());
        while (b.hasRemaining()) {
            if (ch.read(b, m.dataOffset() + b.position()) < 0) {
                throw new MalformedFileException(source, "the file ends inside the member");
            }
        }
        requireCrc(m, b.flip(), source);
        return b.array();
    }

    private static void requireStored(ZipArchive.Member m, String source) throws MalformedFileException {
        if (m.encrypted()) {
            throw new MalformedFileException(source, "the member is encrypted");
        }
        if (m.method() != ZipArchive.STORED || m.compressedSize() != m.size()) {
            throw new MalformedFileException(
                    source,
                    "the member is compressed (method " + m.method() + "); torch.save stores its members uncompressed");
        }
    }

    private static void requireCrc(ZipArchive.Member m, ByteBuffer data, String source) throws MalformedFileException {
        CRC32 crc = new CRC32();
        crc.update(data.duplicate());
        if (crc.getValue() != m.crc()) {
            throw new MalformedFileException(
                    source,
                    "its CRC-32 is " + Long.toHexString(crc.getValue()) + " but the archive records "
                            + Long.toHexString(m.crc()) + ": the bytes are damaged");
        }
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** Whether the pickle's root is a plain dict or an OrderedDict. */
    public Root root() {
        return root;
    }

    /** The tensors' names, in the pickle's order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** The element type of tensor {@code name}. */
    public ElementType type(String name) {
        return tensor(name).type();
    }

    /** The shape of tensor {@code name}. */
    public long[] shape(String name) {
        return tensor(name).shape().clone();
    }

    /** Tensor {@code name} in C order, converted to {@code target} (64-bit integers above 2^53 round). */
    public INDArray read(String name, DType target) {
        Tensor t = tensor(name);
        int count = (int) elementCount(t.shape());
        double[] values = new double[count];
        gather(t, (i, at) -> {
            t.storage().position((int) (at * t.type().size()));
            values[i] = t.type().readDouble(t.storage());
        });
        return Tensors.fromFlat(target, values, t.shape());
    }

    /** Integer or bool tensor {@code name} in C order, exactly. */
    public long[] readLongs(String name) {
        Tensor t = tensor(name);
        if (!t.type().isInteger()) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' of " + file + " is " + t.type() + ", not an integer type");
        }
        long[] values = new long[(int) elementCount(t.shape())];
        gather(t, (i, at) -> {
            t.storage().position((int) (at * t.type().size()));
            values[i] = t.type().readLong(t.storage());
        });
        return values;
    }

    private interface Visit {
        void element(int index, long storageIndex);
    }

    /** Visits the elements of {@code t} in C order with their storage index (an odometer over the strides). */
    private static void gather(Tensor t, Visit visit) {
        int rank = t.shape().length;
        long count = elementCount(t.shape());
        long[] idx = new long[rank];
        long at = t.offset();
        for (int i = 0; i < count; i++) {
            visit.element(i, at);
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                at += t.stride()[d];
                if (idx[d] < t.shape()[d]) {
                    break;
                }
                at -= idx[d] * t.stride()[d];
                idx[d] = 0;
            }
        }
    }

    private Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    "no tensor '" + name + "' in " + file + "; it holds " + String.join(", ", tensors.keySet()));
        }
        return t;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /**
     * Writes {@code tensors} (in order, each stored contiguous as its {@link Stored#type}) to
     * {@code file} as {@code torch.save} would save a {@code root} of them. Archives that would need
     * zip64 (4 GiB and more) are refused.
     */
    public static void write(Path file, Root root, Map<String, Stored> tensors) throws IOException {
        TorchZipWriter.write(file, root, tensors, List.of());
    }

    /**
     * Writes {@code tensors} as {@link #write(Path, Root, Map)} does, as {@code torch.save(module.state_dict())}
     * saves them: an {@code OrderedDict} whose {@code _metadata} attribute gives {@code {'version': 1}}
     * to each of {@code modules} (the state dict's module names, {@code ""} for the root module).
     */
    public static void writeStateDict(Path file, Map<String, Stored> tensors, List<String> modules) throws IOException {
        TorchZipWriter.write(file, Root.ORDERED_DICT, tensors, List.copyOf(modules));
    }

    /** The module names of the root's {@code _metadata} attribute, in order (empty when it has none). */
    public List<String> modules() {
        return modules;
    }
}
