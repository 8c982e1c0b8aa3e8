package dev.saekit.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.WireFormat;
import dev.saekit.io.MalformedFileException;
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
 * return them.
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
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_NAME = 8;
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    /** A tensor a node produces and the operator of that node. */
    public record InnerTensor(String name, String opType) {}

    private final String source;
    private final UnknownFieldSet model;
    private final UnknownFieldSet graph;
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
        Set<String> present = outputs.stream().map(TensorSpec::name).collect(Collectors.toSet());
        UnknownFieldSet.Field.Builder extra = UnknownFieldSet.Field.newBuilder();
        for (String name : new LinkedHashSet<>(names)) {
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
        UnknownFieldSet newGraph = UnknownFieldSet.newBuilder(graph)
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
