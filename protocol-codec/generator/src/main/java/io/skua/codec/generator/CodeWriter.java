package io.skua.codec.generator;

/** Appends indented Java source lines. */
final class CodeWriter {
    private final StringBuilder sb = new StringBuilder(64 * 1024);
    private int indent;

    CodeWriter line(String s) {
        if (!s.isEmpty()) {
            sb.append("    ".repeat(indent)).append(s);
        }
        sb.append('\n');
        return this;
    }

    CodeWriter blank() {
        sb.append('\n');
        return this;
    }

    /** Writes {@code header + " {"} and indents. */
    CodeWriter open(String header) {
        line(header.isEmpty() ? "{" : header + " {");
        indent++;
        return this;
    }

    /** Closes one block and opens the next: {@code "} else {"}. */
    CodeWriter reopen(String header) {
        indent--;
        line("} " + header + " {");
        indent++;
        return this;
    }

    CodeWriter close() {
        indent--;
        line("}");
        return this;
    }

    CodeWriter close(String suffix) {
        indent--;
        line("}" + suffix);
        return this;
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
