package io.skua.codec.generator;

/** Appends indented Java source lines; {@link #when} guards a block with a {@link VersionConditions} condition. */
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

    /** Emits {@code body} guarded by {@code cond}, leaving out the guard when it is constant. */
    void when(String cond, Runnable body) {
        if (cond.equals("false")) {
            return;
        }
        if (cond.equals("true")) {
            body.run();
            return;
        }
        open("if (" + cond + ")");
        body.run();
        close();
    }

    /** Like {@link #when} but always opens a block, so locals declared by {@code body} stay scoped. */
    void whenBlock(String cond, Runnable body) {
        if (cond.equals("false")) {
            return;
        }
        open(cond.equals("true") ? "" : "if (" + cond + ")");
        body.run();
        close();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
