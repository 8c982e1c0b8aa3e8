package dev.saekit.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and checks the JSON header of a safetensors file with Jackson's streaming parser: the
 * header is UTF-8, one object of tensor entries {@code {"dtype", "shape", "data_offsets"}} (exactly
 * these keys) and an optional {@code "__metadata__"} map of strings; nothing may follow it but
 * spaces. The entries must tile the data buffer as the format's reference implementation requires:
 * sorted by offset, each starts where the previous ends, the last ends at the buffer's end, and
 * each spans the bytes its dtype and shape need. Sizes use exact arithmetic; no allocation depends
 * on a number before it is checked. Errors name the tensor and the field, or the byte offset.
 */
final class SafetensorsHeaderParser {
    /** The tensors in header order and the metadata ({@code __metadata__}, empty if absent). */
    record Parsed(Map<String, TensorEntry> tensors, Map<String, String> metadata) {}

    static final String METADATA_KEY = "__metadata__";
    /** Safetensors dtypes that exist but that saekit does not read (sub-byte, 8-bit floats, complex). */
    private static final Set<String> KNOWN_UNSUPPORTED =
            Set.of("F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "C64");
    /** Where Jackson's messages name the source and position; the file offset replaces it. */
    private static final Pattern JACKSON_LOCATION =
            Pattern.compile("\\s*\\(?(start marker )?at \\[Source: [^\\]]*\\]\\)?");
    /** The header's bytes start after the 8-byte length field. */
    private static final long HEADER_START = 8;

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES) // no symbol table for hostile names to flood
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(Safetensors.MAX_HEADER_BYTES)
                    .maxStringLength(Safetensors.MAX_HEADER_BYTES)
                    .maxNameLength(Safetensors.MAX_HEADER_BYTES)
                    .maxNestingDepth(
                            4) // header > tensor > shape, and one more level so that our checks name a nested array
                    .build())
            .build();

    private final String source;
    private final byte[] bytes;
    private JsonParser p;

    private SafetensorsHeaderParser(String source, byte[] bytes) {
        this.source = source;
        this.bytes = bytes;
    }

    /** The header in {@code bytes}, for a data buffer of {@code bufferLength} bytes. */
    static Parsed parse(byte[] bytes, long bufferLength, String source) throws MalformedFileException {
        return new SafetensorsHeaderParser(source, bytes).parse(bufferLength);
    }

    private Parsed parse(long bufferLength) throws MalformedFileException {
        if (bytes.length == 0 || bytes[0] != '{') {
            throw new MalformedFileException(
                    source,
                    "the safetensors header at byte 8 does not start with '{'"
                            + (bytes.length == 0 ? " (its length field says 0 bytes)" : ""));
        }
        requireUtf8(bytes);
        if (bytes.length > 1 && bytes[1] == 0) { // would make Jackson guess UTF-16 or UTF-32
            throw new MalformedFileException(source, "invalid JSON in the safetensors header at byte 9: a NUL byte");
        }
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = null;
        try (JsonParser parser = JSON.createParser(bytes)) {
            p = parser;
            p.nextToken(); // '{', checked above
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                if (name.equals(METADATA_KEY)) {
                    if (metadata != null) {
                        throw fail("'" + METADATA_KEY + "' appears twice");
                    }
                    metadata = parseMetadata();
                } else {
                    if (tensors.containsKey(name)) {
                        throw fail("tensor " + Text.quote(name) + " appears twice");
                    }
                    tensors.put(name, parseEntry(name));
                }
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw fail("unexpected " + after + " after the header object; only spaces may follow it");
            }
        } catch (JsonProcessingException e) {
            long at = offset(e.getLocation() != null ? e.getLocation() : p == null ? null : p.currentLocation());
            String message = JACKSON_LOCATION.matcher(e.getOriginalMessage()).replaceAll("");
            throw new MalformedFileException(
                    source,
                    "invalid JSON in the safetensors header" + (at >= 0 ? " at byte " + at : "") + ": " + message);
        } catch (MalformedFileException e) {
            throw e;
        } catch (IOException e) { // cannot happen reading a byte array; kept a MalformedFileException all the same
            throw new MalformedFileException(source, "cannot parse the safetensors header: " + e.getMessage());
        }
        checkTiling(tensors, bufferLength);
        return new Parsed(
                Collections.unmodifiableMap(tensors),
                metadata == null ? Map.of() : Collections.unmodifiableMap(metadata));
    }

    /** {@code null} or an object of string values. */
    private Map<String, String> parseMetadata() throws IOException {
        JsonToken t = p.nextToken();
        Map<String, String> metadata = new LinkedHashMap<>();
        if (t == JsonToken.VALUE_NULL) {
            return metadata;
        }
        if (t != JsonToken.START_OBJECT) {
            throw fail("'" + METADATA_KEY + "' must be an object of strings, found " + describe(t));
        }
        while (p.nextToken() != JsonToken.END_OBJECT) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw fail(
                        "'" + METADATA_KEY + "' entry " + Text.quote(key) + " must be a string, found " + describe(v));
            }
            if (metadata.put(key, p.getText()) != null) {
                throw fail("'" + METADATA_KEY + "' has the key " + Text.quote(key) + " twice");
            }
        }
        return metadata;
    }

    /** {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}} in any key order. */
    private TensorEntry parseEntry(String name) throws IOException {
        String where = "tensor " + Text.quote(name);
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
            throw fail(where + " must be an object with 'dtype', 'shape' and 'data_offsets', found " + describe(t));
        }
        ElementType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() != JsonToken.END_OBJECT) {
            String key = p.currentName();
            boolean seen;
            switch (key) {
                case "dtype":
                    seen = dtype != null;
                    dtype = parseDType(where);
                    break;
                case "shape":
                    seen = shape != null;
                    shape = parseIntegers(where, "shape", NpyHeaderParser.MAX_RANK);
                    break;
                case "data_offsets":
                    seen = offsets != null;
                    offsets = parseIntegers(where, "data_offsets", 2);
                    if (offsets.length != 2) {
                        throw fail(
                                where + ": 'data_offsets' must be [begin, end], found " + offsets.length + " numbers");
                    }
                    break;
                default:
                    throw fail(where + " has the unexpected key " + Text.quote(key)
                            + "; an entry has exactly 'dtype', 'shape'" + " and 'data_offsets'");
            }
            if (seen) {
                throw fail(where + " has the key " + Text.quote(key) + " twice");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            throw fail(where + " lacks " + (dtype == null ? "'dtype'" : shape == null ? "'shape'" : "'data_offsets'"));
        }
        long bytes;
        try {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, dtype.size());
        } catch (ArithmeticException e) {
            throw fail(where + ": 'shape' " + Arrays.toString(shape) + " of " + dtype.safetensorsName()
                    + " has more bytes than a signed 64-bit count can hold");
        }
        if (offsets[1] < offsets[0]) {
            throw fail(where + ": 'data_offsets' [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw fail(where + ": 'data_offsets' [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]) + " bytes but " + dtype.safetensorsName() + " " + Arrays.toString(shape)
                    + " needs " + bytes);
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private ElementType parseDType(String where) throws IOException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.VALUE_STRING) {
            throw fail(where + ": 'dtype' must be a string, found " + describe(t));
        }
        String name = p.getText();
        ElementType dtype = ElementType.ofSafetensors(name);
        if (dtype == null) {
            throw fail(where + ": "
                    + (KNOWN_UNSUPPORTED.contains(name)
                            ? "saekit does not read dtype '" + name + "'"
                            : "unknown dtype " + Text.quote(name))
                    + "; accepted: " + ElementType.SAFETENSORS_ACCEPTED);
        }
        return dtype;
    }

    /** An array of at most {@code max} non-negative integers, each fitting a signed 64-bit long. */
    private long[] parseIntegers(String where, String field, int max) throws IOException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_ARRAY) {
            throw fail(where + ": '" + field + "' must be an array of integers, found " + describe(t));
        }
        List<Long> values = new ArrayList<>();
        for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw fail(where + ": '" + field + "' must hold integers, found " + describe(t));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail(
                        where + ": '" + field + "' value " + p.getText() + " does not fit in a signed 64-bit integer");
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw fail(where + ": '" + field + "' has the negative value " + v);
            }
            if (values.size() == max) {
                throw fail(where + ": '" + field + "' has more than " + max + " values"
                        + (field.equals("shape") ? ", the most dimensions saekit reads" : ""));
            }
            values.add(v);
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The entries, sorted by offsets, must cover the data buffer exactly: no gap, no overlap, nothing
     * outside it and nothing after the last one (the format's reference implementation checks the same).
     */
    private void checkTiling(Map<String, TensorEntry> tensors, long bufferLength) throws MalformedFileException {
        for (TensorEntry e : tensors.values()) {
            if (e.end() > bufferLength) {
                throw new MalformedFileException(
                        source,
                        "tensor " + Text.quote(e.name()) + ": 'data_offsets' [" + e.begin() + ", " + e.end()
                                + "] reach past the end of the " + bufferLength + "-byte data buffer");
            }
        }
        List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort(
                (a, b) -> a.begin() != b.begin() ? Long.compare(a.begin(), b.begin()) : Long.compare(a.end(), b.end()));
        long covered = 0;
        TensorEntry previous = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < covered) {
                throw new MalformedFileException(
                        source,
                        "tensor " + Text.quote(e.name()) + ": 'data_offsets' [" + e.begin() + ", " + e.end()
                                + "] overlap tensor " + Text.quote(previous.name()) + " [" + previous.begin() + ", "
                                + previous.end() + "]");
            }
            if (e.begin() > covered) {
                throw new MalformedFileException(
                        source,
                        "tensor " + Text.quote(e.name()) + ": 'data_offsets' [" + e.begin() + ", " + e.end()
                                + "] leave bytes " + covered + ".." + e.begin() + " of the data buffer to no tensor");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != bufferLength) {
            throw new MalformedFileException(
                    source,
                    "the tensors cover " + covered + " bytes of the data buffer but it has " + bufferLength + " (bytes "
                            + covered + ".." + bufferLength + " belong to no tensor)");
        }
    }

    /** Fails if {@code bytes} is not strict UTF-8, naming the file offset of the first bad byte. */
    private void requireUtf8(byte[] bytes) throws MalformedFileException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                throw new MalformedFileException(
                        source, "the safetensors header is not valid UTF-8 at byte " + (HEADER_START + in.position()));
            }
            if (r.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    private MalformedFileException fail(String message) {
        long at = offset(p.currentTokenLocation());
        return new MalformedFileException(
                source, "safetensors header" + (at >= 0 ? " at byte " + at : "") + ": " + message);
    }

    /**
     * The file offset of a parser location, or -1 if unknown. Without a symbol table Jackson reads
     * bytes through a reader and counts chars (UTF-16 units), so those are converted back to bytes.
     */
    private long offset(JsonLocation location) {
        if (location == null) {
            return -1;
        }
        if (location.getByteOffset() >= 0) {
            return HEADER_START + location.getByteOffset();
        }
        long chars = location.getCharOffset();
        if (chars < 0) {
            return -1;
        }
        int i = 0;
        for (long seen = 0; seen < chars && i < bytes.length; ) {
            int b = bytes[i] & 0xFF;
            int length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; // valid UTF-8, checked before parsing
            seen += length == 4 ? 2 : 1;
            i += length;
        }
        return HEADER_START + i;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the header";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.toString();
        }
    }
}
