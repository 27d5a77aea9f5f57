#ifndef ORDERFLOW_CRDKAFKA_SHIM_H
#define ORDERFLOW_CRDKAFKA_SHIM_H
// Built against Debian's librdkafka-dev (2.0.2 headers); run against librdkafka >= 2.1
// (see README: the runtime library comes from the confluent-kafka wheel).
#include <librdkafka/rdkafka.h>

/// Swift cannot call C variadic functions, so `rd_kafka_producev` is wrapped here.
/// Produces one message with an optional key and headers. On success librdkafka owns
/// `headers`; on failure the caller still owns them and must destroy them.
static inline rd_kafka_resp_err_t orderflow_produce(rd_kafka_t *rk,
                                                    const char *topic,
                                                    int32_t partition,
                                                    const void *key, size_t key_len,
                                                    const void *value, size_t value_len,
                                                    rd_kafka_headers_t *headers,
                                                    void *opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_TOPIC(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

#endif
