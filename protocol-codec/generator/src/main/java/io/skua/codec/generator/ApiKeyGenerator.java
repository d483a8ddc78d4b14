package io.skua.codec.generator;

import io.skua.codec.generator.Spec.Message;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Emits {@code io.skua.protocol.ApiKey}: one constant per request/response spec pair. */
final class ApiKeyGenerator {
    private record Api(Message request, Message response) {
        String constant() {
            return upperSnake(baseName());
        }

        String baseName() {
            return request.name().substring(0, request.name().length() - "Request".length());
        }
    }

    private final Map<Short, Api> apis = new TreeMap<>();

    ApiKeyGenerator(List<Message> messages) {
        Map<Short, Message> requests = new TreeMap<>();
        Map<Short, Message> responses = new TreeMap<>();
        for (Message m : messages) {
            if (!m.isApi()) {
                continue;
            }
            Map<Short, Message> target = m.type().equals("request") ? requests : responses;
            if (target.put(m.apiKey(), m) != null) {
                throw new IllegalArgumentException("Two " + m.type() + "s with api key " + m.apiKey());
            }
        }
        for (Map.Entry<Short, Message> e : requests.entrySet()) {
            Message resp = responses.get(e.getKey());
            if (resp == null) {
                throw new IllegalArgumentException("No response for " + e.getValue().name());
            }
            if (!e.getValue().name().endsWith("Request")) {
                throw new IllegalArgumentException("Request spec not named *Request: " + e.getValue().name());
            }
            if (!e.getValue().validVersions().equals(resp.validVersions())) {
                throw new IllegalArgumentException(e.getValue().name() + " and " + resp.name()
                        + " have different valid versions");
            }
            apis.put(e.getKey(), new Api(e.getValue(), resp));
        }
        for (Short key : responses.keySet()) {
            if (!requests.containsKey(key)) {
                throw new IllegalArgumentException("No request for " + responses.get(key).name());
            }
        }
    }

