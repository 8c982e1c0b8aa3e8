package dev.saekit.io;

/** How text taken from a file (tensor names, member names, metadata keys) appears in error messages. */
final class Text {
    /** The most characters of one name an error message shows. */
    static final int MAX_SHOWN = 120;

    private Text() {}

    /** {@code s} in single quotes, control characters escaped (so a message stays one line), cut after {@link #MAX_SHOWN} characters. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        int shown = Math.min(s.length(), MAX_SHOWN);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(shown < s.length() ? "'... (" + s.length() + " characters)" : "'")
                .toString();
    }
}
