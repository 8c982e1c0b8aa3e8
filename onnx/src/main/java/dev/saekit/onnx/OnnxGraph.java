package dev.saekit.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import dev.saekit.io.MalformedFileException;
import dev.saekit.io.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The main graph of an ONNX model, read from the protobuf wire format with {@link UnknownFieldSet}
 * (no generated ONNX classes): its inputs, outputs, the tensors its nodes produce, and what the
 * file says about their types and shapes. {@link #withExtraOutputs} writes a copy of the model
 * whose graph also declares some inner tensors as outputs, which is all ONNX Runtime needs to
 * return them; {@link #withSplice} writes a copy in which the caller feeds the values that the
 * nodes reading an inner tensor see.
 *
 * <p>The model is held in memory twice (its bytes and their parse); models with external data
 * files are read, but only their graph, not their weights.
 */
public final class OnnxGraph {
    // field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto, TensorShapeProto)
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_GRAPH = 6;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int TENSOR_NAME = 8;
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;
    private static final String SPLICE_SUFFIX = "__in";
    private static final int CLOSE_NAMES = 6;

    /** A tensor a node produces and the operator of that node. */
    public record InnerTensor(String name, String opType) {}

    private final String source;
    private final UnknownFieldSet model;
    private final UnknownFieldSet graph;
    private final Set<String> initializers;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final List<InnerTensor> innerTensors;
    private final Map<String, TensorSpec> valueInfo;

    private OnnxGraph(String source, UnknownFieldSet model, UnknownFieldSet graph) throws MalformedFileException {
        this.source = source;
        this.model = model;
        this.graph = graph;
        Set<String> initializers = new HashSet<>();
        for (ByteString t : graph.getField(GRAPH_INITIALIZER).getLengthDelimitedList()) {
            initializers.add(stringField(t, TENSOR_NAME));
        }
        this.initializers = Set.copyOf(initializers);
        List<TensorSpec> in = new ArrayList<>();
        for (ByteString v : graph.getField(GRAPH_INPUT).getLengthDelimitedList()) {
            TensorSpec spec = spec(v);
            if (!initializers.contains(spec.name())) { // IR < 4 lists the initializers as inputs too
                in.add(spec);
            }
        }
        this.inputs = List.copyOf(in);
        List<TensorSpec> out = new ArrayList<>();
        for (ByteString v : graph.getField(GRAPH_OUTPUT).getLengthDelimitedList()) {
            out.add(spec(v));
        }
        this.outputs = List.copyOf(out);
        List<InnerTensor> inner = new ArrayList<>();
        for (ByteString n : graph.getField(GRAPH_NODE).getLengthDelimitedList()) {
            UnknownFieldSet node = parse(n, "a node of the graph");
            String op = node.getField(NODE_OP_TYPE).getLengthDelimitedList().stream()
                    .findFirst()
                    .map(ByteString::toStringUtf8)
                    .orElse("?");
            for (ByteString o : node.getField(NODE_OUTPUT).getLengthDelimitedList()) {
                if (!o.isEmpty()) { // an omitted optional output has an empty name
                    inner.add(new InnerTensor(o.toStringUtf8(), op));
                }
            }
        }
        this.innerTensors = List.copyOf(inner);
        List<TensorSpec> infos = new ArrayList<>();
        for (ByteString v : graph.getField(GRAPH_VALUE_INFO).getLengthDelimitedList()) {
            infos.add(spec(v));
        }
        infos.addAll(outputs);
        this.valueInfo = infos.stream().collect(Collectors.toMap(TensorSpec::name, Function.identity(), (a, b) -> a));
    }

    /** The graph of the model in {@code bytes}; {@code source} names the file in error messages. */
    public static OnnxGraph parse(byte[] bytes, String source) throws MalformedFileException {
        UnknownFieldSet model;
        try {
            model = UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFileException(
                    source, "not an ONNX model: not a protocol buffer (" + e.getMessage() + ")");
        }
        List<ByteString> graphs = model.getField(MODEL_GRAPH).getLengthDelimitedList();
        if (graphs.isEmpty() || model.getField(MODEL_IR_VERSION).getVarintList().isEmpty()) {
            throw new MalformedFileException(
                    source,
                    "not an ONNX model: it has no "
                            + (graphs.isEmpty()
                                    ? "graph (field 7 of ModelProto)"
                                    : "IR version (field 1 of ModelProto)"));
        }
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
        try {
            for (ByteString g : graphs) { // a repeated message field merges, as protobuf parsers do
                graph.mergeFrom(g);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFileException(
                    source, "not an ONNX model: its graph does not parse (" + e.getMessage() + ")");
        }
        return new OnnxGraph(source, model, graph.build());
    }

    /** The file (or other source) this graph was read from. */
    public String source() {
        return source;
    }

    /** The ONNX IR version of the file. */
    public long irVersion() {
        return model.getField(MODEL_IR_VERSION).getVarintList().get(0);
    }

    /** {@code paddle2onnx 1.0.0}, or empty when the file does not say. */
    public String producer() {
        return (string(model, MODEL_PRODUCER_NAME) + " " + string(model, MODEL_PRODUCER_VERSION)).trim();
    }

    /** The operator sets the model imports, {@code ai.onnx 11} style (the default domain is {@code ai.onnx}). */
    public List<String> opsets() {
        List<String> sets = new ArrayList<>();
        for (ByteString o : model.getField(MODEL_OPSET_IMPORT).getLengthDelimitedList()) {
            try {
                UnknownFieldSet opset = UnknownFieldSet.parseFrom(o);
                String domain = string(opset, OPSET_DOMAIN);
                List<Long> version = opset.getField(OPSET_VERSION).getVarintList();
                sets.add((domain.isEmpty() ? "ai.onnx" : domain) + " " + (version.isEmpty() ? "?" : version.get(0)));
            } catch (InvalidProtocolBufferException e) {
                sets.add("?");
            }
        }
        return sets;
    }

    /** The inputs a caller feeds (initializers that old files also list as inputs are left out). */
    public List<TensorSpec> inputs() {
        return inputs;
    }

    /** The declared outputs, in order. */
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /** Every tensor a node of the main graph produces, in node order (graph outputs among them). */
    public List<InnerTensor> innerTensors() {
        return innerTensors;
    }

    /** Names a caller may tap: the tensors nodes produce. */
    public Set<String> tappable() {
        return innerTensors.stream().map(InnerTensor::name).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** What the file itself says about {@code name}'s type and shape (its {@code value_info} or output entry). */
    public Optional<TensorSpec> declared(String name) {
        return Optional.ofNullable(valueInfo.get(name));
    }

    /**
     * The model's bytes with {@code names} appended to its graph's outputs, each as a {@code
     * ValueInfoProto} holding only the name (ONNX Runtime infers type and shape). Names that are
     * already outputs are not added twice. Everything else in the model is kept as it was.
     */
    public byte[] withExtraOutputs(Collection<String> names) {
        return write(graph, names);
    }

    /** The model with graph {@code g}, whose outputs are this graph's and then {@code extraOutputs}. */
    private byte[] write(UnknownFieldSet g, Collection<String> extraOutputs) {
        Set<String> present = outputs.stream().map(TensorSpec::name).collect(Collectors.toSet());
        UnknownFieldSet.Field.Builder extra = UnknownFieldSet.Field.newBuilder();
        for (String name : new LinkedHashSet<>(extraOutputs)) {
            if (!present.contains(name)) {
                UnknownFieldSet valueInfo = UnknownFieldSet.newBuilder()
                        .addField(
                                VALUE_INFO_NAME,
                                UnknownFieldSet.Field.newBuilder()
                                        .addLengthDelimited(ByteString.copyFromUtf8(name))
                                        .build())
                        .build();
                extra.addLengthDelimited(valueInfo.toByteString());
            }
        }
        UnknownFieldSet newGraph = UnknownFieldSet.newBuilder(g)
                .mergeField(GRAPH_OUTPUT, extra.build())
                .build();
        return UnknownFieldSet.newBuilder(model)
                .addField(
                        MODEL_GRAPH,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(newGraph.toByteString())
                                .build())
                .build()
                .toByteArray();
    }

    /** The graph input that {@link #withSplice} gives tensor {@code name}'s readers: {@code name + "__in"}. */
    public static String spliceInput(String name) {
        return name + SPLICE_SUFFIX;
    }

    /** {@link #withSplice(Collection)} of one tensor. */
    public byte[] withSplice(String tensor) {
        return withSplice(List.of(tensor));
    }

    /**
     * The model's bytes with each of {@code tensors} spliced: every node of the main graph that
     * reads tensor {@code T} reads a new graph input {@code T__in} ({@link #spliceInput}) instead,
     * while {@code T} is still computed and becomes a graph output. Feeding {@code T__in} the value
     * of {@code T} gives the model's own outputs; feeding anything else shows what the model makes
     * of it.
     *
     * <p>{@code T__in} is declared float with no shape: a declared shape lets ONNX Runtime fuse the
     * readers differently from the unmodified model, and the outputs then differ in their last
     * bits. A tensor must be one a node of the main graph computes (not a graph input or an
     * initializer), read by at least one node, and read by no node of a subgraph ({@code If},
     * {@code Loop}, {@code Scan} bodies), which this edit does not reach.
     */
    public byte[] withSplice(Collection<String> tensors) {
        Set<String> spliced = new LinkedHashSet<>(tensors);
        if (spliced.isEmpty()) {
            throw new IllegalArgumentException("no tensor to splice: name at least one tensor of " + source);
        }
        for (String t : spliced) {
            checkSpliceable(t);
        }
        UnknownFieldSet.Field.Builder nodes = UnknownFieldSet.Field.newBuilder();
        Set<String> read = new HashSet<>();
        for (ByteString n : graph.getField(GRAPH_NODE).getLengthDelimitedList()) {
            UnknownFieldSet node = parseUnchecked(n);
            List<ByteString> inputs = node.getField(NODE_INPUT).getLengthDelimitedList();
            if (inputs.stream().noneMatch(i -> spliced.contains(i.toStringUtf8()))) {
                nodes.addLengthDelimited(n);
                continue;
            }
            UnknownFieldSet.Field.Builder rewired = UnknownFieldSet.Field.newBuilder();
            for (ByteString i : inputs) {
                String name = i.toStringUtf8();
                if (spliced.contains(name)) {
                    read.add(name);
                    rewired.addLengthDelimited(ByteString.copyFromUtf8(spliceInput(name)));
                } else {
                    rewired.addLengthDelimited(i);
                }
            }
            nodes.addLengthDelimited(UnknownFieldSet.newBuilder(node)
                    .clearField(NODE_INPUT)
                    .addField(NODE_INPUT, rewired.build())
                    .build()
                    .toByteString());
        }
        for (String t : spliced) {
            if (!read.contains(t)) {
                throw new IllegalArgumentException(
                        "no node of " + source + " reads '" + t
                                + "' (it is only an output): splicing it would change nothing; splice a tensor that nodes read");
            }
        }
        UnknownFieldSet.Field.Builder newInputs = UnknownFieldSet.Field.newBuilder();
        for (String t : spliced) {
            newInputs.addLengthDelimited(floatInput(spliceInput(t)));
        }
        UnknownFieldSet edited = UnknownFieldSet.newBuilder(graph)
                .clearField(GRAPH_NODE)
                .addField(GRAPH_NODE, nodes.build())
                .mergeField(GRAPH_INPUT, newInputs.build())
                .build();
        return write(edited, spliced);
    }

    private void checkSpliceable(String t) {
        if (inputs.stream().anyMatch(i -> i.name().equals(t))) {
            throw new IllegalArgumentException("'" + t + "' is an input of " + source
                    + ": feed the values you want there directly; splicing is for tensors a node computes");
        }
        if (initializers.contains(t)) {
            throw new IllegalArgumentException("'" + t + "' is an initializer (a stored weight) of " + source
                    + ", not a tensor a node computes; splice the output of a node");
        }
        Set<String> tappable = tappable();
        if (!tappable.contains(t)) {
            throw new IllegalArgumentException("no tensor named '" + t + "' in " + source + "; close names: "
                    + String.join(", ", Names.closest(t, tappable, CLOSE_NAMES)) + " (saekit onnx-info lists all "
                    + tappable.size() + ")");
        }
        Optional<TensorSpec> declared = declared(t);
        if (declared.isPresent()
                && declared.get().type() != ElementType.FLOAT
                && declared.get().type() != ElementType.UNDEFINED) {
            throw new IllegalArgumentException("'" + t + "' of " + source + " is a "
                    + declared.get().type() + " tensor; only float tensors can be spliced");
        }
        String in = spliceInput(t);
        if (tappable.contains(in) || inputs.stream().anyMatch(i -> i.name().equals(in))) {
            throw new IllegalArgumentException("cannot splice '" + t + "': " + source + " already has a tensor named '"
                    + in + "', the name the spliced input would take");
        }
        for (ByteString n : graph.getField(GRAPH_NODE).getLengthDelimitedList()) {
            UnknownFieldSet node = parseUnchecked(n);
            for (ByteString a : node.getField(NODE_ATTRIBUTE).getLengthDelimitedList()) {
                if (readsInSubgraph(parseUnchecked(a), t)) {
                    throw new IllegalArgumentException("'" + t + "' of " + source + " is read inside the subgraph of "
                            + string(node, NODE_OP_TYPE) + " node '" + string(node, NODE_NAME)
                            + "'; splicing reaches only the main graph's nodes: splice a tensor read outside"
                            + " If/Loop/Scan bodies");
                }
            }
        }
    }

    /** Whether a node of the subgraphs of {@code attribute} (at any depth) reads {@code tensor}. */
    private boolean readsInSubgraph(UnknownFieldSet attribute, String tensor) {
        List<ByteString> graphs =
                new ArrayList<>(attribute.getField(ATTRIBUTE_GRAPH).getLengthDelimitedList());
        graphs.addAll(attribute.getField(ATTRIBUTE_GRAPHS).getLengthDelimitedList());
        ByteString name = ByteString.copyFromUtf8(tensor);
        for (ByteString g : graphs) {
            for (ByteString n : parseUnchecked(g).getField(GRAPH_NODE).getLengthDelimitedList()) {
                UnknownFieldSet node = parseUnchecked(n);
                if (node.getField(NODE_INPUT).getLengthDelimitedList().contains(name)) {
                    return true;
                }
                for (ByteString a : node.getField(NODE_ATTRIBUTE).getLengthDelimitedList()) {
                    if (readsInSubgraph(parseUnchecked(a), tensor)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A graph input: a float tensor of unspecified shape. */
    private static ByteString floatInput(String name) {
        UnknownFieldSet tensorType = UnknownFieldSet.newBuilder()
                .addField(
                        TENSOR_TYPE_ELEM_TYPE,
                        UnknownFieldSet.Field.newBuilder()
                                .addVarint(ElementType.FLOAT.code())
                                .build())
                .build();
        UnknownFieldSet type = UnknownFieldSet.newBuilder()
                .addField(
                        TYPE_TENSOR,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(tensorType.toByteString())
                                .build())
                .build();
        return UnknownFieldSet.newBuilder()
                .addField(
                        VALUE_INFO_NAME,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8(name))
                                .build())
                .addField(
                        VALUE_INFO_TYPE,
                        UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(type.toByteString())
                                .build())
                .build()
                .toByteString();
    }

    private TensorSpec spec(ByteString valueInfoBytes) throws MalformedFileException {
        UnknownFieldSet v = parse(valueInfoBytes, "a ValueInfoProto");
        String name = string(v, VALUE_INFO_NAME);
        List<ByteString> types = v.getField(VALUE_INFO_TYPE).getLengthDelimitedList();
        if (types.isEmpty()) {
            return TensorSpec.unknown(name);
        }
        List<ByteString> tensorTypes =
                parse(types.get(0), "the type of " + name).getField(TYPE_TENSOR).getLengthDelimitedList();
        if (tensorTypes.isEmpty()) { // a sequence, map or optional: not a tensor
            return TensorSpec.unknown(name);
        }
        UnknownFieldSet tensorType = parse(tensorTypes.get(0), "the tensor type of " + name);
        List<Long> elem = tensorType.getField(TENSOR_TYPE_ELEM_TYPE).getVarintList();
        ElementType type = elem.isEmpty() ? ElementType.UNDEFINED : ElementType.fromCode(elem.get(0));
        List<ByteString> shapes = tensorType.getField(TENSOR_TYPE_SHAPE).getLengthDelimitedList();
        if (shapes.isEmpty()) {
            return new TensorSpec(name, type, Optional.empty());
        }
        List<String> dims = new ArrayList<>();
        for (ByteString d :
                parse(shapes.get(0), "the shape of " + name).getField(SHAPE_DIM).getLengthDelimitedList()) {
            UnknownFieldSet dim = parse(d, "a dimension of " + name);
            List<Long> value = dim.getField(DIM_VALUE).getVarintList();
            String param = string(dim, DIM_PARAM);
            dims.add(!value.isEmpty() ? Long.toString(value.get(0)) : param.isEmpty() ? "?" : param);
        }
        return new TensorSpec(name, type, Optional.of(dims));
    }

    private UnknownFieldSet parse(ByteString bytes, String what) throws MalformedFileException {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedFileException(
                    source, "not an ONNX model: " + what + " does not parse (" + e.getMessage() + ")");
        }
    }

    /** {@code bytes} parsed; the parts {@link #withSplice} reads again (nodes) or first (attributes). */
    private UnknownFieldSet parseUnchecked(ByteString bytes) {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(
                    source + ": not an ONNX model: a node or its attribute does not parse (" + e.getMessage() + ")");
        }
    }

    /** The first value of string field {@code number}, or "". */
    private static String string(UnknownFieldSet message, int number) {
        List<ByteString> values = message.getField(number).getLengthDelimitedList();
        return values.isEmpty() ? "" : values.get(0).toStringUtf8();
    }

    /**
     * The first string field {@code number} of a message, found by skipping the other fields rather
     * than parsing them (initializers hold the weights: parsing them would copy every weight).
     */
    private String stringField(ByteString message, int number) throws MalformedFileException {
        try {
            CodedInputStream in = message.newCodedInput();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == number
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    return new String(in.readByteArray(), StandardCharsets.UTF_8);
                }
                in.skipField(tag);
            }
            return "";
        } catch (IOException e) {
            throw new MalformedFileException(
                    source, "not an ONNX model: an initializer does not parse (" + e.getMessage() + ")");
        }
    }
}
