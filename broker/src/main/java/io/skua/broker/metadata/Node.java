package io.skua.broker.metadata;

/** A broker as clients see it: id and the host/port it advertises on one listener. */
public record Node(int id, String host, int port, String rack) {
}
