package io.skua.codec.generator;

/**
 * Java boolean expressions in {@code _version}, simplified against a message's valid versions: a condition that
 * always holds is {@code "true"}, one that never does is {@code "false"}, so the emitters can leave the guard out
 * (see {@link CodeWriter#when}).
 */
final class VersionConditions {
    private final Versions valid;
    private final Versions flexible;

    VersionConditions(Versions valid, Versions flexible) {
        this.valid = valid;
        this.flexible = flexible;
    }

    /** A Java boolean expression in {@code _version} that holds exactly for {@code v} within the valid versions. */
    String cond(Versions v) {
        Versions ctx = valid;
        Versions eff = v.intersect(ctx);
        if (eff.isEmpty()) {
            return "false";
        }
        boolean lo = eff.lo() > ctx.lo();
        boolean hi = eff.hi() < ctx.hi();
        if (!lo && !hi) {
            return "true";
        }
        if (lo && hi) {
            return eff.lo() == eff.hi()
                    ? "_version == " + eff.lo()
                    : "_version >= " + eff.lo() + " && _version <= " + eff.hi();
        }
        return lo ? "_version >= " + eff.lo() : "_version <= " + eff.hi();
    }

    /** Where the field is in the flexible (compact, tagged) encoding: its own override, else the message's. */
    String flexible(Spec.Field f) {
        return cond(f.flexibleOverride() != null ? f.flexibleOverride() : flexible);
    }

    static String and(String a, String b) {
        if (a.equals("false") || b.equals("false")) {
            return "false";
        }
        if (a.equals("true")) {
            return b;
        }
        if (b.equals("true")) {
            return a;
        }
        return "(" + a + ") && (" + b + ")";
    }

    static String not(String a) {
        if (a.matches("_version (>=|<=) \\d+")) {
            return a.replace(">=", "<").replace("<=", ">");
        }
        return switch (a) {
            case "true" -> "false";
            case "false" -> "true";
            default -> "!(" + a + ")";
        };
    }
}