    String generate() {
        CodeWriter cw = new CodeWriter();
        cw.line("package io.skua.protocol;");
        cw.blank();
        for (Api api : apis.values()) {
            cw.line("import " + MessageGenerator.PACKAGE + "." + api.request.className() + ";");
            cw.line("import " + MessageGenerator.PACKAGE + "." + api.response.className() + ";");
        }
        cw.line("import java.util.List;");
        cw.blank();
        cw.line("/**");
        cw.line(" * The Kafka APIs whose specs have at least one valid version, with the versions the codec can");
        cw.line(" * read and write. Generated from Kafka's message specs by the Skua codec generator; do not edit.");
        cw.line(" * What the broker advertises is its own business (a subset of these).");
        cw.line(" */");
        cw.open("public enum ApiKey");
        int i = 0;
        for (Api api : apis.values()) {
            Message rq = api.request;
            Message rs = api.response;
            String sep = ++i == apis.size() ? ";" : ",";
            cw.line(api.constant() + "((short) " + rq.apiKey() + ", \"" + api.baseName() + "\", (short) "
                    + rq.validVersions().lo() + ", (short) " + rq.validVersions().hi() + ", "
                    + flexLo(rq) + ", " + flexHi(rq) + ", " + flexLo(rs) + ", " + flexHi(rs) + ", "
                    + rq.latestVersionUnstable() + ", " + listeners(rq) + ")" + sep);
        }
        cw.blank();
        short maxId = apis.isEmpty() ? 0 : ((TreeMap<Short, Api>) apis).lastKey();
        cw.line("private static final ApiKey[] BY_ID = new ApiKey[" + (maxId + 1) + "];");
        cw.blank();
        cw.open("static");
        cw.open("for (ApiKey k : values())");
        cw.line("BY_ID[k.id] = k;");
        cw.close();
        cw.close();
        cw.blank();
        cw.line("private final short id;");
        cw.line("private final String messageName;");
        cw.line("private final short lowestVersion;");
        cw.line("private final short highestVersion;");
        cw.line("private final int firstFlexibleRequest;");
        cw.line("private final int lastFlexibleRequest;");
        cw.line("private final int firstFlexibleResponse;");
        cw.line("private final int lastFlexibleResponse;");
        cw.line("private final boolean latestVersionUnstable;");
        cw.line("private final List<String> listeners;");
        cw.blank();
        cw.open("ApiKey(short id, String messageName, short lowestVersion, short highestVersion,\n"
                + "           int firstFlexibleRequest, int lastFlexibleRequest, int firstFlexibleResponse,\n"
                + "           int lastFlexibleResponse, boolean latestVersionUnstable, List<String> listeners)");
        cw.line("this.id = id;");
        cw.line("this.messageName = messageName;");
        cw.line("this.lowestVersion = lowestVersion;");
        cw.line("this.highestVersion = highestVersion;");
        cw.line("this.firstFlexibleRequest = firstFlexibleRequest;");
        cw.line("this.lastFlexibleRequest = lastFlexibleRequest;");
        cw.line("this.firstFlexibleResponse = firstFlexibleResponse;");
        cw.line("this.lastFlexibleResponse = lastFlexibleResponse;");
        cw.line("this.latestVersionUnstable = latestVersionUnstable;");
        cw.line("this.listeners = listeners;");
        cw.close();
        cw.blank();
        cw.line("/** The API key number on the wire. */");
        cw.open("public short id()");
        cw.line("return id;");
        cw.close();
        cw.blank();
        cw.line("/** The spec name without Request/Response, e.g. {@code \"ApiVersions\"}. */");
        cw.open("public String messageName()");
        cw.line("return messageName;");
        cw.close();
        cw.blank();
        cw.open("public short lowestVersion()");
        cw.line("return lowestVersion;");
        cw.close();
        cw.blank();
        cw.line("/** The highest version in the specs, including an unstable latest version. */");
        cw.open("public short highestVersion()");
        cw.line("return highestVersion;");
        cw.close();
        cw.blank();
        cw.line("/** True when the spec marks its highest version as unstable (not for production use). */");
        cw.open("public boolean latestVersionUnstable()");
        cw.line("return latestVersionUnstable;");
        cw.close();
        cw.blank();
        cw.open("public boolean isVersionSupported(short version)");
        cw.line("return version >= lowestVersion && version <= highestVersion;");
        cw.close();
        cw.blank();
        cw.line("/** The spec's listeners: \"broker\", \"controller\", ... */");
        cw.open("public List<String> listeners()");
        cw.line("return listeners;");
        cw.close();
        cw.blank();
        cw.open("public boolean isFlexibleRequest(short version)");
        cw.line("return version >= firstFlexibleRequest && version <= lastFlexibleRequest;");
        cw.close();
        cw.blank();
        cw.open("public boolean isFlexibleResponse(short version)");
        cw.line("return version >= firstFlexibleResponse && version <= lastFlexibleResponse;");
        cw.close();
        cw.blank();
        cw.line("/** 2 for flexible request versions, else 1 (0 only for ControlledShutdown v0, if the specs still have it). */");
        cw.open("public short requestHeaderVersion(short version)");
        Api cs = apis.values().stream().filter(a -> a.baseName().equals("ControlledShutdown")).findFirst().orElse(null);
        if (cs != null && cs.request.validVersions().contains(0)) {
            cw.open("if (this == " + cs.constant() + " && version == 0)");
            cw.line("return 0;");
            cw.close();
        }
        cw.line("return isFlexibleRequest(version) ? (short) 2 : (short) 1;");
        cw.close();
        cw.blank();
        cw.line("/** 1 for flexible response versions, else 0; ApiVersions always answers with header v0. */");
        cw.open("public short responseHeaderVersion(short version)");
        Api av = apis.values().stream().filter(a -> a.baseName().equals("ApiVersions")).findFirst().orElse(null);
        if (av != null) {
            cw.open("if (this == " + av.constant() + ")");
            cw.line("return 0;");
            cw.close();
        }
        cw.line("return isFlexibleResponse(version) ? (short) 1 : (short) 0;");
        cw.close();
        cw.blank();
        factory(cw, "newRequest", true);
        cw.blank();
        factory(cw, "newResponse", false);
        cw.blank();
        cw.line("/** The API with this key, or null when the key is unknown. */");
        cw.open("public static ApiKey forId(short id)");
        cw.line("return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;");
        cw.close();
        cw.close();
        return cw.toString();
    }

    private void factory(CodeWriter cw, String method, boolean request) {
        cw.open("public ApiMessage " + method + "()");
        cw.open("return switch (this)");
        for (Api api : apis.values()) {
            Message m = request ? api.request : api.response;
            cw.line("case " + api.constant() + " -> new " + m.className() + "();");
        }
        cw.close(";");
        cw.close();
    }

    private static String flexLo(Message m) {
        Versions f = m.flexibleVersions();
        return f.isEmpty() ? "Integer.MAX_VALUE" : Short.toString(f.lo());
    }

    private static String flexHi(Message m) {
        Versions f = m.flexibleVersions();
        return f.isEmpty() ? "-1" : Short.toString(f.hi());
    }

    private static String listeners(Message m) {
        StringBuilder sb = new StringBuilder("List.of(");
        for (int i = 0; i < m.listeners().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(m.listeners().get(i)).append('"');
        }
        return sb.append(')').toString();
    }

    /** "OffsetForLeaderEpoch" -> "OFFSET_FOR_LEADER_EPOCH". */
    static String upperSnake(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (i > 0 && Character.isUpperCase(c)) {
                char prev = name.charAt(i - 1);
                boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (Character.isLowerCase(prev) || Character.isDigit(prev) || (Character.isUpperCase(prev) && nextLower)) {
                    sb.append('_');
                }
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }
}
