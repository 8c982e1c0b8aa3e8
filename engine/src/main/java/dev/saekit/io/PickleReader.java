package dev.saekit.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for PyTorch state dicts: it accepts what {@code torch.load(weights_only=True)}
 * accepts for them and nothing else. Values are None, bools, ints, floats, strings, bytes, tuples,
 * lists, dicts, {@code collections.OrderedDict} (with a {@code BUILD} of its attributes, as
 * {@code nn.Module.state_dict()} sets {@code _metadata}), storages named by persistent ids, and
 * tensors rebuilt by {@code torch._utils._rebuild_tensor_v2} or {@code _rebuild_parameter}. Any other
 * global, any object construction ({@code INST}, {@code OBJ}, {@code NEWOBJ}, a {@code REDUCE} or
 * {@code BUILD} of anything else) and the extension registry are refused when met, naming the byte
 * offset and the callable; nothing is ever imported or called.
 *
 * <p>The machine is iterative (no recursion on nested data), its stack, marks and memo are bounded,
 * every length is checked against the bytes left, and dict keys must be scalars (so no cyclic value
 * is ever hashed). Every defect is one {@link MalformedFileException}.
 */
final class PickleReader {
    /** Limits far above what a state dict needs (two entries per tensor) and far below the memory they could use. */
    static final int MAX_STACK = 1 << 20;

    static final int MAX_MEMO = 1 << 20;

    /** Python's None (Java's null is not used as a value). */
    enum None {
        NONE
    }

    /** A Python tuple. */
    record Tuple(List<Object> items) {}

    /** A {@code collections.OrderedDict}, with the attributes a {@code BUILD} gave it ({@code _metadata}). */
    static final class OrderedDict {
        final LinkedHashMap<Object, Object> items = new LinkedHashMap<>();
        final Map<Object, Object> attributes = new LinkedHashMap<>();
    }

    /** A storage class such as {@code torch.FloatStorage}: what its elements are. */
    record StorageClass(String name, ElementType type) {}

    /** A storage named by a persistent id {@code ('storage', class, key, location, numel)}. */
    record StorageRef(StorageClass type, String key, String location, long numel) {}

    /** A tensor: a view of {@code storage} with its shape, strides and offset, in elements. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride, boolean parameter) {}

    private enum Function {
        ORDERED_DICT("collections.OrderedDict"),
        REBUILD_TENSOR("torch._utils._rebuild_tensor_v2"),
        REBUILD_PARAMETER("torch._utils._rebuild_parameter");

        final String qualified;

        Function(String qualified) {
            this.qualified = qualified;
        }
    }

    private static final Map<String, ElementType> STORAGES = Map.of(
            "FloatStorage", ElementType.FLOAT32,
            "DoubleStorage", ElementType.FLOAT64,
            "HalfStorage", ElementType.FLOAT16,
            "BFloat16Storage", ElementType.BFLOAT16,
            "LongStorage", ElementType.INT64,
            "IntStorage", ElementType.INT32,
            "ShortStorage", ElementType.INT16,
            "CharStorage", ElementType.INT8,
            "ByteStorage", ElementType.UINT8,
            "BoolStorage", ElementType.BOOL);

    static final String ACCEPTED = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
            + "torch._utils._rebuild_parameter and the torch.*Storage classes";

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final String source;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opAt;

    private PickleReader(ByteBuffer in, String source) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.in.position(0);
        this.source = source;
    }

    /** The object the pickle {@code bytes} holds; {@code source} names it in errors. */
    static Object read(ByteBuffer bytes, String source) throws MalformedFileException {
        return new PickleReader(bytes, source).run();
    }

