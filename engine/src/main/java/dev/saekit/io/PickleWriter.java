package dev.saekit.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pickle (protocol 2) of a state dict as {@code torch.save} writes it: a plain dict or an
 * {@code OrderedDict} of tensors, each {@code torch._utils._rebuild_tensor_v2(storage, offset, size,
 * stride, False, OrderedDict())} over a storage named by the persistent id
 * {@code ('storage', torch.<Type>Storage, key, 'cpu', numel)}. The caller adds the tensors in order
 * with {@link #tensor}, then takes the bytes with {@link #finish}. Nothing is memoised: every global
 * is named again where it is used, which any unpickler reads.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean finished;

    PickleWriter(TorchArchive.Root root) {
        out.write(0x80); // PROTO 2
        out.write(2);
        if (root == TorchArchive.Root.ORDERED_DICT) {
            global("collections", "OrderedDict");
            out.write(')'); // EMPTY_TUPLE
            out.write('R'); // REDUCE
        } else {
            out.write('}'); // EMPTY_DICT
        }
        out.write('('); // MARK: the items follow, set at once by SETITEMS
    }

    /** Adds {@code name}: a C-contiguous tensor of {@code shape} over the whole storage {@code key} of {@code storageClass}. */
    void tensor(String name, String storageClass, String key, long[] shape) {
        string(name);
        global("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        out.write('(');
        string("storage");
        global("torch", storageClass);
        string(key);
        string("cpu");
        integer(TorchArchive.elementCount(shape));
        out.write('t'); // TUPLE
        out.write('Q'); // BINPERSID
        integer(0);
        out.write('(');
        for (long s : shape) {
            integer(s);
        }
        out.write('t');
        out.write('(');
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= Math.max(1, shape[i]);
        }
        for (long s : strides) {
            integer(s);
        }
        out.write('t');
        out.write(0x89); // NEWFALSE: requires_grad
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R'); // backward_hooks = OrderedDict()
        out.write('t');
        out.write('R');
    }

    /** The pickle's bytes. */
    byte[] finish() {
        return finish(List.of());
    }

    /**
     * The pickle's bytes; for an {@code OrderedDict} root with {@code modules}, its {@code _metadata}
     * attribute as {@code nn.Module.state_dict()} sets it, one {@code {'version': 1}} per module name
     * ({@code ''} for the root module), given by a {@code BUILD} after the items.
     */
    byte[] finish(List<String> modules) {
        if (!finished) {
            out.write('u'); // SETITEMS
            if (!modules.isEmpty()) {
                out.write('}'); // the BUILD state: {'_metadata': OrderedDict(...)}
                string("_metadata");
                global("collections", "OrderedDict");
                out.write(')');
                out.write('R');
                out.write('(');
                for (String module : modules) {
                    string(module);
                    out.write('}');
                    string("version");
                    integer(1);
                    out.write('s'); // SETITEM
                }
                out.write('u');
                out.write('s');
                out.write('b'); // BUILD
            }
            out.write('.'); // STOP
            finished = true;
        }
        return out.toByteArray();
    }

    private void global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X'); // BINUNICODE
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(b.length)
                .array());
        out.writeBytes(b);
    }

    private void integer(long v) {
        if (v >= 0 && v < 0x100) {
            out.write('K'); // BININT1
            out.write((int) v);
        } else if (v >= 0 && v < 0x10000) {
            out.write('M'); // BININT2
            out.write((int) v & 0xFF);
            out.write((int) (v >>> 8) & 0xFF);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J'); // BININT
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) v)
                    .array());
        } else {
            out.write(0x8A); // LONG1, 8 bytes two's complement
            out.write(8);
            out.writeBytes(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(v)
                    .array());
        }
    }
}
