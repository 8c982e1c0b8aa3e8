package dev.saekit.io;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the Python dict literal of a {@code .npy} header, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}, without evaluating
 * anything. It accepts exactly the literals NumPy writes (quoted strings, {@code True}/{@code False},
 * tuples of integers) and the keys {@code descr}, {@code fortran_order} and {@code shape}, each
 * once. Errors give the file offset of the offending character.
 */
final class NpyHeaderParser {
    /** ND4J arrays have at most this many dimensions. */
    static final int MAX_RANK = 32;

    private final String text;
    private final String source;
    private final long baseOffset;
    private final Charset charset;
    private int pos;
    private int shapeAt;

    private String descr;
    private Boolean fortranOrder;
    private long[] shape;

    private NpyHeaderParser(String text, String source, long baseOffset, Charset charset) {
        this.text = text;
        this.source = source;
        this.baseOffset = baseOffset;
        this.charset = charset;
    }

    /**
     * The header in {@code text}, decoded with {@code charset} from the bytes that start at
     * {@code baseOffset} of {@code source}.
     */
    static NpyHeader parse(String text, String source, long baseOffset, Charset charset) throws MalformedFileException {
        return new NpyHeaderParser(text, source, baseOffset, charset).parseDict();
    }

    private NpyHeader parseDict() throws MalformedFileException {
        skipSpace();
        expect('{', "the header dict to start");
        Set<String> seen = new HashSet<>();
        skipSpace();
        while (peek() != '}') {
            int keyAt = pos;
            String key = parseString("a key in quotes");
            if (!seen.add(key)) {
                throw fail(keyAt, "key " + Text.quote(key) + " appears twice");
            }
            skipSpace();
            expect(':', "':' after key " + Text.quote(key));
            skipSpace();
            parseValue(key, keyAt);
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
            } else if (peek() != '}') {
                throw fail(pos, "expected ',' or '}' after the value of " + Text.quote(key) + ", found " + found());
            }
        }
        pos++;
        skipSpace();
        if (pos < text.length()) {
            throw fail(pos, "unexpected " + found() + " after the header dict");
        }
        if (descr == null || fortranOrder == null || shape == null) {
            throw fail(
                    pos,
                    "the header dict lacks "
                            + (descr == null ? "'descr'" : fortranOrder == null ? "'fortran_order'" : "'shape'")
                            + "; it needs exactly 'descr', 'fortran_order' and 'shape'");
        }
        requireCountable();
        return new NpyHeader(descr, fortranOrder, shape);
    }

    private void parseValue(String key, int keyAt) throws MalformedFileException {
        int at = pos;
        switch (key) {
            case "descr":
                if (peek() == '[') {
                    throw fail(at, "'descr' is a list: structured (record) dtypes are not supported");
                }
                descr = parseString("the 'descr' string");
                if (NpyType.parse(descr) == null) {
                    throw fail(at, "unsupported 'descr' " + Text.quote(descr) + "; accepted: " + NpyType.ACCEPTED);
                }
                break;
            case "fortran_order":
                if (text.startsWith("True", pos)) {
                    fortranOrder = true;
                    pos += 4;
                } else if (text.startsWith("False", pos)) {
                    fortranOrder = false;
                    pos += 5;
                } else {
                    throw fail(at, "'fortran_order' must be True or False, found " + found());
                }
                break;
            case "shape":
                shapeAt = at;
                shape = parseShape();
                break;
            default:
                throw fail(
                        keyAt,
                        "unexpected key " + Text.quote(key) + "; a .npy header has exactly 'descr', 'fortran_order' and"
                                + " 'shape'");
        }
    }

    /** A tuple of non-negative integers: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    private long[] parseShape() throws MalformedFileException {
        int start = pos;
        expect('(', "'shape' to be a tuple such as (3, 4)");
        List<Long> dims = new ArrayList<>();
        boolean trailingComma = false;
        skipSpace();
        while (peek() != ')') {
            int at = pos;
            long d = parseInt();
            if (d < 0) {
                throw fail(at, "'shape' has the negative dimension " + d);
            }
            dims.add(d);
            if (dims.size() > MAX_RANK) {
                throw fail(at, "'shape' has more than " + MAX_RANK + " dimensions, the most saekit reads");
            }
            skipSpace();
            trailingComma = peek() == ',';
            if (trailingComma) {
                pos++;
                skipSpace();
            } else if (peek() != ')') {
                throw fail(pos, "expected ',' or ')' in 'shape', found " + found());
            }
        }
        pos++;
        if (dims.size() == 1 && !trailingComma) {
            throw fail(
                    start,
                    "'shape' (" + dims.get(0) + ") is not a tuple; a 1-d shape is written (" + dims.get(0) + ",)");
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Checks that the element count and the byte count of the data fit in a signed 64-bit integer. */
    private void requireCountable() throws MalformedFileException {
        try {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            Math.multiplyExact(count, NpyType.parse(descr).size());
        } catch (ArithmeticException e) {
            throw fail(
                    shapeAt,
                    "'shape' " + NpyHeader.shapeText(shape) + " of '" + descr
                            + "' has more bytes than a signed 64-bit count can hold");
        }
    }

    /** A Python int literal, optionally signed, optionally with Python 2's 'L' suffix. */
    private long parseInt() throws MalformedFileException {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) {
            pos++;
        }
        if (pos == digits) {
            throw fail(start, "expected an integer dimension in 'shape', found " + found());
        }
        String literal = text.substring(start, pos);
        if (peek() == 'L') {
            pos++;
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            throw fail(start, "dimension " + literal + " in 'shape' does not fit in a 64-bit integer");
        }
    }

    private String parseString(String what) throws MalformedFileException {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw fail(pos, "expected " + what + ", found " + found());
        }
        int start = pos++;
        int end = text.indexOf(quote, pos);
        if (end < 0) {
            throw fail(start, "string starting here is never closed");
        }
        String s = text.substring(pos, end);
        if (s.indexOf('\\') >= 0) {
            throw fail(start, "escape sequences in header strings are not supported");
        }
        pos = end + 1;
        return s;
    }

    private void expect(char c, String what) throws MalformedFileException {
        if (peek() != c) {
            throw fail(pos, "expected " + what + " ('" + c + "'), found " + found());
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\r\n\f\u000b".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    /** The character at the cursor, quoted, or "the end of the header". */
    private String found() {
        if (pos >= text.length()) {
            return "the end of the header";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("character U+%04X", (int) c);
    }

    /** An error at character {@code at} of the header text, located by its file offset. */
    private MalformedFileException fail(int at, String message) {
        long offset = baseOffset + text.substring(0, at).getBytes(charset).length;
        return new MalformedFileException(source, "malformed .npy header at byte " + offset + ": " + message);
    }
}
