package io.skua.codec.generator;

/** An inclusive version range as written in the specs: "3+", "1-4", "2", "none". */
record Versions(short lo, short hi) {
    static final Versions NONE = new Versions((short) 0, (short) -1);
    static final Versions ALL = new Versions((short) 0, Short.MAX_VALUE);

    static Versions parse(String s, Versions ifAbsent) {
        if (s == null) {
            return ifAbsent;
        }
        s = s.trim();
        if (s.equals("none")) {
            return NONE;
        }
        if (s.endsWith("+")) {
            return new Versions(Short.parseShort(s.substring(0, s.length() - 1)), Short.MAX_VALUE);
        }
        int dash = s.indexOf('-');
        if (dash > 0) {
            return new Versions(Short.parseShort(s.substring(0, dash)), Short.parseShort(s.substring(dash + 1)));
        }
        short v = Short.parseShort(s);
        return new Versions(v, v);
    }

    boolean isEmpty() {
        return lo > hi;
    }

    boolean contains(int v) {
        return v >= lo && v <= hi;
    }

    Versions intersect(Versions o) {
        Versions r = new Versions((short) Math.max(lo, o.lo), (short) Math.min(hi, o.hi));
        return r.isEmpty() ? NONE : r;
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "none";
        }
        if (hi == Short.MAX_VALUE) {
            return lo + "+";
        }
        return lo == hi ? Short.toString(lo) : lo + "-" + hi;
    }
}
