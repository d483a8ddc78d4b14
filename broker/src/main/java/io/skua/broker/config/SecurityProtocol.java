package io.skua.broker.config;

/** Kafka's listener security protocols. Only {@link #PLAINTEXT} is served so far. */
public enum SecurityProtocol {
    PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
}
