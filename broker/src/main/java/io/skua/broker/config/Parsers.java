package io.skua.broker.config;

import java.util.Locale;

/** The value parsers of {@link Property}: each fails with the reason alone, and the property adds its name. */
final class Parsers {
    private Parsers() {
    }

    static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of type INT");
        }
    }

    static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of type LONG");
        }
    }

    static double parsePositiveDouble(String s) {
        double v = parseDouble(s);
        if (!(v > 0)) {
            throw new IllegalArgumentException("must be above 0");
        }
        return v;
    }

    static double parseRatio(String s) {
        double v = parseDouble(s);
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException("must be between 0 and 1");
        }
        return v;
    }

    private static double parseDouble(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of type DOUBLE");
        }
    }

    static boolean parseBoolean(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false");
    }

    static String parseString(String s) {
        return s;
    }
}