    private Object run() throws MalformedFileException {
        while (true) {
            if (!in.hasRemaining()) {
                throw bad("the pickle ends at byte " + in.position() + " without its STOP opcode");
            }
            opAt = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > 5) {
                        throw bad(
                                "pickle protocol " + protocol + "; torch.save writes protocol 2 (saekit reads 2 to 5)");
                    }
                }
                case 0x95 -> skip(8, "FRAME"); // FRAME: a length hint
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw bad("STOP with " + stack.size() + " objects and " + marks.size()
                                + " open marks on the stack; a pickle ends with exactly one object");
                    }
                    return value(stack.get(0));
                }
                case '(' -> {
                    if (marks.size() >= MAX_STACK) {
                        throw bad("more than " + MAX_STACK + " nested marks");
                    }
                    marks.add(stack.size());
                    push(MARK);
                }
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'N' -> push(None.NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) need(4, "BININT").getInt());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (need(2, "BININT2").getShort() & 0xFFFF));
                case 0x8A -> push(longOf(bytes(u8(), "LONG1")));
                case 0x8B -> push(longOf(bytes(length(need(4, "LONG4").getInt() & 0xFFFF_FFFFL), "LONG4")));
                case 'G' -> push(need(8, "BINFLOAT").order(ByteOrder.BIG_ENDIAN).getDouble());
                case 'X' -> push(utf8(bytes(length(need(4, "BINUNICODE").getInt() & 0xFFFF_FFFFL), "BINUNICODE")));
                case 0x8C -> push(utf8(bytes(u8(), "SHORT_BINUNICODE")));
                case 0x8D -> push(utf8(bytes(length(need(8, "BINUNICODE8").getLong()), "BINUNICODE8")));
                case 'B' -> push(bytes(length(need(4, "BINBYTES").getInt() & 0xFFFF_FFFFL), "BINBYTES"));
                case 'C' -> push(bytes(u8(), "SHORT_BINBYTES"));
                case 0x8E -> push(bytes(length(need(8, "BINBYTES8").getLong()), "BINBYTES8"));
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popMark()));
                case 0x85 -> push(tuple(1));
                case 0x86 -> push(tuple(2));
                case 0x87 -> push(tuple(3));
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> {
                    Object item = pop();
                    list(peek(), "APPEND").add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek(), "APPENDS").addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> {
                    Map<Object, Object> d = new LinkedHashMap<>();
                    setItems(d, popMark());
                    push(d);
                }
                case 's' -> {
                    Object v = pop();
                    Object k = pop();
                    setItems(map(peek(), "SETITEM"), List.of(k, v));
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    setItems(map(peek(), "SETITEMS"), items);
                }
                case 'p' -> put(decimal(line("PUT")));
                case 'q' -> put(u8());
                case 'r' -> put(need(4, "LONG_BINPUT").getInt() & 0xFFFF_FFFFL);
                case 0x94 -> put(memo.size());
                case 'g' -> get(decimal(line("GET")));
                case 'h' -> get(u8());
                case 'j' -> get(need(4, "LONG_BINGET").getInt() & 0xFFFF_FFFFL);
                case 'c' -> push(global(line("GLOBAL"), line("GLOBAL")));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw bad("STACK_GLOBAL needs a module and a name as strings, got " + describe(module) + " and "
                                + describe(name));
                    }
                    push(global(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    push(reduce(pop(), args));
                }
                case 'b' -> {
                    Object state = pop();
                    build(peek(), state);
                }
                case 'Q' -> push(persistent(pop()));
                case 'i', 'o', 0x81, 0x92 ->
                    throw bad("opcode " + name(op) + " constructs an arbitrary object; saekit, like "
                            + "torch.load(weights_only=True), builds only " + ACCEPTED);
                case 0x82, 0x83, 0x84 ->
                    throw bad("opcode " + name(op) + " calls the extension registry, which a state dict never uses");
                default ->
                    throw bad("opcode " + name(op)
                            + " is not one that a PyTorch state dict uses (torch.save writes protocol 2)");
            }
        }
    }

    private Object global(String module, String name) throws MalformedFileException {
        String qualified = module + "." + name;
        for (Function f : Function.values()) {
            if (f.qualified.equals(qualified)) {
                return f;
            }
        }
        if (module.equals("torch") && STORAGES.containsKey(name)) {
            return new StorageClass(qualified, STORAGES.get(name));
        }
        throw bad("refused global " + Text.quote(qualified) + ": a state dict uses only " + ACCEPTED
                + " (as torch.load(weights_only=True))");
    }

    private Object reduce(Object callable, Object args) throws MalformedFileException {
        if (!(callable instanceof Function f)) {
            throw bad("REDUCE calls " + describe(callable) + ", which is not callable in a state dict; only " + ACCEPTED
                    + " are");
        }
        if (!(args instanceof Tuple t)) {
            throw bad("REDUCE of " + f.qualified + " with " + describe(args) + " instead of an argument tuple");
        }
        List<Object> a = t.items();
        return switch (f) {
            case ORDERED_DICT -> {
                if (!a.isEmpty()) {
                    throw bad("collections.OrderedDict called with " + a.size()
                            + " arguments; a state dict builds it empty, then sets its items");
                }
                yield new OrderedDict();
            }
            case REBUILD_TENSOR -> {
                if (a.size() != 6 && a.size() != 7) {
                    throw bad(f.qualified + " called with " + a.size() + " arguments, not 6 or 7 "
                            + "(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])");
                }
                if (!(a.get(0) instanceof StorageRef s)) {
                    throw bad(f.qualified + ": its first argument is " + describe(a.get(0)) + ", not a storage");
                }
                if (!(a.get(4) instanceof Boolean)) {
                    throw bad(f.qualified + ": requires_grad is " + describe(a.get(4)) + ", not a bool");
                }
                if (!(a.get(5) instanceof OrderedDict hooks) || !hooks.items.isEmpty()) {
                    throw bad(f.qualified + ": backward_hooks is " + describe(a.get(5))
                            + ", not an empty OrderedDict (a saved tensor has no hooks)");
                }
                long[] shape = sizes(a.get(2), "size");
                long[] stride = sizes(a.get(3), "stride");
                if (stride.length != shape.length) {
                    throw bad(f.qualified + ": a " + shape.length + "-d size with " + stride.length + " strides");
                }
                yield new TensorRef(s, nonNegative(a.get(1), "storage_offset"), shape, stride, false);
            }
            case REBUILD_PARAMETER -> {
                if (a.size() != 3 || !(a.get(0) instanceof TensorRef data) || !(a.get(1) instanceof Boolean)) {
                    throw bad(f.qualified + " needs (tensor, requires_grad, backward_hooks), got " + a.size()
                            + " arguments");
                }
                yield new TensorRef(data.storage(), data.offset(), data.shape(), data.stride(), true);
            }
        };
    }

    /** {@code BUILD}: only an OrderedDict's attributes, from a dict (what torch.load(weights_only=True) allows). */
    private void build(Object target, Object state) throws MalformedFileException {
        if (!(target instanceof OrderedDict od)) {
            throw bad("BUILD on " + describe(target) + "; in a state dict only an OrderedDict gets attributes");
        }
        if (!(state instanceof Map<?, ?> m)) {
            throw bad("BUILD of an OrderedDict with " + describe(state) + " instead of a dict of attributes");
        }
        od.attributes.putAll(m);
    }

    private StorageRef persistent(Object pid) throws MalformedFileException {
        if (!(pid instanceof Tuple t)
                || t.items().size() != 5
                || !"storage".equals(t.items().get(0))
                || !(t.items().get(1) instanceof StorageClass type)
                || !(t.items().get(2) instanceof String key)
                || !(t.items().get(3) instanceof String location)) {
            throw bad(
                    "a persistent id that is not ('storage', torch.*Storage, key, location, numel): " + describe(pid));
        }
        return new StorageRef(type, key, location, nonNegative(t.items().get(4), "the storage's numel"));
    }

    private long[] sizes(Object o, String what) throws MalformedFileException {
        if (!(o instanceof Tuple t)) {
            throw bad("the tensor's " + what + " is " + describe(o) + ", not a tuple of ints");
        }
        if (t.items().size() > 64) {
            throw bad("the tensor's " + what + " has " + t.items().size() + " dimensions; at most 64 are read");
        }
        long[] v = new long[t.items().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = nonNegative(t.items().get(i), "the tensor's " + what + "[" + i + "]");
        }
        return v;
    }

    private long nonNegative(Object o, String what) throws MalformedFileException {
        if (!(o instanceof Long v) || v < 0) {
            throw bad(what + " is " + describe(o) + ", not an int >= 0 below 2^63");
        }
        return v;
    }

    private void setItems(Map<Object, Object> d, List<Object> items) throws MalformedFileException {
        if (items.size() % 2 != 0) {
            throw bad("SETITEMS with an odd number (" + items.size() + ") of keys and values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object k = items.get(i);
            if (!(k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof None)) {
                throw bad("a dict key that is " + describe(k) + "; state dict keys are strings");
            }
            d.put(k, items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o, String op) throws MalformedFileException {
        if (o instanceof OrderedDict od) {
            return od.items;
        }
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw bad(op + " on " + describe(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String op) throws MalformedFileException {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw bad(op + " on " + describe(o) + ", not a list");
    }

    private Tuple tuple(int n) throws MalformedFileException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return new Tuple(List.of(items));
    }

    private void put(long index) throws MalformedFileException {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw bad("more than " + MAX_MEMO + " memo entries");
        }
        memo.put(index, peek());
    }

    private void get(long index) throws MalformedFileException {
        Object v = memo.get(index);
        if (v == null) {
            throw bad("memo entry " + index + " is read before it is stored");
        }
        push(v);
    }

    private void push(Object o) throws MalformedFileException {
        if (stack.size() >= MAX_STACK) {
            throw bad("more than " + MAX_STACK + " objects on the stack");
        }
        stack.add(o);
    }

    private Object peek() throws MalformedFileException {
        int top = stack.size() - 1;
        if (top < 0 || (!marks.isEmpty() && marks.get(marks.size() - 1) > top) || stack.get(top) == MARK) {
            throw bad("opcode " + name(in.get(opAt) & 0xFF) + " needs an object but the stack is empty");
        }
        return stack.get(top);
    }

    private Object pop() throws MalformedFileException {
        Object o = peek();
        stack.remove(stack.size() - 1);
        return o;
    }

    /** The objects above the topmost mark, removing them and the mark. */
    private List<Object> popMark() throws MalformedFileException {
        if (marks.isEmpty()) {
            throw bad("opcode " + name(in.get(opAt) & 0xFF) + " needs a MARK but none is open");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at + 1, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    /** The final object, which must not be a bare global or a mark. */
    private Object value(Object o) throws MalformedFileException {
        if (o instanceof Function || o instanceof StorageClass) {
            throw bad("the pickle holds " + describe(o) + " itself, not a state dict");
        }
        return o;
    }

    private int u8() throws MalformedFileException {
        return need(1, "a one-byte argument").get() & 0xFF;
    }

    private ByteBuffer need(int n, String what) throws MalformedFileException {
        if (in.remaining() < n) {
            throw bad("the pickle ends at byte " + in.limit() + ", inside " + what + " at byte " + opAt);
        }
        ByteBuffer b = in.slice(in.position(), n).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + n);
        return b;
    }

    private void skip(int n, String what) throws MalformedFileException {
        need(n, what);
    }

    private int length(long n) throws MalformedFileException {
        if (n < 0 || n > in.remaining()) {
            throw bad("a length of " + Long.toUnsignedString(n) + " bytes at byte " + opAt + ", but only "
                    + in.remaining() + " bytes are left");
        }
        return (int) n;
    }

    private byte[] bytes(int n, String what) throws MalformedFileException {
        byte[] b = new byte[length(n)];
        need(n, what).get(b);
        return b;
    }

    private String line(String what) throws MalformedFileException {
        int start = in.position();
        for (int i = start; i < in.limit() && i - start <= 256; i++) {
            if (in.get(i) == '\n') {
                byte[] b = new byte[i - start];
                in.get(start, b);
                in.position(i + 1);
                return utf8(b);
            }
        }
        throw bad(what + " at byte " + opAt + " has no newline-terminated argument within 256 bytes");
    }

    private long decimal(String s) throws MalformedFileException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad("memo index " + Text.quote(s) + " is not a decimal integer");
        }
    }

    private String utf8(byte[] b) throws MalformedFileException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("a string at byte " + opAt + " is not valid UTF-8");
        }
    }

    private static Object longOf(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] big = new byte[littleEndian.length];
        for (int i = 0; i < big.length; i++) {
            big[i] = littleEndian[big.length - 1 - i];
        }
        BigInteger v = new BigInteger(big);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** What {@code o} is, without printing its contents (which may be large or cyclic). */
    static String describe(Object o) {
        if (o instanceof String s) {
            return "the string " + Text.quote(s);
        }
        if (o instanceof Long || o instanceof Boolean || o instanceof Double) {
            return "the " + o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + o;
        }
        if (o instanceof Function f) {
            return f.qualified;
        }
        if (o instanceof StorageClass s) {
            return s.name();
        }
        if (o instanceof Tuple t) {
            return "a tuple of " + t.items().size();
        }
        if (o instanceof List<?> l) {
            return "a list of " + l.size();
        }
        if (o instanceof OrderedDict) {
            return "an OrderedDict";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        if (o instanceof TensorRef) {
            return "a tensor";
        }
        if (o instanceof StorageRef) {
            return "a storage";
        }
        if (o instanceof byte[] b) {
            return b.length + " bytes";
        }
        if (o instanceof BigInteger) {
            return "an int beyond 64 bits";
        }
        return o == None.NONE ? "None" : o.getClass().getSimpleName();
    }

    private static String name(int op) {
        String names = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 0x82 -> "EXT1";
            case 0x83 -> "EXT2";
            case 0x84 -> "EXT4";
            case 'P' -> "PERSID";
            default -> null;
        };
        String hex = String.format("0x%02x", op);
        return names != null ? names + " (" + hex + ")" : hex + (op >= 0x20 && op < 0x7F ? " '" + (char) op + "'" : "");
    }

    private MalformedFileException bad(String detail) {
        return new MalformedFileException(source, "pickle byte " + opAt + ": " + detail);
    }
}
